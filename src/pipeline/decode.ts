import { createReadStream, createWriteStream } from 'node:fs';
import path from 'node:path';
import { Transform, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isWorded, JobFailure, UserError } from '../domain/errors.js';
import { decompressByContent, type ContentKind } from './decompress.js';
import { FILE_MODE, fsyncFile, removeQuietly } from '../fs/files.js';
import { bytesMoved } from '../process/memory-guard.js';
import type { ProgressTask } from '../domain/progress.js';
import { ProgressCounter } from './progress-counter.js';
import { DigestStream, type FileDigest } from './digest.js';

export interface DecodeOptions {
  /** Stages before decompression, such as decryption. */
  readonly beforeDecompression?: readonly Transform[];
  /** Told what the content is (gzip, zstd, uncompressed), as soon as its first bytes are read. */
  readonly onContent?: (kind: ContentKind) => void;
  /** Told the stored file's bytes as they are read (its size is the total). */
  readonly progress?: ProgressTask | undefined;
  /**
   * The stored file as its manifest describes it, checked before this read: a
   * file that reads otherwise (replaced or changed since) fails at its end,
   * before what it was read into is kept.
   */
  readonly expected?: FileDigest | undefined;
}

/** Passes the stored file's bytes on, and fails at their end unless they are the ones expected. */
class AsExpected extends DigestStream {
  constructor(
    private readonly expected: FileDigest,
    private readonly name: string,
  ) {
    super();
  }

  override _flush(callback: TransformCallback): void {
    const read = this.digest();
    callback(
      read.size === this.expected.size && read.sha256 === this.expected.sha256
        ? null
        : new UserError(
            `The backup ${this.name} changed while it was being read: it no longer matches the sha256 and size in its manifest, as it did when it was checked. Nothing read from it is kept; run again, or use another backup.`,
          ),
    );
  }
}

/** Counts the bytes that pass. */
class ByteCounter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    bytesMoved(chunk.length);
    callback(null, chunk);
  }
}

/**
 * stored file → (decrypt) → decompress (gzip, zstd or nothing, as the content's
 * magic bytes say) → sink. Reads to the very end, so a truncated or damaged
 * file fails here. Returns the decompressed size.
 */
export async function decodeInto(
  file: string,
  sink: Writable | ((source: AsyncIterable<Buffer>) => Promise<void>),
  options: DecodeOptions = {},
): Promise<number> {
  const counter = new ByteCounter();
  let content: ContentKind | undefined;
  const decompress = decompressByContent(
    path.basename(file),
    (kind) => {
      content = kind;
      options.onContent?.(kind);
    },
    (options.beforeDecompression ?? []).length > 0,
  );
  try {
    // pipeline() takes async functions as stages at run time; its array overload's type does not say so.
    await pipeline([
      createReadStream(file),
      ...(options.expected ? [new AsExpected(options.expected, path.basename(file))] : []),
      ...(options.progress ? [new ProgressCounter(options.progress)] : []),
      ...(options.beforeDecompression ?? []),
      decompress as unknown as NodeJS.ReadWriteStream,
      counter,
      sink as unknown as NodeJS.WritableStream,
    ]);
  } catch (error) {
    throw describeDecodeError(error, file, content);
  }
  return counter.bytes;
}

/** Decodes into a new file (mode 0600), fsynced; removes it on failure. */
export async function decodeToFile(
  file: string,
  target: string,
  options: DecodeOptions = {},
): Promise<number> {
  try {
    const size = await decodeInto(
      file,
      createWriteStream(target, { mode: FILE_MODE, flags: 'wx' }),
      options,
    );
    await fsyncFile(target);
    return size;
  } catch (error) {
    await removeQuietly(target);
    throw error;
  }
}

/** Decodes to nowhere: proves the file decrypts and decompresses to its end. */
export async function decodeToNowhere(file: string, options: DecodeOptions = {}): Promise<number> {
  return decodeInto(
    file,
    async (source) => {
      for await (const chunk of source) void chunk;
    },
    options,
  );
}

function describeDecodeError(
  error: unknown,
  file: string,
  content: ContentKind | undefined,
): unknown {
  if (isWorded(error)) return error;
  const name = path.basename(file);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const format = content === 'zstd' ? 'zstd' : 'gzip';
  if (code === 'Z_BUF_ERROR') {
    return new UserError(
      `The backup ${name} is truncated: its ${format} data ends early. Use another backup.`,
    );
  }
  if (code === 'ZSTD_error_frameParameter_windowTooLarge') {
    return new UserError(
      `The backup ${name} was compressed with a zstd window larger than 128 MiB (zstd --long): unpack it with zstd -d --long=31 first.`,
    );
  }
  if (code === 'Z_DATA_ERROR' || code?.startsWith('ZSTD_error_')) {
    return new UserError(
      `The backup ${name} is damaged: ${(error as Error).message} (not valid ${format} data). Use another backup.`,
    );
  }
  if (code === 'ENOSPC') {
    return new JobFailure(
      `The disk is full while unpacking ${name}: nothing was changed; free space and retry.`,
    );
  }
  if (code === 'ENOENT') return new UserError(`The backup file ${file} does not exist.`);
  return error;
}

class EnoughRead extends Error {}

/**
 * Decodes only the first `bytes` of plain content: a wrong passphrase or key,
 * or a file that is not a backup, shows here, before a restore spends time
 * on a safety backup.
 */
export async function decodeHead(
  file: string,
  options: DecodeOptions = {},
  bytes = 64 * 1024,
): Promise<void> {
  let seen = 0;
  try {
    await decodeInto(
      file,
      async (source) => {
        for await (const chunk of source) {
          seen += chunk.length;
          if (seen >= bytes) throw new EnoughRead();
        }
      },
      options,
    );
  } catch (error) {
    if (error instanceof EnoughRead || (error as { cause?: unknown }).cause instanceof EnoughRead)
      return;
    throw error;
  }
}
