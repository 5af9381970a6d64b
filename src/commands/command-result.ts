/**
 * What a command returns, and whether it failed its job: read by the reports
 * (text, summary, outputs, notifications) without loading the commands
 * themselves, so that `--help` and a refused command line start light.
 */
import type { BackupResult } from './backup.js';
import { backupFailure, backupSucceeded } from './backup-outcome.js';
import type { ListResult } from './list.js';
import type { PruneResult } from './prune.js';
import type { RestoreResult } from './restore.js';
import type { StatusResult } from './status.js';
import type { VerifyResult } from './verify.js';
import { printableName } from '../domain/format.js';

export type CommandResult =
  | BackupResult
  | ServerBackupResult
  | RestoreResult
  | VerifyResult
  | ListResult
  | PruneResult
  | StatusResult;

/** One database of a run over several: its backup, or why it has none. */
export interface DatabaseBackupOutcome {
  /** The database's name on the server. */
  readonly database: string;
  /** Backed up, stored at every target, and every window ran. */
  readonly ok: boolean;
  /** The backup, when one was made (its targets say where it went). */
  readonly backup?: BackupResult;
  /** Why this database failed, in one line. */
  readonly error?: string;
}

export interface SkippedDatabase {
  readonly database: string;
  readonly reason: string;
}

/** A backup of several databases of one PostgreSQL server (all-databases, databases). */
export interface ServerBackupResult {
  readonly command: 'backup';
  /** The server, without a password or a database: postgres://user@host:5432. */
  readonly server: string;
  readonly databases: readonly DatabaseBackupOutcome[];
  /** Left out and said: databases the user may not connect to. */
  readonly skipped: readonly SkippedDatabase[];
  readonly durationMs: number;
  readonly warnings: readonly string[];
}

/** A backup result of several databases rather than one. */
export function isServerBackup(result: { command: string }): result is ServerBackupResult {
  return result.command === 'backup' && 'databases' in result;
}

/** Which databases failed, each with its reason, in one line. */
export function serverBackupFailure(result: ServerBackupResult): string {
  const failed = result.databases.filter((outcome) => !outcome.ok);
  return `${failed.length} of ${result.databases.length} databases of ${result.server} failed: ${failed.map((outcome) => `${printableName(outcome.database)} (${outcome.error ?? 'failed'})`).join('; ')}.`;
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
