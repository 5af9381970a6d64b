import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cli, sourceEntry } from './support/cli.js';
import { startPostgres, type PgServer } from './support/postgres.js';
import { tempDir } from './support/tmp.js';
import { CopySanitizer } from '../src/sanitize/copy-sanitizer.js';
import { planSanitizing } from '../src/sanitize/plan.js';
import { parseRules } from '../src/sanitize/rules.js';
import { SqlQuotes } from '../src/sanitize/sql-quotes.js';
import { Masker } from '../src/sanitize/transformers.js';

const SALT = 'attack-the-sanitizer-salt-0123456789';

/**
 * Places where an original value could hide from the COPY rewriter: a child
 * table of an inheritance tree (its rows are in its own COPY block), a schema
 * and columns whose names need quotes, a stored generated column computed
 * from a masked one, a materialized view, a value long enough to be TOASTed,
 * the literal text `\N` beside a real NULL, many near-identical unique emails.
 */
const SCHEMA = `
  CREATE TABLE contacts (id int PRIMARY KEY, notes text, contact_email text);
  CREATE TABLE vip_contacts (level int) INHERITS (contacts);
  CREATE TABLE vip_gold (perks text) INHERITS (vip_contacts);
  INSERT INTO contacts VALUES (1, 'Parentnote secret one', 'parentrow@inherit.test');
  INSERT INTO vip_contacts VALUES (2, 'Childnote secret two', 'childrow@inherit.test', 1);
  INSERT INTO vip_gold VALUES (3, 'Grandchildnote secret three', 'grandchildrow@inherit.test', 2, 'spa');

  CREATE SCHEMA "Crm.Data";
  CREATE TABLE "Crm.Data"."Client List" (id int PRIMARY KEY, "E-Mail" text UNIQUE, "full ""quoted"" name" text, "Notiz" text);
  INSERT INTO "Crm.Data"."Client List" VALUES
    (1, 'quotedschema.one@crm.test', E'Quotedname\\\\One\\tTab', E'multi\\nline «ü» 😀 Quotednote'),
    (2, 'quotedschema.two@crm.test', NULL, '');

  CREATE TABLE accounts (
    id int PRIMARY KEY,
    email text UNIQUE,
    email_lower text GENERATED ALWAYS AS (lower(email)) STORED,
    essay text,
    marker text
  );
  INSERT INTO accounts (id, email, essay, marker) VALUES
    (1, 'Generated.Source@Accounts.test', repeat('Toastedsecretword ', 20000), E'\\\\N'),
    (2, NULL, NULL, NULL),
    (3, 'second.Generated@Accounts.test', '', E'back\\\\slash\\ttab\\nnewline Literalmarker');
  CREATE MATERIALIZED VIEW account_emails AS SELECT id, email, email_lower FROM accounts;

  CREATE TABLE subscribers (id int PRIMARY KEY, email varchar(80) NOT NULL UNIQUE);
  INSERT INTO subscribers SELECT i, 'similar' || i || '@subscribers.test' FROM generate_series(1, 20000) AS i;
`;

const RULES = `tables:
  contacts:
    columns:
      notes: text
      contact_email: email
  '"Crm.Data"."Client List"':
    columns:
      E-Mail: email
      'full "quoted" name': name
      Notiz: text
  accounts:
    columns:
      email: email
      essay: text
      marker: email
  subscribers:
    columns:
      email: email
`;

let server: PgServer;

beforeAll(async () => {
  server = await startPostgres();
  await server.createDatabase('attack', SCHEMA);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

function workspace(label: string, rules = RULES): { dir: string; rules: string } {
  const dir = tempDir(label);
  const file = path.join(dir, 'sanitize.yml');
  fs.writeFileSync(file, rules);
  return { dir, rules: file };
}

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  SANITIZE_SALT: SALT,
  ...extra,
});

function sqlOf(file: string): string {
  return gunzipSync(fs.readFileSync(file)).toString('utf8');
}

