import type { Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { JobFailure } from '../domain/errors.js';

/**
 * Passes bytes through and fails at the end when they were not exactly
 * `size` (a dump that stopped early but "successfully"), before the
 * consumer sees the end of the stream and can finish an upload.
 */
export function exactLength(size: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen > size)
        callback(new Error(`The backup stream is longer than its declared ${size} bytes.`));
      else callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      if (seen !== size)
        callback(
          new JobFailure(`The backup stream ended after ${seen} of its declared ${size} bytes.`),
        );
      else callback();
    },
  });
}

/**
 * Passes bytes through, feeding them to `hash` on the way; `onEnd` runs once
 * the last byte passed, before the consumer sees the end of the stream.
 */
export function hashing(hash: Hash, onEnd?: () => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      onEnd?.();
      callback();
    },
  });
}
