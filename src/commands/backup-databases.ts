import { labelOf } from '../domain/backup-name.js';
import type { BackupConfig } from './command-config.js';
import { describeServer, type PostgresLocation } from '../domain/database-location.js';
import { errorMessage, isWorded, UserError } from '../domain/errors.js';
import { chooseServerDatabases } from '../engines/index.js';
import { prepareEncryptor } from '../pipeline/encryption.js';
import { printableName } from '../domain/format.js';
import { redact } from '../domain/secrets.js';
import { onFinishedWork, prunedAccountedFor } from '../process/interruptions.js';
import { createStorage } from '../storage/factory.js';
import { runBackup } from './backup.js';
import { backupFailure, backupSucceeded } from './backup-outcome.js';
import type { RunContext } from './context.js';
import type { DatabaseBackupOutcome, ServerBackupResult } from './command-result.js';

/**
 * Backs up each chosen database of the server on its own, as `backup` backs
 * up one: its own file (its name in the file name), manifest, targets and
 * window. A database that fails is said and fails the run; the others go on.
 */
export async function runServerBackup(
  config: BackupConfig,
  wanted: 'all' | readonly string[],
  context: RunContext,
): Promise<ServerBackupResult> {
  const started = Date.now();
  if (config.database.engine !== 'postgres')
    throw new UserError('all-databases and databases back up a PostgreSQL server only.');
  const location = config.database;
  const server = describeServer(location);
  for (const notice of config.notices) context.log.warn(notice);
  // What every database would refuse alike is refused once, before anything is dumped.
  await prepareEncryptor(config.encryption);
  for (const id of config.storage) await createStorage(id, config.targets);
  const { chosen, skipped } = await chooseServerDatabases(location, wanted);
  const warnings = [...config.notices];
  for (const { database, reason } of skipped) {
    const warning = `Skipped the database ${printableName(database)}: ${reason}.`;
    context.log.warn(warning);
    warnings.push(warning);
  }
  if (chosen.length === 0)
    throw new UserError(
      `No database on ${server} can be backed up by this user: grant it CONNECT on the databases to back up. Nothing was backed up.`,
    );
  context.log.info(
    `Backing up ${chosen.length} databases of ${server}: ${chosen.map(printableName).join(', ')}`,
  );
  const databases: DatabaseBackupOutcome[] = [];
  const stopSaying = onFinishedWork(() => finishedBackups(databases));
  try {
    for (const database of chosen) {
      databases.push(await backUpOne(config, location, database, context));
      // Its window's removals are in its own account now ("stored and pruned by its own window").
      prunedAccountedFor();
    }
  } finally {
    stopSaying();
  }
  return {
    command: 'backup',
    server,
    databases,
    skipped,
    durationMs: Date.now() - started,
    warnings: [...warnings, ...databases.flatMap((outcome) => outcome.backup?.warnings ?? [])],
  };
}

/** One database of the server, backed up as `backup` backs up one; a failure is its outcome. */
async function backUpOne(
  config: BackupConfig,
  server: PostgresLocation,
  database: string,
  context: RunContext,
): Promise<DatabaseBackupOutcome> {
  const one: BackupConfig = {
    ...config,
    database: { ...server, database },
    serverDatabases: undefined,
    notices: [],
  };
  try {
    const backup = await runBackup(one, context, labelOf(database));
    if (backupSucceeded(backup)) return { database, ok: true, backup };
    const error = backupFailure(backup);
    context.log.warn(`${printableName(database)}: ${error}`);
    return { database, ok: false, backup, error };
  } catch (error) {
    // Our own words, or outside text masked: the next database goes on all the same.
    const message = isWorded(error) ? error.message : redact(errorMessage(error));
    context.log.warn(`${printableName(database)}: the backup failed: ${message}`);
    return { database, ok: false, error: message };
  }
}

/** What a signal would cut short no longer: the databases backed up so far, each pruned by its window. */
function finishedBackups(databases: readonly DatabaseBackupOutcome[]): string | undefined {
  const made = databases.flatMap(({ database, backup }) =>
    backup ? [`${printableName(database)} (${backup.name})`] : [],
  );
  if (made.length === 0) return undefined;
  return `${made.join(', ')}, stored and pruned by ${made.length === 1 ? 'its' : "each one's"} own window`;
}
