import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cli, finished, startCli } from './support/cli.js';
import {
  SAMPLE_SCHEMA,
  snapshotRows,
  startPostgres,
  TEST_PASSWORD,
  type PgServer,
} from './support/postgres.js';
import { waitUntil } from './support/restore-faults.js';
import { parseDatabaseUrl, type PostgresLocation } from '../src/domain/database-location.js';
import { createScratchDatabase, temporaryMark } from '../src/engines/postgres/databases.js';
import { tempDir } from './support/tmp.js';

let server: PgServer;
const env = { PATH: process.env.PATH };
const PASSPHRASE = 'correct horse battery staple';
const PG_DUMP = spawnSync('sh', ['-c', 'command -v pg_dump'], { encoding: 'utf8' }).stdout.trim();
const PG_RESTORE = spawnSync('sh', ['-c', 'command -v pg_restore'], {
  encoding: 'utf8',
}).stdout.trim();

beforeAll(async () => {
  server = await startPostgres();
  await server.createDatabase('formats_src', SAMPLE_SCHEMA);
  await server.query(
    'formats_src',
    `CREATE SCHEMA reports;
     CREATE TABLE reports.daily (day date PRIMARY KEY, total numeric);
     INSERT INTO reports.daily SELECT d::date, 1 FROM generate_series('2026-01-01'::date, '2026-03-01', '1 day') d;`,
  );
});

afterAll(async () => {
  await server?.stop();
});

let counter = 0;
function fresh(label: string): string {
  counter += 1;
  return `formats_${label}_${counter}`;
}

/** The database as pg_dump sees it: what "byte for byte as before" is checked with. */
const dumpOf = (database: string): string => server.dump(database);

async function backup(
  dir: string,
  database: string,
  ...extra: string[]
): Promise<{ file: string; name: string }> {
  const run = await cli(['backup', '--database-url', server.url(database), ...extra], {
    cwd: dir,
    // Only when asked: a passphrase in the environment alone encrypts (encryption auto).
    env: extra.includes('--encryption') ? { ...env, BACKUP_PASSPHRASE: PASSPHRASE } : env,
  });
  expect(run.status, run.stderr).toBe(0);
  const name = fs
    .readdirSync(path.join(dir, 'backups'))
    .filter((n) => !n.endsWith('.json'))
    .sort()
    .at(-1)!;
  return { file: path.join(dir, 'backups', name), name };
}

function manifestOf(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')) as Record<string, unknown>;
}

