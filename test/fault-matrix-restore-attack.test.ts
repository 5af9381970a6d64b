import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cli, finished, startCli } from './support/cli.js';
import { snapshotRows, startPostgres, type PgServer } from './support/postgres.js';
import { clientProgram, pgDumpText, sessionsOn, waitUntil } from './support/restore-faults.js';
import { createSampleDatabase } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

/**
 * Attacks on the PostgreSQL restore path beyond the fault matrix: SQL that
 * psql reads otherwise than the restore filter, psql commands hidden in hand
 * written dumps, psql wrappers that lie, damaged and huge input, sessions in
 * the way. Whenever the tool says the target is unchanged, pg_dump of the
 * target before and after is compared byte for byte.
 */

const env = { PATH: process.env.PATH };

let server: PgServer;
let counter = 0;
/** A real backup of atk_base (with its manifest). */
let backupFile: string;

beforeAll(async () => {
  server = await startPostgres();
  await server.createDatabase(
    'atk_base',
    `CREATE TABLE public.kept (id int PRIMARY KEY, name text);
     INSERT INTO public.kept SELECT g, 'row ' || g FROM generate_series(1, 20) g;`,
  );
  const dir = tempDir('atk-backup');
  const run = await cli(['backup', '--database-url', server.url('atk_base')], { cwd: dir, env });
  expect(run.status, run.stderr).toBe(0);
  const backups = path.join(dir, 'backups');
  backupFile = path.join(
    backups,
    fs.readdirSync(backups).find((name) => name.endsWith('.sql.gz'))!,
  );
}, 240_000);

afterAll(async () => {
  await server?.stop();
});

async function target(): Promise<string> {
  counter += 1;
  const name = `atk_t${counter}`;
  await server.query('postgres', `CREATE DATABASE ${name} TEMPLATE atk_base`);
  return name;
}

/** A directory holding `name` with `sql` gzipped (no manifest: the restore reads it through first). */
function dumpFile(sql: string | Buffer, name = 'dump.sql.gz'): { dir: string; file: string } {
  const dir = tempDir('atk');
  const file = path.join(dir, name);
  fs.writeFileSync(file, zlib.gzipSync(sql));
  return { dir, file };
}

/**
 * `sql` under the name and manifest of a real backup, the manifest updated to
 * vouch for it: the restore trusts the checksum and skips its read-through,
 * so anything refused is found mid-restore.
 */
function vouched(sql: string): { dir: string; file: string } {
  const dir = tempDir('atk-vouched');
  const name = path.basename(backupFile);
  const file = path.join(dir, name);
  const bytes = zlib.gzipSync(sql);
  fs.writeFileSync(file, bytes);
  const manifest = JSON.parse(fs.readFileSync(`${backupFile}.json`, 'utf8'));
  manifest.file.sha256 = createHash('sha256').update(bytes).digest('hex');
  manifest.file.size = bytes.length;
  fs.writeFileSync(`${file}.json`, JSON.stringify(manifest));
  return { dir, file };
}

async function restore(
  db: string,
  file: string,
  extra: readonly string[] = [],
  options: { pathFirst?: string } = {},
): Promise<{ status: number; stderr: string }> {
  const PATH = [options.pathFirst, env.PATH].filter(Boolean).join(path.delimiter);
  return cli(['restore', file, '--yes', '--no-safety-backup', ...extra], {
    cwd: path.dirname(file),
    env: { PATH, DATABASE_URL: server.url(db) },
  });
}

/** The one `db-backup:` error line. */
function errorLine(stderr: string): string {
  const lines = stderr.split('\n').filter((line) => line.startsWith('db-backup:'));
  expect(lines, stderr).toHaveLength(1);
  return lines[0]!;
}

