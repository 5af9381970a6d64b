import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
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

/**
 * Backups that must not come out incomplete, and windows that must not lose
 * the last good copy. Every case asserts the exit status, the message, and
 * that nothing was lost: earlier backups byte for byte, nothing pruned, no
 * file left under a backup's name.
 */

let server: PgServer;
const PG_DUMP = spawnSync('sh', ['-c', 'command -v pg_dump'], { encoding: 'utf8' }).stdout.trim();

/** Names that break line-based, quote-naive or case-folding readers. */
const ODD_SCHEMA = String.raw`
  CREATE SCHEMA "we.ird ""schema""";
  CREATE TABLE "we.ird ""schema"""."new
line" (id int PRIMARY KEY, "col
umn" text);
  CREATE TABLE public."Zoë's ""quoted"" table" (x text);
  CREATE TABLE public."back\slash" (x text);
  CREATE TABLE public."dots.in.name" (x int);
  CREATE TABLE public."with space" (x int);
  CREATE TABLE public."$dollar$" (x int);
  CREATE TABLE public."COPY public.fake FROM stdin;" (x int);
  CREATE TABLE public."tab	name" (x int);
  CREATE TABLE public."UPPER" (x int);
  CREATE TABLE public.upper (x int);
  INSERT INTO "we.ird ""schema"""."new
line" SELECT i, E'row\n' || i FROM generate_series(1, 7) i;
  INSERT INTO public."Zoë's ""quoted"" table" VALUES ('a'), ('b');
  INSERT INTO public."back\slash" VALUES (E'\\.'), ('\.');
  INSERT INTO public."dots.in.name" SELECT generate_series(1, 3);
  INSERT INTO public."with space" VALUES (1);
  INSERT INTO public."$dollar$" VALUES (1), (2);
  INSERT INTO public."COPY public.fake FROM stdin;" VALUES (1);
  INSERT INTO public."tab	name" VALUES (1), (2), (3), (4);
  INSERT INTO public."UPPER" VALUES (1);
  INSERT INTO public.upper VALUES (1), (2);
  CREATE FUNCTION public.decoy() RETURNS text LANGUAGE sql AS $body$
SELECT 'COPY public.upper (x) FROM stdin;
1
\.
-- PostgreSQL database dump complete'
$body$;
`;

const ODD_TABLES = [
  { name: 'public.$dollar$', rows: 2 },
  { name: 'public.COPY public.fake FROM stdin;', rows: 1 },
  { name: 'public.UPPER', rows: 1 },
  { name: 'public.Zoë\'s "quoted" table', rows: 2 },
  { name: 'public.back\\slash', rows: 2 },
  { name: 'public.dots.in.name', rows: 3 },
  { name: 'public.tab\tname', rows: 4 },
  { name: 'public.upper', rows: 2 },
  { name: 'public.with space', rows: 1 },
  { name: 'we.ird "schema".new\nline', rows: 7 },
];

beforeAll(async () => {
  server = await startPostgres();
  await server.createDatabase('app', SAMPLE_SCHEMA);
  await server.createDatabase('odd', ODD_SCHEMA);
});

afterAll(async () => {
  await server?.stop();
});

function writeScript(dir: string, name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(
    file,
    `#!/bin/sh\nif [ "$1" = "--version" ]; then exec "${PG_DUMP}" --version; fi\n${body}\n`,
    { mode: 0o755 },
  );
  return file;
}

/** Two earlier backups, with their contents, to prove they survive. */
function seedOld(dir: string): Map<string, string> {
  const backups = path.join(dir, 'backups');
  fs.mkdirSync(backups, { recursive: true, mode: 0o700 });
  const old = new Map<string, string>();
  for (const name of [
    'postgres_backup_20200101_000000.sql.gz',
    'postgres_backup_20200102_000000.sql.gz',
  ]) {
    fs.writeFileSync(path.join(backups, name), `old ${name}`);
    old.set(name, `old ${name}`);
  }
  return old;
}

