/**
 * `restore --tables` brings a table back whole, as pg_dump's own `--table`
 * would have taken it: its identity and owned sequences (with their values),
 * primary key, indexes, constraints, defaults, foreign keys, triggers,
 * comments, grants and partitions (with their rows). pg_restore's `--table`
 * alone takes the table and its rows: in place that dropped the table's keys
 * and indexes for good, and a partitioned table's partitions with all their
 * rows, and said "Restored".
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cli } from './support/cli.js';
import { startPostgres, type PgServer } from './support/postgres.js';
import { tempDir } from './support/tmp.js';

let server: PgServer;
const env = { PATH: process.env.PATH };
let counter = 0;
const fresh = (label: string): string => `sel_${label}_${(counter += 1)}`;

const SOURCE = `
  CREATE ROLE sel_reader;
  CREATE SCHEMA shop;
  CREATE FUNCTION shop.touch() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN NEW.changed := now(); RETURN NEW; END $$;
  CREATE TABLE shop.customers (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
  CREATE TABLE shop.orders (
    id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id int NOT NULL REFERENCES shop.customers (id),
    total numeric CHECK (total >= 0),
    note text DEFAULT 'none',
    changed timestamptz
  );
  CREATE INDEX orders_by_customer ON shop.orders (customer_id);
  CREATE TRIGGER orders_touch BEFORE UPDATE ON shop.orders FOR EACH ROW EXECUTE FUNCTION shop.touch();
  COMMENT ON TABLE shop.orders IS 'what was bought';
  COMMENT ON COLUMN shop.orders.total IS 'in cents';
  GRANT SELECT ON shop.orders TO sel_reader;
  CREATE TABLE shop.items (order_id int NOT NULL REFERENCES shop.orders (id), sku text);
  CREATE TABLE shop.events (id bigserial, at date NOT NULL, what text) PARTITION BY RANGE (at);
  CREATE TABLE shop.events_jan PARTITION OF shop.events FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');
  CREATE TABLE shop.events_feb PARTITION OF shop.events FOR VALUES FROM ('2026-02-01') TO ('2026-03-01');
  CREATE INDEX events_by_day ON shop.events (at);
  CREATE TABLE shop.notes (id int PRIMARY KEY, body text);
  CREATE TABLE shop.note_copies (copy shop.notes);
  CREATE TABLE shop.old_notes (archived date) INHERITS (shop.notes);
  INSERT INTO shop.notes VALUES (1, 'one'), (2, 'two');
  INSERT INTO shop.note_copies VALUES (ROW(1, 'one'));
  INSERT INTO shop.old_notes VALUES (3, 'three', '2026-01-01');
  CREATE TABLE shop.prices (sku text PRIMARY KEY, cents int);
  INSERT INTO shop.prices SELECT 'sku' || g, g FROM generate_series(1, 10) g;
  CREATE MATERIALIZED VIEW shop.price_list AS SELECT sku, cents FROM shop.prices WHERE cents > 3;
  CREATE UNIQUE INDEX price_list_sku ON shop.price_list (sku);
  COMMENT ON MATERIALIZED VIEW shop.price_list IS 'what is sold';
  INSERT INTO shop.customers (name) SELECT 'c' || g FROM generate_series(1, 5) g;
  INSERT INTO shop.orders (customer_id, total) SELECT 1 + g % 5, g FROM generate_series(1, 40) g;
  INSERT INTO shop.items SELECT g, 'sku' || g FROM generate_series(1, 40) g;
  INSERT INTO shop.events (at, what) SELECT '2026-01-01'::date + g % 59, 'e' || g FROM generate_series(1, 300) g;
`;

/** Where whose-is-it is hard to tell from the archive: names, keys on two columns, row types. */
const TRICKY = `
  CREATE TABLE comp1 (a int, b int, PRIMARY KEY (a, b));
  CREATE TABLE comp2 (id int, a int, b int, FOREIGN KEY (a, b) REFERENCES comp1 (a, b));
  INSERT INTO comp1 VALUES (1, 1); INSERT INTO comp2 VALUES (1, 1, 1);
  CREATE TABLE a (id int PRIMARY KEY);
  CREATE TABLE "a b" (id int PRIMARY KEY, aid int);
  CREATE POLICY p1 ON "a b" USING (aid IN (SELECT id FROM a));
  ALTER TABLE "a b" ENABLE ROW LEVEL SECURITY;
  CREATE TABLE u (a int, n int);
  CREATE TABLE t (id int PRIMARY KEY);
  CREATE INDEX t_expr ON t (((row(id, 1)::u).a));
  CREATE TABLE p (id int PRIMARY KEY) PARTITION BY RANGE (id);
  CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (100);
  CREATE TABLE x (id int PRIMARY KEY, pid int REFERENCES p (id));
  INSERT INTO p VALUES (5); INSERT INTO x VALUES (1, 5);
`;

