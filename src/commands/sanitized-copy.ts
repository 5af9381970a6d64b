import type { BackupConfig } from './command-config.js';
import type { Engine } from '../engines/engine.js';
import type { Manifest } from '../domain/manifest.js';
import type { Encryptor } from '../pipeline/encryption.js';
import { errorMessage } from '../domain/errors.js';
import { ensurePrivateDir, exists } from '../fs/files.js';
import type { Sanitizing } from '../sanitize/sanitizing.js';
import { createStorage } from '../storage/factory.js';
import { isLocalPlace, liesAt } from '../storage/storage.js';
import { releaseStagedCopy, storeEverywhere, type TargetOutcome } from './backup.js';
import type { RunContext } from './context.js';
import { createBackup, type CreatedBackup } from './create-backup.js';
import { ownDatabase } from '../catalog/identity.js';

export interface SanitizedCopyResult {
  readonly name: string;
  readonly manifest: Manifest;
  readonly targets: readonly TargetOutcome[];
  /** The copy in the backup directory; kept only when `local` is one of its targets or a target failed. */
  readonly file: string;
  readonly stagedCopyKept: boolean;
}

/**
 * With sanitize-storage: after the regular backup, a sanitized copy from a
 * dump of its own, encrypted like the backup, stored at its own targets with
 * its own rolling window there.
 */
export async function makeSanitizedCopy(
  engine: Engine,
  sanitizing: Sanitizing,
  config: BackupConfig,
  encryptor: Encryptor | undefined,
  context: RunContext,
): Promise<SanitizedCopyResult> {
  context.log.info('Making the sanitized copy');
  const copy = await createBackup(sanitizing.wrap(engine), config.backupDir, {
    kind: 'sanitized',
    databaseName: config.name,
    compression: config.compression,
    progress: context.progress,
    encryptor,
    sanitized: sanitizing.info,
    ...(context.now ? { now: context.now } : {}),
  });
  context.log.info(`Wrote ${copy.name} (${copy.manifest.file.size} bytes)`);
  try {
    return await storeSanitizedCopy(copy, config, context);
  } catch (error) {
    // Made, but not where it was to go: where it waits in the backup directory, the user is told.
    if (!(await exists(copy.file))) throw error;
    throw new Error(
      `${errorMessage(error)} The sanitized copy ${copy.name} stays in ${config.backupDir}.`,
      { cause: error },
    );
  }
}

/** The sanitized copy at its own targets, with its own rolling window there. */
async function storeSanitizedCopy(
  copy: CreatedBackup,
  config: BackupConfig,
  context: RunContext,
): Promise<SanitizedCopyResult> {
  const own = await ownDatabase(config.database, config.name);
  const storages = [];
  for (const target of config.sanitize?.storage ?? [])
    storages.push({ id: target.id, storage: await createStorage(target.id, target.settings) });
  // A directory of its own (local:DIR) is made as private as the backup directory.
  for (const { storage } of storages)
    if (isLocalPlace(storage) && !liesAt(storage, copy.file))
      await ensurePrivateDir(storage.localDirectory, {
        what: 'sanitize-storage directory',
        option: 'directory in sanitize-storage local:DIR',
      });
  const targets = await storeEverywhere(
    storages,
    copy,
    { own, maxBackups: config.maxBackups, keep: config.keep, kind: 'sanitized' },
    context,
  );
  const kept = await releaseStagedCopy(
    storages.map(({ storage }) => storage),
    copy,
    targets,
    context,
    'sanitized copy',
  );
  return {
    name: copy.name,
    manifest: copy.manifest,
    targets,
    file: copy.file,
    stagedCopyKept: kept,
  };
}
