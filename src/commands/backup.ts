import type { BackupConfig } from '../config/config.js';
import { describeDatabase } from '../config/database-url.js';
import { createEngine } from '../engines/index.js';
import { prepareEncryptor } from '../pipeline/encryption.js';
import { engineSettings } from './engine-settings.js';
import type { Manifest } from '../manifest.js';
import { LocalStorage } from '../storage/local.js';
import type { RunContext } from './context.js';
import { createBackup } from './create-backup.js';
import { applyRetention } from './retention.js';

export interface BackupResult {
  readonly command: 'backup';
  readonly database: string;
  readonly name: string;
  readonly file: string;
  readonly manifestFile: string;
  readonly manifest: Manifest;
  readonly durationMs: number;
  readonly pruned: readonly string[];
  readonly kept: readonly string[];
}

export async function runBackup(config: BackupConfig, context: RunContext): Promise<BackupResult> {
  const started = Date.now();
  // Checked before anything is dumped: a bad key or an empty passphrase never yields a plain backup.
  const encryptor = await prepareEncryptor(config.encryption);
  const engine = createEngine(config.database, engineSettings(context, config.postgres));
  const database = describeDatabase(config.database);
  context.log.info(`Backing up ${database} into ${config.backupDir}`);
  const backup = await createBackup(engine, config.backupDir, {
    kind: 'backup',
    compressionLevel: config.compressionLevel,
    encryptor,
    ...(context.now ? { now: context.now } : {}),
  });
  context.log.info(
    `Wrote ${backup.name} (${backup.manifest.file.size} bytes, sha256 ${backup.manifest.file.sha256})`,
  );
  const retention = await applyRetention(
    new LocalStorage(config.backupDir),
    { engine: engine.kind, maxBackups: config.maxBackups, protect: [backup.name] },
    context.log,
  );
  return {
    command: 'backup',
    database,
    ...backup,
    durationMs: Date.now() - started,
    pruned: retention.removed,
    kept: retention.kept,
  };
}
