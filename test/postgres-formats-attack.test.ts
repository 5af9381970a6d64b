import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cli, finished, startCli } from './support/cli.js';
import { startPostgres, TEST_PASSWORD, type PgServer } from './support/postgres.js';
import { waitUntil } from './support/restore-faults.js';
import { tempDir } from './support/tmp.js';

let server: PgServer;
const env = { PATH: process.env.PATH };
const PG_DUMP = spawnSync('sh', ['-c', 'command -v pg_dump'], { encoding: 'utf8' }).stdout.trim();

beforeAll(async () => {
  server = await startPostgres();
  await server.createDatabase(
    'attack_src',
    `CREATE TABLE big (id int PRIMARY KEY, body text);
     INSERT INTO big SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 20000) g;
     CREATE TABLE small (id int);
     INSERT INTO small VALUES (1), (2), (3);`,
  );
  await server.createDatabase(
    'attack_other',
    `CREATE TABLE small (id int); CREATE TABLE big (id int PRIMARY KEY, body text);
     INSERT INTO small VALUES (9);`,
  );
});

afterAll(async () => {
  await server?.stop();
});

const dumpOf = (database: string): string => server.dump(database, '--no-owner');

function wrapperIn(dir: string, body: string): string {
  const wrapper = path.join(dir, 'pg_dump');
  fs.writeFileSync(
    wrapper,
    `#!/bin/sh\nif [ "$1" = "--version" ]; then exec "${PG_DUMP}" --version; fi\n${body}\n`,
    { mode: 0o755 },
  );
  return wrapper;
}

describe('a lying pg_dump never leaves a custom backup behind', () => {
  test.each([
    [
      'writes half the archive and exits 0',
      `"${PG_DUMP}" "$@" > "$0.out" || exit 1; size=$(wc -c < "$0.out"); head -c $((size / 2)) "$0.out"`,
    ],
    [
      'writes all but its last bytes and exits 0',
      `"${PG_DUMP}" "$@" > "$0.out" || exit 1; size=$(wc -c < "$0.out"); head -c $((size - 7)) "$0.out"`,
    ],
    [
      'writes a valid archive of another database',
      `PGDATABASE=attack_other; export PGDATABASE; for a; do shift; case "$a" in --snapshot=*) ;; *) set -- "$@" "$a";; esac; done; exec "${PG_DUMP}" "$@"`,
    ],
    ['writes nothing and exits 0', `exit 0`],
    ['writes garbage and exits 0', `head -c 200000 /dev/urandom`],
    ['writes PGDMP then garbage', `printf PGDMP; head -c 200000 /dev/urandom`],
  ])('a pg_dump that %s: exit 1, nothing kept', async (_label, body) => {
    const dir = tempDir('pg-attack-lie');
    const wrapper = wrapperIn(dir, body);
    const run = await cli(
      [
        'backup',
        '--database-url',
        server.url('attack_src'),
        '--format',
        'custom',
        '--pg-dump-path',
        wrapper,
      ],
      { cwd: dir, env },
    );
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/The dump (is incomplete|produced no data): .*nothing was pruned/);
    expect(fs.readdirSync(path.join(dir, 'backups'))).toEqual([]);
  });
});

