import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openBackup } from '../src/commands/locate-backup.js';
import { parseDatabaseUrl } from '../src/domain/database-location.js';
import { createEngine } from '../src/engines/index.js';
import { cli, finished, sourceCli, startCli, type CliRun } from './support/cli.js';
import { startPostgres, TEST_PASSWORD, type PgServer } from './support/postgres.js';
import { waitUntil } from './support/restore-faults.js';
import { tempDir } from './support/tmp.js';

// The pg_restore a restore reads an archive with: the one beside --pg-dump-path first, then every
// other here newest first, the first whose `pg_restore --list` reads the archive as its format.
// Readers that misbehave are shell scripts that log each run (argv, environment) to a directory.

let server: PgServer;
const env = { PATH: process.env.PATH };
const PG_DUMP = spawnSync('sh', ['-c', 'command -v pg_dump'], { encoding: 'utf8' }).stdout.trim();
const MAJOR = /(\d+)/.exec(execFileSync(PG_DUMP, ['--version'], { encoding: 'utf8' }))![1]!;
/** The real pg_restore of this machine's PostgreSQL (the binary, not Debian's wrapper). */
const PG_RESTORE = `/usr/lib/postgresql/${MAJOR}/bin/pg_restore`;

beforeAll(async () => {
  server = await startPostgres();
  await server.createDatabase(
    'reader_src',
    'CREATE TABLE small (id int); INSERT INTO small VALUES (1), (2), (3);',
  );
});

afterAll(async () => {
  await server?.stop();
});

async function backup(dir: string, format: string, extra: string[] = []): Promise<string> {
  const made = await cli(
    ['backup', '--database-url', server.url('reader_src'), '--format', format, '--json', ...extra],
    { cwd: dir, env },
  );
  expect(made.status, made.stderr).toBe(0);
  return (JSON.parse(made.stdout) as { file: string }).file;
}

interface Run {
  readonly argv: string;
  readonly environ: string;
}

/**
 * A pg_restore in `bin` that answers --version as `version` and otherwise logs its argv and
 * environment (one file pair per run, named by its pid) into `bin/runs`, then runs `body`.
 * The argv file appears last and whole: a test that sees it can read both.
 */
function fakePgRestore(bin: string, version: string, body: string): () => Run[] {
  const runs = path.join(bin, 'runs');
  fs.mkdirSync(runs, { recursive: true });
  fs.writeFileSync(
    path.join(bin, 'pg_restore'),
    `#!/bin/sh
if [ "$1" = "--version" ]; then echo "pg_restore (PostgreSQL) ${version}"; exit 0; fi
env > "${runs}/$$.env"; printf '%s\\n' "$*" > "${runs}/$$.part"; mv "${runs}/$$.part" "${runs}/$$.argv"
${body}
`,
    { mode: 0o755 },
  );
  return () =>
    fs
      .readdirSync(runs)
      .filter((name) => name.endsWith('.argv'))
      .map((name) => ({
        argv: fs.readFileSync(path.join(runs, name), 'utf8').trim(),
        environ: fs.readFileSync(path.join(runs, name.replace('.argv', '.env')), 'utf8'),
      }));
}

/** A directory with a pg_dump (the real one, exec'd) and the given pg_restore beside it. */
function clientBeside(dir: string, version: string, body: string) {
  const bin = path.join(dir, 'client');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'pg_dump'), `#!/bin/sh\nexec "${PG_DUMP}" "$@"\n`, {
    mode: 0o755,
  });
  const runs = fakePgRestore(bin, version, body);
  return { pgDump: path.join(bin, 'pg_dump'), runs };
}

/** The one line the tool ends with (its error), and that it is the only such line. */
function lastWord(run: CliRun): string {
  const lines = run.stderr
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('db-backup: '));
  expect(lines, run.stderr).toHaveLength(1);
  return lines[0]!;
}

const OLD_READER = `echo "pg_restore: error: unsupported version (1.14) in file header" >&2; exit 1`;

