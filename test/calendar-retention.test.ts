import { describe, expect, test } from 'vitest';
import {
  calendarReasons,
  describeReason,
  describeRules,
  isoWeek,
  NO_CALENDAR_RULES,
  periodOf,
  type CalendarRules,
} from '../src/retention/calendar-retention.js';
import {
  describeRetentionReason,
  planRetention,
  retentionCandidates,
  verificationGuards,
} from '../src/retention/plan-retention.js';

/** `2026-11-30 02:00:00` read as UTC. */
const at = (text: string): Date => new Date(`${text.replace(' ', 'T')}Z`);
const rules = (given: Partial<CalendarRules>): CalendarRules => ({
  ...NO_CALENDAR_RULES,
  ...given,
});

/** The kept times and why, newest first, for backups at these times (given in any order). */
function plan(
  times: readonly string[],
  given: Partial<CalendarRules>,
  maxBackups?: number,
): Record<string, string> {
  const newestFirst = [...times].sort().reverse();
  const reasons = calendarReasons(
    newestFirst.map((time) => ({ time: at(time) })),
    rules(given),
    maxBackups,
  );
  const kept: Record<string, string> = {};
  for (const [index, time] of newestFirst.entries()) {
    const why = reasons[index] ?? [];
    if (why.length > 0) kept[time] = why.map(describeReason).join(', ');
  }
  return kept;
}

describe('isoWeek and periods (UTC)', () => {
  test.each([
    ['2026-01-01 00:00:00', '2026-W01'],
    ['2020-12-31 12:00:00', '2020-W53'],
    ['2021-01-01 00:00:00', '2020-W53'],
    ['2021-01-03 23:59:59', '2020-W53'],
    ['2021-01-04 00:00:00', '2021-W01'],
    ['2024-12-29 23:59:59', '2024-W52'],
    ['2024-12-30 00:00:00', '2025-W01'],
    ['2026-12-28 00:00:00', '2026-W53'],
    ['2027-01-03 23:59:59', '2026-W53'],
    ['2027-01-04 00:00:00', '2027-W01'],
    ['2015-12-31 00:00:00', '2015-W53'],
    ['2016-01-03 00:00:00', '2015-W53'],
    ['2008-12-29 00:00:00', '2009-W01'],
    ['2023-01-01 00:00:00', '2022-W52'],
    ['2024-02-29 23:59:59', '2024-W09'],
    ['2000-02-29 00:00:00', '2000-W09'],
    ['2032-12-31 00:00:00', '2032-W53'],
    ['2026-11-30 02:00:00', '2026-W49'],
  ])('%s is in week %s', (time, week) => {
    expect(periodOf('weekly', at(time))).toBe(week);
  });

  test('every day from 1999 to 2041: weeks start on Monday, 4 January is in week 1, 28 December in the last week', () => {
    let previous = isoWeek(at('1998-12-31 12:00:00'));
    for (let day = at('1999-01-01 12:00:00'); day < at('2042-01-01 00:00:00');) {
      const week = isoWeek(day);
      const monday = day.getUTCDay() === 1;
      if (!monday) expect(week).toEqual(previous);
      else if (week.year === previous.year) expect(week.week).toBe(previous.week + 1);
      else {
        expect([52, 53]).toContain(previous.week);
        expect(week).toEqual({ year: previous.year + 1, week: 1 });
      }
      if (day.getUTCMonth() === 0 && day.getUTCDate() === 4) expect(week.week).toBe(1);
      if (day.getUTCMonth() === 11 && day.getUTCDate() === 28) {
        expect(week.year).toBe(day.getUTCFullYear());
        expect(week.week).toBeGreaterThanOrEqual(52);
      }
      previous = week;
      day = new Date(day.getTime() + 86_400_000);
    }
  });

  test.each([
    ['daily', '2024-02-29 23:59:59', '2024-02-29'],
    ['daily', '2024-03-01 00:00:00', '2024-03-01'],
    ['monthly', '2024-02-29 23:59:59', '2024-02'],
    ['monthly', '2025-12-31 23:59:59', '2025-12'],
    ['yearly', '2025-12-31 23:59:59', '2025'],
    ['yearly', '2026-01-01 00:00:00', '2026'],
  ] as const)('%s period of %s is %s', (rule, time, period) => {
    expect(periodOf(rule, at(time))).toBe(period);
  });

  test('periods are UTC whatever the machine’s zone: an instant just before midnight UTC stays on its UTC day', () => {
    // 23:30 UTC is the next day in Tokyo and the same day in Los Angeles: the rule reads UTC only.
    expect(periodOf('daily', new Date('2026-11-30T23:30:00-00:00'))).toBe('2026-11-30');
    expect(periodOf('daily', new Date('2026-12-01T08:30:00+09:00'))).toBe('2026-11-30');
  });
});