describe('SQL that psql reads otherwise than the restore filter', () => {
  /**
   * After set_config() turns standard_conforming_strings off, psql's lexer
   * reads `\'` as an escaped quote; the filter (which follows only SET)
   * still sees `'a\'` as a whole string. The COMMIT below is inside a
   * string for the filter and a statement for psql.
   */
  const hidden = (statements: string, change: string): string =>
    [
      'CREATE TABLE public.attack (x int);',
      'INSERT INTO public.attack VALUES (1);',
      "UPDATE public.kept SET name = 'overwritten';",
      change,
      `SELECT 'a\\', ' ; ${statements} ; SELECT 1 ; -- ' ;`,
      "SELECT 'after';",
      '',
    ].join('\n');
  const SET_CONFIG = "SELECT pg_catalog.set_config('standard_conforming_strings', 'off', false);";
  const DO_BLOCK =
    "DO $$ BEGIN PERFORM pg_catalog.set_config('standard_conforming_strings', 'off', false); END $$;";

  test.each([
    ['set_config()', SET_CONFIG],
    ['a DO block', DO_BLOCK],
  ])(
    'a COMMIT hidden after %s cannot commit: exit 2, rolled back (checked), pg_dump as before',
    async (_how, change) => {
      const db = await target();
      const before = pgDumpText(server, db);
      const { file } = dumpFile(hidden('COMMIT', change));
      const run = await restore(db, file);
      expect(run.status, run.stderr).toBe(2);
      expect(errorLine(run.stderr)).toMatch(
        /ended the restore's transaction at line 5 of the backup's SQL with a COMMIT the restore filter did not see .*commit guard made that COMMIT fail\. The restore was rolled back \(the server reports its transaction \d+ aborted\): "atk_t\d+" is as it was\./,
      );
      expect(pgDumpText(server, db)).toBe(before);
    },
  );

  test('a ROLLBACK hidden the same way leaves what follows uncommitted: exit 1, pg_dump as before', async () => {
    const db = await target();
    const before = pgDumpText(server, db);
    const { file } = dumpFile(
      hidden(
        'ROLLBACK ; CREATE TABLE public.leaked (x int) ; INSERT INTO public.kept VALUES (99)',
        SET_CONFIG,
      ),
    );
    const run = await restore(db, file);
    expect(run.status, run.stderr).toBe(1);
    expect(errorLine(run.stderr)).toMatch(
      /The backup's SQL ended the restore's transaction early .*rolled back \(the server reports its transaction \d+ aborted\): "atk_t\d+" is as it was\./,
    );
    await waitForNoSessions(db);
    expect(pgDumpText(server, db)).toBe(before);
  });

  test('SQL that leaves psql inside a quote the filter saw closed does not hang the restore: exit 2, rolled back (checked)', async () => {
    const db = await target();
    const before = pgDumpText(server, db);
    // psql opens a string at the last quote and waits for its end, which never comes.
    const { file } = dumpFile(
      [
        "UPDATE public.kept SET name = 'overwritten';",
        SET_CONFIG,
        "SELECT 'a\\', ' ; SELECT 1 ; ' ;",
        'SELECT 2;',
        '',
      ].join('\n'),
    );
    const run = await restore(db, file);
    expect(run.status, run.stderr).toBe(2);
    expect(errorLine(run.stderr)).toMatch(
      /psql kept waiting for the rest of a statement after the whole backup was sent.* The restore was rolled back \(the server reports its transaction \d+ aborted\): "atk_t\d+" is as it was\./,
    );
    expect(pgDumpText(server, db)).toBe(before);
  }, 120_000);

  test('a user without the TEMPORARY privilege restores without the guard, and is told so', async () => {
    const db = await target();
    await server.query(
      'postgres',
      `DO $$ BEGIN
         IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'atk_notemp') THEN
           CREATE ROLE atk_notemp LOGIN PASSWORD 'notemp-pass';
         END IF;
       END $$;`,
    );
    await server.query('postgres', `REVOKE TEMPORARY ON DATABASE ${db} FROM PUBLIC`);
    await server.query(
      db,
      'GRANT ALL ON SCHEMA public TO atk_notemp; GRANT ALL ON kept TO atk_notemp',
    );
    const { dir, file } = dumpFile(
      "UPDATE public.kept SET name = 'by notemp';\nCREATE TABLE public.nt (x int);\n",
    );
    const url = new URL(server.url(db));
    url.username = 'atk_notemp';
    url.password = 'notemp-pass';
    const run = await cli(['restore', file, '--yes', '--no-safety-backup'], {
      cwd: dir,
      env: { ...env, DATABASE_URL: url.toString() },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /may not create temporary tables in "atk_t\d+", so the restore runs without its commit guard/,
    );
    expect(await server.query(db, 'SELECT DISTINCT name FROM kept')).toEqual([
      { name: 'by notemp' },
    ]);
  });

  test('SET CONSTRAINTS ALL IMMEDIATE (a legitimate statement) does not trip the guard', async () => {
    const db = await target();
    const { file } = dumpFile(
      [
        'CREATE TABLE public.parent (id int PRIMARY KEY);',
        'CREATE TABLE public.child (id int REFERENCES public.parent DEFERRABLE INITIALLY DEFERRED);',
        'INSERT INTO public.child VALUES (1);',
        'INSERT INTO public.parent VALUES (1);',
        'SET CONSTRAINTS ALL IMMEDIATE;',
        'INSERT INTO public.parent VALUES (2);',
        '',
      ].join('\n'),
    );
    const run = await restore(db, file);
    expect(run.status, run.stderr).toBe(0);
    expect(await server.query(db, 'SELECT id FROM child')).toEqual([{ id: 1 }]);
  });

  test('SET CONSTRAINTS ALL IMMEDIATE still checks the backup’s own constraints: exit 1, as before', async () => {
    const db = await target();
    const before = pgDumpText(server, db);
    const { file } = dumpFile(
      [
        'CREATE TABLE public.parent (id int PRIMARY KEY);',
        'CREATE TABLE public.child (id int REFERENCES public.parent DEFERRABLE INITIALLY DEFERRED);',
        'INSERT INTO public.child VALUES (7);',
        'SET CONSTRAINTS ALL IMMEDIATE;',
        '',
      ].join('\n'),
    );
    const run = await restore(db, file);
    expect(run.status).toBe(1);
    expect(errorLine(run.stderr)).toMatch(
      /at line 4 of the backup's SQL: ERROR: insert or update on table "child" violates foreign key constraint/,
    );
    expect(pgDumpText(server, db)).toBe(before);
  });

  test('DISCARD TEMP is refused before anything changes: exit 2', async () => {
    const db = await target();
    const before = pgDumpText(server, db);
    const { file } = dumpFile('CREATE TABLE public.x (a int);\nDISCARD TEMP;\n');
    const run = await restore(db, file);
    expect(run.status).toBe(2);
    expect(errorLine(run.stderr)).toMatch(
      /DISCARD TEMP would drop the restore's commit guard.* Nothing was changed\./,
    );
    expect(pgDumpText(server, db)).toBe(before);
  });
});

async function waitForNoSessions(db: string): Promise<void> {
  for (let i = 0; i < 400 && (await sessionsOn(server, db)) > 0; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('psql commands in a hand-written dump', () => {
  const witness = (): string => path.join(tempDir('atk-witness'), 'ran');
  /** Each placed after changes, late in the file, so that a restore that ran it would show. */
  const cases = (file: string): [string, string][] => [
    ['\\!', `\\! touch ${file}`],
    ['\\i', `\\i ${file}`],
    ['\\set', '\\set ON_ERROR_STOP off'],
    ['\\gexec', "SELECT 'CREATE TABLE public.gexec_made (x int)' \\gexec"],
    ['\\o', `\\o ${file}`],
    ['\\copy', `\\copy public.kept to ${file}`],
    ['\\connect', '\\connect postgres'],
  ];
  const body = (line: string): string =>
    [
      "UPDATE public.kept SET name = 'overwritten';",
      'CREATE TABLE public.before_meta (x int);',
      line,
      'CREATE TABLE public.after_meta (x int);',
      '',
    ].join('\n');

  test.each(cases('WITNESS').map(([name]) => [name]))(
    '%s is refused before anything changes: exit 2, pg_dump as before, nothing run',
    async (name) => {
      const ran = witness();
      const line = cases(ran).find(([n]) => n === name)![1];
      const db = await target();
      const before = pgDumpText(server, db);
      const { file } = dumpFile(body(line));
      const run = await restore(db, file);
      expect(run.status, run.stderr).toBe(2);
      expect(errorLine(run.stderr)).toMatch(
        name === '\\gexec'
          ? /line 3\): a psql meta-command \(a backslash\) inside an SQL statement\. Nothing was changed\./
          : /line 3\): it holds the psql meta-command \\[a-z!]+, and a restore runs no psql commands from a backup.* Nothing was changed\./,
      );
      expect(fs.existsSync(ran)).toBe(false);
      expect(pgDumpText(server, db)).toBe(before);
    },
  );

  test.each(cases('WITNESS').map(([name]) => [name]))(
    '%s in a backup its manifest vouches for is refused mid-restore before psql sees it: exit 2, rolled back (checked)',
    async (name) => {
      const ran = witness();
      const line = cases(ran).find(([n]) => n === name)![1];
      const db = await target();
      const before = pgDumpText(server, db);
      const { file } = vouched(body(line));
      const run = await restore(db, file);
      expect(run.status, run.stderr).toBe(2);
      expect(errorLine(run.stderr)).toMatch(
        /line 3\): .*The restore was rolled back \(the server reports its transaction \d+ aborted\): "atk_t\d+" is as it was\./,
      );
      expect(fs.existsSync(ran)).toBe(false);
      expect(pgDumpText(server, db)).toBe(before);
    },
  );
});

