import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** How long a named pipe may stay silent (nothing has opened it to write, or nothing came). */
export const PIPE_WAIT_MS = 30_000;

/** A named pipe that nothing wrote to within the wait: the program meant to write it never did. */
export class SilentPipe extends Error {
  constructor(readonly waitedMs: number) {
    super(`nothing was written to the named pipe within ${Math.round(waitedMs / 1000)} s`);
  }
}

/**
 * At most `limit` bytes of `file`, or undefined when it holds more (/dev/zero,
 * a backup named by mistake). A named pipe (`<(pass show …)`, a FIFO) is
 * opened without waiting for its writer and read until the writer closes it;
 * one that stays silent for `pipeWaitMs` throws SilentPipe. Reading here is
 * synchronous, and no signal handler runs meanwhile: a pipe nobody writes to
 * must not hold the process past every SIGTERM.
 */
export function readAtMost(
  file: string,
  limit: number,
  pipeWaitMs = PIPE_WAIT_MS,
): Buffer | undefined {
  const handle = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(handle);
    const pipe = stat.isFIFO();
    // A terminal (/dev/stdin at a prompt) says EAGAIN until a line is typed: waited for too.
    const waits = pipe || stat.isCharacterDevice();
    const buffer = Buffer.alloc(limit + 1);
    const deadline = Date.now() + pipeWaitMs;
    let length = 0;
    for (;;) {
      let read: number;
      try {
        read = readSync(handle, buffer, length, buffer.length - length, null);
      } catch (error) {
        // A writer is there, and has not written yet.
        if (!waits || (error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        read = -1;
      }
      if (read > 0) {
        length += read;
        if (length > limit) return undefined;
        continue;
      }
      // The end: of a file, or of a pipe whose writers have all closed it after writing.
      if (read === 0 && (!pipe || length > 0)) return buffer.subarray(0, length);
      // A pipe with no writer yet (its end reads as 0 bytes too), or one still quiet.
      if (Date.now() > deadline) throw new SilentPipe(pipeWaitMs);
      Atomics.wait(PAUSE, 0, 0, 20);
    }
  } finally {
    closeSync(handle);
  }
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));
