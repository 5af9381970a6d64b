import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cli } from './support/cli.js';
import {
  SAMPLE_SCHEMA,
  snapshotRows,
  startPostgres,
  TEST_PASSWORD,
  type PgServer,
} from './support/postgres.js';
import { createSampleDatabase } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

let server: PgServer;
const env = { PATH: process.env.PATH };

beforeAll(async () => {
  server = await startPostgres();
});

afterAll(async () => {
  await server?.stop();
});

let counter = 0;

/** A database with the sample schema, and a backup of it in a fresh directory. */
async function databaseWithBackup(): Promise<{
  dir: string;
  db: string;
  backup: string;
  original: Record<string, unknown[]>;
}> {
  counter += 1;
  const db = `restore_${counter}`;
  await server.createDatabase(db, SAMPLE_SCHEMA);
  const dir = tempDir('pg-restore');
  const run = await cli(['backup', '--database-url', server.url(db)], { cwd: dir, env });
  expect(run.status, run.stderr).toBe(0);
  const backup = fs.readdirSync(path.join(dir, 'backups')).find((n) => n.endsWith('.sql.gz'))!;
  return {
    dir,
    db,
    backup: path.join(dir, 'backups', backup),
    original: await snapshotRows(server, db),
  };
}

/** Today's data: yesterday's backup must replace it. */
async function changeData(db: string): Promise<void> {
  await server.query(
    db,
    `
    DELETE FROM orders WHERE id > 100;
    UPDATE customers SET name = 'changed', balance = 0;
    INSERT INTO customers (name) VALUES ('added today');
    ALTER TABLE customers ADD COLUMN added_today int;
    INSERT INTO audit.events (kind) VALUES ('today');`,
  );
}

function restoreArgs(db: string, ...extra: string[]): string[] {
  return ['restore', 'latest', '--database-url', server.url(db), ...extra];
}

