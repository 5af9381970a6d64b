import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cli } from './support/cli.js';
import { snapshotRows, startPostgres, type PgServer } from './support/postgres.js';
import { clientProgram, fileDigests, pgDumpText, sessionsOn } from './support/restore-faults.js';
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

beforeAll(async () => {
  server = await startPostgres();
  await server.createDatabase(
    'atk_base',
    `CREATE TABLE public.kept (id int PRIMARY KEY, name text);
     INSERT INTO public.kept SELECT g, 'row ' || g FROM generate_series(1, 20) g;`,
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

/** A manifest that vouches for the file as it is: the restore trusts it and skips the read-through. */
function vouchFor(file: string, database: string): void {
  const bytes = fs.readFileSync(file);
  const manifest = {
    version: 1,
    engine: 'postgres',
    database,
    createdAt: new Date().toISOString(),
    file: {
      name: path.basename(file),
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      compression: 'gzip',
      encryption: 'none',
    },
  };
  fs.writeFileSync(`${file}.json`, JSON.stringify(manifest));
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