beforeAll(async () => {
  server = await startPostgres();
  await server.createDatabase('sel_src', SOURCE);
  await server.createDatabase('sel_tricky', TRICKY);
});

afterAll(async () => {
  await server?.stop();
});

/** What pg_dump makes of these tables (with their sequences): definitions, rows and sequence values. */
const dumpOf = (database: string, ...tables: string[]): string =>
  server.dump(database, ...tables.flatMap((table) => ['--table', table]));

/** A new database made from `template`: the target as it was when the backup was made. */
async function clone(label: string, template = 'sel_src'): Promise<string> {
  const target = fresh(label);
  await server.query('postgres', `CREATE DATABASE ${target} TEMPLATE ${template}`);
  return target;
}

async function backup(dir: string, database = 'sel_src'): Promise<string> {
  const run = await cli(['backup', '--database-url', server.url(database), '--format', 'custom'], {
    cwd: dir,
    env,
  });
  expect(run.status, run.stderr).toBe(0);
  const name = fs.readdirSync(path.join(dir, 'backups')).find((n) => !n.endsWith('.json'))!;
  return path.join(dir, 'backups', name);
}

async function restore(dir: string, file: string, target: string, ...extra: string[]) {
  return cli(
    ['restore', file, '--database-url', server.url(target), '--no-safety-backup', ...extra],
    {
      cwd: dir,
      env,
    },
  );
}

const ORDERS = ['shop.orders'];
const EVENTS = ['shop.events', 'shop.events_jan', 'shop.events_feb'];

