import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  parseSqlBoolean,
  SqlScanError,
  SqlScanner,
  TOKEN_TEXT_LIMIT,
  type ScanToken,
} from '../src/engines/postgres/sql-scanner.js';
import { startPostgres, type PgServer } from './support/postgres.js';
import { tempDir } from './support/tmp.js';

interface Scanned {
  /** Each statement's text from its first token to its semicolon (the last one may lack it). */
  statements: string[];
  /** The first tokens of each statement, as kind:text. */
  heads: string[][];
  copies: string[];
  metas: string[];
  variables: string[];
  unfinished: string | undefined;
  incomplete: boolean;
}

/** Runs the scanner over `input` cut into chunks at `cuts` (offsets), collecting what it reports. */
function scanWith(input: Buffer, cuts: readonly number[], std = true): Scanned {
  const result: Scanned = {
    statements: [],
    heads: [],
    copies: [],
    metas: [],
    variables: [],
    unfinished: undefined,
    incomplete: false,
  };
  let base = 0;
  let start = -1;
  let copyStart = -1;
  let metaStart = -1;
  let head: string[] = [];
  const scanner = new SqlScanner(
    {
      statementStart: (at) => {
        start = base + at;
        head = [];
      },
      token: (token: ScanToken) => {
        if (head.length < 6) head.push(`${token.kind}:${token.text}`);
        if (head.length >= 6) scanner.listening = false;
      },
      statementEnd: (end, copy) => {
        result.statements.push(input.subarray(start, base + end).toString('latin1'));
        result.heads.push(head);
        start = -1;
        if (copy) copyStart = base + end;
      },
      copyEnd: (end) => {
        result.copies.push(input.subarray(copyStart, base + end).toString('latin1'));
      },
      metaStart: (at) => {
        metaStart = base + at;
      },
      metaEnd: (text, end) => {
        const to = end === -1 ? input.length : base + end;
        expect(
          input
            .subarray(metaStart, to)
            .toString('latin1')
            .replace(/\r?\n$/, ''),
        ).toBe(text);
        result.metas.push(text);
      },
      variable: (name) => result.variables.push(name),
    },
    { standardConformingStrings: std },
  );
  let from = 0;
  for (const cut of [...cuts, input.length]) {
    base = from;
    scanner.scan(input.subarray(from, cut));
    from = cut;
  }
  base = input.length;
  const end = scanner.finish();
  result.unfinished = end.unfinished;
  result.incomplete = end.incomplete;
  if (start !== -1) {
    result.statements.push(input.subarray(start).toString('latin1'));
    result.heads.push(head);
  }
  return result;
}

/** The same result whatever the chunk boundaries: one chunk, every two-chunk split, and bytes one by one. */
function scanEverySplit(text: string | Buffer, std = true): Scanned {
  const input = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  const whole = scanWith(input, [], std);
  for (let cut = 1; cut < input.length; cut += 1) {
    expect(scanWith(input, [cut], std), `split at ${cut}`).toEqual(whole);
  }
  const bytes = Array.from({ length: Math.max(0, input.length - 1) }, (_, i) => i + 1);
  expect(scanWith(input, bytes, std), 'one byte at a time').toEqual(whole);
  return whole;
}

function refusal(text: string, std = true): SqlScanError {
  const input = Buffer.from(text, 'utf8');
  for (const cuts of [[], [Math.floor(input.length / 2)]]) {
    try {
      scanWith(input, cuts, std);
    } catch (error) {
      if (error instanceof SqlScanError) {
        if (cuts.length === 0) return error;
        continue;
      }
      throw error;
    }
    throw new Error(`no refusal for ${JSON.stringify(text)}`);
  }
  throw new Error('unreachable');
}