describe('sanitized PostgreSQL copies under attack', () => {
  test('inherited tables, quoted schema and column names, generated columns, matviews, TOAST, \\N: nothing original in the dump, and it restores', async () => {
    const { dir, rules } = workspace('attack-pg');
    const run = await cli(
      ['backup', '--database-url', server.url('attack'), '--sanitize', rules, '--json'],
      { cwd: dir, env: env() },
    );
    expect(run.status, run.stderr).toBe(0);
    const name = JSON.parse(run.stdout).name as string;
    const sql = sqlOf(path.join(dir, 'backups', name));
    for (const fragment of [
      'Parentnote',
      'Childnote',
      'Grandchildnote',
      'inherit.test',
      'crm.test',
      'Quotedname',
      'Quotednote',
      'Accounts.test',
      'accounts.test',
      'Toastedsecretword',
      'Literalmarker',
      'subscribers.test',
    ])
      expect(sql, fragment).not.toContain(fragment);

    await server.createDatabase('attack_dev');
    const restore = await cli(
      ['restore', name, '--database-url', server.url('attack_dev'), '--yes'],
      { cwd: dir, env: { PATH: process.env.PATH } },
    );
    expect(restore.status, restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(/sanitized copy/);
    // Every row of the inheritance tree is masked, the children's own columns kept.
    const tree = await server.query<{ id: number; notes: string; contact_email: string }>(
      'attack_dev',
      'SELECT id, notes, contact_email FROM contacts ORDER BY id',
    );
    expect(tree).toHaveLength(3);
    for (const row of tree) expect(row.contact_email).toMatch(/@example\.com$/);
    expect(await server.query('attack_dev', 'SELECT perks FROM vip_gold')).toEqual([
      { perks: 'spa' },
    ]);
    // The generated column and the materialized view are recomputed from the masked email.
    const accounts = await server.query<Record<string, string | null>>(
      'attack_dev',
      'SELECT a.id, a.email, a.email_lower, a.essay, a.marker, v.email AS view_email FROM accounts a JOIN account_emails v USING (id) ORDER BY id',
    );
    expect(accounts[0]!.email_lower).toBe(accounts[0]!.email!.toLowerCase());
    expect(accounts[0]!.view_email).toBe(accounts[0]!.email);
    expect(accounts[0]!.essay!.length).toBeGreaterThan(100_000);
    // The text "\\N" is a value (masked), NULL stays NULL.
    expect(accounts[0]!.marker).toMatch(/@example\.com$/);
    expect(accounts[1]).toMatchObject({ email: null, essay: null, marker: null });
    const quoted = await server.query<Record<string, string | null>>(
      'attack_dev',
      'SELECT * FROM "Crm.Data"."Client List" ORDER BY id',
    );
    expect(quoted[0]!['E-Mail']).toMatch(/@example\.com$/);
    expect(quoted[1]!['full "quoted" name']).toBeNull();
    // 20000 near-identical emails stay distinct under their unique key.
    expect(
      await server.query('attack_dev', 'SELECT count(DISTINCT email)::int AS n FROM subscribers'),
    ).toEqual([{ n: 20000 }]);
  }, 180_000);

  test('a rule naming an array or jsonb column is refused before anything is written: never passes originals', async () => {
    await server.createDatabase(
      'attack_arrays',
      `CREATE TABLE people (id int PRIMARY KEY, aliases text[], profile jsonb);
       INSERT INTO people VALUES (1, ARRAY['Arrayalias One', 'Arrayalias Two'], '{"email": "jsonbsecret@profile.test"}');`,
    );
    const { dir, rules } = workspace(
      'attack-pg-arrays',
      'tables:\n  people:\n    columns:\n      aliases: text\n      profile: hash\n',
    );
    const run = await cli(
      ['backup', '--database-url', server.url('attack_arrays'), '--sanitize', rules, '--json'],
      { cwd: dir, env: env() },
    );
    // A text transformer cannot reach inside an array or a jsonb document: refused, naming both.
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/column aliases: text writes text, and the column is text\[\]/);
    expect(run.stderr).toMatch(
      /column profile: hash writes text or a uuid, and the column is jsonb/,
    );
    expect(
      fs.existsSync(path.join(dir, 'backups')) ? fs.readdirSync(path.join(dir, 'backups')) : [],
    ).toEqual([]);
  }, 120_000);
});

describe('rules files and salts under attack', () => {
  const SMALL = `CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE, full_name text);
    CREATE TABLE orders (id int PRIMARY KEY, email text REFERENCES users(email));
    INSERT INTO users VALUES (1, 'Smallperson@Rules.test', 'Smallname One');
    INSERT INTO orders VALUES (1, 'Smallperson@Rules.test');`;
  let created = false;
  async function small(): Promise<string> {
    if (!created) await server.createDatabase('attack_small', SMALL);
    created = true;
    return server.url('attack_small');
  }

  async function refused(label: string, rules: string, extra: NodeJS.ProcessEnv = {}) {
    const { dir, rules: file } = workspace(label, rules);
    const run = await cli(['backup', '--database-url', await small(), '--sanitize', file], {
      cwd: dir,
      env: env(extra),
    });
    expect(run.status, run.stdout + run.stderr).toBe(2);
    expect(
      fs.existsSync(path.join(dir, 'backups')) ? fs.readdirSync(path.join(dir, 'backups')) : [],
    ).toEqual([]);
    return run.stderr;
  }

  test('a YAML merge key is refused with a message that says so; duplicate keys and unknown transformers are refused', async () => {
    expect(
      await refused(
        'attack-merge',
        'tables:\n  users:\n    columns:\n      <<: { email: email }\n      full_name: name\n',
      ),
    ).toMatch(/table users: YAML merge keys \(<<\) are not read/);
    expect(
      await refused(
        'attack-dup',
        'tables:\n  users:\n    columns:\n      email: email\n      email: keep\n',
      ),
    ).toMatch(/line 5: Map keys must be unique/);
    expect(
      await refused('attack-unknown', 'tables:\n  users:\n    columns:\n      email: scramble\n'),
    ).toMatch(/column email: unknown transformer "scramble"/);
    expect(
      await refused('attack-short-salt', 'tables:\n  users:\n    columns: { email: email }\n', {
        SANITIZE_SALT: 'fifteen-chars!!',
      }),
    ).toMatch(/shorter than 16 characters/);
  }, 120_000);

  test('an alias of a whole columns mapping works; a salt file with a trailing newline gives the copy the same salt gives from the environment', async () => {
    const rules =
      'tables:\n  users:\n    columns: &mail\n      email: email\n  orders:\n    columns: *mail\n';
    const { dir, rules: file } = workspace('attack-alias', rules);
    fs.writeFileSync(path.join(dir, 'salt'), `${SALT}\n`);
    const fromEnv = await cli(
      ['backup', '--database-url', await small(), '--sanitize', file, '--json'],
      { cwd: dir, env: env() },
    );
    expect(fromEnv.status, fromEnv.stderr).toBe(0);
    const fromFile = await cli(
      [
        'backup',
        '--database-url',
        await small(),
        '--sanitize',
        file,
        '--sanitize-salt-file',
        path.join(dir, 'salt'),
        '--backup-dir',
        path.join(dir, 'second'),
        '--json',
      ],
      { cwd: dir, env: { PATH: process.env.PATH } },
    );
    expect(fromFile.status, fromFile.stderr).toBe(0);
    const data = (file: string): string =>
      sqlOf(file)
        .split('\n')
        .filter((line) => !line.startsWith('\\') && !line.startsWith('--'))
        .join('\n');
    const first = data(path.join(dir, 'backups', JSON.parse(fromEnv.stdout).name));
    const second = data(path.join(dir, 'second', JSON.parse(fromFile.stdout).name));
    expect(first).not.toContain('Rules.test');
    expect(first).toMatch(/@example\.com/);
    expect(second).toBe(first);
  }, 120_000);
});