describe('a pg_restore beside --pg-dump-path that misbehaves on --list is passed over', () => {
  test.each([
    ['prints garbage and exits 0', `echo 'this is not a listing'; exit 0`],
    ['prints nothing and exits 0', `exit 0`],
    [
      'lists the archive as the other format',
      `"${PG_RESTORE}" "$@" | sed -e 's/Format: CUSTOM/Format: WAS_C/' -e 's/Format: DIRECTORY/Format: CUSTOM/' -e 's/Format: WAS_C/Format: DIRECTORY/'`,
    ],
    ['fails', `echo "pg_restore: error: something broke" >&2; exit 1`],
  ])(
    'one that %s: a good backup still restores, with a reader that reads it',
    async (label, body) => {
      for (const format of ['custom', 'directory']) {
        const dir = tempDir('reader-liar');
        const file = await backup(dir, format);
        const { pgDump, runs } = clientBeside(dir, '15.18', body);
        const target = `reader_liar_${format}_${label.replace(/\W/g, '_')}`;
        const run = await cli(
          [
            'restore',
            file,
            '--database-url',
            server.url(target),
            '--create-database',
            '--pg-dump-path',
            pgDump,
          ],
          { cwd: dir, env },
        );
        expect(run.status, `${format}: ${run.stderr}`).toBe(0);
        expect(await server.query(target, 'SELECT count(*)::int AS n FROM small')).toEqual([
          { n: 3 },
        ]);
        // The liar was asked once, to list; what restored was another pg_restore.
        expect(runs().map((r) => r.argv.split(' ')[0])).toEqual(['--list']);
        expect(run.stderr).toMatch(/Restoring it with pg_restore \d+\.\d+ \(/);
      }
    },
  );
});

describe('a pg_restore beside --pg-dump-path that reads the archive', () => {
  test('is the one that restores, after one --list run', async () => {
    for (const format of ['custom', 'directory']) {
      const dir = tempDir('reader-good');
      const file = await backup(dir, format);
      const { pgDump, runs } = clientBeside(dir, `${MAJOR}.0`, `exec "${PG_RESTORE}" "$@"`);
      const target = `reader_good_${format}`;
      const run = await cli(
        [
          'restore',
          file,
          '--database-url',
          server.url(target),
          '--create-database',
          '--pg-dump-path',
          pgDump,
        ],
        { cwd: dir, env },
      );
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toContain(`Restoring it with pg_restore ${MAJOR}.0\n`);
      expect(
        runs()
          .map((r) => r.argv.split(' ')[0])
          .sort(),
      ).toEqual(['--file=-', '--list']);
      expect(await server.query(target, 'SELECT count(*)::int AS n FROM small')).toEqual([
        { n: 3 },
      ]);
    }
  });
});

describe('a pg_restore that hangs on --list', () => {
  test('SIGTERM: exit 143, the hung pg_restore is stopped too, the scratch directory removed, the target unchanged', async () => {
    const dir = tempDir('reader-hang');
    const file = await backup(dir, 'custom');
    const { pgDump, runs } = clientBeside(dir, '15.18', 'exec sleep 600');
    await server.createDatabase(
      'reader_hang',
      'CREATE TABLE keep (x int); INSERT INTO keep VALUES (42);',
    );
    const tmp = path.join(dir, 'tmp');
    fs.mkdirSync(tmp);
    const running = startCli(
      ['restore', file, '--drop-database', '--yes', '--no-safety-backup', '--pg-dump-path', pgDump],
      {
        cwd: dir,
        env: { DATABASE_URL: server.url('reader_hang'), TMPDIR: tmp },
        fromSource: true,
      },
    );
    const runsDir = path.join(dir, 'client', 'runs');
    await waitUntil(
      () => fs.readdirSync(runsDir).some((name) => name.endsWith('.argv')),
      'the probe to start',
      running,
    );
    const probe = Number(fs.readdirSync(runsDir)[0]!.split('.')[0]);
    expect(runs().map((r) => r.argv.split(' ')[0])).toEqual(['--list']);
    running.child.kill('SIGTERM');
    const run = await finished(running);
    expect(run.status, run.stderr).toBe(143);
    try {
      // Gone, or a zombie waiting to be reaped: not a pg_restore still running after the tool.
      await waitUntil(
        () => {
          try {
            const stat = fs.readFileSync(`/proc/${probe}/stat`, 'utf8');
            return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
          } catch {
            return true;
          }
        },
        'the hung pg_restore to be stopped',
        undefined,
        30_000,
      );
    } finally {
      try {
        process.kill(probe, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    expect(fs.readdirSync(tmp).filter((name) => name.includes('restore'))).toEqual([]);
    expect(await server.query('reader_hang', 'SELECT x FROM keep')).toEqual([{ x: 42 }]);
  }, 120_000);
});

describe('damaged archives, whatever pg_restore is here: exit 2, one true line, target unchanged', () => {
  const header = (major: number, minor: number) => (b: Buffer) => {
    const copy = Buffer.from(b);
    copy[5] = major;
    copy[6] = minor;
    return copy;
  };
  test.each([
    [
      'custom',
      'cut inside its header',
      (b: Buffer) => b.subarray(0, 7),
      /not a readable custom archive \(pg_restore .*end of file\)/,
    ],
    ['custom', '"PGDMP" alone', () => Buffer.from('PGDMP'), /not a readable custom archive/],
    ['custom', 'of zero bytes', () => Buffer.alloc(0), /holds no data \(0 bytes\)/],
    [
      'custom',
      'of header version 1.99',
      header(1, 99),
      /a custom archive of version 1\.99, and the newest pg_restore here \(.*\) cannot read it: install a newer PostgreSQL client/,
    ],
    [
      'custom',
      'of header version 1.16',
      header(1, 16),
      /a custom archive of version 1\.16, written by pg_dump 17 or newer, .* install postgresql-client-17 or newer/,
    ],
    // No pg_dump writes a version 0 archive: no newer client reads it, the archive is damaged.
    [
      'custom',
      'of header version 0.0',
      header(0, 0),
      /version 0\.0, which no pg_dump writes: it is damaged/,
    ],
  ] as const)('a %s archive %s', async (format, label, damage, said) => {
    const dir = tempDir('reader-damage');
    const file = await backup(dir, format, ['--compression', 'none']);
    const broken = path.join(dir, 'broken.dump');
    fs.writeFileSync(broken, damage(fs.readFileSync(file)));
    const target = `reader_damage_${label.replace(/\W/g, '_')}`;
    await server.createDatabase(target, 'CREATE TABLE keep (x int); INSERT INTO keep VALUES (42);');
    for (const jobs of ['1', '2']) {
      const run = await cli(
        [
          'restore',
          broken,
          '--database-url',
          server.url(target),
          '--drop-database',
          '--yes',
          '--no-safety-backup',
          '--jobs',
          jobs,
        ],
        { cwd: dir, env },
      );
      expect(run.status, run.stderr).toBe(2);
      const word = lastWord(run);
      expect(word).toMatch(said);
      expect(word).not.toContain(TEST_PASSWORD);
      if (label.includes('0.0')) expect(word).not.toMatch(/install/);
      expect(await server.query(target, 'SELECT x FROM keep')).toEqual([{ x: 42 }]);
    }
  });

  test('a directory archive whose toc.dat is missing', async () => {
    const dir = tempDir('reader-notoc');
    const file = await backup(dir, 'directory', ['--compression', 'none']);
    const unpacked = path.join(dir, 'unpacked');
    fs.mkdirSync(unpacked);
    execFileSync('tar', ['-xf', file, '-C', unpacked]);
    fs.rmSync(path.join(unpacked, 'dump', 'toc.dat'));
    const broken = path.join(dir, 'notoc.dir.tar');
    execFileSync('tar', ['--format=ustar', '-cf', broken, '-C', unpacked, 'dump']);
    await server.createDatabase(
      'reader_notoc',
      'CREATE TABLE keep (x int); INSERT INTO keep VALUES (42);',
    );
    for (const jobs of ['1', '2']) {
      const run = await cli(
        [
          'restore',
          broken,
          '--database-url',
          server.url('reader_notoc'),
          '--drop-database',
          '--yes',
          '--no-safety-backup',
          '--jobs',
          jobs,
        ],
        { cwd: dir, env },
      );
      expect(run.status, run.stderr).toBe(2);
      expect(lastWord(run)).toMatch(
        /notoc\.dir\.tar is not a readable directory archive \(.*toc\.dat.*\): nothing was changed/,
      );
      expect(await server.query('reader_notoc', 'SELECT x FROM keep')).toEqual([{ x: 42 }]);
    }
  });
});

describe('the reader chosen is the one that restores; no secret reaches it', () => {
  test('--jobs 1 and 2 with a too-old pg_restore beside --pg-dump-path: one --list each by the old one, one by the chosen one, which also restores; no password in any argv, none in a --list environment', async () => {
    for (const format of ['custom', 'directory']) {
      const dir = tempDir('reader-parallel');
      const file = await backup(dir, format);
      const old = clientBeside(dir, '11.22', OLD_READER);
      // First on PATH and claiming a newer version than the machine's: tried right after the old one.
      const chosenBin = path.join(dir, 'chosen');
      fs.mkdirSync(chosenBin);
      const chosenRuns = fakePgRestore(chosenBin, `${MAJOR}.99`, `exec "${PG_RESTORE}" "$@"`);
      for (const jobs of ['1', '2']) {
        const target = `reader_parallel_${format}_${jobs}`;
        // Its own process: the pg_restore programs on PATH are looked for in the tool's environment.
        const run = await sourceCli(
          ['restore', file, '--create-database', '--jobs', jobs, '--pg-dump-path', old.pgDump],
          {
            cwd: dir,
            env: { PATH: `${chosenBin}:${process.env.PATH}`, DATABASE_URL: server.url(target) },
          },
        );
        expect(run.status, run.stderr).toBe(0);
        expect(run.stderr).toContain(`Restoring it with pg_restore ${MAJOR}.99`);
        expect(await server.query(target, 'SELECT count(*)::int AS n FROM small')).toEqual([
          { n: 3 },
        ]);
        expect(run.stderr).not.toContain(TEST_PASSWORD);
      }
      expect(old.runs().map((r) => r.argv.split(' ')[0])).toEqual(['--list', '--list']);
      const runs = chosenRuns();
      const lists = runs.filter((r) => r.argv.startsWith('--list '));
      expect(lists).toHaveLength(2);
      expect(runs.filter((r) => r.argv.startsWith('--file=- '))).toHaveLength(1);
      const parallel = runs.filter((r) => r.argv.includes('--jobs=2'));
      expect(parallel).toHaveLength(1);
      expect(parallel[0]!.argv).toMatch(/^--dbname=dbname='reader_parallel_\w+_2_restore_\w+' /);
      for (const r of [...runs, ...old.runs()]) expect(r.argv).not.toContain(TEST_PASSWORD);
      for (const r of [...lists, ...old.runs()]) {
        expect(r.environ).not.toContain(TEST_PASSWORD);
        expect(r.environ).not.toMatch(/^PG/m);
      }
    }
  });

  test('verify takes no --pg-dump-path; with a pg_restore first on PATH that cannot read the archive, it verifies with one that can', async () => {
    const dir = tempDir('reader-verify');
    const file = await backup(dir, 'custom');
    const refused = await cli(
      ['verify', file, '--verify-database-url', server.url('postgres'), '--pg-dump-path', PG_DUMP],
      { cwd: dir, env },
    );
    expect(refused.status, refused.stderr).toBe(2);
    expect(lastWord(refused)).toMatch(/Unknown option --pg-dump-path for verify/);
    const bin = path.join(dir, 'old');
    fs.mkdirSync(bin);
    const oldRuns = fakePgRestore(bin, '99.1', OLD_READER);
    for (const jobs of ['1', '2']) {
      const run = await sourceCli(['verify', file, '--jobs', jobs], {
        cwd: dir,
        env: {
          PATH: `${bin}:${process.env.PATH}`,
          VERIFY_DATABASE_URL: server.url('postgres'),
        },
      });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).not.toContain('99.1');
    }
    expect(oldRuns().map((r) => r.argv.split(' ')[0])).toEqual(['--list', '--list']);
  });
});

describe('an installer (GitHub-hosted runners) is asked only for a client newer than every one here', () => {
  test('a damaged archive of a version the machine reads: nothing installed; one of a newer version: that major asked for', async () => {
    const dir = tempDir('reader-installer');
    const file = await backup(dir, 'custom', ['--compression', 'none']);
    const asked: number[] = [];
    const target = 'reader_installer';
    await server.createDatabase(target, 'CREATE TABLE keep (x int); INSERT INTO keep VALUES (42);');
    const engine = await createEngine(parseDatabaseUrl(server.url(target), dir), {
      log: { info: () => undefined, warn: () => undefined },
      postgres: { dropDatabase: true },
      // "Installs" this machine's own client: the major asked for is what the test reads.
      installer: (major) => {
        asked.push(major);
        return Promise.resolve({ binDir: path.dirname(PG_RESTORE), env: {} });
      },
    });
    const restore = async (bytes: Buffer) => {
      const broken = path.join(dir, 'broken.dump');
      fs.writeFileSync(broken, bytes);
      const source = await openBackup(
        { name: 'broken.dump', file: broken, manifest: undefined, engine: 'postgres' },
        {},
        false,
      );
      return engine.restore(source).then(
        () => 'restored',
        (error: Error) => error.message,
      );
    };
    const whole = fs.readFileSync(file);
    expect(await restore(whole.subarray(0, Math.floor(whole.length / 2)))).toMatch(
      /not a readable custom archive/,
    );
    expect(asked).toEqual([]);
    const newer = Buffer.from(whole);
    newer[6] = 16;
    expect(await restore(newer)).toMatch(/install postgresql-client-17 or newer/);
    expect(asked).toEqual([17]);
    expect(await server.query(target, 'SELECT x FROM keep')).toEqual([{ x: 42 }]);
  });
});
