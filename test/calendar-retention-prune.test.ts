/**
 * Calendar retention end to end: a year of real SQLite backups, each made by
 * `db-backup backup` at a time given through the clock the tool reads, then
 * pruned with keep-daily/weekly/monthly/yearly. What is kept, and the rule
 * that keeps it, is written out in full.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { PruneResult } from '../src/commands/prune.js';
import { renderSummary } from '../src/report/summary.js';
import { cli } from './support/cli.js';
import { createSampleDatabase } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

const at = (text: string): Date => new Date(`${text.replace(' ', 'T')}Z`);
const nameAt = (text: string): string =>
  `sqlite_backup_${text.replace(/[-:]/g, '').replace(' ', '_')}.db.gz`;

/** The year: the 1st and 15th of each month, a new year's eve one second apart, a gap, then two weeks of dailies. */
const TIMES: string[] = [
  '2025-12-01 02:00:00',
  '2025-12-15 02:00:00',
  '2025-12-31 23:59:59',
  '2026-01-01 00:00:00',
  ...Array.from({ length: 10 }, (_, m) => [
    `2026-${String(m + 1).padStart(2, '0')}-${m === 0 ? '02' : '01'} 02:00:00`,
    `2026-${String(m + 1).padStart(2, '0')}-15 02:00:00`,
  ]).flat(),
  // Nothing from 16 October to 15 November.
  ...Array.from({ length: 15 }, (_, d) => `2026-11-${String(d + 16).padStart(2, '0')} 02:00:00`),
  '2026-11-30 14:00:00',
];

const FOREIGN = [
  'notes.txt',
  'postgres_backup_20200101_000000.sql.gz',
  'sqlite_before-restore_20190101_000000.db.gz',
  'sqlite_backup_20260101_000000.db.gz.bak',
];

const RULES = [
  '--keep-daily',
  '7',
  '--keep-weekly',
  '4',
  '--keep-monthly',
  '12',
  '--keep-yearly',
  '2',
];

/** What the rules keep and why, newest first: worked out by hand from the calendar. */
const KEPT: Record<string, string[]> = {
  '2026-11-30 14:00:00': ['daily 2026-11-30', 'weekly 2026-W49', 'monthly 2026-11', 'yearly 2026'],
  '2026-11-29 02:00:00': ['daily 2026-11-29', 'weekly 2026-W48'],
  '2026-11-28 02:00:00': ['daily 2026-11-28'],
  '2026-11-27 02:00:00': ['daily 2026-11-27'],
  '2026-11-26 02:00:00': ['daily 2026-11-26'],
  '2026-11-25 02:00:00': ['daily 2026-11-25'],
  '2026-11-24 02:00:00': ['daily 2026-11-24'],
  '2026-11-22 02:00:00': ['weekly 2026-W47'],
  // The gap does not count: the fourth week with a backup is five weeks back.
  '2026-10-15 02:00:00': ['weekly 2026-W42', 'monthly 2026-10'],
  ...Object.fromEntries(
    ['09', '08', '07', '06', '05', '04', '03', '02', '01'].map((m) => [
      `2026-${m}-15 02:00:00`,
      [`monthly 2026-${m}`],
    ]),
  ),
  // One second before the year turns: the newest of December and of 2025.
  '2025-12-31 23:59:59': ['monthly 2025-12', 'yearly 2025'],
  // Verified once, and no newer backup was: kept beyond every rule.
  '2025-12-01 02:00:00': ['the newest backup that passed a test restore'],
};

