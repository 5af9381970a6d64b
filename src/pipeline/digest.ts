import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { bytesMoved } from '../process/memory-guard.js';

export interface FileDigest {
  readonly size: number;
  readonly sha256: string;
}

/** Passes bytes through unchanged, counting them and hashing them with SHA-256. */
export class DigestStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private size = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    callback(null, chunk);
  }

  /** Only meaningful once the stream has finished. */
  digest(): FileDigest {
    return { size: this.size, sha256: this.hash.digest('hex') };
  }
}

/** Size and SHA-256 of a file, read from disk in a stream. */
export async function digestFile(path: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(createReadStream(path), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) {
      hash.update(chunk);
      size += chunk.length;
      bytesMoved(chunk.length);
    }
  });
  return { size, sha256: hash.digest('hex') };
}