describe('custom and directory backups', () => {
  test.each([
    ['custom', 'gzip', false, /\.dump\.gz$/],
    ['custom', 'zstd', true, /\.dump\.zst\.gpg$/],
    ['custom', 'none', false, /\.dump$/],
    ['custom', 'gzip', true, /\.dump\.gz\.gpg$/],
    ['directory', 'gzip', false, /\.dir\.tar\.gz$/],
    ['directory', 'zstd', false, /\.dir\.tar\.zst$/],
    ['directory', 'none', true, /\.dir\.tar\.gpg$/],
    ['directory', 'zstd', true, /\.dir\.tar\.zst\.gpg$/],
  ] as const)(
    '%s with %s (encrypted: %s): named, recorded, restored with one job and with two, verified',
    async (format, compression, encrypted, name) => {
      const dir = tempDir('pg-formats');
      const extra = [
        '--format',
        format,
        '--compression',
        compression,
        ...(encrypted ? ['--encryption', 'passphrase'] : []),
        ...(format === 'directory' ? ['--jobs', '2'] : []),
      ];
      const made = await backup(dir, 'formats_src', ...extra);
      expect(made.name).toMatch(name);
      const manifest = manifestOf(made.file);
      expect(manifest.format).toBe(format);
      expect(manifest.encryption === null).toBe(!encrypted);
      expect(manifest.tables).toContainEqual({ name: 'public.customers', rows: 200 });
      expect(manifest.tables).toContainEqual({ name: 'reports.daily', rows: 60 });
      const original = await snapshotRows(server, 'formats_src');
      const passEnv = { ...env, BACKUP_PASSPHRASE: PASSPHRASE };
      for (const jobs of ['1', '2']) {
        const target = fresh('rt');
        const run = await cli(
          [
            'restore',
            made.file,
            '--database-url',
            server.url(target),
            '--create-database',
            '--jobs',
            jobs,
          ],
          { cwd: dir, env: passEnv },
        );
        expect(run.status, run.stderr).toBe(0);
        expect(run.stderr + run.stdout).not.toContain(TEST_PASSWORD);
        expect(await snapshotRows(server, target)).toEqual(original);
      }
      const verify = await cli(
        ['verify', made.file, '--verify-database-url', server.url('postgres')],
        { cwd: dir, env: passEnv },
      );
      expect(verify.status, verify.stderr).toBe(0);
      expect(verify.stdout).toMatch(/public\.customers\s+200\s+200\s+ok/);
    },
  );

  test('restored by hand with stock tools: gunzip | pg_restore, zstd -d | tar -x then pg_restore -j 2, gpg --decrypt', async () => {
    const dir = tempDir('pg-formats-hand');
    const original = await snapshotRows(server, 'formats_src');
    const custom = await backup(dir, 'formats_src', '--format', 'custom');
    const one = fresh('hand');
    await server.createDatabase(one);
    execFileSync(
      'sh',
      ['-c', `gunzip -c "$1" | pg_restore --no-password -d "$2"`, 'sh', custom.file, one],
      {
        env: server.libpqEnv(),
      },
    );
    expect(await snapshotRows(server, one)).toEqual(original);

    const directory = await backup(
      dir,
      'formats_src',
      '--format',
      'directory',
      '--jobs',
      '2',
      '--compression',
      'zstd',
    );
    const unpack = path.join(dir, 'unpack');
    fs.mkdirSync(unpack);
    execFileSync('sh', ['-c', `zstd -dc "$1" | tar -x -C "$2"`, 'sh', directory.file, unpack]);
    expect(fs.readdirSync(path.join(unpack, 'dump'))).toContain('toc.dat');
    const two = fresh('hand');
    await server.createDatabase(two);
    execFileSync(PG_RESTORE, ['--no-password', '-j', '2', '-d', two, path.join(unpack, 'dump')], {
      env: server.libpqEnv(),
    });
    expect(await snapshotRows(server, two)).toEqual(original);

    const sealed = await backup(
      dir,
      'formats_src',
      '--format',
      'custom',
      '--encryption',
      'passphrase',
    );
    const three = fresh('hand');
    await server.createDatabase(three);
    const passFile = path.join(dir, 'pass');
    fs.writeFileSync(passFile, PASSPHRASE);
    execFileSync(
      'sh',
      [
        '-c',
        `gpg --batch --quiet --pinentry-mode loopback --passphrase-file "$2" --decrypt "$1" | gunzip -c | pg_restore --no-password -d "$3"`,
        'sh',
        sealed.file,
        passFile,
        three,
      ],
      { env: { ...server.libpqEnv(), GNUPGHOME: tempDir('gnupg') } },
    );
    expect(await snapshotRows(server, three)).toEqual(original);
  });

  test('verify --jobs 2 restores an archive with pg_restore --jobs into its scratch database, and drops it whether it passes or fails', async () => {
    const dir = tempDir('pg-formats-verify-jobs');
    const scratch = async (): Promise<string[]> =>
      (await server.databases()).filter((d) => d.startsWith('db_backup_'));
    for (const format of ['custom', 'directory', 'plain']) {
      const made = await backup(dir, 'formats_src', '--format', format);
      const run = await cli(
        ['verify', made.file, '--verify-database-url', server.url('postgres'), '--jobs', '2'],
        { cwd: dir, env },
      );
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/public\.customers\s+200\s+200\s+ok/);
      expect(run.stdout).toMatch(/reports\.daily\s+60\s+60\s+ok/);
      if (format === 'plain') {
        expect(run.stderr).toContain('is plain SQL: psql restores it in one session');
      } else {
        expect(run.stderr).toContain(`is a ${format} archive`);
        expect(run.stderr).toMatch(/Restoring it with pg_restore .* and 2 jobs\n/);
        expect(run.stderr).toMatch(/to become db_backup_verify_[0-9a-f]{8}/);
      }
      expect(run.stderr).toMatch(/Dropped the temporary database db_backup_verify_[0-9a-f]{8}\n/);
      expect(await scratch()).toEqual([]);
    }
    const made = await backup(dir, 'formats_src', '--format', 'custom');
    const manifest = manifestOf(made.file) as { tables: { name: string; rows: number }[] };
    manifest.tables.find((t) => t.name === 'public.customers')!.rows = 199;
    fs.writeFileSync(`${made.file}.json`, JSON.stringify(manifest));
    const failed = await cli(
      [
        'verify',
        made.file,
        '--verify-database-url',
        server.url('postgres'),
        '--jobs',
        '2',
        '--json',
      ],
      { cwd: dir, env },
    );
    expect(failed.status, failed.stderr).toBe(1);
    expect(JSON.parse(failed.stdout).tables).toContainEqual({
      name: 'public.customers',
      expected: 199,
      restored: 200,
      status: 'row count differs',
    });
    expect(await scratch()).toEqual([]);
  });

  test("list shows each backup's format and compression, from the manifest (from the name without one)", async () => {
    const dir = tempDir('pg-formats-list');
    const plain = await backup(dir, 'formats_src');
    const custom = await backup(dir, 'formats_src', '--format', 'custom', '--compression', 'zstd');
    const directory = await backup(
      dir,
      'formats_src',
      '--format',
      'directory',
      '--compression',
      'none',
    );
    fs.rmSync(`${directory.file}.json`);
    const json = await cli(['list', '--json'], { cwd: dir, env });
    expect(json.status, json.stderr).toBe(0);
    const listed = (JSON.parse(json.stdout) as { backups: Record<string, unknown>[] }).backups;
    const shown = Object.fromEntries(
      listed.map((b) => [b.name, { format: b.format, compression: b.compression }]),
    );
    expect(shown).toEqual({
      [plain.name]: { format: 'plain', compression: 'gzip' },
      [custom.name]: { format: 'custom', compression: 'zstd' },
      [directory.name]: { format: 'directory', compression: 'none' },
    });
    const text = await cli(['list'], { cwd: dir, env });
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^NAME\s+FORMAT\s+SIZE\s/);
    expect(text.stdout).toMatch(new RegExp(`^${plain.name}\\s+plain, gzip\\s`, 'm'));
    expect(text.stdout).toMatch(new RegExp(`^${custom.name}\\s+custom, zstd\\s`, 'm'));
    expect(text.stdout).toMatch(new RegExp(`^${directory.name}\\s+directory, none\\s`, 'm'));
  });

  test('restore and verify tell the format by content, whatever the name says', async () => {
    const dir = tempDir('pg-formats-content');
    const original = await snapshotRows(server, 'formats_src');
    for (const format of ['custom', 'directory']) {
      const made = await backup(dir, 'formats_src', '--format', format);
      const renamed = path.join(dir, `${format}-copy.sql.gz`);
      fs.copyFileSync(made.file, renamed);
      const target = fresh('content');
      const run = await cli(
        ['restore', renamed, '--database-url', server.url(target), '--create-database'],
        { cwd: dir, env },
      );
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toContain(`is a ${format} archive`);
      expect(await snapshotRows(server, target)).toEqual(original);
    }
  });

  test('include-roles, sanitize and backup-time jobs without a directory are refused with one line', async () => {
    const dir = tempDir('pg-formats-refuse');
    for (const args of [
      ['--format', 'custom', '--include-roles'],
      ['--format', 'custom', '--jobs', '2'],
      ['--format', 'tar'],
    ]) {
      const run = await cli(['backup', '--database-url', server.url('formats_src'), ...args], {
        cwd: dir,
        env,
      });
      expect(run.status, args.join(' ')).toBe(2);
      const lines = run.stderr
        .trim()
        .split('\n')
        .filter((line) => !line.startsWith('warning: --database-url holds a password'));
      expect(lines).toHaveLength(1);
    }
    expect(fs.existsSync(path.join(dir, 'backups'))).toBe(false);
  });
});

