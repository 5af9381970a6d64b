import type { Config } from './command-config.js';
import { assertTemporaryDirectoryOutside, removeStaleTemporaryDirectories } from '../fs/files.js';
import { runBackup, type BackupResult } from './backup.js';
import type { RunContext } from './context.js';
import { runList, type ListResult } from './list.js';
import { runPrune, type PruneResult } from './prune.js';
import { runRestore, type RestoreResult } from './restore.js';
import { runStatus, type StatusResult } from './status.js';
import { runVerify, type VerifyResult } from './verify.js';

export type CommandResult =
  BackupResult | RestoreResult | VerifyResult | ListResult | PruneResult | StatusResult;

export async function runCommand(config: Config, context: RunContext): Promise<CommandResult> {
  // Whole copies of a database that a killed run (SIGKILL) left in the temporary directory go first.
  for (const dir of await removeStaleTemporaryDirectories())
    context.log.info(`Removed ${dir}, left by an interrupted run`);
  // Every command may unpack or download into it (verify, a restore from a remote target, retention's checks).
  assertTemporaryDirectoryOutside(config.backupDir);
  switch (config.command) {
    case 'backup':
      return runBackup(config, context);
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
  if (result.command === 'backup') {
    return succeededTargets([...result.targets, ...(result.sanitizedCopy?.targets ?? [])]);
  }
  return true;
}

function succeededTargets(
  targets: readonly { stored: boolean; superseded?: boolean; pruneError?: string }[],
): boolean {
  return targets.every(
    (target) => (target.stored || target.superseded === true) && target.pruneError === undefined,
  );
}

/** Why a finished command failed its job, in one line. */
export function failureSummary(result: CommandResult): string {
  if (result.command === 'backup' && result.sanitizedCopy) {
    const copy = result.sanitizedCopy;
    const failed = copy.targets.filter((t) => !t.stored || t.pruneError !== undefined);
    if (failed.length > 0 && succeededTargets(result.targets)) {
      return `The sanitized copy ${copy.name} was not stored (or its window failed) at ${failed.map((t) => `${t.target} (${t.error ?? t.pruneError ?? 'failed'})`).join('; ')}.`;
    }
  }
  if (result.command === 'backup') {
    const unpruned = result.targets.filter(
      (target) => target.stored && target.pruneError !== undefined,
    );
    const failed = result.targets.filter((target) => !target.stored && !target.superseded);
    if (failed.length === 0) {
      return `The backup ${result.name} was stored everywhere, but the rolling window failed at ${unpruned.map((t) => `${t.target} (${t.pruneError})`).join('; ')}.`;
    }
    return `The backup ${result.name} was not stored at ${failed.map((t) => `${t.target} (${t.error ?? 'failed'})`).join('; ')}.`;
  }
  if (result.command === 'verify')
    return `Verification of ${result.name} failed: ${result.problems.join('; ')}`;
  if (result.command === 'status') return result.summary;
  return `${result.command} failed.`;
}