describe('SET SESSION AUTHORIZATION and SET ROLE', () => {
  beforeAll(async () => {
    await server.query(
      'postgres',
      `DO $$ BEGIN
         IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'atk_app') THEN CREATE ROLE atk_app NOLOGIN; END IF;
       END $$;`,
    );
  });

  test.each([
    ['SET SESSION AUTHORIZATION atk_app;', 'RESET SESSION AUTHORIZATION;'],
    ['SET ROLE atk_app;', 'RESET ROLE;'],
  ])('a dump that ends as another role (%s) still commits', async (set) => {
    const db = await target();
    await server.query(db, 'GRANT CREATE ON SCHEMA public TO atk_app');
    const { file } = dumpFile(`${set}\nCREATE TABLE public.made_by_app (x int);\n`);
    const run = await restore(db, file);
    expect(run.status, run.stderr).toBe(0);
    expect(
      await server.query(db, "SELECT tableowner FROM pg_tables WHERE tablename = 'made_by_app'"),
    ).toEqual([{ tableowner: 'atk_app' }]);
  });

  test.each([['SET SESSION AUTHORIZATION atk_app;'], ['SET ROLE atk_app;']])(
    'a dump that fails as another role (%s): exit 1, rolled back (checked), pg_dump as before',
    async (set) => {
      const db = await target();
      const before = pgDumpText(server, db);
      const { file } = dumpFile(
        `UPDATE public.kept SET name = 'x';\n${set}\nUPDATE public.kept SET name = 'y';\n`,
      );
      const run = await restore(db, file);
      expect(run.status).toBe(1);
      expect(errorLine(run.stderr)).toMatch(
        /at line 3 of the backup's SQL: ERROR: permission denied for table kept .*rolled back \(the server reports its transaction \d+ aborted\): "atk_t\d+" is as it was\./,
      );
      expect(pgDumpText(server, db)).toBe(before);
    },
  );

  test('a SET SESSION AUTHORIZATION naming a role the server lacks is refused before any change: exit 2', async () => {
    const db = await target();
    const before = pgDumpText(server, db);
    const { file } = dumpFile(
      "SET SESSION AUTHORIZATION 'atk_nobody';\nCREATE TABLE public.z (x int);\n",
    );
    const run = await restore(db, file);
    expect(run.status).toBe(2);
    expect(errorLine(run.stderr)).toMatch(
      /roles that do not exist .*atk_nobody.* Nothing was changed\./,
    );
    expect(pgDumpText(server, db)).toBe(before);
  });
});

