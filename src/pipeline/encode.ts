import { createWriteStream } from 'node:fs';
import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CompressionSettings } from '../domain/compression.js';
import { JobFailure, UserError } from '../domain/errors.js';
import { createCompressor } from './compress.js';
import { DigestStream, type FileDigest } from './digest.js';
import { FILE_MODE, fsyncFile, removeQuietly, tempPathIn } from '../fs/files.js';
import type { ProgressTask } from '../domain/progress.js';
import { ProgressCounter } from './progress-counter.js';

export interface EncodeOptions {
  readonly compression: CompressionSettings;
  /** Told the dump's bytes as they are read. */
  readonly progress?: ProgressTask | undefined;
  /** Stages after compression, such as encryption. */
  readonly afterCompression?: readonly Transform[];
}

export interface EncodedFile extends FileDigest {
  readonly tempPath: string;
  /** Bytes of the dump before compression. */
  readonly contentSize: number;
}

/**
 * dump → compress (gzip, zstd or none) → (encrypt) → sha256 → temporary file in `dir`, fsynced.
 * Any failing stage fails the whole write and the temporary file is removed;
 * an empty dump is a failure too.
 */
export async function encodeToTempFile(
  source: Readable,
  dir: string,
  options: EncodeOptions,
): Promise<EncodedFile> {
  const tempPath = tempPathIn(dir);
  const compressor = createCompressor(options.compression);
  const digest = new DigestStream();
  try {
    await pipeline([
      source,
      ...(options.progress ? [new ProgressCounter(options.progress)] : []),
      compressor,
      ...(options.afterCompression ?? []),
      digest,
      createWriteStream(tempPath, { mode: FILE_MODE, flags: 'wx' }),
    ]);
    if (compressor.bytesIn === 0) {
      throw new JobFailure('The dump produced no data: nothing was stored and nothing was pruned.');
    }
    await fsyncFile(tempPath);
    return { tempPath, contentSize: compressor.bytesIn, ...digest.digest() };
  } catch (error) {
    await removeQuietly(tempPath);
    throw describeWriteError(error, dir);
  }
}

/** Disk full, quota, permissions: one clear line instead of an errno. */
export function describeWriteError(error: unknown, dir: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC') {
    return new JobFailure(
      `The disk holding ${dir} is full: the partial backup was removed; free space or choose another backup-dir.`,
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new UserError(`Cannot write to ${dir}: permission denied.`);
  }
  if (code === 'EDQUOT') {
    return new JobFailure(
      `The disk quota for ${dir} is exhausted: the partial backup was removed.`,
    );
  }
  return error;
}
