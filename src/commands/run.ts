import type { Config } from './command-config.js';
import { assertTemporaryDirectoryOutside, removeStaleTemporaryDirectories } from '../fs/files.js';
import { runBackup, type BackupResult } from './backup.js';
import { backupFailure, backupSucceeded } from './backup-outcome.js';
import {
  isServerBackup,
  runServerBackup,
  serverBackupFailure,
  type ServerBackupResult,
} from './backup-databases.js';
import type { RunContext } from './context.js';
import { runList, type ListResult } from './list.js';
import { runPrune, type PruneResult } from './prune.js';
import { runRestore, type RestoreResult } from './restore.js';
import { runStatus, type StatusResult } from './status.js';
import { runVerify, type VerifyResult } from './verify.js';

export type CommandResult =
  | BackupResult
  | ServerBackupResult
  | RestoreResult
  | VerifyResult
  | ListResult
  | PruneResult
  | StatusResult;

export async function runCommand(config: Config, context: RunContext): Promise<CommandResult> {
  // Whole copies of a database that a killed run (SIGKILL) left in the temporary directory go first.
  for (const dir of await removeStaleTemporaryDirectories())
    context.log.info(`Removed ${dir}, left by an interrupted run`);
  // Every command may unpack or download into it (verify, a restore from a remote target, retention's checks).
  assertTemporaryDirectoryOutside(config.backupDir);
  switch (config.command) {
    case 'backup':
      return config.serverDatabases
        ? runServerBackup(config, config.serverDatabases, context)
        : runBackup(config, context);
    case 'restore':
      return runRestore(config, context);
    case 'verify':
      return runVerify(config, context);
    case 'list':
      return runList(config, context);
    case 'prune':
      return runPrune(config, context);
    case 'status':
      return runStatus(config, context);
  }
}

/** A command can finish and still have failed its job: a verification that found problems. */
export function succeeded(result: CommandResult): boolean {
  if (result.command === 'verify') return result.verified;
  if (result.command === 'status') return result.ok;
  if (result.command === 'backup')
    return isServerBackup(result)
      ? result.databases.every((outcome) => outcome.ok)
      : backupSucceeded(result);
  return true;
}

/** Why a finished command failed its job, in one line. */
export function failureSummary(result: CommandResult): string {
  if (result.command === 'backup')
    return isServerBackup(result) ? serverBackupFailure(result) : backupFailure(result);
  if (result.command === 'verify')
    return `Verification of ${result.name} failed: ${result.problems.join('; ')}`;
  if (result.command === 'status') return result.summary;
  return `${result.command} failed.`;
}
