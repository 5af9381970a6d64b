import type { RestoreConfig } from '../config/config.js';
import { confirmationName, describeDatabase } from '../config/database-url.js';
import type { DatabaseInfo } from '../engines/engine.js';
import { createEngine } from '../engines/index.js';
import { engineSettings } from './engine-settings.js';
import { createBackup } from './create-backup.js';
import { uploadBackup } from './upload-backup.js';
import { createStorage } from '../storage/factory.js';
import { UserError } from '../errors.js';
import { prepareEncryptor, type EncryptionRequest } from '../pipeline/encryption.js';
import { publicKeysOf } from '../pipeline/public-keys-of.js';
import { warnAboutShortPassphrase } from '../pipeline/passphrase-rules.js';
import { redact } from '../secrets.js';
import { confirmOverwrite } from './confirm-restore.js';
import type { RunContext } from './context.js';
import {
  assertChecksum,
  assertEngineMatches,
  findBackup,
  openBackup,
  type LocatedBackup,
} from './locate-backup.js';
import type { Engine } from '../engines/engine.js';

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
  const engine = createEngine(config.database, engineSettings(context, config.postgres));
  const holdsData = await engine.holdsData();
  // Asked first: a refused restore should not wait for a download.
  if (holdsData)
    await confirmOverwrite(confirmationName(config.database), config.confirmation, context);
  const handle = await findBackup(
    config.backup,
    config.from,
    config.targets,
    context.cwd,
    engine.kind,
  );
  try {
    return await restoreFrom(handle.backup, engine, holdsData, config, context, started);
  } finally {
    await handle.release();
  }
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
  const source = await openBackup(backup, config.decryption, backup.manifest !== undefined);
  await source.probe();
  const safetyEncryptor = await prepareEncryptor(await safetyEncryption(config));
  let safetyCopy: string | undefined;
  const beforeChange = async (): Promise<void> => {
    if (!holdsData || engine.keepsOwnSafetyCopy || !config.safetyBackup) return;
    context.log.info(`Backing up ${database} before overwriting it`);
    const safety = await createBackup(engine, config.backupDir, {
      kind: 'before-restore',
      compressionLevel: config.compressionLevel,
      encryptor: safetyEncryptor,
    });
    safetyCopy = safety.file;
    context.log.info(`Safety backup: ${safety.file}`);
    if (config.from !== 'local') {
      // A runner's disk goes away with the job: keep the safety backup where the backups are.
      const storage = createStorage(config.from, config.targets);
      try {
        await uploadBackup(storage, safety);
      } catch (error) {
        throw new UserError(
          `The safety backup could not be stored at ${storage.location} (${redact((error as Error).message)}): nothing was changed. Fix the target, or pass --no-safety-backup to restore without one.`,
        );
      }
      safetyCopy = `${storage.location} ${safety.name}`;
      context.log.info(`Safety backup stored at ${storage.location} as ${safety.name}`);
    }
  };
  context.log.info(`Restoring ${backup.name} into ${database}`);
  const outcome = await engine.restore(source, { beforeChange });
  const previousCopy = outcome.previousCopy ?? safetyCopy;
  if (outcome.previousCopy)
    context.log.info(`The previous database was kept as ${outcome.previousCopy}`);
  return {
    command: 'restore',
    database,
    name: backup.name,
    // A downloaded file is gone when the command ends: no path to point at.
    file: config.from === 'local' ? backup.file : '',
    info: outcome.info,
    previousCopy,
    durationMs: Date.now() - started,
    manifestChecked: backup.manifest !== undefined,
  };
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
    return {
      mode: 'public-key',
      armoredPublicKeys: await publicKeysOf(privateKeys.map((key) => key.armored)),
    };
  }
  return { mode: 'none' };
}
