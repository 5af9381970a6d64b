import { createHmac } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, test } from 'vitest';
import type { Catalog, CatalogColumn } from '../src/sanitize/catalog.js';
import { CopySanitizer } from '../src/sanitize/copy-sanitizer.js';
import { decodeCopyField, encodeCopyField } from '../src/sanitize/copy-text.js';
import { KeyedDigest } from '../src/sanitize/keyed-digest.js';
import { planSanitizing } from '../src/sanitize/plan.js';
import { parseRules } from '../src/sanitize/rules.js';
import {
  addNoise,
  Masker,
  noisePpm,
  shiftDateText,
  type ColumnShape,
} from '../src/sanitize/transformers.js';

const SALT = 'a salt of sufficient length';

function column(name: string, shape: Partial<CatalogColumn> = {}): CatalogColumn {
  return { name, typeName: 'text', category: 'text', notNull: false, generated: false, ...shape };
}

const CATALOG: Catalog = {
  engine: 'postgres',
  utf8: true,
  tables: new Map([
    [
      'public.users',
      {
        name: 'public.users',
        columns: [
          column('id', { category: 'integer', typeName: 'integer', notNull: true }),
          column('email'),
          column('note'),
          column('avatar', { category: 'other', typeName: 'bytea' }),
          column('born', { category: 'date', typeName: 'date' }),
        ],
      },
    ],
    ['public.sessions', { name: 'public.sessions', columns: [column('token')] }],
    ['public.other', { name: 'public.other', columns: [column('value')] }],
  ]),
  uniqueKeys: [],
  foreignKeys: [],
};

async function plan(yaml: string) {
  return planSanitizing(await parseRules(Buffer.from(yaml), 'rules.yml'), CATALOG);
}

const DUMP = [
  'SET statement_timeout = 0;',
  'CREATE TABLE public.users (id integer);',
  'COPY public.users (id, email, note, avatar, born) FROM stdin;',
  '1\tann@real.example\tline\\none\\ttab \\\\ back\t\\\\x00ff\t2001-02-03',
  '2\t\\N\t\\N\t\\N\t\\N',
  '3\tbob@real.example\tZoë 😀\t\\\\x\t1999-12-31',
  '\\.',
  '',
  'COPY public.sessions (token) FROM stdin;',
  'secret-token-1',
  'secret-token-2',
  '\\.',
  '',
  'COPY public.other (value) FROM stdin;',
  'untouched\tvalue',
  '\\.',
  'SELECT * FROM pg_catalog.pg_restore_attribute_stats(',
  "\t'relation', 'public.users'::regclass,",
  "\t'most_common_vals', '{ann@real.example,\"a;b\"}'::text",
  ');',
  'SELECT * FROM pg_catalog.pg_restore_relation_stats(',
  "'relation', 'x');",
  'COMMIT;',
  '',
].join('\n');

async function run(input: string | Buffer, chunk: number, rules: string): Promise<string> {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input);
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunk) pieces.push(bytes.subarray(at, at + chunk));
  const sanitizer = new CopySanitizer(await plan(rules), new Masker(SALT));
  return (await buffer(Readable.from(pieces).pipe(sanitizer))).toString('utf8');
}

const RULES = `
tables:
  users:
    columns: { email: email, note: text, born: { date_shift: 30 } }
  public.sessions: { rows: truncate }
`;

describe('COPY text fields', () => {
  test.each([
    ['plain', 'plain'],
    ['a\\tb\\nc\\rd\\\\e', 'a\tb\nc\rd\\e'],
    ['\\b\\f\\v', '\b\f\v'],
    ['\\101\\x42\\7', 'AB\x07'],
    ['\\q', 'q'],
    ['\\xZ', 'xZ'],
  ])('%s decodes', (raw, value) => {
    expect(decodeCopyField(Buffer.from(raw, 'latin1')).toString('latin1')).toBe(value);
  });

  test('encoding then decoding gives every byte back', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const encoded = encodeCopyField(all);
    expect(encoded.includes(0x09)).toBe(false);
    expect(encoded.includes(0x0a)).toBe(false);
    expect(decodeCopyField(encoded)).toEqual(all);
  });
});