describe('psql wrappers that lie', () => {
  /** A directory with `psql`: the real one for --version, the given shell body otherwise. */
  function wrapper(bodyLines: string): string {
    const dir = path.join(tempDir('atk-wrapper'), 'bin');
    fs.mkdirSync(dir);
    const real = clientProgram('psql');
    fs.writeFileSync(
      path.join(dir, 'psql'),
      `#!/bin/sh\nif [ "$1" = "--version" ]; then exec '${real}' "$@"; fi\nREAL='${real}'\n${bodyLines}\n`,
      { mode: 0o755 },
    );
    return dir;
  }

  const big = [
    "UPDATE public.kept SET name = 'overwritten';",
    'CREATE TABLE public.filler (x text);',
    ...Array.from({ length: 200 }, (_, i) => `INSERT INTO public.filler VALUES ('${i}');`),
    '',
  ].join('\n');

  test.each([
    ['reads only the first 2000 bytes and exits 0', 'head -c 2000 | "$REAL" "$@"\nexit 0'],
    [
      'exits 0 at once, psql left running in the background',
      'exec 3<&0\n"$REAL" "$@" <&3 &\nexit 0',
    ],
    ['exits 0 whatever psql did', '"$REAL" "$@"\nexit 0'],
  ])('a wrapper that %s: exit 1, nothing committed, pg_dump as before', async (_what, body) => {
    const db = await target();
    const before = pgDumpText(server, db);
    const { file } = dumpFile(`${big}SELECT 1/0;\n`);
    const run = await restore(db, file, [], { pathFirst: wrapper(body) });
    expect(run.status, run.stderr).toBe(1);
    expect(errorLine(run.stderr)).not.toMatch(/COMMITTED|holds the backup/);
    await waitForNoSessions(db);
    expect(pgDumpText(server, db)).toBe(before);
  });

  test('a wrapper that echoes every input line (psql --echo-all) to stdout cannot forge the markers', async () => {
    const db = await target();
    const before = pgDumpText(server, db);
    const { file } = dumpFile(`${big}SELECT 1/0;\n`);
    const run = await restore(db, file, [], {
      pathFirst: wrapper('exec "$REAL" --echo-all "$@"'),
    });
    expect(run.status).toBe(1);
    expect(errorLine(run.stderr)).toMatch(/ERROR: division by zero .*rolled back .*is as it was\./);
    expect(pgDumpText(server, db)).toBe(before);
  });
});

describe('damaged and huge input', () => {
  const good = [
    "UPDATE public.kept SET name = 'overwritten';",
    'CREATE TABLE public.t (id int, v text);',
    'COPY public.t (id, v) FROM stdin;',
    ...Array.from({ length: 5000 }, (_, i) => `${i}\tvalue ${i}`),
    '\\.',
    'CREATE INDEX t_id ON public.t (id);',
    '',
  ].join('\n');

  test.each([
    ['cut short at the end', (gz: Buffer) => gz.subarray(0, gz.length - 20)],
    [
      'with a damaged byte near the end',
      (gz: Buffer) => {
        const copy = Buffer.from(gz);
        copy[copy.length - 12] = copy[copy.length - 12]! ^ 0xff;
        return copy;
      },
    ],
  ])(
    'a gzip %s is refused before anything changes: exit 2, pg_dump as before',
    async (_how, damage) => {
      const db = await target();
      const before = pgDumpText(server, db);
      const dir = tempDir('atk-damaged');
      const file = path.join(dir, 'damaged.sql.gz');
      fs.writeFileSync(file, damage(zlib.gzipSync(good)));
      const run = await restore(db, file);
      expect(run.status, run.stderr).toBe(2);
      expect(errorLine(run.stderr)).toMatch(
        /^db-backup: The backup damaged\.sql\.gz (is truncated|is damaged|is corrupt)[^.]*\. Use another backup\.$/,
      );
      expect(pgDumpText(server, db)).toBe(before);
    },
  );

  test('SQL cut inside COPY data (an intact gzip) is refused before anything changes: exit 2', async () => {
    const db = await target();
    const before = pgDumpText(server, db);
    const { file } = dumpFile(good.slice(0, good.indexOf('2500\t')));
    const run = await restore(db, file);
    expect(run.status).toBe(2);
    expect(errorLine(run.stderr)).toMatch(/incomplete or damaged\. Nothing was changed\./);
    expect(pgDumpText(server, db)).toBe(before);
  });

  test('a huge single statement (one 24 MB INSERT line) streams through and restores', async () => {
    const db = await target();
    const values = Array.from({ length: 420_000 }, (_, i) => `(${i},'${'v'.repeat(40)}')`);
    const sql = `CREATE TABLE public.huge (id int, v text);\nINSERT INTO public.huge VALUES ${values.join(',')};\n`;
    expect(sql.length).toBeGreaterThan(20 * 1024 * 1024);
    const { file } = dumpFile(sql);
    const run = await restore(db, file);
    expect(run.status, run.stderr).toBe(0);
    expect(await server.query(db, 'SELECT count(*)::int AS n FROM huge')).toEqual([{ n: 420_000 }]);
  });

  test('a COMMIT padded past what the filter holds back is refused, not passed: exit 2', async () => {
    const db = await target();
    const before = pgDumpText(server, db);
    const { file } = dumpFile(
      `UPDATE public.kept SET name = 'x';\nCOMMIT /*${'x'.repeat(2 * 1024 * 1024)}*/;\n`,
    );
    const run = await restore(db, file);
    expect(run.status).toBe(2);
    expect(errorLine(run.stderr)).toMatch(
      /a COMMIT statement longer than the restore can hold back/,
    );
    expect(pgDumpText(server, db)).toBe(before);
  });
});