describe('PostgreSQL restore', () => {
  test('over a database holding the same tables: replaces them, keeps a safety backup, needs --yes', async () => {
    const { dir, db, original } = await databaseWithBackup();
    await changeData(db);
    const today = await snapshotRows(server, db);
    const refused = await cli(restoreArgs(db), { cwd: dir, env });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/--yes/);
    expect(await snapshotRows(server, db)).toEqual(today);

    const run = await cli(restoreArgs(db, '--yes'), { cwd: dir, env });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr + run.stdout).not.toContain(TEST_PASSWORD);
    expect(await snapshotRows(server, db)).toEqual(original);
    const columns = await server.query(
      db,
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'customers' AND column_name = 'added_today'",
    );
    expect(columns).toEqual([]);

    const safety = fs
      .readdirSync(path.join(dir, 'backups'))
      .filter((n) => n.startsWith('postgres_before-restore_') && n.endsWith('.sql.gz'));
    expect(safety).toHaveLength(1);
    expect(fs.existsSync(path.join(dir, 'backups', `${safety[0]}.json`))).toBe(true);
    // The safety backup holds today's data and restores.
    await server.createDatabase(`${db}_safety`);
    const back = await cli(['restore', safety[0]!, '--database-url', server.url(`${db}_safety`)], {
      cwd: dir,
      env,
    });
    expect(back.status, back.stderr).toBe(0);
    expect(await snapshotRows(server, `${db}_safety`)).toEqual(today);
  });

  test('a restore failing in its last statement leaves the target as it was', async () => {
    const { dir, db, backup } = await databaseWithBackup();
    await changeData(db);
    const today = await snapshotRows(server, db);
    const sql = zlib.gunzipSync(fs.readFileSync(backup)).toString('utf8');
    const broken = path.join(dir, 'broken.sql.gz');
    fs.writeFileSync(broken, zlib.gzipSync(`${sql}\nCREATE TABLE broken (x no_such_type);\n`));
    const run = await cli(['restore', broken, '--database-url', server.url(db), '--yes'], {
      cwd: dir,
      env,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/rolled back/);
    expect(run.stderr).toMatch(/no_such_type/);
    expect(await snapshotRows(server, db)).toEqual(today);
    // The safety backup was taken before the attempt and restores today's data.
    const safety = fs
      .readdirSync(path.join(dir, 'backups'))
      .find((n) => n.startsWith('postgres_before-restore_') && n.endsWith('.gz'))!;
    await server.createDatabase(`${db}_safety`);
    expect(
      (
        await cli(['restore', safety, '--database-url', server.url(`${db}_safety`)], {
          cwd: dir,
          env,
        })
      ).status,
    ).toBe(0);
    expect(await snapshotRows(server, `${db}_safety`)).toEqual(today);
  });

  test.each([
    ['truncated', (bytes: Buffer) => bytes.subarray(0, Math.floor(bytes.length * 0.6))],
    [
      'corrupted',
      (bytes: Buffer) =>
        Buffer.concat([bytes.subarray(0, 100), Buffer.alloc(64, 0x55), bytes.subarray(164)]),
    ],
  ])(
    'a %s backup is refused before anything changes, no safety backup taken',
    async (_label, mangle) => {
      const { dir, db, backup } = await databaseWithBackup();
      await changeData(db);
      const today = await snapshotRows(server, db);
      const bad = path.join(dir, 'bad.sql.gz');
      fs.writeFileSync(bad, mangle(fs.readFileSync(backup)));
      const run = await cli(['restore', bad, '--database-url', server.url(db), '--yes'], {
        cwd: dir,
        env,
      });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/truncated|damaged/);
      expect(await snapshotRows(server, db)).toEqual(today);
      expect(
        fs.readdirSync(path.join(dir, 'backups')).filter((n) => n.includes('before-restore')),
      ).toEqual([]);
    },
  );

  test('a truncated plain SQL stream never commits a partial restore', async () => {
    // A gzip that is valid but whose SQL stops halfway: psql must not commit what it got.
    const { dir, db, backup } = await databaseWithBackup();
    await changeData(db);
    const today = await snapshotRows(server, db);
    const sql = zlib.gunzipSync(fs.readFileSync(backup)).toString('utf8');
    const half = path.join(dir, 'half.sql.gz');
    const cut = sql.indexOf('COPY public.orders');
    fs.writeFileSync(half, zlib.gzipSync(sql.slice(0, cut + 200)));
    const run = await cli(['restore', half, '--database-url', server.url(db), '--yes'], {
      cwd: dir,
      env,
    });
    // Read through before anything changes (no manifest vouches for it): refused, no safety backup.
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/ends inside the data of a COPY statement.*Nothing was changed/);
    expect(await snapshotRows(server, db)).toEqual(today);
  });

  test('objects only in the target are kept (documented rule); --drop-database gives a clean slate', async () => {
    const { dir, db, original } = await databaseWithBackup();
    await server.query(
      db,
      'CREATE TABLE only_in_target (x int); INSERT INTO only_in_target VALUES (1);',
    );
    expect((await cli(restoreArgs(db, '--yes'), { cwd: dir, env })).status).toBe(0);
    expect(await server.query(db, 'SELECT x FROM only_in_target')).toEqual([{ x: 1 }]);

    const run = await cli(restoreArgs(db, '--yes', '--drop-database', '--no-safety-backup'), {
      cwd: dir,
      env,
    });
    expect(run.status, run.stderr).toBe(0);
    const { only_in_target, ...rest } = await snapshotRows(server, db);
    expect(only_in_target).toBeUndefined();
    expect(rest).toEqual(original);
    expect((await server.databases()).filter((d) => d.includes('_restore_'))).toEqual([]);
  });

  test('--drop-database refuses while other sessions are connected, unless told to terminate them', async () => {
    const { dir, db, original } = await databaseWithBackup();
    await changeData(db);
    const today = await snapshotRows(server, db);
    const session = new pg.Client({ connectionString: server.url(db) });
    session.on('error', () => undefined);
    await session.connect();
    try {
      const refused = await cli(restoreArgs(db, '--yes', '--drop-database'), { cwd: dir, env });
      expect(refused.status).toBe(2);
      expect(refused.stderr).toMatch(
        /1 other session\(s\) are connected to "restore_\d+".*--terminate-connections/,
      );
      expect(await snapshotRows(server, db)).toEqual(today);
      const run = await cli(
        restoreArgs(db, '--yes', '--drop-database', '--terminate-connections'),
        { cwd: dir, env },
      );
      expect(run.status, run.stderr).toBe(0);
      expect(await snapshotRows(server, db)).toEqual(original);
    } finally {
      await session.end().catch(() => undefined);
    }
  });

  test('--drop-database waits for a session on its way out, as DROP DATABASE does, then goes on', async () => {
    const { dir, db, original } = await databaseWithBackup();
    await changeData(db);
    const session = new pg.Client({ connectionString: server.url(db) });
    session.on('error', () => undefined);
    await session.connect();
    // The session leaves once the restore has seen it and waits: its count of the
    // target's sessions is the last query of one of its connections.
    const waiting = async (): Promise<boolean> =>
      (
        await server.query<{ n: string }>(
          'postgres',
          "SELECT count(*) AS n FROM pg_stat_activity WHERE query LIKE '%IS DISTINCT FROM ''autovacuum worker''%' AND pid <> pg_backend_pid()",
        )
      )[0]!.n !== '0';
    const leaving = (async () => {
      for (let i = 0; i < 1200 && !(await waiting()); i += 1)
        await new Promise((resolve) => setTimeout(resolve, 50));
      await session.end();
    })();
    const run = await cli(restoreArgs(db, '--yes', '--drop-database'), { cwd: dir, env });
    await leaving;
    expect(run.status, run.stderr).toBe(0);
    expect(await snapshotRows(server, db)).toEqual(original);
  });

  test('a database that does not exist is created only when asked', async () => {
    const { dir, original, backup } = await databaseWithBackup();
    const target = `fresh_${counter}`;
    // Another database's backup: named (latest is only ever the target's own).
    const byName = (...extra: string[]) => [
      'restore',
      path.basename(backup),
      '--database-url',
      server.url(target),
      ...extra,
    ];
    const refused = await cli(byName(), { cwd: dir, env });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/does not exist.*--create-database/);
    const run = await cli(byName('--create-database'), { cwd: dir, env });
    expect(run.status, run.stderr).toBe(0);
    expect(await snapshotRows(server, target)).toEqual(original);
  });

  test('an empty existing database needs no confirmation', async () => {
    const { dir, original, backup } = await databaseWithBackup();
    const target = `empty_${counter}`;
    await server.createDatabase(target);
    const run = await cli(
      ['restore', path.basename(backup), '--database-url', server.url(target)],
      { cwd: dir, env },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(await snapshotRows(server, target)).toEqual(original);
  });

  test('a SQLite backup is refused for a PostgreSQL target, and the reverse', async () => {
    const { dir, db, backup } = await databaseWithBackup();
    createSampleDatabase(path.join(dir, 'app.db'));
    expect((await cli(['backup', '--database-url', 'file:app.db'], { cwd: dir, env })).status).toBe(
      0,
    );
    const sqliteBackup = fs
      .readdirSync(path.join(dir, 'backups'))
      .find((n) => n.endsWith('.db.gz'))!;
    const toPg = await cli(['restore', sqliteBackup, '--database-url', server.url(db), '--yes'], {
      cwd: dir,
      env,
    });
    expect(toPg.status).toBe(2);
    expect(toPg.stderr).toMatch(/is a SQLite backup and the target is a PostgreSQL database/);
    const toSqlite = await cli(
      ['restore', path.basename(backup), '--database-url', 'file:app.db', '--yes'],
      { cwd: dir, env },
    );
    expect(toSqlite.status).toBe(2);
    expect(toSqlite.stderr).toMatch(/is a PostgreSQL backup and the target is a SQLite database/);
  });
});

