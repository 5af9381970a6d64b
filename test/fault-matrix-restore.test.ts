import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BUNDLED_CLI, cli } from './support/cli.js';
import { embeddedBinDir, snapshotRows, startPostgres, type PgServer } from './support/postgres.js';
import {
  fileDigests,
  makeGate,
  pgDumpText,
  psqlRun,
  running,
  sessionsOn,
  waitUntil,
} from './support/restore-faults.js';
import { startCli } from './support/cli.js';
import { tempDir } from './support/tmp.js';

/**
 * The fault matrix of PostgreSQL restores: every way a restore can fail or be
 * stopped, against a real server, real psql and real signals. Each case
 * checks the exit status, the message, and that nothing was lost: pg_dump of
 * the target before and after, and the backups already there.
 */

const env = { PATH: process.env.PATH };
const bundled = fs.existsSync(BUNDLED_CLI);

/**
 * The source: a large object, tables with keys, COPY data, and an index slow
 * enough to build (2 ms a row) that a test can stop the restore while it runs.
 */
const SOURCE = `
  CREATE FUNCTION public.slow_identity(integer) RETURNS integer LANGUAGE sql IMMUTABLE
    AS $$ SELECT $1 FROM pg_catalog.pg_sleep(0.002) $$;
  CREATE TABLE docs (id int PRIMARY KEY, blob oid);
  INSERT INTO docs VALUES (1, lo_from_bytea(0, 'hello large object'));
  CREATE TABLE items (id int PRIMARY KEY, name text);
  INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 50) g;
  CREATE TABLE big (id int PRIMARY KEY, payload text);
  INSERT INTO big SELECT g, repeat('x', 40) || g FROM generate_series(1, 20000) g;
  CREATE INDEX big_slow ON big ((public.slow_identity(id))) WHERE id <= 1500;
`;

let server: PgServer;
let backupDir: string;
let backupFile: string;
let counter = 0;

function url(database: string): string {
  return server.url(database);
}

/** A new database copied from `template`, changed so that a partial restore would show. */
async function target(template = 'fm_changed'): Promise<string> {
  counter += 1;
  const name = `fm_t${counter}`;
  await server.query('postgres', `CREATE DATABASE ${name} TEMPLATE ${template}`);
  return name;
}

beforeAll(async () => {
  server = await startPostgres();
  await server.createDatabase('fm_src', SOURCE);
  const dir = tempDir('fault-matrix');
  const run = await cli(['backup', '--database-url', url('fm_src')], { cwd: dir, env });
  expect(run.status, run.stderr).toBe(0);
  backupDir = path.join(dir, 'backups');
  backupFile = path.join(
    backupDir,
    fs.readdirSync(backupDir).find((name) => name.endsWith('.sql.gz'))!,
  );
  // Today's data, which an interrupted or failed restore must leave exactly as it is.
  await server.query('postgres', 'CREATE DATABASE fm_changed TEMPLATE fm_src');
  await server.query(
    'fm_changed',
    `UPDATE items SET name = 'changed today';
     DELETE FROM big WHERE id > 15000;
     INSERT INTO docs VALUES (2, lo_from_bytea(0, 'written today'));
     CREATE TABLE only_today (x int); INSERT INTO only_today VALUES (42);`,
  );
}, 240_000);

afterAll(async () => {
  await server?.stop();
});

/** A copy of the backup directory, so that each case starts with the same backups. */
function backupsCopy(): { dir: string; backups: string; digests: Record<string, string> } {
  const dir = tempDir('fm-case');
  const backups = path.join(dir, 'backups');
  fs.cpSync(backupDir, backups, { recursive: true });
  return { dir, backups, digests: fileDigests(backups) };
}

/** Every backup that was there is still there, byte for byte (new safety backups may be added). */
function expectBackupsIntact(backups: string, before: Record<string, string>): void {
  const after = fileDigests(backups);
  for (const [name, digest] of Object.entries(before)) expect(after[name], name).toBe(digest);
}

