import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs/promises';
import {
  formatBackupName,
  MANIFEST_SUFFIX,
  manifestNameOf,
  parseBackupName,
  type BackupKind,
} from '../domain/backup-name.js';
import type { CompressionSettings } from '../domain/compression.js';
import { confirmationName } from '../domain/database-location.js';
import type { DumpFormat } from '../domain/dump-format.js';
import type { DatabaseInfo, Dump, Engine } from '../engines/engine.js';
import { JobFailure } from '../domain/errors.js';
import {
  MANIFEST_FORMAT_VERSION,
  serializeManifest,
  type Manifest,
  type SanitizedInfo,
} from '../domain/manifest.js';
import { digestFile } from '../pipeline/digest.js';
import { describeWriteError, encodeToTempFile, type EncodedFile } from '../pipeline/encode.js';
import type { Encryptor } from '../pipeline/encryption.js';
import {
  assertTemporaryDirectoryOutside,
  ensurePrivateDir,
  publishWithoutOverwrite,
  removeQuietly,
  temporaryDirectory,
  writeNewTextFile,
} from '../fs/files.js';
import { NO_PROGRESS, type Progress, type ProgressTask } from '../domain/progress.js';
import { TOOL_NAME, TOOL_VERSION } from '../domain/version.js';
import { identityOf, type DatabaseIdentity } from '../catalog/identity.js';
import { withDirectoryLock } from '../catalog/lock.js';
import { trackTemp, untrackTemp } from '../fs/live-temps.js';
import { finishedBeforeExit } from '../process/interruptions.js';

export interface CreatedBackup {
  readonly name: string;
  readonly file: string;
  readonly manifestFile: string;
  readonly manifest: Manifest;
}

export interface CreateBackupOptions {
  readonly kind: BackupKind;
  readonly compression: CompressionSettings;
  /** Encrypts after compression; absent for a plain backup. */
  readonly encryptor?: Encryptor | undefined;
  readonly now?: () => Date;
  /** A sanitized copy says how it was made. */
  readonly sanitized?: SanitizedInfo | undefined;
  readonly progress?: Progress | undefined;
  /** The user-given database name: in the manifest's identity and the file name. */
  readonly databaseName?: string | undefined;
  /** Without a user-given name, a label for the file name alone (not the identity). */
  readonly fileLabel?: string | undefined;
}

/**
 * dump → compress → (encrypt) → temporary file → final name (never overwriting)
 * → checksum re-read from disk → manifest. Either a complete, checked backup
 * with its manifest exists afterwards, or nothing new does.
 */
export async function createBackup(
  engine: Engine,
  dir: string,
  options: CreateBackupOptions,
): Promise<CreatedBackup> {
  await ensurePrivateDir(dir);
  assertTemporaryDirectoryOutside(dir);
  const started = options.now?.() ?? new Date();
  const startedAt = Date.now();
  const { encoded, info, format } = await dumpToTempFile(engine, dir, options);
  try {
    const identity = await identityOf(engine.location, options.databaseName);
    // Named and described under the directory's lock: a peer's window never sees one without the other.
    return await withDirectoryLock(dir, () =>
      publishWithManifest(engine, dir, options, {
        encoded,
        info,
        format,
        identity,
        started,
        startedAt,
      }),
    );
  } catch (error) {
    // Not named (the lock could not be taken, or publishing failed): the encoded copy goes.
    await removeQuietly(encoded.tempPath);
    throw error;
  }
}

async function publishWithManifest(
  engine: Engine,
  dir: string,
  options: CreateBackupOptions,
  made: {
    encoded: EncodedFile;
    info: DatabaseInfo;
    format: DumpFormat | undefined;
    identity: DatabaseIdentity;
    started: Date;
    startedAt: number;
  },
): Promise<CreatedBackup> {
  const { encoded, info, format, identity, started, startedAt } = made;
  // The new backup sorts newest of its second, after the names a peer's window removed too.
  const published = await publishedNames(dir);
  const floor = nextSequence(
    [...(await fs.readdir(dir)), ...published.names],
    engine.kind,
    options.kind,
    started,
  );
  // Until its manifest is written the backup is not complete: a signal's sweep takes back both
  // files. They are let go together, in one step no signal handler can run between.
  const unfinished: string[] = [];
  const claim = (file: string): void => {
    trackTemp(file);
    unfinished.push(file);
  };
  try {
    const name = await finishedBeforeExit(
      publish(encoded.tempPath, dir, claim, (sequence) =>
        formatBackupName({
          engine: engine.kind,
          label: options.databaseName ?? options.fileLabel,
          kind: options.kind,
          time: started,
          sequence: sequence + floor,
          compression: options.compression.algorithm,
          encrypted: options.encryptor !== undefined,
          ...(format ? { format } : {}),
        }),
      ),
    );
    await published.remember(name);
    const file = path.join(dir, name);
    await assertReadsBack(file, name, encoded);
    const manifest: Manifest = {
      formatVersion: MANIFEST_FORMAT_VERSION,
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      name,
      engine: engine.kind,
      kind: options.kind,
      createdAt: started.toISOString(),
      durationMs: Date.now() - startedAt,
      database: {
        name: confirmationName(engine.location),
        serverVersion: info.serverVersion,
        ...(info.dumpTool ? { dumpTool: info.dumpTool } : {}),
        ...(info.filters && info.filters.length > 0 ? { filters: info.filters } : {}),
      },
      identity,
      file: { size: encoded.size, sha256: encoded.sha256 },
      contentSize: encoded.contentSize,
      compression: options.compression,
      ...(format ? { format } : {}),
      encryption: options.encryptor?.info ?? null,
      tables: info.tables,
      empty: !info.tables.some((table) => table.rows > 0),
      ...(info.roles ? { roles: info.roles } : {}),
      ...(options.sanitized ? { sanitized: options.sanitized } : {}),
    };
    const manifestFile = await finishedBeforeExit(
      writeNewTextFile(dir, manifestNameOf(name), serializeManifest(manifest), claim),
    );
    for (const done of unfinished) untrackTemp(done);
    return { name, file, manifestFile, manifest };
  } catch (error) {
    // A backup without its manifest is not one this tool leaves behind.
    for (const left of unfinished) await removeQuietly(left);
    throw describeWriteError(error, dir);
  }
}

