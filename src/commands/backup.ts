import path from 'node:path';
import type { BackupConfig } from './command-config.js';
import { describeDatabase } from '../domain/database-location.js';
import type { TargetId } from '../storage/targets.js';
import { createEngine } from '../engines/index.js';
import { errorMessage, JobFailure } from '../domain/errors.js';
import { heldRows, type Manifest } from '../domain/manifest.js';
import type { CalendarRules } from '../retention/calendar-retention.js';
import { prepareEncryptor } from '../pipeline/encryption.js';
import { exists, removeQuietly, removeStaleTemps } from '../fs/files.js';
import fs from 'node:fs/promises';
import { createStorage } from '../storage/factory.js';
import { liesAt, type Storage } from '../storage/storage.js';
import { redact } from '../domain/secrets.js';
import { inSection } from '../domain/logger.js';
import type { RunContext } from './context.js';
import { createBackup, type CreatedBackup } from './create-backup.js';
import { engineSettings } from './engine-settings.js';
import { applyRetention, type KeptBackup, type RetentionOutcome } from './retention.js';
import { ownDatabase, type OwnDatabase } from '../catalog/identity.js';
import { BackupFilesGone, uploadBackup } from '../catalog/paired-upload.js';
import { newerBackupOf } from '../catalog/superseded.js';
import { checksumStatus } from '../catalog/checksum.js';
import type { SanitizedCopyResult } from './sanitized-copy.js';

/** What happened at one storage target. */
export interface TargetOutcome {
  readonly target: TargetId;
  readonly location: string;
  readonly stored: boolean;
  readonly error?: string;
  /** The backup is stored but the rolling window could not run there. */
  readonly pruneError?: string;
  readonly pruned: readonly string[];
  readonly kept: readonly KeptBackup[];
  /** Kept beyond the window: the newest backup that held rows. */
  readonly keptForData?: string;
  /**
   * Removed by a concurrent run's window for a newer backup of this database,
   * there once stored, or from the backup directory before it was sent there:
   * not there (so not `stored`), yet nothing failed.
   */
  readonly superseded?: boolean;
  /** The target's own id for the stored backup (a GitHub artifact's id). */
  readonly storedId?: string;
}

export interface BackupResult {
  readonly command: 'backup';
  readonly database: string;
  readonly name: string;
  /** The backup in the backup directory; gone when `local` is not a target and every target stored it. */
  readonly file: string;
  readonly manifestFile: string;
  readonly manifest: Manifest;
  readonly durationMs: number;
  readonly targets: readonly TargetOutcome[];
  /** false when `local` is not a target and the staging copy was removed, or when the copy is gone. */
  readonly stagedCopyKept: boolean;
  /** Every name the rolling window removed, at any target. */
  readonly pruned: readonly string[];
  readonly kept: readonly string[];
  /** What the job did but someone should know: an empty database, settings that no longer apply. */
  readonly warnings: readonly string[];
  /** With sanitize-storage: the sanitized copy made beside the backup, and where it went. */
  readonly sanitizedCopy?: SanitizedCopyResult;
}

/**
 * Backs up, then stores at every target: a failing target does not stop the
 * others, but fails the job. Each target's rolling window runs only after the
 * backup is stored and checked there.
 */