function descendants(pid: number): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(entry), ...descendants(Number(entry)));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function readProc(pid: number, what: 'cmdline' | 'environ'): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/${what}`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

describe('a custom backup stopped or watched while it streams', () => {
  test('SIGTERM while pg_dump hangs after its archive: exit 143, no file, nothing pruned; no password in any argv or in pg_restore', async () => {
    const dir = tempDir('pg-attack-hang');
    const first = await cli(
      ['backup', '--database-url', server.url('attack_src'), '--format', 'custom'],
      { cwd: dir, env },
    );
    expect(first.status, first.stderr).toBe(0);
    const kept = fs.readdirSync(path.join(dir, 'backups')).sort();
    const marker = path.join(dir, 'dumped');
    const wrapper = wrapperIn(
      dir,
      `"${PG_DUMP}" "$@" | head -c 300; touch "${marker}"; exec sleep 600`,
    );
    const running = startCli(
      ['backup', '--format', 'custom', '--pg-dump-path', wrapper, '--max-backups', '1'],
      { cwd: dir, env: { DATABASE_URL: server.url('attack_src') }, fromSource: true },
    );
    await waitUntil(() => fs.existsSync(marker), 'pg_dump wrote its head', running);
    const pid = running.child.pid!;
    let restores: number[] = [];
    await waitUntil(
      () => {
        restores = descendants(pid).filter((child) =>
          readProc(child, 'cmdline')[0]?.endsWith('pg_restore'),
        );
        return restores.length === 2;
      },
      'both pg_restore readers',
      running,
    );
    for (const child of descendants(pid)) {
      expect(readProc(child, 'cmdline').join(' ')).not.toContain(TEST_PASSWORD);
    }
    for (const child of restores) {
      const environ = readProc(child, 'environ');
      expect(environ.join('\n')).not.toContain(TEST_PASSWORD);
      expect(environ.some((line) => line.startsWith('PGPASSWORD='))).toBe(false);
    }
    running.child.kill('SIGTERM');
    const run = await finished(running);
    expect(run.status, run.stderr).toBe(143);
    expect(fs.readdirSync(path.join(dir, 'backups')).sort()).toEqual(kept);
    await waitUntil(
      () => descendants(pid).length === 0 && !fs.existsSync(`/proc/${pid}`),
      'children gone',
    );
  });
});

const OTHER_WAYS: Record<string, readonly ['zstd' | 'none', boolean]> = {
  'zero tables': ['zstd', true],
  'a table with no rows': ['none', true],
  'odd names': ['none', false],
  'partitions and large objects': ['zstd', true],
};

describe('odd tables round-trip through a custom backup', () => {
  test.each([
    ['zero tables', ''],
    ['a table with no rows', 'CREATE TABLE empty (id int);'],
    [
      'odd names',
      `CREATE SCHEMA "we""ird
schema";
       CREATE TABLE "we""ird