describe('calendar retention over a year of SQLite backups', () => {
  let dir = '';
  let backups = '';
  beforeAll(async () => {
    dir = tempDir('gfs');
    backups = path.join(dir, 'backups');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 5 });
    for (const time of TIMES) {
      const run = await cli(['backup', '--database-url', 'file:app.db', '--max-backups', '0'], {
        cwd: dir,
        now: () => at(time),
      });
      expect(run.status, run.stderr).toBe(0);
    }
    // A test restore of the oldest backup leaves its record: the newest verified backup is never pruned.
    const verify = await cli(['verify', nameAt('2025-12-01 02:00:00')], {
      cwd: dir,
      now: () => at('2025-12-02 03:00:00'),
    });
    expect(verify.status, verify.stderr).toBe(0);
    for (const name of FOREIGN) fs.writeFileSync(path.join(backups, name), name);
  }, 300_000);

  test('every backup exists under the name its clock gave it', () => {
    const names = fs.readdirSync(backups);
    for (const time of TIMES) expect(names).toContain(nameAt(time));
    expect(names.filter((n) => /^sqlite_backup_\d{8}_\d{6}\.db\.gz$/.test(n))).toHaveLength(
      TIMES.length,
    );
  });

  test('prune --dry-run says which rule keeps each backup and what would go, and changes nothing', async () => {
    const before = fs.readdirSync(backups).sort();
    const dry = await cli(['prune', '--database-url', 'file:app.db', ...RULES, '--dry-run'], {
      cwd: dir,
    });
    expect(dry.status, dry.stderr).toBe(0);
    expect(fs.readdirSync(backups).sort()).toEqual(before);
    const removed = TIMES.filter((t) => !(t in KEPT));
    const lines = dry.stdout.split('\n');
    expect(lines[0]).toBe(
      `Would remove these ${removed.length} backups that no rule keeps (keep-daily=7, keep-weekly=4, keep-monthly=12, keep-yearly=2; ${Object.keys(KEPT).length} kept):`,
    );
    const keptAt = lines.indexOf('Kept, and why:');
    expect(
      lines
        .slice(1, keptAt)
        .map((l) => l.trim())
        .sort(),
    ).toEqual(removed.map(nameAt).sort());
    const why = lines.slice(keptAt + 1).map((line) => line.trim().split(/\s{2,}/));
    expect(why).toEqual(
      Object.entries(KEPT).map(([time, reasons]) => [nameAt(time), reasons.join(', ')]),
    );
    // The log, on stderr, says the same, backup by backup.
    expect(dry.stderr).toContain(
      `Kept ${nameAt('2025-12-31 23:59:59')} at local: monthly 2025-12, yearly 2025`,
    );
    expect(dry.stderr).toContain(
      `Would remove ${nameAt('2026-01-01 00:00:00')} from local (no rule keeps it: keep-daily=7, keep-weekly=4, keep-monthly=12, keep-yearly=2)`,
    );
  });

  test('prune removes exactly the rest, with manifests and records; the JSON and the summary give every reason', async () => {
    const run = await cli(['prune', '--database-url', 'file:app.db', ...RULES, '--json'], {
      cwd: dir,
    });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as PruneResult;
    const removed = TIMES.filter((t) => !(t in KEPT)).map(nameAt);
    expect([...result.removed].sort()).toEqual(removed.sort());
    expect(result.keptBy).toEqual(
      Object.fromEntries(Object.entries(KEPT).map(([time, reasons]) => [nameAt(time), reasons])),
    );
    expect(result.rules).toBe('keep-daily=7, keep-weekly=4, keep-monthly=12, keep-yearly=2');
    const left = fs.readdirSync(backups).sort();
    const kept = Object.keys(KEPT).map(nameAt);
    const record = left.filter((n) => n.includes('.verified_'));
    expect(record).toHaveLength(1);
    expect(left).toEqual([...FOREIGN, ...kept, ...kept.map((n) => `${n}.json`), ...record].sort());
    const summary = renderSummary(result);
    expect(summary).toContain(
      `| \`${nameAt('2026-11-30 14:00:00')}\` | daily 2026-11-30, weekly 2026-W49, monthly 2026-11, yearly 2026 |`,
    );
    expect(summary).toContain(
      `| \`${nameAt('2025-12-01 02:00:00')}\` | the newest backup that passed a test restore |`,
    );

    // Again: the plan is stable, nothing more to remove.
    const again = await cli(['prune', '--database-url', 'file:app.db', ...RULES], { cwd: dir });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout.split('\n')[0]).toBe(`Nothing to prune (${kept.length} kept)`);
  });

  test('the next night’s backup with KEEP_* in the environment applies the rules and its summary says why each is kept', async () => {
    const run = await cli(['backup', '--database-url', 'file:app.db', '--json'], {
      cwd: dir,
      now: () => at('2026-12-01 02:00:00'),
      env: { KEEP_DAILY: '7', KEEP_WEEKLY: '4', KEEP_MONTHLY: '12', KEEP_YEARLY: '2' },
    });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    // A new month: 2025-12's monthly slot falls to the thirteenth month back, but 2025 stays a year.
    expect(result.pruned).toEqual([nameAt('2026-11-24 02:00:00')]);
    const summary = renderSummary(result);
    expect(summary).toContain('### Why each backup is kept (local)');
    expect(summary).toContain(
      `| \`${nameAt('2026-12-01 02:00:00')}\` | daily 2026-12-01, weekly 2026-W49, monthly 2026-12, yearly 2026 |`,
    );
    expect(summary).toContain(`| \`${nameAt('2025-12-31 23:59:59')}\` | yearly 2025 |`);
    expect(summary).toContain(
      `| \`${nameAt('2026-11-30 14:00:00')}\` | daily 2026-11-30, monthly 2026-11 |`,
    );
  });
});

