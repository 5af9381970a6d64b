import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createBackup } from '../src/commands/create-backup.js';
import { openBackup } from '../src/commands/locate-backup.js';
import { uploadBackup } from '../src/catalog/paired-upload.js';
import { createEngine } from '../src/engines/index.js';
import { UserError } from '../src/domain/errors.js';
import type { Progress, ProgressOptions } from '../src/domain/progress.js';
import { fetchVerified } from '../src/catalog/fetch-verified.js';
import { LocalStorage } from '../src/storage/local.js';
import {
  describeProgress,
  logIntervalFrom,
  progressLine,
  terminalStderr,
  type ProgressClock,
} from '../src/report/progress-line.js';
import { sourceCli } from './support/cli.js';
import { SAMPLE_SCHEMA, startPostgres, type PgServer } from './support/postgres.js';
import { createSampleDatabase } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

/** A clock that moves only when told to, firing the timers it passes. */
class FakeClock implements ProgressClock {
  private time = 1_000_000;
  private timers: { every: number; next: number; tick: () => void; stopped: boolean }[] = [];

  now(): number {
    return this.time;
  }

  every(ms: number, tick: () => void): () => void {
    const timer = { every: ms, next: this.time + ms, tick, stopped: false };
    this.timers.push(timer);
    return () => {
      timer.stopped = true;
    };
  }

  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers
        .filter((t) => !t.stopped && t.next <= end)
        .sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      this.time = due.next;
      due.next += due.every;
      due.tick();
    }
    this.time = end;
  }

  get running(): number {
    return this.timers.filter((t) => !t.stopped).length;
  }
}

function recorder(terminal: boolean): {
  lines: string[];
  output: { terminal: boolean; write(text: string): void };
} {
  const lines: string[] = [];
  return { lines, output: { terminal, write: (text) => lines.push(text) } };
}

describe('progress in a log', () => {
  test('nothing for work shorter than the interval; then one line per interval; nothing after the end', () => {
    const clock = new FakeClock();
    const { lines, output } = recorder(false);
    const progress = progressLine({ output, clock, logIntervalMs: 15_000 });

    const short = progress.start('short', { total: 100 });
    short.advance(100);
    clock.advance(14_999);
    short.end();
    clock.advance(60_000);
    expect(lines).toEqual([]);

    const long = progress.start('backup of app.db', { total: 40 * 1024 * 1024 });
    for (let second = 0; second < 46; second += 1) {
      long.advance(1024 * 1024);
      clock.advance(1000);
    }
    expect(lines).toEqual([
      'backup of app.db: 15.0 MiB of 40.0 MiB (37%), 1.00 MiB/s, 15.0 s',
      'backup of app.db: 30.0 MiB of 40.0 MiB (75%), 1.00 MiB/s, 30.0 s',
      'backup of app.db: 45.0 MiB of 40.0 MiB (100%), 1.00 MiB/s, 45.0 s',
    ]);
    long.end();
    clock.advance(100_000);
    expect(lines).toHaveLength(3);
    expect(clock.running).toBe(0);
  });

  test('a stalled job still says it is alive, at the same pace, never faster', () => {
    const clock = new FakeClock();
    const { lines, output } = recorder(false);
    const task = progressLine({ output, clock, logIntervalMs: 10_000 }).start('upload', {
      total: 10,
    });
    clock.advance(65_000);
    expect(lines).toHaveLength(6);
    expect(new Set(lines.map((line) => line.replace(/, [\d.]+ (s|min \d+ s)$/, ''))).size).toBe(1);
    task.end();
  });

  test('end twice is harmless', () => {
    const clock = new FakeClock();
    const { output } = recorder(false);
    const task = progressLine({ output, clock }).start('x');
    task.end();
    task.end();
    expect(clock.running).toBe(0);
  });
});

