import {
  compareNewestFirst,
  parseBackupName,
  type BackupKind,
  type BackupName,
} from '../domain/backup-name.js';
import type { EngineKind } from '../domain/database-location.js';
import {
  freshestPass,
  newestVerdicts,
  parseVerificationRecordName,
  unhealedFailureOf,
  type VerificationRecordName,
} from '../verification/verification-record.js';
import {
  calendarReasons,
  describeReason,
  hasCalendarRules,
  NO_CALENDAR_RULES,
  type CalendarRules,
  type KeepReason,
} from './calendar-retention.js';

export interface RetentionPolicy {
  readonly engine: EngineKind;
  /**
   * The rolling window: how many of the newest backups to keep; 0 keeps all.
   * Undefined: no window, the calendar rules alone decide (without any, all are kept).
   */
  readonly maxBackups: number | undefined;
  /** Calendar (grandfather-father-son) rules, kept as a union with the window. */
  readonly keep?: CalendarRules;
  /** Names that must survive whatever their age, such as the backup just written. */
  readonly protect?: readonly string[];
  /**
   * What each backup's manifest says: true when it held rows, false when the
   * database was empty; a name not in the map is unknown (no readable manifest).
   */
  readonly heldRows?: ReadonlyMap<string, boolean>;
  /** The window's kind: regular backups (default) or sanitized copies, never both together. */
  readonly kind?: Exclude<BackupKind, 'before-restore'>;
}

/**
 * Why a backup is kept: a rule (the window or a calendar rule, with its
 * period), or one of the guards that keep a backup no rule keeps.
 */
export type RetentionReason =
  | KeepReason
  | {
      readonly rule: keyof typeof GUARD_TEXT;
    };

const GUARD_TEXT = {
  'keep-all': 'max-backups 0 keeps all',
  'just-written': 'the backup just written',
  'held-rows': 'the newest backup that held rows',
  'may-hold-rows': 'no readable manifest, may be the last copy of the data',
  verified: 'the newest backup that passed a test restore',
  'freshest-proof': 'the backup whose test restore passed most recently',
  'unhealed-failure': 'its verification failed, and no newer backup has passed one since',
} as const;

/** `daily 2026-11-30`, `max-backups #2`, `the newest backup that held rows`. */
export function describeRetentionReason(reason: RetentionReason): string {
  return 'period' in reason ? describeReason(reason) : GUARD_TEXT[reason.rule];
}

export interface RetentionPlan {
  /** Our backups of this engine, newest first. */
  readonly keep: readonly BackupName[];
  /** Oldest beyond the window, newest first. */
  readonly remove: readonly BackupName[];
  /** Beyond the window but kept: the newest backup known to hold rows, when every newer one is empty. */
  readonly keptForData?: BackupName;
  /**
   * Beyond the window but kept: backups without a readable manifest that are
   * older than a backup of an empty database and newer than any backup known
   * to hold rows. Each may be the last copy of the data (the old scripts'
   * backups have no manifest), so none is removed.
   */
  readonly keptUnread?: readonly BackupName[];
  /** Beyond every rule but kept: the newest backup that passed a test restore (and no later failed one). */
  readonly keptVerified?: BackupName;
  /**
   * Beyond every rule but kept: the backup whose test restore passed most
   * recently, when that is not the newest verified backup (an older backup
   * verified again). Status counts its pass; removing it would turn a proof
   * of last week into one of last quarter.
   */
  readonly keptFreshestProof?: BackupName;
  /**
   * Beyond every rule but kept: the newest backup with a verification, when
   * that verification failed. Status is red while it is held; removing it
   * would turn status green on an older backup's pass alone.
   */
  readonly keptFailure?: BackupName;
  /** Every kept backup's reasons, by name (each rule that keeps it, or else the guard). */
  readonly reasons: ReadonlyMap<string, readonly RetentionReason[]>;
}

/** Our regular backups of the policy's engine, newest first, each name once. */
export function retentionCandidates(
  names: readonly string[],
  engine: EngineKind,
  kind: Exclude<BackupKind, 'before-restore'> = 'backup',
): BackupName[] {
  const candidates = names
    .map(parseBackupName)
    .filter((parsed): parsed is BackupName => parsed !== undefined)
    .filter((parsed) => parsed.kind === kind && parsed.engine === engine)
    .sort(compareNewestFirst);
  return candidates.filter(
    (item, index) => candidates.findIndex((other) => other.name === item.name) === index,
  );
}

/**
 * The newest backup known to hold rows: the one an emptied database must
 * never push out. `heldRows` answers for one backup (from its manifest), or
 * undefined when it cannot tell; backups are asked newest first, and the
 * asking stops at the first that held rows.
 */
export async function newestWithRows(
  newestFirst: readonly BackupName[],
  heldRows: (backup: BackupName) => Promise<boolean | undefined>,
): Promise<Map<string, boolean>> {
  const known = new Map<string, boolean>();
  for (const backup of newestFirst) {
    const held = await heldRows(backup);
    if (held !== undefined) known.set(backup.name, held);
    if (held === true) break;
  }
  return known;
}