schema"."tab""le
with newline" (id int); INSERT INTO "we""ird
schema"."tab""le
with newline" VALUES (1);
       CREATE TABLE "ünïcødé ☃" (v text); INSERT INTO "ünïcødé ☃" VALUES ('snow');
       CREATE TABLE "${'x'.repeat(63)}" (id int); INSERT INTO "${'x'.repeat(63)}" VALUES (7);`,
    ],
    [
      'partitions and large objects',
      `CREATE TABLE p (id int, at date) PARTITION BY RANGE (at);
       CREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');
       CREATE TABLE p2 PARTITION OF p FOR VALUES FROM ('2026-02-01') TO ('2026-03-01');
       INSERT INTO p SELECT g, '2026-01-01'::date + g FROM generate_series(0, 50) g;
       SELECT lo_from_bytea(0, 'large object bytes'::bytea);`,
    ],
  ])(
    '%s: backup exits 0 and restores to the same dump, clear with gzip and through a second cipher and compression',
    async (label, sql) => {
      const source = `attack_odd_${label.replace(/\W/g, '_')}`;
      await server.createDatabase(source, sql);
      // The content is what is odd here; compression and encryption pass its bytes through
      // whatever they are. Each case goes through gzip in the clear and one more of the
      // other three ways, so that between them the four cases take every way.
      for (const [compression, encrypted] of [['gzip', false], OTHER_WAYS[label]!] as const) {
        const dir = tempDir('pg-attack-odd');
        const runEnv = encrypted ? { ...env, BACKUP_PASSPHRASE: 'correct horse battery' } : env;
        const made = await cli(
          [
            'backup',
            '--database-url',
            server.url(source),
            '--format',
            'custom',
            '--compression',
            compression,
          ],
          { cwd: dir, env: runEnv },
        );
        expect(made.status, made.stderr).toBe(0);
        const target = `${source}_${compression}_${encrypted ? 'enc' : 'clear'}`;
        const restored = await cli(
          [
            'restore',
            path.join(
              dir,
              'backups',
              fs.readdirSync(path.join(dir, 'backups')).find((name) => !name.endsWith('.json'))!,
            ),
            '--database-url',
            server.url(target),
            '--create-database',
          ],
          { cwd: dir, env: runEnv },
        );
        expect(restored.status, restored.stderr).toBe(0);
        expect(dumpOf(target)).toBe(dumpOf(source));
      }
    },
  );
});

describe('stored archives damaged after the fact', () => {
  const PASS = 'correct horse battery';
  test.each([
    ['custom', 'gzip', false, 'truncated', (b: Buffer) => b.subarray(0, Math.floor(b.length / 2))],
    ['custom', 'gzip', false, 'one byte flipped', (b: Buffer) => flip(b, Math.floor(b.length / 2))],
    ['custom', 'zstd', true, 'truncated', (b: Buffer) => b.subarray(0, b.length - 40)],
    ['custom', 'zstd', true, 'one byte flipped', (b: Buffer) => flip(b, Math.floor(b.length / 2))],
    ['custom', 'none', true, 'truncated', (b: Buffer) => b.subarray(0, Math.floor(b.length * 0.6))],
    [
      'directory',
      'gzip',
      false,
      'truncated',
      (b: Buffer) => b.subarray(0, Math.floor(b.length / 2)),
    ],
    [
      'directory',
      'none',
      true,
      'truncated',
      (b: Buffer) => b.subarray(0, Math.floor(b.length * 0.6)),
    ],
  ] as const)(
    '%s, %s (encrypted %s) %s, manifest removed: restore exits 2 and verify 1 with one and two jobs, target untouched, scratch dropped',
    async (format, compression, encrypted, _what, damage) => {
      const dir = tempDir('pg-attack-damage');
      const runEnv = encrypted ? { ...env, BACKUP_PASSPHRASE: PASS } : env;
      const made = await cli(
        [
          'backup',
          '--database-url',
          server.url('attack_src'),
          '--format',
          format,
          '--compression',
          compression,
        ],
        { cwd: dir, env: runEnv },
      );
      expect(made.status, made.stderr).toBe(0);
      const name = fs.readdirSync(path.join(dir, 'backups')).find((n) => !n.endsWith('.json'))!;
      const broken = path.join(dir, name);
      fs.writeFileSync(broken, damage(fs.readFileSync(path.join(dir, 'backups', name))));
      const target = `attack_damage_${format}_${compression}_${encrypted ? 'e' : 'c'}_${_what.length}`;
      await server.createDatabase(
        target,
        'CREATE TABLE keep (x int); INSERT INTO keep VALUES (42);',
      );
      const before = dumpOf(target);
      for (const jobs of ['1', '2']) {
        const restored = await cli(
          [
            'restore',
            broken,
            '--database-url',
            server.url(target),
            '--drop-database',
            '--jobs',
            jobs,
            '--yes',
            '--no-safety-backup',
          ],
          { cwd: dir, env: runEnv },
        );
        expect(restored.status, restored.stderr).toBe(2);
        expect(dumpOf(target)).toBe(before);
        const verified = await cli(
          ['verify', broken, '--verify-database-url', server.url('postgres'), '--jobs', jobs],
          { cwd: dir, env: runEnv },
        );
        // A damaged backup is what verify is there to find: a failed verification, exit 1.
        expect(verified.status, verified.stderr).toBe(1);
        expect(verified.stderr).toMatch(/damaged|truncated|Cannot decrypt/);
        expect(
          (await server.databases()).filter(
            (d) => d.startsWith('db_backup_') || d.startsWith(`${target}_`),
          ),
        ).toEqual([]);
      }
    },
  );
});

function flip(buffer: Buffer, at: number): Buffer {
  const copy = Buffer.from(buffer);
  copy[at] = copy[at]! ^ 0xff;
  return copy;
}

describe('verify --jobs and list --json', () => {
  test.each([['0'], ['-1'], ['abc'], ['2.5']])(
    'verify --jobs %s: exit 2, one line',
    async (jobs) => {
      const dir = tempDir('pg-attack-jobs');
      const run = await cli(
        ['verify', 'latest', '--database-url', server.url('attack_src'), '--jobs', jobs],
        { cwd: dir, env },
      );
      expect(run.status, run.stderr).toBe(2);
      expect(
        run.stderr
          .trim()
          .split('\n')
          .filter((l) => !l.startsWith('warning:')),
      ).toHaveLength(1);
    },
  );

  test('verify --jobs 2 of a SQLite backup, and list --json of every format, without a manifest too', async () => {
    const dir = tempDir('pg-attack-list');
    const db = path.join(dir, 'app.db');
    execFileSync('sqlite3', [db, 'CREATE TABLE t (x int); INSERT INTO t VALUES (1);']);
    const sqlite = await cli(['backup', '--database-url', `sqlite://${db}`], { cwd: dir, env });
    expect(sqlite.status, sqlite.stderr).toBe(0);
    const sqliteName = fs.readdirSync(path.join(dir, 'backups')).find((n) => !n.endsWith('.json'))!;
    const verified = await cli(['verify', path.join(dir, 'backups', sqliteName), '--jobs', '2'], {
      cwd: dir,
      env,
    });
    expect(verified.status, verified.stderr).toBe(2);
    expect(verified.stderr.trim().split('\n')).toHaveLength(1);
    const formats: Record<string, string | null> = { [sqliteName]: null };
    for (const format of ['plain', 'custom', 'directory']) {
      const before = new Set(fs.readdirSync(path.join(dir, 'backups')));
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const run = await cli(
        ['backup', '--database-url', server.url('attack_src'), '--format', format],
        { cwd: dir, env },
      );
      expect(run.status, run.stderr).toBe(0);
      const name = fs
        .readdirSync(path.join(dir, 'backups'))
        .find((n) => !before.has(n) && !n.endsWith('.json'))!;
      formats[name] = format;
    }
    const custom = Object.keys(formats).find((n) => formats[n] === 'custom')!;
    fs.rmSync(path.join(dir, 'backups', `${custom}.json`));
    const listed = await cli(['list', '--json'], { cwd: dir, env });
    expect(listed.status, listed.stderr).toBe(0);
    const backups = (JSON.parse(listed.stdout) as { backups: { name: string; format: string }[] })
      .backups;
    expect(Object.fromEntries(backups.map((b) => [b.name, b.format]))).toEqual(formats);
  });
});

