import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, test } from 'vitest';
import {
  HOLD_LIMIT,
  RefusedSql,
  RestoreSqlFilter,
  type FilterReport,
  type RestoreFilterOptions,
} from '../src/engines/postgres/restore-filter.js';
import {
  classifyStatement,
  constraintDrop,
  ownerChange,
  rolesNamed,
  type StatementPolicy,
} from '../src/engines/postgres/restore-statements.js';
import { SqlScanner, type ScanToken } from '../src/engines/postgres/sql-scanner.js';

/** The depth-0 tokens of one SQL statement, as the scanner reports them. */
function tokensOf(sql: string): ScanToken[] {
  const tokens: ScanToken[] = [];
  const scanner = new SqlScanner({
    statementStart: () => undefined,
    token: (token) => tokens.push(token),
    statementEnd: () => undefined,
    copyEnd: () => undefined,
    metaStart: () => undefined,
    metaEnd: () => undefined,
    variable: () => undefined,
  });
  scanner.scan(Buffer.from(sql.replace(/;\s*$/, '')));
  scanner.finish();
  return tokens;
}

const KEEP: StatementPolicy = { dropOwners: false, dropPrivileges: false };
const DROP: StatementPolicy = { dropOwners: true, dropPrivileges: true };

describe('classifyStatement', () => {
  test.each([
    ['BEGIN', 'drop'],
    ['begin transaction isolation level serializable', 'drop'],
    ['START TRANSACTION', 'drop'],
    ['COMMIT', 'drop'],
    ['commit work and chain', 'drop'],
    ['END', 'drop'],
    ['END TRANSACTION', 'drop'],
    ['ROLLBACK', 'refuse'],
    ['ROLLBACK WORK', 'refuse'],
    ['rollback and chain', 'refuse'],
    ['ABORT', 'refuse'],
    ['ROLLBACK TO SAVEPOINT s1', 'pass'],
    ['ROLLBACK WORK TO s1', 'pass'],
    ['SAVEPOINT s1', 'pass'],
    ['RELEASE SAVEPOINT s1', 'pass'],
    ["PREPARE TRANSACTION 'x'", 'refuse'],
    ["COMMIT PREPARED 'x'", 'refuse'],
    ["ROLLBACK PREPARED 'x'", 'refuse'],
    ['PREPARE p AS SELECT 1', 'pass'],
    ['SET lock_timeout = 0', 'drop'],
    ["SET SESSION lock_timeout TO '1s'", 'drop'],
    ['SET LOCAL lock_timeout = 0', 'drop'],
    ['RESET lock_timeout', 'drop'],
    ['SET statement_timeout = 0', 'pass'],
    ['RESET ALL', 'pass'],
    ["SET SESSION AUTHORIZATION 'app'", 'pass'],
    ['CREATE TABLE t (id int)', 'pass'],
    ['SELECT pg_catalog.lo_open(1, 131072)', 'pass'],
    ['GRANT SELECT ON TABLE t TO app', 'pass'],
    ['ALTER TABLE t OWNER TO app', 'pass'],
  ])('%s → %s (owners and privileges kept)', (sql, action) => {
    expect(classifyStatement(tokensOf(sql), true, KEEP).action).toBe(action);
  });

  test.each([
    ['ALTER TABLE public.t OWNER TO app', 'owner'],
    ['ALTER TABLE IF EXISTS ONLY public.t OWNER TO "App Role"', 'owner'],
    ['ALTER FUNCTION public.f(integer, text) OWNER TO app', 'owner'],
    ['ALTER AGGREGATE public.agg(*) OWNER TO app', 'owner'],
    ['ALTER LARGE OBJECT 16403 OWNER TO app', 'owner'],
    ['ALTER OPERATOR public.=(integer, integer) OWNER TO app', 'owner'],
    ['ALTER OPERATOR public.||/ (NONE, integer) OWNER TO app', 'owner'],
    ['ALTER OPERATOR CLASS public.c USING btree OWNER TO app', 'owner'],
    ['ALTER TEXT SEARCH CONFIGURATION public.cfg OWNER TO app', 'owner'],
    ['ALTER FOREIGN DATA WRAPPER w OWNER TO app', 'owner'],
    ['ALTER MATERIALIZED VIEW public.mv OWNER TO app', 'owner'],
    ['ALTER SCHEMA s OWNER TO CURRENT_USER', 'owner'],
    ['ALTER TABLE public.rename OWNER TO app', 'owner'],
    ["SET SESSION AUTHORIZATION 'app'", 'owner'],
    ['RESET SESSION AUTHORIZATION', 'owner'],
    ['GRANT SELECT ON TABLE public.t TO app', 'privileges'],
    ['GRANT ALL ON SCHEMA public TO PUBLIC', 'privileges'],
    ['REVOKE ALL ON SCHEMA public FROM PUBLIC', 'privileges'],
    ['GRANT SELECT(a, b) ON TABLE t TO app WITH GRANT OPTION', 'privileges'],
    [
      'ALTER DEFAULT PRIVILEGES FOR ROLE app IN SCHEMA public GRANT SELECT ON TABLES TO reader',
      'privileges',
    ],
  ])('%s is left out as %s when asked', (sql, kind) => {
    const verdict = classifyStatement(tokensOf(sql), true, DROP);
    expect(verdict).toEqual({ action: 'drop', kind });
  });

  test.each([
    'ALTER TABLE t RENAME owner TO x',
    'ALTER TABLE t RENAME COLUMN owner TO x',
    'ALTER TABLE public.t RENAME CONSTRAINT owner TO x',
    'ALTER TYPE t RENAME ATTRIBUTE owner TO x',
    'ALTER TABLE t ALTER COLUMN c SET DEFAULT 1',
    "ALTER TABLE t ALTER COLUMN c SET DEFAULT 'OWNER TO x'",
    'ALTER ROLE owner RENAME TO x',
    'ALTER SEQUENCE s OWNED BY t.id',
    'ALTER DEFAULT something',
  ])('%s is no owner change, and is kept', (sql) => {
    expect(ownerChange(tokensOf(sql))).toBe(false);
    expect(classifyStatement(tokensOf(sql), true, DROP).action).toBe('pass');
  });

  test.each([
    [
      'ALTER TABLE IF EXISTS ONLY public.ev_2024 DROP CONSTRAINT IF EXISTS ev_2024_pkey',
      { table: 'public.ev_2024', constraint: 'ev_2024_pkey', only: true },
    ],
    [
      'ALTER TABLE public.ev_2024 DROP CONSTRAINT Ev_2024_Pkey',
      { table: 'public.ev_2024', constraint: 'Ev_2024_Pkey', only: false },
    ],
    [
      'alter table "My Schema"."E""v" drop constraint "Ev pkey" cascade',
      { table: '"My Schema"."E""v"', constraint: '"Ev pkey"', only: false },
    ],
    ['ALTER TABLE ONLY t DROP CONSTRAINT c RESTRICT', { table: 't', constraint: 'c', only: true }],
  ])(
    "%s (pg_dump's --clean) runs in a block that skips a drop PostgreSQL would refuse: %j",
    (sql, drop) => {
      expect(constraintDrop(tokensOf(sql))).toEqual(drop);
      expect(classifyStatement(tokensOf(sql), true, DROP)).toEqual({
        action: 'pass',
        after: 'constraint-drop',
        drop,
      });
    },
  );

  test.each([
    'ALTER TABLE t DROP COLUMN c',
    'ALTER TABLE t DROP CONSTRAINT c, DROP CONSTRAINT d',
    'ALTER TABLE t DROP CONSTRAINT c, ADD CONSTRAINT c CHECK (x > 0)',
    'ALTER TABLE t ADD CONSTRAINT c CHECK (x > 0)',
    'ALTER FOREIGN TABLE t DROP CONSTRAINT c',
    'ALTER TABLE t DROP CONSTRAINT',
    'ALTER TABLE . DROP CONSTRAINT c',
    'ALTER INDEX i DROP CONSTRAINT c',
  ])('%s is not a constraint drop, and passes as it is', (sql) => {
    expect(constraintDrop(tokensOf(sql))).toBeUndefined();
    expect(classifyStatement(tokensOf(sql), true, DROP)).toEqual({ action: 'pass' });
  });

  test('a decision comes as soon as the first tokens allow', () => {
    expect(classifyStatement(tokensOf('GRANT'), false, DROP).action).toBe('drop');
    expect(classifyStatement(tokensOf('CREATE'), false, DROP).action).toBe('pass');
    expect(classifyStatement(tokensOf('COMMIT'), false, DROP).action).toBe('undecided');
    expect(classifyStatement(tokensOf('ALTER TABLE t'), false, DROP).action).toBe('undecided');
    expect(
      classifyStatement(tokensOf("ALTER TABLE t ALTER c SET DEFAULT 'x'"), false, DROP).action,
    ).toBe('pass');
  });

  test('held back too long: what could end the transaction is refused, the rest passes', () => {
    expect(classifyStatement(tokensOf('COMMIT'), false, DROP, true).action).toBe('refuse');
    expect(classifyStatement(tokensOf('ALTER TABLE t'), false, DROP, true).action).toBe('pass');
  });
});

