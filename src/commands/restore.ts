import type { RestoreConfig } from './command-config.js';
import { confirmationName, describeDatabase } from '../domain/database-location.js';
import type { DatabaseInfo } from '../engines/engine.js';
import { createEngine } from '../engines/index.js';
import { engineSettings } from './engine-settings.js';
import { createBackup } from './create-backup.js';
import { uploadBackup } from '../catalog/paired-upload.js';
import { createStorage } from '../storage/factory.js';
import { liesAt } from '../storage/storage.js';
import { UserError } from '../domain/errors.js';
import { prepareEncryptor, type EncryptionRequest } from '../pipeline/encryption.js';
import { warnAboutShortPassphrase } from '../pipeline/passphrase-rules.js';
import { redact } from '../domain/secrets.js';
import { confirmOverwrite } from './confirm-restore.js';
import type { RunContext } from './context.js';
import {
  assertChecksum,
  assertEngineMatches,
  openBackup,
  resolveBackup,
  type LocatedBackup,
} from './locate-backup.js';
import type { Engine } from '../engines/engine.js';
import type { Manifest, SanitizedInfo } from '../domain/manifest.js';
import {
  describeBackupDatabase,
  describeIdentity,
  ownDatabase,
  sameDatabase,
  type OwnDatabase,
} from '../catalog/identity.js';
import { parseBackupName } from '../domain/backup-name.js';

export interface RestoreResult {
  readonly command: 'restore';
  readonly database: string;
  readonly name: string;
  readonly file: string;
  readonly info: DatabaseInfo;
  /** The SQLite `.before-restore` copy, or the PostgreSQL before-restore backup's file. */
  readonly previousCopy: string | undefined;
  readonly durationMs: number;
  readonly manifestChecked: boolean;
  /** Restoring another database's backup: "backup of A into B". */
  readonly crossing?: string;
  /** The backup restored was a sanitized copy (masked data, not production's). */
  readonly sanitized?: SanitizedInfo | { readonly rulesSha256: string };
}

export async function runRestore(
  config: RestoreConfig,
  context: RunContext,
): Promise<RestoreResult> {
  const started = Date.now();
  warnAboutShortPassphrase(
    config.decryption.passphrase ??
      (config.encryption.mode === 'passphrase' ? config.encryption.passphrase : undefined),
    context.log,
  );
  const engine = await createEngine(config.database, engineSettings(context, config.postgres));
  const holdsData = await engine.holdsData();
  const own = await ownDatabase(config.database, config.name);
  // Found (and its manifest read) first, downloaded only once the overwrite is confirmed.
  const resolved = await resolveBackup(config.backup, config.from, config.targets, context.cwd, {
    own,
    engine: engine.kind,
    now: context.now?.() ?? new Date(),
  });
  const crossing = crossingOf(resolved.manifest, own);
  if (crossing) context.log.info(`${resolved.name} is a ${crossing}`);
  if (holdsData)
    await confirmOverwrite(
      confirmationName(config.database),
      config.confirmation,
      context,
      crossing,
    );
  const handle = await resolved.fetch(context.progress);
  try {
    const result = await restoreFrom(handle.backup, engine, holdsData, config, context, started);
    return crossing ? { ...result, crossing } : result;
  } finally {
    await handle.release();
  }
}

/** "backup of A into B" when the backup's manifest says it is of another database. */
function crossingOf(manifest: Manifest | undefined, own: OwnDatabase): string | undefined {
  if (!manifest || manifest.engine !== own.identity.engine) return undefined;
  const backupOf = manifest.identity
    ? sameDatabase(manifest.identity, own.identity)
      ? undefined
      : describeIdentity(manifest.identity)
    : manifest.database.name === own.legacyName
      ? undefined
      : describeBackupDatabase(manifest);
  return backupOf ? `backup of ${backupOf} into ${describeIdentity(own.identity)}` : undefined;
}

