import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cli } from './support/cli.js';
import { startPostgres, TEST_PASSWORD, type PgServer } from './support/postgres.js';
import { tempDir } from './support/tmp.js';

const SALT = 'nightly-dev-copy-salt-0123456789';
const OTHER_SALT = 'another-salt-for-another-copy-xyz';

/**
 * A web application's tables: masked emails that are unique and referenced
 * by a foreign key, NULLs, unicode, and values full of tabs, newlines and
 * backslashes (COPY escaping), arrays and jsonb beside them.
 */
const SCHEMA = `
  CREATE TABLE users (
    id serial PRIMARY KEY,
    email text NOT NULL UNIQUE,
    full_name text,
    phone varchar(32),
    birth_date date,
    salary numeric(12, 2),
    bio text,
    password_hash text,
    tags text[],
    profile jsonb,
    last_seen timestamptz
  );
  CREATE TABLE orders (
    id serial PRIMARY KEY,
    user_email text REFERENCES users(email),
    shipping_address text,
    note text,
    total numeric NOT NULL
  );
  CREATE TABLE sessions (id serial PRIMARY KEY, user_id int REFERENCES users(id), token text NOT NULL);
  CREATE TABLE audit_log (id bigserial PRIMARY KEY, detail text);
  CREATE TABLE events (id int, contact_email text, at date) PARTITION BY RANGE (at);
  CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
  CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
  INSERT INTO events SELECT i, 'Eventperson' || i || '@Partitioned.test', DATE '2025-06-01' + i * 5 FROM generate_series(1, 80) AS i;
  INSERT INTO users (email, full_name, phone, birth_date, salary, bio, password_hash, tags, profile, last_seen)
  SELECT
    'Person' || i || '.Realname@Mailbox' || i || '.test',
    CASE WHEN i % 5 = 0 THEN NULL ELSE E'Realname\\tNumber' || i || E' Zoë «q» 😀\\\\' END,
    CASE WHEN i % 4 = 0 THEN NULL ELSE '+49 170 ' || lpad((1000000 + i * 7919)::text, 7, '0') END,
    DATE '1950-01-01' + i * 200,
    CASE WHEN i % 3 = 0 THEN NULL ELSE 12345.67 + i * 1000.13 END,
    E'Biography of person ' || i || E'\\nwith a second line\\rand a tab\\there and \\\\ backslash',
    'pbkdf2$' || md5('pw' || i),
    ARRAY['tag' || i, 'with space', 'quote"d'],
    jsonb_build_object('i', i, 'nested', jsonb_build_object('k', 'v' || i)),
    TIMESTAMPTZ '2026-01-01 00:00:00+00' + i * interval '1 hour'
  FROM generate_series(1, 60) AS i;
  INSERT INTO orders (user_email, shipping_address, note, total)
  SELECT 'Person' || (i % 60 + 1) || '.Realname@Mailbox' || (i % 60 + 1) || '.test',
    i || E' Secretstreet\\t' || i || ', Hiddencity',
    CASE WHEN i % 2 = 0 THEN NULL ELSE 'Order note secret ' || i END, i * 2.5
  FROM generate_series(1, 120) AS i;
  INSERT INTO orders (user_email, total) VALUES (NULL, 1);
  INSERT INTO sessions (user_id, token) SELECT i, 'sessiontoken-' || md5(i::text) FROM generate_series(1, 60) AS i;
  INSERT INTO audit_log (detail) SELECT 'audit detail about Person' || i FROM generate_series(1, 40) AS i;
  CREATE MATERIALIZED VIEW user_emails AS SELECT id, email FROM users;
  CREATE TABLE products (id serial PRIMARY KEY, title text, description text, labels text[], attributes jsonb, picture bytea);
  INSERT INTO products (title, description, labels, attributes, picture)
  SELECT 'Product ' || i || E' «ü» 😀', E'line one\nline\ttwo \\ back\rslash', ARRAY['a' || i, 'b c', NULL],
    jsonb_build_object('size', i, 'tags', jsonb_build_array('x', NULL)), decode('00ff' || lpad(to_hex(i), 4, '0'), 'hex')
  FROM generate_series(1, 30) AS i;
`;