export async function runBackup(
  config: BackupConfig,
  context: RunContext,
  /** The database's name in file names when no user-given name is (one of a server's databases). */
  fileLabel?: string,
): Promise<BackupResult> {
  const started = Date.now();
  for (const notice of config.notices) context.log.warn(notice);
  // Checked before anything is dumped: a bad key or an empty passphrase never yields a plain backup.
  const encryptor = await prepareEncryptor(config.encryption);
  const engine = await createEngine(config.database, engineSettings(context, config.postgres));
  const storages: { id: TargetId; storage: Storage }[] = [];
  for (const id of config.storage)
    storages.push({ id, storage: await createStorage(id, config.targets) });
  const database = describeDatabase(config.database);
  // Rules are checked against the database before anything is dumped or written.
  // Loaded only when asked for: its catalog reader brings the PostgreSQL client.
  const sanitizing = config.sanitize
    ? await (
        await import('../sanitize/sanitizing.js')
      ).prepareSanitizing(config.sanitize, config.database, context.log)
    : undefined;
  const beside = sanitizing !== undefined && (config.sanitize?.storage.length ?? 0) > 0;
  const kind = sanitizing && !beside ? 'sanitized' : 'backup';
  const backup = await inSection(context.log, `Dump ${database}`, async () => {
    await tidyBackupDir(config.backupDir, context);
    context.log.info(`Backing up ${database} into ${config.backupDir}`);
    const created = await createBackup(
      sanitizing && !beside ? sanitizing.wrap(engine) : engine,
      config.backupDir,
      {
        kind,
        databaseName: config.name,
        fileLabel,
        compression: config.compression,
        encryptor,
        progress: context.progress,
        ...(context.now ? { now: context.now } : {}),
        ...(sanitizing && !beside ? { sanitized: sanitizing.info } : {}),
      },
    );
    context.log.info(
      `Wrote ${created.name} (${created.manifest.file.size} bytes, sha256 ${created.manifest.file.sha256})`,
    );
    return created;
  });
  const own = await ownDatabase(config.database, config.name);
  const targets = await storeEverywhere(
    storages,
    backup,
    { own, maxBackups: config.maxBackups, keep: config.keep, kind },
    context,
  );
  const stagedCopyKept = await releaseStagedCopy(
    storages.map(({ storage }) => storage),
    backup,
    targets,
    context,
  );
  const warnings = [...config.notices];
  if (!heldRows(backup.manifest)) {
    const warning = emptyDatabaseWarning(database, backup.name, targets);
    context.log.warn(warning);
    warnings.push(warning);
  }
  let sanitizedCopy: SanitizedCopyResult | undefined;
  if (sanitizing && beside) {
    try {
      const { makeSanitizedCopy } = await import('./sanitized-copy.js');
      sanitizedCopy = await makeSanitizedCopy(engine, sanitizing, config, encryptor, context);
    } catch (error) {
      // The backup itself is made and stored: the job fails, and says so.
      throw new JobFailure(
        `The backup ${backup.name} was made, but the sanitized copy failed: ${redact(errorMessage(error))}`,
      );
    }
  }
  return {
    command: 'backup',
    database,
    ...backup,
    durationMs: Date.now() - started,
    targets,
    stagedCopyKept,
    pruned: targets.flatMap((target) => target.pruned),
    kept: targets[0]?.kept.map((b) => b.name) ?? [],
    warnings,
    ...(sanitizedCopy ? { sanitizedCopy } : {}),
  };
}

/** An emptied database is backed up all the same, and said so: it may be an accident. */
function emptyDatabaseWarning(
  database: string,
  name: string,
  targets: readonly TargetOutcome[],
): string {
  const kept = [...new Set(targets.flatMap((t) => (t.keptForData ? [t.keptForData] : [])))];
  const window =
    kept.length > 0
      ? `${kept.join(', ')}, the newest backup that held rows, is kept beyond max-backups.`
      : 'The rolling window never removes the newest backup that held rows.';
  return `${database} held no rows: ${name} was written and is marked "empty" in its manifest. ${window}`;
}

/** Whose backup it is, and the rolling window each target runs after storing it. */
export interface StorePolicy {
  readonly own: OwnDatabase;
  readonly maxBackups: number | undefined;
  readonly keep?: CalendarRules;
  readonly kind: 'backup' | 'sanitized';
}

/**
 * Stores the backup at every target in turn (a failing target does not stop
 * the others); when the backup directory is one of them, its outcome is
 * looked at again once all had their turn ({@link stillInStaging}).
 */
export async function storeEverywhere(
  storages: readonly { id: TargetId; storage: Storage }[],
  backup: CreatedBackup,
  policy: StorePolicy,
  context: RunContext,
): Promise<TargetOutcome[]> {
  const index = storages.findIndex(({ storage }) => liesAt(storage, backup.file));
  const staging = storages[index]?.storage;
  const targets: TargetOutcome[] = [];
  for (const { id, storage } of storages)
    targets.push(await storeAt(id, storage, backup, { ...policy, staging }, context));
  if (!staging) return targets;
  // Another target failed: the file is read again, it may be why (changed since it was written).
  const failed = targets.some((target) => !target.stored && target.superseded !== true);
  targets[index] = await stillInStaging(targets[index]!, staging, backup, policy, context, failed);
  return targets;
}

