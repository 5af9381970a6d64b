import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cli } from './support/cli.js';
import {
  SAMPLE_SCHEMA,
  snapshotRows,
  startPostgres,
  TEST_PASSWORD,
  type PgServer,
} from './support/postgres.js';
import { tempDir } from './support/tmp.js';

let server: PgServer;

beforeAll(async () => {
  server = await startPostgres();
  await server.createDatabase('app', SAMPLE_SCHEMA);
});

afterAll(async () => {
  await server?.stop();
});

function backups(dir: string): string[] {
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((n) => n.endsWith('.sql.gz'))
        .sort()
    : [];
}

function sh(
  script: string,
  env: NodeJS.ProcessEnv = {},
): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('sh', ['-c', script], { encoding: 'utf8', env: { ...process.env, ...env } });
}

function writeScript(dir: string, name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

describe('PostgreSQL backup', () => {
  test('round trip: every row, sequences, views, functions, the extension; manifest counts equal restored counts', async () => {
    const dir = tempDir('pg-roundtrip');
    const run = await cli(['backup', '--json'], {
      cwd: dir,
      env: { DATABASE_URL: server.url('app'), PATH: process.env.PATH },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(TEST_PASSWORD);
    const [name] = backups(path.join(dir, 'backups'));
    expect(name).toMatch(/^postgres_backup_\d{8}_\d{6}\.sql\.gz$/);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'backups', `${name}.json`), 'utf8'));
    expect(manifest).toMatchObject({
      engine: 'postgres',
      database: {
        name: 'app',
        serverVersion: expect.stringMatching(/^\d+\.\d+/),
        dumpTool: expect.stringMatching(/^pg_dump \d+/),
      },
      compression: { algorithm: 'gzip' },
    });
    expect(manifest.tables).toEqual([
      { name: 'audit.events', rows: 30 },
      { name: 'public.Mixed Case', rows: 2 },
      { name: 'public.customers', rows: 200 },
      { name: 'public.empty_table', rows: 0 },
      { name: 'public.orders', rows: 500 },
    ]);
    expect(JSON.stringify(manifest)).not.toContain(TEST_PASSWORD);

    await server.createDatabase('roundtrip');
    const restore = await cli(
      ['restore', name!, '--database-url', server.url('roundtrip'), '--json'],
      { cwd: dir, env: { PATH: process.env.PATH } },
    );
    expect(restore.status, restore.stderr).toBe(0);
    expect(await snapshotRows(server, 'roundtrip')).toEqual(await snapshotRows(server, 'app'));
    const restoredCounts = JSON.parse(restore.stdout).info.tables;
    expect(restoredCounts).toEqual(manifest.tables);
    // Sequences continue after the restored rows; the view, the function and the extension came back.
    const [next] = await server.query<{ id: number }>(
      'roundtrip',
      "INSERT INTO customers (name) VALUES ('new') RETURNING id",
    );
    expect(next?.id).toBe(201);
    const [identity] = await server.query<{ id: string }>(
      'roundtrip',
      "INSERT INTO audit.events (kind) VALUES ('new') RETURNING id",
    );
    expect(identity?.id).toBe('31');
    expect(await server.query('roundtrip', 'SELECT count(*)::int AS n FROM big_customers')).toEqual(
      [{ n: 200 }],
    );
    expect(await server.query('roundtrip', 'SELECT order_count(1)::int AS n')).toEqual([{ n: 2 }]);
    expect(await server.query('roundtrip', "SELECT 'A@B.COM'::citext = 'a@b.com' AS same")).toEqual(
      [{ same: true }],
    );
    await expect(
      server.query('roundtrip', 'INSERT INTO orders (customer_id, total) VALUES (99999, 1)'),
    ).rejects.toThrow(/foreign key/);
  });

  test('gunzip -c FILE | psql restores a backup by hand', async () => {
    const dir = tempDir('pg-hand');
    expect(
      (
        await cli(['backup', '--database-url', server.url('app')], {
          cwd: dir,
          env: { PATH: process.env.PATH },
        })
      ).status,
    ).toBe(0);
    const [name] = backups(path.join(dir, 'backups'));
    await server.createDatabase('byhand');
    const result = sh('gunzip -c "$FILE" | psql -X -q -v ON_ERROR_STOP=1 -d byhand >/dev/null', {
      ...server.libpqEnv(),
      FILE: path.join(dir, 'backups', name!),
    });
    expect(result.status, result.stderr).toBe(0);
    expect(await snapshotRows(server, 'byhand')).toEqual(await snapshotRows(server, 'app'));
  });

  test('include and exclude options shape the dump, and the manifest describes what is in it', async () => {
    const dir = tempDir('pg-filter');
    const run = await cli(
      [
        'backup',
        '--database-url',
        server.url('app'),
        '--exclude-schemas',
        'audit',
        '--exclude-table-data',
        'public.orders',
        '--json',
      ],
      { cwd: dir, env: { PATH: process.env.PATH } },
    );
    expect(run.status, run.stderr).toBe(0);
    const tables = JSON.parse(run.stdout).manifest.tables;
    expect(tables).toEqual([
      { name: 'public.Mixed Case', rows: 2 },
      { name: 'public.customers', rows: 200 },
      { name: 'public.empty_table', rows: 0 },
      { name: 'public.orders', rows: 0 },
    ]);
    const only = await cli(
      ['backup', '--database-url', server.url('app'), '--tables', 'audit.*', '--json'],
      {
        cwd: dir,
        env: { PATH: process.env.PATH },
      },
    );
    expect(only.status, only.stderr).toBe(0);
    expect(JSON.parse(only.stdout).manifest.tables).toEqual([{ name: 'audit.events', rows: 30 }]);
  });

  test('the password reaches pg_dump through the environment, never its arguments', async () => {
    const dir = tempDir('pg-args');
    const log = path.join(dir, 'args.log');
    const pgDump = spawnSync('sh', ['-c', 'command -v pg_dump'], {
      encoding: 'utf8',
    }).stdout.trim();
    const wrapper = writeScript(
      dir,
      'pg_dump',
      `printf '%s\\n' "$@" >> "${log}"\n[ -n "$PGPASSWORD" ] && echo "PGPASSWORD set" >> "${log}"\nexec "${pgDump}" "$@"`,
    );
    const run = await cli(
      ['backup', '--database-url', server.url('app'), '--pg-dump-path', wrapper],
      { cwd: dir, env: { PATH: process.env.PATH } },
    );
    expect(run.status, run.stderr).toBe(0);
    const args = fs.readFileSync(log, 'utf8');
    expect(args).toContain('PGPASSWORD set');
    expect(args).toContain('--snapshot=');
    expect(args).not.toContain(TEST_PASSWORD);
    expect(args).not.toContain(encodeURIComponent(TEST_PASSWORD));
  });

  test.each([
    ['exits 1 halfway', 'exit 1'],
    ['is killed halfway', 'kill -9 $$'],
  ])('a pg_dump that %s fails the job: no backup file, nothing pruned', async (_label, ending) => {
    const dir = tempDir('pg-dying');
    const old = [
      'postgres_backup_20200101_000000.sql.gz',
      'postgres_backup_20200102_000000.sql.gz',
    ];
    fs.mkdirSync(path.join(dir, 'backups'), { mode: 0o700 });
    for (const name of old) fs.writeFileSync(path.join(dir, 'backups', name), 'old');
    const pgDump = spawnSync('sh', ['-c', 'command -v pg_dump'], {
      encoding: 'utf8',
    }).stdout.trim();
    const wrapper = writeScript(
      dir,
      'dying-pg_dump',
      `if [ "$1" = "--version" ]; then exec "${pgDump}" --version; fi\n"${pgDump}" "$@" | head -c 20000\necho "pg_dump: error: connection lost" >&2\n${ending}`,
    );
    const run = await cli(
      [
        'backup',
        '--database-url',
        server.url('app'),
        '--pg-dump-path',
        wrapper,
        '--max-backups',
        '1',
      ],
      {
        cwd: dir,
        env: { PATH: process.env.PATH },
      },
    );
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/pg_dump (exited with code 1|was killed by SIGKILL)/);
    if (ending === 'exit 1') expect(run.stderr).toMatch(/connection lost/);
    expect(backups(path.join(dir, 'backups'))).toEqual(old);
    expect(fs.readdirSync(path.join(dir, 'backups')).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  test('a pg_dump that exits 0 with no output is a failure', async () => {
    const dir = tempDir('pg-empty');
    const pgDump = spawnSync('sh', ['-c', 'command -v pg_dump'], {
      encoding: 'utf8',
    }).stdout.trim();
    const wrapper = writeScript(
      dir,
      'silent-pg_dump',
      `if [ "$1" = "--version" ]; then exec "${pgDump}" --version; fi\nexit 0`,
    );
    const run = await cli(
      ['backup', '--database-url', server.url('app'), '--pg-dump-path', wrapper],
      { cwd: dir, env: { PATH: process.env.PATH } },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/produced no data/);
    expect(backups(path.join(dir, 'backups'))).toEqual([]);
  });

  test('a wrong password is a clear error that does not contain it', async () => {
    const dir = tempDir('pg-wrong-pw');
    const wrong = 'Wr0ng-Secret-Value';
    const run = await cli(['backup', '--database-url', server.url('app', { password: wrong })], {
      cwd: dir,
      env: { PATH: process.env.PATH },
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/rejected the password for user "postgres"/);
    expect(run.stderr).not.toContain(wrong);
    expect(backups(path.join(dir, 'backups'))).toEqual([]);
  });

  test.each([
    ['a closed port', () => 'postgres://postgres:pw@127.0.0.1:1/app'],
    [
      'a host that never answers',
      () => 'postgres://postgres:pw@10.255.255.1:5432/app?connect_timeout=2',
    ],
    [
      'a name that does not resolve',
      () => 'postgres://postgres:pw@no-such-host.invalid:5432/app?connect_timeout=2',
    ],
  ])('%s is a clear error within a bounded time', async (_label, url) => {
    const dir = tempDir('pg-unreachable');
    const started = Date.now();
    const run = await cli(['backup', '--database-url', url()], {
      cwd: dir,
      env: { PATH: process.env.PATH },
    });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/Cannot reach PostgreSQL at .*:\d+/);
  });

  test('a database that does not exist is a clear error', async () => {
    const dir = tempDir('pg-nodb');
    const run = await cli(['backup', '--database-url', server.url('nope')], {
      cwd: dir,
      env: { PATH: process.env.PATH },
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/The database "nope" does not exist/);
  });
});
