import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import { Transform, type TransformCallback, type Writable } from 'node:stream';
import { spawnWithInput } from './child-process.js';
import type { ClientTool } from './client-tools.js';
import { parseArchiveListing, type ArchiveListing } from './archive-listing.js';

/**
 * A custom archive passed through unchanged while pg_restore reads the same
 * bytes twice over on its stdin. pg_dump -Fc writing to a pipe puts its
 * header and table of contents first (it cannot seek back to rewrite them),
 * and `pg_restore --list` stops reading once it has them: the listing is
 * known while the data still streams, and it is the listing `pg_restore
 * --list` gives of the finished file (the same entries; only the data
 * offsets a pipe cannot carry are missing, which pg_restore finds by reading,
 * with --jobs too since 12.4). A second `pg_restore --file=/dev/null` reads
 * the archive to its end, every table's data block after block, as a restore
 * from the stored file will: an archive cut short, even at a block's end and
 * by a pg_dump that exited 0, fails it. The completeness check is this
 * listing, that reading, and pg_dump's exit status, which the stream waits for.
 */
export interface StreamedListing {
  /** Put it in the archive's path: what goes in comes out, as it comes. */
  readonly tee: Transform;
  /** pg_restore's listing, once it read the table of contents; fails when it could not. */
  readonly listing: Promise<ArchiveListing>;
  /** Settles once pg_restore read the whole archive; fails when it could not. */
  readonly read: Promise<void>;
  readonly children: readonly ChildProcess[];
}

interface Reader {
  readonly input: Writable;
  readonly child: ChildProcess;
  reading: boolean;
}

function reader(spawned: { input: Writable; child: ChildProcess }): Reader {
  const entry: Reader = { input: spawned.input, child: spawned.child, reading: true };
  // EPIPE once pg_restore is gone: it read all it wanted (or failed, which its exit tells).
  spawned.input.on('error', () => {
    entry.reading = false;
  });
  spawned.input.on('close', () => {
    entry.reading = false;
  });
  return entry;
}

/** Writes to every reader still reading; calls back once each took the chunk or is gone. */
function feed(readers: readonly Reader[], chunk: Buffer, done: () => void): void {
  const waiting = readers.filter((entry) => entry.reading && !entry.input.write(chunk));
  let left = waiting.length;
  if (left === 0) {
    done();
    return;
  }
  for (const entry of waiting) {
    const resume = (): void => {
      entry.input.off('drain', resume);
      entry.input.off('close', resume);
      left -= 1;
      if (left === 0) done();
    };
    entry.input.on('drain', resume);
    entry.input.on('close', resume);
  }
}

export function listAsItStreams(pgRestore: ClientTool): StreamedListing {
  const lister = spawnWithInput('pg_restore', pgRestore.path, ['--list'], pgRestore.env);
  const whole = spawnWithInput(
    'pg_restore',
    pgRestore.path,
    [`--file=${os.devNull}`],
    pgRestore.env,
  );
  const readers = [reader(lister), reader(whole)];
  let complete = false;
  const tee = new Transform({
    highWaterMark: 1024 * 1024,
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      feed(readers, chunk, () => callback(null, chunk));
    },
    flush(callback: TransformCallback) {
      complete = true;
      for (const entry of readers) if (entry.reading) entry.input.end();
      callback();
    },
    destroy(error, callback) {
      // A stream that came to its end leaves pg_restore to finish reading; any other stops it.
      if (!complete) {
        for (const entry of readers) {
          entry.input.destroy();
          if (entry.child.exitCode === null && entry.child.signalCode === null)
            entry.child.kill('SIGTERM');
        }
      }
      callback(error);
    },
  });
  const listing = lister.output.then(parseArchiveListing);
  const read = whole.output.then(() => undefined);
  read.catch(() => undefined);
  return { tee, listing, read, children: [lister.child, whole.child] };
}