function assertNothingLost(dir: string, old: Map<string, string>): void {
  const backups = path.join(dir, 'backups');
  expect(fs.readdirSync(backups).sort()).toEqual([...old.keys()].sort());
  for (const [name, content] of old) {
    expect(fs.readFileSync(path.join(backups, name), 'utf8')).toBe(content);
  }
}

function pgEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH };
}

function manifestOf(dir: string, name: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(dir, 'backups', `${name}.json`), 'utf8')) as Record<
    string,
    unknown
  >;
}

describe('a PostgreSQL backup that exits 0 is complete', () => {
  test.each([
    [
      'cuts the stream and exits 0 (head -c 3000)',
      `"${PG_DUMP}" "$@" | head -c 3000; exit 0`,
      /The dump is incomplete: .*(closing line|no data for)/,
    ],
    [
      'stops in the middle of a COPY block and exits 0',
      `"${PG_DUMP}" "$@" | head -c 40000; exit 0`,
      /The dump is incomplete: .*(cut off after \d+ rows|no data for)/,
    ],
    [
      'drops one COPY block',
      String.raw`"${PG_DUMP}" "$@" | sed '/^COPY public\.orders /,/^\\\.$/d'`,
      /The dump is incomplete: pg_dump wrote no data for public\.orders \(the snapshot holds 500 rows\)/,
    ],
    [
      'drops the closing line',
      `"${PG_DUMP}" "$@" | sed '/^-- PostgreSQL database dump complete$/d'`,
      /The dump is incomplete: the dump does not end with pg_dump's closing line/,
    ],
    [
      'drops rows from a COPY block',
      String.raw`"${PG_DUMP}" "$@" | sed '/^COPY public\.customers /,/^\\\.$/{/^[0-9]*5	/d}'`,
      /The dump is incomplete: pg_dump wrote 180 rows of public\.customers but its snapshot holds 200/,
    ],
    [
      'adds a statement after the closing line',
      `"${PG_DUMP}" "$@"; echo 'DROP TABLE public.orders;'`,
      /The dump is incomplete: the dump does not end with pg_dump's closing line/,
    ],
    [
      'cuts the dump before its indexes and constraints, then writes a closing line and \\unrestrict of its own',
      String.raw`"${PG_DUMP}" "$@" | awk '/; Type: CONSTRAINT;/{exit} {print}'; printf -- '--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict forged\n'; exit 0`,
      /The dump is incomplete: an \\unrestrict line that does not name the key of the dump's \\restrict; the dump does not end with pg_dump's closing line/,
    ],
    [
      'writes nothing but a header',
      `echo '--'; echo '-- PostgreSQL database dump'; echo '--'`,
      /The dump is incomplete: .*closing line/,
    ],
  ])(
    'a pg_dump that %s fails the job (exit 1) and loses nothing',
    async (_label, body, message) => {
      const dir = tempDir('fm-pg');
      const old = seedOld(dir);
      const wrapper = writeScript(dir, 'pg_dump-wrapper', body);
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
        { cwd: dir, env: pgEnv() },
      );
      expect(run.status, run.stderr).toBe(1);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toMatch(/The backup was discarded and nothing was pruned/);
      expect(run.stderr).not.toContain(TEST_PASSWORD);
      assertNothingLost(dir, old);
    },
  );

  test('names with newlines, quotes, unicode, spaces, dots, tabs, backslashes and case: counted, verified and restored', async () => {
    const dir = tempDir('fm-odd');
    const run = await cli(['backup', '--database-url', server.url('odd'), '--json'], {
      cwd: dir,
      env: pgEnv(),
    });
    expect(run.status, run.stderr).toBe(0);
    const { name, manifest } = JSON.parse(run.stdout);
    expect(manifest.tables).toEqual(ODD_TABLES);
    expect(manifestOf(dir, name).tables).toEqual(ODD_TABLES);
    expect(manifest.empty).toBe(false);

    const verify = await cli(['verify', name, '--verify-database-url', server.url('postgres')], {
      cwd: dir,
      env: pgEnv(),
    });
    expect(verify.status, verify.stderr + verify.stdout).toBe(0);
    expect(verify.stdout).toMatch(/^VERIFIED/);

    await server.createDatabase('odd_restored');
    const restore = await cli(
      ['restore', name, '--database-url', server.url('odd_restored'), '--json'],
      { cwd: dir, env: pgEnv() },
    );
    expect(restore.status, restore.stderr).toBe(0);
    expect(JSON.parse(restore.stdout).info.tables).toEqual(ODD_TABLES);
    expect(await snapshotRows(server, 'odd_restored')).toEqual(await snapshotRows(server, 'odd'));
  });

  test.each<[string, string[], string[]]>([
    [
      '--tables with a quoted, dotted name',
      ['--tables', 'public."dots.in.name"'],
      ['public.dots.in.name'],
    ],
    ['--tables folds unquoted case', ['--tables', 'UPPER'], ['public.upper']],
    ['--tables keeps quoted case', ['--tables', '"UPPER"'], ['public.UPPER']],
    ['--tables with a wildcard schema', ['--tables', '*.new*'], ['we.ird "schema".new\nline']],
    ['--tables with $ (always literal)', ['--tables', 'public.$dollar$'], ['public.$dollar$']],
    [
      '--tables with a regular expression outside quotes',
      ['--tables', 'public.(upper|with space)'],
      ['public.upper', 'public.with space'],
    ],
    [
      '--schemas of a quoted name with a dot',
      ['--schemas', '"we.ird ""schema"""'],
      ['we.ird "schema".new\nline'],
    ],
    [
      '--exclude-schemas and --exclude-table-data (? matches the newline)',
      ['--exclude-schemas', 'public', '--exclude-table-data', '"we.ird ""schema""".new?line'],
      ['we.ird "schema".new\nline:0'],
    ],
    [
      '--exclude-tables by quoted names with a dot and a space (unqualified: visible tables only)',
      ['--exclude-tables', 'public."dots.in.name"', '--exclude-tables', '"with space"'],
      ODD_TABLES.map((t) => t.name).filter((name) => !/dots|space/.test(name)),
    ],
  ])("filters are pg_dump's own: %s", async (_label, args, expected) => {
    const dir = tempDir('fm-filter');
    const run = await cli(['backup', '--database-url', server.url('odd'), '--json', ...args], {
      cwd: dir,
      env: pgEnv(),
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/did not expect/);
    const tables = JSON.parse(run.stdout).manifest.tables as { name: string; rows: number }[];
    expect(
      tables.map((t) => (expected.some((e) => e.endsWith(':0')) ? `${t.name}:${t.rows}` : t.name)),
    ).toEqual(expected);
  });

  test('partitions loaded through their root (hash on an enum), views, materialized views, foreign-table-free extension data', async () => {
    await server.createDatabase(
      'parts',
      `
      CREATE TYPE color AS ENUM ('red', 'green', 'blue');
      CREATE TABLE h (c color, v int) PARTITION BY HASH (c);
      CREATE TABLE h0 PARTITION OF h FOR VALUES WITH (MODULUS 2, REMAINDER 0);
      CREATE TABLE h1 PARTITION OF h FOR VALUES WITH (MODULUS 2, REMAINDER 1);
      INSERT INTO h SELECT (ARRAY['red', 'green', 'blue'])[1 + i % 3]::color, i FROM generate_series(1, 10) i;
      CREATE TABLE r (k int, v text) PARTITION BY RANGE (k);
      CREATE TABLE r1 PARTITION OF r FOR VALUES FROM (0) TO (100) PARTITION BY LIST (v);
      CREATE TABLE r1a PARTITION OF r1 FOR VALUES IN ('a');
      INSERT INTO r VALUES (1, 'a'), (2, 'a');
      CREATE VIEW hv AS SELECT * FROM h;
      CREATE MATERIALIZED VIEW hm AS SELECT * FROM h;
      CREATE UNLOGGED TABLE scratch (x int);
      INSERT INTO scratch VALUES (1);
      CREATE TABLE parent_inh (x int);
      CREATE TABLE child_inh (y int) INHERITS (parent_inh);
      INSERT INTO parent_inh VALUES (1);
      INSERT INTO child_inh VALUES (2, 3), (4, 5);
      CREATE EXTENSION citext;
      CREATE TABLE ext_settings (id int, v text);
      INSERT INTO ext_settings SELECT i, 'v' || i FROM generate_series(1, 5) i;
      ALTER EXTENSION citext ADD TABLE ext_settings;
      UPDATE pg_extension SET extconfig = ARRAY['ext_settings'::regclass::oid], extcondition = ARRAY['WHERE id > 2'] WHERE extname = 'citext';
    `,
    );
    const dir = tempDir('fm-parts');
    const run = await cli(['backup', '--database-url', server.url('parts'), '--json'], {
      cwd: dir,
      env: pgEnv(),
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/did not expect/);
    const { name, manifest } = JSON.parse(run.stdout);
    expect(manifest.tables).toEqual([
      { name: 'public.child_inh', rows: 2 },
      // Rows of a hash-on-enum tree land in other partitions after a restore: counted for the root.
      { name: 'public.h', rows: 10 },
      { name: 'public.parent_inh', rows: 1 },
      { name: 'public.r1a', rows: 2 },
      { name: 'public.scratch', rows: 1 },
    ]);
    const text = spawnSync('sh', ['-c', 'gunzip -c "$1"', 'sh', path.join(dir, 'backups', name)], {
      encoding: 'utf8',
    }).stdout;
    expect(text).toContain('-- load via partition root public.h');
    expect(text).toMatch(
      /COPY public\.ext_settings \(id, v\) FROM stdin;\n3\tv3\n4\tv4\n5\tv5\n\\\.\n/,
    );

    // The extension's rows are checked too: one that went missing fails the job.
    const dropExt = writeScript(
      dir,
      'drop-ext',
      String.raw`"${PG_DUMP}" "$@" | sed '/^COPY public\.ext_settings /,/^\\\.$/{/^4	/d}'`,
    );
    const bad = await cli(
      ['backup', '--database-url', server.url('parts'), '--pg-dump-path', dropExt],
      {
        cwd: dir,
        env: pgEnv(),
      },
    );
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/wrote 2 rows of public\.ext_settings but its snapshot holds 3/);
    // A partition's rows loaded through the root are counted for that partition.
    const dropPart = writeScript(
      dir,
      'drop-part',
      String.raw`"${PG_DUMP}" "$@" | awk '/^-- Data for Name: h1;/{skip=1} skip&&/^\\\.$/{skip=0; next} !skip'`,
    );
    const noPart = await cli(
      ['backup', '--database-url', server.url('parts'), '--pg-dump-path', dropPart],
      { cwd: dir, env: pgEnv() },
    );
    expect(noPart.status).toBe(1);
    // How many rows land in h1 follows the hash of the enum labels' OIDs, which the server assigns.
    expect(noPart.stderr).toMatch(/no data for public\.h1 \(the snapshot holds \d+ rows\)/);
  });

  test('owners and privileges are in every backup; keep-owner and keep-privileges are accepted with a notice', async () => {
    await server.query('postgres', 'CREATE ROLE fm_reader NOLOGIN');
    await server.createDatabase(
      'owned',
      `CREATE TABLE t (x int); INSERT INTO t VALUES (1); ALTER TABLE t OWNER TO fm_reader; GRANT SELECT ON t TO PUBLIC;`,
    );
    const dir = tempDir('fm-owners');
    const run = await cli(
      ['backup', '--database-url', server.url('owned'), '--keep-owner', '--keep-privileges'],
      { cwd: dir, env: pgEnv() },
    );
    expect(run.status, run.stderr).toBe(0);
    const notices = run.stderr.split('\n').filter((line) => line.includes('no longer change'));
    expect(notices).toEqual([
      'warning: keep-owner and keep-privileges no longer change anything: owners and privileges are always in a PostgreSQL backup now; restore with --no-owner / --no-privileges to leave them out.',
    ]);
    const [name] = fs.readdirSync(path.join(dir, 'backups')).filter((n) => n.endsWith('.sql.gz'));
    const text = spawnSync('sh', ['-c', 'gunzip -c "$1"', 'sh', path.join(dir, 'backups', name!)], {
      encoding: 'utf8',
    }).stdout;
    expect(text).toContain('ALTER TABLE public.t OWNER TO fm_reader;');
    expect(text).toContain('GRANT SELECT ON TABLE public.t TO PUBLIC;');
  });
});