describe('sanitizing with encryption', () => {
  test('--sanitize-storage beside an encrypted backup: both encrypted, gpg opens the copy, nothing original and no salt inside, restore says sanitized', async () => {
    const { dir, rules } = workspace('attack-encrypted');
    const passFile = path.join(dir, 'pass');
    fs.writeFileSync(passFile, 'encrypted dev copy passphrase\n');
    const run = await cli(
      [
        'backup',
        '--database-url',
        server.url('attack'),
        '--passphrase-file',
        passFile,
        '--sanitize',
        rules,
        '--sanitize-storage',
        'local:dev',
        '--json',
      ],
      { cwd: dir, env: env() },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(SALT);
    const devFiles = fs.readdirSync(path.join(dir, 'dev'));
    const copy = devFiles.find((name) => name.endsWith('.sql.gz.gpg'));
    expect(copy, devFiles.join(', ')).toMatch(/^postgres_sanitized_\d{8}_\d{6}\.sql\.gz\.gpg$/);
    expect(
      fs
        .readdirSync(path.join(dir, 'backups'))
        .some((n) => n.startsWith('postgres_backup_') && n.endsWith('.gpg')),
    ).toBe(true);
    const manifest = fs.readFileSync(path.join(dir, 'dev', `${copy}.json`), 'utf8');
    expect(manifest).not.toContain(SALT);
    expect(JSON.parse(manifest)).toMatchObject({
      kind: 'sanitized',
      encryption: { mode: 'passphrase' },
    });
    const decrypted = path.join(dir, 'copy.sql.gz');
    const gpg = spawnSync('gpg', [
      '--batch',
      '--pinentry-mode',
      'loopback',
      '--homedir',
      fs.mkdtempSync(path.join(dir, 'gnupg-')),
      '--passphrase-file',
      passFile,
      '--output',
      decrypted,
      '--decrypt',
      path.join(dir, 'dev', copy!),
    ]);
    expect(gpg.status, gpg.stderr.toString()).toBe(0);
    const sql = sqlOf(decrypted);
    expect(sql).toContain('COPY public.contacts');
    for (const fragment of ['Parentnote', 'Childnote', 'inherit.test', 'Toastedsecretword', SALT])
      expect(sql, fragment).not.toContain(fragment);

    await server.createDatabase('attack_enc_dev');
    const restore = await cli(
      [
        'restore',
        'latest-sanitized',
        '--backup-dir',
        path.join(dir, 'dev'),
        '--database-url',
        server.url('attack_enc_dev'),
        '--passphrase-file',
        passFile,
        '--yes',
      ],
      { cwd: dir, env: { PATH: process.env.PATH } },
    );
    expect(restore.status, restore.stderr).toBe(0);
    expect(restore.stdout + restore.stderr).toMatch(/sanitized copy/);
  }, 180_000);
});

describe('names pg_dump cannot write on one line', () => {
  test('a ruled table whose name, or any of whose column names, holds a newline is refused before anything is written', async () => {
    await server.createDatabase(
      'attack_newline',
      `CREATE TABLE "two
lines" (id int PRIMARY KEY, email text);
       INSERT INTO "two
lines" VALUES (1, 'Newlineperson@Splitheader.test');
       CREATE TABLE plain (id int PRIMARY KEY, "odd
column" text, email text);
       INSERT INTO plain VALUES (1, 'x', 'Plainperson@Splitheader.test');`,
    );
    for (const [label, rules, named] of [
      [
        'table',
        'tables:\n  "\\"two\\nlines\\"":\n    columns:\n      email: email\n',
        /table public\.two\nlines: "public\.two\\nlines" holds a line break/,
      ],
      [
        'column',
        'tables:\n  plain:\n    columns:\n      email: email\n',
        /table public\.plain: "odd\\ncolumn" holds a line break/,
      ],
    ] as const) {
      const { dir, rules: file } = workspace(`attack-newline-${label}`, rules);
      const run = await cli(
        ['backup', '--database-url', server.url('attack_newline'), '--sanitize', file],
        { cwd: dir, env: env() },
      );
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toMatch(named);
      expect(
        fs.existsSync(path.join(dir, 'backups')) ? fs.readdirSync(path.join(dir, 'backups')) : [],
      ).toEqual([]);
    }
  }, 120_000);
});

describe('dumps that are not what the sanitizer expects', () => {
  test('--format custom with --sanitize is refused before anything is written', async () => {
    const { dir, rules } = workspace('attack-format');
    const run = await cli(
      ['backup', '--database-url', server.url('attack'), '--sanitize', rules, '--format', 'custom'],
      { cwd: dir, env: env() },
    );
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/use format plain for sanitized copies/);
    expect(
      fs.existsSync(path.join(dir, 'backups')) ? fs.readdirSync(path.join(dir, 'backups')) : [],
    ).toEqual([]);
  }, 60_000);

  test.each(['--inserts', '--column-inserts', '--rows-per-insert=50'])(
    'a pg_dump wrapper that writes rows as INSERT statements (%s) keeps nothing: its rows would pass unmasked',
    async (flag) => {
      const pgDump =
        ['/usr/lib/postgresql']
          .flatMap((root) =>
            fs.existsSync(root)
              ? fs.readdirSync(root).map((major) => path.join(root, major, 'bin/pg_dump'))
              : [],
          )
          .filter((file) => fs.existsSync(file))
          .sort()
          .pop() ?? 'pg_dump';
      const { dir, rules } = workspace(`attack-inserts${flag.replace(/\W/g, '-')}`);
      const wrapper = path.join(dir, 'pg_dump-inserts');
      fs.writeFileSync(
        wrapper,
        `#!/bin/sh\nif [ "$1" = "--version" ]; then exec "${pgDump}" --version; fi\nexec "${pgDump}" ${flag} "$@"\n`,
        { mode: 0o755 },
      );
      const run = await cli(
        [
          'backup',
          '--database-url',
          server.url('attack'),
          '--sanitize',
          rules,
          '--pg-dump-path',
          wrapper,
        ],
        { cwd: dir, env: env() },
      );
      expect(run.status, run.stderr).toBe(1);
      expect(run.stderr).toMatch(/incomplete|nothing was kept|discarded/);
      const kept = fs.existsSync(path.join(dir, 'backups'))
        ? allFiles(path.join(dir, 'backups'))
        : [];
      for (const file of kept) {
        const bytes = fs.readFileSync(file);
        const text = file.endsWith('.gz') ? gunzipSync(bytes).toString() : bytes.toString();
        expect(text, file).not.toContain('Parentnote');
      }
      expect(kept.filter((file) => !path.basename(file).startsWith('.'))).toEqual([]);
    },
    120_000,
  );
});

