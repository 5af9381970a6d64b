import { compareNewestFirst, parseBackupName, type BackupName } from '../domain/backup-name.js';

/**
 * Every `verify` leaves a small record beside the backup it checked, at the
 * target it read from: `NAME.verified_YYYYMMDD_HHMMSS.json` after a passed
 * test restore, `NAME.quick-checked_…` after a passed quick check, and
 * `NAME.verify-failed_…` after a failure. The outcome and the time are in the
 * name, so `status` judges a target from its listing alone (no download, only
 * list permission); the content is for people and audits.
 *
 * Records are added, never rewritten: a target never has to replace an
 * object (artifacts cannot be, and a verify job needs no delete permission),
 * and the history of checks stays. The backup's own manifest, whose sha256 is
 * the contract, is never touched. A record belongs to its backup: retention
 * and prune remove it with the backup, and `list` never shows it as one.
 */
export type VerificationOutcome = 'verified' | 'quick-checked' | 'verify-failed';

export interface VerificationRecordName {
  readonly name: string;
  /** The backup the record is about. */
  readonly backup: BackupName;
  readonly outcome: VerificationOutcome;
  /** When the verification finished (UTC second). */
  readonly time: Date;
  readonly sequence: number;
}

const RECORD =
  /^(.+)\.(verified|quick-checked|verify-failed)_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})(?:_(\d{1,3}))?\.json$/;

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

export function formatVerificationRecordName(
  backup: string,
  outcome: VerificationOutcome,
  time: Date,
  sequence = 0,
): string {
  const stamp =
    `${time.getUTCFullYear()}${pad(time.getUTCMonth() + 1)}${pad(time.getUTCDate())}_` +
    `${pad(time.getUTCHours())}${pad(time.getUTCMinutes())}${pad(time.getUTCSeconds())}`;
  return `${backup}.${outcome}_${stamp}${sequence > 0 ? `_${sequence}` : ''}.json`;
}

/** A record of one of our backups; anything else (a manifest, a foreign file) gives undefined. */
export function parseVerificationRecordName(name: string): VerificationRecordName | undefined {
  const match = RECORD.exec(name);
  if (!match) return undefined;
  const [, backupName, outcome, year, month, day, hour, minute, second, sequence] = match;
  const backup = parseBackupName(backupName ?? '');
  if (!backup) return undefined;
  const time = new Date(
    Date.UTC(
      Number(year),
      Number(month) - 1,
      Number(day),
      Number(hour),
      Number(minute),
      Number(second),
    ),
  );
  const parsed = {
    name,
    backup,
    outcome: outcome as VerificationOutcome,
    time,
    sequence: Number(sequence ?? 0),
  };
  // Impossible dates (20261340) are not rolled over into real ones.
  return formatVerificationRecordName(backupName!, parsed.outcome, time, parsed.sequence) === name
    ? parsed
    : undefined;
}

/**
 * Newest first: by second, then by the order written within it (the
 * sequence). A pass and a failure that cannot be told apart (records of one
 * second from before sequences ran across outcomes) count the failure as the
 * later: a doubt never makes a backup look proven.
 */
export function compareRecordsNewestFirst(
  a: VerificationRecordName,
  b: VerificationRecordName,
): number {
  return (
    b.time.getTime() - a.time.getTime() ||
    b.sequence - a.sequence ||
    Number(b.outcome === 'verify-failed') - Number(a.outcome === 'verify-failed')
  );
}

/**
 * Each backup's standing: its newest full verification or failure (a passed
 * quick check neither proves nor takes back anything), by backup name. A
 * backup passes while its newest such record is a pass. Status, list and
 * retention all judge by this.
 */
export function newestVerdicts(
  records: Iterable<VerificationRecordName>,
): Map<string, VerificationRecordName> {
  const newest = new Map<string, VerificationRecordName>();
  for (const record of records) {
    if (record.outcome === 'quick-checked') continue;
    const seen = newest.get(record.backup.name);
    if (!seen || compareRecordsNewestFirst(record, seen) < 0)
      newest.set(record.backup.name, record);
  }
  return newest;
}

/**
 * The freshest proof: of the backups whose standing (newestVerdicts) is a
 * pass, the one whose pass is the most recent (status's "last passed test
 * restore"; retention keeps its backup). Ties of one second go to the newer
 * backup.
 */
export function freshestPass(
  standing: ReadonlyMap<string, VerificationRecordName>,
): VerificationRecordName | undefined {
  let freshest: VerificationRecordName | undefined;
  for (const record of standing.values()) {
    if (record.outcome !== 'verified') continue;
    if (
      !freshest ||
      (compareRecordsNewestFirst(record, freshest) ||
        compareNewestFirst(record.backup, freshest.backup)) < 0
    )
      freshest = record;
  }
  return freshest;
}

/**
 * The failure that stands on the newest backup with a verdict (its
 * standing, by newestVerdicts, when that failed; undefined when it passed,
 * or no backup has one). Until a newer backup passes, status stays red for
 * it and retention keeps it. `newestFirst`: the backups held, newest first.
 */
export function unhealedFailureOf(
  standing: ReadonlyMap<string, VerificationRecordName>,
  newestFirst: readonly BackupName[],
): VerificationRecordName | undefined {
  const judged = newestFirst.map((backup) => standing.get(backup.name)).find(Boolean);
  return judged?.outcome === 'verify-failed' ? judged : undefined;
}

/** The records among `names` that belong to `backup`. */
export function recordsOf(backup: string, names: Iterable<string>): string[] {
  const records: string[] = [];
  for (const name of names) {
    if (parseVerificationRecordName(name)?.backup.name === backup) records.push(name);
  }
  return records;
}

/**
 * The name for this verification: its second, and a sequence above that of
 * every record already at the target from the same second (of any backup,
 * any outcome), so that records of one second still sort in the order they
 * were written — a failure a moment after a pass must not read as older.
 */
export function freeRecordName(
  backup: string,
  outcome: VerificationOutcome,
  time: Date,
  taken: ReadonlySet<string>,
): string {
  const second = Math.floor(time.getTime() / 1000) * 1000;
  let sequence = 0;
  for (const name of taken) {
    const record = parseVerificationRecordName(name);
    if (record && record.time.getTime() === second)
      sequence = Math.max(sequence, record.sequence + 1);
  }
  if (sequence >= 1000) throw new Error(`Too many verification records in one second.`);
  return formatVerificationRecordName(backup, outcome, time, sequence);
}

/** What a record holds: enough for a person or an audit, never a secret. */
export interface VerificationRecord {
  readonly formatVersion: 1;
  readonly kind: 'verification';
  readonly tool: { readonly name: string; readonly version: string };
  readonly backup: string;
  /** The sha256 of the backup as its manifest gives it; null without a manifest. */
  readonly sha256: string | null;
  readonly verifiedAt: string;
  readonly level: 'quick' | 'full';
  readonly verified: boolean;
  readonly tables: number;
  readonly rows: number;
  readonly problems: readonly string[];
}

export function outcomeOf(
  record: Pick<VerificationRecord, 'level' | 'verified'>,
): VerificationOutcome {
  if (!record.verified) return 'verify-failed';
  return record.level === 'full' ? 'verified' : 'quick-checked';
}

export function serializeVerificationRecord(record: VerificationRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}