describe('the reproduction: a large object, a renamed table, a late failure', () => {
  test('fails late, exits 1, says it rolled back (checked), and pg_dump of the target is byte-for-byte as before', async () => {
    const db = await target('fm_src');
    // In a copy of the source: one table renamed, a row added to another.
    await server.query(
      db,
      'ALTER TABLE items RENAME TO items_old; INSERT INTO docs VALUES (2, NULL);',
    );
    const before = pgDumpText(server, db);
    const { dir, backups, digests } = backupsCopy();
    const run = await cli(['restore', path.basename(backupFile), '--yes'], {
      cwd: dir,
      env: { ...env, DATABASE_URL: url(db) },
    });
    expect(run.status).toBe(1);
    const error = run.stderr.split('\n').filter((l) => l.startsWith('db-backup:'));
    expect(error).toHaveLength(1);
    expect(error[0]).toMatch(
      /The restore stopped at line \d+ of the backup's SQL: ERROR: relation "items_pkey" already exists \(SQLSTATE 42P07\)\..* The restore was rolled back \(the server reports its transaction \d+ aborted\): "fm_t\d+" is as it was\./,
    );
    expect(pgDumpText(server, db)).toBe(before);
    expectBackupsIntact(backups, digests);
    // The safety backup taken first holds today's data.
    expect(fs.readdirSync(backups).some((n) => n.startsWith('postgres_before-restore_'))).toBe(
      true,
    );
  });

  test('the same backup restores completely where nothing stands in its way, large object included', async () => {
    const db = await target();
    const run = await cli(['restore', backupFile, '--yes', '--no-safety-backup'], {
      cwd: tempDir('fm-ok'),
      env: { ...env, DATABASE_URL: url(db) },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/Left out 2 BEGIN\/COMMIT statement\(s\) of the backup/);
    const { 'public.only_today': kept, ...rows } = await snapshotRows(server, db);
    expect(kept).toEqual([{ x: 42 }]);
    const { ...source } = await snapshotRows(server, 'fm_src');
    expect(rows).toEqual(source);
    expect(
      await server.query(
        db,
        "SELECT convert_from(lo_get(blob), 'UTF8') AS text FROM docs WHERE id = 1",
      ),
    ).toEqual([{ text: 'hello large object' }]);
  });
});

describe.runIf(bundled)('stopping the tool never commits a restore', () => {
  /** Where to hold the restore: mid-COPY, while an index is built, just before COMMIT. */
  const MOMENTS = {
    'while psql applies COPY data': { pauseAfter: '^10000\\t' },
    'while the server builds an index': { pauseAfter: '^CREATE INDEX big_slow ' },
    'just before COMMIT': { pauseBefore: '^\\\\echo db-backup-[0-9a-f]+-ready' },
  } as const;
  const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGKILL'] as const;
  const cases = SIGNALS.flatMap((signal) =>
    Object.keys(MOMENTS).map((moment) => [signal, moment] as const),
  );

  test.each(cases)('%s %s', async (signal, moment) => {
    const db = await target();
    const before = pgDumpText(server, db);
    const { dir, backups, digests } = backupsCopy();
    const gate = makeGate(MOMENTS[moment as keyof typeof MOMENTS]);
    const run = startCli(['restore', path.basename(backupFile), '--yes', '--no-safety-backup'], {
      cwd: dir,
      env: { DATABASE_URL: url(db) },
      pathFirst: gate.binDir,
    });
    await waitUntil(() => gate.reached(), `the restore to reach the moment ${moment}`, run);
    if (moment === 'while the server builds an index') {
      await waitUntil(() => running(server, db, 'CREATE INDEX big_slow'), 'the index build', run);
    }
    // The tool's own process, not its process group: psql gets no signal from us.
    run.child.kill(signal);
    const exit = await run.exited;
    if (signal === 'SIGKILL') {
      expect(exit.signal).toBe('SIGKILL');
    } else {
      expect(exit.code).toBe(signal === 'SIGTERM' ? 143 : 130);
      expect(run.stderr()).toMatch(
        new RegExp(
          `db-backup: Stopped by ${signal}\\. The restore was rolled back \\(the server reports its transaction \\d+ aborted\\): "${db}" is as it was\\.`,
        ),
      );
    }
    // psql, left alone after SIGKILL, reads to the end of its input without COMMIT and goes.
    await waitUntil(async () => (await sessionsOn(server, db)) === 0, 'the restore session to end');
    expect(pgDumpText(server, db)).toBe(before);
    expectBackupsIntact(backups, digests);
  });

  test.each([
    ['while psql applies COPY data', { pauseAfter: '^10000\\t' }],
    ['while the server builds an index', { pauseAfter: '^CREATE INDEX big_slow ' }],
  ])('psql killed %s: exit 1, rolled back (checked)', async (moment, config) => {
    const db = await target();
    const before = pgDumpText(server, db);
    const gate = makeGate(config);
    const run = startCli(['restore', backupFile, '--yes', '--no-safety-backup'], {
      cwd: tempDir('fm-psql-killed'),
      env: { DATABASE_URL: url(db) },
      pathFirst: gate.binDir,
    });
    await waitUntil(() => gate.reached(), moment, run);
    if (moment.includes('index')) {
      await waitUntil(() => running(server, db, 'CREATE INDEX big_slow'), 'the index build', run);
    }
    process.kill(gate.psqlPid()!, 'SIGKILL');
    const exit = await run.exited;
    expect(exit.code).toBe(1);
    expect(run.stderr()).toMatch(
      /The restore stopped: psql was killed by SIGKILL\..* The restore was rolled back \(the server reports its transaction \d+ aborted\): "fm_t\d+" is as it was\./,
    );
    await waitUntil(async () => (await sessionsOn(server, db)) === 0, 'the session to end');
    expect(pgDumpText(server, db)).toBe(before);
  });

  test("psql's input holds COMMIT only after psql reported the whole backup ran, and never the backup's own BEGIN/COMMIT or \\restrict", async () => {
    const db = await target();
    const gate = makeGate({ log: true });
    const run = startCli(['restore', backupFile, '--yes', '--no-safety-backup'], {
      cwd: tempDir('fm-protocol'),
      env: { DATABASE_URL: url(db) },
      pathFirst: gate.binDir,
    });
    expect((await run.exited).code, run.stderr()).toBe(0);
    const lines = fs.readFileSync(gate.logFile, 'latin1').split('\n');
    expect(lines[0]).toBe('BEGIN;');
    expect(lines.filter((l) => l === 'BEGIN;')).toHaveLength(1);
    expect(lines.filter((l) => /^COMMIT;$/.test(l))).toHaveLength(1);
    const ready = lines.findIndex((l) => /^\\echo db-backup-[0-9a-f]{32}-ready /.test(l));
    expect(ready).toBeGreaterThan(0);
    expect(lines.indexOf('COMMIT;')).toBeGreaterThan(ready);
    expect(lines.some((l) => /^\\(un)?restrict /.test(l))).toBe(false);
    // The backup itself has all of these.
    const sql = zlib.gunzipSync(fs.readFileSync(backupFile)).toString('latin1');
    expect(sql).toMatch(/^\\restrict /m);
    expect(sql).toMatch(/^BEGIN;$/m);
    expect(sql).toMatch(/^COMMIT;$/m);
  });

  test('a psql that slips in its own COMMIT right after the restore began cannot commit it: exit 2, rolled back (checked)', async () => {
    const db = await target('fm_src');
    await server.query(db, 'ALTER TABLE items RENAME TO items_old');
    const before = pgDumpText(server, db);
    const gate = makeGate({
      injectAfter: '^\\\\unset db_backup_[0-9a-f]+_std',
      inject: 'COMMIT;\n',
    });
    const run = startCli(['restore', backupFile, '--yes', '--no-safety-backup'], {
      cwd: tempDir('fm-guarded'),
      env: { DATABASE_URL: url(db) },
      pathFirst: gate.binDir,
    });
    expect((await run.exited).code).toBe(2);
    expect(run.stderr()).toMatch(
      /with a COMMIT the restore filter did not see .*commit guard made that COMMIT fail\. The restore was rolled back \(the server reports its transaction \d+ aborted\): "fm_t\d+" is as it was\./,
    );
    expect(pgDumpText(server, db)).toBe(before);
  });

  test('a check that would find a committed transaction says so: COMMITTED, exit 1', async () => {
    // A psql wrapper that empties the commit guard and commits behind the restore's back, right after it began.
    const db = await target('fm_src');
    await server.query(db, 'ALTER TABLE items RENAME TO items_old');
    const gate = makeGate({
      injectAfter: '^\\\\unset db_backup_[0-9a-f]+_std',
      inject:
        "DO $$ BEGIN EXECUTE (SELECT pg_catalog.format('DELETE FROM pg_temp.%I', relname) FROM pg_catalog.pg_class WHERE relpersistence = 't' AND relname LIKE 'db\\_backup\\_%\\_guard'); END $$;\nCOMMIT;\n",
    });
    const run = startCli(['restore', backupFile, '--yes', '--no-safety-backup'], {
      cwd: tempDir('fm-committed'),
      env: { DATABASE_URL: url(db) },
      pathFirst: gate.binDir,
    });
    const exit = await run.exited;
    expect(exit.code).toBe(1);
    expect(run.stderr()).toMatch(
      /The server reports the restore's transaction \d+ COMMITTED although the restore did not finish: "fm_t\d+" may hold part of the backup\./,
    );
    expect(run.stderr()).not.toMatch(/is as it was/);
  });

  test('--drop-database killed: the target is untouched; the next restore drops the leftover and says so', async () => {
    const db = await target();
    const before = pgDumpText(server, db);
    const gate = makeGate({ pauseAfter: '^10000\\t' });
    const dir = tempDir('fm-drop-killed');
    const run = startCli(
      ['restore', backupFile, '--yes', '--no-safety-backup', '--drop-database'],
      {
        cwd: dir,
        env: { DATABASE_URL: url(db) },
        pathFirst: gate.binDir,
      },
    );
    await waitUntil(() => gate.reached(), 'mid-COPY', run);
    run.child.kill('SIGKILL');
    await run.exited;
    const leftovers = async (): Promise<string[]> =>
      (await server.databases()).filter((name) => name.startsWith(`${db}_restore_`));
    await waitUntil(
      async () => (await sessionsOn(server, (await leftovers())[0] ?? db)) === 0,
      'psql to end',
    );
    expect(pgDumpText(server, db)).toBe(before);
    expect(await leftovers()).toHaveLength(1);
    const again = await cli(['restore', backupFile, '--yes', '--no-safety-backup'], {
      cwd: dir,
      env: { ...env, DATABASE_URL: url(db) },
    });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(
      new RegExp(
        `Dropped ${db}_restore_[0-9a-f]{8}, a temporary database an interrupted restore of "${db}" left behind\\.`,
      ),
    );
    expect(await leftovers()).toEqual([]);
  });

  test('--drop-database stopped by SIGTERM: the new database is dropped and the target never touched', async () => {
    const db = await target();
    const before = pgDumpText(server, db);
    const gate = makeGate({ pauseAfter: '^10000\\t' });
    const run = startCli(
      ['restore', backupFile, '--yes', '--no-safety-backup', '--drop-database'],
      {
        cwd: tempDir('fm-drop-term'),
        env: { DATABASE_URL: url(db) },
        pathFirst: gate.binDir,
      },
    );
    await waitUntil(() => gate.reached(), 'mid-COPY', run);
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(143);
    expect(run.stderr()).toMatch(
      new RegExp(
        `rolled back \\(the server reports its transaction \\d+ aborted\\): "${db}" was never touched, and ${db}_restore_[0-9a-f]{8} was dropped\\.`,
      ),
    );
    expect((await server.databases()).filter((name) => name.startsWith(`${db}_`))).toEqual([]);
    expect(pgDumpText(server, db)).toBe(before);
  });

  test.each(['SIGINT', 'SIGTERM'] as const)(
    'verify stopped by %s mid-restore: the restore rolls back and the scratch database is dropped',
    async (signal) => {
      const gate = makeGate({ pauseAfter: '^10000\\t' });
      const run = startCli(['verify', backupFile], {
        cwd: tempDir('fm-verify-stopped'),
        env: { VERIFY_DATABASE_URL: url('postgres') },
        pathFirst: gate.binDir,
      });
      await waitUntil(() => gate.reached(), 'mid-COPY', run);
      const scratch = (await server.databases()).filter((n) => n.startsWith('db_backup_verify_'));
      expect(scratch).toHaveLength(1);
      run.child.kill(signal);
      expect((await run.exited).code).toBe(signal === 'SIGTERM' ? 143 : 130);
      const lines = run.stderr().trim().split('\n');
      expect(lines).toContain(`db-backup: The temporary database ${scratch[0]} was dropped.`);
      expect(lines.at(-1)).toMatch(
        new RegExp(`^db-backup: stopped by ${signal}; temporary files removed`),
      );
      expect((await server.databases()).filter((n) => n.startsWith('db_backup_'))).toEqual([]);
      expect(fs.readdirSync(backupDir).filter((n) => n.includes('.verif'))).toEqual([]);
    },
  );

  test('--create-database killed: no half-restored database under the name; the next restore drops the leftover', async () => {
    counter += 1;
    const db = `fm_new${counter}`;
    const gate = makeGate({ pauseAfter: '^10000\\t' });
    const dir = tempDir('fm-create-killed');
    const run = startCli(['restore', backupFile, '--create-database'], {
      cwd: dir,
      env: { DATABASE_URL: url(db) },
      pathFirst: gate.binDir,
    });
    await waitUntil(() => gate.reached(), 'mid-COPY', run);
    run.child.kill('SIGKILL');
    await run.exited;
    expect(await server.databases()).not.toContain(db);
    const leftover = (await server.databases()).find((name) => name.startsWith(`${db}_restore_`));
    expect(leftover).toBeDefined();
    await waitUntil(async () => (await sessionsOn(server, leftover!)) === 0, 'psql to end');
    const again = await cli(['restore', backupFile, '--create-database'], {
      cwd: dir,
      env: { ...env, DATABASE_URL: url(db) },
    });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(
      /a temporary database an interrupted restore of "fm_new\d+" left behind/,
    );
    expect((await server.databases()).filter((name) => name.startsWith(`${db}_`))).toEqual([]);
    expect(await snapshotRows(server, db)).toEqual(await snapshotRows(server, 'fm_src'));
  });
});

describe('lock waits', () => {
  async function holdLock(db: string): Promise<{ client: pg.Client; pid: number }> {
    const client = new pg.Client({
      connectionString: url(db),
      application_name: 'fm-lock-holder',
    });
    await client.connect();
    await client.query('BEGIN');
    await client.query('LOCK TABLE items IN ACCESS SHARE MODE');
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!
      .pid;
    return { client, pid };
  }

  test('a lock held past --lock-timeout: the error names the session, the restore rolled back (checked)', async () => {
    const db = await target();
    const before = pgDumpText(server, db);
    const holder = await holdLock(db);
    try {
      const { dir, backups, digests } = backupsCopy();
      const run = await cli(
        ['restore', path.basename(backupFile), '--yes', '--lock-timeout', '2s'],
        {
          cwd: dir,
          env: { ...env, DATABASE_URL: url(db) },
        },
      );
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(
        new RegExp(
          `The restore waited longer than --lock-timeout \\(2 s\\) for a lock on "${db}" held by pid ${holder.pid} \\(user postgres, application "fm-lock-holder", state idle in transaction\\).* The restore was rolled back \\(the server reports its transaction \\d+ aborted\\): "${db}" is as it was\\. End or finish those sessions \\(for example SELECT pg_terminate_backend\\(${holder.pid}\\)\\), or restore with a longer --lock-timeout`,
        ),
      );
      expectBackupsIntact(backups, digests);
    } finally {
      await holder.client.end();
    }
    expect(pgDumpText(server, db)).toBe(before);
  });

  test.runIf(bundled)(
    '--lock-timeout 0 waits, says who it waits for, and goes on when the lock is released',
    async () => {
      const db = await target();
      const holder = await holdLock(db);
      const run = startCli(
        ['restore', backupFile, '--yes', '--no-safety-backup', '--lock-timeout', '0'],
        {
          cwd: tempDir('fm-lock-wait'),
          env: { DATABASE_URL: url(db) },
        },
      );
      try {
        await waitUntil(
          () =>
            run
              .stderr()
              .includes(
                `The restore is waiting for a lock held by pid ${holder.pid} (user postgres, application "fm-lock-holder", state idle in transaction); it waits as long as it takes (--lock-timeout 0).`,
              ),
          'the restore to say what it waits for',
          run,
        );
      } finally {
        await holder.client.query('COMMIT');
        await holder.client.end();
      }
      expect((await run.exited).code, run.stderr()).toBe(0);
      expect((await snapshotRows(server, db)).items).toEqual(
        (await snapshotRows(server, 'fm_src')).items,
      );
    },
  );

  test.each([['1'], ['30 seconds'], ['-1s'], ['1.5s']])(
    '--lock-timeout %j is refused with one line',
    async (value) => {
      const run = await cli(['restore', backupFile, `--lock-timeout=${value}`], {
        cwd: tempDir('fm-lock-bad'),
        env: { ...env, DATABASE_URL: url('fm_src') },
      });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(
        /lock-timeout must be a duration with its unit, such as 500ms, 30s, 2min or 1h, or 0/,
      );
    },
  );
});

describe('SQL a restore refuses', () => {
  test('a dump made with pg_dump --create (\\connect) is refused before anything changes: exit 2, no safety backup', async () => {
    const db = await target();
    const before = pgDumpText(server, db);
    const { dir, backups, digests } = backupsCopy();
    const sql = pgDumpText(server, 'fm_src', ['--create', '--clean', '--if-exists']);
    fs.writeFileSync(path.join(dir, 'created.sql.gz'), zlib.gzipSync(sql));
    const run = await cli(['restore', 'created.sql.gz', '--yes'], {
      cwd: dir,
      env: { ...env, DATABASE_URL: url(db) },
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /line \d+\): it holds the psql meta-command \\connect, and a restore runs no psql commands from a backup .*pg_dump --create.* Nothing was changed\./,
    );
    expect(fileDigests(backups)).toEqual(digests);
    expect(pgDumpText(server, db)).toBe(before);
  });

  test('a ROLLBACK in a backup whose manifest vouches for it is found mid-restore: rolled back (checked), exit 2', async () => {
    const db = await target();
    const before = pgDumpText(server, db);
    const { dir, backups } = backupsCopy();
    const name = path.basename(backupFile);
    const sql = zlib.gunzipSync(fs.readFileSync(path.join(backups, name))).toString('latin1');
    const tampered = zlib.gzipSync(Buffer.from(sql.replace(/^COMMIT;$/m, 'ROLLBACK;'), 'latin1'));
    fs.writeFileSync(path.join(backups, name), tampered);
    // The manifest describes the file as it now is: the restore trusts it and skips the read-through.
    const manifestFile = path.join(backups, `${name}.json`);
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    manifest.file.sha256 = (await import('node:crypto'))
      .createHash('sha256')
      .update(tampered)
      .digest('hex');
    manifest.file.size = tampered.length;
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    const run = await cli(['restore', name, '--yes'], {
      cwd: dir,
      env: { ...env, DATABASE_URL: url(db) },
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /line \d+\): ROLLBACK would undo the restore so far .* The restore was rolled back \(the server reports its transaction \d+ aborted\): "fm_t\d+" is as it was\./,
    );
    expect(pgDumpText(server, db)).toBe(before);
  });

  test('an SQL file of its own with BEGIN/COMMIT blocks restores as one transaction; a late error leaves nothing', async () => {
    const dir = tempDir('fm-handmade');
    const blocks = (last: string): string =>
      `BEGIN;\nCREATE TABLE public.handmade (id int PRIMARY KEY);\nINSERT INTO public.handmade VALUES (1), (2);\nCOMMIT;\n\nBEGIN;\n${last}\nCOMMIT;\n`;
    fs.writeFileSync(
      path.join(dir, 'good.sql.gz'),
      zlib.gzipSync(blocks('INSERT INTO public.handmade VALUES (3);')),
    );
    fs.writeFileSync(
      path.join(dir, 'bad.sql.gz'),
      zlib.gzipSync(blocks('INSERT INTO public.handmade VALUES (2);')),
    );
    counter += 1;
    const db = `fm_hand${counter}`;
    await server.createDatabase(db);
    const before = pgDumpText(server, db);
    const bad = await cli(['restore', 'bad.sql.gz', '--yes'], {
      cwd: dir,
      env: { ...env, DATABASE_URL: url(db) },
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(
      /at line 7 of the backup's SQL: ERROR: duplicate key value violates unique constraint "handmade_pkey" \(SQLSTATE 23505\).*rolled back/,
    );
    // With psql alone the first block would have committed: here nothing did.
    expect(pgDumpText(server, db)).toBe(before);
    const good = await cli(['restore', 'good.sql.gz', '--yes'], {
      cwd: dir,
      env: { ...env, DATABASE_URL: url(db) },
    });
    expect(good.status, good.stderr).toBe(0);
    expect(await server.query(db, 'SELECT id FROM handmade ORDER BY id')).toEqual([
      { id: 1 },
      { id: 2 },
      { id: 3 },
    ]);
  });
});

test("a server's statement_timeout does not cut a restore of SQL that does not reset it, as pg_dump's does", async () => {
  counter += 1;
  const db = `fm_timeout${counter}`;
  await server.createDatabase(db);
  await server.query('postgres', `ALTER DATABASE ${db} SET statement_timeout = '300ms'`);
  const dir = tempDir('fm-timeout');
  fs.writeFileSync(
    path.join(dir, 'slow.sql.gz'),
    zlib.gzipSync('SELECT pg_catalog.pg_sleep(1);\nCREATE TABLE public.slow_ok (x int);\n'),
  );
  const run = await cli(['restore', 'slow.sql.gz'], {
    cwd: dir,
    env: { ...env, DATABASE_URL: url(db) },
  });
  expect(run.status, run.stderr).toBe(0);
  expect(await server.query(db, 'SELECT count(*)::int AS n FROM slow_ok')).toEqual([{ n: 0 }]);
});

/** A hand-written dump shaped like pg_dump 18's: \restrict, transaction_timeout, a named NOT NULL, BEGIN ATOMIC, large objects. */
const PG18_LIKE = `--
-- PostgreSQL database dump
--

\\restrict 3yQkq0Zx8mJcT1vWbN5rLd2Hs7Ga9Pf4Ue6Ko0Ri

-- Dumped from database version 18.1
-- Dumped by pg_dump version 18.1

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET transaction_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

CREATE FUNCTION public.twice(x integer) RETURNS integer
    LANGUAGE sql IMMUTABLE
    BEGIN ATOMIC
 SELECT (twice.x * 2);
END;

CREATE TABLE public.notes (
    id integer CONSTRAINT notes_id_not_null NOT NULL,
    body text
);

--
-- Name: 24601..24601; Type: BLOB METADATA; Schema: -; Owner: postgres
--

SELECT pg_catalog.lo_create('24601');

COPY public.notes (id, body) FROM stdin;
1\tfirst; with a semicolon
2\t'quoted' and \\\\.not an end
\\.

--
-- Data for Name: BLOBS; Type: BLOBS; Schema: -; Owner: -
--

BEGIN;

SELECT pg_catalog.lo_open('24601', 131072);
SELECT pg_catalog.lowrite(0, '\\x6869');
SELECT pg_catalog.lo_close(0);

COMMIT;

ALTER TABLE ONLY public.notes
    ADD CONSTRAINT notes_pkey PRIMARY KEY (id);

--
-- PostgreSQL database dump complete
--

\\unrestrict 3yQkq0Zx8mJcT1vWbN5rLd2Hs7Ga9Pf4Ue6Ko0Ri

`;

const embedded = [17, 18].filter((major) =>
  fs.existsSync(path.join(embeddedBinDir(major as 17 | 18), 'postgres')),
) as (17 | 18)[];

describe.each(embedded)('another major: a PostgreSQL %i server', (major) => {
  let newer: PgServer;
  beforeAll(async () => {
    newer = await startPostgres({ binDir: embeddedBinDir(major) });
  }, 120_000);
  afterAll(async () => {
    await newer?.stop();
  });

  test('takes a dump of pg_dump 15 (with \\restrict lines and large objects), all of it', async () => {
    const run = await cli(['restore', backupFile, '--create-database'], {
      cwd: tempDir(`fm-pg${major}`),
      env: { ...env, DATABASE_URL: newer.url('restored') },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(await snapshotRows(newer, 'restored')).toEqual(await snapshotRows(server, 'fm_src'));
    const indexes = (s: PgServer, db: string): Promise<unknown[]> =>
      s.query(
        db,
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1",
      );
    expect(await indexes(newer, 'restored')).toEqual(await indexes(server, 'fm_src'));
    expect(
      await newer.query('restored', "SELECT convert_from(lo_get(blob), 'UTF8') AS text FROM docs"),
    ).toEqual([{ text: 'hello large object' }]);
  });

  test.runIf(major === 18)('takes a dump shaped like pg_dump 18 output', async () => {
    const dir = tempDir('fm-pg18-like');
    fs.writeFileSync(path.join(dir, 'pg18.sql.gz'), zlib.gzipSync(PG18_LIKE));
    const run = await cli(['restore', 'pg18.sql.gz', '--create-database'], {
      cwd: dir,
      env: { ...env, DATABASE_URL: newer.url('from18') },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(await newer.query('from18', 'SELECT id, body FROM notes ORDER BY id')).toEqual([
      { id: 1, body: 'first; with a semicolon' },
      { id: 2, body: "'quoted' and \\.not an end" },
    ]);
    expect(
      await newer.query(
        'from18',
        "SELECT public.twice(21) AS v, convert_from(lo_get(24601), 'UTF8') AS lo",
      ),
    ).toEqual([{ v: 42, lo: 'hi' }]);
  });
});

test('a pg_dump 18-like dump into an older server fails at its first setting, and nothing is left behind', async () => {
  const dir = tempDir('fm-pg18-into-15');
  fs.writeFileSync(path.join(dir, 'pg18.sql.gz'), zlib.gzipSync(PG18_LIKE));
  const run = await cli(['restore', 'pg18.sql.gz', '--create-database'], {
    cwd: dir,
    env: { ...env, DATABASE_URL: url('fm_from18') },
  });
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(
    /at line 13 of the backup's SQL: ERROR: unrecognized configuration parameter "transaction_timeout" \(SQLSTATE 42704\).*rolled back .*"fm_from18" was not created/,
  );
  expect((await server.databases()).filter((name) => name.startsWith('fm_from18'))).toEqual([]);
});

describe('owners and privileges at restore and verify time', () => {
  let bare: PgServer;

  /** Objects of every kind owned by one role and granted to another. */
  const OWNED = `
    CREATE SCHEMA app AUTHORIZATION fm_owner;
    SET ROLE fm_owner;
    CREATE TYPE app.mood AS ENUM ('ok', 'bad');
    CREATE DOMAIN app.positive AS integer CHECK (VALUE > 0);
    CREATE SEQUENCE app.seq;
    CREATE TABLE app.t (id integer PRIMARY KEY DEFAULT nextval('app.seq'), m app.mood, p app.positive);
    INSERT INTO app.t (m, p) VALUES ('ok', 1), ('bad', 2);
    CREATE VIEW app.v AS SELECT id, m FROM app.t;
    CREATE MATERIALIZED VIEW app.mv AS SELECT count(*) AS n FROM app.t;
    CREATE FUNCTION app.f(integer) RETURNS integer LANGUAGE sql AS 'SELECT $1 + 1';
    CREATE TEXT SEARCH CONFIGURATION app.cfg (COPY = simple);
    CREATE OPERATOR app.=== (LEFTARG = integer, RIGHTARG = integer, FUNCTION = int4eq);
    GRANT USAGE ON SCHEMA app TO fm_reader;
    GRANT USAGE ON SEQUENCE app.seq TO fm_reader;
    GRANT SELECT ON app.t TO fm_reader;
    GRANT UPDATE (m) ON app.t TO fm_reader;
    GRANT SELECT ON app.v TO fm_reader;
    REVOKE EXECUTE ON FUNCTION app.f(integer) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION app.f(integer) TO fm_reader;
    ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO fm_reader;
    SELECT lo_from_bytea(0, 'owned large object');
    RESET ROLE;
  `;

  beforeAll(async () => {
    await server.query('postgres', 'CREATE ROLE fm_owner NOLOGIN; CREATE ROLE fm_reader NOLOGIN');
    await server.createDatabase('fm_owned');
    psqlRun(server, 'fm_owned', OWNED);
    psqlRun(
      server,
      'fm_owned',
      "SELECT format('GRANT SELECT ON LARGE OBJECT %s TO fm_reader', oid) FROM pg_largeobject_metadata \\gexec",
    );
    // A scratch server without the production roles, as a CI service container is.
    bare = await startPostgres();
  }, 120_000);

  afterAll(async () => {
    await bare?.stop();
  });

  test('--no-owner --no-privileges on a dump with owners and grants gives what pg_dump --no-owner --no-privileges gives', async () => {
    const dir = tempDir('fm-no-owner');
    fs.writeFileSync(
      path.join(dir, 'full.sql.gz'),
      zlib.gzipSync(pgDumpText(server, 'fm_owned', ['--clean', '--if-exists'])),
    );
    fs.writeFileSync(
      path.join(dir, 'bare.sql.gz'),
      zlib.gzipSync(
        pgDumpText(server, 'fm_owned', ['--clean', '--if-exists', '--no-owner', '--no-privileges']),
      ),
    );
    const full = await cli(
      ['restore', 'full.sql.gz', '--create-database', '--no-owner', '--no-privileges'],
      {
        cwd: dir,
        env: { ...env, DATABASE_URL: url('fm_filtered') },
      },
    );
    expect(full.status, full.stderr).toBe(0);
    expect(full.stderr).toMatch(/Left out \d+ owner statement\(s\) \(--no-owner\)/);
    expect(full.stderr).toMatch(/Left out \d+ privilege statement\(s\) \(--no-privileges\)/);
    const plain = await cli(['restore', 'bare.sql.gz', '--create-database'], {
      cwd: dir,
      env: { ...env, DATABASE_URL: url('fm_unowned') },
    });
    expect(plain.status, plain.stderr).toBe(0);
    expect(pgDumpText(server, 'fm_filtered')).toBe(pgDumpText(server, 'fm_unowned'));
    // And owners and grants come back by default.
    const kept = await cli(['restore', 'full.sql.gz', '--create-database'], {
      cwd: dir,
      env: { ...env, DATABASE_URL: url('fm_kept') },
    });
    expect(kept.status, kept.stderr).toBe(0);
    expect(pgDumpText(server, 'fm_kept')).toBe(pgDumpText(server, 'fm_owned'));
  });

  test('a server without the roles: refused before any change, or restored with --no-owner --no-privileges', async () => {
    const dir = tempDir('fm-bare');
    fs.writeFileSync(
      path.join(dir, 'full.sql.gz'),
      zlib.gzipSync(pgDumpText(server, 'fm_owned', ['--clean', '--if-exists'])),
    );
    const refused = await cli(['restore', 'full.sql.gz', '--create-database'], {
      cwd: dir,
      env: { ...env, DATABASE_URL: bare.url('owned') },
    });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(
      /The backup names roles that do not exist on [\d.:]+: fm_owner, fm_reader\. Nothing was changed\. Create them first, or restore with --no-owner --no-privileges/,
    );
    expect(await bare.databases()).not.toContain('owned');
    const restored = await cli(
      ['restore', 'full.sql.gz', '--create-database', '--no-owner', '--no-privileges'],
      {
        cwd: dir,
        env: { ...env, DATABASE_URL: bare.url('owned') },
      },
    );
    expect(restored.status, restored.stderr).toBe(0);
    expect(await snapshotRows(bare, 'owned')).toEqual(await snapshotRows(server, 'fm_owned'));
  });

  test('verify on a scratch server without the roles leaves owners and privileges out and says so; with them, checks them', async () => {
    const dir = tempDir('fm-verify-roles');
    const backup = await cli(
      ['backup', '--database-url', url('fm_owned'), '--keep-owner', '--keep-privileges'],
      { cwd: dir, env },
    );
    expect(backup.status, backup.stderr).toBe(0);
    const verify = (): ReturnType<typeof cli> =>
      cli(['verify', 'latest', '--verify-database-url', bare.url('postgres')], { cwd: dir, env });
    const without = await verify();
    expect(without.status, without.stderr).toBe(0);
    expect(without.stdout).toMatch(/VERIFIED/);
    expect(without.stdout).toMatch(
      /owners and privileges not checked: the scratch server lacks the role\(s\) fm_owner, fm_reader/,
    );
    await bare.query('postgres', 'CREATE ROLE fm_owner NOLOGIN; CREATE ROLE fm_reader NOLOGIN');
    try {
      const withRoles = await verify();
      expect(withRoles.status, withRoles.stderr).toBe(0);
      expect(withRoles.stdout).toMatch(/VERIFIED/);
      expect(withRoles.stdout).not.toMatch(/not checked/);
    } finally {
      await bare.query('postgres', 'DROP ROLE fm_owner; DROP ROLE fm_reader');
    }
  });
});