describe('calendarReasons', () => {
  test.each<{
    case: string;
    times: string[];
    given: Partial<CalendarRules>;
    max?: number;
    kept: Record<string, string>;
  }>([
    {
      case: 'no rule: nothing kept (keeping everything is the caller’s business)',
      times: ['2026-11-30 02:00:00', '2026-11-29 02:00:00'],
      given: {},
      kept: {},
    },
    {
      case: 'no backups: no reasons',
      times: [],
      given: { daily: 7 },
      kept: {},
    },
    {
      case: 'daily: the newest of each day; several a day, only the last of each day counts',
      times: [
        '2026-11-30 02:00:00',
        '2026-11-30 14:00:00',
        '2026-11-29 02:00:00',
        '2026-11-29 23:59:59',
        '2026-11-28 00:00:00',
        '2026-11-27 12:00:00',
      ],
      given: { daily: 3 },
      kept: {
        '2026-11-30 14:00:00': 'daily 2026-11-30',
        '2026-11-29 23:59:59': 'daily 2026-11-29',
        '2026-11-28 00:00:00': 'daily 2026-11-28',
      },
    },
    {
      case: 'gaps: days without a backup do not count, so 3 daily reach back past the gap',
      times: [
        '2026-11-30 02:00:00',
        '2026-11-10 02:00:00',
        '2026-10-01 02:00:00',
        '2026-09-01 02:00:00',
      ],
      given: { daily: 3 },
      kept: {
        '2026-11-30 02:00:00': 'daily 2026-11-30',
        '2026-11-10 02:00:00': 'daily 2026-11-10',
        '2026-10-01 02:00:00': 'daily 2026-10-01',
      },
    },
    {
      case: 'fewer periods than asked: each period’s newest, and the oldest backup too (restic keeps the history as long as it can)',
      times: [
        '2026-11-30 02:00:00',
        '2026-11-01 02:00:00',
        '2026-10-31 02:00:00',
        '2026-10-15 02:00:00',
        '2026-10-01 02:00:00',
      ],
      given: { monthly: 12 },
      kept: {
        '2026-11-30 02:00:00': 'monthly 2026-11',
        '2026-10-31 02:00:00': 'monthly 2026-10',
        '2026-10-01 02:00:00': 'monthly 2026-10 (oldest)',
      },
    },
    {
      case: 'exactly as many periods as asked: no extra oldest',
      times: ['2026-11-30 02:00:00', '2026-10-31 02:00:00', '2026-10-01 02:00:00'],
      given: { monthly: 2 },
      kept: {
        '2026-11-30 02:00:00': 'monthly 2026-11',
        '2026-10-31 02:00:00': 'monthly 2026-10',
      },
    },
    {
      case: 'the oldest backup alone in its period is kept as that period’s newest, not as an extra',
      times: ['2026-11-30 02:00:00', '2026-10-31 02:00:00'],
      given: { monthly: 5 },
      kept: {
        '2026-11-30 02:00:00': 'monthly 2026-11',
        '2026-10-31 02:00:00': 'monthly 2026-10',
      },
    },
    {
      case: 'weekly across a year with week 53: 2 January 2027 is in 2026-W53 with 28 December, 4 January starts 2027-W01',
      times: [
        '2027-01-04 02:00:00',
        '2027-01-02 02:00:00',
        '2026-12-28 02:00:00',
        '2026-12-27 02:00:00',
      ],
      given: { weekly: 2 },
      kept: {
        '2027-01-04 02:00:00': 'weekly 2027-W01',
        '2027-01-02 02:00:00': 'weekly 2026-W53',
      },
    },
    {
      case: 'monthly and a leap day: the last second of 29 February is February’s newest, midnight of 1 March is March’s',
      times: [
        '2024-03-01 00:00:00',
        '2024-02-29 23:59:59',
        '2024-02-28 12:00:00',
        '2024-01-31 23:59:59',
      ],
      given: { monthly: 2 },
      kept: {
        '2024-03-01 00:00:00': 'monthly 2024-03',
        '2024-02-29 23:59:59': 'monthly 2024-02',
      },
    },
    {
      case: 'daily over a leap day: 28 February, 29 February and 1 March are three days',
      times: [
        '2024-03-01 02:00:00',
        '2024-02-29 02:00:00',
        '2024-02-28 02:00:00',
        '2024-02-27 02:00:00',
      ],
      given: { daily: 3 },
      kept: {
        '2024-03-01 02:00:00': 'daily 2024-03-01',
        '2024-02-29 02:00:00': 'daily 2024-02-29',
        '2024-02-28 02:00:00': 'daily 2024-02-28',
      },
    },
    {
      case: 'yearly across new year: one second apart, two years',
      times: [
        '2026-01-01 00:00:00',
        '2025-12-31 23:59:59',
        '2025-06-01 00:00:00',
        '2024-01-01 00:00:00',
      ],
      given: { yearly: 2 },
      kept: {
        '2026-01-01 00:00:00': 'yearly 2026',
        '2025-12-31 23:59:59': 'yearly 2025',
      },
    },
    {
      case: 'the rules are a union: each rule that keeps a backup is named',
      times: [
        '2026-11-30 02:00:00',
        '2026-11-29 02:00:00',
        '2026-11-22 02:00:00',
        '2026-11-15 02:00:00',
        '2026-10-31 02:00:00',
        '2026-10-15 02:00:00',
      ],
      given: { last: 1, daily: 2, weekly: 2, monthly: 2 },
      kept: {
        '2026-11-30 02:00:00': 'last #1, daily 2026-11-30, weekly 2026-W49, monthly 2026-11',
        '2026-11-29 02:00:00': 'daily 2026-11-29, weekly 2026-W48',
        '2026-10-31 02:00:00': 'monthly 2026-10',
      },
    },
    {
      case: 'max-backups given beside calendar rules is one more rule: its newest N',
      times: [
        '2026-11-30 02:00:00',
        '2026-11-30 01:00:00',
        '2026-11-30 00:00:00',
        '2026-11-01 02:00:00',
      ],
      given: { monthly: 1 },
      max: 2,
      kept: {
        '2026-11-30 02:00:00': 'max-backups #1, monthly 2026-11',
        '2026-11-30 01:00:00': 'max-backups #2',
      },
    },
    {
      case: 'keep-last counts backups, not periods',
      times: ['2026-11-30 02:00:00', '2026-11-30 01:00:00', '2026-11-30 00:00:00'],
      given: { last: 2 },
      kept: {
        '2026-11-30 02:00:00': 'last #1',
        '2026-11-30 01:00:00': 'last #2',
      },
    },
    {
      case: 'the GFS example: 7 daily, 4 weekly, 12 monthly over daily backups',
      times: Array.from({ length: 120 }, (_, i) =>
        new Date(at('2026-11-30 02:00:00').getTime() - i * 86_400_000)
          .toISOString()
          .slice(0, 19)
          .replace('T', ' '),
      ),
      given: { daily: 7, weekly: 4, monthly: 12 },
      kept: {
        '2026-11-30 02:00:00': 'daily 2026-11-30, weekly 2026-W49, monthly 2026-11',
        '2026-11-29 02:00:00': 'daily 2026-11-29, weekly 2026-W48',
        '2026-11-28 02:00:00': 'daily 2026-11-28',
        '2026-11-27 02:00:00': 'daily 2026-11-27',
        '2026-11-26 02:00:00': 'daily 2026-11-26',
        '2026-11-25 02:00:00': 'daily 2026-11-25',
        '2026-11-24 02:00:00': 'daily 2026-11-24',
        '2026-11-22 02:00:00': 'weekly 2026-W47',
        '2026-11-15 02:00:00': 'weekly 2026-W46',
        '2026-10-31 02:00:00': 'monthly 2026-10',
        '2026-09-30 02:00:00': 'monthly 2026-09',
        '2026-08-31 02:00:00': 'monthly 2026-08',
        // 120 days reach back to 3 August: the monthly rule has months left, so it keeps the oldest.
        '2026-08-03 02:00:00': 'monthly 2026-08 (oldest)',
      },
    },
  ])('$case', ({ times, given, max, kept }) => {
    expect(plan(times, given, max)).toEqual(kept);
  });

  test('against a plain reading of the rules, on 300 random histories', () => {
    // Deterministic pseudo-random histories: clusters, gaps and ties within a second of a period's edge.
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const start = at('2019-12-25 00:00:00').getTime();
    for (let round = 0; round < 300; round += 1) {
      const count = Math.floor(random() * 40);
      const spread = [3_600_000, 86_400_000, 7 * 86_400_000, 40 * 86_400_000][round % 4]!;
      const times = Array.from(
        { length: count },
        () => new Date(start + Math.floor((random() * spread * 30) / 1000) * 1000),
      ).sort((a, b) => b.getTime() - a.getTime());
      const given = rules({
        daily: Math.floor(random() * 5),
        weekly: Math.floor(random() * 5),
        monthly: Math.floor(random() * 5),
        yearly: Math.floor(random() * 3),
        last: Math.floor(random() * 3),
      });
      const got = calendarReasons(
        times.map((time) => ({ time })),
        given,
      ).map((why) => why.map(describeReason).sort());
      const want = times.map((): string[] => []);
      for (const rule of ['daily', 'weekly', 'monthly', 'yearly'] as const) {
        const firstOf = new Map<string, number>();
        times.forEach((time, index) => {
          const period = periodOf(rule, time);
          if (!firstOf.has(period)) firstOf.set(period, index);
        });
        const periods = [...firstOf.entries()].slice(0, given[rule]);
        for (const [period, index] of periods) want[index]!.push(`${rule} ${period}`);
        // Fewer periods than asked: the oldest backup too, unless it already stands for its period.
        const oldest = times.length - 1;
        if (
          given[rule] > firstOf.size &&
          times.length > 0 &&
          firstOf.get(periodOf(rule, times[oldest]!)) !== oldest
        )
          want[oldest]!.push(`${rule} ${periodOf(rule, times[oldest]!)} (oldest)`);
      }
      for (let index = 0; index < Math.min(given.last, times.length); index += 1)
        want[index]!.push(`last #${index + 1}`);
      expect(got).toEqual(want.map((why) => why.sort()));
    }
  });

  test('describeRules names the rules as given', () => {
    expect(describeRules(rules({ daily: 7, weekly: 4, monthly: 12 }), undefined)).toBe(
      'keep-daily=7, keep-weekly=4, keep-monthly=12',
    );
    expect(describeRules(rules({ last: 3 }), 5)).toBe('max-backups=5, keep-last=3');
    expect(describeRules(undefined, 10)).toBe('max-backups=10');
  });
});