describe('rolesNamed', () => {
  test.each([
    ['ALTER TABLE public.t OWNER TO app', ['app']],
    ['ALTER SCHEMA s OWNER TO "Mixed Case"', ['Mixed Case']],
    ['ALTER SCHEMA s OWNER TO CURRENT_USER', []],
    ["SET SESSION AUTHORIZATION 'Ünïcode'", ['Ünïcode']],
    ['GRANT SELECT ON TABLE t TO reader, GROUP writers, PUBLIC', ['reader', 'writers']],
    ['GRANT SELECT ON t TO "Role,1" WITH GRANT OPTION GRANTED BY boss', ['Role,1', 'boss']],
    ['REVOKE ALL ON SCHEMA public FROM PUBLIC', []],
    ['REVOKE INSERT ON t FROM app CASCADE', ['app']],
    [
      'ALTER DEFAULT PRIVILEGES FOR ROLE app, other IN SCHEMA s GRANT SELECT ON TABLES TO reader',
      ['app', 'other', 'reader'],
    ],
    ['ALTER DEFAULT PRIVILEGES FOR USER app REVOKE ALL ON TABLES FROM PUBLIC', ['app']],
    ['GRANT admin, Auditor TO bob', ['bob', 'admin', 'auditor']],
    ['REVOKE ADMIN OPTION FOR admin FROM bob', ['bob', 'admin']],
  ])('%s names %j', (sql, roles) => {
    expect(rolesNamed(tokensOf(sql)).sort()).toEqual([...roles].sort());
  });
});