describe('rules through inheritance and nested partitions', () => {
  test("an inheriting table's own rule wins over its parent's; a sub-partitioned table's rule reaches every leaf", async () => {
    await server.createDatabase(
      'attack_tree',
      `CREATE TABLE people (id int, note text, mail text);
       CREATE TABLE staff (badge text) INHERITS (people);
       INSERT INTO people VALUES (1, 'Parentsecret note', 'Treeparent@Tree.test');
       INSERT INTO staff VALUES (2, 'Staffsecret note', 'Treestaff@Tree.test', 'B-7');
       CREATE TABLE visits (id int, region text, at date, visitor text) PARTITION BY LIST (region);
       CREATE TABLE visits_eu PARTITION OF visits FOR VALUES IN ('eu') PARTITION BY RANGE (at);
       CREATE TABLE visits_eu_2026 PARTITION OF visits_eu FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
       CREATE TABLE visits_other PARTITION OF visits DEFAULT;
       INSERT INTO visits VALUES (1, 'eu', '2026-03-01', 'Nestedvisitor@Tree.test'), (2, 'us', '2026-03-01', 'Defaultvisitor@Tree.test');`,
    );
    const { dir, rules } = workspace(
      'attack-tree',
      `tables:
  staff:
    columns:
      note: { fixed: 'staff note' }
  people:
    columns:
      note: text
      mail: email
  visits:
    columns:
      visitor: email
`,
    );
    const run = await cli(
      ['backup', '--database-url', server.url('attack_tree'), '--sanitize', rules, '--json'],
      { cwd: dir, env: env() },
    );
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    const sql = sqlOf(path.join(dir, 'backups', result.name));
    for (const fragment of ['Tree.test', 'Parentsecret', 'Staffsecret'])
      expect(sql, fragment).not.toContain(fragment);
    expect(result.manifest.sanitized.unruledPersonalColumns).toEqual([]);
    await server.createDatabase('attack_tree_dev');
    const restore = await cli(
      ['restore', result.name, '--database-url', server.url('attack_tree_dev'), '--yes'],
      { cwd: dir, env: { PATH: process.env.PATH } },
    );
    expect(restore.status, restore.stderr).toBe(0);
    expect(await server.query('attack_tree_dev', 'SELECT note, badge FROM staff')).toEqual([
      { note: 'staff note', badge: 'B-7' },
    ]);
    const [parent] = await server.query<{ note: string }>(
      'attack_tree_dev',
      'SELECT note FROM ONLY people',
    );
    expect(parent!.note).not.toBe('staff note');
    expect(
      await server.query(
        'attack_tree_dev',
        "SELECT count(*)::int AS n FROM visits WHERE visitor LIKE '%@example.com'",
      ),
    ).toEqual([{ n: 2 }]);
  }, 120_000);
});

describe('constraints masked values may fail', () => {
  test('CHECK constraints on masked columns (on the table or its domain) are warned about before the dump; the copy they fail does not restore', async () => {
    await server.createDatabase(
      'attack_checks',
      `CREATE DOMAIN shop_mail AS text CHECK (VALUE LIKE '%@shop.test');
       CREATE TABLE u (id int PRIMARY KEY, email shop_mail, phone text CONSTRAINT german_phone CHECK (phone LIKE '+49%'), note text CHECK (note <> 'x'));
       INSERT INTO u VALUES (1, 'checked@shop.test', '+49 170 1', 'fine');`,
    );
    const { dir, rules } = workspace(
      'attack-checks',
      'tables:\n  u:\n    columns: { email: email, phone: phone, note: null }\n',
    );
    const run = await cli(
      ['backup', '--database-url', server.url('attack_checks'), '--sanitize', rules, '--json'],
      { cwd: dir, env: env() },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /2 masked column\(s\) are tested by CHECK constraints that masked values may fail.*public\.u\.email \(shop_mail_check\), public\.u\.phone \(german_phone\)/,
    );
    await server.createDatabase('attack_checks_dev');
    const restore = await cli(
      [
        'restore',
        JSON.parse(run.stdout).name,
        '--database-url',
        server.url('attack_checks_dev'),
        '--yes',
      ],
      { cwd: dir, env: { PATH: process.env.PATH } },
    );
    expect(restore.status).toBe(1);
    expect(restore.stderr).toMatch(/violates check constraint/);
  }, 120_000);
});