async function restoreFrom(
  backup: LocatedBackup,
  engine: Engine,
  holdsData: boolean,
  config: RestoreConfig,
  context: RunContext,
  started: number,
): Promise<RestoreResult> {
  const database = describeDatabase(config.database);
  assertEngineMatches(backup, engine.kind);
  if (backup.manifest) await assertChecksum(backup);
  else {
    context.log.warn(
      `${backup.name} has no manifest: its checksum cannot be checked (the data is still checked as it is unpacked).`,
    );
  }
  const source = await openBackup(
    backup,
    config.decryption,
    backup.manifest !== undefined,
    context.log,
    context.progress,
  );
  await source.probe();
  const safetyEncryptor = await prepareEncryptor(await safetyEncryption(config));
  let safetyCopy: string | undefined;
  if (holdsData && engine.keepsOwnSafetyCopy && !config.safetyBackup) {
    // Not refused: the reusable restore workflow passes one safety-backup input for both engines.
    context.log.warn(
      'safety-backup false applies to PostgreSQL only: a SQLite restore always keeps the file it replaces as DB.before-restore (remove that file once you no longer need it).',
    );
  }
  const beforeChange = async (): Promise<void> => {
    if (!holdsData || engine.keepsOwnSafetyCopy || !config.safetyBackup) return;
    context.log.info(`Backing up ${database} before overwriting it`);
    const safety = await createBackup(engine, config.backupDir, {
      kind: 'before-restore',
      databaseName: config.name,
      compression: config.compression,
      encryptor: safetyEncryptor,
      progress: context.progress,
    });
    safetyCopy = safety.file;
    context.log.info(`Safety backup: ${safety.file}`);
    const storage = await createStorage(config.from, config.targets);
    if (!liesAt(storage, safety.file)) {
      // A runner's disk goes away with the job: keep the safety backup where the backups are.
      try {
        await uploadBackup(storage, safety, context.progress);
      } catch (error) {
        throw new UserError(
          `The safety backup could not be stored at ${storage.location} (${redact((error as Error).message)}): nothing was changed. Fix the target, or pass --no-safety-backup to restore without one.`,
        );
      }
      safetyCopy = `${storage.location} ${safety.name}`;
      context.log.info(`Safety backup stored at ${storage.location} as ${safety.name}`);
    }
  };
  const sanitized = sanitizedOf(backup);
  if (sanitized) {
    context.log.info(
      `${backup.name} is a sanitized copy: its personal data was masked by rules sha256 ${sanitized.rulesSha256.slice(0, 12)}…; it is not a copy of production's data.`,
    );
  }
  context.log.info(`Restoring ${backup.name} into ${database}`);
  const outcome = await engine.restore(source, { beforeChange });
  const previousCopy = outcome.previousCopy ?? safetyCopy;
  if (outcome.previousCopy)
    context.log.info(`The previous database was kept as ${outcome.previousCopy}`);
  for (const note of outcome.notes ?? []) context.log.warn(note);
  return {
    command: 'restore',
    database,
    name: backup.name,
    // A downloaded file is gone when the command ends: no path to point at.
    file: backup.inPlace ? backup.file : '',
    info: outcome.info,
    previousCopy,
    durationMs: Date.now() - started,
    manifestChecked: backup.manifest !== undefined,
    ...(sanitized ? { sanitized } : {}),
  };
}

/** From the manifest, else from the name (a copy whose manifest was lost still says so). */
function sanitizedOf(backup: LocatedBackup): RestoreResult['sanitized'] {
  if (backup.manifest?.sanitized) return backup.manifest.sanitized;
  return parseBackupName(backup.name)?.kind === 'sanitized'
    ? { rulesSha256: 'unknown' }
    : undefined;
}

/**
 * The safety backup is encrypted as a backup would be; when the job only holds
 * what decrypts (a passphrase, a private key), with that same secret.
 */
async function safetyEncryption(config: RestoreConfig): Promise<EncryptionRequest> {
  if (config.encryption.mode !== 'none') return config.encryption;
  const { passphrase, privateKeys = [] } = config.decryption;
  if (passphrase !== undefined) return { mode: 'passphrase', passphrase };
  if (privateKeys.length > 0) {
    const { publicKeysOf } = await import('../pipeline/public-keys-of.js');
    return {
      mode: 'public-key',
      armoredPublicKeys: await publicKeysOf(privateKeys.map((key) => key.armored)),
    };
  }
  return { mode: 'none' };
}