describe('an emptied database never pushes good backups out of the window', () => {
  test('SQLite: a 0-byte database, backed up twice with MAX_BACKUPS=2, keeps the newest backup that held rows', async () => {
    const dir = tempDir('fm-empty-sqlite');
    const db = path.join(dir, 'app.db');
    createSampleDatabase(db, { rows: 10 });
    const env = { MAX_BACKUPS: '2' };
    for (let i = 0; i < 2; i += 1) {
      const run = await cli(['backup', '--database-url', 'file:app.db'], { cwd: dir, env });
      expect(run.status, run.stderr).toBe(0);
    }
    const good = fs
      .readdirSync(path.join(dir, 'backups'))
      .filter((n) => n.endsWith('.db.gz'))
      .sort();
    fs.truncateSync(db, 0);
    const runs = [];
    for (let i = 0; i < 2; i += 1) {
      const run = await cli(['backup', '--database-url', 'file:app.db', '--json'], {
        cwd: dir,
        env,
      });
      expect(run.status, run.stderr).toBe(0);
      runs.push(JSON.parse(run.stdout));
    }
    const left = fs
      .readdirSync(path.join(dir, 'backups'))
      .filter((n) => n.endsWith('.db.gz'))
      .sort();
    // The window of 2 holds the two empty backups; the newest good one stays beside them.
    expect(left).toEqual([good[1], runs[0].name, runs[1].name].sort());
    expect(runs[1].manifest.empty).toBe(true);
    expect(runs[1].warnings).toEqual([
      `sqlite:${path.join(dir, 'app.db')} held no rows: ${runs[1].name} was written and is marked "empty" in its manifest. ${good[1]}, the newest backup that held rows, is kept beyond max-backups.`,
    ]);
    expect(manifestOf(dir, good[1]!).empty).toBe(false);
    // prune applies the same rule.
    const prune = await cli(['prune', '--database-url', 'file:app.db', '--max-backups', '1'], {
      cwd: dir,
    });
    expect(prune.status, prune.stderr).toBe(0);
    expect(prune.stdout).toContain(
      `Kept ${good[1]} beyond max-backups: the newest backup that held rows.`,
    );
    expect(fs.existsSync(path.join(dir, 'backups', good[1]!))).toBe(true);
    // Data again: the window goes back to normal and the old good backup may go.
    fs.rmSync(db);
    createSampleDatabase(db, { rows: 3 });
    const again = await cli(['backup', '--database-url', 'file:app.db', '--json'], {
      cwd: dir,
      env,
    });
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).warnings).toEqual([]);
    expect(JSON.parse(again.stdout).pruned).toContain(good[1]);
  });

  test.each([
    [
      'whose rows were all deleted',
      'DELETE FROM orders; DELETE FROM customers; DELETE FROM audit.events; DELETE FROM "Mixed Case";',
    ],
    [
      'with no tables left',
      'DROP SCHEMA audit CASCADE; DROP VIEW big_customers; DROP TABLE orders, customers, "Mixed Case", empty_table;',
    ],
  ])(
    'PostgreSQL: a database %s, backed up twice with MAX_BACKUPS=2, keeps the newest backup that held rows',
    async (_label, emptying) => {
      const database = `fm_empty_${Math.random().toString(36).slice(2, 8)}`;
      await server.createDatabase(database, SAMPLE_SCHEMA);
      const dir = tempDir('fm-empty-pg');
      const env = { ...pgEnv(), DATABASE_URL: server.url(database), MAX_BACKUPS: '2' };
      for (let i = 0; i < 2; i += 1) {
        const run = await cli(['backup'], { cwd: dir, env });
        expect(run.status, run.stderr).toBe(0);
      }
      const good = fs
        .readdirSync(path.join(dir, 'backups'))
        .filter((n) => n.endsWith('.sql.gz'))
        .sort();
      await server.query(database, emptying);
      const names: string[] = [];
      for (let i = 0; i < 2; i += 1) {
        const run = await cli(['backup', '--json'], { cwd: dir, env });
        expect(run.status, run.stderr).toBe(0);
        expect(run.stderr).toMatch(/held no rows: .* is marked "empty" in its manifest/);
        names.push(JSON.parse(run.stdout).name);
        expect(JSON.parse(run.stdout).manifest.empty).toBe(true);
      }
      const left = fs
        .readdirSync(path.join(dir, 'backups'))
        .filter((n) => n.endsWith('.sql.gz'))
        .sort();
      expect(left).toEqual([good[1], ...names].sort());
    },
  );

  test('the job summary carries the warning', async () => {
    const dir = tempDir('fm-empty-summary');
    new Database(path.join(dir, 'empty.db')).close();
    const { renderSummary } = await import('../src/report/summary.js');
    const run = await cli(['backup', '--database-url', 'file:empty.db', '--json'], { cwd: dir });
    expect(run.status, run.stderr).toBe(0);
    const summary = renderSummary(JSON.parse(run.stdout));
    expect(summary).toMatch(/> \[!WARNING\]\n> .*empty\.db held no rows/);
  });
});