/**
 * The names this backup directory gave out lately, newest last. A backup that
 * a concurrent run's window removed here may still be at a remote target under
 * its name, so a new backup of the same second must not take that name again.
 * Kept in the system's temporary directory (one small file per backup
 * directory), never among the backups.
 */
const PUBLISHED_KEPT = 200;

/** The names given lately (a missing or unreadable record: none) and how to add the next one. */
async function publishedNames(
  dir: string,
): Promise<{ readonly names: readonly string[]; remember(name: string): Promise<void> }> {
  const key = createHash('sha256')
    .update(await fs.realpath(dir))
    .digest('hex')
    .slice(0, 16);
  const file = path.join(os.tmpdir(), `.db-backup-names-${process.getuid?.() ?? 0}-${key}`);
  // No record (a first run, a cleaned /tmp): the directory's own names still count.
  const names = await fs
    .readFile(file, 'utf8')
    .then((text) => text.split('\n').filter(Boolean))
    .catch(() => []);
  return {
    names,
    // Called under the directory's lock, after the backup has its name; a record that cannot be written is only a hint lost.
    remember: async (name) => {
      const temp = `${file}.${process.pid}`;
      await fs
        .writeFile(temp, `${[...names, name].slice(-PUBLISHED_KEPT).join('\n')}\n`, { mode: 0o600 })
        .then(() => fs.rename(temp, file))
        .catch(() => undefined);
    },
  };
}

/** One more than the highest sequence of a backup named for the same second (0 when there is none). */
function nextSequence(
  names: readonly string[],
  engineKind: Engine['kind'],
  kind: BackupKind,
  time: Date,
): number {
  const second = Math.floor(time.getTime() / 1000) * 1000;
  let next = 0;
  for (const name of names) {
    const parsed = parseBackupName(
      name.endsWith(MANIFEST_SUFFIX) ? name.slice(0, -MANIFEST_SUFFIX.length) : name,
    );
    if (parsed?.engine === engineKind && parsed.kind === kind && parsed.time.getTime() === second)
      next = Math.max(next, parsed.sequence + 1);
  }
  return next;
}

const KIND_WORDS: Record<BackupKind, string> = {
  backup: 'backup',
  'before-restore': 'safety backup',
  sanitized: 'sanitized copy',
};

async function dumpToTempFile(
  engine: Engine,
  dir: string,
  options: CreateBackupOptions,
): Promise<{ encoded: EncodedFile; info: DatabaseInfo; format: DumpFormat | undefined }> {
  // The engine's scratch files (a SQLite snapshot: a whole, unencrypted copy) stay out of the backup directory.
  const workDir = await temporaryDirectory('dump');
  const what = `${KIND_WORDS[options.kind]} of ${confirmationName(engine.location)}`;
  const reporter = options.progress ?? NO_PROGRESS;
  let encoded: EncodedFile | undefined;
  let dump: Dump | undefined;
  let progress: ProgressTask | undefined;
  try {
    // Starting a dump can take a while on its own (SQLite: the snapshot and its integrity check).
    const starting = reporter.start(`preparing the ${what}`, { uncounted: true });
    try {
      dump = await engine.dump(workDir);
    } finally {
      starting.end();
    }
    progress = reporter.start(what, {
      total: dump.expectedSize?.bytes,
      estimate: dump.expectedSize?.estimate ?? false,
    });
    encoded = await encodeToTempFile(dump.stream, dir, {
      compression: options.compression,
      afterCompression: options.encryptor ? [options.encryptor.createStage()] : [],
      progress,
    });
    return { encoded, info: await dump.finish(), format: dump.format };
  } catch (error) {
    if (encoded) await removeQuietly(encoded.tempPath);
    // A full disk while a damaged database was written: the damage is the news.
    if (!encoded) await dump?.assertSourceSound?.();
    throw error;
  } finally {
    progress?.end();
    await dump?.dispose();
    await removeQuietly(workDir);
  }
}

/** The first free name whose manifest's name is free too: an orphaned NAME.json never blocks a backup. */
async function publish(
  tempPath: string,
  dir: string,
  claimed: (file: string) => void,
  nameFor: (sequence: number) => string,
): Promise<string> {
  try {
    return await publishWithoutOverwrite(
      tempPath,
      dir,
      (sequence) => {
        const candidate = nameFor(sequence);
        return existsSync(path.join(dir, manifestNameOf(candidate))) ? undefined : candidate;
      },
      claimed,
    );
  } catch (error) {
    await removeQuietly(tempPath);
    throw describeWriteError(error, dir);
  }
}

async function assertReadsBack(file: string, name: string, written: EncodedFile): Promise<void> {
  const onDisk = await digestFile(file);
  if (onDisk.sha256 !== written.sha256 || onDisk.size !== written.size) {
    throw new JobFailure(
      `${name} reads back differently from what was written (a storage fault): it was removed and nothing was pruned.`,
    );
  }
}