describe('values too large to mask', () => {
  test('a masked value over 64 MiB fails the job and keeps nothing; null on the same column passes', async () => {
    await server.createDatabase(
      'attack_huge',
      `CREATE TABLE docs (id int PRIMARY KEY, body text);
       INSERT INTO docs VALUES (1, repeat('Hugesecretvalue ', 4400000)), (2, 'small');`,
    );
    const { dir, rules } = workspace(
      'attack-huge',
      'tables:\n  docs:\n    columns: { body: text }\n',
    );
    const run = await cli(
      ['backup', '--database-url', server.url('attack_huge'), '--sanitize', rules],
      { cwd: dir, env: env() },
    );
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toMatch(
      /a value of public\.docs is larger than 64 MiB.*mask that column with null or fixed/,
    );
    expect(run.stderr).not.toContain('Hugesecretvalue');
    const backups = path.join(dir, 'backups');
    expect(fs.existsSync(backups) ? fs.readdirSync(backups) : []).toEqual([]);

    fs.writeFileSync(rules, 'tables:\n  docs:\n    columns: { body: null }\n');
    const nulled = await cli(
      ['backup', '--database-url', server.url('attack_huge'), '--sanitize', rules, '--json'],
      { cwd: dir, env: env() },
    );
    expect(nulled.status, nulled.stderr).toBe(0);
    expect(sqlOf(path.join(backups, JSON.parse(nulled.stdout).name))).not.toContain(
      'Hugesecretvalue',
    );
  }, 180_000);
});

const SQLITE_RULES = `tables:
  "Client List":
    columns:
      E-Mail: email
      'full "quoted" name': name
  notes:
    columns:
      body: text
  logins:
    columns:
      email: email
  posts:
    columns:
      author_email: email
`;

/** Writes, deletes and leaves the last transaction in the WAL only (a connection still open). */
function createSqliteApp(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec(`
    CREATE TABLE "Client List" (id INTEGER PRIMARY KEY, "E-Mail" TEXT UNIQUE, "full ""quoted"" name" TEXT);
    CREATE INDEX client_mail_lower ON "Client List"(lower("E-Mail"));
    CREATE VIRTUAL TABLE notes USING fts5(body);
    CREATE TABLE logins (email TEXT PRIMARY KEY, at INTEGER) WITHOUT ROWID;
    CREATE TABLE posts (id INTEGER PRIMARY KEY, author_email TEXT REFERENCES logins(email), body TEXT,
      author_lower TEXT GENERATED ALWAYS AS (lower(author_email)) STORED);
    CREATE INDEX posts_author ON posts(author_email) WHERE author_email LIKE '%@%';
  `);
  const insertClient = db.prepare('INSERT INTO "Client List" VALUES (?, ?, ?)');
  const insertNote = db.prepare('INSERT INTO notes (body) VALUES (?)');
  const insertLogin = db.prepare('INSERT INTO logins VALUES (?, ?)');
  const insertPost = db.prepare('INSERT INTO posts (author_email, body) VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= 300; i += 1) {
      insertClient.run(i, `Sqliteclient${i}@Quoted.test`, `Clientname${i} \\ \t 😀`);
      insertNote.run(
        `Ftssecretword${i} about Noteperson${i} ${'Overflowfiller '.repeat(i === 7 ? 8000 : 1)}`,
      );
      insertLogin.run(`Loginperson${i}@Withoutrowid.test`, i);
      insertPost.run(`Loginperson${i}@Withoutrowid.test`, `post ${i}`);
    }
  })();
  // Deleted rows leave their values in free pages of the live file.
  db.exec(`DELETE FROM "Client List" WHERE id > 250`);
  // The last transaction stays in the WAL: the snapshot must see it, masked.
  db.prepare('INSERT INTO logins VALUES (?, ?)').run('Walonlyperson@Writeahead.test', 0);
  db.prepare('INSERT INTO notes (body) VALUES (?)').run('Walonlynote Ftssecretword');
  return db;
}

describe('sanitized SQLite copies under attack', () => {
  test('quoted names, FTS5 own content, WITHOUT ROWID keys, expression and partial indexes, overflow pages, WAL-only rows: nothing original in the bytes', async () => {
    const dir = tempDir('attack-sqlite');
    const database = path.join(dir, 'app.db');
    const rules = path.join(dir, 'sanitize.yml');
    fs.writeFileSync(rules, SQLITE_RULES);
    const live = createSqliteApp(database);
    try {
      expect(fs.statSync(`${database}-wal`).size).toBeGreaterThan(0);
      const run = await cli(
        ['backup', '--database-url', `file:${database}`, '--sanitize', rules, '--json'],
        { cwd: dir, env: env() },
      );
      expect(run.status, run.stderr).toBe(0);
      const name = JSON.parse(run.stdout).name as string;
      const bytes = gunzipSync(fs.readFileSync(path.join(dir, 'backups', name)));
      const text = bytes.toString('latin1');
      for (const fragment of [
        'Sqliteclient',
        'sqliteclient',
        'Quoted.test',
        'quoted.test',
        'Clientname',
        'Ftssecretword',
        'ftssecretword',
        'Noteperson',
        'noteperson',
        'Overflowfiller',
        'overflowfiller',
        'Loginperson',
        'loginperson',
        'Withoutrowid',
        'withoutrowid',
        'Walonly',
        'walonly',
      ])
        expect(text.includes(fragment), fragment).toBe(false);

      const restored = path.join(dir, 'restored.db');
      fs.writeFileSync(restored, bytes);
      const copy = new Database(restored, { readonly: true });
      try {
        expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(copy.prepare('SELECT count(*) AS n FROM logins').get()).toEqual({ n: 301 });
        expect(copy.prepare('SELECT count(*) AS n FROM notes').get()).toEqual({ n: 301 });
        // References through the masked key still join; the generated column follows.
        expect(
          copy
            .prepare(
              'SELECT count(*) AS n FROM posts p JOIN logins l ON l.email = p.author_email WHERE p.author_lower = lower(l.email)',
            )
            .get(),
        ).toEqual({ n: 300 });
        // The full-text index answers from masked words only.
        expect(
          copy.prepare("SELECT count(*) AS n FROM notes WHERE notes MATCH 'Ftssecretword*'").get(),
        ).toEqual({ n: 0 });
        expect(copy.prepare('SELECT count(*) AS n FROM "Client List"').get()).toEqual({ n: 250 });
      } finally {
        copy.close();
      }
    } finally {
      live.close();
    }
  }, 120_000);
});