describe('CopySanitizer', () => {
  test('the same output whatever the chunk size; rows, NULLs and unruled bytes kept', async () => {
    const whole = await run(DUMP, DUMP.length, RULES);
    for (const size of [1, 2, 3, 5, 7, 64]) expect(await run(DUMP, size, RULES)).toBe(whole);
    const lines = whole.split('\n');
    expect(whole).not.toContain('ann@real.example');
    expect(whole).not.toContain('bob@real.example');
    expect(whole).not.toContain('secret-token');
    expect(whole).not.toContain('2001-02-03');
    expect(whole).toContain('untouched\tvalue');
    // Optimizer statistics (samples of the data) are left out, up to their closing semicolon.
    expect(whole).not.toContain('pg_restore_');
    expect(whole).not.toContain("'relation'");
    expect(whole).toContain('COMMIT;');
    const users = lines.slice(
      lines.indexOf('COPY public.users (id, email, note, avatar, born) FROM stdin;') + 1,
    );
    const [one, two, three] = users.map((line) => line.split('\t'));
    expect(one?.[0]).toBe('1');
    expect(one?.[1]).toMatch(/^[a-z]+\.[a-z]+\.[0-9a-f]{16}@example\.com$/);
    expect(one?.[3]).toBe('\\\\x00ff');
    expect(one?.[4]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(two).toEqual(['2', '\\N', '\\N', '\\N', '\\N']);
    expect(three?.[3]).toBe('\\\\x');
    // The truncated table keeps its COPY block, without rows.
    expect(whole).toContain('COPY public.sessions (token) FROM stdin;\n\\.\n');
  });

  test('a masked text keeps its length class and holds no original word', async () => {
    const out = await run(DUMP, 4096, RULES);
    const note = out
      .split('\n')
      .find((l) => l.startsWith('1\t'))!
      .split('\t')[2]!;
    const value = decodeCopyField(Buffer.from(note)).toString();
    // "line\none\ttab \\ back" is 18 characters: class 17–32.
    expect(value.length).toBeGreaterThanOrEqual(17);
    expect(value.length).toBeLessThanOrEqual(32);
    expect(value).not.toMatch(/line|one|tab|back/);
  });

  test('a COPY header that cannot be read fails the stream: whose rows follow is unknown', async () => {
    const dump = 'COPY public.users (id, email FROM stdin;\n1\tann@real.example\n\\.\n';
    await expect(run(dump, 10, RULES)).rejects.toThrow(
      /COPY statement this tool cannot read .*nothing was kept/,
    );
  });

  test('a rule on a column the COPY header lacks fails the stream', async () => {
    const dump = 'COPY public.users (id, note) FROM stdin;\n1\tx\n\\.\n';
    await expect(run(dump, 10, RULES)).rejects.toThrow(/has no column email/);
  });

  test('an unreadable date fails without quoting the value', async () => {
    const dump =
      'COPY public.users (id, email, note, avatar, born) FROM stdin;\n1\t\\N\t\\N\t\\N\tnot-a-secret-date\n\\.\n';
    const failure = run(dump, 7, RULES);
    await expect(failure).rejects.toThrow(/public\.users met a value that is not an ISO date/);
    await expect(failure).rejects.not.toThrow(/not-a-secret-date/);
  });

  test('a row far longer than a chunk passes through with bounded pieces', async () => {
    const long = 'x'.repeat(300_000);
    const dump = `COPY public.users (id, email, note, avatar, born) FROM stdin;\n1\tann@real.example\t\\N\t${long}\t\\N\n\\.\n`;
    const out = await run(dump, 1000, RULES);
    expect(out).toContain(long);
    expect(out).not.toContain('ann@real.example');
  });
});

describe('keyed digests and transformers', () => {
  test('the digest is HMAC-SHA256 for every length of kind and value, and every length of salt', () => {
    for (const salt of [SALT, 'k'.repeat(64), 'k'.repeat(65), 'ü'.repeat(40)]) {
      const keyed = new KeyedDigest(salt);
      for (const kind of ['email', 'number_noise']) {
        // Around the one-, two- and three-block limits of the short path, and past it.
        for (let length = 0; length < 400; length += 1) {
          const value = Buffer.from(Array.from({ length }, (_, i) => (i * 131 + length) & 0xff));
          const expected = createHmac('sha256', salt).update(`${kind}\0`).update(value).digest();
          expect(keyed.digest(kind, value)).toEqual(expected);
        }
      }
    }
  });

  test('numbers read from bytes are noised exactly as addNoise does, cached or not', () => {
    const masker = new Masker(SALT);
    const shapes: ColumnShape[] = [
      { category: 'integer', typeName: 'integer', integerRange: [-2147483648n, 2147483647n] },
      { category: 'integer', typeName: 'smallint', integerRange: [-32768n, 32767n] },
      { category: 'decimal', typeName: 'numeric' },
      { category: 'decimal', typeName: 'numeric(6,3)', precision: 6 },
      { category: 'any', typeName: 'no declared type' },
    ];
    const texts = ['0', '-0', '+7', '007', '0.5', '00.5', '5.', '-0.000', '32767', '-32768'];
    let seed = 7;
    for (let i = 0; i < 400; i += 1) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const digits = String(seed).slice(0, 1 + (seed % 9));
      const scale = seed % 4;
      const text =
        scale > 0 && digits.length > scale
          ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}`
          : digits;
      texts.push(seed % 3 === 0 ? `-${text}` : text);
    }
    for (const shape of shapes) {
      for (const text of texts) {
        const value = Buffer.from(text);
        const expected = addNoise(
          text,
          noisePpm(masker.keyed.digest('number_noise', value), 10),
          shape,
        );
        // Twice: the second time from what the first remembered.
        for (let pass = 0; pass < 2; pass += 1)
          expect(
            masker.maskValue({ kind: 'number_noise', percent: 10 }, shape, value)?.toString(),
          ).toBe(expected);
      }
    }
  });

  test('a COPY block of numbers comes out as addNoise gives each, repeated or not', async () => {
    const catalog: Catalog = {
      ...CATALOG,
      tables: new Map([
        [
          'public.prices',
          {
            name: 'public.prices',
            columns: [
              column('id', { category: 'integer', typeName: 'integer' }),
              column('amount', { category: 'decimal', typeName: 'numeric(8,2)', precision: 8 }),
            ],
          },
        ],
      ]),
    };
    const rules = await parseRules(
      Buffer.from('tables:\n  prices:\n    columns: { amount: { number_noise: 20 } }\n'),
      'rules.yml',
    );
    const amounts = Array.from({ length: 3000 }, (_, i) =>
      i % 7 === 0
        ? '\\N'
        : `${i % 2 ? '-' : ''}${(i * 7919) % 1000}.${String(i % 100).padStart(2, '0')}`,
    );
    const dump = `COPY public.prices (id, amount) FROM stdin;\n${amounts.map((a, i) => `${i}\t${a}\n`).join('')}\\.\n`;
    const sanitizer = new CopySanitizer(planSanitizing(rules, catalog), new Masker(SALT));
    const out = (await buffer(Readable.from([Buffer.from(dump)]).pipe(sanitizer))).toString();
    const masker = new Masker(SALT);
    const shape = catalog.tables.get('public.prices')!.columns[1]!;
    const rows = out.split('\n').slice(1, -2);
    expect(rows).toHaveLength(amounts.length);
    rows.forEach((row, i) => {
      const amount = amounts[i]!;
      const expected =
        amount === '\\N'
          ? amount
          : addNoise(
              amount,
              noisePpm(masker.keyed.digest('number_noise', Buffer.from(amount)), 20),
              shape,
            );
      expect(row).toBe(`${i}\t${expected}`);
    });
  });

  test('the digest is HMAC-SHA256(salt, kind ‖ 0 ‖ value), one-shot or incremental', () => {
    const keyed = new KeyedDigest(SALT);
    const value = Buffer.from('ann@example.org');
    const expected = createHmac('sha256', SALT).update('email\0ann@example.org').digest();
    expect(keyed.digest('email', value)).toEqual(expected);
    expect(keyed.incremental('email').update(value).digest()).toEqual(expected);
    const long = 'k'.repeat(100);
    expect(new KeyedDigest(long).digest('x', value)).toEqual(
      createHmac('sha256', long).update('x\0ann@example.org').digest(),
    );
  });

  test('the same salt gives the same value; another salt another one', () => {
    const shape: ColumnShape = { category: 'text', typeName: 'text' };
    const mask = (salt: string) =>
      new Masker(salt)
        .mask({ kind: 'email' }, shape, new Masker(salt).factsOf(Buffer.from('a@b.c')))!
        .toString();
    expect(mask(SALT)).toBe(mask(SALT));
    expect(mask(SALT)).not.toBe(mask(`${SALT}!`));
  });

  test.each([
    ['2026-01-31', 1, '2026-02-01'],
    ['2026-03-01 12:34:56.123+05:30', -1, '2026-02-28 12:34:56.123+05:30'],
    ['2024-02-29T01:02:03.004Z', 365, '2025-02-28T01:02:03.004Z'],
    ['0001-01-01 BC', -1, '0002-12-31 BC'],
    ['0001-12-31 BC', 1, '0001-01-01'],
    ['infinity', 5, 'infinity'],
  ])('date %s shifted by %d days is %s', (text, days, expected) => {
    expect(shiftDateText(text, days)).toBe(expected);
  });

  test.each([
    ['100', 100_000, { category: 'integer', typeName: 'integer' }, '110'],
    ['12.3450', -100_000, { category: 'decimal', typeName: 'numeric' }, '11.1105'],
    [
      '32767',
      100_000,
      { category: 'integer', typeName: 'smallint', integerRange: [-32768n, 32767n] },
      '32767',
    ],
    ['999.99', 100_000, { category: 'decimal', typeName: 'numeric(5,2)', precision: 5 }, '999.99'],
    ['-5', 100_000, { category: 'integer', typeName: 'integer' }, '-6'],
    [
      '123456789012345678901234567890',
      1,
      { category: 'decimal', typeName: 'numeric' },
      '123456912469134691246913469125',
    ],
    ['NaN', 1000, { category: 'decimal', typeName: 'numeric' }, 'NaN'],
  ] as const)('number %s with %d ppm noise is %s', (text, ppm, shape, expected) => {
    expect(addNoise(text, ppm, shape as ColumnShape)).toBe(expected);
  });
});
