import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PostgresLocation } from '../../domain/database-location.js';
import { FORMAT_SNIFF_BYTES, formatOfContent, type DumpFormat } from '../../domain/dump-format.js';
import { JobFailure, UserError } from '../../domain/errors.js';
import { onInterrupt } from '../../process/interruptions.js';
import { bytesMoved } from '../../process/memory-guard.js';
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

/**
 * The backup decoded into `workDir`: a custom archive as one file, a
 * directory archive unpacked from its tar. The whole backup is read (and its
 * encryption and compression checked to their end) before anything uses it;
 * {@link chooseArchiveReader} then finds a pg_restore that reads it.
 */
export async function unpackArchive(
  source: RestoreSource,
  format: 'custom' | 'directory',
  workDir: string,
): Promise<string> {
  if (format === 'directory') {
    await source.decodeInto(async (chunks) => {
      await extractTar(chunks, path.join(workDir, 'unpacked'), source.name);
    });
    return path.join(workDir, 'unpacked', ARCHIVE_TOP);
  }
  const archive = path.join(workDir, 'backup.dump');
  await source.decodeToFile(archive);
  return archive;
}

/**
 * The archive's format version from its header ("PGDMP", then major, minor and
 * revision bytes), as pg_restore prints it: "1.16". Undefined when the header
 * is not there (a damaged archive: pg_restore says more).
 */
export async function archiveVersion(
  archive: string,
  format: 'custom' | 'directory',
): Promise<string | undefined> {
  const file = format === 'directory' ? path.join(archive, 'toc.dat') : archive;
  const handle = await fs.open(file, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(8), 0, 8, 0);
    if (bytesRead < 8 || buffer.subarray(0, 5).toString('latin1') !== 'PGDMP') return undefined;
    return `${buffer[5]}.${buffer[6]}`;
  } finally {
    await handle.close();
  }
}

/**
 * The first PostgreSQL major whose pg_dump writes each archive version: a
 * pg_restore of that major or newer reads it. (1.13 also came to older majors'
 * minor releases in 2018; 11 is a major that surely reads it.)
 */
const FIRST_WRITER: Readonly<Record<string, number>> = {
  '1.12': 9,
  '1.13': 11,
  '1.14': 12,
  '1.15': 16,
  '1.16': 17,
};

/** The PostgreSQL major whose pg_restore surely reads this archive version; undefined for one newer than we know. */
export function readerMajorFor(version: string): number | undefined {
  return FIRST_WRITER[version];
}

/** Why a pg_restore did not read the archive. */
interface Miss {
  readonly reader: ClientTool;
  /**
   * version: "unsupported version in file header" (older than the archive);
   * listing: it exited 0 but listed no archive of the format the content has (a broken or
   * wrapped program, not the archive: a real pg_restore reads the format from the same header);
   * failed: any other failure (a damaged archive, most often).
   */
  readonly why: 'version' | 'listing' | 'failed';
  readonly detail: string;
}

/**
 * The first of `readers` (the one beside pg-dump-path first, then the newest
 * first) for which `pg_restore --list` reads the archive as the format its
 * content has; one that cannot (an older pg_restore: "unsupported version in
 * file header"), fails, or prints anything else is passed over. When every
 * one here is too old, `install` may fetch a client of the major that reads
 * it. Refused (nothing changed) when no pg_restore reads it: the message says
 * which version to install, or that the archive is damaged. A signal stops
 * the pg_restore being tried, a hung one too.
 */
export async function chooseArchiveReader(
  source: RestoreSource,
  archive: string,
  format: 'custom' | 'directory',
  readers: readonly ClientTool[],
  install?: (major: number) => Promise<ClientTool | undefined>,
): Promise<ClientTool> {
  const version = await archiveVersion(archive, format);
  if (version?.startsWith('0.')) {
    throw new UserError(
      `The backup ${source.name} is a ${format} archive whose header gives version ${version}, which no pg_dump writes: it is damaged. Nothing was changed; use another backup.`,
    );
  }
  const needed = version === undefined ? undefined : readerMajorFor(version);
  const trial = new ListingTrial(archive, format);
  try {
    for (const reader of readers) if (await trial.reads(reader)) return reader;
    const tooNew = tooNewForAll(version, trial.misses);
    if (install && needed !== undefined && (readers.length === 0 || tooNew)) {
      const installed = await install(needed);
      if (installed && (await trial.reads(installed))) return installed;
    }
    throw noReader(source, format, version, needed, trial.misses);
  } finally {
    trial.end();
  }
}