describe('the pg_restore a custom backup reads its archive with', () => {
  const major = /(\d+)/.exec(execFileSync(PG_DUMP, ['--version'], { encoding: 'utf8' }))![1];
  const serverBin = `/usr/lib/postgresql/${major}/bin`;

  // With none (or only an old one) beside pg_dump and none on PATH, the pg_restore of
  // pg_dump's major from PostgreSQL's versioned directories reads the archive.
  test.each([
    ['none beside pg_dump nor on PATH', undefined],
    [
      'one too old for the archive beside pg_dump',
      `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "pg_restore (PostgreSQL) 11.22"; exit 0; fi\ncat > /dev/null\necho "pg_restore: error: unsupported version (1.15) in file header" >&2\nexit 1\n`,
    ],
  ])('%s: a fitting one reads it and the backup is kept', async (_label, fake) => {
    const dir = tempDir('pg-attack-restore-tool');
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.copyFileSync(path.join(serverBin, 'pg_dump'), path.join(bin, 'pg_dump'));
    fs.chmodSync(path.join(bin, 'pg_dump'), 0o755);
    if (fake) fs.writeFileSync(path.join(bin, 'pg_restore'), fake, { mode: 0o755 });
    const run = await cli(
      [
        'backup',
        '--database-url',
        server.url('attack_src'),
        '--format',
        'custom',
        '--pg-dump-path',
        path.join(bin, 'pg_dump'),
      ],
      { cwd: dir, env: { PATH: bin } },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(
      fs.readdirSync(path.join(dir, 'backups')).filter((n) => !n.endsWith('.json')),
    ).toHaveLength(1);
  });
});

describe('the pg_restore a restore reads the archive with', () => {
  const OLD_PG_RESTORE = `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "pg_restore (PostgreSQL) 11.22"; exit 0; fi\ncat > /dev/null\necho "pg_restore: error: unsupported version (1.15) in file header" >&2\nexit 1\n`;

  async function customBackup(dir: string): Promise<string> {
    const made = await cli(
      ['backup', '--database-url', server.url('attack_src'), '--format', 'custom', '--json'],
      { cwd: dir, env },
    );
    expect(made.status, made.stderr).toBe(0);
    return (JSON.parse(made.stdout) as { file: string }).file;
  }

  test('one too old beside pg-dump-path is passed over for one that reads the archive', async () => {
    const dir = tempDir('pg-attack-restore-reader');
    const file = await customBackup(dir);
    const bin = path.join(dir, 'old-client');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'pg_restore'), OLD_PG_RESTORE, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'pg_dump'), `#!/bin/sh\nexec "${PG_DUMP}" "$@"\n`, {
      mode: 0o755,
    });
    const run = await cli(
      [
        'restore',
        file,
        '--database-url',
        server.url('attack_reader_back'),
        '--create-database',
        '--pg-dump-path',
        path.join(bin, 'pg_dump'),
      ],
      { cwd: dir, env },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/Restoring it with pg_restore \d+\.\d+/);
    expect(run.stderr).not.toContain('11.22');
    const rows = await server.query<{ n: string }>(
      'attack_reader_back',
      'SELECT count(*)::text AS n FROM small',
    );
    expect(rows).toEqual([{ n: '3' }]);
  });

  test('an archive newer than every pg_restore here: refused in one line naming what to install, nothing changed', async () => {
    const dir = tempDir('pg-attack-restore-future');
    const file = await customBackup(dir);
    // The header of a future pg_dump's archive: version 1.99.
    const archive = execFileSync('gunzip', ['-c', file], { maxBuffer: 64 * 1024 * 1024 });
    expect(archive.subarray(0, 5).toString('latin1')).toBe('PGDMP');
    archive[6] = 99;
    const future = path.join(dir, 'future.dump.gz');
    fs.writeFileSync(
      future,
      execFileSync('gzip', ['-c'], { input: archive, maxBuffer: 64 * 1024 * 1024 }),
    );
    await server.createDatabase(
      'attack_future_back',
      'CREATE TABLE kept (id int); INSERT INTO kept VALUES (1);',
    );
    const run = await cli(
      ['restore', future, '--database-url', server.url('attack_future_back'), '--yes'],
      { cwd: dir, env },
    );
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toMatch(
      /future\.dump\.gz is a custom archive of version 1\.99, and the newest pg_restore here \(\d+\.\d+.*\) cannot read it: install a newer PostgreSQL client, or set pg-dump-path to such a client\. Nothing was changed\./,
    );
    expect(await server.query('attack_future_back', 'SELECT id FROM kept')).toEqual([{ id: 1 }]);
  });
});

