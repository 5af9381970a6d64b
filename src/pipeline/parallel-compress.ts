import os from 'node:os';
import { Transform, type TransformCallback } from 'node:stream';
import { bytesMoved } from '../process/memory-guard.js';

/** Compresses one block into one self-contained gzip member or zstd frame, off the main thread. */
export type BlockCompressor = (block: Buffer) => Promise<Buffer>;

export interface ParallelCompressorOptions {
  readonly compressBlock: BlockCompressor;
  /** Bytes of input per member or frame. */
  readonly blockSize?: number;
  /** Blocks compressed at once on libuv's thread pool. */
  readonly concurrency?: number;
}

interface InFlight {
  readonly input: Buffer;
  readonly output: Promise<Buffer>;
}

export const DEFAULT_BLOCK_SIZE = 1024 * 1024;

/**
 * One block more in flight than there are cores (at least 2, at most 4): while
 * the main thread writes out a finished block, the pool still has one to work on.
 */
export function defaultConcurrency(): number {
  return Math.max(2, Math.min(4, os.availableParallelism() + 1));
}

/**
 * Compression that uses every core: the input is cut into blocks, each
 * compressed on the thread pool, and written in order. Consecutive gzip
 * members are one gzip stream to every reader (RFC 1952), and consecutive
 * zstd frames one zstd stream (RFC 8878), so `gunzip` and `zstd -d` read the
 * file as if it were made in one piece.
 *
 * Memory is bounded whatever the input's size: `concurrency` blocks in
 * flight plus the one being filled (their buffers are reused), their
 * compressed forms, and the readable side's usual high-water mark, which
 * holds back further input while the next stage is slow.
 */
export class ParallelCompressor extends Transform {
  private readonly compressBlock: BlockCompressor;
  private readonly blockSize: number;
  private readonly concurrency: number;
  private readonly spare: Buffer[] = [];
  private block: Buffer;
  private filled = 0;
  private readonly inFlight: InFlight[] = [];
  private blocksWritten = 0;
  /** Bytes received: the size of the content before compression. */
  bytesIn = 0;

  constructor(options: ParallelCompressorOptions) {
    super();
    this.compressBlock = options.compressBlock;
    this.blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
    this.concurrency = options.concurrency ?? defaultConcurrency();
    this.block = Buffer.allocUnsafe(this.blockSize);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytesIn += chunk.length;
    bytesMoved(chunk.length);
    this.absorb(chunk).then(() => callback(), callback);
  }

  override _flush(callback: TransformCallback): void {
    // An empty input still becomes one (empty) member or frame: a valid, empty file.
    if (this.filled > 0 || (this.blocksWritten === 0 && this.inFlight.length === 0)) {
      this.dispatch(this.block.subarray(0, this.filled));
    }
    this.writeAll().then(() => callback(), callback);
  }

  private async absorb(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      const copied = chunk.copy(this.block, this.filled, offset);
      this.filled += copied;
      offset += copied;
      if (this.filled < this.blockSize) continue;
      this.dispatch(this.block);
      this.block = this.spare.pop() ?? Buffer.allocUnsafe(this.blockSize);
      this.filled = 0;
      while (this.inFlight.length >= this.concurrency) await this.writeOldest();
    }
  }

  private dispatch(input: Buffer): void {
    const output = this.compressBlock(input);
    // A rejection is handled when the block's turn comes; keep Node from reporting it early.
    output.catch(() => undefined);
    this.inFlight.push({ input, output });
  }

  private async writeOldest(): Promise<void> {
    const oldest = this.inFlight.shift();
    if (!oldest) return;
    this.push(await oldest.output);
    this.blocksWritten += 1;
    // The compressor has read all of it by now: the buffer takes the next block.
    if (oldest.input.length === this.blockSize) this.spare.push(oldest.input);
  }

  private async writeAll(): Promise<void> {
    while (this.inFlight.length > 0) await this.writeOldest();
  }
}