/** What the verification records among `names` keep of `newestFirst`, beyond the rules. */
export interface VerificationGuards {
  /**
   * The newest backup with a passed test restore that no later failed
   * verification contradicts: a backup proven to restore is never pruned,
   * until a newer one is proven too. A quick check neither proves nor withdraws.
   */
  readonly verified?: BackupName;
  /**
   * The backup whose standing pass is the most recent (status's last proof),
   * kept so that pruning never makes that proof older.
   */
  readonly freshest?: BackupName;
  /**
   * The newest backup with a verification, when that failed (a full
   * verification or a quick check): kept until a newer backup passes, as
   * status stays red until then.
   */
  readonly failure?: BackupName;
}

export function verificationGuards(
  names: readonly string[],
  newestFirst: readonly BackupName[],
): VerificationGuards {
  const held = new Set(newestFirst.map((backup) => backup.name));
  const standing = newestVerdicts(
    names
      .map(parseVerificationRecordName)
      .filter(
        (record): record is VerificationRecordName =>
          record !== undefined && held.has(record.backup.name),
      ),
  );
  const backupOf = (record: VerificationRecordName | undefined): BackupName | undefined =>
    newestFirst.find((backup) => backup.name === record?.backup.name);
  const verified = newestFirst.find((backup) => standing.get(backup.name)?.outcome === 'verified');
  const freshest = backupOf(freshestPass(standing));
  const failure = backupOf(unhealedFailureOf(standing, newestFirst));
  return {
    ...(verified ? { verified } : {}),
    ...(freshest ? { freshest } : {}),
    ...(failure ? { failure } : {}),
  };
}

/**
 * The rolling window and the calendar rules. Only names this tool writes for regular backups of the
 * given engine are candidates: foreign files, manifests, other engines and
 * before-restore safety copies are never removed. The newest is always kept,
 * and so is the newest backup that held rows: backups of an emptied database
 * (a 0-byte SQLite file, a PostgreSQL database whose tables or rows are gone)
 * count in the window but never push out the last copy of the data. A
 * backup whose manifest cannot tell (none, or unreadable), older than a backup
 * of an empty database and newer than the newest backup known to hold rows,
 * may be that copy: it is kept too. Without `heldRows`, the plain window.
 * The newest backup that passed a test restore is kept as well, and so is the
 * one whose test restore passed most recently (what status counts as the
 * last proof) when an older backup was verified again, and the newest
 * backup with a verification when that failed (status is red while it is
 * held: removing it would make status green on an older pass alone).
 *
 * With calendar rules (`keep`), a backup is kept when any rule keeps it: each
 * calendar rule, and the window's newest `maxBackups` when it is given. A
 * window of 0 keeps everything, whatever the calendar says.
 */
export function planRetention(names: readonly string[], policy: RetentionPolicy): RetentionPlan {
  const unique = retentionCandidates(names, policy.engine, policy.kind);
  const calendar = hasCalendarRules(policy.keep) ? policy.keep : undefined;
  if (policy.maxBackups === 0 || (policy.maxBackups === undefined && !calendar)) {
    const all: readonly RetentionReason[] = [{ rule: 'keep-all' }];
    return {
      keep: unique,
      remove: [],
      reasons: new Map(unique.map((backup) => [backup.name, all])),
    };
  }
  const byRule = calendarReasons(unique, calendar ?? NO_CALENDAR_RULES, policy.maxBackups);
  const { verified, freshest, failure } = verificationGuards(names, unique);
  const protect = new Set(policy.protect ?? []);
  const withRows = unique.find((backup) => policy.heldRows?.get(backup.name) === true);
  // Unread backups older than a known empty one, and newer than the newest known to hold rows.
  const mayHoldRows = new Set<BackupName>();
  let emptied = false;
  for (const backup of policy.heldRows ? unique : []) {
    if (backup === withRows) break;
    const held = policy.heldRows?.get(backup.name);
    if (held === false) emptied = true;
    else if (held === undefined && emptied) mayHoldRows.add(backup);
  }
  const keep: BackupName[] = [];
  const remove: BackupName[] = [];
  const keptUnread: BackupName[] = [];
  const reasons = new Map<string, readonly RetentionReason[]>();
  let keptForData: BackupName | undefined;
  let keptVerified: BackupName | undefined;
  let keptFreshestProof: BackupName | undefined;
  let keptFailure: BackupName | undefined;
  for (const [index, backup] of unique.entries()) {
    const why: RetentionReason[] = [...(byRule[index] ?? [])];
    // The guards speak only for a backup that no rule keeps.
    if (why.length === 0) {
      if (protect.has(backup.name)) why.push({ rule: 'just-written' });
      else if (backup === withRows) {
        why.push({ rule: 'held-rows' });
        keptForData = backup;
      } else if (mayHoldRows.has(backup)) {
        why.push({ rule: 'may-hold-rows' });
        keptUnread.push(backup);
      } else if (backup === verified) {
        why.push({ rule: 'verified' });
        keptVerified = backup;
      } else if (backup === freshest) {
        why.push({ rule: 'freshest-proof' });
        keptFreshestProof = backup;
      } else if (backup === failure) {
        why.push({ rule: 'unhealed-failure' });
        keptFailure = backup;
      }
    }
    if (why.length === 0) {
      remove.push(backup);
      continue;
    }
    keep.push(backup);
    reasons.set(backup.name, why);
  }
  return {
    keep,
    remove,
    ...(keptForData ? { keptForData } : {}),
    ...(keptUnread.length > 0 ? { keptUnread } : {}),
    ...(keptVerified ? { keptVerified } : {}),
    ...(keptFreshestProof ? { keptFreshestProof } : {}),
    ...(keptFailure ? { keptFailure } : {}),
    reasons,
  };
}