describe("a restore that fills the server's lock table", () => {
  test('fails rolled back, and says to raise max_locks_per_transaction or restore with --jobs into a new database', async () => {
    // 10 locks a connection, about 80 server processes: under a thousand in all, fewer than 500 tables with a key take.
    const small = await startPostgres({ settings: { max_locks_per_transaction: '10' } });
    try {
      const tables = Array.from(
        { length: 500 },
        (_, i) => `CREATE TABLE t${i} (id int PRIMARY KEY); INSERT INTO t${i} VALUES (1);`,
      ).join('\n');
      await small.createDatabase('locks', tables);
      const dir = tempDir('pg-locks');
      const made = await cli(['backup', '--database-url', small.url('locks')], { cwd: dir, env });
      expect(made.status, made.stderr).toBe(0);
      const before = small.dump('locks');
      const restoreLatest = (...extra: string[]) =>
        cli(
          [
            'restore',
            'latest',
            '--database-url',
            small.url('locks'),
            '--yes',
            '--no-safety-backup',
          ].concat(extra),
          { cwd: dir, env },
        );
      const run = await restoreLatest();
      expect(run.status, run.stderr).toBe(1);
      expect(run.stderr).toMatch(
        /out of shared memory \(SQLSTATE 53200\).* raise max_locks_per_transaction on the server \(then restart it\), or restore a custom or directory backup into a new database with --jobs 2 or more\./s,
      );
      expect(small.dump('locks')).toBe(before);
      // As the advice says: a custom backup restored with --jobs into a new database, swapped in.
      const custom = await cli(
        ['backup', '--database-url', small.url('locks'), '--format', 'custom'],
        { cwd: dir, env },
      );
      expect(custom.status, custom.stderr).toBe(0);
      const jobs = await restoreLatest('--drop-database', '--jobs', '2');
      expect(jobs.status, jobs.stderr).toBe(0);
      expect(small.dump('locks')).toBe(before);
    } finally {
      await small.stop();
    }
  });
});

