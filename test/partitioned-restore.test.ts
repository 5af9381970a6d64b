/**
 * Partitioned tables restored in place. pg_dump's `--clean` drops each
 * partition's key with `ALTER TABLE ONLY <partition> DROP CONSTRAINT`, which
 * PostgreSQL refuses for a constraint the partition inherits ("cannot drop
 * inherited constraint", SQLSTATE 42P16): every restore in place of a
 * database holding a partitioned table with a primary key failed (rolled
 * back). And a partition picked alone with `--tables` was attached to its
 * parent right after its CREATE TABLE, so PostgreSQL made its keys and
 * indexes for the parent's at once and the backup's own then failed with
 * "relation … already exists".
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PLPGSQL_USABLE, PLPGSQL_USABLE_BY_ALL } from '../src/engines/postgres/plpgsql.js';
import { cli } from './support/cli.js';
import { startPostgres, type PgServer } from './support/postgres.js';
import { tempDir } from './support/tmp.js';

let server: PgServer;
const env = { PATH: process.env.PATH };
let counter = 0;

/** Two levels of partitions with keys, a partitioned index and a foreign key of its own. */
const PARTITIONED = `
  CREATE TABLE kinds (kind int PRIMARY KEY);
  INSERT INTO kinds VALUES (1), (2);
  CREATE TABLE events (
    id int, at date, kind int DEFAULT 1 REFERENCES kinds, note text,
    PRIMARY KEY (id, at), UNIQUE (at, id)
  ) PARTITION BY RANGE (at);
  CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
  CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')
    PARTITION BY RANGE (id);
  CREATE TABLE events_2026_low PARTITION OF events_2026 FOR VALUES FROM (MINVALUE) TO (500);
  CREATE TABLE events_2026_high PARTITION OF events_2026 DEFAULT;
  CREATE INDEX events_by_note ON events (note);
  -- A second index of the partition's own that matches the parent's: PostgreSQL must not take it.
  CREATE INDEX aa_events_2025_note ON events_2025 (note);
  CREATE INDEX aa_events_2026_low_note ON events_2026_low (note);
  INSERT INTO events SELECT g, DATE '2025-01-01' + g, 1 + g % 2, 'n' || g FROM generate_series(1, 700) g;
`;

/** A foreign key of another table to the partitioned one, and a NOT VALID check on the parent. */
const AROUND = `
  ALTER TABLE events ADD CONSTRAINT events_positive CHECK (id > 0) NOT VALID;
  CREATE TABLE replies (id int, at date, body text, FOREIGN KEY (id, at) REFERENCES events);
  INSERT INTO replies SELECT g, DATE '2025-01-01' + g, 'r' FROM generate_series(1, 700, 7) g;
`;

beforeAll(async () => {
  server = await startPostgres();
  await server.createDatabase('part_alone', PARTITIONED);
  await server.createDatabase('part_src', PARTITIONED + AROUND);
});

afterAll(async () => {
  await server?.stop();
});

/** A new database of its own, made with `sql`. */
async function created(sql?: string): Promise<string> {
  const name = `part_${(counter += 1)}`;
  await server.createDatabase(name, sql);
  return name;
}

async function clone(template = 'part_src'): Promise<string> {
  const target = `part_${(counter += 1)}`;
  await server.query('postgres', `CREATE DATABASE ${target} TEMPLATE ${template}`);
  return target;
}

async function backup(
  dir: string,
  format: 'plain' | 'custom',
  database = 'part_src',
): Promise<string> {
  const run = await cli(['backup', '--database-url', server.url(database), '--format', format], {
    cwd: dir,
    env,
  });
  expect(run.status, run.stderr).toBe(0);
  const name = fs.readdirSync(path.join(dir, 'backups')).find((n) => !n.endsWith('.json'))!;
  return path.join(dir, 'backups', name);
}

async function restore(dir: string, file: string, target: string, ...extra: string[]) {
  return cli(
    [
      'restore',
      file,
      '--database-url',
      server.url(target),
      '--no-safety-backup',
      '--yes',
      ...extra,
    ],
    { cwd: dir, env },
  );
}

/** SQL written by hand, gzipped as a backup is, restored into `target`. */
async function restoreSql(target: string, sql: string) {
  const dir = tempDir('by-hand');
  const file = path.join(dir, 'by-hand.sql.gz');
  fs.writeFileSync(file, zlib.gzipSync(sql));
  return restore(dir, file, target);
}