describe('an archive backup is complete or it is not kept', () => {
  test.each([
    [
      'leaves out the rows of one table',
      `exec "${PG_DUMP}" "$@" --exclude-table-data=public.orders`,
      /no TABLE DATA entry for public\.orders \(the snapshot holds 500 rows\)/,
    ],
    ['writes the archive, then exits 1', `"${PG_DUMP}" "$@"; exit 1`, /pg_dump exited with code 1/],
    ['is killed', `kill -KILL $$`, /pg_dump was killed by SIGKILL/],
    ['writes no archive, and exits 0', `echo "not an archive"`, /pg_restore exited with code 1/],
  ])('a pg_dump that %s fails the job (exit 1), keeps nothing', async (_label, body, message) => {
    const dir = tempDir('pg-formats-incomplete');
    const wrapper = path.join(dir, 'pg_dump');
    fs.writeFileSync(
      wrapper,
      `#!/bin/sh\nif [ "$1" = "--version" ]; then exec "${PG_DUMP}" --version; fi\n${body}\n`,
      { mode: 0o755 },
    );
    for (const format of ['custom', 'directory']) {
      const run = await cli(
        [
          'backup',
          '--database-url',
          server.url('formats_src'),
          '--format',
          format,
          '--pg-dump-path',
          wrapper,
        ],
        { cwd: dir, env },
      );
      expect(run.status, run.stderr).toBe(1);
      expect(run.stderr).toMatch(message);
      expect(fs.readdirSync(path.join(dir, 'backups'))).toEqual([]);
    }
  });
});

describe('a custom archive streams from pg_dump', () => {
  test('pg_dump writes to its stdout, no archive file; pg_restore --list reads the table of contents as it passes', async () => {
    const dir = tempDir('pg-formats-stream');
    const calls = path.join(dir, 'calls');
    const wrapper = path.join(dir, 'pg_dump');
    fs.writeFileSync(
      wrapper,
      `#!/bin/sh\nif [ "$1" = "--version" ]; then exec "${PG_DUMP}" --version; fi\n[ -f /dev/stdout ] || echo "stdout is no file: $*" >> "${calls}"\nexec "${PG_DUMP}" "$@"\n`,
      { mode: 0o755 },
    );
    const made = await backup(dir, 'formats_src', '--format', 'custom', '--pg-dump-path', wrapper);
    const call = fs.readFileSync(calls, 'utf8');
    expect(call).toMatch(/^stdout is no file: --format=custom --compress=0 /);
    expect(call).not.toMatch(/--file/);
    // What a finished file's listing holds, and what the manifest says.
    const listing = execFileSync(
      'sh',
      ['-c', `gunzip -c "$1" | "${PG_RESTORE}" --list`, 'sh', made.file],
      { encoding: 'utf8' },
    );
    expect(listing).toMatch(/Format: CUSTOM/);
    expect(listing).toMatch(/TABLE DATA public orders /);
    expect(manifestOf(made.file).tables).toContainEqual({ name: 'public.orders', rows: 500 });
  });

  test('an archive whose table of contents lacks a table stops pg_dump then, not at its end', async () => {
    const dir = tempDir('pg-formats-stream-early');
    const wrapper = path.join(dir, 'pg_dump');
    // pg_dump's output stays open after it: only the listing's check can end this run.
    fs.writeFileSync(
      wrapper,
      `#!/bin/sh\nif [ "$1" = "--version" ]; then exec "${PG_DUMP}" --version; fi\n"${PG_DUMP}" "$@" --exclude-table-data=public.orders || exit 1\nexec sleep 600\n`,
      { mode: 0o755 },
    );
    const run = await cli(
      [
        'backup',
        '--database-url',
        server.url('formats_src'),
        '--format',
        'custom',
        '--pg-dump-path',
        wrapper,
      ],
      { cwd: dir, env },
    );
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/no TABLE DATA entry for public\.orders/);
    expect(fs.readdirSync(path.join(dir, 'backups'))).toEqual([]);
  });
});