describe('restore --tables brings a table back whole', () => {
  test('in place: the table as it was in the backup, with its keys, indexes, identity, trigger, comments, grants; the rest as it is', async () => {
    const dir = tempDir('selective-in-place');
    const file = await backup(dir);
    const target = await clone('inplace');
    // Today's changes: to the table restored, and to the rest, which must stay.
    await server.query(
      target,
      `DELETE FROM shop.items WHERE order_id > 30; DELETE FROM shop.orders WHERE id > 30;
       INSERT INTO shop.customers (name) VALUES ('new today');
       DROP INDEX shop.orders_by_customer; COMMENT ON TABLE shop.orders IS 'changed';`,
    );
    const customersToday = dumpOf(target, 'shop.customers');
    // items' foreign key refers to orders: PostgreSQL drops orders only with items picked too.
    const run = await restore(dir, file, target, '--tables', 'orders,items', '--yes');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /What belongs to what was picked comes with it: 1 sequence, 1 constraint, 1 index, 1 trigger, 2 foreign keys\n/,
    );
    expect(dumpOf(target, ...ORDERS, 'shop.items')).toBe(
      dumpOf('sel_src', ...ORDERS, 'shop.items'),
    );
    expect(dumpOf(target, 'shop.customers')).toBe(customersToday);
    // The application goes on: the identity continues after the restored rows, the trigger runs,
    // and the foreign key of another table to this one is there again.
    const inserted = await server.query<{ id: number }>(
      target,
      'INSERT INTO shop.orders (customer_id, total) VALUES (1, 5) RETURNING id',
    );
    expect(inserted).toEqual([{ id: 41 }]);
    const [touched] = await server.query<{ changed: Date | null }>(
      target,
      'UPDATE shop.orders SET total = 6 WHERE id = 41 RETURNING changed',
    );
    expect(touched?.changed).toBeInstanceOf(Date);
    await expect(server.query(target, "INSERT INTO shop.items VALUES (999, 'x')")).rejects.toThrow(
      /foreign key/,
    );
  });

  test('in place, a partitioned table comes back with its partitions and their rows, not emptied', async () => {
    const dir = tempDir('selective-partitions');
    const file = await backup(dir);
    const target = await clone('parts');
    await server.query(target, "DELETE FROM shop.events WHERE at >= '2026-02-01'");
    const run = await restore(dir, file, target, '--tables', 'events', '--yes');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/2 partitions or inheriting tables/);
    expect(dumpOf(target, ...EVENTS)).toBe(dumpOf('sel_src', ...EVENTS));
    expect(await server.query(target, 'SELECT count(*)::int AS n FROM shop.events')).toEqual([
      { n: 300 },
    ]);
  });

  test.each(['1', '2'])(
    'into a new database (--jobs %s): whole tables; a foreign key to a table not picked, or a trigger on a function not restored, is left out with a warning',
    async (jobs) => {
      const dir = tempDir('selective-new');
      const file = await backup(dir);
      const both = fresh('newboth');
      const together = await restore(
        dir,
        file,
        both,
        '--tables',
        'orders,customers,events',
        '--create-database',
        '--jobs',
        jobs,
      );
      expect(together.status, together.stderr).toBe(0);
      // Only what needs more than tables: the trigger's function is not restored with them.
      expect(together.stderr).toMatch(
        /warning: Left out of the new database, as each needs something that is not restored with it: trigger "orders orders_touch"\. /,
      );
      // As in the backup, but for the trigger said to be left out.
      const withoutTrigger = (dump: string): string =>
        dump.replace(/--\n-- Name: orders orders_touch; Type: TRIGGER[^]*?\n\n\n/, '');
      const source = dumpOf('sel_src', 'shop.customers', ...ORDERS, ...EVENTS);
      expect(withoutTrigger(source)).not.toBe(source);
      expect(dumpOf(both, 'shop.customers', ...ORDERS, ...EVENTS)).toBe(withoutTrigger(source));
      const alone = fresh('newalone');
      const run = await restore(
        dir,
        file,
        alone,
        '--tables',
        'orders',
        '--create-database',
        '--jobs',
        jobs,
      );
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toMatch(
        /warning: Left out of the new database, as each needs something that is not restored with it: trigger "orders orders_touch", foreign key "orders orders_customer_id_fkey"\. Pick what they need too, or restore in place\./,
      );
      // The table itself is whole: its identity (continuing after its rows), key, index, check.
      expect(
        await server.query(
          alone,
          `SELECT pg_get_serial_sequence('shop.orders', 'id') AS sequence,
                  (SELECT count(*)::int FROM pg_indexes WHERE tablename = 'orders') AS indexes,
                  (SELECT count(*)::int FROM pg_constraint WHERE conrelid = 'shop.orders'::regclass AND contype = 'c') AS checks`,
        ),
      ).toEqual([{ sequence: 'shop.orders_id_seq', indexes: 2, checks: 1 }]);
      const [next] = await server.query<{ id: number }>(
        alone,
        'INSERT INTO shop.orders (customer_id, total) VALUES (1, 5) RETURNING id',
      );
      expect(next?.id).toBe(41);
    },
  );

  test('a table that has another table of its row type, or one inheriting from it, never brings that table along', async () => {
    const dir = tempDir('selective-rowtype');
    const file = await backup(dir);
    const alone = fresh('notes');
    const made = await restore(dir, file, alone, '--tables', 'notes', '--create-database');
    expect(made.status, made.stderr).toBe(0);
    expect(
      await server.query(
        alone,
        "SELECT string_agg(relname, ',' ORDER BY relname) AS tables FROM pg_class WHERE relkind = 'r' AND relnamespace = 'shop'::regnamespace",
      ),
    ).toEqual([{ tables: 'notes' }]);
    // In place, PostgreSQL will not drop a table others are made of: refused, nothing changed.
    const target = await clone('notesinplace');
    await server.query(
      target,
      "UPDATE shop.note_copies SET copy = ROW(9, 'changed'); DELETE FROM shop.notes WHERE id = 2;",
    );
    const before = dumpOf(target);
    const run = await restore(dir, file, target, '--tables', 'notes', '--yes');
    expect(run.status, run.stderr).toBe(1);
    expect(dumpOf(target)).toBe(before);
  });

  test.each([
    ['a view on it', 'CREATE VIEW shop.big AS SELECT * FROM shop.orders WHERE total > 10;'],
    [
      "another table's foreign key to it, changed since the backup",
      `ALTER TABLE shop.items DROP CONSTRAINT items_order_id_fkey,
         ADD CONSTRAINT items_order_id_fkey FOREIGN KEY (order_id) REFERENCES shop.orders (id) ON DELETE CASCADE;`,
    ],
  ])(
    'in place, a table with %s is refused by PostgreSQL and rolled back: nothing changed, nothing of the other object rewritten',
    async (_label, sql) => {
      const dir = tempDir('selective-needed');
      const file = await backup(dir);
      const target = await clone('needed');
      await server.query(
        target,
        `${sql} DELETE FROM shop.items WHERE order_id > 20; DELETE FROM shop.orders WHERE id > 20;`,
      );
      const before = dumpOf(target);
      const run = await restore(dir, file, target, '--tables', 'orders', '--yes');
      expect(run.status, run.stderr).toBe(1);
      expect(run.stderr).toMatch(/depend/);
      expect(dumpOf(target)).toBe(before);
    },
  );

  test('a materialized view comes back with its index and comment, in place', async () => {
    const dir = tempDir('selective-matview');
    const file = await backup(dir);
    const target = await clone('matview');
    await server.query(
      target,
      'UPDATE shop.prices SET cents = cents + 100; REFRESH MATERIALIZED VIEW shop.price_list;',
    );
    const run = await restore(dir, file, target, '--tables', 'price_list', '--yes');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/comes with it: 1 index\n/);
    const indexes = await server.query(
      target,
      "SELECT indexname FROM pg_indexes WHERE tablename = 'price_list'",
    );
    expect(indexes).toEqual([{ indexname: 'price_list_sku' }]);
    expect(
      await server.query(target, "SELECT obj_description('shop.price_list'::regclass) AS c"),
    ).toEqual([{ c: 'what is sold' }]);
  });
});

