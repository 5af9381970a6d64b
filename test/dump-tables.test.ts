import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, test } from 'vitest';
import { parseCopyFromStdin, PlainDumpScanner } from '../src/engines/postgres/dump-tables.js';

const HEAD = [
  '--',
  '-- PostgreSQL database dump',
  '--',
  '',
  '\\restrict 3SjuFNZ9wqjJNSw6JgcGzSy0ZSvuQbBydw6VN3imAy28vK6WeF0RJmHJKdseCX2',
  '',
  "SET client_encoding = 'UTF8';",
  'SET standard_conforming_strings = on;',
  "SELECT pg_catalog.set_config('search_path', '', false);",
  '',
];
const TAIL = [
  '',
  '--',
  '-- PostgreSQL database dump complete',
  '--',
  '',
  '\\unrestrict 3SjuFNZ9wqjJNSw6JgcGzSy0ZSvuQbBydw6VN3imAy28vK6WeF0RJmHJKdseCX2',
  '',
];

/** Statements that hold dump-like text inside quotes, comments and bodies: none of it is data. */
const DECOYS = [
  'CREATE FUNCTION public.f() RETURNS void LANGUAGE plpgsql AS $$',
  'BEGIN',
  "  RAISE NOTICE 'x';",
  'COPY public.users (id) FROM stdin;',
  '1',
  '\\.',
  '-- PostgreSQL database dump complete',
  'END $$;',
  'CREATE FUNCTION public.g() RETURNS text LANGUAGE sql AS $_$SELECT $body$',
  'COPY public.users (id) FROM stdin;',
  '$body$ || $1 $_$;',
  "COMMENT ON TABLE public.users IS 'it''s",
  'COPY public.users (id) FROM stdin;',
  "-- PostgreSQL database dump complete';",
  "COMMENT ON COLUMN public.users.id IS E'back\\\\slash \\' quote",
  'COPY public.users (id) FROM stdin;',
  "';",
  '/* a /* nested */ comment',
  'COPY public.users (id) FROM stdin;',
  '*/',
  'CREATE VIEW public."v;""COPY x" AS SELECT 1 AS "COPY a.b FROM stdin;";',
];

const DATA = [
  '--',
  '-- Data for Name: users; Type: TABLE DATA; Schema: public; Owner: app',
  '--',
  '',
  'COPY public.users (id, note) FROM stdin;',
  '1\tline with \\n escaped newline',
  '2\t\\N',
  '3\tbackslash \\\\. not an end',
  '\\.',
  '',
  '--',
  '-- Data for Name: Event Log; Type: TABLE DATA; Schema: audit; Owner: app',
  '--',
  '',
  'COPY audit."Event Log" (x, "quoted "" ( col") FROM stdin;',
  '7\t8',
  '\\.',
  '',
  '--',
  '-- Data for Name: odd name; Type: TABLE DATA; Schema: public; Owner: app',
  '--',
  '',
  'COPY public."odd',
  'name" (x) FROM stdin;',
  'a',
  'b',
  '\\.',
  '',
  'COPY public.empty  FROM stdin;',
  '\\.',
  '',
  '--',
  '-- Data for Name: h0; Type: TABLE DATA; Schema: public; Owner: app',
  '--',
  '-- load via partition root public.h',
  'COPY public.h (c, v) FROM stdin;',
  'green\t1',
  '\\.',
];

const DUMP = [...HEAD, ...DECOYS, ...DATA, ...TAIL].join('\n');

async function scan(text: string | Buffer, chunkSize: number): Promise<PlainDumpScanner> {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const scanner = new PlainDumpScanner();
  let passed = 0;
  await pipeline(Readable.from(chunks), scanner, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) passed += chunk.length;
  });
  expect(passed).toBe(bytes.length);
  return scanner;
}

function summary(scanner: PlainDumpScanner): unknown[] {
  return scanner.blocks.map((b) => [
    b.schema.toString(),
    b.name.toString(),
    b.rows,
    b.complete,
    b.header?.toString(),
  ]);
}