describe('sessions in the way', () => {
  async function idleSession(db: string): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: server.url(db), application_name: 'atk-app' });
    await client.connect();
    return client;
  }

  test('--drop-database with an application connected is refused: exit 2, pg_dump as before, no temporary database', async () => {
    const db = await target();
    const before = pgDumpText(server, db);
    const app = await idleSession(db);
    try {
      const run = await restore(db, backupFile, ['--drop-database']);
      expect(run.status).toBe(2);
      expect(errorLine(run.stderr)).toMatch(
        new RegExp(
          `1 other session\\(s\\) are connected to "${db}": stop the application, or pass --terminate-connections\\. Nothing was changed\\.`,
        ),
      );
    } finally {
      await app.end();
    }
    expect((await server.databases()).filter((name) => name.startsWith(`${db}_`))).toEqual([]);
    expect(pgDumpText(server, db)).toBe(before);
  });

  test('--drop-database --terminate-connections ends the application’s session and replaces the database', async () => {
    const db = await target();
    await server.query(db, 'CREATE TABLE public.only_here (x int)');
    const app = await idleSession(db);
    app.on('error', () => undefined);
    const run = await restore(db, backupFile, ['--drop-database', '--terminate-connections']);
    expect(run.status, run.stderr).toBe(0);
    expect(await snapshotRows(server, db)).toEqual(await snapshotRows(server, 'atk_base'));
    await app.end().catch(() => undefined);
  });

  test('--drop-database while another session has changed the database and not committed: the swap gives up at --lock-timeout and names it; exit 1, as it was', async () => {
    const db = await target();
    const before = pgDumpText(server, db);
    // Connected elsewhere, so not "connected to" the target: its open GRANT holds the target's pg_database row.
    const dba = new pg.Client({
      connectionString: server.url('postgres'),
      application_name: 'atk-dba',
    });
    await dba.connect();
    await dba.query('BEGIN');
    await dba.query(`GRANT CONNECT ON DATABASE ${db} TO PUBLIC`);
    const pid = (await dba.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    try {
      const run = await restore(db, backupFile, ['--drop-database', '--lock-timeout', '2s']);
      expect(run.status).toBe(1);
      expect(errorLine(run.stderr)).toMatch(
        new RegExp(
          `The restored database could not take the place of "${db}" \\(it waited longer than --lock-timeout \\(2 s\\) for the database's own row in pg_database held by pid ${pid} \\(user postgres, application "atk-dba", state idle in transaction\\).*\\): "${db}" is as it was, and ${db}_restore_[0-9a-f]{8} was dropped\\.`,
        ),
      );
    } finally {
      await dba.query('ROLLBACK');
      await dba.end();
    }
    expect((await server.databases()).filter((name) => name.startsWith(`${db}_`))).toEqual([]);
    expect(pgDumpText(server, db)).toBe(before);
  });

  test.each(['plain', 'custom'] as const)(
    'SIGTERM as the swap’s lock is let go (%s): whichever way the swap went, the last word says it, and says it truly',
    async (format) => {
      const db = await target();
      const file =
        format === 'plain'
          ? backupFile
          : await (async () => {
              const dir = tempDir('atk-custom');
              const made = await cli(
                ['backup', '--database-url', server.url('atk_base'), '--format', 'custom'],
                { cwd: dir, env },
              );
              expect(made.status, made.stderr).toBe(0);
              const backups = path.join(dir, 'backups');
              return path.join(
                backups,
                fs.readdirSync(backups).find((n) => n.endsWith('.dump.gz'))!,
              );
            })();
      await server.query(db, 'CREATE TABLE public.only_here (x int)');
      const before = pgDumpText(server, db);
      // Connected elsewhere: its open GRANT holds the target's pg_database row, so the swap waits.
      const dba = new pg.Client({
        connectionString: server.url('postgres'),
        application_name: 'atk-dba',
      });
      await dba.connect();
      await dba.query('BEGIN');
      await dba.query(`GRANT CONNECT ON DATABASE ${db} TO PUBLIC`);
      const run = startCli(
        [
          'restore',
          file,
          '--yes',
          '--no-safety-backup',
          '--drop-database',
          '--lock-timeout',
          '60s',
          ...(format === 'custom' ? ['--jobs', '2'] : []),
        ],
        { cwd: path.dirname(file), env: { DATABASE_URL: server.url(db) }, fromSource: true },
      );
      try {
        await waitUntil(
          async () =>
            (
              await server.query<{ n: string }>(
                'postgres',
                `SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'ALTER DATABASE%RENAME%'`,
              )
            )[0]?.n === '1',
          'the swap to wait for the lock',
          run,
        );
        // The lock goes and the signal comes at once: the swap may commit first, or be stopped.
        await dba.query('ROLLBACK');
        run.child.kill('SIGTERM');
      } finally {
        await dba.end();
      }
      const { status, stderr } = await finished(run);
      expect(status).toBe(143);
      const replaced = new RegExp(
        `SIGTERM came as the restored database took the place of "${db}": that finished, so the restore did, and "${db}" holds the backup; the previous "${db}", renamed ${db}_replaced_[0-9a-f]{8}, is dropped now, or by the next restore if this one ends first\\.`,
      );
      const stopped = new RegExp(
        `SIGTERM came as the restored database was to take the place of "${db}", and it did not: The swap was stopped before it committed: "${db}" is as it was, and ${db}_restore_[0-9a-f]{8} was dropped\\.`,
      );
      if (replaced.test(stderr)) {
        expect(await snapshotRows(server, db)).toEqual(await snapshotRows(server, 'atk_base'));
      } else {
        expect(stderr).toMatch(stopped);
        expect(pgDumpText(server, db)).toBe(before);
        expect((await server.databases()).filter((name) => name.startsWith(`${db}_`))).toEqual([]);
      }
    },
  );

  test('SIGTERM while the swap waits on a lock held for longer than a stop may take: the swap is stopped, the target is as it was, and the last word says so', async () => {
    const db = await target();
    const before = pgDumpText(server, db);
    const dba = new pg.Client({
      connectionString: server.url('postgres'),
      application_name: 'atk-dba',
    });
    await dba.connect();
    await dba.query('BEGIN');
    await dba.query(`GRANT CONNECT ON DATABASE ${db} TO PUBLIC`);
    try {
      const run = startCli(
        [
          'restore',
          backupFile,
          '--yes',
          '--no-safety-backup',
          '--drop-database',
          '--lock-timeout',
          '120s',
        ],
        { cwd: path.dirname(backupFile), env: { DATABASE_URL: server.url(db) }, fromSource: true },
      );
      await waitUntil(
        async () =>
          (
            await server.query<{ n: string }>(
              'postgres',
              `SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'ALTER DATABASE%RENAME%'`,
            )
          )[0]?.n === '1',
        'the swap to wait for the lock',
        run,
      );
      const signalled = Date.now();
      run.child.kill('SIGTERM');
      // The lock is never let go while the tool stops: it must not wait for it.
      const { status, stderr } = await finished(run);
      expect(Date.now() - signalled).toBeLessThan(7000);
      expect(status).toBe(143);
      expect(stderr).toMatch(
        new RegExp(
          `SIGTERM came as the restored database was to take the place of "${db}", and it did not: The swap was stopped before it committed: "${db}" is as it was, and ${db}_restore_[0-9a-f]{8} was dropped\\.`,
        ),
      );
    } finally {
      await dba.query('ROLLBACK');
      await dba.end();
    }
    expect(pgDumpText(server, db)).toBe(before);
    expect((await server.databases()).filter((name) => name.startsWith(`${db}_`))).toEqual([]);
  });

  /** A session of its own whose open COMMENT on template0 makes every CREATE DATABASE from it wait. */
  async function holdTemplate(): Promise<pg.Client> {
    const dba = new pg.Client({ connectionString: server.url('postgres') });
    await dba.connect();
    await dba.query('BEGIN');
    await dba.query("COMMENT ON DATABASE template0 IS 'held by a test'");
    return dba;
  }

  async function createWaits(run: ReturnType<typeof startCli>): Promise<void> {
    await waitUntil(
      async () =>
        (
          await server.query<{ n: string }>(
            'postgres',
            `SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'CREATE DATABASE%'`,
          )
        )[0]?.n === '1',
      'CREATE DATABASE to wait for the lock',
      run,
    );
  }

  test('SIGTERM while the new database is being created (CREATE DATABASE waits on a lock): it is cancelled, nothing is left, the target is as it was, and the last word says so', async () => {
    const db = await target();
    const before = pgDumpText(server, db);
    const dba = await holdTemplate();
    try {
      const run = startCli(
        ['restore', backupFile, '--yes', '--no-safety-backup', '--drop-database'],
        {
          cwd: path.dirname(backupFile),
          env: { DATABASE_URL: server.url(db) },
          fromSource: true,
        },
      );
      await createWaits(run);
      const signalled = Date.now();
      run.child.kill('SIGTERM');
      const { status, stderr } = await finished(run);
      expect(Date.now() - signalled).toBeLessThan(7000);
      expect(status).toBe(143);
      expect(stderr).toContain(
        `SIGTERM came as the database for the restore was being created, which was stopped: "${db}" was never touched.`,
      );
    } finally {
      await dba.query('ROLLBACK');
      await dba.end();
    }
    expect(pgDumpText(server, db)).toBe(before);
    expect((await server.databases()).filter((name) => name.startsWith(`${db}_`))).toEqual([]);

    // --create-database of a database that is not there: it says it was not created.
    const missing = `${db}_new`;
    const again = await holdTemplate();
    try {
      const run = startCli(['restore', backupFile, '--yes', '--create-database'], {
        cwd: path.dirname(backupFile),
        env: { DATABASE_URL: server.url(missing) },
        fromSource: true,
      });
      await createWaits(run);
      run.child.kill('SIGINT');
      const { status, stderr } = await finished(run);
      expect(status).toBe(130);
      expect(stderr).toContain(
        `SIGINT came as the database for the restore was being created, which was stopped: "${missing}" was not created.`,
      );
    } finally {
      await again.query('ROLLBACK');
      await again.end();
    }
    expect((await server.databases()).filter((name) => name.startsWith(missing))).toEqual([]);
  });

  test.each([
    ['SIGKILL', ['SIGKILL']],
    ['SIGTERM, then SIGINT 5 ms later', ['SIGTERM', 'SIGINT']],
  ] as const)(
    '%s while CREATE DATABASE waits on a lock: the server abandons it, so no unmarked database appears once the lock goes',
    async (_label, signals) => {
      const db = await target();
      const before = pgDumpText(server, db);
      const dba = await holdTemplate();
      try {
        const run = startCli(
          ['restore', backupFile, '--yes', '--no-safety-backup', '--drop-database'],
          {
            cwd: path.dirname(backupFile),
            env: { DATABASE_URL: server.url(db) },
            fromSource: true,
          },
        );
        await createWaits(run);
        for (const signal of signals) {
          run.child.kill(signal);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        const { status, signal } = await finished(run);
        // 143 for the SIGTERM; 130 where the process was not scheduled between the two kills:
        // the kernel then delivers both pending signals lowest number first, SIGINT before SIGTERM.
        if (signals[0] === 'SIGKILL') expect(signal).toBe('SIGKILL');
        else expect([143, 130]).toContain(status);
        // The server checks its clients every second: the waiting CREATE DATABASE ends with them.
        await waitUntil(
          async () =>
            (
              await server.query<{ n: string }>(
                'postgres',
                `SELECT count(*) AS n FROM pg_stat_activity WHERE query LIKE 'CREATE DATABASE%'`,
              )
            )[0]?.n === '0',
          'the abandoned CREATE DATABASE to end',
          undefined,
          10_000,
        );
      } finally {
        await dba.query('ROLLBACK');
        await dba.end();
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await server.databases()).filter((name) => name.startsWith(`${db}_`))).toEqual([]);
      expect(pgDumpText(server, db)).toBe(before);
    },
  );

  test('SIGTERM as CREATE DATABASE gets its lock: whatever is left is marked, the last word says what, and the next restore drops it', async () => {
    const said = { created: 0, stopped: 0, later: 0 };
    for (const delay of [0, 10, 40, 150]) {
      const db = await target();
      const before = pgDumpText(server, db);
      const dba = await holdTemplate();
      const run = startCli(
        ['restore', backupFile, '--yes', '--no-safety-backup', '--drop-database'],
        { cwd: path.dirname(backupFile), env: { DATABASE_URL: server.url(db) }, fromSource: true },
      );
      try {
        await createWaits(run);
        await dba.query('ROLLBACK');
        await new Promise((resolve) => setTimeout(resolve, delay));
        run.child.kill('SIGTERM');
      } finally {
        await dba.end();
      }
      const { status, stderr } = await finished(run);
      expect(status, stderr).toBe(143);
      expect(pgDumpText(server, db)).toBe(before);
      const left = (await server.databases()).filter((name) => name.startsWith(`${db}_`));
      // Every database left behind carries the mark by which the next restore knows it.
      for (const name of left) {
        const [row] = await server.query<{ mark: string | null }>(
          'postgres',
          `SELECT shobj_description(oid, 'pg_database') AS mark FROM pg_database WHERE datname = '${name}'`,
        );
        expect(row?.mark, `${name} after a signal ${delay} ms after the lock went`).toBe(
          `db-backup: temporary database of a restore of "${db}"; a later restore of "${db}" drops it`,
        );
      }
      const created = new RegExp(
        `SIGTERM came as (${db}_restore_[0-9a-f]{8}) was created for the restore: "${db}" was never touched, and \\1, marked as this tool's, is dropped by the next restore of "${db}"\\.`,
      ).exec(stderr);
      if (created) {
        said.created += 1;
        expect(left).toEqual([created[1]]);
      } else if (
        stderr.includes(
          `SIGTERM came as the database for the restore was being created, which was stopped: "${db}" was never touched.`,
        )
      ) {
        said.stopped += 1;
        expect(left).toEqual([]);
      } else {
        // Past the creation: the restore's own account of its stop.
        said.later += 1;
        expect(stderr).toMatch(/Stopped by SIGTERM|stopped by SIGTERM/);
      }
      if (left.length > 0) {
        const next = await cli(
          ['restore', backupFile, '--yes', '--no-safety-backup', '--drop-database'],
          { cwd: path.dirname(backupFile), env: { ...env, DATABASE_URL: server.url(db) } },
        );
        expect(next.status, next.stderr).toBe(0);
        for (const name of left) {
          expect(next.stderr).toContain(
            `Dropped ${name}, a temporary database an interrupted restore of "${db}" left behind.`,
          );
        }
        expect((await server.databases()).filter((name) => name.startsWith(`${db}_`))).toEqual([]);
      }
    }
    console.log(`signals as CREATE DATABASE got its lock: ${JSON.stringify(said)}`);
  });

  test('in place, an idle application session does not stop the restore', async () => {
    const db = await target();
    await server.query(db, "UPDATE kept SET name = 'changed'");
    const app = await idleSession(db);
    try {
      const { file } = dumpFile("UPDATE public.kept SET name = 'restored';\n");
      const run = await restore(db, file);
      expect(run.status, run.stderr).toBe(0);
      expect(await app.query('SELECT DISTINCT name FROM kept')).toMatchObject({
        rows: [{ name: 'restored' }],
      });
    } finally {
      await app.end();
    }
  });

  test('a lock held past a --lock-timeout shorter than the lock monitor’s poll: the error still names the session', async () => {
    const db = await target();
    const before = pgDumpText(server, db);
    const holder = await idleSession(db);
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE kept IN ACCESS SHARE MODE');
    const pid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!
      .pid;
    try {
      const { file } = dumpFile('ALTER TABLE public.kept ADD COLUMN extra int;\n');
      const run = await restore(db, file, ['--lock-timeout', '100ms']);
      expect(run.status).toBe(1);
      expect(errorLine(run.stderr)).toMatch(
        new RegExp(
          `waited longer than --lock-timeout \\(100 ms\\) for a lock on "${db}" held by pid ${pid} \\(user postgres, application "atk-app", state idle in transaction\\)`,
        ),
      );
    } finally {
      await holder.end();
    }
    expect(pgDumpText(server, db)).toBe(before);
  });
});