/** Every file under a directory, however deep. */
function allFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .flatMap((entry) => (entry.isFile() ? [path.join(entry.parentPath, entry.name)] : []));
}

describe('interrupted sanitizing', () => {
  test('SIGTERM while the SQLite snapshot is being masked leaves no unmasked copy anywhere', async () => {
    const dir = tempDir('attack-sigterm');
    const tmp = path.join(dir, 'tmp');
    fs.mkdirSync(tmp);
    const database = path.join(dir, 'app.db');
    const db = new Database(database);
    db.exec('CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT UNIQUE, bio TEXT)');
    const insert = db.prepare('INSERT INTO people (email, bio) VALUES (?, ?)');
    db.transaction(() => {
      for (let i = 0; i < 150_000; i += 1)
        insert.run(`Sigtermperson${i}@Interrupted.test`, `Sigtermbio ${i} `.repeat(4));
    })();
    db.close();
    fs.writeFileSync(
      path.join(dir, 'sanitize.yml'),
      'tables:\n  people:\n    columns: { email: email, bio: text }\n',
    );
    const child = spawn(
      process.execPath,
      [sourceEntry('cli'), 'backup', '--database-url', 'file:app.db', '--sanitize', 'sanitize.yml'],
      {
        cwd: dir,
        env: { PATH: process.env.PATH, SANITIZE_SALT: SALT, TMPDIR: tmp },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Interrupt once the private snapshot (in TMPDIR) exists: it is copied or masked then.
    const backups = path.join(dir, 'backups');
    const snapshotExists = (): boolean =>
      allFiles(tmp).some((file) => path.basename(file).includes('snapshot-'));
    for (let i = 0; i < 3000 && !snapshotExists() && child.exitCode === null; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 5));
    expect(child.exitCode, stderr).toBeNull();
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(143);
    const leftovers = allFiles(dir).filter(
      (file) => !file.startsWith(database) && !file.endsWith('sanitize.yml'),
    );
    for (const file of leftovers)
      expect(fs.readFileSync(file).includes('Interrupted.test'), file).toBe(false);
    expect(fs.existsSync(backups) ? allFiles(backups) : []).toEqual([]);
  }, 120_000);
});

describe('sanitized copies beside regular backups in one place', () => {
  test('each window prunes only its own kind; latest is never a sanitized copy, however new; restoring one says so', async () => {
    const dir = tempDir('attack-windows');
    const database = path.join(dir, 'app.db');
    const db = new Database(database);
    db.exec(
      "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO users (email) VALUES ('Windowperson@Original.test')",
    );
    db.close();
    fs.writeFileSync(
      path.join(dir, 'sanitize.yml'),
      'tables:\n  users:\n    columns: { email: email }\n',
    );
    const at = (day: number) => () => new Date(Date.UTC(2026, 10, day, 2, 0, 0));
    const backup = async (day: number, sanitized: boolean) => {
      const run = await cli(
        [
          'backup',
          '--database-url',
          'file:app.db',
          '--max-backups',
          '1',
          ...(sanitized ? ['--sanitize', 'sanitize.yml'] : []),
        ],
        { cwd: dir, env: env(), now: at(day) },
      );
      expect(run.status, run.stderr).toBe(0);
    };
    await backup(1, false);
    await backup(2, true);
    await backup(3, false);
    await backup(4, true);
    const names = fs
      .readdirSync(path.join(dir, 'backups'))
      .filter((n) => !n.endsWith('.json'))
      .sort();
    expect(names).toEqual([
      'sqlite_backup_20261103_020000.db.gz',
      'sqlite_sanitized_20261104_020000.db.gz',
    ]);

    fs.rmSync(database);
    const latest = await cli(['restore', 'latest', '--database-url', 'file:app.db', '--yes'], {
      cwd: dir,
      env: { PATH: process.env.PATH },
      now: at(5),
    });
    expect(latest.status, latest.stderr).toBe(0);
    expect(latest.stdout + latest.stderr).toMatch(/sqlite_backup_20261103_020000/);
    expect(latest.stdout + latest.stderr).not.toMatch(/sanitized/);
    const restored = new Database(database, { readonly: true });
    expect(restored.prepare('SELECT email FROM users').get()).toEqual({
      email: 'Windowperson@Original.test',
    });
    restored.close();

    const dev = await cli(
      ['restore', 'latest-sanitized', '--database-url', 'file:dev.db', '--yes'],
      {
        cwd: dir,
        env: { PATH: process.env.PATH },
        now: at(5),
      },
    );
    expect(dev.status, dev.stderr).toBe(0);
    expect(dev.stdout).toMatch(/sanitized copy/);
    const copy = new Database(path.join(dir, 'dev.db'), { readonly: true });
    expect((copy.prepare('SELECT email FROM users').get() as { email: string }).email).toMatch(
      /@example\.com$/,
    );
    copy.close();
  }, 120_000);
});

describe('null and fixed across chunk boundaries', () => {
  test('a NULL split between chunks stays NULL and any other value, however split, becomes the fixed value or NULL', async () => {
    const column = (name: string) => ({
      name,
      typeName: 'text',
      category: 'text' as const,
      notNull: false,
      generated: false,
    });
    const plan = planSanitizing(
      await parseRules(
        Buffer.from('tables:\n  t:\n    columns: { a: null, b: { fixed: "F\\tX" } }\n'),
        'rules.yml',
      ),
      {
        engine: 'postgres',
        utf8: true,
        tables: new Map([
          ['public.t', { name: 'public.t', columns: [column('id'), column('a'), column('b')] }],
        ]),
        uniqueKeys: [],
        foreignKeys: [],
      },
    );
    const dump = [
      'COPY public.t (id, a, b) FROM stdin;',
      '1\t\\N\t\\N',
      '2\tNullsecret one\tFixedsecret one',
      '3\t\\\\N\t\\\\N',
      '4\tab\tcd',
      '5\t\t',
      '\\.',
      '',
    ].join('\n');
    const run = async (size: number) => {
      const bytes = Buffer.from(dump);
      const pieces: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += size) pieces.push(bytes.subarray(at, at + size));
      return (
        await buffer(Readable.from(pieces).pipe(new CopySanitizer(plan, new Masker(SALT))))
      ).toString();
    };
    const whole = await run(dump.length);
    expect(whole).toBe(
      [
        'COPY public.t (id, a, b) FROM stdin;',
        '1\t\\N\t\\N',
        '2\t\\N\tF\\tX',
        '3\t\\N\tF\\tX',
        '4\t\\N\tF\\tX',
        '5\t\\N\tF\\tX',
        '\\.',
        '',
      ].join('\n'),
    );
    for (const size of [1, 2, 3, 4, 5, 7, 11])
      expect(await run(size), `chunks of ${size}`).toBe(whole);
  });
});

