import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { IntegrityError, JobFailure } from '../domain/errors.js';
import { FILE_MODE, removeQuietly } from '../fs/files.js';
import { bytesMoved } from '../process/memory-guard.js';

export interface ExpectedDownload {
  /** The length the server announced. */
  readonly size?: number;
  /** The MD5 the server keeps for the object, when it keeps one. */
  readonly md5?: Uint8Array;
}

/** Counts bytes and, when asked, hashes them with MD5 on their way through. */
class DownloadTally extends Transform {
  size = 0;
  private readonly md5 = createHash('md5');

  constructor(private readonly hashing: boolean) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    bytesMoved(chunk.length);
    if (this.hashing) this.md5.update(chunk);
    callback(null, chunk);
  }

  md5Digest(): Buffer {
    return this.md5.digest();
  }
}

/**
 * Streams `source` into the new file `target` (mode 0600; it must not exist,
 * and an existing file is never touched), checking the byte count and MD5
 * when known. On any failure, including a mismatch, no file is left at `target`.
 */
export async function downloadToNewFile(
  source: Readable,
  target: string,
  expected: ExpectedDownload,
  what: string,
): Promise<void> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(target, 'wx', FILE_MODE);
  } catch (error) {
    source.destroy();
    throw error;
  }
  const tally = new DownloadTally(expected.md5 !== undefined);
  try {
    await pipeline(source, tally, handle.createWriteStream());
    checkTally(tally, expected, what);
  } catch (error) {
    await removeQuietly(target);
    throw error;
  }
}

function checkTally(tally: DownloadTally, expected: ExpectedDownload, what: string): void {
  if (expected.size !== undefined && tally.size !== expected.size) {
    throw new JobFailure(
      `${what} arrived with ${tally.size} of ${expected.size} bytes: the connection broke off. Try again.`,
    );
  }
  if (expected.md5 !== undefined) {
    const actual = tally.md5Digest();
    if (!actual.equals(Buffer.from(expected.md5))) {
      throw new IntegrityError(
        `${what} does not match the MD5 the storage keeps for it (${actual.toString('base64')}, ` +
          `expected ${Buffer.from(expected.md5).toString('base64')}): the download or the stored object is damaged. ` +
          'Try again; if it persists, restore an older backup.',
      );
    }
  }
}