/** A small tmpfs can be mounted here (root in a container that allows it): a real full disk. */
function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false;
  const dir = tempDir('atk-mount-probe');
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]).status === 0;
  if (mounted) spawnSync('umount', [dir]);
  return mounted;
}

describe.runIf(canMountTmpfs())('SQLite on a full disk', () => {
  /**
   * A database on its own small volume, a backup of it elsewhere, then the
   * volume filled so that only `free(size)` bytes stay free.
   */
  async function fullVolume(
    free: (databaseSize: number) => number,
  ): Promise<{ volume: string; db: string; backup: string; cwd: string; unmount: () => void }> {
    const cwd = tempDir('atk-sqlite-full');
    const volume = path.join(cwd, 'volume');
    fs.mkdirSync(volume);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', volume]).status).toBe(0);
    const unmount = (): void => void spawnSync('umount', [volume]);
    try {
      const db = path.join(volume, 'app.db');
      createSampleDatabase(db, { rows: 3000 });
      const run = await cli(['backup', '--database-url', `file:${db}`], { cwd });
      expect(run.status, run.stderr).toBe(0);
      const backups = path.join(cwd, 'backups');
      const backup = path.join(
        backups,
        fs.readdirSync(backups).find((n) => n.endsWith('.db.gz'))!,
      );
      const handle = new Database(db);
      handle.exec("UPDATE users SET name = 'changed after the backup'");
      handle.close();
      const size = fs.statSync(db).size;
      const stat = fs.statfsSync(volume);
      const filler = stat.bavail * stat.bsize - free(size);
      fs.writeFileSync(path.join(volume, 'filler'), Buffer.alloc(Math.max(filler, 0)));
      return { volume, db, backup, cwd, unmount };
    } catch (error) {
      unmount();
      throw error;
    }
  }

  test.each([
    ['the safety copy', (size: number) => size + Math.floor(size / 2)],
    ['the unpacked backup', (size: number) => Math.floor(size / 2)],
  ])(
    'no room for %s: the database is byte for byte as it was, and nothing is left beside it',
    async (_what, free) => {
      const { volume, db, backup, cwd, unmount } = await fullVolume(free);
      try {
        const before = fs.readFileSync(db);
        const run = await cli(['restore', backup, '--yes', '--database-url', `file:${db}`], {
          cwd,
        });
        expect(run.status, run.stderr).toBe(1);
        expect(errorLine(run.stderr)).toMatch(
          /^db-backup: The disk (holding app\.db is full: .* so app\.db was not changed|is full while unpacking .*: nothing was changed); free space/,
        );
        expect(fs.readFileSync(db).equals(before)).toBe(true);
        expect(fs.readdirSync(volume).sort()).toEqual(['app.db', 'filler']);
      } finally {
        unmount();
      }
    },
  );
});
