import { Transform, type TransformCallback } from 'node:stream';
import type { ProgressTask } from '../domain/progress.js';

/** Passes bytes through unchanged, telling a progress task how many went by. */
export class ProgressCounter extends Transform {
  constructor(private readonly task: ProgressTask) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.task.advance(chunk.length);
    callback(null, chunk);
  }
}