describe('damaged archives are refused before the target changes', () => {
  async function targetWithData(): Promise<string> {
    const target = fresh('damage');
    await server.createDatabase(target, 'CREATE TABLE keep (x int); INSERT INTO keep VALUES (42);');
    return target;
  }

  test.each([
    ['custom', 'gzip', 'truncated', (b: Buffer) => b.subarray(0, Math.floor(b.length / 2))],
    ['custom', 'none', 'truncated', (b: Buffer) => b.subarray(0, Math.floor(b.length * 0.7))],
    [
      'custom',
      'none',
      'overwritten at its start',
      (b: Buffer) => {
        const copy = Buffer.from(b);
        copy.fill(0x00, 0, 16);
        return copy;
      },
    ],
    ['custom', 'none', 'cut inside its table of contents', (b: Buffer) => b.subarray(0, 600)],
    ['directory', 'zstd', 'truncated', (b: Buffer) => b.subarray(0, b.length - 100)],
    ['directory', 'none', 'truncated', (b: Buffer) => b.subarray(0, Math.floor(b.length / 2))],
    [
      'directory',
      'none',
      'given a path outside its directory',
      (b: Buffer) => {
        const copy = Buffer.from(b);
        // The second entry's name becomes ../../evil (same length as dump/3xxx.dat is not needed: the checksum is redone).
        const at = 512;
        copy.fill(0, at, at + 100);
        copy.write('../../evil.dat', at, 'latin1');
        copy.fill(0x20, at + 148, at + 156);
        let sum = 0;
        for (let i = at; i < at + 512; i += 1) sum += copy[i]!;
        copy.write(`${sum.toString(8).padStart(6, '0')}\0 `, at + 148, 'latin1');
        return copy;
      },
    ],
  ] as const)(
    '%s %s %s, without a manifest: exit 2, target unchanged',
    async (format, compression, _what, damage) => {
      const dir = tempDir('pg-formats-damage');
      const made = await backup(
        dir,
        'formats_src',
        '--format',
        format,
        '--compression',
        compression,
      );
      const broken = path.join(dir, `broken-${made.name}`);
      fs.writeFileSync(broken, damage(fs.readFileSync(made.file)));
      const target = await targetWithData();
      const before = dumpOf(target);
      const run = await cli(
        ['restore', broken, '--database-url', server.url(target), '--yes', '--no-safety-backup'],
        { cwd: dir, env },
      );
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/damaged|truncated|not a readable/);
      expect(dumpOf(target)).toBe(before);
      expect(fs.existsSync(path.join(dir, 'evil.dat'))).toBe(false);
      expect(fs.existsSync(path.join(path.dirname(dir), 'evil.dat'))).toBe(false);
    },
  );

  test('a damaged archive beside its manifest fails the checksum: exit 2, target unchanged', async () => {
    const dir = tempDir('pg-formats-sum');
    const made = await backup(dir, 'formats_src', '--format', 'directory', '--compression', 'none');
    const bytes = fs.readFileSync(made.file);
    bytes[bytes.length - 2000] = (bytes[bytes.length - 2000]! + 1) % 256;
    fs.writeFileSync(made.file, bytes);
    const target = await targetWithData();
    const before = dumpOf(target);
    const run = await cli(['restore', made.file, '--database-url', server.url(target), '--yes'], {
      cwd: dir,
      env,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/sha256|checksum/i);
    expect(dumpOf(target)).toBe(before);
  });
});

