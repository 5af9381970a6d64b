import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import type { CatalogColumn } from '../src/sanitize/catalog.js';
import { looksPersonal } from '../src/sanitize/personal-columns.js';
import { tableKey } from '../src/sanitize/plan.js';
import { parseRules, RulesError } from '../src/sanitize/rules.js';
import type { ColumnCategory } from '../src/sanitize/transformers.js';
import { REPO_ROOT } from './support/cli.js';

const schema = JSON.parse(
  fs.readFileSync(path.join(REPO_ROOT, 'schema/sanitize-rules.schema.json'), 'utf8'),
);
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

async function problems(yaml: string): Promise<string[]> {
  try {
    await parseRules(Buffer.from(yaml), 'rules.yml');
    return [];
  } catch (error) {
    if (error instanceof RulesError) return [...error.problems];
    throw error;
  }
}

const README = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

describe('rules files', () => {
  const good = [
    'tables:\n  users:\n    columns:\n      email: email\n      ip: null\n',
    'version: 1\ntables:\n  public.sessions: { rows: truncate }\n',
    '{"tables": {"users": {"rows": "keep", "columns": {"born": {"date_shift": "±30 days"}, "pay": {"number_noise": "10%"}, "flag": {"fixed": true}}}}}',
    'tables:\n  t:\n    columns: { a: { date_shift: 1 }, b: { number_noise: 0.5 }, c: { fixed: 0 }, d: keep, e: hash }\n',
  ];
  const bad: [string, RegExp][] = [
    ['tables: []\n', /"tables" must be a mapping/],
    ['tables:\n  users: {}\n', /table users: says nothing/],
    [
      'tables:\n  users:\n    rows: drop\n',
      /table users: rows must be keep or truncate \(got "drop"\)/,
    ],
    [
      'tables:\n  users:\n    columns: { email: emial }\n',
      /table users, column email: unknown transformer "emial" \(did you mean email\?\)/,
    ],
    [
      'tables:\n  users:\n    columns: { born: { date_shift: 0 } }\n',
      /column born: date_shift takes a whole number of days from 1 to 36500/,
    ],
    [
      'tables:\n  users:\n    columns: { born: { date_shift: 2.5 } }\n',
      /column born: date_shift takes a whole number/,
    ],
    [
      'tables:\n  users:\n    columns: { pay: { number_noise: 150 } }\n',
      /column pay: number_noise takes a percentage above 0 and up to 100/,
    ],
    [
      'tables:\n  users:\n    columns: { x: { fixed: null } }\n',
      /column x: fixed takes a string, number or boolean \(for NULL use the null transformer\)/,
    ],
    [
      'tables:\n  users:\n    columns: { x: { fixed: 1, hash: 2 } }\n',
      /column x: a transformer with a value has exactly one key/,
    ],
    [
      'tables:\n  users:\n    columns: { x: date_shift }\n',
      /column x: date_shift needs a value, as \{date_shift: 30\}/,
    ],
    [
      'tables:\n  users: { rows: truncate, columns: { a: hash } }\n',
      /rows: truncate keeps no rows/,
    ],
    ['tables:\n  users: { colums: { a: hash } }\n', /table users: unknown key "colums"/],
    ['tabels: {}\n', /unknown key "tabels"/],
    ['tables:\n  users:\n    columns: { a: [email] }\n', /column a: a transformer is a name/],
  ];

  test.each(good)('accepted by the tool and the schema: %s', async (text) => {
    expect(await problems(text)).toEqual([]);
    expect(validate(parse(text)), JSON.stringify(validate.errors)).toBe(true);
  });

  test.each(bad)(
    'refused by the tool (one line naming file, table, column) and the schema: %s',
    async (text, message) => {
      const found = await problems(text);
      expect(found.join('\n')).toMatch(message);
      for (const line of found) expect(line).toMatch(/^rules\.yml: /);
      expect(validate(parse(text))).toBe(false);
    },
  );

  test('YAML syntax errors and duplicate keys name the line', async () => {
    expect((await problems('tables:\n  users:\n    columns: { a: email\n')).join('\n')).toMatch(
      /^rules\.yml line \d+: /,
    );
    expect(
      (await problems('tables:\n  users: { rows: truncate }\n  users: { rows: keep }\n')).join(
        '\n',
      ),
    ).toMatch(/rules\.yml line 3: .*unique/i);
  });

  test('every problem is reported at once', async () => {
    const found = await problems(
      'tables:\n  a:\n    columns: { x: foo, y: { date_shift: -1 } }\n  b: { rows: nope }\n',
    );
    expect(found).toHaveLength(3);
  });

  test('the rules file in the README is valid', async () => {
    const block = /```yaml\n(# sanitize\.yml[\s\S]*?)```/.exec(README)?.[1];
    expect(block).toBeDefined();
    expect(await problems(block!)).toEqual([]);
    expect(validate(parse(block!))).toBe(true);
  });

  test.each([
    ['users', 'public.users'],
    ['app.users', 'app.users'],
    ['"My.Schema"."Odd ""T"""', 'My.Schema.Odd "T"'],
    ['"Users"', 'public.Users'],
  ])('PostgreSQL table %s is %s', (name, key) => {
    expect(tableKey(name, 'postgres')).toBe(key);
  });
});

function col(name: string, category: ColumnCategory = 'text', typeName = 'text'): CatalogColumn {
  return { name, category, typeName, notNull: false, generated: false };
}

describe('columns that look personal', () => {
  test.each([
    'email',
    'contact_email',
    'emailAddress',
    'EMAIL',
    'first_name',
    'lastName',
    'name',
    'phone_number',
    'mobile',
    'street',
    'billing_address',
    'city',
    'zip',
    'postcode',
    'last_sign_in_ip',
    'encrypted_password',
    'password_digest',
    'reset_password_token',
    'api_key',
    'iban',
    'card_number',
    'ssn',
    'tax_id',
    'salary',
    'passport_no',
  ])('%s looks personal', (name) => {
    expect(looksPersonal(col(name))).toBe(true);
  });

  test.each([
    ['id', 'integer'],
    ['created_at', 'date'],
    ['total', 'decimal'],
    ['zipped', 'text'],
    ['email_verified', 'other'],
    ['address_id', 'integer'],
    ['password_changed_at', 'date'],
    ['email_count', 'integer'],
    ['status', 'text'],
    ['description', 'text'],
  ] as const)('%s (%s) does not', (name, category) => {
    expect(looksPersonal(col(name, category, category === 'other' ? 'boolean' : category))).toBe(
      false,
    );
  });

  test('a birth date is personal even though it is a date', () => {
    expect(looksPersonal(col('birth_date', 'date', 'date'))).toBe(true);
    expect(looksPersonal(col('dob', 'date', 'date'))).toBe(true);
  });
});