describe('whose is it: entries the archive names loosely come with their own table only', () => {
  async function inPlace(tables: string) {
    const dir = tempDir('selective-tricky');
    const file = await backup(dir, 'sel_tricky');
    const target = await clone('tricky', 'sel_tricky');
    const before = dumpOf(target);
    return { run: await restore(dir, file, target, '--tables', tables, '--yes'), target, before };
  }

  test('a foreign key on two columns comes with its table', async () => {
    const { run, target } = await inPlace('comp2');
    expect(run.status, run.stderr).toBe(0);
    expect(dumpOf(target, 'comp2')).toBe(dumpOf('sel_tricky', 'comp2'));
    expect(dumpOf(target, 'comp2')).toMatch(/FOREIGN KEY \(a, b\) REFERENCES public\.comp1/);
  });

  test('a policy whose name starts with two tables\' names ("a b p1", tables "a" and "a b"): in place, refused unless both are picked', async () => {
    const refused = await inPlace('"a b"');
    expect(refused.run.status, refused.run.stderr).toBe(2);
    expect(refused.run.stderr).toMatch(/which table policy "a b p1" belongs to cannot be told/);
    expect(dumpOf(refused.target)).toBe(refused.before);
    const both = await inPlace('a,"a b"');
    expect(both.run.status, both.run.stderr).toBe(0);
    expect(dumpOf(both.target, 'a', '"a b"')).toBe(dumpOf('sel_tricky', 'a', '"a b"'));
    expect(dumpOf(both.target, '"a b"')).toMatch(/CREATE POLICY p1 ON public\."a b"/);
  });

  test('an index on t that uses the row type of u: in place, refused unless both are picked', async () => {
    const refused = await inPlace('t');
    expect(refused.run.status, refused.run.stderr).toBe(2);
    expect(refused.run.stderr).toMatch(
      /which table index "t_expr" belongs to cannot be told \(it depends on a table picked and on one not picked\).*Nothing was changed\./,
    );
    expect(dumpOf(refused.target)).toBe(refused.before);
    const both = await inPlace('t,u');
    expect(both.run.status, both.run.stderr).toBe(0);
    expect(dumpOf(both.target, 't', 'u')).toBe(dumpOf('sel_tricky', 't', 'u'));
  });

  test("into a new database, a partitioned table's key is whole (its partition's index attached) and a foreign key to it comes", async () => {
    const dir = tempDir('selective-tricky-new');
    const file = await backup(dir, 'sel_tricky');
    const target = fresh('trickynew');
    const run = await restore(dir, file, target, '--tables', 'p,x', '--create-database');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/Left out/);
    expect(
      await server.query(
        target,
        "SELECT indisvalid FROM pg_index WHERE indexrelid = 'p_pkey'::regclass",
      ),
    ).toEqual([{ indisvalid: true }]);
    expect(dumpOf(target, 'p', 'p1', 'x')).toBe(dumpOf('sel_tricky', 'p', 'p1', 'x'));
  });
});