describe('progress at a terminal', () => {
  test('one line redrawn twice a second, cleared at the end', () => {
    const clock = new FakeClock();
    const { lines, output } = recorder(true);
    const task = progressLine({ output, clock }).start('restoring x.sql.gz', { total: 4096 });
    clock.advance(499);
    expect(lines).toEqual([]);
    task.advance(1024);
    clock.advance(1);
    task.advance(1024);
    clock.advance(500);
    task.end();
    expect(lines).toEqual([
      'restoring x.sql.gz: 1.00 KiB of 4.00 KiB (25%), 500 ms',
      'restoring x.sql.gz: 2.00 KiB of 4.00 KiB (50%), 2.00 KiB/s, 1.0 s',
      '',
    ]);
  });

  test('work that ends before the first redraw leaves nothing to clear', () => {
    const clock = new FakeClock();
    const { lines, output } = recorder(true);
    const task = progressLine({ output, clock }).start('quick');
    clock.advance(100);
    task.end();
    expect(lines).toEqual([]);
  });

  test('a log line clears the progress line and draws it again below; the line is cut to the width', () => {
    const raw: string[] = [];
    const stderr = terminalStderr(
      (text) => raw.push(text),
      () => 20,
    );
    stderr.line('before');
    stderr.progress.write('backup of app.db: 1.00 MiB, 3.0 s');
    stderr.line('warning: something');
    stderr.progress.write('');
    stderr.line('after');
    expect(raw).toEqual([
      'before\n',
      '\rbackup of app.db: 1\x1b[K',
      '\r\x1b[K',
      'warning: something\n',
      'backup of app.db: 1',
      '\r\x1b[K',
      'after\n',
    ]);
  });
});

describe('what a progress line says', () => {
  test.each([
    [
      [1024 * 1024, 2000, { total: 4 * 1024 * 1024 }],
      'x: 1.00 MiB of 4.00 MiB (25%), 512.0 KiB/s, 2.0 s',
    ],
    [
      [300 * 1024 * 1024, 10_000, { total: 1024 * 1024 * 1024, estimate: true }],
      'x: 300.0 MiB of ~1.00 GiB (~29%), 30.0 MiB/s, 10.0 s',
    ],
    // An estimate that was too low: no percentage rather than a wrong one.
    [
      [2 * 1024 * 1024, 4000, { total: 1024 * 1024, estimate: true }],
      'x: 2.00 MiB, 512.0 KiB/s, 4.0 s',
    ],
    [[999, 999, { total: 1000, estimate: true }], 'x: 999 B of ~1000 B (~99%), 999 ms'],
    [[5 * 1024, 90_000, {}], 'x: 5.00 KiB, 57 B/s, 1 min 30 s'],
    [[0, 20_000, { uncounted: true }], 'x: 20.0 s'],
  ] as const)('%o → %s', ([bytes, elapsed, task], expected) => {
    expect(describeProgress('x', bytes, elapsed, task)).toBe(expected);
  });

  test('a polled count (a download writing a file) is asked at each line; a failing poll keeps the last count', () => {
    const clock = new FakeClock();
    const { lines, output } = recorder(false);
    const file: { size?: number } = {};
    const task = progressLine({ output, clock, logIntervalMs: 10_000 }).start('download', {
      total: 2048,
      poll: () => {
        if (file.size === undefined) throw new Error('ENOENT');
        return file.size;
      },
    });
    clock.advance(10_000);
    file.size = 1024;
    clock.advance(10_000);
    task.end();
    expect(lines).toEqual([
      'download: 0 B of 2.00 KiB (0%), 0 B/s, 10.0 s',
      'download: 1.00 KiB of 2.00 KiB (50%), 51 B/s, 20.0 s',
    ]);
  });

  test.each([
    [{}, 15_000],
    [{ DB_BACKUP_PROGRESS_INTERVAL: '30' }, 30_000],
    [{ DB_BACKUP_PROGRESS_INTERVAL: ' 1 ' }, 1000],
  ])('DB_BACKUP_PROGRESS_INTERVAL %o → %i ms', (env, ms) => {
    expect(logIntervalFrom(env)).toBe(ms);
  });

  test.each(['0', '3601', '1.5', 'often'])(
    'DB_BACKUP_PROGRESS_INTERVAL=%s is refused in one line',
    (value) => {
      expect(() => logIntervalFrom({ DB_BACKUP_PROGRESS_INTERVAL: value })).toThrow(UserError);
    },
  );
});