describe('the snapshot count holds against encodings, row security and many tables', () => {
  const psqlAt = (database: string, sql: Buffer): void => {
    const result = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', database], {
      input: sql,
      env: server.libpqEnv(),
    });
    expect(result.status, result.stderr.toString()).toBe(0);
  };

  test('a SQL_ASCII database whose names are not UTF-8 is backed up, every table counted', async () => {
    await server.query(
      'postgres',
      "CREATE DATABASE fm_sql_ascii TEMPLATE template0 ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C'",
    );
    // "caf\xe9" is LATIN1 bytes, which a UTF-8 client cannot be sent; "café" is UTF-8 bytes.
    psqlAt(
      'fm_sql_ascii',
      Buffer.concat([
        Buffer.from('CREATE TABLE "caf'),
        Buffer.from([0xe9]),
        Buffer.from('" (x text); INSERT INTO "caf'),
        Buffer.from([0xe9]),
        Buffer.from(`" VALUES ('a'), ('b');\n`),
        Buffer.from('CREATE TABLE "café" (x int); INSERT INTO "café" VALUES (1), (2), (3);\n'),
      ]),
    );
    const dir = tempDir('fm-sql-ascii');
    const run = await cli(['backup', '--database-url', server.url('fm_sql_ascii'), '--json'], {
      cwd: dir,
      env: pgEnv(),
    });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).manifest.tables).toEqual([
      { name: 'public.café', rows: 3 },
      // Bytes that are not UTF-8 show as U+FFFD; the dump is compared with them byte for byte.
      { name: 'public.caf\ufffd', rows: 2 },
    ]);
  });

  test('a role that row security hides rows from is refused before pg_dump starts, even with a pg_dump told to dump only what it sees', async () => {
    await server.createDatabase(
      'fm_rls',
      `CREATE ROLE fm_rls_reader LOGIN PASSWORD 'reader-pw';
       CREATE TABLE t (id int, visible bool);
       INSERT INTO t SELECT i, i % 2 = 0 FROM generate_series(1, 10) i;
       ALTER TABLE t ENABLE ROW LEVEL SECURITY;
       CREATE POLICY only_visible ON t FOR SELECT USING (visible);
       GRANT SELECT ON t TO fm_rls_reader;`,
    );
    const url = `postgres://fm_rls_reader:reader-pw@${server.host}:${server.port}/fm_rls`;
    for (const wrapperBody of ['', `exec "${PG_DUMP}" --enable-row-security "$@"`]) {
      const dir = tempDir('fm-rls');
      const old = seedOld(dir);
      const args = ['backup', '--database-url', url, '--max-backups', '1'];
      if (wrapperBody) args.push('--pg-dump-path', writeScript(dir, 'rls-dump', wrapperBody));
      const run = await cli(args, { cwd: dir, env: pgEnv() });
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toMatch(
        /Row-level security applies to table public\.t: .*\(ALTER ROLE fm_rls_reader BYPASSRLS\)/,
      );
      expect(run.stderr).not.toContain('reader-pw');
      assertNothingLost(dir, old);
    }
  });

  test("a database's statement_timeout and idle_in_transaction_session_timeout do not end the dump's own session", async () => {
    // The count of this extension-configuration table sleeps 0.3 s, longer than the statement
    // timeout; the wrapper holds the dump back 3 s, longer than the idle-in-transaction timeout.
    await server.createDatabase(
      'fm_timeouts',
      `CREATE EXTENSION citext;
       CREATE TABLE settings (id int);
       INSERT INTO settings VALUES (1), (2);
       ALTER EXTENSION citext ADD TABLE settings;
       UPDATE pg_extension SET extconfig = ARRAY['settings'::regclass::oid],
         extcondition = ARRAY['WHERE pg_catalog.pg_sleep(0.3) IS NOT NULL'] WHERE extname = 'citext';
       CREATE TABLE t (x int);
       INSERT INTO t SELECT generate_series(1, 10);`,
    );
    await server.query(
      'postgres',
      `ALTER DATABASE fm_timeouts SET statement_timeout = '100ms';
       ALTER DATABASE fm_timeouts SET idle_in_transaction_session_timeout = '1s';`,
    );
    const dir = tempDir('fm-timeouts');
    const wrapper = writeScript(
      dir,
      'slow-dump',
      `"${PG_DUMP}" "$@" > "${dir}/dump.sql" || exit 1\nsleep 3\ncat "${dir}/dump.sql"`,
    );
    const run = await cli(
      ['backup', '--database-url', server.url('fm_timeouts'), '--pg-dump-path', wrapper, '--json'],
      { cwd: dir, env: pgEnv() },
    );
    expect(run.status, run.stderr).toBe(0);
    // An extension's configuration rows are checked, not listed.
    expect(JSON.parse(run.stdout).manifest.tables).toEqual([{ name: 'public.t', rows: 10 }]);
  });

  test("counting the snapshot's rows lets go of every table lock: pg_dump's locks are never doubled", async () => {
    const tables = 250;
    await server.createDatabase(
      'fm_locks',
      `DO $$ BEGIN FOR i IN 1..${tables} LOOP
         EXECUTE format('CREATE TABLE t%s (x int)', i);
         EXECUTE format('INSERT INTO t%s SELECT generate_series(1, %s)', i, i % 3);
       END LOOP; END $$;`,
    );
    const { countSelectedRows, readDumpCatalog } =
      await import('../src/engines/postgres/dump-catalog.js');
    const { selectDumpedTables } = await import('../src/engines/postgres/dump-selection.js');
    const { connect } = await import('../src/engines/postgres/server.js');
    const { parseDatabaseUrl } = await import('../src/domain/database-location.js');
    const location = parseDatabaseUrl(server.url('fm_locks'), '/');
    if (location.engine !== 'postgres') throw new Error('not a PostgreSQL URL');
    const client = await connect(location);
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const selected = selectDumpedTables(await readDumpCatalog(client), {
        schemaInclude: undefined,
        schemaExclude: new Set(),
        tableInclude: undefined,
        tableExclude: new Set(),
        tableDataExclude: new Set(),
      });
      const counts = await countSelectedRows(client, selected);
      expect(counts.size).toBe(tables);
      expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(
        Array.from({ length: tables }, (_, i) => (i + 1) % 3).reduce((a, b) => a + b, 0),
      );
      const held = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
         WHERE l.pid = pg_backend_pid() AND c.relname ~ '^t[0-9]+$'`,
      );
      expect(Number(held.rows[0]?.n)).toBe(0);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
    }
  });
});

describe("backups without a manifest (the old scripts') are never pushed out by an emptied database", () => {
  test("two runs against an emptied SQLite database with MAX_BACKUPS=2 never remove the old scripts' backups, which may hold the data", async () => {
    const dir = tempDir('fm-old-scripts');
    const backups = path.join(dir, 'backups');
    fs.mkdirSync(backups, { mode: 0o700 });
    createSampleDatabase(path.join(dir, 'full.db'), { rows: 5 });
    const old = [
      'sqlite_backup_20250101_020000.db.gz',
      'sqlite_backup_20250102_020000.db.gz',
      'sqlite_backup_20250103_020000.db.gz',
    ];
    for (const name of old) {
      spawnSync('sh', ['-c', 'gzip -c full.db > "backups/$1"', 'sh', name], { cwd: dir });
    }
    fs.writeFileSync(path.join(dir, 'app.db'), '');
    const env = { MAX_BACKUPS: '2' };
    const names: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const run = await cli(['backup', '--database-url', 'file:app.db', '--json'], {
        cwd: dir,
        env,
      });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toMatch(
        /Left alone at local: sqlite_backup_20250103_020000\.db\.gz, .*no readable manifest says whose backup it is/,
      );
      names.push(JSON.parse(run.stdout).name);
    }
    const left = fs
      .readdirSync(backups)
      .filter((n) => n.endsWith('.db.gz'))
      .sort();
    expect(left).toEqual([...old, ...names].sort());
    // Data again: the window runs over this database's backups; nothing says whose the old ones are, so they stay.
    fs.rmSync(path.join(dir, 'app.db'));
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 2 });
    const again = await cli(['backup', '--database-url', 'file:app.db', '--json'], {
      cwd: dir,
      env,
    });
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).pruned).toEqual([names[0]]);
    for (const name of old) expect(fs.existsSync(path.join(backups, name))).toBe(true);
  });
});

describe('patterns select what pg_dump would, or are refused before anything is dumped', () => {
  test.each<[string, string[], number, RegExp | string[]]>([
    ['a quoted name with a comma is one table', ['--tables', '"a,b"'], 0, ['public.a,b:3']],
    [
      'a quoted name with a comma is excluded, not the tables a and b',
      ['--exclude-tables', '"a,b"'],
      0,
      ['public.a:1', 'public.b:2'],
    ],
    [
      'patterns are still split at commas outside quotes',
      ['--tables', 'a, "a,b"'],
      0,
      ['public.a:1', 'public.a,b:3'],
    ],
    [
      'an unmatched quote is refused',
      ['--tables', '"a'],
      2,
      /^db-backup: tables has an unmatched double quote/m,
    ],
    [
      '--tables that match nothing are refused',
      ['--tables', 'a?c'],
      2,
      /^db-backup: --tables a\?c matches no table, view or sequence of "fm_commas": nothing was backed up\. Check the pattern/m,
    ],
    [
      '--schemas that match nothing are refused',
      ['--schemas', 'app_*'],
      2,
      /^db-backup: --schemas app_\* matches no schema of "fm_commas": nothing was backed up\./m,
    ],
  ])('%s', async (_label, args, status, expected) => {
    if (!(await server.databases()).includes('fm_commas')) {
      await server.createDatabase(
        'fm_commas',
        `CREATE TABLE a (x int); INSERT INTO a VALUES (1);
         CREATE TABLE b (x int); INSERT INTO b VALUES (1), (2);
         CREATE TABLE "a,b" (x int); INSERT INTO "a,b" VALUES (1), (2), (3);`,
      );
    }
    const dir = tempDir('fm-patterns');
    const old = seedOld(dir);
    const run = await cli(
      [
        'backup',
        '--database-url',
        server.url('fm_commas'),
        '--json',
        '--max-backups',
        '1',
        ...args,
      ],
      { cwd: dir, env: pgEnv() },
    );
    expect(run.status, run.stderr).toBe(status);
    if (expected instanceof RegExp) {
      expect(run.stderr).toMatch(expected);
      assertNothingLost(dir, old);
    } else {
      const { manifest } = JSON.parse(run.stdout);
      expect(
        manifest.tables.map((t: { name: string; rows: number }) => `${t.name}:${t.rows}`),
      ).toEqual(expected);
    }
  });
});