describe('reading a plain pg_dump as psql does', () => {
  test.each([1, 2, 3, 5, 7, 64, 4096, 1_000_000])(
    'in chunks of %d bytes: every COPY block, nothing from quotes, bodies or comments',
    async (size) => {
      const scanner = await scan(DUMP, size);
      expect(scanner.anomalies).toEqual([]);
      expect(scanner.encoding).toBe('UTF8');
      expect(summary(scanner)).toEqual([
        ['public', 'users', 3, true, 'users; Type: TABLE DATA; Schema: public; Owner: app'],
        ['audit', 'Event Log', 1, true, 'Event Log; Type: TABLE DATA; Schema: audit; Owner: app'],
        ['public', 'odd\nname', 2, true, 'odd name; Type: TABLE DATA; Schema: public; Owner: app'],
        ['public', 'empty', 0, true, undefined],
        ['public', 'h', 1, true, 'h0; Type: TABLE DATA; Schema: public; Owner: app'],
      ]);
      expect(scanner.finished).toBe(true);
    },
  );

  test.each([
    ['without the closing comment', [...HEAD, ...DATA].join('\n')],
    ['cut inside a COPY block', [...HEAD, ...DATA.slice(0, 7)].join('\n')],
    ['cut inside a function body', [...HEAD, ...DECOYS.slice(0, 7)].join('\n')],
    [
      'without the \\unrestrict that its \\restrict calls for',
      [...HEAD, ...DATA, ...TAIL.slice(0, 4)].join('\n'),
    ],
    [
      'with a statement after the closing comment',
      [...HEAD, ...DATA, ...TAIL, 'DROP TABLE x;'].join('\n'),
    ],
    [
      'with COPY data after the closing comment',
      [...HEAD, ...TAIL, 'COPY public.t (a) FROM stdin;', '1', '\\.', ''].join('\n'),
    ],
    [
      'with the closing comment only inside a string',
      [...HEAD, "SELECT '", '-- PostgreSQL database dump complete', "';"].join('\n'),
    ],
    ['cut after the first bytes', DUMP.slice(0, 300)],
    [
      'closed by an \\unrestrict with another key than its \\restrict',
      [...HEAD, ...DATA, ...TAIL.slice(0, 5), '\\unrestrict forged', ''].join('\n'),
    ],
    [
      'closed by an \\unrestrict without a key',
      [...HEAD, ...DATA, ...TAIL.slice(0, 5), '\\unrestrict', ''].join('\n'),
    ],
  ])('a dump %s is not finished', async (_label, text) => {
    for (const size of [1, 13, 100_000]) expect((await scan(text, size)).finished).toBe(false);
  });

  test('a dump of pg_dump before \\restrict existed ends with the closing comment alone', async () => {
    const old = [...HEAD.filter((l) => !l.startsWith('\\restrict')), ...DATA, ...TAIL.slice(0, 4)];
    expect((await scan(old.join('\n'), 5)).finished).toBe(true);
    expect((await scan(`${old.join('\n')}\n\n-- a trailing comment\n`, 5)).finished).toBe(true);
  });

  test('a forged \\unrestrict is named among the anomalies', async () => {
    const forged = [...HEAD, ...DATA, ...TAIL.slice(0, 5), '\\unrestrict forged', ''].join('\n');
    expect((await scan(forged, 9)).anomalies).toEqual([
      "an \\unrestrict line that does not name the key of the dump's \\restrict",
    ]);
  });

  test('a line \\. followed by a carriage return ends a COPY block, as psql reads it', async () => {
    const dump = `${HEAD.join('\n')}\nCOPY public.t (x) FROM stdin;\r\na\r\n\\.\r\nSELECT 1;\n\\.\n${TAIL.join('\n')}`;
    for (const size of [1, 2, 3, 1000]) {
      const scanner = await scan(dump, size);
      expect(summary(scanner)).toEqual([['public', 't', 1, true, undefined]]);
    }
  });

  test('a block cut off before its \\. is counted but not complete', async () => {
    const scanner = await scan([...HEAD, ...DATA.slice(0, 8)].join('\n'), 4);
    expect(summary(scanner)).toEqual([
      ['public', 'users', 3, false, 'users; Type: TABLE DATA; Schema: public; Owner: app'],
    ]);
  });

  test('a row longer than any chunk counts as one row, and is never held whole', async () => {
    const long = 'x'.repeat(300_000);
    const dump = `${HEAD.join('\n')}\nCOPY public.blobs (b) FROM stdin;\n${long}\n${long}\nshort\n\\.\n${TAIL.join('\n')}`;
    const scanner = await scan(dump, 1000);
    expect(summary(scanner)).toEqual([['public', 'blobs', 3, true, undefined]]);
    expect(scanner.finished).toBe(true);
  });

  test('large objects written as huge string literals are skipped quickly and exactly', async () => {
    const hex = 'ab'.repeat(2_000_000);
    const dump = `${HEAD.join('\n')}\nBEGIN;\nSELECT pg_catalog.lo_open('16385', 131072);\nSELECT pg_catalog.lowrite(0, '\\x${hex}');\nSELECT pg_catalog.lo_close(0);\nCOMMIT;\n${DATA.join('\n')}\n${TAIL.join('\n')}`;
    const scanner = await scan(dump, 65536);
    expect(scanner.blocks).toHaveLength(5);
    expect(scanner.finished).toBe(true);
  });

  test('names stay bytes of the dump encoding (LATIN1)', async () => {
    const latin1 = Buffer.from(
      `SET client_encoding = 'LATIN1';\nCOPY public."caf\u00e9" (x) FROM stdin;\n1\n\\.\n--\n-- PostgreSQL database dump complete\n--\n`,
      'latin1',
    );
    const scanner = await scan(latin1, 3);
    expect(scanner.encoding).toBe('LATIN1');
    expect(scanner.blocks[0]?.name).toEqual(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    expect(scanner.finished).toBe(true);
  });

  test('a COPY statement it cannot read is an anomaly, never skipped silently', async () => {
    const scanner = await scan(
      `${HEAD.join('\n')}\nCOPY users (id) FROM stdin;\n1\n\\.\n${TAIL.join('\n')}`,
      7,
    );
    expect(scanner.anomalies[0]).toMatch(/COPY statement this tool cannot read/);
    expect(scanner.finished).toBe(false);
  });

  test.each([
    ['COPY public.t (a, b) FROM stdin;', ['public', 't', 'a', 'b']],
    ['COPY public.t  FROM stdin;', ['public', 't']],
    ['COPY "we""ird".")(" ("a)", b) FROM stdin;', ['we"ird', ')(', 'a)', 'b']],
    ['COPY public."a\nb" FROM stdin;', ['public', 'a\nb']],
    // Names unquoted as manifests and sanitize rules name them.
    ['COPY public."Odd ""name""" FROM stdin;', ['public', 'Odd "name"']],
    ['COPY "My.Schema".t FROM stdin;', ['My.Schema', 't']],
    [
      'COPY public.t (id, "Odd, ""name""", email) FROM stdin;',
      ['public', 't', 'id', 'Odd, "name"', 'email'],
    ],
    ['COPY public.t TO stdout;', 'not-from-stdin'],
    ['COPY t FROM stdin;', undefined],
    ['COPY public.t (a FROM stdin;', undefined],
    ['COPY public.t (a,, b) FROM stdin;', undefined],
  ])('parses %j', (statement, expected) => {
    const parsed = parseCopyFromStdin(Buffer.from(statement));
    if (typeof parsed === 'object')
      expect(
        [parsed.schema, parsed.name, ...parsed.columns].map((part) => part.toString()),
      ).toEqual(expected);
    else expect(parsed).toEqual(expected);
  });
});