const RULES = `# a typical web application
tables:
  users:
    columns:
      email: email
      full_name: name
      phone: phone
      birth_date: { date_shift: 90 }
      salary: { number_noise: 10 }
      bio: text
      password_hash: hash
  public.orders:
    columns:
      user_email: email
      shipping_address: address
      note: text
  sessions:
    rows: truncate
  audit_log: { rows: truncate }
  events:
    columns: { contact_email: email }
`;

let server: PgServer;

beforeAll(async () => {
  server = await startPostgres();
  await server.createDatabase('shop', SCHEMA);
});

afterAll(async () => {
  await server?.stop();
});

function workspace(label: string, rules = RULES): { dir: string; rules: string } {
  const dir = tempDir(label);
  const file = path.join(dir, 'sanitize.yml');
  fs.writeFileSync(file, rules);
  return { dir, rules: file };
}

const env = (salt: string | null = SALT): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  ...(salt ? { SANITIZE_SALT: salt } : {}),
});

function files(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/** The SQL of a backup, without pg_dump's per-run \\restrict key. */
function sqlOf(file: string): string {
  return gunzipSync(fs.readFileSync(file))
    .toString('utf8')
    .replace(/^\\(un)?restrict .*$/gm, '');
}

/** How a value may appear in a COPY block. */
function copyEscaped(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/\t/g, '\\t')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r');
}

async function sanitizedBackup(dir: string, rules: string, salt = SALT, extra: string[] = []) {
  const run = await cli(
    ['backup', '--database-url', server.url('shop'), '--sanitize', rules, '--json', ...extra],
    {
      cwd: dir,
      env: env(salt),
    },
  );
  expect(run.status, run.stderr).toBe(0);
  return { run, result: JSON.parse(run.stdout) };
}