/** Stores a backup at one target (unless it is already there: the staging directory), then runs that target's window. */
export async function storeAt(
  id: TargetId,
  storage: Storage,
  backup: CreatedBackup,
  policy: StorePolicy & {
    /** The backup directory, when it is a target too: concurrent runs' windows remove backups from it. */
    staging?: Storage | undefined;
  },
  context: RunContext,
): Promise<TargetOutcome> {
  let outcome: { target: TargetId; location: string; storedId?: string } = {
    target: id,
    location: storage.location,
  };
  try {
    if (!liesAt(storage, backup.file)) {
      const receipt = await inSection(context.log, `Store at ${id}: ${storage.location}`, () => {
        context.log.info(`Storing ${backup.name} at ${storage.location}`);
        return uploadBackup(storage, backup, context.progress);
      });
      if (receipt.id !== undefined) outcome = { ...outcome, storedId: receipt.id };
    }
  } catch (error) {
    return await notSent(error, backup, policy, outcome, context);
  }
  try {
    const retention = await inSection(context.log, `Rolling window at ${id}`, () =>
      applyRetention(
        storage,
        {
          ...policy,
          protect: [backup.name],
          known: new Map([[backup.name, heldRows(backup.manifest)]]),
        },
        context.log,
      ),
    );
    if (!retention.kept.includes(backup.name)) {
      return await notKept(storage, backup, policy, retention, outcome, context);
    }
    return {
      ...outcome,
      stored: true,
      pruned: retention.removed,
      kept: retention.keptBackups,
      ...(retention.keptForData ? { keptForData: retention.keptForData } : {}),
    };
  } catch (error) {
    // The backup is there; only the window failed: said, and the job fails, but nothing is lost.
    const message = redact(errorMessage(error));
    context.log.warn(`${id}: the backup is stored, but the rolling window failed: ${message}`);
    return { ...outcome, stored: true, pruneError: message, pruned: [], kept: [] };
  }
}

/**
 * The outcome at a target the upload failed for: superseded when the files
 * were gone from the backup directory before anything was sent and a newer
 * backup of this database is there (a peer's window removed them); failed
 * otherwise.
 */
async function notSent(
  error: unknown,
  backup: CreatedBackup,
  policy: Pick<StorePolicy, 'own' | 'kind'> & { staging?: Storage | undefined },
  outcome: { target: TargetId; location: string },
  context: RunContext,
): Promise<TargetOutcome> {
  const failure = { message: redact(errorMessage(error)) };
  const verdict =
    error instanceof BackupFilesGone && policy.staging
      ? await goneFrom(policy.staging, backup.name, policy, {
          superseded: (newer) =>
            `superseded: a concurrent run's rolling window removed ${backup.name} from the backup directory, for ${newer}, a newer backup of this database, before it was stored here`,
          removed: failure.message,
        })
      : failure;
  return missing(outcome, verdict, { pruned: [], kept: [] }, context);
}

/**
 * Why a backup is no longer at `place`: a window keeps the newest backup of
 * each database, so a concurrent run's window removed it only when a newer
 * one is there (superseded); otherwise something else did. A place that
 * cannot be read shows no newer backup: the run then says it failed.
 */
async function goneFrom(
  place: Storage,
  name: string,
  policy: Pick<StorePolicy, 'own' | 'kind'>,
  said: { superseded: (newer: string) => string; removed: string },
): Promise<{ message: string; superseded?: true }> {
  const newer = await newerBackupOf(place, policy.own, name, policy.kind).catch(() => undefined);
  return newer ? { message: said.superseded(newer), superseded: true } : { message: said.removed };
}

/** A target's outcome for a backup that is not there: said, and never reported as stored. */
function missing(
  outcome: { target: TargetId; location: string; storedId?: string },
  verdict: { message: string; superseded?: true },
  done: { pruned: readonly string[]; kept: readonly KeptBackup[] },
  context: RunContext,
): TargetOutcome {
  context.log.warn(`${outcome.target}: ${verdict.message}`);
  return {
    ...outcome,
    stored: false,
    ...(verdict.superseded ? { superseded: true } : {}),
    error: verdict.message,
    ...done,
  };
}

/**
 * The outcome at a target whose window did not keep the backup just stored
 * there (its own run protects it: it is no longer there, or the window could
 * not read its manifest). A window keeps the newest backup of each database,
 * so a concurrent run's window removed it only when a newer one is there
 * (superseded); otherwise something else did, and the target failed.
 */
async function notKept(
  storage: Storage,
  backup: CreatedBackup,
  policy: Pick<StorePolicy, 'own' | 'kind'>,
  retention: RetentionOutcome,
  outcome: { target: TargetId; location: string; storedId?: string },
  context: RunContext,
): Promise<TargetOutcome> {
  const done = { pruned: retention.removed, kept: retention.keptBackups };
  const verdict = await goneFrom(storage, backup.name, policy, {
    superseded: (newer) =>
      `superseded: a concurrent run's rolling window removed ${backup.name} for ${newer}, a newer backup of this database`,
    removed: `${backup.name} was removed from ${storage.location} during this run, and no newer backup of this database is there`,
  });
  // Listed while a peer's window was removing it for a newer backup: superseded, as when gone.
  if (!verdict.superseded && retention.leftAlone.includes(backup.name)) {
    const message = `${backup.name} is there, but its manifest could not be read back, so the rolling window could not count it`;
    context.log.warn(`${outcome.target}: the backup is stored, but ${message}`);
    return { ...outcome, stored: true, pruneError: message, ...done };
  }
  return missing(outcome, verdict, done, context);
}