describe('tables that come and go between the snapshot and pg_dump', () => {
  test('a table created and another dropped after the snapshot: the backup holds the snapshot, or fails and keeps nothing', async () => {
    await server.createDatabase(
      'attack_race',
      `CREATE TABLE stays (id int); INSERT INTO stays VALUES (1), (2);
       CREATE TABLE victim (id int); INSERT INTO victim VALUES (3), (4), (5);`,
    );
    const dir = tempDir('pg-attack-race');
    const psql = `psql -X -q -v ON_ERROR_STOP=1`;
    const wrapper = wrapperIn(
      dir,
      `PGOPTIONS='-c lock_timeout=1500' ${psql} -c 'CREATE TABLE newcomer (id int); INSERT INTO newcomer VALUES (9)' >/dev/null 2>&1 || echo "create failed" >> "$0.log"\n` +
        `PGOPTIONS='-c lock_timeout=1500' ${psql} -c 'DROP TABLE victim' >/dev/null 2>&1 || echo "drop failed" >> "$0.log"\n` +
        `exec "${PG_DUMP}" "$@"`,
    );
    const run = await cli(
      [
        'backup',
        '--database-url',
        server.url('attack_race'),
        '--format',
        'custom',
        '--pg-dump-path',
        wrapper,
      ],
      { cwd: dir, env },
    );
    const files = fs.readdirSync(path.join(dir, 'backups')).filter((n) => !n.endsWith('.json'));
    if (run.status !== 0) {
      expect(run.status, run.stderr).toBe(1);
      expect(files).toEqual([]);
      return;
    }
    expect(files).toHaveLength(1);
    const restored = await cli(
      [
        'restore',
        path.join(dir, 'backups', files[0]!),
        '--database-url',
        server.url('attack_race_back'),
        '--create-database',
      ],
      { cwd: dir, env },
    );
    expect(restored.status, restored.stderr).toBe(0);
    const tables = await server.query<{ name: string; rows: string }>(
      'attack_race_back',
      `SELECT 'stays' AS name, count(*)::text AS rows FROM stays UNION ALL SELECT 'victim', count(*)::text FROM victim`,
    );
    expect(tables).toEqual([
      { name: 'stays', rows: '2' },
      { name: 'victim', rows: '3' },
    ]);
    expect(
      await server.query('attack_race_back', `SELECT 1 FROM pg_class WHERE relname = 'newcomer'`),
    ).toEqual([]);
  });
});