interface Filtered {
  output: string;
  report: FilterReport;
}

async function filter(
  input: string | Buffer,
  options: Partial<RestoreFilterOptions> = {},
  chunks: (bytes: Buffer) => Buffer[] = (bytes) => [bytes],
): Promise<Filtered> {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input);
  const stream = new RestoreSqlFilter({ dropOwners: false, dropPrivileges: false, ...options });
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(chunks(bytes)),
    stream,
    new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        out.push(chunk);
        callback();
      },
    }),
  );
  return { output: Buffer.concat(out).toString('utf8'), report: stream.report };
}

/** The filter's output must not depend on where chunks end. */
async function filterEverySplit(
  input: string,
  options: Partial<RestoreFilterOptions> = {},
): Promise<Filtered> {
  const whole = await filter(input, options);
  const bytes = Buffer.from(input);
  for (let cut = 1; cut < bytes.length; cut += 1) {
    const split = await filter(input, options, (b) => [b.subarray(0, cut), b.subarray(cut)]);
    expect(split.output, `split at ${cut}`).toBe(whole.output);
    expect(split.report, `split at ${cut}`).toEqual(whole.report);
  }
  const single = await filter(input, options, (b) =>
    Array.from({ length: b.length }, (_, i) => b.subarray(i, i + 1)),
  );
  expect(single.output).toBe(whole.output);
  return whole;
}

async function refused(
  input: string,
  options: Partial<RestoreFilterOptions> = {},
): Promise<string> {
  const error = await filter(input, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RefusedSql);
  return (error as Error).message;
}