describe('progress through the real CLI, stderr not a terminal', () => {
  let server: PgServer;
  let slowPgDump: string;
  const dir = tempDir('progress-cli');

  beforeAll(async () => {
    server = await startPostgres();
    await server.createDatabase('app', SAMPLE_SCHEMA);
    const pgDump = spawnSync('sh', ['-c', 'command -v pg_dump'], {
      encoding: 'utf8',
    }).stdout.trim();
    // A pg_dump that writes its first 16 KiB, then stalls for 4 s before the rest.
    slowPgDump = path.join(dir, 'slow-pg_dump');
    fs.writeFileSync(
      slowPgDump,
      `#!/bin/sh\nif [ "$1" = "--version" ]; then exec "${pgDump}" --version; fi\n"${pgDump}" "$@" | { dd bs=16384 count=1 iflag=fullblock 2>/dev/null; sleep 4; cat; }\n`,
      { mode: 0o755 },
    );
  });

  afterAll(async () => {
    await server?.stop();
  });

  test('a slow pg_dump: a line every interval with bytes, the estimate, rate and time; --quiet: none', async () => {
    const backup = (extra: string[]) =>
      sourceCli(
        ['backup', '--database-url', server.url('app'), '--pg-dump-path', slowPgDump, ...extra],
        {
          cwd: dir,
          env: { DB_BACKUP_PROGRESS_INTERVAL: '1' },
        },
      );
    const run = await backup([]);
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stderr.split('\n').filter((line) => line.startsWith('backup of app:'));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) {
      expect(line).toMatch(
        /^backup of app: [\d.]+ (B|KiB|MiB)( of ~[\d.]+ (KiB|MiB|GiB) \(~\d+%\))?, [\d.]+ (B|KiB|MiB)\/s, [\d.]+ s$/,
      );
    }
    expect(lines.some((line) => line.includes('of ~'))).toBe(true);
    // No carriage returns or terminal codes in a log.
    expect(run.stderr).not.toContain('\r');
    expect(run.stderr).not.toContain('\u001b');
    expect(run.stderr).not.toContain(server.url('app'));

    const quiet = await backup(['--quiet']);
    expect(quiet.status, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toMatch(/^backup of app:/m);
  }, 60_000);

  test('without a shorter interval, work shorter than 15 s prints no progress at all', async () => {
    const db = path.join(dir, 'small.db');
    createSampleDatabase(db, { rows: 100 });
    const run = await sourceCli(
      ['backup', '--database-url', `file:${db}`, '--backup-dir', path.join(dir, 'small')],
      { cwd: dir },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/backup of small\.db:/);
  });
});

/** Records what the stages told progress. */
function recordingProgress(): {
  progress: Progress;
  tasks: { label: string; options: ProgressOptions; bytes: number; ended: boolean }[];
} {
  const tasks: { label: string; options: ProgressOptions; bytes: number; ended: boolean }[] = [];
  return {
    tasks,
    progress: {
      start: (label, options = {}) => {
        const task = { label, options, bytes: 0, ended: false };
        tasks.push(task);
        return {
          advance: (bytes) => {
            task.bytes += bytes;
          },
          end: () => {
            task.ended = true;
          },
        };
      },
    },
  };
}

describe('which work reports progress, and against what total', () => {
  test('backup: the dump counted against the snapshot size; upload against the file; download polled; restore against the stored file', async () => {
    const dir = tempDir('progress-wiring');
    const db = path.join(dir, 'app.db');
    createSampleDatabase(db, { rows: 500 });
    const { progress, tasks } = recordingProgress();
    const engine = await createEngine(
      { engine: 'sqlite', path: db },
      { log: { info: () => undefined, warn: () => undefined } },
    );
    const backup = await createBackup(engine, path.join(dir, 'backups'), {
      kind: 'backup',
      compression: { algorithm: 'zstd', level: 3 },
      progress,
    });
    const size = fs.statSync(db).size;
    expect(tasks.map((t) => [t.label, t.options, t.bytes, t.ended])).toEqual([
      ['preparing the backup of app.db', { uncounted: true }, 0, true],
      ['backup of app.db', { total: size, estimate: false }, size, true],
    ]);

    tasks.length = 0;
    fs.mkdirSync(path.join(dir, 'remote'));
    const remote = new LocalStorage(path.join(dir, 'remote'));
    await uploadBackup(remote, backup, progress);
    const stored = backup.manifest.file.size;
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({
      label: `uploading ${backup.name} to ${remote.location}`,
      ended: true,
    });
    expect(tasks[0]!.options.total).toBe(stored);
    expect(tasks[0]!.options.poll?.()).toBe(stored);

    tasks.length = 0;
    const fetchDir = tempDir('progress-fetch');
    await fetchVerified(remote, backup.name, fetchDir, progress);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({
      label: `downloading ${backup.name} from ${remote.location}`,
      ended: true,
    });
    expect(tasks[0]!.options.total).toBe(stored);
    expect(tasks[0]!.options.poll?.()).toBe(stored);

    tasks.length = 0;
    const source = await openBackup(
      { name: backup.name, file: backup.file, manifest: backup.manifest, engine: 'sqlite' },
      {},
      true,
      undefined,
      progress,
    );
    await source.check();
    await source.decodeToFile(path.join(dir, 'unpacked.db'));
    expect(tasks.map((t) => [t.label, t.options.total, t.bytes, t.ended])).toEqual([
      [`checking ${backup.name}`, stored, stored, true],
      [`unpacking ${backup.name}`, stored, stored, true],
    ]);
  });
});