describe('calendar rules refused', () => {
  test.each([
    [['--keep-daily=-1'], {}, /keep-daily must be a whole number, 0 or more \(got "-1"\)/],
    [['--keep-weekly', 'four'], {}, /keep-weekly must be a whole number, 0 or more \(got "four"\)/],
    [['--keep-monthly', '1.5'], {}, /keep-monthly must be a whole number, 0 or more/],
    [[], { KEEP_YEARLY: 'x' }, /keep-yearly must be a whole number, 0 or more \(got "x"\)/],
    [
      ['--keep-daily', '7', '--max-backups', '0'],
      {},
      /^db-backup: max-backups 0 keeps every backup, so the keep-\* rules could never remove one: leave max-backups out \(or give it a number above 0\) to use them\.$/,
    ],
    [
      ['--keep-last', '2'],
      { MAX_BACKUPS: '0' },
      /max-backups 0 keeps every backup, so the keep-\* rules could never remove one/,
    ],
  ])('prune %j %j: one line, exit 2, nothing removed', async (args, env, message) => {
    const dir = tempDir('gfs-bad');
    const backups = path.join(dir, 'backups');
    fs.mkdirSync(backups, { mode: 0o700 });
    const names = ['sqlite_backup_20200101_000000.db.gz', 'sqlite_backup_20200102_000000.db.gz'];
    for (const name of names) fs.writeFileSync(path.join(backups, name), name);
    for (const command of ['prune', 'backup']) {
      const run = await cli([command, '--database-url', 'file:app.db', ...args], { cwd: dir, env });
      expect(run.status).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr.trim()).toMatch(message);
      expect(fs.readdirSync(backups).sort()).toEqual(names);
    }
  });

  test('without any keep-* rule, max-backups keeps its default of 10', async () => {
    const dir = tempDir('gfs-default');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 5 });
    // Real backups with manifests: one without a manifest is nobody's, and no window removes it.
    const times = Array.from(
      { length: 12 },
      (_, i) => `2020-01-${String(i + 1).padStart(2, '0')} 00:00:00`,
    );
    for (const time of times) {
      const made = await cli(['backup', '--database-url', 'file:app.db', '--max-backups', '0'], {
        cwd: dir,
        now: () => at(time),
      });
      expect(made.status, made.stderr).toBe(0);
    }
    const names = times.map(nameAt);
    const run = await cli(['prune', '--json', '--keep-daily', '0'], { cwd: dir });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as PruneResult;
    expect(result.removed).toEqual([names[1], names[0]]);
    expect(result.rules).toBe('max-backups=10');
    expect(result.keptBy[names[11]!]).toEqual(['max-backups #1']);
  });
});