/**
 * The backup directory's outcome once every target had its turn: a peer's
 * window (or a person) may have removed the backup from it meanwhile, or a
 * person replaced it: a backup not there, or no longer the file its manifest
 * describes, is never reported as stored there.
 */
async function stillInStaging(
  outcome: TargetOutcome,
  staging: Storage,
  backup: CreatedBackup,
  policy: Pick<StorePolicy, 'own' | 'kind'>,
  context: RunContext,
  /** Read the whole file again for its sha256 (not only its size). */
  checkContent: boolean,
): Promise<TargetOutcome> {
  if (!outcome.stored) return outcome;
  const problem = await stagingProblem(staging, backup, policy, checkContent);
  if (!problem) return outcome;
  const { target, location, pruned, kept } = outcome;
  return missing({ target, location }, problem, { pruned, kept }, context);
}

/** What became of the backup in the backup directory during the run; undefined when it is still as written. */
async function stagingProblem(
  staging: Storage,
  backup: CreatedBackup,
  policy: Pick<StorePolicy, 'own' | 'kind'>,
  checkContent: boolean,
): Promise<{ message: string; superseded?: true } | undefined> {
  const dir = path.dirname(backup.file);
  // The manifest first: a window removes a backup before its manifest, so a backup still there
  // once its manifest was found gone is no window's doing.
  const manifestThere = await exists(backup.manifestFile);
  const size = (await fs.stat(backup.file).catch(() => undefined))?.size;
  if (size !== undefined) {
    if (!manifestThere)
      return { message: `the manifest of ${backup.name} was removed from ${dir} during this run` };
    const changed =
      size !== backup.manifest.file.size ||
      (checkContent && (await checksumStatus(backup).catch(() => 'mismatch')) === 'mismatch');
    if (!changed) return undefined;
    return {
      message: `${backup.name} in ${dir} no longer matches the size and sha256 in its manifest: it was changed during this run`,
    };
  }
  return goneFrom(staging, backup.name, policy, {
    superseded: (newer) =>
      `superseded: a concurrent run's rolling window removed ${backup.name} from the backup directory during this run, for ${newer}, a newer backup of this database`,
    removed: `${backup.name} was removed from ${dir} during this run, and no newer backup of this database is there`,
  });
}

/**
 * Without `local` among the targets the backup directory is only a staging
 * place: its copy goes once every target holds the backup (or a newer one of
 * its database) — and stays, with a warning, when one failed (never lose the
 * only copy). Says whether the copy is still there at the end.
 */
export async function releaseStagedCopy(
  storages: readonly Storage[],
  backup: CreatedBackup,
  targets: readonly TargetOutcome[],
  context: RunContext,
  /** What the warnings speak of. */
  copy: 'backup' | 'sanitized copy' = 'backup',
): Promise<boolean> {
  // A target itself: kept, unless a peer's window (or a person) removed it during the run.
  if (storages.some((storage) => liesAt(storage, backup.file))) return exists(backup.file);
  // Superseded at a target, a newer backup of this database is there: the copy is not its only one.
  if (targets.every((target) => target.stored || target.superseded === true)) {
    await removeQuietly(backup.file);
    await removeQuietly(backup.manifestFile);
    return false;
  }
  const dir = path.dirname(backup.file);
  const failed = copy === 'backup' ? 'A target failed' : 'A target of the sanitized copy failed';
  if (!(await exists(backup.file))) {
    context.log.warn(`${failed}, and ${backup.name} is no longer in ${dir} either.`);
    return false;
  }
  const it = copy === 'backup' ? 'the backup' : 'it';
  context.log.warn(`${failed}: ${it} stays in ${dir} as ${backup.name}.`);
  return true;
}

/** Leftovers of killed runs go; a directory others can read is pointed out (backups hold the whole database). */
async function tidyBackupDir(dir: string, context: RunContext): Promise<void> {
  const stat = await fs.stat(dir).catch(() => undefined);
  if (!stat?.isDirectory()) return;
  if ((stat.mode & 0o077) !== 0) {
    context.log.warn(
      `${dir} can be read by other users (mode ${(stat.mode & 0o777).toString(8)}): backups hold the whole database; chmod 700 it.`,
    );
  }
  for (const name of await removeStaleTemps(dir))
    context.log.info(`Removed ${name}, left by an interrupted run`);
}