describe('a restore that fails halfway leaves the target as it was', () => {
  test('one job, into the existing database: one transaction, rolled back', async () => {
    const dir = tempDir('pg-formats-halfway');
    const made = await backup(dir, 'formats_src', '--format', 'custom');
    const target = fresh('halfway');
    await server.createDatabase(target, SAMPLE_SCHEMA);
    // pg_restore --clean must drop customers, and this view of the target's own forbids it.
    await server.query(
      target,
      "UPDATE customers SET name = 'today'; CREATE VIEW only_here AS SELECT name FROM customers;",
    );
    const before = dumpOf(target);
    const run = await cli(['restore', made.file, '--database-url', server.url(target), '--yes'], {
      cwd: dir,
      env,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/only_here/);
    expect(run.stderr).toMatch(/rolled back/);
    expect(dumpOf(target)).toBe(before);
  });

  test('two jobs with --drop-database: the new database is dropped, the target never touched', async () => {
    const dir = tempDir('pg-formats-parallel-fail');
    const source = fresh('owned');
    await server.createDatabase(source, SAMPLE_SCHEMA);
    await server.query(
      source,
      `DROP ROLE IF EXISTS formats_gone; CREATE ROLE formats_gone; ALTER TABLE orders OWNER TO formats_gone;`,
    );
    const made = await backup(dir, source, '--format', 'directory', '--jobs', '2');
    await server.query(source, 'DROP OWNED BY formats_gone CASCADE; DROP ROLE formats_gone;');
    const target = fresh('parallel');
    await server.createDatabase(
      target,
      'CREATE TABLE keep (x int); INSERT INTO keep VALUES (1), (2);',
    );
    const before = dumpOf(target);
    const databases = await server.databases();
    const run = await cli(
      [
        'restore',
        made.file,
        '--database-url',
        server.url(target),
        '--yes',
        '--jobs',
        '2',
        '--drop-database',
      ],
      { cwd: dir, env },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/formats_gone/);
    expect(run.stderr).toMatch(/was never touched/);
    expect(dumpOf(target)).toBe(before);
    expect((await server.databases()).sort()).toEqual(databases.sort());
  });

  test('two jobs into an existing database without --drop-database is refused (exit 2)', async () => {
    const dir = tempDir('pg-formats-jobs-refused');
    const made = await backup(dir, 'formats_src', '--format', 'custom');
    const target = fresh('nojobs');
    await server.createDatabase(target, 'CREATE TABLE keep (x int);');
    const before = dumpOf(target);
    const run = await cli(
      ['restore', made.file, '--database-url', server.url(target), '--yes', '--jobs', '2'],
      { cwd: dir, env },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--drop-database/);
    expect(dumpOf(target)).toBe(before);
  });

  test('two jobs with --drop-database replace the target by a swap', async () => {
    const dir = tempDir('pg-formats-swap');
    const made = await backup(dir, 'formats_src', '--format', 'custom', '--compression', 'zstd');
    const target = fresh('swap');
    await server.createDatabase(target, 'CREATE TABLE old_only (x int);');
    const run = await cli(
      [
        'restore',
        made.file,
        '--database-url',
        server.url(target),
        '--yes',
        '--jobs',
        '2',
        '--drop-database',
      ],
      { cwd: dir, env },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(await snapshotRows(server, target)).toEqual(await snapshotRows(server, 'formats_src'));
  });
});

describe('a backup of the public schema alone (--schemas public)', () => {
  test('its CREATE SCHEMA public meets the public schema every new database has: two jobs, verify and one job all restore it, owner and grants as in the source; a whole backup leaves public as it is', async () => {
    const source = fresh('public_only');
    // Dropped and made again by hand: pg_dump then writes its owner and grants as they are.
    await server.createDatabase(
      source,
      'DROP SCHEMA public; CREATE SCHEMA public; REVOKE ALL ON SCHEMA public FROM PUBLIC; CREATE TABLE public.items (id int PRIMARY KEY, name text); INSERT INTO public.items VALUES (1, $$a$$), (2, $$b$$);',
    );
    const schemaOf = async (database: string) =>
      server.query(
        database,
        "SELECT pg_catalog.pg_get_userbyid(nspowner) AS owner, nspacl::text AS acl FROM pg_catalog.pg_namespace WHERE nspname = 'public'",
      );
    const dir = tempDir('pg-formats-public');
    /** verify --jobs 2 passes; a restore with `jobs` into a new database is the source again, public included. */
    const verifiesAndRestores = async (file: string, from: string, jobs: readonly string[]) => {
      const verified = await cli(
        ['verify', file, '--verify-database-url', server.url('postgres'), '--jobs', '2'],
        { cwd: dir, env },
      );
      expect(verified.status, verified.stderr).toBe(0);
      for (const count of jobs) {
        const target = fresh(`public_copy_${count}`);
        const run = await cli(
          [
            'restore',
            file,
            '--database-url',
            server.url(target),
            '--yes',
            '--jobs',
            count,
            '--create-database',
          ],
          { cwd: dir, env },
        );
        expect(run.status, run.stderr).toBe(0);
        expect(await snapshotRows(server, target)).toEqual(await snapshotRows(server, from));
        expect(await schemaOf(target)).toEqual(await schemaOf(from));
      }
    };
    for (const format of ['custom', 'directory']) {
      const made = await backup(dir, source, '--format', format, '--schemas', 'public');
      await verifiesAndRestores(made.file, source, ['2', '1']);
    }
    // A whole backup's entry for public makes nothing (pg_dump writes a comment saying so), even
    // when public has another owner, as in databases made before PostgreSQL 15: public stays.
    const whole = fresh('public_owned');
    await server.createDatabase(
      whole,
      'ALTER SCHEMA public OWNER TO postgres; CREATE TABLE public.items (id int PRIMARY KEY); INSERT INTO public.items VALUES (1);',
    );
    await verifiesAndRestores((await backup(dir, whole, '--format', 'custom')).file, whole, ['2']);
  });
});

describe('selective restore', () => {
  test('--tables and --schemas bring back only what they name, in one transaction; the rest of the target stays', async () => {
    const dir = tempDir('pg-formats-select');
    const original = await snapshotRows(server, 'formats_src');
    for (const format of ['custom', 'directory']) {
      const made = await backup(dir, 'formats_src', '--format', format);
      const target = fresh('select');
      const whole = await cli(
        ['restore', made.file, '--database-url', server.url(target), '--create-database'],
        { cwd: dir, env },
      );
      expect(whole.status, whole.stderr).toBe(0);
      await server.query(
        target,
        "UPDATE reports.daily SET total = 0; UPDATE customers SET name = 'today'; DELETE FROM audit.events;",
      );
      const today = await snapshotRows(server, target);
      const byTable = await cli(
        [
          'restore',
          made.file,
          '--database-url',
          server.url(target),
          '--yes',
          '--no-safety-backup',
          '--tables',
          'daily',
        ],
        { cwd: dir, env },
      );
      expect(byTable.status, byTable.stderr).toBe(0);
      expect(await snapshotRows(server, target)).toEqual({
        ...today,
        'reports.daily': original['reports.daily'],
      });
      const bySchema = await cli(
        [
          'restore',
          made.file,
          '--database-url',
          server.url(target),
          '--yes',
          '--no-safety-backup',
          '--schemas',
          'audit',
        ],
        { cwd: dir, env },
      );
      expect(bySchema.status, bySchema.stderr).toBe(0);
      expect(await snapshotRows(server, target)).toEqual({
        ...today,
        'reports.daily': original['reports.daily'],
        'audit.events': original['audit.events'],
      });
    }
  });

  test.each([
    [
      ['--tables', 'reports.daily'],
      /holds no table named "reports\.daily": --tables takes a table's name without its schema \(pick the schema with --schemas\)\. Nothing was changed\./,
    ],
    [['--tables', 'daily,nope'], /holds no table named "nope"\. Nothing was changed\./],
    [['--schemas', 'nope'], /holds no schema named "nope"\. Nothing was changed\./],
    [['--tables', '" Mixed Case"'], /holds no table named " Mixed Case"\. Nothing was changed\./],
    [['--tables', ' , ,'], /tables names nothing: give one or more names/],
  ])(
    '%j names what the backup does not hold: refused (exit 2) before anything changes, never "restored" with nothing',
    async (selection, message) => {
      const dir = tempDir('pg-formats-select-unknown');
      const made = await backup(dir, 'formats_src', '--format', 'custom');
      const target = fresh('unknownsel');
      await server.createDatabase(
        target,
        'CREATE TABLE keep (x int); INSERT INTO keep VALUES (7);',
      );
      const before = dumpOf(target);
      for (const jobs of ['1', '2']) {
        const run = await cli(
          [
            'restore',
            made.file,
            '--database-url',
            server.url(target),
            '--yes',
            ...(jobs === '2' ? ['--drop-database', '--jobs', '2'] : []),
            ...selection,
          ],
          { cwd: dir, env },
        );
        expect(run.status, run.stderr).toBe(2);
        expect(run.stderr).toMatch(message);
        // Refused before the safety backup too.
        expect(
          fs.existsSync(path.join(dir, 'backups'))
            ? fs.readdirSync(path.join(dir, 'backups')).filter((n) => n.includes('before_restore'))
            : [],
        ).toEqual([]);
      }
      expect(dumpOf(target)).toBe(before);
      expect((await server.databases()).filter((name) => name.startsWith(`${target}_`))).toEqual(
        [],
      );
    },
  );

  test('a name in quotes is the name inside (commas and all), and a name given twice counts once', async () => {
    const dir = tempDir('pg-formats-select-quoted');
    const original = await snapshotRows(server, 'formats_src');
    const made = await backup(dir, 'formats_src', '--format', 'custom');
    const target = fresh('quotedsel');
    const whole = await cli(
      ['restore', made.file, '--database-url', server.url(target), '--create-database'],
      { cwd: dir, env },
    );
    expect(whole.status, whole.stderr).toBe(0);
    await server.query(target, `DELETE FROM "Mixed Case"; UPDATE reports.daily SET total = 0;`);
    const run = await cli(
      [
        'restore',
        made.file,
        '--database-url',
        server.url(target),
        '--yes',
        '--no-safety-backup',
        '--tables',
        '"Mixed Case",daily,daily',
      ],
      { cwd: dir, env },
    );
    expect(run.status, run.stderr).toBe(0);
    const after = await snapshotRows(server, target);
    expect(original['public."Mixed Case"']).toHaveLength(2);
    expect(after['public."Mixed Case"']).toEqual(original['public."Mixed Case"']);
    expect(after['reports.daily']).toEqual(original['reports.daily']);
  });

  test('into a new database, what is picked comes with the schemas that hold it, their owner, comment and grants as in the backup', async () => {
    const dir = tempDir('pg-formats-select-new');
    const source = fresh('selsrc');
    await server.createDatabase(
      source,
      `DO $$ BEGIN CREATE ROLE formats_sales; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
       CREATE SCHEMA "sales team" AUTHORIZATION formats_sales;
       COMMENT ON SCHEMA "sales team" IS 'what the sales team keeps';
       GRANT USAGE ON SCHEMA "sales team" TO PUBLIC;
       CREATE TABLE "sales team".orders (id int PRIMARY KEY, total numeric);
       INSERT INTO "sales team".orders SELECT i, i * 2 FROM generate_series(1, 50) AS i;
       CREATE SCHEMA other;
       CREATE TABLE other.orders (id int);
       CREATE TABLE other.notes (id int);
       INSERT INTO other.notes VALUES (1), (2);
       CREATE TABLE public.kept (id int);
       CREATE SCHEMA "empty one";
       COMMENT ON SCHEMA "empty one" IS 'nothing in it yet';`,
    );
    const original = await snapshotRows(server, source);
    const schemaOf = async (database: string, name: string): Promise<unknown[]> =>
      server.query(
        database,
        `SELECT nspowner::regrole::text AS owner, obj_description(oid, 'pg_namespace') AS comment, nspacl::text AS acl
         FROM pg_namespace WHERE nspname = '${name}'`,
      );
    const cases: [string[], Record<string, unknown[]>, string[]][] = [
      [
        ['--schemas', 'sales team'],
        { '"sales team".orders': original['"sales team".orders']! },
        ['sales team'],
      ],
      [['--tables', 'notes'], { 'other.notes': original['other.notes']! }, ['other']],
      // pg_restore's --strict-names knows a schema only by what is in it: an empty one is picked too.
      [['--schemas', 'empty one'], {}, ['empty one']],
    ];
    for (const format of ['custom', 'directory']) {
      const made = await backup(dir, source, '--format', format);
      for (const [selection, rows, schemas] of cases) {
        for (const jobs of ['1', '2']) {
          const target = fresh('selnew');
          const run = await cli(
            [
              'restore',
              made.file,
              '--database-url',
              server.url(target),
              '--create-database',
              '--jobs',
              jobs,
              ...selection,
            ],
            { cwd: dir, env },
          );
          expect(run.status, `${format} ${selection.join(' ')} --jobs ${jobs}: ${run.stderr}`).toBe(
            0,
          );
          expect(run.stderr).toContain(
            `The new database gets "${schemas[0]}" from the backup too: the schema(s) that hold what was picked`,
          );
          expect(await snapshotRows(server, target)).toEqual(rows);
          for (const schema of schemas) {
            expect(await schemaOf(target, schema)).toEqual(await schemaOf(source, schema));
          }
          // Only the schemas of what was picked: not the others of the backup.
          expect(await schemaOf(target, schemas[0] === 'other' ? 'sales team' : 'other')).toEqual(
            [],
          );
        }
      }
    }
    // --drop-database: the target is replaced by what was picked, in its schema.
    const made = await backup(dir, source, '--format', 'custom');
    // --tables looks in the schemas named: an empty one holds none of them.
    const nowhere = fresh('selnone');
    const none = await cli(
      [
        'restore',
        made.file,
        '--database-url',
        server.url(nowhere),
        '--create-database',
        '--schemas',
        'empty one',
        '--tables',
        'orders',
      ],
      { cwd: dir, env },
    );
    expect(none.status, none.stderr).toBe(2);
    expect(none.stderr).toMatch(
      /holds no table named "orders" in the schema\(s\) given with --schemas: they hold nothing\. Nothing was changed\./,
    );
    expect((await server.databases()).filter((name) => name.startsWith(nowhere))).toEqual([]);
    const target = fresh('selswap');
    await server.createDatabase(target, 'CREATE TABLE old_only (x int);');
    const swap = await cli(
      [
        'restore',
        made.file,
        '--database-url',
        server.url(target),
        '--yes',
        '--no-safety-backup',
        '--drop-database',
        '--schemas',
        'sales team',
      ],
      { cwd: dir, env },
    );
    expect(swap.status, swap.stderr).toBe(0);
    expect(await snapshotRows(server, target)).toEqual({
      '"sales team".orders': original['"sales team".orders'],
    });
  }, 120_000);

  test('--tables for a plain backup is refused with one line (exit 2), the target unchanged', async () => {
    const dir = tempDir('pg-formats-select-plain');
    const made = await backup(dir, 'formats_src');
    const target = fresh('plainsel');
    await server.createDatabase(target, 'CREATE TABLE keep (x int); INSERT INTO keep VALUES (7);');
    const before = dumpOf(target);
    const run = await cli(
      [
        'restore',
        made.file,
        '--database-url',
        server.url(target),
        '--yes',
        '--tables',
        'customers',
      ],
      { cwd: dir, env },
    );
    expect(run.status).toBe(2);
    expect(
      run.stderr
        .trim()
        .split('\n')
        .filter((line) => !/^Restoring /.test(line))
        .at(-1),
    ).toMatch(/--tables and --schemas pick from a custom or directory backup/);
    expect(dumpOf(target)).toBe(before);
  });
});

describe("verify's scratch database", () => {
  const scratchServer = (): PostgresLocation =>
    parseDatabaseUrl(server.url('postgres'), process.cwd()) as PostgresLocation;

  test('drop takes the database a stopped parallel restore was filling to become it, marked for it, and nothing else', async () => {
    const scratch = await createScratchDatabase(scratchServer(), 'verify', false);
    const name = scratch.location.database;
    const filling = `${name}_restore_0badcafe`;
    await server.query('postgres', `CREATE DATABASE ${filling}`);
    await server.query('postgres', `COMMENT ON DATABASE ${filling} IS '${temporaryMark(name)}'`);
    await server.query('postgres', 'CREATE DATABASE db_backup_verify_unmarked_restore_1');
    expect(await scratch.drop()).toBe(false);
    const left = (await server.databases()).filter((d) => d.startsWith('db_backup_'));
    expect(left).toEqual(['db_backup_verify_unmarked_restore_1']);
    await server.query('postgres', 'DROP DATABASE db_backup_verify_unmarked_restore_1');
  });

  test('a scratch database heard of before it is made is dropped once its CREATE DATABASE ends', async () => {
    let heard: { drop(): Promise<boolean> } | undefined;
    let dropping: Promise<boolean> | undefined;
    const made = createScratchDatabase(scratchServer(), 'verify', true, (scratch) => {
      heard = scratch;
      // As a signal's cleanup would: while CREATE DATABASE is still under way.
      dropping = scratch.drop();
    });
    await made;
    expect(heard).toBeDefined();
    expect(await dropping).toBe(true);
    expect((await server.databases()).filter((d) => d.startsWith('db_backup_'))).toEqual([]);
  });
});

describe('a parallel restore stopped by a signal', () => {
  test('SIGTERM while pg_restore --jobs fills the new database: pg_restore stopped, target never touched, the leftover dropped by the next restore', async () => {
    const dir = tempDir('pg-formats-term');
    const made = await backup(dir, 'formats_src', '--format', 'custom');
    // pg_restore of this machine; with --jobs it restores, says so, then waits to be stopped.
    const tools = path.join(dir, 'tools');
    fs.mkdirSync(tools);
    fs.symlinkSync(PG_DUMP, path.join(tools, 'pg_dump'));
    const marker = path.join(dir, 'filled');
    // The process id the sleep will have (exec keeps it), so that only this one is looked for.
    const pidFile = path.join(dir, 'sleep.pid');
    fs.writeFileSync(
      path.join(tools, 'pg_restore'),
      `#!/bin/sh\ncase "$*" in *--jobs=*) "${PG_RESTORE}" "$@" || exit 1; echo $$ > "${pidFile}"; touch "${marker}"; exec sleep 600;; esac\nexec "${PG_RESTORE}" "$@"\n`,
      { mode: 0o755 },
    );
    const target = fresh('term');
    await server.createDatabase(target, 'CREATE TABLE keep (x int); INSERT INTO keep VALUES (3);');
    const before = dumpOf(target);
    const args = [
      'restore',
      made.file,
      '--database-url',
      server.url(target),
      '--yes',
      '--no-safety-backup',
      '--drop-database',
      '--jobs',
      '2',
      '--pg-dump-path',
      path.join(tools, 'pg_dump'),
    ];
    const run = startCli(args, { cwd: dir, fromSource: true });
    await waitUntil(() => fs.existsSync(marker), 'pg_restore to fill the new database', run);
    run.child.kill('SIGTERM');
    const stopped = await finished(run);
    expect(stopped.status).toBe(143);
    expect(dumpOf(target)).toBe(before);
    const left = (await server.databases()).filter((name) => name.startsWith(`${target}_`));
    // The last word is the restore's own account, given once its cleanup is done.
    const account = new RegExp(
      `^db-backup: The restore failed: .*pg_restore.*\\. "${target}" was never touched, and (${target}_restore_[0-9a-f]{8}) was dropped\\.$`,
      'm',
    ).exec(stopped.stderr);
    expect(account, stopped.stderr).not.toBeNull();
    expect(left).not.toContain(account![1]);
    expect(left.every((name) => name.startsWith(`${target}_restore_`))).toBe(true);
    // No pg_restore of ours is left running (other test files run their own `sleep 600` meanwhile).
    const sleepPid = fs.readFileSync(pidFile, 'utf8').trim();
    expect(sleepPid).toMatch(/^\d+$/);
    const commandOf = (pid: string): string => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        return ''; // gone
      }
    };
    expect(commandOf(sleepPid).split('\0').slice(0, 2)).not.toEqual(['sleep', '600']);
    fs.rmSync(path.join(tools, 'pg_restore'));
    fs.symlinkSync(PG_RESTORE, path.join(tools, 'pg_restore'));
    const again = await cli(args, { cwd: dir, env });
    expect(again.status, again.stderr).toBe(0);
    expect((await server.databases()).filter((name) => name.startsWith(`${target}_`))).toEqual([]);
    expect(await snapshotRows(server, target)).toEqual(await snapshotRows(server, 'formats_src'));
  });
});