describe('SqlScanner splits statements where psql does', () => {
  test.each([
    ['plain statements', 'SELECT 1; SELECT 2;\nSELECT 3;', ['SELECT 1;', 'SELECT 2;', 'SELECT 3;']],
    ['a semicolon in a string', "SELECT 'a;b'; SELECT 2;", ["SELECT 'a;b';", 'SELECT 2;']],
    ["'' inside a string", "SELECT 'it''s;'; SELECT 2;", ["SELECT 'it''s;';", 'SELECT 2;']],
    [
      "two strings with a space: not ''",
      "SELECT 'a' 'b;'; SELECT 2;",
      ["SELECT 'a' 'b;';", 'SELECT 2;'],
    ],
    ["E-string with \\'", "SELECT E'a\\';b'; SELECT 2;", ["SELECT E'a\\';b';", 'SELECT 2;']],
    [
      'E-string with \\\\ before the quote',
      "SELECT E'a\\\\'; SELECT 2;",
      ["SELECT E'a\\\\';", 'SELECT 2;'],
    ],
    ['e-string lower case', "SELECT e'\\'';", ["SELECT e'\\'';"]],
    [
      'a word ending in e is no prefix',
      "SELECT xe'a\\'; SELECT 2;",
      ["SELECT xe'a\\';", 'SELECT 2;'],
    ],
    ['B and X strings', "SELECT B'01', X'1F'; SELECT 2;", ["SELECT B'01', X'1F';", 'SELECT 2;']],
    ['N string', "SELECT N'a;b';", ["SELECT N'a;b';"]],
    [
      'U& string and identifier',
      'SELECT U&\'d\\0061t;\' AS U&"x;y";',
      ['SELECT U&\'d\\0061t;\' AS U&"x;y";'],
    ],
    [
      'quoted identifier with ;',
      'SELECT 1 AS "a;b""c"; SELECT 2;',
      ['SELECT 1 AS "a;b""c";', 'SELECT 2;'],
    ],
    [
      'dollar quotes',
      'SELECT $$a;b$$; SELECT $t$ $$; $t$;',
      ['SELECT $$a;b$$;', 'SELECT $t$ $$; $t$;'],
    ],
    [
      'dollar tag with junk',
      'SELECT $a$ $b$ ; $x$a$ ; SELECT 2;',
      ['SELECT $a$ $b$ ; $x$a$ ;', 'SELECT 2;'],
    ],
    [
      '$ inside an identifier is not a quote',
      'SELECT a$b$ ; SELECT 2;',
      ['SELECT a$b$ ;', 'SELECT 2;'],
    ],
    [
      '$1 parameters',
      'PREPARE p AS SELECT $1; SELECT 2;',
      ['PREPARE p AS SELECT $1;', 'SELECT 2;'],
    ],
    ['-- comments', 'SELECT 1 -- no; end\n; SELECT 2;', ['SELECT 1 -- no; end\n;', 'SELECT 2;']],
    [
      'nested /* */ comments',
      'SELECT 1 /* a /* b; */ c; */ ; SELECT 2;',
      ['SELECT 1 /* a /* b; */ c; */ ;', 'SELECT 2;'],
    ],
    ['/*/ does not close', 'SELECT 1 /*/ ; */ ; SELECT 2;', ['SELECT 1 /*/ ; */ ;', 'SELECT 2;']],
    [
      'operators with comment starts',
      'SELECT 2 +-- x;\n1; SELECT 3 */* ; */ 1;',
      ['SELECT 2 +-- x;\n1;', 'SELECT 3 */* ; */ 1;'],
    ],
    ['parentheses hold semicolons', 'SELECT (1; 2); SELECT 3;', ['SELECT (1; 2);', 'SELECT 3;']],
    ['an unbalanced ) ', 'SELECT 1); SELECT 2;', ['SELECT 1);', 'SELECT 2;']],
    [
      'BEGIN ATOMIC function bodies',
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END; SELECT 3;',
      [
        'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;',
        'SELECT 3;',
      ],
    ],
    [
      'CREATE OR REPLACE PROCEDURE with BEGIN ATOMIC',
      'create or replace procedure p() begin atomic select 1; end; select 2;',
      ['create or replace procedure p() begin atomic select 1; end;', 'select 2;'],
    ],
    [
      'BEGIN outside a function is a statement',
      'BEGIN; SELECT 1; COMMIT;',
      ['BEGIN;', 'SELECT 1;', 'COMMIT;'],
    ],
    [
      'psql casts and := ',
      "SELECT '1'::int, a[1:2]; DO $$ BEGIN x := 1; END $$;",
      ["SELECT '1'::int, a[1:2];", 'DO $$ BEGIN x := 1; END $$;'],
    ],
    ['CRLF line ends', 'SELECT 1;\r\nSELECT 2\r\n;\r\n', ['SELECT 1;', 'SELECT 2\r\n;']],
    [
      'numbers, junk and underscores',
      'SELECT 1_000, 0x1F, 1e-5, 1..2, 1$a$ ; $a$;',
      ['SELECT 1_000, 0x1F, 1e-5, 1..2, 1$a$ ; $a$;'],
    ],
    [
      'unicode identifiers',
      'SELECT 1 AS "ünï;"; SELECT ärger$$; SELECT 2;',
      ['SELECT 1 AS "ünï;";', 'SELECT ärger$$;', 'SELECT 2;'],
    ],
  ])('%s', (_label, input, statements) => {
    const scanned = scanEverySplit(input);
    expect(scanned.statements.map((s) => Buffer.from(s, 'latin1').toString('utf8'))).toEqual(
      statements,
    );
    expect(scanned.unfinished).toBeUndefined();
  });

  test('a string never continues past a newline in psql, which reads line by line', () => {
    // psql sees two strings here; the server would join them, which is why differing kinds are refused.
    expect(scanEverySplit("SELECT 'a'\n'b;'; SELECT 2;").statements).toEqual([
      "SELECT 'a'\n'b;';",
      'SELECT 2;',
    ]);
  });

  test('a bare \\r inside one psql line continues a string', () => {
    expect(scanEverySplit("SELECT 'a' \r 'b;'; SELECT 2;").statements).toEqual([
      "SELECT 'a' \r 'b;';",
      'SELECT 2;',
    ]);
  });

  test('standard_conforming_strings off makes plain strings take backslash escapes', () => {
    const text = "SELECT 'a\\', ';'; SELECT 3;";
    expect(scanEverySplit(text, true).statements).toEqual(["SELECT 'a\\', ';';", 'SELECT 3;']);
    expect(scanEverySplit(text, false).statements).toEqual(["SELECT 'a\\', ';", "'; SELECT 3;"]);
  });

  test.each([
    ['SET standard_conforming_strings = off', false],
    ["SET SESSION standard_conforming_strings TO 'off'", false],
    ['set local standard_conforming_strings = false', false],
    ['SET standard_conforming_strings = on', true],
  ])('%s changes how later strings are read', (set, on) => {
    const text = `${set};\nSELECT 'a\\', ';'; SELECT 3;`;
    const expected = on
      ? ["SELECT 'a\\', ';';", 'SELECT 3;']
      : ["SELECT 'a\\', ';", "'; SELECT 3;"];
    expect(scanEverySplit(text, !on).statements.slice(1)).toEqual(expected);
  });

  test('psql takes a new standard_conforming_strings up from the next line only', () => {
    const text =
      "SET standard_conforming_strings = off; SELECT 'a\\', ';';\nSELECT 'b\\', ';'; SELECT 3;";
    expect(scanEverySplit(text).statements).toEqual([
      'SET standard_conforming_strings = off;',
      "SELECT 'a\\', ';';",
      "SELECT 'b\\', ';",
      "'; SELECT 3;",
    ]);
  });

  test('RESET and DEFAULT go back to the starting setting', () => {
    const after = (reset: string): string[] =>
      scanEverySplit(
        `SET standard_conforming_strings = off;\n${reset};\nSELECT 'a\\', ';';`,
      ).statements.slice(2);
    expect(after('RESET standard_conforming_strings')).toEqual(["SELECT 'a\\', ';';"]);
    expect(after('RESET ALL')).toEqual(["SELECT 'a\\', ';';"]);
    expect(after('SET standard_conforming_strings TO DEFAULT')).toEqual(["SELECT 'a\\', ';';"]);
  });

  test('COPY … FROM stdin data is not SQL, up to a line that is exactly \\.', () => {
    const text = [
      'COPY public.t (a, b) FROM stdin;',
      "1\tit's; not SQL 'unclosed",
      '\\.x is data',
      ' \\.',
      '\\N\t$$',
      '\\.',
      'SELECT 1;',
      'COPY t FROM STDIN WITH (FORMAT csv);',
      'a,"b;',
      'c"',
      '\\.\r',
      'SELECT 2;',
    ].join('\n');
    const scanned = scanEverySplit(text);
    expect(scanned.statements).toEqual([
      'COPY public.t (a, b) FROM stdin;',
      'SELECT 1;',
      'COPY t FROM STDIN WITH (FORMAT csv);',
      'SELECT 2;',
    ]);
    expect(scanned.copies).toEqual([
      "\n1\tit's; not SQL 'unclosed\n\\.x is data\n \\.\n\\N\t$$\n\\.\n",
      '\na,"b;\nc"\n\\.\r\n',
    ]);
  });

  test('COPY to stdout or from a file is not followed by data', () => {
    const scanned = scanEverySplit(
      "COPY t TO stdout; COPY t FROM '/tmp/x'; COPY (SELECT 'FROM stdin') TO STDOUT; SELECT 1;",
    );
    expect(scanned.copies).toEqual([]);
    expect(scanned.statements).toHaveLength(4);
  });

  test('meta-commands: reported with their line, never part of a statement', () => {
    const scanned = scanEverySplit(
      '\\restrict abc123\nSELECT 1;\n  \\unrestrict abc123\r\n\\connect other',
    );
    expect(scanned.metas).toEqual(['\\restrict abc123', '\\unrestrict abc123', '\\connect other']);
    expect(scanned.statements).toEqual(['SELECT 1;']);
  });

  test('a backslash inside quotes or comments is no meta-command', () => {
    const scanned = scanEverySplit('SELECT \'\\x\', $$\\q$$, "\\n" /* \\! */ -- \\o\n;');
    expect(scanned.metas).toEqual([]);
  });

  test('psql variables are reported; casts are not', () => {
    const scanned = scanEverySplit("SELECT :foo, :'bar', :\"baz\", :{?qux}, 1::int, ':x';");
    expect(scanned.variables).toEqual(['foo', 'bar', 'baz', 'qux']);
  });

  test('a colon before a quote that is not a variable leaves the quote to open a string', () => {
    expect(scanEverySplit("SELECT :'a b;'; SELECT 2;").statements).toEqual([
      "SELECT :'a b;';",
      'SELECT 2;',
    ]);
  });

  test('tokens at depth 0: words as written, strings and identifiers unquoted, groups as ( )', () => {
    const scanned = scanEverySplit(
      'ALTER TABLE ONLY "My ""T""" OWNER TO app;\nGRANT SELECT(a, b) ON t TO \'x\';',
    );
    expect(scanned.heads).toEqual([
      ['word:ALTER', 'word:TABLE', 'word:ONLY', 'quoted:My "T"', 'word:OWNER', 'word:TO'],
      ['word:GRANT', 'word:SELECT', 'symbol:(', 'symbol:)', 'word:ON', 'word:t'],
    ]);
  });

  test.each([
    ["SELECT 'open", 'inside a quoted string'],
    ['SELECT "open', 'inside a quoted identifier'],
    ['SELECT $x$ open', 'inside a dollar-quoted body'],
    ['SELECT 1 /* open', 'inside a /* comment */'],
    ['SELECT (1', 'inside parentheses'],
    ['CREATE FUNCTION f() BEGIN ATOMIC SELECT 1;', 'inside the BEGIN ATOMIC body of a function'],
    [
      'COPY t FROM stdin;\n1\n',
      'inside the data of a COPY statement, without its closing \\. line',
    ],
  ])('the end of input %j is reported as %s', (text, unfinished) => {
    expect(scanEverySplit(text).unfinished).toBe(unfinished);
  });

  test('a last statement without its semicolon is incomplete; a trailing comment is not', () => {
    expect(scanEverySplit('SELECT 1; SELECT 2').incomplete).toBe(true);
    expect(scanEverySplit('SELECT 1; -- done').incomplete).toBe(false);
    expect(scanEverySplit('SELECT 1; -').incomplete).toBe(true);
  });

  test.each([
    ['a NUL byte', 'SELECT 1;\n\0', /NUL byte/],
    ['text after COPY … FROM stdin;', 'COPY t FROM stdin; SELECT 1;\n\\.\n', /text follows/],
    ['binary COPY', 'COPY t FROM stdin WITH (FORMAT binary);\n', /binary COPY/],
    ["binary COPY, 'binary'", "COPY t FROM stdin (FORMAT 'binary');\n", /binary COPY/],
    ['an unsafe client encoding', "SET client_encoding = 'SJIS';", /client encoding SJIS/],
    ['SET NAMES to an unsafe encoding', "SET NAMES 'big5';", /client encoding big5/],
    [
      "an E'' string continued by a plain one on the next line",
      "SELECT E'a'\n'b\\'; COMMIT; --';",
      /psql and the server would split/,
    ],
  ])('refuses %s', (_label, text, message) => {
    expect(refusal(text).message).toMatch(message);
  });

  test('a string continued with the same backslash rules is fine', () => {
    expect(scanEverySplit("SELECT 'a'\n'b'; SELECT E'a'\nE'b';").statements).toHaveLength(2);
  });

  test('the refusal names its line', () => {
    expect(refusal('SELECT 1;\nSELECT 2;\nCOPY t FROM stdin BINARY;\n').line).toBe(3);
  });

  test.each([
    ['on', true],
    ['OFF', false],
    ['t', true],
    ['fal', false],
    ['yes', true],
    ['n', false],
    ['1', true],
    ['0', false],
    ['o', undefined],
    ['maybe', undefined],
  ])('parseSqlBoolean(%j) = %j', (value, expected) => {
    expect(parseSqlBoolean(value)).toBe(expected);
  });

  test('a long string, comment or COPY block is read without keeping it: token text is capped', () => {
    const long = 'x'.repeat(4 * 1024 * 1024);
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
    for (const part of [
      `SELECT '`,
      long,
      `', "`,
      long,
      `", $$`,
      long,
      `$$ /*`,
      long,
      '*/;\nCOPY t FROM stdin;\n',
      long,
      '\n\\.\n',
    ]) {
      scanner.scan(Buffer.from(part));
    }
    expect(scanner.finish().unfinished).toBeUndefined();
    expect(tokens.map((token) => [token.kind, token.text.length])).toEqual([
      ['word', 6],
      ['string', TOKEN_TEXT_LIMIT],
      ['symbol', 1],
      ['quoted', TOKEN_TEXT_LIMIT],
      ['symbol', 1],
      ['dollar', 0],
      ['word', 4],
      ['word', 1],
      ['word', 4],
      ['word', 5],
    ]);
  });
});