describe('guard rails on odd shapes', () => {
  test('--sanitize-strict names the personal-looking columns an inheriting table adds to its ruled parent', async () => {
    await server.createDatabase(
      'attack_strict_tree',
      `CREATE TABLE people (id int, email text);
       CREATE TABLE customers (phone text) INHERITS (people);`,
    );
    const { dir, rules } = workspace(
      'attack-strict-tree',
      'tables:\n  people:\n    columns: { email: email }\n',
    );
    const run = await cli(
      [
        'backup',
        '--database-url',
        server.url('attack_strict_tree'),
        '--sanitize',
        rules,
        '--sanitize-strict',
      ],
      { cwd: dir, env: env() },
    );
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toMatch(
      /sanitize-strict: 1 column\(s\) look personal and no rule names them: public\.customers\.phone\./,
    );
  }, 60_000);

  test('SQLite: a rule naming a view, or a table in the wrong case, is refused before anything is written', async () => {
    const dir = tempDir('attack-sqlite-view');
    const db = new Database(path.join(dir, 'app.db'));
    db.exec(
      "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); CREATE VIEW user_mails AS SELECT email FROM users; INSERT INTO users (email) VALUES ('Viewperson@View.test')",
    );
    db.close();
    fs.writeFileSync(
      path.join(dir, 'sanitize.yml'),
      'tables:\n  user_mails:\n    columns: { email: email }\n  Users:\n    columns: { email: email }\n',
    );
    const run = await cli(
      ['backup', '--database-url', 'file:app.db', '--sanitize', 'sanitize.yml'],
      {
        cwd: dir,
        env: env(),
      },
    );
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/table user_mails: no such table in the database/);
    expect(run.stderr).toMatch(
      /table Users: no such table in the database \(did you mean users\?\)/,
    );
    expect(
      fs.existsSync(path.join(dir, 'backups')) ? fs.readdirSync(path.join(dir, 'backups')) : [],
    ).toEqual([]);
  });
});

describe('truncating a tree', () => {
  test('rows: truncate on an inheritance parent and on a partitioned table empties every child; the copy restores and verifies', async () => {
    await server.createDatabase(
      'attack_truncate_tree',
      `CREATE TABLE audit (id int, detail text);
       CREATE TABLE audit_2026 () INHERITS (audit);
       INSERT INTO audit VALUES (1, 'Auditparent secret');
       INSERT INTO audit_2026 VALUES (2, 'Auditchild secret');
       CREATE TABLE tokens (id int, at date, token text) PARTITION BY RANGE (at);
       CREATE TABLE tokens_2026 PARTITION OF tokens FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
       INSERT INTO tokens VALUES (1, '2026-05-01', 'Tokensecret');
       CREATE TABLE kept (id int PRIMARY KEY);
       INSERT INTO kept VALUES (1), (2);`,
    );
    const { dir, rules } = workspace(
      'attack-truncate-tree',
      'tables:\n  audit: { rows: truncate }\n  tokens: { rows: truncate }\n',
    );
    const run = await cli(
      [
        'backup',
        '--database-url',
        server.url('attack_truncate_tree'),
        '--sanitize',
        rules,
        '--json',
      ],
      { cwd: dir, env: env() },
    );
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    const sql = sqlOf(path.join(dir, 'backups', result.name));
    for (const fragment of ['Auditparent', 'Auditchild', 'Tokensecret'])
      expect(sql).not.toContain(fragment);
    expect(result.manifest.tables).toEqual([
      { name: 'public.audit', rows: 0 },
      { name: 'public.audit_2026', rows: 0 },
      { name: 'public.kept', rows: 2 },
      { name: 'public.tokens_2026', rows: 0 },
    ]);
    const verify = await cli(
      ['verify', result.name, '--verify-database-url', server.url('postgres')],
      { cwd: dir, env: { PATH: process.env.PATH } },
    );
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
  }, 120_000);
});