const s = (stamp: string): string => `sqlite_backup_${stamp}.db.gz`;

describe('planRetention with calendar rules', () => {
  const names = [
    s('20261130_020000'),
    s('20261129_020000'),
    s('20261128_020000'),
    s('20261101_020000'),
    s('20261031_020000'),
  ];

  test('a backup no rule keeps is removed; foreign files, other engines, before-restore copies and sanitized copies are not candidates', () => {
    const foreign = [
      'notes.txt',
      'postgres_backup_20200101_000000.sql.gz',
      'sqlite_before-restore_20190101_000000.db.gz',
      'sqlite_sanitized_20190101_000000.db.gz',
      `${s('20261031_020000')}.json`,
    ];
    const result = planRetention([...names, ...foreign], {
      engine: 'sqlite',
      maxBackups: undefined,
      keep: rules({ daily: 2, monthly: 2 }),
    });
    expect(result.remove.map((b) => b.name)).toEqual([s('20261128_020000'), s('20261101_020000')]);
    expect(
      Object.fromEntries([...result.reasons].map(([n, r]) => [n, r.map(describeRetentionReason)])),
    ).toEqual({
      [s('20261130_020000')]: ['daily 2026-11-30', 'monthly 2026-11'],
      [s('20261129_020000')]: ['daily 2026-11-29'],
      [s('20261031_020000')]: ['monthly 2026-10'],
    });
  });

  test('ties in one second: the higher sequence is the newer, and the one a daily rule keeps', () => {
    const tied = [s('20261130_020000'), s('20261130_020000_1'), s('20261130_020000_2')];
    const result = planRetention(tied, {
      engine: 'sqlite',
      maxBackups: undefined,
      keep: rules({ daily: 1 }),
    });
    expect(result.keep.map((b) => b.name)).toEqual([s('20261130_020000_2')]);
  });

  test('max-backups 0 keeps all whatever the calendar says; no window and no rule keeps all too', () => {
    for (const maxBackups of [0, undefined]) {
      const result = planRetention(names, {
        engine: 'sqlite',
        maxBackups,
        keep: maxBackups === 0 ? rules({ daily: 1 }) : NO_CALENDAR_RULES,
      });
      expect(result.remove).toEqual([]);
      expect([...result.reasons.values()].flat().map(describeRetentionReason)).toEqual(
        names.map(() => 'max-backups 0 keeps all'),
      );
    }
  });

  test('the newest backup that held rows is kept beyond the calendar, and says so', () => {
    const result = planRetention(names, {
      engine: 'sqlite',
      maxBackups: undefined,
      keep: rules({ daily: 2 }),
      heldRows: new Map([
        [s('20261130_020000'), false],
        [s('20261129_020000'), false],
        [s('20261128_020000'), false],
        [s('20261101_020000'), true],
      ]),
    });
    expect(result.keptForData?.name).toBe(s('20261101_020000'));
    expect(result.reasons.get(s('20261101_020000'))?.map(describeRetentionReason)).toEqual([
      'the newest backup that held rows',
    ]);
    expect(result.remove.map((b) => b.name)).toEqual([s('20261128_020000'), s('20261031_020000')]);
  });

  test('the backup just written is kept even when its clock puts it behind the rules', () => {
    const result = planRetention(names, {
      engine: 'sqlite',
      maxBackups: undefined,
      keep: rules({ last: 1 }),
      protect: [s('20261031_020000')],
    });
    expect(result.keep.map((b) => b.name)).toEqual([s('20261130_020000'), s('20261031_020000')]);
    expect(result.reasons.get(s('20261031_020000'))?.map(describeRetentionReason)).toEqual([
      'the backup just written',
    ]);
  });

  test.each<{ case: string; records: string[]; verified?: string; failure?: string }>([
    {
      case: 'a passed test restore of an old backup keeps it',
      records: [`${s('20261101_020000')}.verified_20261102_000000.json`],
      verified: s('20261101_020000'),
    },
    {
      case: 'of two verified backups, the newer is the one kept beyond the rules',
      records: [
        `${s('20261101_020000')}.verified_20261102_000000.json`,
        `${s('20261128_020000')}.verified_20261128_030000.json`,
      ],
      verified: s('20261128_020000'),
    },
    {
      case: 'a later failed verification withdraws the proof; an older passed backup then stands',
      records: [
        `${s('20261031_020000')}.verified_20261031_030000.json`,
        `${s('20261101_020000')}.verified_20261102_000000.json`,
        `${s('20261101_020000')}.verify-failed_20261120_000000.json`,
      ],
      verified: s('20261031_020000'),
      // The newest backup with a verification failed it: kept while no newer one passes.
      failure: s('20261101_020000'),
    },
    {
      case: 'a pass after a failure counts again',
      records: [
        `${s('20261101_020000')}.verify-failed_20261102_000000.json`,
        `${s('20261101_020000')}.verified_20261103_000000.json`,
      ],
      verified: s('20261101_020000'),
    },
    {
      case: 'same-second records: the higher sequence is the later',
      records: [
        `${s('20261101_020000')}.verified_20261102_000000.json`,
        `${s('20261101_020000')}.verify-failed_20261102_000000_1.json`,
      ],
      failure: s('20261101_020000'),
    },
    {
      case: 'a later quick check neither proves nor withdraws anything',
      records: [
        `${s('20261101_020000')}.verified_20261102_000000.json`,
        `${s('20261101_020000')}.quick-checked_20261103_000000.json`,
        `${s('20261128_020000')}.quick-checked_20261128_030000.json`,
      ],
      verified: s('20261101_020000'),
    },
    {
      case: 'a quick check is not a test restore',
      records: [`${s('20261101_020000')}.quick-checked_20261102_000000.json`],
    },
    {
      case: 'a record of a backup that is gone proves nothing',
      records: [`${s('20250101_020000')}.verified_20250102_000000.json`],
    },
  ])('newest verified: $case', ({ records, verified, failure }) => {
    const all = [...names, ...records];
    expect(verificationGuards(all, retentionCandidates(all, 'sqlite')).verified?.name).toBe(
      verified,
    );
    const result = planRetention(all, {
      engine: 'sqlite',
      maxBackups: 1,
      keep: rules({}),
    });
    const beyond = result.keep.filter((b) => b.name !== s('20261130_020000')).map((b) => b.name);
    expect(beyond).toEqual(
      [failure, verified].filter((name) => name !== undefined).sort((a, b) => b.localeCompare(a)),
    );
    expect(result.keptVerified?.name).toBe(verified);
    expect(result.keptFailure?.name).toBe(failure);
    if (verified) {
      expect(result.reasons.get(verified)?.map(describeRetentionReason)).toEqual([
        'the newest backup that passed a test restore',
      ]);
    }
    if (failure) {
      expect(result.reasons.get(failure)?.map(describeRetentionReason)).toEqual([
        'its verification failed, and no newer backup has passed one since',
      ]);
    }
  });

  test('a failed verification is kept only until a newer backup passes', () => {
    const failed = `${s('20261101_020000')}.verify-failed_20261102_000000.json`;
    const held = planRetention([...names, failed], { engine: 'sqlite', maxBackups: 1 });
    expect(held.keptFailure?.name).toBe(s('20261101_020000'));
    const healed = planRetention(
      [...names, failed, `${s('20261128_020000')}.verified_20261128_030000.json`],
      { engine: 'sqlite', maxBackups: 1 },
    );
    expect(healed.keptFailure).toBeUndefined();
    expect(healed.keep.map((b) => b.name)).toEqual([s('20261130_020000'), s('20261128_020000')]);
  });

  test('an older backup verified again keeps the freshest proof beside the newest verified backup', () => {
    // Status counts the most recent pass: removing its backup would make "the last proof" older.
    const records = [
      `${s('20261101_020000')}.verified_20261129_000000.json`,
      `${s('20261128_020000')}.verified_20261128_030000.json`,
    ];
    const all = [...names, ...records];
    expect(verificationGuards(all, retentionCandidates(all, 'sqlite')).freshest?.name).toBe(
      s('20261101_020000'),
    );
    const result = planRetention(all, { engine: 'sqlite', maxBackups: 1 });
    expect(result.keptVerified?.name).toBe(s('20261128_020000'));
    expect(result.keptFreshestProof?.name).toBe(s('20261101_020000'));
    expect(result.keep.map((b) => b.name)).toEqual([
      s('20261130_020000'),
      s('20261128_020000'),
      s('20261101_020000'),
    ]);
    expect(result.reasons.get(s('20261101_020000'))?.map(describeRetentionReason)).toEqual([
      'the backup whose test restore passed most recently',
    ]);
  });

  test.each<{ case: string; records: string[] }>([
    {
      case: 'the freshest proof is the newest verified backup',
      records: [
        `${s('20261101_020000')}.verified_20261102_000000.json`,
        `${s('20261128_020000')}.verified_20261128_030000.json`,
      ],
    },
    {
      case: 'a pass taken back by a later failure is no proof',
      records: [
        `${s('20261101_020000')}.verified_20261129_000000.json`,
        `${s('20261101_020000')}.verify-failed_20261129_010000.json`,
        `${s('20261128_020000')}.verified_20261128_030000.json`,
      ],
    },
    {
      case: 'a quick check is no proof',
      records: [
        `${s('20261101_020000')}.quick-checked_20261129_000000.json`,
        `${s('20261128_020000')}.verified_20261128_030000.json`,
      ],
    },
  ])('no second backup kept when $case', ({ records }) => {
    const result = planRetention([...names, ...records], { engine: 'sqlite', maxBackups: 1 });
    expect(result.keptFreshestProof).toBeUndefined();
    expect(result.keep.map((b) => b.name)).toEqual([s('20261130_020000'), s('20261128_020000')]);
  });

  test('a verified backup a rule keeps anyway is not said to be kept beyond the rules', () => {
    const result = planRetention(
      [...names, `${s('20261130_020000')}.verified_20261130_030000.json`],
      { engine: 'sqlite', maxBackups: 1 },
    );
    expect(result.keptVerified).toBeUndefined();
    expect(result.remove).toHaveLength(4);
  });
});