/**
 * Asks one pg_restore after another to `--list` the archive, and keeps why
 * each did not read it. SIGTERM or SIGINT stops the one running (a hung one
 * too), and no other is tried after.
 */
class ListingTrial {
  readonly misses: Miss[] = [];
  private stopped = false;
  private current: ChildProcess | undefined;
  private readonly stopWatching = onInterrupt(() => {
    this.stopped = true;
    const child = this.current;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return Promise.resolve(undefined);
  });

  constructor(
    private readonly archive: string,
    private readonly format: 'custom' | 'directory',
  ) {}

  /** Whether `reader` lists the archive as the format its content has. */
  async reads(reader: ClientTool): Promise<boolean> {
    if (this.stopped) throw new JobFailure('Stopped before pg_restore read the archive.');
    try {
      const listing = parseArchiveListing(
        await runToEnd('pg_restore', reader.path, ['--list', this.archive], reader.env, (child) => {
          this.current = child;
        }),
      );
      if (listing.format === this.format.toUpperCase()) return true;
      this.misses.push({
        reader,
        why: 'listing',
        detail: listing.format
          ? `its --list says ${listing.format}`
          : 'its --list names no archive format',
      });
    } catch (error) {
      if (this.stopped) throw error;
      const detail = (error as Error).message;
      this.misses.push({
        reader,
        why: /unsupported version/i.test(detail) ? 'version' : 'failed',
        detail,
      });
    }
    return false;
  }

  end(): void {
    this.stopWatching();
  }
}

/** Too new for this machine: some pg_restore here said so, and none failed otherwise. */
function tooNewForAll(version: string | undefined, misses: readonly Miss[]): boolean {
  return (
    version !== undefined &&
    misses.some((miss) => miss.why === 'version') &&
    !misses.some((miss) => miss.why === 'failed')
  );
}

/** Why no pg_restore reads the archive, in one line: what to install, or that it is damaged. */
function noReader(
  source: RestoreSource,
  format: 'custom' | 'directory',
  version: string | undefined,
  needed: number | undefined,
  misses: readonly Miss[],
): UserError {
  const client =
    needed === undefined ? 'a newer PostgreSQL client' : `postgresql-client-${needed} or newer`;
  if (misses.length === 0) {
    return new UserError(
      `Restoring the ${format} archive ${source.name} needs pg_restore, and this machine has none: install ${client}, or set pg-dump-path to such a client. Nothing was changed.`,
    );
  }
  if (tooNewForAll(version, misses)) {
    const newest = misses
      .filter((miss) => miss.why === 'version')
      .reduce((a, b) => (b.reader.major > a.reader.major ? b : a)).reader;
    return new UserError(
      `The backup ${source.name} is a ${format} archive of version ${version}${needed === undefined ? '' : `, written by pg_dump ${needed} or newer`}, and the newest pg_restore here (${newest.version} at ${newest.path}) cannot read it: install ${client}, or set pg-dump-path to such a client. Nothing was changed.`,
    );
  }
  // What a pg_restore that ran and failed said tells most; one that printed nonsense, least.
  const telling = misses.filter((miss) => miss.why !== 'listing').at(-1) ?? misses.at(-1)!;
  const said =
    telling.why === 'listing'
      ? `pg_restore ${telling.reader.version} at ${telling.reader.path}: ${telling.detail}`
      : telling.detail;
  return new UserError(
    `The backup ${source.name} is not a readable ${format} archive (${said}): nothing was changed. Use another backup; if a pg_dump newer than pg_restore ${telling.reader.version} made it, install that PostgreSQL version's client.`,
  );
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
  pick: readonly string[],
  checksumVerified: boolean,
): RestoreSource {
  const args = ['--file=-', '--clean', '--if-exists', ...pick, archive];
  const decodeInto = async (
    sink: Writable | ((chunks: AsyncIterable<Buffer>) => Promise<void>),
  ): Promise<number> => {
    const { stream } = spawnOutputStream('pg_restore', pgRestore.path, args, pgRestore.env);
    let bytes = 0;
    const counted = async function* (chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
      for await (const chunk of chunks) {
        bytes += chunk.length;
        // pg_restore's SQL is bulk bytes through this process, as a decoded backup is: kept flat.
        bytesMoved(chunk.length);
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
  /** pg_restore's arguments that pick entries (none: all of them). */
  readonly pick: readonly string[];
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
    ...options.pick,
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