describe('sanitized PostgreSQL copies', () => {
  test('round trip: named sanitized, restores, verifies; keys, NULLs, arrays and jsonb hold', async () => {
    const { dir, rules } = workspace('pg-sanitize-roundtrip');
    const { result } = await sanitizedBackup(dir, rules);
    expect(result.name).toMatch(/^postgres_sanitized_\d{8}_\d{6}\.sql\.gz$/);
    const manifest = JSON.parse(
      fs.readFileSync(path.join(dir, 'backups', `${result.name}.json`), 'utf8'),
    );
    expect(manifest.kind).toBe('sanitized');
    expect(manifest.sanitized).toEqual({
      rulesSha256: createHash('sha256').update(fs.readFileSync(rules)).digest('hex'),
      maskedColumns: [
        'public.events.contact_email',
        'public.orders.note',
        'public.orders.shipping_address',
        'public.orders.user_email',
        'public.users.bio',
        'public.users.birth_date',
        'public.users.email',
        'public.users.full_name',
        'public.users.password_hash',
        'public.users.phone',
        'public.users.salary',
      ],
      truncatedTables: ['public.audit_log', 'public.sessions'],
      unruledPersonalColumns: [],
    });
    expect(manifest.tables).toEqual([
      { name: 'public.audit_log', rows: 0 },
      { name: 'public.events_2025', rows: 42 },
      { name: 'public.events_2026', rows: 38 },
      { name: 'public.orders', rows: 121 },
      { name: 'public.products', rows: 30 },
      { name: 'public.sessions', rows: 0 },
      { name: 'public.users', rows: 60 },
    ]);

    await server.createDatabase('shop_dev');
    const restore = await cli(
      ['restore', 'latest-sanitized', '--database-url', server.url('shop_dev'), '--json'],
      {
        cwd: dir,
        env: { PATH: process.env.PATH },
      },
    );
    expect(restore.status, restore.stderr).toBe(0);
    expect(restore.stderr).toMatch(/is a sanitized copy: its personal data was masked/);
    expect(JSON.parse(restore.stdout).sanitized.rulesSha256).toBe(manifest.sanitized.rulesSha256);
    const text = await cli(
      ['restore', result.name, '--database-url', server.url('shop_dev'), '--yes'],
      {
        cwd: dir,
        env: { PATH: process.env.PATH },
      },
    );
    expect(text.stdout).toMatch(/this is a sanitized copy/);

    const original = await server.query<Record<string, unknown>>(
      'shop',
      'SELECT * FROM users ORDER BY id',
    );
    const masked = await server.query<Record<string, unknown>>(
      'shop_dev',
      'SELECT * FROM users ORDER BY id',
    );
    expect(masked).toHaveLength(60);
    masked.forEach((row, index) => {
      const before = original[index]!;
      expect(row.id).toBe(before.id);
      expect(row.tags).toEqual(before.tags);
      expect(row.profile).toEqual(before.profile);
      expect(row.last_seen).toEqual(before.last_seen);
      expect(row.email).toMatch(/^[a-z]+\.[a-z]+\.[0-9a-f]{16}@example\.com$/);
      expect(row.phone === null).toBe(before.phone === null);
      expect(row.full_name === null).toBe(before.full_name === null);
      expect(row.salary === null).toBe(before.salary === null);
      if (row.phone !== null) expect(row.phone).toMatch(/^\+1-\d{3}-555-01\d{2}$/);
      expect(row.password_hash).toMatch(/^[0-9a-f]{64}$/);
      const days = (Number(row.birth_date) - Number(before.birth_date)) / 86_400_000;
      expect(Math.abs(days)).toBeGreaterThanOrEqual(1);
      expect(Math.abs(days)).toBeLessThanOrEqual(90);
      if (before.salary !== null) {
        const ratio = Number(row.salary) / Number(before.salary);
        expect(ratio).toBeGreaterThanOrEqual(0.9);
        expect(ratio).toBeLessThanOrEqual(1.1);
      }
    });
    // The masked email still joins: every order finds its user, and emails stay unique.
    expect(
      await server.query(
        'shop_dev',
        'SELECT count(*)::int AS n FROM orders o JOIN users u ON u.email = o.user_email',
      ),
    ).toEqual([{ n: 120 }]);
    expect(
      await server.query('shop_dev', 'SELECT count(DISTINCT email)::int AS n FROM users'),
    ).toEqual([{ n: 60 }]);
    expect(await server.query('shop_dev', 'SELECT count(*)::int AS n FROM sessions')).toEqual([
      { n: 0 },
    ]);
    // The materialized view was refreshed from the masked rows; the partitions hold masked emails.
    expect(
      await server.query(
        'shop_dev',
        'SELECT count(*)::int AS n FROM user_emails v JOIN users u USING (id, email)',
      ),
    ).toEqual([{ n: 60 }]);
    expect(
      await server.query(
        'shop_dev',
        "SELECT count(*)::int AS n FROM events WHERE contact_email LIKE '%@example.com'",
      ),
    ).toEqual([{ n: 80 }]);
    // Constraints and sequences came back.
    await expect(
      server.query(
        'shop_dev',
        "INSERT INTO orders (user_email, total) VALUES ('nobody@example.com', 1)",
      ),
    ).rejects.toThrow(/foreign key/);
    const [first] = await server.query<{ email: string }>(
      'shop_dev',
      'SELECT email FROM users WHERE id = 1',
    );
    const email = first!.email;
    await expect(
      server.query('shop_dev', `INSERT INTO users (email) VALUES ('${email}')`),
    ).rejects.toThrow(/unique/);
    expect(
      await server.query(
        'shop_dev',
        "INSERT INTO sessions (user_id, token) VALUES (1, 'x') RETURNING id",
      ),
    ).toEqual([{ id: 61 }]);

    const verify = await cli(
      ['verify', result.name, '--verify-database-url', server.url('postgres')],
      {
        cwd: dir,
        env: { PATH: process.env.PATH },
      },
    );
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/^VERIFIED/);
  });

  test('no original value of a masked column or truncated table is anywhere in the backup', async () => {
    const { dir, rules } = workspace('pg-sanitize-grep');
    const { result } = await sanitizedBackup(dir, rules);
    const sql = sqlOf(path.join(dir, 'backups', result.name));
    const originals = [
      ...(await server.query<Record<string, unknown>>(
        'shop',
        `SELECT email, full_name, phone, birth_date::text AS birth_date, salary::text AS salary, bio, password_hash FROM users`,
      )),
      ...(await server.query<Record<string, unknown>>(
        'shop',
        'SELECT user_email, shipping_address, note FROM orders',
      )),
      ...(await server.query<Record<string, unknown>>('shop', 'SELECT token FROM sessions')),
      ...(await server.query<Record<string, unknown>>('shop', 'SELECT detail FROM audit_log')),
      ...(await server.query<Record<string, unknown>>('shop', 'SELECT contact_email FROM events')),
    ].flatMap((row) => Object.values(row).filter((v): v is string => typeof v === 'string'));
    expect(originals.length).toBeGreaterThan(700);
    for (const value of originals) {
      expect(sql.includes(value), value).toBe(false);
      expect(sql.includes(copyEscaped(value)), value).toBe(false);
    }
    for (const fragment of [
      'Realname',
      'Mailbox',
      'Secretstreet',
      'Hiddencity',
      'sessiontoken',
      'Biography',
      'Partitioned',
    ]) {
      expect(sql).not.toContain(fragment);
    }
    // What no rule names is there, exactly: a table without rules is byte-for-byte pg_dump's.
    expect(sql).toContain('{tag7,"with space","quote\\\\"d"}');
    const plain = await cli(
      ['backup', '--database-url', server.url('shop'), '--backup-dir', 'plain', '--json'],
      {
        cwd: dir,
        env: { PATH: process.env.PATH },
      },
    );
    expect(plain.status, plain.stderr).toBe(0);
    const plainSql = sqlOf(path.join(dir, 'plain', JSON.parse(plain.stdout).name));
    const block = (text: string) =>
      /COPY public\.products [^\n]*\n[\s\S]*?\n\\\.\n/.exec(text)?.[0];
    expect(block(plainSql)).toMatch(/\\\\x00ff0001/);
    expect(block(sql)).toBe(block(plainSql));
    expect(sql).toContain('{"i": 7, "nested": {"k": "v7"}}');
  });

  test('the same salt gives the same copy; another salt another one', async () => {
    const { dir, rules } = workspace('pg-sanitize-determinism');
    const first = await sanitizedBackup(dir, rules, SALT, ['--backup-dir', 'one']);
    const second = await sanitizedBackup(dir, rules, SALT, ['--backup-dir', 'two']);
    const other = await sanitizedBackup(dir, rules, OTHER_SALT, ['--backup-dir', 'three']);
    const a = sqlOf(path.join(dir, 'one', first.result.name));
    const b = sqlOf(path.join(dir, 'two', second.result.name));
    const c = sqlOf(path.join(dir, 'three', other.result.name));
    expect(a).toBe(b);
    const emails = (sql: string) =>
      [...sql.matchAll(/[a-z]+\.[a-z]+\.[0-9a-f]{16}@example\.com/g)].map((m) => m[0]);
    expect(emails(a)).toHaveLength(emails(c).length);
    expect(emails(a).filter((email) => emails(c).includes(email))).toEqual([]);
  });

  test('the salt reaches no child, argument list, log, manifest or backup', async () => {
    const { dir, rules } = workspace('pg-sanitize-salt');
    const log = path.join(dir, 'child.log');
    const pgDump = spawnSync('sh', ['-c', 'command -v pg_dump'], {
      encoding: 'utf8',
    }).stdout.trim();
    const wrapper = path.join(dir, 'pg_dump');
    fs.writeFileSync(
      wrapper,
      `#!/bin/sh\nprintf '%s\\n' "$@" >> "${log}"\nenv >> "${log}"\nexec "${pgDump}" "$@"\n`,
      {
        mode: 0o755,
      },
    );
    const { run, result } = await sanitizedBackup(dir, rules, SALT, ['--pg-dump-path', wrapper]);
    const seen = [
      fs.readFileSync(log, 'utf8'),
      run.stdout,
      run.stderr,
      fs.readFileSync(path.join(dir, 'backups', `${result.name}.json`), 'utf8'),
      sqlOf(path.join(dir, 'backups', result.name)),
    ];
    expect(seen[0]).toContain('--snapshot=');
    for (const text of seen) expect(text).not.toContain(SALT);
    // pg_dump gets only the connection's variables (the password among them), nothing else of ours.
    expect(seen[0]).not.toMatch(/SANITIZE/);
    for (const text of seen.slice(1)) expect(text).not.toContain(TEST_PASSWORD);
  });

  test('rules errors: one line each with file, table and column; nothing is written', async () => {
    const { dir, rules } = workspace(
      'pg-sanitize-errors',
      `tables:
  users:
    columns:
      emial: email
      email: name
      salary: { date_shift: 5 }
      birth_date: email
      id: null
      bio: { fixed: 1, other: 2 }
  missing_table: { rows: truncate }
  Orders: { rows: truncate }
  public.sessions:
    columns: { token: frobnicate }
`,
    );
    const run = await cli(['backup', '--database-url', server.url('shop'), '--sanitize', rules], {
      cwd: dir,
      env: env(),
    });
    expect(run.status).toBe(2);
    const lines = run.stderr.split('\n');
    const expected = [
      /sanitize\.yml: table public\.sessions, column token: unknown transformer "frobnicate"/,
    ];
    for (const pattern of expected) expect(run.stderr).toMatch(pattern);
    expect(files(path.join(dir, 'backups'))).toEqual([]);
    const second = workspace(
      'pg-sanitize-errors-2',
      `tables:
  users:
    columns:
      emial: email
      email: name
      salary: { date_shift: 5 }
      birth_date: email
      id: null
  missing_table: { rows: truncate }
  Orders: { rows: truncate }
`,
    );
    const checked = await cli(
      ['backup', '--database-url', server.url('shop'), '--sanitize', second.rules],
      {
        cwd: second.dir,
        env: env(),
      },
    );
    expect(checked.status).toBe(2);
    for (const pattern of [
      /sanitize\.yml: table users, column emial: no such column/,
      /sanitize\.yml: table users, column salary: date_shift applies to dates and timestamps, and the column is numeric\(12,2\)/,
      /sanitize\.yml: table users, column birth_date: email writes text, and the column is date/,
      /sanitize\.yml: table users, column id: is NOT NULL, so null cannot apply/,
      /sanitize\.yml: table missing_table: no such table in the database/,
      /sanitize\.yml: table Orders: no such table in the database \(did you mean public\.orders\?\)/,
      /sanitize\.yml: table public\.users, column email: name can give different values the same result, and \(email\) must stay unique/,
      /sanitize\.yml: table public\.orders, column user_email: references public\.users\.email, which is masked with name/,
    ]) {
      expect(checked.stderr).toMatch(pattern);
    }
    expect(checked.stderr.split('\n').length).toBeGreaterThanOrEqual(9);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(files(path.join(second.dir, 'backups'))).toEqual([]);
  });

  test('a fixed value the column type refuses is found before anything is written', async () => {
    const { dir, rules } = workspace(
      'pg-sanitize-fixed',
      'tables:\n  users:\n    columns:\n      birth_date: { fixed: not-a-date }\n',
    );
    const run = await cli(['backup', '--database-url', server.url('shop'), '--sanitize', rules], {
      cwd: dir,
      env: env(),
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /column birth_date: the fixed value "not-a-date" is not a valid date/,
    );
    expect(files(path.join(dir, 'backups'))).toEqual([]);
  });

  test('columns that look personal and have no rule: warned, in the manifest; refused with --sanitize-strict', async () => {
    await server.query('shop', 'ALTER TABLE orders ADD COLUMN customer_ip inet');
    try {
      const { dir, rules } = workspace('pg-sanitize-personal');
      const { run, result } = await sanitizedBackup(dir, rules);
      expect(run.stderr).toMatch(
        /1 column\(s\) look personal and no rule in sanitize\.yml names them .*: public\.orders\.customer_ip/,
      );
      expect(result.manifest.sanitized.unruledPersonalColumns).toEqual([
        'public.orders.customer_ip',
      ]);
      const strict = await cli(
        [
          'backup',
          '--database-url',
          server.url('shop'),
          '--sanitize',
          rules,
          '--sanitize-strict',
          '--backup-dir',
          'strict',
        ],
        { cwd: dir, env: env() },
      );
      expect(strict.status).toBe(2);
      expect(strict.stderr).toMatch(
        /sanitize-strict: 1 column\(s\) look personal and no rule names them: public\.orders\.customer_ip/,
      );
      expect(files(path.join(dir, 'strict'))).toEqual([]);
      fs.appendFileSync(rules, '  # reviewed\n');
      fs.writeFileSync(
        rules,
        RULES.replace('      note: text\n', '      note: text\n      customer_ip: keep\n'),
      );
      const reviewed = await cli(
        [
          'backup',
          '--database-url',
          server.url('shop'),
          '--sanitize',
          rules,
          '--sanitize-strict',
          '--backup-dir',
          'strict',
        ],
        { cwd: dir, env: env() },
      );
      expect(reviewed.status, reviewed.stderr).toBe(0);
    } finally {
      await server.query('shop', 'ALTER TABLE orders DROP COLUMN customer_ip');
    }
  });

  test('without a salt, or with a short one, --sanitize refuses', async () => {
    const { dir, rules } = workspace('pg-sanitize-nosalt');
    for (const salt of [null, 'x7q-salt']) {
      const run = await cli(['backup', '--database-url', server.url('shop'), '--sanitize', rules], {
        cwd: dir,
        env: env(salt),
      });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(salt ? /shorter than 16 characters/ : /sanitize needs a salt/);
    }
    const saltFile = path.join(dir, 'salt');
    fs.writeFileSync(saltFile, `${SALT}\n`);
    const fromFile = await cli(
      [
        'backup',
        '--database-url',
        server.url('shop'),
        '--sanitize',
        rules,
        '--sanitize-salt-file',
        saltFile,
      ],
      { cwd: dir, env: env(null) },
    );
    expect(fromFile.status, fromFile.stderr).toBe(0);
    expect(files(path.join(dir, 'backups'))).toHaveLength(2);
  });

  test('beside the real backup: its own targets and window; latest stays the real backup', async () => {
    const { dir, rules } = workspace('pg-sanitize-beside');
    const backupDir = path.join(dir, 'backups');
    const devDir = path.join(dir, 'dev');
    for (let run = 0; run < 2; run += 1) {
      const backup = await cli(
        [
          'backup',
          '--database-url',
          server.url('shop'),
          '--sanitize',
          rules,
          '--sanitize-storage',
          'local:dev',
          '--max-backups',
          '1',
          '--json',
        ],
        { cwd: dir, env: { ...env(), BACKUP_DIR: backupDir } },
      );
      expect(backup.status, backup.stderr).toBe(0);
      const result = JSON.parse(backup.stdout);
      expect(result.name).toMatch(/^postgres_backup_/);
      expect(result.sanitizedCopy.name).toMatch(/^postgres_sanitized_/);
      await new Promise((resolve) => setTimeout(resolve, 1100));
    }
    expect(files(backupDir).filter((n) => n.endsWith('.gz'))).toEqual([
      expect.stringMatching(/^postgres_backup_/),
    ]);
    expect(files(devDir).filter((n) => n.endsWith('.gz'))).toEqual([
      expect.stringMatching(/^postgres_sanitized_/),
    ]);
    const realSql = sqlOf(
      path.join(
        backupDir,
        files(backupDir).find((n) => n.endsWith('.gz'))!,
      ),
    );
    expect(realSql).toContain('Person1.Realname@Mailbox1.test');
    // A sanitized copy in the same place is never `latest`, and never pushes a real backup out.
    const instead = await sanitizedBackup(dir, rules, SALT, [
      '--backup-dir',
      backupDir,
      '--max-backups',
      '1',
    ]);
    expect(files(backupDir).filter((n) => n.endsWith('.gz'))).toEqual([
      expect.stringMatching(/^postgres_backup_/),
      instead.result.name,
    ]);
    const list = await cli(['list', '--backup-dir', backupDir, '--json'], { cwd: dir, env: {} });
    expect(
      JSON.parse(list.stdout)
        .backups.map((b: { kind: string }) => b.kind)
        .sort(),
    ).toEqual(['backup', 'sanitized']);
    await server.createDatabase('shop_real');
    // shop's latest is its real backup; restored into another database by that name.
    const latest = await cli(
      [
        'verify',
        'latest',
        '--quick',
        '--database-url',
        server.url('shop'),
        '--backup-dir',
        backupDir,
        '--json',
      ],
      { cwd: dir, env: { PATH: process.env.PATH } },
    );
    const latestName = JSON.parse(latest.stdout).name as string;
    expect(latestName).toMatch(/^postgres_backup_/);
    const restore = await cli(
      ['restore', latestName, '--database-url', server.url('shop_real'), '--backup-dir', backupDir],
      {
        cwd: dir,
        env: { PATH: process.env.PATH },
      },
    );
    expect(restore.status, restore.stderr).toBe(0);
    expect(restore.stdout).not.toMatch(/sanitized/);
    expect(
      await server.query(
        'shop_real',
        "SELECT count(*)::int AS n FROM users WHERE email LIKE 'Person%'",
      ),
    ).toEqual([{ n: 60 }]);
    const onlyDev = await cli(
      [
        'restore',
        'latest',
        '--database-url',
        server.url('shop_real'),
        '--backup-dir',
        devDir,
        '--yes',
      ],
      {
        cwd: dir,
        env: { PATH: process.env.PATH },
      },
    );
    expect(onlyDev.status).toBe(2);
    expect(onlyDev.stderr).toMatch(/it holds sanitized copies: name one, or use latest-sanitized/);
  });
});