/** Shaped like pg_dump 15.14+ output: \restrict, owners, a COPY block, large objects, grants. */
const DUMP = `--
-- PostgreSQL database dump
--

\\restrict WwE52eaDCUKDOWF1R3IRQ9F517BczaJ1ZpjzcMdIcBggx26k0fnnuSOKeUdW927

SET statement_timeout = 0;
SET lock_timeout = 0;
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);

CREATE TABLE public.items (
    id integer NOT NULL,
    name text
);


ALTER TABLE public.items OWNER TO app;

SELECT pg_catalog.lo_create('16403');


ALTER LARGE OBJECT 16403 OWNER TO postgres;

COPY public.items (id, name) FROM stdin;
1\tBEGIN;
2\tCOMMIT;
\\.


--
-- Data for Name: BLOBS; Type: BLOBS; Schema: -; Owner: -
--

BEGIN;

SELECT pg_catalog.lo_open('16403', 131072);
SELECT pg_catalog.lowrite(0, '\\x68656c6c6f');
SELECT pg_catalog.lo_close(0);

COMMIT;

--
-- Name: TABLE items; Type: ACL; Schema: public; Owner: app
--

GRANT SELECT ON TABLE public.items TO reader;


ALTER DEFAULT PRIVILEGES FOR ROLE app IN SCHEMA public GRANT SELECT ON TABLES  TO reader;


--
-- PostgreSQL database dump complete
--

\\unrestrict WwE52eaDCUKDOWF1R3IRQ9F517BczaJ1ZpjzcMdIcBggx26k0fnnuSOKeUdW927

`;