/**
 * The oracle: real psql runs each input and logs every query it sends
 * (--log-file); the scanner must find the same statements.
 */
describe('SqlScanner agrees with psql', () => {
  let server: PgServer;
  beforeAll(async () => {
    server = await startPostgres();
    await server.createDatabase('scan');
  });
  afterAll(async () => {
    await server?.stop();
  });

  const corpus: readonly string[] = [
    "SELECT 'a;b'; SELECT 'it''s'; SELECT E'x\\';y'; SELECT E'\\\\'; SELECT 2;",
    "SELECT 'a' 'b'; SELECT 'a'\n'b;'; SELECT 3;",
    'SELECT $$a;$$; SELECT $t$ $$; $x$; $t$; SELECT $a$ $b$ ; $x$a$ ;$a$; SELECT 4;',
    'SELECT 1 AS "a;b""c", 2 AS U&"x;y"; SELECT a$b FROM (SELECT 1 AS a$b) s; SELECT 5;',
    'SELECT 1 -- c;\n; SELECT 2 /* a /* b; */ c; */; SELECT 3 /*/ ; */; SELECT 6;',
    'SELECT 2 +-- x;\n1; SELECT 3 */* ; */ 1; SELECT 7;',
    'SELECT (1); SELECT ((2)); SELECT 8;',
    'CREATE TEMP TABLE t (a text, b text);\nCOPY t (a, b) FROM stdin;\n1\tit\'s; \'x\n\\.x\n\\.\nSELECT count(*) FROM t;\nCOPY t FROM STDIN WITH (FORMAT csv);\na,"b;\nc"\n\\.\r\nSELECT 9;',
    'CREATE FUNCTION pg_temp.f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END; SELECT 10;',
    "SET standard_conforming_strings = off; SELECT 'a\\', ';';\nSELECT 'a\\'; SELECT 2;';\nRESET standard_conforming_strings; SELECT 'x\\'', ';';\nSELECT 'b\\', ';'; SELECT 11;",
    "SELECT '1'::int, (ARRAY[1,2])[1:2]; DO $$ BEGIN PERFORM 1; END $$; SELECT 12;",
    'SELECT 1;\r\nSELECT 2\r\n;\r\nSELECT 13;\r\n',
    'SELECT 1_000, 0x1F, 1e-5; SELECT 1$a$ ; $a$; SELECT 14;',
    'SELECT 1 AS "ünï;"; SELECT \'ärger;\'; SELECT 15;',
    "SELECT B'01', X'1F', N'n;', U&'d\\0061t;'; SELECT 16;",
    "SELECT 'a' \r 'b;'; SELECT 17;",
    "SELECT :'a b;'; SELECT 18",
  ];

  function psqlQueries(sql: string, dir: string, index: number): string[] {
    const input = path.join(dir, `in-${index}.sql`);
    const log = path.join(dir, `log-${index}.txt`);
    fs.writeFileSync(input, sql);
    const run = spawnSync(
      'psql',
      ['--no-psqlrc', '--quiet', `--log-file=${log}`, '--output=/dev/null', '--file', input],
      {
        env: server.libpqEnv('scan'),
        encoding: 'utf8',
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const text = fs.readFileSync(log, 'latin1');
    const queries: string[] = [];
    const open = '********* QUERY **********\n';
    const close = '\n**************************\n\n';
    for (let at = text.indexOf(open); at !== -1; at = text.indexOf(open, at + 1)) {
      const end = text.indexOf(close, at);
      queries.push(text.slice(at + open.length, end));
    }
    return queries;
  }

  /** psql keeps /* comments *\/ before a statement's first token; the scanner starts at the token. */
  function withoutLeadingComments(query: string): string {
    let q = query;
    for (;;) {
      const trimmed = q.replace(/^[\s]+/, '');
      if (!trimmed.startsWith('/*')) return trimmed;
      let depth = 0;
      let i = 0;
      for (; i < trimmed.length; i += 1) {
        if (trimmed.startsWith('/*', i)) {
          depth += 1;
          i += 1;
        } else if (trimmed.startsWith('*/', i)) {
          depth -= 1;
          i += 1;
          if (depth === 0) break;
        }
      }
      q = trimmed.slice(i + 1);
    }
  }

  test('on every case of the corpus, split anywhere', () => {
    const dir = tempDir('scan-oracle');
    corpus.forEach((sql, index) => {
      const expected = psqlQueries(sql, dir, index).map(withoutLeadingComments);
      const scanned = scanEverySplit(sql);
      expect(
        scanned.statements.map((s) => s.replace(/\r?\n?$/, '')),
        sql,
      ).toEqual(expected.map((s) => s.replace(/\r?\n?$/, '')));
    });
  });
});
