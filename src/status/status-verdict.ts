import { FUTURE_TOLERANCE_MS } from '../catalog/future.js';
import { compareNewestFirst, parseBackupName, type BackupName } from '../domain/backup-name.js';
import type { EngineKind } from '../domain/database-location.js';
import {
  compareRecordsNewestFirst,
  freshestPass,
  newestVerdicts,
  parseVerificationRecordName,
  unhealedFailureOf,
  type VerificationRecordName,
} from '../verification/verification-record.js';

/**
 * Is the database's backup healthy? A pure function of what a target lists
 * (backup names and their verification records), the time and the
 * thresholds, so that every rule is a row in a table test. "The database" is
 * the database kind, as `latest` has it: the newest regular backup of the
 * engine (or of any engine when none is given).
 */
export interface StatusInput {
  /** Every object name at the target. */
  readonly names: readonly string[];
  readonly engine: EngineKind | undefined;
  /** One database's backups (by the catalog): only these names count; undefined, every backup of the engine. */
  readonly only?: ReadonlySet<string> | undefined;
  /** How the backups are named in messages ("backup of SQLite /srv/app.db"); by default by engine. */
  readonly what?: string | undefined;
  readonly now: Date;
  /** The newest backup may be at most this old. */
  readonly maxAgeMs: number;
  /** When given, a backup still held must have passed a full verification at most this long ago. */
  readonly verifiedWithinMs: number | undefined;
}

export type StatusState = 'ok' | 'no-backup' | 'stale' | 'verification-failed' | 'unverified';

export interface StatusVerdict {
  /** The first problem, in the order of the list below; `ok` when there is none. */
  readonly state: StatusState;
  /** Every problem found, one sentence each (empty when ok). */
  readonly problems: readonly string[];
  readonly newest: { readonly name: string; readonly time: Date; readonly ageMs: number } | null;
  /** The newest passed full verification of a backup still held. */
  readonly lastVerified: {
    readonly backup: string;
    readonly time: Date;
    readonly ageMs: number;
  } | null;
  /**
   * The failure that makes the state red: the newest verification (a full one, or a failed quick
   * one) when it failed, else the newest backup's with a verdict when that verdict is a failure.
   */
  readonly lastFailure: { readonly backup: string; readonly time: Date } | null;
  /** Backups dated ahead of the clock beyond the tolerance: not taken as the newest. */
  readonly future: readonly string[];
}

/** A backup dated this far ahead of the clock is clock skew, not a fresh backup (the catalog's rule). */
export { FUTURE_TOLERANCE_MS };

const ORDER: readonly StatusState[] = ['no-backup', 'stale', 'verification-failed', 'unverified'];

export function judgeStatus(input: StatusInput): StatusVerdict {
  const now = input.now.getTime();
  const all = input.names
    .map(parseBackupName)
    .filter((b): b is BackupName => b !== undefined)
    .filter(
      (b) =>
        b.kind === 'backup' &&
        (input.engine === undefined || b.engine === input.engine) &&
        (input.only === undefined || input.only.has(b.name)),
    );
  const future = all.filter((b) => b.time.getTime() - now > FUTURE_TOLERANCE_MS);
  const held = all.filter((b) => !future.includes(b)).sort(compareNewestFirst);
  const heldNames = new Set(held.map((b) => b.name));
  // Only records of backups still held count: a leftover record proves nothing about what is there.
  const records = input.names
    .map(parseVerificationRecordName)
    .filter((r): r is VerificationRecordName => r !== undefined && heldNames.has(r.backup.name))
    .sort((a, b) => compareRecordsNewestFirst(a, b) || compareNewestFirst(a.backup, b.backup));
  // A passed quick check is no test restore: it neither proves a backup restores nor takes back
  // a failure. Every failure counts, of a full verification or a quick one.
  const verdicts = records.filter((r) => r.outcome !== 'quick-checked');

  const found = new Map<StatusState, string>();
  const what = input.what ?? (input.engine === undefined ? 'backup' : `${input.engine} backup`);
  const newestBackup = held[0];
  const newest = newestBackup
    ? {
        name: newestBackup.name,
        time: newestBackup.time,
        ageMs: Math.max(0, now - newestBackup.time.getTime()),
      }
    : null;
  if (!newest) found.set('no-backup', `there is no ${what}`);
  else if (newest.ageMs > input.maxAgeMs) {
    found.set(
      'stale',
      `the newest ${what}, ${newest.name}, is ${ageText(newest.ageMs)} old (more than ${ageText(input.maxAgeMs)})`,
    );
  }

  // A pass of a backup that failed a verification since proves nothing any more.
  const standing = newestVerdicts(records);
  const passed = freshestPass(standing);
  const lastVerified = passed
    ? {
        backup: passed.backup.name,
        time: passed.time,
        ageMs: Math.max(0, now - passed.time.getTime()),
      }
    : null;
  // Red while the newest verification failed, and while the newest backup with a verdict stands
  // failed: a later pass of an older backup does not make a bad newer one good.
  const newestRecord = verdicts[0];
  const failed =
    newestRecord?.outcome === 'verify-failed' ? newestRecord : unhealedFailureOf(standing, held);
  const lastFailure = failed ? { backup: failed.backup.name, time: failed.time } : null;
  if (failed) {
    const ago = ageText(Math.max(0, now - failed.time.getTime()));
    found.set(
      'verification-failed',
      failed === newestRecord
        ? `the newest verification, of ${failed.backup.name} ${ago} ago, failed`
        : `the verification of ${failed.backup.name} ${ago} ago failed, and no newer backup has passed one since (a pass of an older backup does not take it back)`,
    );
  }
  if (input.verifiedWithinMs !== undefined && newest) {
    if (!lastVerified) {
      found.set('unverified', `no ${what} held here has passed a test restore (db-backup verify)`);
    } else if (lastVerified.ageMs > input.verifiedWithinMs) {
      found.set(
        'unverified',
        `the newest passed test restore, of ${lastVerified.backup}, was ${ageText(lastVerified.ageMs)} ago (more than ${ageText(input.verifiedWithinMs)})`,
      );
    }
  }
  const problems = ORDER.filter((state) => found.has(state)).map((state) => found.get(state)!);
  return {
    state: ORDER.find((state) => found.has(state)) ?? 'ok',
    problems,
    newest,
    lastVerified,
    lastFailure,
    future: future.map((b) => b.name),
  };
}

/** The state that decides among several verdicts: the first problem in the order above, else ok. */
export function worstState(states: readonly StatusState[]): StatusState {
  return ORDER.find((state) => states.includes(state)) ?? 'ok';
}

/** `3h 12m`, `2d 4h`, `45m`, `20s`: how long ago, for one-line messages. */
export function ageText(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours}h` : `${hours}h ${minutes % 60}m`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days}d` : `${days}d ${hours % 24}h`;
}
