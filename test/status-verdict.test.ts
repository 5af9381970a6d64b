import { describe, expect, test } from 'vitest';
import { ageText, judgeStatus, type StatusState } from '../src/status/status-verdict.js';

const NOW = new Date(Date.UTC(2026, 11, 1, 12, 0, 0));
const H = 3_600_000;
const D = 24 * H;

/** `2026-12-01 12:00 UTC` minus `ms`, as the stamp in a name. */
function stamp(msAgo: number): string {
  const t = new Date(NOW.getTime() - msAgo);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${t.getUTCFullYear()}${p(t.getUTCMonth() + 1)}${p(t.getUTCDate())}_${p(t.getUTCHours())}${p(t.getUTCMinutes())}${p(t.getUTCSeconds())}`;
}
const sqlite = (msAgo: number): string => `sqlite_backup_${stamp(msAgo)}.db.gz`;
const postgres = (msAgo: number): string => `postgres_backup_${stamp(msAgo)}.sql.gz`;
const record = (
  backup: string,
  outcome: 'verified' | 'quick-checked' | 'verify-failed',
  msAgo: number,
): string => `${backup}.${outcome}_${stamp(msAgo)}.json`;

interface Case {
  readonly case: string;
  readonly names: readonly string[];
  readonly engine?: 'sqlite' | 'postgres';
  readonly maxAge?: number;
  readonly verifiedWithin?: number;
  readonly state: StatusState;
  readonly problems?: number;
  readonly newest?: string | null;
}

const fresh = sqlite(3 * H);
const cases: Case[] = [
  { case: 'nothing at the target', names: [], state: 'no-backup', newest: null },
  {
    case: 'only foreign files and manifests',
    names: ['notes.txt', `${fresh}.json`, 'sqlite_backup_latest.db.gz'],
    state: 'no-backup',
  },
  { case: 'a fresh backup, verification not asked', names: [fresh], state: 'ok', newest: fresh },
  {
    case: 'the newest counts, not the oldest',
    names: [sqlite(40 * D), fresh, sqlite(2 * D)],
    state: 'ok',
    newest: fresh,
  },
  { case: 'older than max-age', names: [sqlite(27 * H)], state: 'stale', problems: 1 },
  { case: 'exactly max-age is still fresh', names: [sqlite(26 * H)], state: 'ok' },
  {
    case: 'fresh but never verified',
    names: [fresh],
    verifiedWithin: 35 * D,
    state: 'unverified',
  },
  {
    case: 'verified recently',
    names: [sqlite(2 * D), record(sqlite(2 * D), 'verified', 1 * D), fresh],
    verifiedWithin: 35 * D,
    state: 'ok',
  },
  {
    case: 'verified long ago',
    names: [sqlite(50 * D), record(sqlite(50 * D), 'verified', 40 * D), fresh],
    verifiedWithin: 35 * D,
    state: 'unverified',
  },
  {
    case: 'a record whose backup is gone proves nothing',
    names: [record(sqlite(5 * D), 'verified', 1 * D), fresh],
    verifiedWithin: 35 * D,
    state: 'unverified',
  },
  {
    case: 'a quick check is not a test restore',
    names: [fresh, record(fresh, 'quick-checked', 1 * H)],
    verifiedWithin: 35 * D,
    state: 'unverified',
  },
  {
    case: 'the newest verification failed (even when verification is not asked)',
    names: [
      fresh,
      record(sqlite(2 * D), 'verified', 2 * D),
      sqlite(2 * D),
      record(fresh, 'verify-failed', 1 * H),
    ],
    state: 'verification-failed',
  },
  {
    case: 'a failure followed by a pass is healed',
    names: [
      sqlite(2 * D),
      record(sqlite(2 * D), 'verify-failed', 2 * D),
      fresh,
      record(fresh, 'verified', 1 * H),
    ],
    verifiedWithin: 35 * D,
    state: 'ok',
  },
  {
    case: 'a later failure takes back the earlier pass of the same backup; a quick check hides neither',
    names: [
      sqlite(3 * D),
      record(sqlite(3 * D), 'verified', 3 * D),
      record(sqlite(3 * D), 'verify-failed', 2 * D),
      fresh,
      record(fresh, 'quick-checked', 1 * H),
    ],
    verifiedWithin: 35 * D,
    state: 'verification-failed',
    problems: 2,
  },
  {
    case: 'a quick check after a failure does not heal it',
    names: [fresh, record(fresh, 'verify-failed', 2 * H), record(fresh, 'quick-checked', 1 * H)],
    state: 'verification-failed',
  },
  {
    case: 'a failed quick check is a failure',
    names: [fresh, record(fresh, 'verified', 2 * H), record(fresh, 'verify-failed', 1 * H)],
    state: 'verification-failed',
  },
  {
    case: 'a pass and a failure in one second, order unknown: the failure counts as the later',
    names: [fresh, record(fresh, 'verified', 1 * H), record(fresh, 'verify-failed', 1 * H)],
    state: 'verification-failed',
  },
  {
    case: 'a pass written after a failure in the same second (a higher sequence) heals it',
    names: [
      fresh,
      record(fresh, 'verify-failed', 1 * H),
      record(fresh, 'verified', 1 * H).replace(/\.json$/, '_1.json'),
    ],
    verifiedWithin: 35 * D,
    state: 'ok',
  },
  {
    case: 'a later pass of an older backup does not take back the newest backup’s failure',
    names: [
      sqlite(3 * D),
      fresh,
      record(fresh, 'verify-failed', 2 * H),
      record(sqlite(3 * D), 'verified', 1 * H),
    ],
    verifiedWithin: 35 * D,
    state: 'verification-failed',
    problems: 1,
  },
  {
    case: 'a failed older backup after a newer one passed stays red only while it is the newest verification',
    names: [
      sqlite(3 * D),
      fresh,
      record(sqlite(3 * D), 'verify-failed', 2 * H),
      record(fresh, 'verified', 1 * H),
    ],
    verifiedWithin: 35 * D,
    state: 'ok',
  },
  {
    case: 'a newer backup that passed heals the failure of the one before',
    names: [
      sqlite(2 * D),
      record(sqlite(2 * D), 'verify-failed', 2 * D),
      record(sqlite(3 * D), 'verified', 1 * D),
      sqlite(3 * D),
      fresh,
      record(fresh, 'verified', 1 * H),
    ],
    verifiedWithin: 35 * D,
    state: 'ok',
  },
  {
    case: 'stale and unverified: stale first, both said',
    names: [sqlite(3 * D)],
    verifiedWithin: 35 * D,
    state: 'stale',
    problems: 2,
  },
  {
    case: 'another engine’s fresh backup does not hide a stale one',
    names: [sqlite(3 * D), postgres(1 * H)],
    engine: 'sqlite',
    state: 'stale',
  },
  {
    case: 'without an engine, the newest of any kind counts',
    names: [sqlite(3 * D), postgres(1 * H)],
    state: 'ok',
    newest: postgres(1 * H),
  },
  {
    case: 'a before-restore safety copy is not a backup',
    names: [sqlite(3 * D), `sqlite_before-restore_${stamp(1 * H)}.db.gz`],
    state: 'stale',
  },
  {
    case: 'a backup dated an hour ahead (clock skew) is not counted',
    names: [sqlite(3 * D), sqlite(-1 * H)],
    state: 'stale',
  },
  {
    case: 'a backup a few minutes ahead is within tolerance',
    names: [sqlite(-5 * 60_000)],
    state: 'ok',
  },
  {
    case: 'a tighter max-age',
    names: [sqlite(45 * 60_000)],
    maxAge: 30 * 60_000,
    state: 'stale',
  },
];

describe('judgeStatus', () => {
  test.each(cases)('$case → $state', (c) => {
    const verdict = judgeStatus({
      names: c.names,
      engine: c.engine,
      now: NOW,
      maxAgeMs: c.maxAge ?? 26 * H,
      verifiedWithinMs: c.verifiedWithin,
    });
    expect(verdict.state).toBe(c.state);
    if (c.state === 'ok') expect(verdict.problems).toEqual([]);
    else expect(verdict.problems.length).toBe(c.problems ?? verdict.problems.length);
    if (c.state !== 'ok') expect(verdict.problems.length).toBeGreaterThan(0);
    if (c.newest !== undefined) expect(verdict.newest?.name ?? null).toBe(c.newest);
  });

  test('the last passed test restore is never that of a backup that failed since', () => {
    const older = sqlite(3 * D);
    const verdict = judgeStatus({
      names: [
        older,
        record(older, 'verified', 3 * D),
        fresh,
        record(fresh, 'verified', 2 * D),
        record(fresh, 'verify-failed', 1 * D),
      ],
      engine: 'sqlite',
      now: NOW,
      maxAgeMs: 26 * H,
      verifiedWithinMs: 35 * D,
    });
    expect(verdict.state).toBe('verification-failed');
    expect(verdict.lastVerified?.backup).toBe(older);
    expect(verdict.lastFailure?.backup).toBe(fresh);
  });

  test('a failure an older backup’s later pass does not heal is named as such', () => {
    const verdict = judgeStatus({
      names: [
        sqlite(3 * D),
        fresh,
        record(fresh, 'verify-failed', 2 * H),
        record(sqlite(3 * D), 'verified', 1 * H),
      ],
      engine: 'sqlite',
      now: NOW,
      maxAgeMs: 26 * H,
      verifiedWithinMs: 35 * D,
    });
    expect(verdict.problems).toEqual([
      `the verification of ${fresh} 2h ago failed, and no newer backup has passed one since (a pass of an older backup does not take it back)`,
    ]);
    expect(verdict.lastFailure?.backup).toBe(fresh);
    expect(verdict.lastVerified?.backup).toBe(sqlite(3 * D));
  });

  test('problems say which backup, how old, and the limit', () => {
    const verdict = judgeStatus({
      names: [sqlite(3 * D), record(sqlite(3 * D), 'verified', 40 * D)],
      engine: 'sqlite',
      now: NOW,
      maxAgeMs: 26 * H,
      verifiedWithinMs: 35 * D,
    });
    expect(verdict.problems).toEqual([
      `the newest sqlite backup, ${sqlite(3 * D)}, is 3d old (more than 26h)`,
      `the newest passed test restore, of ${sqlite(3 * D)}, was 40d ago (more than 35d)`,
    ]);
    expect(verdict.future).toEqual([]);
  });

  test.each([
    [0, '0s'],
    [59_000, '59s'],
    [45 * 60_000, '45m'],
    [26 * H, '26h'],
    [3 * H + 12 * 60_000, '3h 12m'],
    [50 * H, '2d 2h'],
    [35 * D, '35d'],
  ])('ageText(%d) is %s', (ms, text) => {
    expect(ageText(ms)).toBe(text);
  });
});