const count = async (database: string, table: string): Promise<number> =>
  (await server.query<{ n: number }>(database, `SELECT count(*)::int AS n FROM ${table}`))[0]!.n;

describe('a database with partitioned tables restores in place', () => {
  test.each(['plain', 'custom'] as const)(
    '%s: keys on every level, a partitioned index, foreign keys to and from it, a NOT VALID check: all as in the backup',
    async (format) => {
      const dir = tempDir(`partitioned-${format}`);
      const file = await backup(dir, format);
      const target = await clone();
      // Today's damage: rows gone from both levels, a reply too.
      await server.query(
        target,
        `DELETE FROM replies WHERE id > 350; DELETE FROM events WHERE id > 350;
         INSERT INTO events VALUES (5000, '2025-06-01', 2, 'today')`,
      );
      const run = await restore(dir, file, target);
      expect(run.status, run.stderr).toBe(0);
      expect(server.dump(target)).toBe(server.dump('part_src'));
      expect(await count(target, 'events')).toBe(700);
      // The keys hold again, on the parent and through it on each partition.
      await expect(
        server.query(target, "INSERT INTO events VALUES (1, DATE '2025-01-02', 1, 'again')"),
      ).rejects.toThrow(/duplicate key value violates unique constraint "events_2025_/);
    },
  );
});

describe('restore --tables <partition> in place: that partition alone, joined to the parent the database has', () => {
  test.each([
    ['a partition', 'events_2025', 364, '2026-03-03'],
    ['a partition that is partitioned itself', 'events_2026', 336, '2025-03-03'],
    ['a partition two levels down', 'events_2026_low', 135, '2026-03-03'],
  ])('%s (%s)', async (_label, table, rows, today) => {
    const dir = tempDir('partition-alone');
    const file = await backup(dir, 'custom', 'part_alone');
    const target = await clone('part_alone');
    await server.query(target, `DELETE FROM ${table}`);
    // Today's rows of the other partitions stay.
    await server.query(target, `INSERT INTO events VALUES (9000, '${today}', 2, 'today')`);
    const othersToday = await count(target, 'events');
    const run = await restore(dir, file, target, '--tables', table);
    expect(run.status, run.stderr).toBe(0);
    expect(await count(target, table)).toBe(rows);
    expect(await count(target, 'events')).toBe(othersToday + rows);
    // Its keys and indexes are the parent's partitions again, as in the backup: no second copy.
    const schema = (database: string): string => server.dump(database, '--schema-only');
    expect(schema(target)).toBe(schema('part_alone'));
    const invalid = await server.query(
      target,
      'SELECT indexrelid::regclass::text AS name FROM pg_index WHERE NOT indisvalid',
    );
    expect(invalid).toEqual([]);
  });
});

test("a partition with a table whose foreign key refers to its parent: attached before that table's foreign key is checked", async () => {
  const dir = tempDir('partition-referenced');
  const source = await clone('part_alone');
  await server.query(
    source,
    `CREATE TABLE notes (id int, at date, FOREIGN KEY (id, at) REFERENCES events);
     INSERT INTO notes SELECT id, at FROM events_2025 WHERE id % 10 = 0;`,
  );
  const file = await backup(dir, 'custom', source);
  const target = await clone(source);
  await server.query(target, 'DELETE FROM notes; DELETE FROM events_2025;');
  const run = await restore(dir, file, target, '--tables', 'notes,events_2025');
  expect(run.status, run.stderr).toBe(0);
  expect(server.dump(target)).toBe(server.dump(source));
});

test("a partition whose only index is its key, with a foreign key of its own: the key is made before it joins the parent's", async () => {
  const dir = tempDir('partition-key-only');
  const source = await created(
    `CREATE TABLE kinds (kind int PRIMARY KEY); INSERT INTO kinds VALUES (1);
     CREATE TABLE q (id int PRIMARY KEY, kind int) PARTITION BY RANGE (id);
     CREATE TABLE q1 PARTITION OF q FOR VALUES FROM (0) TO (100);
     ALTER TABLE q1 ADD CONSTRAINT q1_kind FOREIGN KEY (kind) REFERENCES kinds;
     INSERT INTO q SELECT g, 1 FROM generate_series(1, 50) g;`,
  );
  const file = await backup(dir, 'custom', source);
  const target = await clone(source);
  await server.query(target, 'DELETE FROM q1');
  const run = await restore(dir, file, target, '--tables', 'q1');
  expect(run.status, run.stderr).toBe(0);
  expect(server.dump(target)).toBe(server.dump(source));
});

test('--schemas in place: a schema holding a partition whose parent lives in another schema', async () => {
  const dir = tempDir('partition-schema');
  const source = await clone('part_alone');
  await server.query(
    source,
    `CREATE SCHEMA archive;
     CREATE TABLE archive.events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
     INSERT INTO events SELECT g, DATE '2024-01-01' + g, 1, 'old' FROM generate_series(1, 50) g;`,
  );
  const file = await backup(dir, 'custom', source);
  const target = await clone(source);
  await server.query(target, 'DELETE FROM archive.events_2024');
  const run = await restore(dir, file, target, '--schemas', 'archive');
  expect(run.status, run.stderr).toBe(0);
  expect(await count(target, 'archive.events_2024')).toBe(50);
  expect(server.dump(target)).toBe(server.dump(source));
});

test('a partition alone, in place, whose parent has a NOT VALID check fails, rolled back: nothing changed (the limit the README names)', async () => {
  const dir = tempDir('partition-not-valid');
  const target = await clone('part_alone');
  await server.query(target, 'ALTER TABLE events ADD CONSTRAINT positive CHECK (id > 0) NOT VALID');
  await server.query('postgres', `CREATE DATABASE ${target}_src TEMPLATE ${target}`);
  const file = await backup(dir, 'custom', `${target}_src`);
  await server.query(target, 'DELETE FROM events_2025');
  const before = server.dump(target);
  const run = await restore(dir, file, target, '--tables', 'events_2025');
  expect(run.status, run.stderr).toBe(1);
  expect(run.stderr).toMatch(/child table is missing constraint "positive"/);
  expect(server.dump(target)).toBe(before);
});

describe('what the restore lets pass is only what the SQL that follows puts right', () => {
  test("a partition's inherited key left in place by a hand-written script fails the restore where it adds the key again: rolled back, nothing changed", async () => {
    const target = await clone();
    const before = server.dump(target);
    const run = await restoreSql(
      target,
      'DELETE FROM replies;\n' +
        'ALTER TABLE ONLY public.events_2025 DROP CONSTRAINT events_2025_pkey;\n' +
        'ALTER TABLE ONLY public.events_2025 ADD CONSTRAINT events_2025_pkey PRIMARY KEY (id, at);\n',
    );
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/line 3 of the backup's SQL: ERROR: multiple primary keys/);
    expect(run.stderr).toMatch(/rolled back/);
    expect(server.dump(target)).toBe(before);
  });

  test('a constraint PostgreSQL keeps, on a table the SQL then does not drop, fails the restore at its end: rolled back, nothing changed', async () => {
    const target = await created(
      `CREATE TABLE par (a int CONSTRAINT par_a_check CHECK (a > 0));
       CREATE TABLE kid () INHERITS (par);
       CREATE TABLE pp (a int, CONSTRAINT pp_chk CHECK (a > 0)) PARTITION BY RANGE (a);
       CREATE TABLE pp1 PARTITION OF pp FOR VALUES FROM (0) TO (100);`,
    );
    const before = server.dump(target);
    for (const statements of [
      'ALTER TABLE public.kid DROP CONSTRAINT par_a_check;',
      'ALTER TABLE ONLY public.pp DROP CONSTRAINT pp_chk;',
      // Neither a reset of every setting nor a rename makes the note go away.
      'ALTER TABLE ONLY public.pp1 DROP CONSTRAINT pp_chk;\nRESET ALL;',
      'ALTER TABLE public.kid DROP CONSTRAINT par_a_check;\nALTER TABLE public.kid RENAME TO kid2;',
      // Nor an operator of the SQL's own, put first on the search_path.
      `CREATE FUNCTION public.never(oid, oid) RETURNS boolean LANGUAGE sql AS 'SELECT false';
       CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = public.never);
       SET search_path = public, pg_catalog;
       ALTER TABLE public.kid DROP CONSTRAINT par_a_check;`,
    ]) {
      const run = await restoreSql(target, `${statements}\nCREATE TABLE public.marker (x int);\n`);
      expect(run.status, run.stderr).toBe(1);
      expect(run.stderr).toMatch(
        /drops a constraint that PostgreSQL keeps .* and the constraint is still there at the end \(1 such constraints;/,
      );
      expect(server.dump(target)).toBe(before);
    }
  });

  test("SQL that drops the restore's table of kept constraints fails the restore: rolled back, nothing changed", async () => {
    const target = await clone('part_alone');
    const before = server.dump(target);
    const run = await restoreSql(
      target,
      `DELETE FROM events;
DO $$DECLARE t text; BEGIN
SELECT relname INTO t FROM pg_class
 WHERE relnamespace = pg_my_temp_schema() AND relname LIKE 'db\\_backup\\_%\\_kept';
EXECUTE format('DROP TABLE pg_temp.%I', t);
END$$;
`,
    );
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toMatch(
      /dropped the restore's own temporary table of the constraints it kept/,
    );
    expect(server.dump(target)).toBe(before);
  });

  test("a partition's key kept, then gone with its parent's key: restored", async () => {
    const target = await clone('part_alone');
    const run = await restoreSql(
      target,
      'ALTER TABLE ONLY public.events_2025 DROP CONSTRAINT events_2025_pkey;\n' +
        'ALTER TABLE public.events DROP CONSTRAINT events_pkey;\n',
    );
    expect(run.status, run.stderr).toBe(0);
    const keys = await server.query(
      target,
      "SELECT conname FROM pg_constraint WHERE contype = 'p' AND conname LIKE 'events%'",
    );
    expect(keys).toEqual([]);
  });

  test('any other error of a constraint drop stops the restore at its line: rolled back, nothing changed', async () => {
    const target = await clone('part_alone');
    const before = server.dump(target);
    const run = await restoreSql(
      target,
      'DELETE FROM events;\nALTER TABLE ONLY public.events_2025 DROP CONSTRAINT no_such_key;\n',
    );
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toMatch(
      /line 2 of the backup's SQL: ERROR: constraint "no_such_key" of relation "events_2025" does not exist \(SQLSTATE 42704\)/,
    );
    expect(server.dump(target)).toBe(before);
  });

  test('the block is used only where every role may run PL/pgSQL (the SQL may go on as another role)', async () => {
    const database = await created();
    const usable = async (): Promise<unknown> =>
      server.query(
        database,
        `SELECT ${PLPGSQL_USABLE} AS own, ${PLPGSQL_USABLE_BY_ALL} AS everyone`,
      );
    expect(await usable()).toEqual([{ own: true, everyone: true }]);
    await server.query(database, 'REVOKE USAGE ON LANGUAGE plpgsql FROM PUBLIC');
    expect(await usable()).toEqual([{ own: true, everyone: false }]);
  });

  test('where not every role may run PL/pgSQL, a database with partitioned keys fails in place with what to do, and restores with --drop-database', async () => {
    const dir = tempDir('plpgsql-revoked');
    const file = await backup(dir, 'plain', 'part_alone');
    const target = await clone('part_alone');
    await server.query(target, 'REVOKE USAGE ON LANGUAGE plpgsql FROM PUBLIC');
    const before = server.dump(target);
    const inPlace = await restore(dir, file, target);
    expect(inPlace.status, inPlace.stderr).toBe(1);
    expect(inPlace.stderr).toMatch(
      /cannot drop inherited constraint .*A partition's inherited key is kept in place only where every role may run PL\/pgSQL .*restore with --drop-database/s,
    );
    expect(server.dump(target)).toBe(before);
    const swapped = await restore(dir, file, target, '--drop-database');
    expect(swapped.status, swapped.stderr).toBe(0);
    expect(await count(target, 'events')).toBe(700);
  });

  test('where PL/pgSQL cannot run (its extension dropped), constraint drops run as written: a database of plain tables restores in place', async () => {
    const dir = tempDir('no-plpgsql');
    const source = await created(
      `DROP EXTENSION plpgsql;
       CREATE TABLE kinds (kind int PRIMARY KEY);
       CREATE TABLE things (id int PRIMARY KEY, kind int REFERENCES kinds);
       INSERT INTO kinds VALUES (1); INSERT INTO things VALUES (1, 1), (2, 1);`,
    );
    const file = await backup(dir, 'plain', source);
    await server.query(source, 'DELETE FROM things WHERE id = 2');
    const run = await restore(dir, file, source);
    expect(run.status, run.stderr).toBe(0);
    expect(await count(source, 'things')).toBe(2);
  });
});
