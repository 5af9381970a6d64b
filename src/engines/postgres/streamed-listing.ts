import type { ChildProcess } from 'node:child_process';
import { Transform, type TransformCallback } from 'node:stream';
import { spawnWithInput } from './child-process.js';
import type { ClientTool } from './client-tools.js';
import { parseArchiveListing, type ArchiveListing } from './archive-listing.js';

/**
 * A custom archive passed through unchanged while `pg_restore --list` reads
 * the same bytes on its stdin. pg_dump -Fc writing to a pipe puts its header
 * and table of contents first (it cannot seek back to rewrite them), and
 * pg_restore --list stops reading once it has them: the listing is known
 * while the data still streams, and it is the listing `pg_restore --list`
 * gives of the finished file (the same entries; only the data offsets a pipe
 * cannot carry are missing, which pg_restore finds by reading, with --jobs
 * too since 12.4). The completeness check is the one a file had: this
 * listing, and pg_dump's exit status, which the stream waits for.
 */
export interface StreamedListing {
  /** Put it in the archive's path: what goes in comes out, as it comes. */
  readonly tee: Transform;
  /** pg_restore's listing, once it read the table of contents; fails when it could not. */
  readonly listing: Promise<ArchiveListing>;
  readonly child: ChildProcess;
}

export function listAsItStreams(pgRestore: ClientTool): StreamedListing {
  const reader = spawnWithInput('pg_restore', pgRestore.path, ['--list'], pgRestore.env);
  let reading = true;
  let complete = false;
  // EPIPE once pg_restore has its table of contents and is gone: it read all it wanted.
  reader.input.on('error', () => {
    reading = false;
  });
  reader.input.on('close', () => {
    reading = false;
  });
  const tee = new Transform({
    highWaterMark: 1024 * 1024,
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (!reading || reader.input.write(chunk)) {
        callback(null, chunk);
        return;
      }
      // pg_restore reads slower than the dump comes: wait for it, or for its end.
      const resume = (): void => {
        reader.input.off('drain', resume);
        reader.input.off('close', resume);
        callback(null, chunk);
      };
      reader.input.on('drain', resume);
      reader.input.on('close', resume);
    },
    flush(callback: TransformCallback) {
      complete = true;
      if (reading) reader.input.end();
      callback();
    },
    destroy(error, callback) {
      // A stream that came to its end leaves pg_restore to finish its listing; any other stops it.
      if (!complete) {
        reader.input.destroy();
        if (reader.child.exitCode === null && reader.child.signalCode === null)
          reader.child.kill('SIGTERM');
      }
      callback(error);
    },
  });
  const listing = reader.output.then(parseArchiveListing);
  return { tee, listing, child: reader.child };
}
