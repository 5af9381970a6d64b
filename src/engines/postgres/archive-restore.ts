import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PostgresLocation } from '../../domain/database-location.js';
import { FORMAT_SNIFF_BYTES, formatOfContent, type DumpFormat } from '../../domain/dump-format.js';
import { JobFailure, UserError } from '../../domain/errors.js';
import { onInterrupt } from '../../process/interruptions.js';
import { extractTar } from '../../fs/tar.js';
import type { RestoreSource } from '../engine.js';
import { runToEnd, spawnOutputStream } from './child-process.js';
import type { ClientTool } from './client-tools.js';
import { libpqEnvironment } from './connection.js';
import { parseArchiveListing } from './archive-listing.js';

/** The directory inside a directory archive's tar file: `tar -x` makes `dump/`. */
export const ARCHIVE_TOP = 'dump';

class EnoughRead extends Error {}

/** What the backup's decoded content is, from its first bytes (not its name). */
export async function contentFormat(source: RestoreSource): Promise<DumpFormat> {
  const head: Buffer[] = [];
  let length = 0;
  try {
    await source.decodeInto(async (chunks) => {
      for await (const chunk of chunks) {
        head.push(chunk);
        length += chunk.length;
        if (length >= FORMAT_SNIFF_BYTES) throw new EnoughRead();
      }
    });
  } catch (error) {
    const enough =
      error instanceof EnoughRead || (error as { cause?: unknown }).cause instanceof EnoughRead;
    if (!enough) throw error;
  }
  return formatOfContent(Buffer.concat(head));
}

/** What pg_restore should take from an archive: pg_restore -n / -t. */
export interface ArchiveSelection {
  readonly schemas: readonly string[];
  readonly tables: readonly string[];
}

function selectionArguments(selection: ArchiveSelection): string[] {
  return [
    ...selection.schemas.map((schema) => `--schema=${schema}`),
    ...selection.tables.map((table) => `--table=${table}`),
  ];
}

/**
 * The backup decoded into `workDir`: a custom archive as one file, a
 * directory archive unpacked from its tar. The whole backup is read (and its
 * encryption and compression checked to their end) before anything uses it;
 * then `pg_restore --list` must read it as the archive it claims to be.
 */
export async function unpackArchive(
  source: RestoreSource,
  format: 'custom' | 'directory',
  workDir: string,
  pgRestore: ClientTool,
): Promise<string> {
  const archive =
    format === 'custom'
      ? path.join(workDir, 'backup.dump')
      : await source
          .decodeInto(async (chunks) => {
            await extractTar(chunks, path.join(workDir, 'unpacked'), source.name);
          })
          .then(() => path.join(workDir, 'unpacked', ARCHIVE_TOP));
  if (format === 'custom') await source.decodeToFile(archive);
  let listing;
  try {
    listing = parseArchiveListing(
      await runToEnd('pg_restore', pgRestore.path, ['--list', archive], pgRestore.env),
    );
  } catch (error) {
    throw new UserError(
      `The backup ${source.name} is not a readable ${format} archive (${(error as Error).message}): nothing was changed. Use another backup; if a pg_dump newer than pg_restore ${pgRestore.version} made it, install that PostgreSQL version's client.`,
    );
  }
  if (listing.format !== format.toUpperCase()) {
    throw new UserError(
      `The backup ${source.name} holds a ${listing.format ?? 'unknown'} archive where a ${format} one was expected: nothing was changed. Use another backup.`,
    );
  }
  return archive;
}

/**
 * The archive as SQL (`pg_restore --file=-`, with --clean --if-exists as a
 * plain backup has them), offered as a restore source: the plain restore's
 * one-transaction path (psql, the restore filter, the outcome check) applies
 * it unchanged. pg_restore reads a file and writes into our pipe only, so
 * nothing it does reaches the server but through that transaction.
 */
export function archiveAsSql(
  source: RestoreSource,
  archive: string,
  pgRestore: ClientTool,
  selection: ArchiveSelection,
  checksumVerified: boolean,
): RestoreSource {
  const args = ['--file=-', '--clean', '--if-exists', ...selectionArguments(selection), archive];
  const decodeInto = async (
    sink: Writable | ((chunks: AsyncIterable<Buffer>) => Promise<void>),
  ): Promise<number> => {
    const { stream } = spawnOutputStream('pg_restore', pgRestore.path, args, pgRestore.env);
    let bytes = 0;
    const counted = async function* (chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
      for await (const chunk of chunks) {
        bytes += chunk.length;
        yield chunk;
      }
    };
    try {
      if (typeof sink === 'function') await sink(counted(stream));
      else await pipeline(stream, counted, sink);
    } catch (error) {
      stream.destroy();
      if (error instanceof JobFailure && /^pg_restore /.test(error.message)) {
        throw new UserError(
          `The backup ${source.name} could not be read to its end (${error.message}): it is damaged. Nothing was changed; use another backup.`,
        );
      }
      throw error;
    }
    return bytes;
  };
  return {
    name: source.name,
    checksumVerified,
    decodeInto,
    decodeToFile: () => Promise.reject(new Error('an archive is applied as SQL, not unpacked')),
    check: () =>
      decodeInto(async (chunks) => {
        for await (const chunk of chunks) void chunk;
      }),
    probe: () => Promise.resolve(),
  };
}

/**
 * `pg_restore --jobs N --exit-on-error` into `database` (a new database
 * beside the target: with several jobs there is no one transaction, so the
 * target is replaced only afterwards, by a swap). A signal stops pg_restore.
 */
export async function restoreInParallel(options: {
  readonly location: PostgresLocation;
  readonly database: string;
  readonly archive: string;
  readonly pgRestore: ClientTool;
  readonly jobs: number;
  readonly selection: ArchiveSelection;
  readonly owner: boolean;
  readonly privileges: boolean;
}): Promise<void> {
  const args = [
    `--dbname=dbname='${options.database.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`,
    `--jobs=${options.jobs}`,
    '--exit-on-error',
    '--no-password',
    ...(options.owner ? [] : ['--no-owner']),
    ...(options.privileges ? [] : ['--no-privileges']),
    ...selectionArguments(options.selection),
    options.archive,
  ];
  let child: ChildProcess | undefined;
  const remove = onInterrupt(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return Promise.resolve(undefined);
  });
  try {
    await runToEnd(
      'pg_restore',
      options.pgRestore.path,
      args,
      { ...libpqEnvironment(options.location, options.database), ...options.pgRestore.env },
      (started) => {
        child = started;
      },
    );
  } finally {
    remove();
  }
}