describe('a dump made without --clean, restored in place', () => {
  const advice = (db: string): string =>
    ` The backup creates objects "${db}" already has (a dump made without --clean, which would drop each one first): restore it with --drop-database to replace the database, or into a new one (another name in the database URL) with --create-database.`;

  /** `pg_dump DB | gzip > backups/NAME`, by hand: no --clean, no manifest. */
  function handMadeDump(db: string, dir: string): string {
    const name = 'postgres_backup_20261101_020000.sql.gz';
    const sql = execFileSync('pg_dump', ['--no-password', db], { env: server.libpqEnv() });
    fs.mkdirSync(path.join(dir, 'backups'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'backups', name), zlib.gzipSync(sql));
    return name;
  }

  test('fails rolled back and says to restore with --drop-database or into a new database; --drop-database then replaces it', async () => {
    const db = 'no_clean';
    await server.createDatabase(
      db,
      'CREATE TABLE orders (id int PRIMARY KEY, total numeric); INSERT INTO orders VALUES (1, 10), (2, 20);',
    );
    const dir = tempDir('pg-no-clean');
    const name = handMadeDump(db, dir);
    await server.query(db, 'DELETE FROM orders WHERE id = 2; INSERT INTO orders VALUES (3, 30);');
    const before = server.dump(db);

    const run = await cli(['restore', name, '--database-url', server.url(db), '--yes'], {
      cwd: dir,
      env,
    });
    expect(run.status, run.stderr).toBe(1);
    const last = run.stderr.trim().split('\n').at(-1)!;
    expect(last).toMatch(
      /^db-backup: The restore stopped at line \d+ of the backup's SQL: ERROR: relation "orders" already exists \(SQLSTATE 42P07\)\..* The restore was rolled back \(the server reports its transaction \d+ aborted\): "no_clean" is as it was\. /,
    );
    expect(last.endsWith(advice(db))).toBe(true);
    expect(server.dump(db)).toBe(before);

    const replaced = await cli(
      ['restore', name, '--database-url', server.url(db), '--yes', '--drop-database'],
      { cwd: dir, env },
    );
    expect(replaced.status, replaced.stderr).toBe(0);
    expect(await server.query(db, 'SELECT id, total FROM orders ORDER BY id')).toEqual([
      { id: 1, total: '10' },
      { id: 2, total: '20' },
    ]);
  });

  test.each([
    ['42P06', 'CREATE SCHEMA sales;'],
    ['42710', "CREATE TYPE mood AS ENUM ('ok');"],
    ['42723', 'CREATE FUNCTION answer() RETURNS int LANGUAGE sql AS $$ SELECT 42 $$;'],
  ])('SQLSTATE %s (something else that exists already) gets the same advice', async (code, sql) => {
    const db = `no_clean_${code.toLowerCase()}`;
    await server.createDatabase(db, sql);
    const dir = tempDir('pg-no-clean');
    const name = handMadeDump(db, dir);
    const before = server.dump(db);
    const run = await cli(['restore', name, '--database-url', server.url(db), '--yes'], {
      cwd: dir,
      env,
    });
    expect(run.status, run.stderr).toBe(1);
    const last = run.stderr.trim().split('\n').at(-1)!;
    expect(last).toContain(`(SQLSTATE ${code}).`);
    expect(last.endsWith(advice(db))).toBe(true);
    expect(server.dump(db)).toBe(before);
  });

  test('a dump of public alone (pg_dump --schema public) meets the public every new database has: the advice says what gets past it, and following it restores', async () => {
    const db = 'public_by_hand';
    await server.createDatabase(
      db,
      'CREATE TABLE orders (id int PRIMARY KEY, total numeric); INSERT INTO orders VALUES (1, 10), (2, 20);',
    );
    const dir = tempDir('pg-public-by-hand');
    fs.mkdirSync(path.join(dir, 'backups'));
    const name = 'postgres_backup_20261101_040000.sql.gz';
    const sql = execFileSync('pg_dump', ['--no-password', '--schema', 'public', db], {
      env: server.libpqEnv(),
    });
    expect(sql.toString()).toMatch(/^CREATE SCHEMA public;$/m);
    fs.writeFileSync(path.join(dir, 'backups', name), zlib.gzipSync(sql));
    const target = 'public_by_hand_copy';
    const run = await cli(
      ['restore', name, '--database-url', server.url(target), '--yes', '--create-database'],
      { cwd: dir, env },
    );
    expect(run.status, run.stderr).toBe(1);
    const last = run.stderr.trim().split('\n').at(-1)!;
    expect(last).toContain('ERROR: schema "public" already exists (SQLSTATE 42P06).');
    expect(
      last.endsWith(
        ' The backup creates the schema public (pg_dump --schema public writes CREATE SCHEMA public), which every new database has as well, so --drop-database and --create-database meet it too: create a new database (another name in the database URL), run DROP SCHEMA public in it, then restore into it.',
      ),
    ).toBe(true);
    expect(await server.databases()).not.toContain(target);
    // Verify's test restore fails the same way, with no advice about restore options.
    const verify = await cli(['verify', name, '--verify-database-url', server.url('postgres')], {
      cwd: dir,
      env,
    });
    expect(verify.status, verify.stderr).toBe(1);
    expect(verify.stdout + verify.stderr).toMatch(/schema "public" already exists/);
    expect(verify.stdout + verify.stderr).not.toMatch(/--drop-database|DROP SCHEMA public/);
    // As the advice says.
    await server.createDatabase(target, 'DROP SCHEMA public;');
    const again = await cli(['restore', name, '--database-url', server.url(target), '--yes'], {
      cwd: dir,
      env,
    });
    expect(again.status, again.stderr).toBe(0);
    expect(await server.query(target, 'SELECT id, total FROM orders ORDER BY id')).toEqual([
      { id: 1, total: '10' },
      { id: 2, total: '20' },
    ]);
  });

  test('the same error in a new database (the backup itself creates a table twice) gets no such advice', async () => {
    const dir = tempDir('pg-no-clean');
    fs.mkdirSync(path.join(dir, 'backups'));
    const name = 'postgres_backup_20261101_030000.sql.gz';
    fs.writeFileSync(
      path.join(dir, 'backups', name),
      zlib.gzipSync('CREATE TABLE twice (x int);\nCREATE TABLE twice (x int);\n'),
    );
    const db = 'no_clean_new';
    const run = await cli(
      ['restore', name, '--database-url', server.url(db), '--yes', '--create-database'],
      { cwd: dir, env },
    );
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/already exists \(SQLSTATE 42P07\)/);
    expect(run.stderr).not.toMatch(/--clean/);
    expect(await server.databases()).not.toContain(db);
    // Nor does verify's test restore, into its empty scratch database: restore's options are no answer there.
    const verify = await cli(['verify', name, '--verify-database-url', server.url('postgres')], {
      cwd: dir,
      env,
    });
    expect(verify.status, verify.stderr).toBe(1);
    expect(verify.stdout + verify.stderr).toMatch(/already exists \(SQLSTATE 42P07\)/);
    expect(verify.stdout + verify.stderr).not.toMatch(/--clean|--drop-database/);
  });
});
