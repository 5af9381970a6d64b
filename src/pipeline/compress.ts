import { Transform, type TransformCallback } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { CompressionSettings } from '../domain/compression.js';
import { UserError } from '../domain/errors.js';
import { bytesMoved } from '../process/memory-guard.js';
import { ParallelCompressor, type BlockCompressor } from './parallel-compress.js';

const gzip = promisify(zlib.gzip);

/**
 * Each block's compressed output in 256 KiB pieces rather than zlib's 16 KiB:
 * every piece is a trip through the thread pool (measured: 10 % less CPU).
 */
const OUTPUT_CHUNK = 256 * 1024;

/** zstd came to Node's zlib in 22.15 and 23.8: an older Node gets a sentence, not a crash. */
export function assertZstdAvailable(): void {
  if (typeof zlib.zstdCompress !== 'function' || typeof zlib.createZstdDecompress !== 'function') {
    throw new UserError(
      `zstd needs Node.js 22.15 or later (this is ${process.versions.node}): upgrade Node.js, or use compression gzip.`,
    );
  }
}

/** A compression stage that also counts what went in: the content's size for the manifest. */
export interface CompressorStage extends Transform {
  readonly bytesIn: number;
}

/** Passes the content through unchanged (compression `none`), counting it. */
class Uncompressed extends Transform implements CompressorStage {
  bytesIn = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytesIn += chunk.length;
    bytesMoved(chunk.length);
    callback(null, chunk);
  }
}

/**
 * zstd frames as the `zstd` tool writes them: with the block's size in the
 * header (which also lets zstd size its tables to the block rather than to an
 * unknown stream) and an XXH64 checksum of the content at the end, which
 * `zstd -d` and our restore check.
 *
 * zstd's own worker threads (ZSTD_c_nbWorkers) are not used: Node's zstd
 * stream does not support them (it fails with "stream.push() after EOF"), and
 * independent frames on the thread pool are as fast on two cores.
 */
function zstdBlock(level: number): BlockCompressor {
  assertZstdAvailable();
  const zstdCompress = promisify(zlib.zstdCompress);
  return (block) =>
    zstdCompress(block, {
      params: {
        [zlib.constants.ZSTD_c_compressionLevel]: level,
        [zlib.constants.ZSTD_c_checksumFlag]: 1,
      },
      pledgedSrcSize: block.length,
      chunkSize: OUTPUT_CHUNK,
    });
}

function gzipBlock(level: number): BlockCompressor {
  return (block) => gzip(block, { level, chunkSize: OUTPUT_CHUNK });
}

/** The stage that compresses a dump as the settings say; gzip and zstd in parallel blocks. */
export function createCompressor(settings: CompressionSettings): CompressorStage {
  switch (settings.algorithm) {
    case 'gzip':
      return new ParallelCompressor({ compressBlock: gzipBlock(settings.level ?? 6) });
    case 'zstd':
      return new ParallelCompressor({ compressBlock: zstdBlock(settings.level ?? 3) });
    case 'none':
      return new Uncompressed();
  }
}
