import os from 'node:os';
import { Transform, type TransformCallback } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const gzip = promisify(zlib.gzip);

export interface ParallelGzipOptions {
  readonly level: number;
  /** Bytes of input per gzip member. */
  readonly blockSize?: number;
  /** Members compressed at once on libuv's thread pool. */
  readonly concurrency?: number;
}

/**
 * gzip that uses every core: the input is cut into blocks, each compressed on
 * the thread pool, and written in order as consecutive gzip members. `gunzip`,
 * zlib and every gzip reader treat a multi-member file as one stream (RFC 1952).
 * Memory stays at about blockSize × (concurrency + 1).
 */
export class ParallelGzip extends Transform {
  private readonly level: number;
  private readonly blockSize: number;
  private readonly concurrency: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly inFlight: Promise<Buffer>[] = [];
  private membersWritten = 0;
  /** Bytes received: the size of the content before compression. */
  bytesIn = 0;

  constructor(options: ParallelGzipOptions) {
    super();
    this.level = options.level;
    this.blockSize = options.blockSize ?? 1024 * 1024;
    this.concurrency = options.concurrency ?? Math.max(2, Math.min(4, os.availableParallelism()));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytesIn += chunk.length;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.drainFullBlocks().then(() => callback(), callback);
  }

  override _flush(callback: TransformCallback): void {
    if (this.pendingBytes > 0 || (this.membersWritten === 0 && this.inFlight.length === 0)) {
      this.dispatch(Buffer.concat(this.pending));
      this.pending = [];
      this.pendingBytes = 0;
    }
    this.writeAll().then(() => callback(), callback);
  }

  private async drainFullBlocks(): Promise<void> {
    while (this.pendingBytes >= this.blockSize) {
      const joined = Buffer.concat(this.pending);
      this.dispatch(joined.subarray(0, this.blockSize));
      const rest = joined.subarray(this.blockSize);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
      while (this.inFlight.length >= this.concurrency) await this.writeOldest();
    }
  }

  private dispatch(block: Buffer): void {
    const member = gzip(block, { level: this.level });
    // A rejection is handled when the member's turn comes; keep Node from reporting it early.
    member.catch(() => undefined);
    this.inFlight.push(member);
  }

  private async writeOldest(): Promise<void> {
    const oldest = this.inFlight.shift();
    if (!oldest) return;
    this.push(await oldest);
    this.membersWritten += 1;
  }

  private async writeAll(): Promise<void> {
    while (this.inFlight.length > 0) await this.writeOldest();
  }
}