describe('SQLite constraints masked values fail', () => {
  test('a CHECK that a masked value fails stops the job at backup time, keeps nothing and quotes no value', async () => {
    const dir = tempDir('attack-sqlite-check');
    const db = new Database(path.join(dir, 'app.db'));
    db.exec(
      "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT CHECK (email LIKE '%@shop.test')); INSERT INTO users (email) VALUES ('Checkperson@shop.test')",
    );
    db.close();
    fs.writeFileSync(
      path.join(dir, 'sanitize.yml'),
      'tables:\n  users:\n    columns: { email: email }\n',
    );
    const run = await cli(
      ['backup', '--database-url', 'file:app.db', '--sanitize', 'sanitize.yml'],
      {
        cwd: dir,
        env: env(),
      },
    );
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/CHECK constraint failed/);
    expect(run.stderr).not.toContain('Checkperson');
    const backups = path.join(dir, 'backups');
    expect(fs.existsSync(backups) ? fs.readdirSync(backups) : []).toEqual([]);
    expect(allFiles(dir).filter((file) => path.basename(file).includes('snapshot-'))).toEqual([]);
  });
});

describe('column names that look like COPY syntax', () => {
  test('names holding commas, parentheses, quotes, tabs and "FROM stdin;" are followed: the right field is masked', async () => {
    await server.createDatabase(
      'attack_syntax',
      `CREATE TABLE "x) FROM stdin; COPY" (id int PRIMARY KEY, "a, b" text, "c"")" text, "tab	col" text, "d) FROM stdin;" text);
       INSERT INTO "x) FROM stdin; COPY" VALUES (1, 'Commasecret', 'Keptvalue one', 'Tabsecret', 'Fromsecret');`,
    );
    const { dir, rules } = workspace(
      'attack-syntax',
      `tables:\n  '"x) FROM stdin; COPY"':\n    columns:\n      'a, b': text\n      "tab\\tcol": text\n      'd) FROM stdin;': email\n`,
    );
    const run = await cli(
      ['backup', '--database-url', server.url('attack_syntax'), '--sanitize', rules, '--json'],
      { cwd: dir, env: env() },
    );
    expect(run.status, run.stderr).toBe(0);
    const sql = sqlOf(path.join(dir, 'backups', JSON.parse(run.stdout).name));
    for (const fragment of ['Commasecret', 'Tabsecret', 'Fromsecret'])
      expect(sql).not.toContain(fragment);
    expect(sql).toContain('Keptvalue one');
  }, 60_000);
});

describe('SQL text that looks like a COPY header', () => {
  test('a COPY header line inside a multi-line comment literal or a dollar-quoted function body does not throw the masking off its real COPY blocks', async () => {
    await server.createDatabase(
      'attack_fake_header',
      `CREATE TABLE a_first (id int PRIMARY KEY, secret text, other text);
       CREATE TABLE users (id int PRIMARY KEY, email text);
       INSERT INTO a_first VALUES (1, 'Fakeheadersecret', 'plain');
       INSERT INTO users VALUES (1, 'Fakeheaderperson@Users.test');
       COMMENT ON TABLE users IS E'how to load:\\nCOPY public.nothing (id) FROM stdin;\\nthat is all';
       CREATE FUNCTION loader() RETURNS text LANGUAGE sql AS $body$ SELECT 'Kept$$ body
COPY public.nothing (id) FROM stdin;
'::text $body$;`,
    );
    const { dir, rules } = workspace(
      'attack-fake-header',
      'tables:\n  a_first:\n    columns: { secret: text }\n  users:\n    columns: { email: email }\n',
    );
    const run = await cli(
      ['backup', '--database-url', server.url('attack_fake_header'), '--sanitize', rules, '--json'],
      { cwd: dir, env: env() },
    );
    expect(run.status, run.stderr).toBe(0);
    const sql = sqlOf(path.join(dir, 'backups', JSON.parse(run.stdout).name));
    expect(sql).not.toContain('Fakeheadersecret');
    expect(sql).not.toContain('Users.test');
    expect(sql).toContain('COPY public.nothing (id) FROM stdin;');
    expect(sql).toContain('Kept$$ body\nCOPY public.nothing');
  }, 60_000);
});

describe('following quotes through SQL', () => {
  test.each([
    ["COMMENT ON TABLE t IS 'it''s\n", true],
    ["COMMENT ON TABLE t IS 'it''s';\n", false],
    ['CREATE FUNCTION f() AS $body$ SELECT 1; $$ still\n', true],
    ['CREATE FUNCTION f() AS $body$ SELECT $1 $bod $body$;\n', false],
    ['CREATE FUNCTION f(int) RETURN $1 + 1;\n', false],
    ["-- Name: O'Brien; Type: TABLE\n", false],
    ['CREATE TABLE "it\'s ""x" (a int);\n', false],
    ['CREATE TABLE "open\n', true],
    ['SELECT a$b FROM t;\n', false],
  ])('%j ends inside a quote: %s', (sql, inside) => {
    const bytes = Buffer.from(sql);
    const whole = new SqlQuotes();
    whole.feed(bytes, 0, bytes.length);
    expect(whole.inside).toBe(inside);
    const split = new SqlQuotes();
    for (let i = 0; i < bytes.length; i += 1) split.feed(bytes, i, i + 1);
    expect(split.inside).toBe(inside);
  });
});