describe('RestoreSqlFilter', () => {
  test("drops pg_dump's BEGIN/COMMIT, \\restrict lines and SET lock_timeout, keeping every line number", async () => {
    const { output, report } = await filterEverySplit(DUMP);
    expect(output.split('\n')).toHaveLength(DUMP.split('\n').length);
    expect(output).not.toMatch(/^BEGIN;$/m);
    expect(output).not.toMatch(/^COMMIT;$/m);
    expect(output).not.toMatch(/restrict/);
    expect(output).not.toMatch(/lock_timeout/);
    // COPY data that looks like SQL is data.
    expect(output).toContain('1\tBEGIN;\n2\tCOMMIT;\n\\.\n');
    expect(output).toContain('ALTER TABLE public.items OWNER TO app;');
    expect(output).toContain('GRANT SELECT ON TABLE public.items TO reader;');
    const lines = (text: string): string[] => text.split('\n');
    // Every line kept is where it was.
    lines(output).forEach((line, i) => {
      if (line !== '') expect(line).toBe(lines(DUMP)[i]);
    });
    expect(report.dropped).toEqual({ transaction: 2, 'lock-timeout': 1, owner: 0, privileges: 0 });
    expect(report.restrictLines).toBe(2);
    expect([...report.ownerRoles].sort()).toEqual(['app', 'postgres']);
    expect([...report.privilegeRoles].sort()).toEqual(['app', 'reader']);
  });

  test('--no-owner and --no-privileges leave out owners, grants and default privileges', async () => {
    const { output, report } = await filterEverySplit(DUMP, {
      dropOwners: true,
      dropPrivileges: true,
    });
    expect(output).not.toMatch(/OWNER TO|GRANT|DEFAULT PRIVILEGES/);
    expect(output).toContain("SELECT pg_catalog.lo_create('16403');");
    expect(output.split('\n')).toHaveLength(DUMP.split('\n').length);
    expect(report.dropped).toEqual({ transaction: 2, 'lock-timeout': 1, owner: 2, privileges: 2 });
    // The roles they named are still known (verify asks the server about them).
    expect([...report.ownerRoles].sort()).toEqual(['app', 'postgres']);
  });

  test('an SQL file of its own with BEGIN … COMMIT runs inside the one transaction', async () => {
    const { output } = await filterEverySplit(
      'BEGIN;\nCREATE TABLE t (x int);\nINSERT INTO t VALUES (1);\nCOMMIT;\n',
    );
    expect(output).toBe('\nCREATE TABLE t (x int);\nINSERT INTO t VALUES (1);\n\n');
  });

  test.each([
    ['ROLLBACK', 'SELECT 1;\nROLLBACK;\n', /line 2\): ROLLBACK would undo the restore/],
    ['ABORT', 'ABORT;', /ABORT would undo/],
    ['PREPARE TRANSACTION', "PREPARE TRANSACTION 'x';", /two-phase commit/],
    ['COMMIT PREPARED', "COMMIT PREPARED 'x';", /COMMIT PREPARED/],
    ['\\connect', 'SELECT 1;\n\\connect other\nSELECT 2;\n', /meta-command \\connect.*--create/],
    ['\\!', '\\! rm -rf /tmp/x\n', /meta-command \\!/],
    ['\\o', '\\o /tmp/file\n', /meta-command \\o/],
    ['\\i', '\\i other.sql\n', /meta-command \\i/],
    ['\\copy', '\\copy t from /etc/passwd\n', /meta-command \\copy/],
    ['\\set', '\\set ON_ERROR_STOP 0\n', /meta-command \\set/],
    ['\\gset mid-statement', 'SELECT 1 \\gset\n', /inside an SQL statement/],
    ['a \\restrict line with more on it', '\\restrict abc SELECT 1;\n', /meta-command \\restrict/],
    ['\\;', 'SELECT 1 \\; COMMIT;\n', /inside an SQL statement/],
    ['a psql variable', 'SELECT :DBNAME;', /psql variable :DBNAME/],
    ['our own variables', 'SELECT :db_backup_x_pid;', /psql variable :db_backup_x_pid/],
    ['an unterminated string', "SELECT 'open", /ends inside a quoted string/],
    ['COPY data without \\.', 'COPY t FROM stdin;\n1\n', /ends inside the data of a COPY/],
    ['a NUL byte', 'SELECT 1;\0', /NUL byte/],
  ])('refuses %s', async (_label, input, message) => {
    expect(await refused(input)).toMatch(message);
  });

  test('SAVEPOINT and ROLLBACK TO SAVEPOINT stay inside the transaction, and are kept', async () => {
    const input = 'SAVEPOINT a;\nSELECT 1;\nROLLBACK TO SAVEPOINT a;\nRELEASE a;\n';
    expect((await filterEverySplit(input)).output).toBe(input);
  });

  test('psql variables that psql does not define are left alone (array slices)', async () => {
    const input = 'SELECT (ARRAY[1,2,3])[1:2], x[lo:hi] FROM t;\n';
    expect((await filterEverySplit(input)).output).toBe(input);
  });

  test('RESET ALL is followed by the restore lock timeout again', async () => {
    const { output } = await filterEverySplit('RESET ALL;\nSELECT 1;\n', {
      lockTimeoutStatement: 'SET lock_timeout = 30000;',
    });
    expect(output).toBe('RESET ALL; SET lock_timeout = 30000;\nSELECT 1;\n');
  });

  test('a last statement without a semicolon is ended, so that what follows stays apart', async () => {
    expect((await filterEverySplit('SELECT 1;\nSELECT 2')).output).toBe('SELECT 1;\nSELECT 2\n;\n');
    expect((await filterEverySplit('SELECT 1; -- done')).output).toBe('SELECT 1; -- done\n');
    expect((await filterEverySplit('COMMIT')).output).toBe('');
  });

  test("pg_dump's drop of a partition's key runs in a block that keeps it (noting it) where PostgreSQL would refuse it, on its own lines", async () => {
    const input =
      '-- clean\nALTER TABLE IF EXISTS ONLY public.ev_2024 DROP CONSTRAINT IF EXISTS ev_2024_pkey;\n' +
      'DROP TABLE IF EXISTS public.ev_2024;\n' +
      `ALTER TABLE "ev$db_backup$\\'" DROP CONSTRAINT "k" -- why\n;\n`;
    const options = { keptConstraintsTable: 'pg_temp.kept_x' };
    const { output } = await filterEverySplit(input, options);
    const eq = 'OPERATOR(pg_catalog.=)';
    const text = (name: string): string =>
      `pg_catalog.convert_from(pg_catalog.decode('${Buffer.from(name).toString('hex')}', 'hex'), pg_catalog.pg_client_encoding())`;
    const block = (table: string, constraint: string, only: boolean): string =>
      'INSERT INTO pg_temp.kept_x SELECT c.oid FROM pg_catalog.pg_constraint c JOIN pg_catalog.pg_class r ' +
      `ON r.oid ${eq} c.conrelid WHERE c.conrelid ${eq} pg_catalog.to_regclass(${text(table)}) ` +
      `AND c.conname ${eq} (pg_catalog.parse_ident(${text(constraint)}))[1]::pg_catalog.name ` +
      "AND pg_catalog.pg_has_role(r.relowner, 'USAGE') AND (c.coninhcount OPERATOR(pg_catalog.>) 0" +
      (only
        ? ` OR (r.relkind ${eq} 'p'::pg_catalog."char" AND c.contype ${eq} 'c'::pg_catalog."char" ` +
          `AND EXISTS (SELECT FROM pg_catalog.pg_inherits i WHERE i.inhparent ${eq} r.oid))`
        : '') +
      '); IF NOT FOUND THEN ';
    expect(output).toBe(
      `-- clean\nDO $db_backup$BEGIN ${block('public.ev_2024', 'ev_2024_pkey', true)}` +
        'ALTER TABLE IF EXISTS ONLY public.ev_2024 DROP CONSTRAINT IF EXISTS ev_2024_pkey; END IF; END$db_backup$;\n' +
        'DROP TABLE IF EXISTS public.ev_2024;\n' +
        // A name holding the block's quote gets a quote of its own; names go as hex of their bytes.
        `DO $db_backup_1$BEGIN ${block(`"ev$db_backup$\\'"`, '"k"', false)}` +
        `ALTER TABLE "ev$db_backup$\\'" DROP CONSTRAINT "k" -- why\n; END IF; END$db_backup_1$;\n`,
    );
    // A newline in a name stays the statement's own: the block adds none.
    const newline = 'ALTER TABLE ONLY "a\nb" DROP CONSTRAINT "c\nd";\nSELECT 1;\n';
    const kept = (await filterEverySplit(newline, options)).output;
    expect(kept.split('\n')).toHaveLength(newline.split('\n').length);
    expect(kept).toContain(`to_regclass(${text('"a\nb"')})`);
    expect(kept).toMatch(/\nSELECT 1;\n$/);
    // Cut off before its semicolon by the end of the file, it stays as it is; so it does where
    // PL/pgSQL cannot run (no table to note constraints in), and for a U&"…" name.
    expect((await filterEverySplit('ALTER TABLE t DROP CONSTRAINT c', options)).output).toBe(
      'ALTER TABLE t DROP CONSTRAINT c\n;\n',
    );
    expect((await filterEverySplit('ALTER TABLE t DROP CONSTRAINT c;\n')).output).toBe(
      'ALTER TABLE t DROP CONSTRAINT c;\n',
    );
    expect(
      (await filterEverySplit('ALTER TABLE U&"d\\0061t" DROP CONSTRAINT c;\n', options)).output,
    ).toBe('ALTER TABLE U&"d\\0061t" DROP CONSTRAINT c;\n');
  });

  test('a UTF-8 byte-order mark at the start is dropped (psql drops it only at its own first line)', async () => {
    const { output } = await filter(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('SELECT 1;\n')]),
      {},
      (b) => Array.from({ length: b.length }, (_, i) => b.subarray(i, i + 1)),
    );
    expect(output).toBe('SELECT 1;\n');
  });

  test('leading comments of a left-out statement stay (a statement is left out from its first token)', async () => {
    const { output } = await filterEverySplit(
      '-- Type: ACL\n/* note */ GRANT SELECT ON t TO x;\nSELECT 1;\n',
      {
        dropPrivileges: true,
      },
    );
    expect(output).toBe('-- Type: ACL\n/* note */ \nSELECT 1;\n');
  });

  test('a long statement streams through; only an undecided one is held back, up to a limit', async () => {
    const big = 'x'.repeat(3 * HOLD_LIMIT);
    const copy = `COPY t FROM stdin;\n${`${big}\n`.repeat(3)}\\.\n`;
    const insert = `INSERT INTO t VALUES ('${big}');\n`;
    const alter = `ALTER TABLE t /* ${big} */ OWNER TO app;\n`;
    const input = `${copy}${insert}${alter}`;
    const chunks = (b: Buffer): Buffer[] => {
      const parts: Buffer[] = [];
      for (let i = 0; i < b.length; i += 64 * 1024) parts.push(b.subarray(i, i + 64 * 1024));
      return parts;
    };
    const { output, report } = await filter(input, { dropOwners: true }, chunks);
    // Held back past the limit, the ALTER could no longer be left out: it went through.
    expect(output).toBe(input);
    expect(report.dropped.owner).toBe(0);
    const error = await filter(`COMMIT /* ${big} */;`, {}, chunks).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefusedSql);
    expect((error as Error).message).toMatch(/longer than the restore can hold back/);
  });

  test('the output of a refused SQL never reaches a COMMIT: the refusal comes before the statement passes', async () => {
    const out: string[] = [];
    const stream = new RestoreSqlFilter({ dropOwners: false, dropPrivileges: false });
    stream.on('data', (chunk: Buffer) => out.push(chunk.toString()));
    const done = pipeline(
      Readable.from([Buffer.from('SELECT 1;\nROLL'), Buffer.from('BACK;\nSELECT 2;\n')]),
      stream,
    );
    await expect(done).rejects.toBeInstanceOf(RefusedSql);
    expect(out.join('')).not.toMatch(/ROLL/);
  });
});
