import type { BackupResult } from './backup.js';

function succeededTargets(
  targets: readonly { stored: boolean; superseded?: boolean; pruneError?: string }[],
): boolean {
  return targets.every(
    (target) => (target.stored || target.superseded === true) && target.pruneError === undefined,
  );
}

/** Stored (or superseded) at every target, with every window run: the copy beside it too. */
export function backupSucceeded(result: BackupResult): boolean {
  return succeededTargets([...result.targets, ...(result.sanitizedCopy?.targets ?? [])]);
}

/** Why a backup that was made failed its job, in one line. */
export function backupFailure(result: BackupResult): string {
  if (result.sanitizedCopy) {
    const copy = result.sanitizedCopy;
    const failed = copy.targets.filter((t) => !t.stored || t.pruneError !== undefined);
    if (failed.length > 0 && succeededTargets(result.targets)) {
      return `The sanitized copy ${copy.name} was not stored (or its window failed) at ${failed.map((t) => `${t.target} (${t.error ?? t.pruneError ?? 'failed'})`).join('; ')}.`;
    }
  }
  const unpruned = result.targets.filter(
    (target) => target.stored && target.pruneError !== undefined,
  );
  const failed = result.targets.filter((target) => !target.stored && !target.superseded);
  if (failed.length === 0) {
    return `The backup ${result.name} was stored everywhere, but the rolling window failed at ${unpruned.map((t) => `${t.target} (${t.pruneError})`).join('; ')}.`;
  }
  return `The backup ${result.name} was not stored at ${failed.map((t) => `${t.target} (${t.error ?? 'failed'})`).join('; ')}.`;
}
