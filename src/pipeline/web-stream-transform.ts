import { Transform, type TransformCallback } from 'node:stream';

/**
 * Builds the web-stream side of a stage: given the bytes written into the
 * stage as a ReadableStream, resolves to the stream of bytes the stage emits.
 */
export type WebStreamFilter = (
  input: ReadableStream<Uint8Array>,
) => Promise<ReadableStream<Uint8Array>>;

/** Turns a failure of the web side into the error the Node side reports. */
export type ErrorDescriber = (error: unknown) => unknown;

/**
 * How long the web side may go without a byte, once all input is in and
 * nothing downstream holds it back, before the stage counts as stalled.
 * Whatever is left to emit by then is a few chunks already read.
 */
export const STALL_AFTER_END_MS = 10_000;

/** The web side neither ended nor failed its output after the input ended. */
export class StalledStream extends Error {
  constructor() {
    super(
      `The stream stopped: no output for ${STALL_AFTER_END_MS / 1000} s after its input ended, and it neither ended nor failed.`,
    );
    this.name = 'StalledStream';
  }
}

/**
 * A Node Transform whose work is done by a library that speaks web streams
 * only (OpenPGP.js 6), so that it fits `stream/promises.pipeline` and the
 * `Transform[]` stage lists of encode/decode.
 *
 * Backpressure holds both ways: a write completes only once the web side has
 * pulled the chunk (the identity TransformStream in between queues nothing),
 * and the output pump waits for `_read` whenever `push` says the readable
 * buffer is full. So a stage holds a few chunks, never the whole stream.
 *
 * Errors cross in both directions: a failure on the web side destroys this
 * stream (after `describe`), and destroying this stream aborts the web input
 * and cancels the web output, so the library's own reads and writes settle.
 *
 * A web side that neither ends nor fails once its input has ended (OpenPGP.js
 * does so with some files gpg made, opened with a wrong passphrase) fails the
 * stage with a StalledStream, after `describe`, instead of hanging the job.
 *
 * One instance carries one stream; make a new one for every use.
 */
export class WebStreamTransform extends Transform {
  readonly #input = new TransformStream<Uint8Array, Uint8Array>();
  readonly #writer = this.#input.writable.getWriter();
  readonly #describe: ErrorDescriber;
  readonly #pumped: Promise<void>;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #resumePump: (() => void) | undefined;
  /** When the output pump last got a byte or was let go on. */
  #lastProgress = Date.now();

  constructor(filter: WebStreamFilter, describe: ErrorDescriber) {
    super();
    this.#describe = describe;
    this.#pumped = this.#pump(filter);
    // A failure while data still flows must stop the pipeline now, not at flush time.
    this.#pumped.catch((error: unknown) => this.destroy(this.#asError(error)));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#writer.write(chunk).then(
      () => callback(),
      (error: unknown) => callback(this.#asError(error)),
    );
  }

  override _flush(callback: TransformCallback): void {
    // close() rejects when the web side already failed; #pumped reports that failure.
    this.#writer.close().catch(() => undefined);
    let settled = false;
    const settle = (error?: Error): void => {
      if (settled) return;
      settled = true;
      clearInterval(watch);
      callback(error);
    };
    this.#lastProgress = Date.now();
    // Not unref'd: a stalled web side leaves nothing else to keep the process alive.
    const watch = setInterval(() => {
      const heldBack = this.#resumePump !== undefined;
      if (!heldBack && Date.now() - this.#lastProgress > STALL_AFTER_END_MS)
        settle(this.#asError(new StalledStream()));
    }, 1000);
    this.#pumped.then(
      () => settle(),
      (error: unknown) => settle(this.#asError(error)),
    );
  }

  override _read(size: number): void {
    super._read(size);
    this.#wake();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const reason = error ?? new Error('The stream was closed before it ended.');
    this.#writer.abort(reason).catch(() => undefined);
    this.#reader?.cancel(reason).catch(() => undefined);
    this.#wake();
    callback(error);
  }

  async #pump(filter: WebStreamFilter): Promise<void> {
    const output = await filter(this.#input.readable);
    const reader = output.getReader();
    this.#reader = reader;
    if (this.destroyed) await reader.cancel().catch(() => undefined);
    while (!this.destroyed) {
      const { done, value } = await reader.read();
      this.#lastProgress = Date.now();
      if (done || this.destroyed) return;
      if (value.length === 0) continue;
      if (!this.push(value)) {
        await new Promise<void>((resolve) => (this.#resumePump = resolve));
        this.#lastProgress = Date.now();
      }
    }
  }

  #wake(): void {
    const resume = this.#resumePump;
    this.#resumePump = undefined;
    resume?.();
  }

  #asError(error: unknown): Error {
    const described = this.#describe(error);
    return described instanceof Error ? described : new Error(String(described));
  }
}
