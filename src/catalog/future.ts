import type { BackupName } from '../domain/backup-name.js';
import type { Manifest } from '../domain/manifest.js';

/**
 * A backup dated more than this ahead of the clock was made by a machine
 * whose clock is wrong (or this one's is): it is reported, and never taken
 * as `latest`, which it would otherwise stay for ever.
 */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** The backup's time: the manifest's created-at when it has one, else the time in its name. */
export function backupTime(backup: BackupName, manifest: Manifest | undefined): Date {
  const created = manifest ? Date.parse(manifest.createdAt) : Number.NaN;
  return Number.isNaN(created) ? backup.time : new Date(created);
}

/** Dated ahead of `now` beyond the tolerance, by its name or by its manifest. */
export function isFutureDated(
  backup: BackupName,
  manifest: Manifest | undefined,
  now: Date,
): boolean {
  const limit = now.getTime() + FUTURE_TOLERANCE_MS;
  return backup.time.getTime() > limit || backupTime(backup, manifest).getTime() > limit;
}
