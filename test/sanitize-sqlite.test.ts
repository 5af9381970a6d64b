import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { cli } from './support/cli.js';
import { checkCallingAppFunction, violateNotNull } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

const SALT = 'sqlite-dev-copy-salt-0123456789';

const RULES = `tables:
  users:
    columns:
      email: email
      full_name: name
      phone: phone
      birth_date: { date_shift: 90 }
      signed_up: { date_shift: 30 }
      salary: { number_noise: 10 }
      bio: text
  orders:
    columns:
      user_email: email
      shipping_address: address
  sessions: { rows: truncate }
`;

/** An application database: unique masked emails referenced by another table, a trigger, a full-text index, statistics. */
function createApp(file: string, options: { wal?: boolean } = {}): void {
  const db = new Database(file);
  if (options.wal) db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, full_name TEXT, phone VARCHAR(32),
      birth_date TEXT, signed_up DATETIME, salary REAL, bio TEXT, avatar BLOB);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, user_email TEXT REFERENCES users(email), shipping_address TEXT, total NUMERIC);
    CREATE TABLE sessions (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), token TEXT NOT NULL);
    CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT);
    CREATE TRIGGER users_audit AFTER UPDATE ON users BEGIN INSERT INTO audit (what) VALUES ('changed ' || OLD.email); END;
    CREATE VIRTUAL TABLE bios USING fts5(bio, content='users', content_rowid='id');
    CREATE INDEX users_name ON users(full_name);
  `);
  const insertUser = db.prepare(
    'INSERT INTO users (email, full_name, phone, birth_date, signed_up, salary, bio, avatar) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertOrder = db.prepare(
    'INSERT INTO orders (user_email, shipping_address, total) VALUES (?, ?, ?)',
  );
  db.transaction(() => {
    for (let i = 1; i <= 80; i += 1) {
      const email = `Person${i}.Realname@Mailbox${i}.test`;
      insertUser.run(
        email,
        i % 5 === 0 ? null : `Realname\tNumber${i} Zoë 😀 \\ «q»`,
        i % 4 === 0 ? null : `+49 170 ${String(1_000_000 + i * 7919).padStart(7, '0')}`,
        new Date(Date.UTC(1950, 0, 1 + i * 200)).toISOString().slice(0, 10),
        i % 2 === 0
          ? Date.UTC(2020, 0, 1 + i * 97)
          : new Date(Date.UTC(2020, 0, 1 + i * 97, 10, 11, 12, 345))
              .toISOString()
              .replace('T', ' ')
              .slice(0, 23),
        i % 3 === 0 ? null : 12_345.67 + i * 1000.13,
        `Biography secretword${i} of person ${i}\nsecond line`,
        i % 6 === 0 ? Buffer.from([0, 1, 2, 255, i]) : null,
      );
      insertOrder.run(email, `${i} Secretstreet, Hiddencity`, i * 2.5);
      insertOrder.run(email, null, i);
    }
    db.prepare(
      "INSERT INTO sessions (user_id, token) SELECT id, 'sessiontoken-' || hex(randomblob(8)) FROM users",
    ).run();
    db.exec("INSERT INTO bios(bios) VALUES ('rebuild')");
    db.exec('ANALYZE');
  })();
  db.close();
}

function workspace(label: string, rules = RULES, options: { wal?: boolean } = {}) {
  const dir = tempDir(label);
  const database = path.join(dir, 'app.db');
  createApp(database, options);
  const rulesFile = path.join(dir, 'sanitize.yaml');
  fs.writeFileSync(rulesFile, rules);
  return { dir, database, rules: rulesFile };
}

async function sanitize(
  dir: string,
  database: string,
  rules: string,
  salt = SALT,
  extra: string[] = [],
) {
  const run = await cli(
    ['backup', '--database-url', `file:${database}`, '--sanitize', rules, '--json', ...extra],
    {
      cwd: dir,
      env: { SANITIZE_SALT: salt },
    },
  );
  expect(run.status, run.stderr).toBe(0);
  return { run, result: JSON.parse(run.stdout) };
}

function originals(database: string): string[] {
  const db = new Database(database, { readonly: true });
  try {
    const rows = [
      ...db.prepare('SELECT email, full_name, phone, birth_date, signed_up, bio FROM users').all(),
      ...db.prepare('SELECT user_email, shipping_address FROM orders').all(),
      ...db.prepare('SELECT token FROM sessions').all(),
    ] as Record<string, unknown>[];
    return rows.flatMap((row) =>
      Object.values(row).filter((v): v is string => typeof v === 'string'),
    );
  } finally {
    db.close();
  }
}

describe('sanitized SQLite copies', () => {
  test.each([
    ['rollback journal', false],
    ['WAL', true],
  ])(
    '%s: no original value in the file, keys and references hold, the live database untouched',
    async (_label, wal) => {
      const { dir, database, rules } = workspace(
        `sqlite-sanitize-${wal ? 'wal' : 'journal'}`,
        RULES,
        { wal },
      );
      const before = fs.readFileSync(database);
      const { result } = await sanitize(dir, database, rules);
      expect(result.name).toMatch(/^sqlite_sanitized_\d{8}_\d{6}\.db\.gz$/);
      expect(fs.readFileSync(database).equals(before)).toBe(true);
      expect(result.manifest.sanitized.truncatedTables).toEqual(['sessions']);
      expect(result.manifest.tables.find((t: { name: string }) => t.name === 'sessions').rows).toBe(
        0,
      );

      const restoredFile = path.join(dir, 'restored.db');
      const bytes = gunzipSync(fs.readFileSync(path.join(dir, 'backups', result.name)));
      fs.writeFileSync(restoredFile, bytes);
      const raw = bytes.toString('latin1');
      const values = originals(database);
      expect(values.length).toBeGreaterThan(400);
      for (const value of values) {
        expect(raw.includes(Buffer.from(value, 'utf8').toString('latin1')), value).toBe(false);
      }
      for (const fragment of [
        'Realname',
        'Mailbox',
        'Secretstreet',
        'Hiddencity',
        'sessiontoken',
        'secretword',
      ]) {
        expect(raw.includes(fragment), fragment).toBe(false);
      }

      const db = new Database(restoredFile, { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(db.pragma('foreign_key_check')).toEqual([]);
        expect(
          db
            .prepare('SELECT count(*) AS n FROM orders o JOIN users u ON u.email = o.user_email')
            .get(),
        ).toEqual({ n: 160 });
        expect(db.prepare('SELECT count(DISTINCT email) AS n FROM users').get()).toEqual({ n: 80 });
        // The trigger kept its definition and did not fire while masking.
        expect(db.prepare('SELECT count(*) AS n FROM audit').get()).toEqual({ n: 0 });
        expect(
          db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'trigger'").get(),
        ).toEqual({ n: 1 });
        // The full-text index answers from masked words only.
        expect(
          db.prepare("SELECT count(*) AS n FROM bios WHERE bios MATCH 'secretword1'").get(),
        ).toEqual({ n: 0 });
        const users = db.prepare('SELECT * FROM users ORDER BY id').all() as Record<
          string,
          unknown
        >[];
        const live = new Database(database, { readonly: true });
        const liveUsers = live.prepare('SELECT * FROM users ORDER BY id').all() as Record<
          string,
          unknown
        >[];
        live.close();
        users.forEach((row, index) => {
          const original = liveUsers[index]!;
          expect(row.email).toMatch(/^[a-z]+\.[a-z]+\.[0-9a-f]{16}@example\.com$/);
          expect(row.full_name === null).toBe(original.full_name === null);
          expect(row.avatar).toEqual(original.avatar);
          expect(typeof row.signed_up).toBe(typeof original.signed_up);
          expect(row.birth_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
          if (typeof original.signed_up === 'number') {
            const days = Math.abs((row.signed_up as number) - original.signed_up) / 86_400_000;
            expect(days).toBeGreaterThanOrEqual(1);
            expect(days).toBeLessThanOrEqual(30);
          } else {
            expect(row.signed_up).toMatch(/^\d{4}-\d{2}-\d{2} 10:11:12\.345$/);
          }
        });
      } finally {
        db.close();
      }
      // The snapshot, its journal or WAL: none left beside the backup.
      expect(fs.readdirSync(path.join(dir, 'backups')).sort()).toEqual([
        result.name,
        `${result.name}.json`,
      ]);

      const restore = await cli(
        ['restore', 'latest-sanitized', '--database-url', `file:${path.join(dir, 'dev.db')}`],
        { cwd: dir, env: {} },
      );
      expect(restore.status, restore.stderr).toBe(0);
      expect(restore.stdout).toMatch(/this is a sanitized copy/);
      const verify = await cli(['verify', result.name, '--database-url', `file:${database}`], {
        cwd: dir,
        env: {},
      });
      expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    },
  );

  test('the same salt gives the same copy; another salt another one', async () => {
    const { dir, database, rules } = workspace('sqlite-sanitize-determinism');
    const rowsOf = async (salt: string, backupDir: string) => {
      const { result } = await sanitize(dir, database, rules, salt, ['--backup-dir', backupDir]);
      const file = path.join(dir, `${backupDir}.db`);
      fs.writeFileSync(file, gunzipSync(fs.readFileSync(path.join(dir, backupDir, result.name))));
      const db = new Database(file, { readonly: true });
      try {
        return {
          users: db.prepare('SELECT * FROM users ORDER BY id').all() as { email: string }[],
          orders: db.prepare('SELECT * FROM orders ORDER BY id').all(),
        };
      } finally {
        db.close();
      }
    };
    const first = await rowsOf(SALT, 'one');
    const second = await rowsOf(SALT, 'two');
    const other = await rowsOf(`${SALT}-other`, 'three');
    expect(second).toEqual(first);
    const emails = (rows: { users: { email: string }[] }) => rows.users.map((u) => u.email);
    expect(emails(other).filter((email) => emails(first).includes(email))).toEqual([]);
  });

  test('rules that do not fit the database are refused before a snapshot is taken', async () => {
    const { dir, database, rules } = workspace(
      'sqlite-sanitize-errors',
      `tables:
  users:
    columns:
      email: first_name
      salary: email
      nope: text
  public.users: { rows: truncate }
  sessions:
    columns: { token: hash }
  orders:
    columns: { user_email: keep }
`,
    );
    const run = await cli(['backup', '--database-url', `file:${database}`, '--sanitize', rules], {
      cwd: dir,
      env: { SANITIZE_SALT: SALT },
    });
    expect(run.status).toBe(2);
    for (const pattern of [
      /sanitize\.yaml: table users, column salary: email writes text, and the column is REAL/,
      /sanitize\.yaml: table users, column nope: no such column/,
      /sanitize\.yaml: table public\.users: no such table in the database/,
      /sanitize\.yaml: table users, column email: first_name can give different values the same result, and \(email\) must stay unique/,
    ]) {
      expect(run.stderr).toMatch(pattern);
    }
    expect(
      fs.existsSync(path.join(dir, 'backups')) ? fs.readdirSync(path.join(dir, 'backups')) : [],
    ).toEqual([]);
  });

  test("a CHECK constraint calling the application's REGEXP(): other tables are masked and its own kept as they were; rules on its columns are refused with a line that says why", async () => {
    const { dir, database, rules } = workspace('sqlite-sanitize-app-function');
    checkCallingAppFunction(database);
    const { run, result } = await sanitize(dir, database, rules);
    expect(run.stderr).toMatch(/its schema calls REGEXP\(\), which the application defines/);
    const copy = path.join(dir, 'copy.db');
    fs.writeFileSync(copy, gunzipSync(fs.readFileSync(path.join(dir, 'backups', result.name))));
    const codes = (file: string): unknown[] => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare('SELECT * FROM codes ORDER BY id').all();
      } finally {
        db.close();
      }
    };
    expect(codes(copy)).toHaveLength(3);
    expect(codes(copy)).toEqual(codes(database));
    const bytes = fs.readFileSync(copy).toString('latin1');
    for (const value of originals(database)) expect(bytes).not.toContain(value);

    const onIt = path.join(dir, 'codes.yaml');
    fs.writeFileSync(onIt, 'tables:\n  codes:\n    columns:\n      code: { fixed: XYZ }\n');
    const refused = await cli(
      ['backup', '--database-url', `file:${database}`, '--sanitize', onIt, '--backup-dir', 'other'],
      { cwd: dir, env: { SANITIZE_SALT: SALT } },
    );
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      /db-backup: The sanitize rules rewrite rows that a CHECK constraint or an index calling REGEXP\(\) covers, and REGEXP\(\) is the application's own function, which SQLite here does not have: nothing was kept\./,
    );
    expect(
      fs.existsSync(path.join(dir, 'other')) ? fs.readdirSync(path.join(dir, 'other')) : [],
    ).toEqual([]);
  });

  test('truncate empties full-text tables of every kind (FTS5 and FTS4, with their own content or none): no word of them is left in the copy', async () => {
    const { dir, database } = workspace('sqlite-sanitize-fts-truncate');
    const db = new Database(database);
    db.exec(`CREATE VIRTUAL TABLE notes5 USING fts5(body);
             CREATE VIRTUAL TABLE notes4 USING fts4(body);
             CREATE VIRTUAL TABLE bare4 USING fts4(body, content='');
             INSERT INTO notes5 (body) VALUES ('Zanzibarquokka private note');
             INSERT INTO notes4 (body) VALUES ('Xylophonewombat private note');
             INSERT INTO bare4 (docid, body) VALUES (1, 'Quetzalpangolin private note');`);
    db.close();
    const rules = path.join(dir, 'fts.yaml');
    fs.writeFileSync(
      rules,
      `${RULES}  notes5: { rows: truncate }\n  notes4: { rows: truncate }\n  bare4: { rows: truncate }\n`,
    );
    const { result } = await sanitize(dir, database, rules);
    const copy = path.join(dir, 'copy.db');
    fs.writeFileSync(copy, gunzipSync(fs.readFileSync(path.join(dir, 'backups', result.name))));
    const bytes = fs.readFileSync(copy).toString('latin1');
    for (const word of ['Zanzibarquokka', 'Xylophonewombat', 'quetzalpangolin']) {
      expect(bytes.toLowerCase()).not.toContain(word.toLowerCase());
    }
    const opened = new Database(copy, { readonly: true });
    try {
      // A contentless FTS4 table cannot be counted: its index segments (bare4_segdir) can.
      for (const table of ['notes5', 'notes4', 'bare4_segdir']) {
        expect(opened.prepare(`SELECT count(*) AS n FROM ${table}`).get()).toEqual({ n: 0 });
      }
    } finally {
      opened.close();
    }
  });

  test('a database that fails quick_check gives no sanitized copy', async () => {
    const { dir, database, rules } = workspace('sqlite-sanitize-damaged');
    violateNotNull(database);
    const run = await cli(['backup', '--database-url', `file:${database}`, '--sanitize', rules], {
      cwd: dir,
      env: { SANITIZE_SALT: SALT },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /app\.db fails SQLite's integrity check \(NULL value in t\.a\): no backup was kept and nothing was pruned/,
    );
    expect(
      fs.existsSync(path.join(dir, 'backups')) ? fs.readdirSync(path.join(dir, 'backups')) : [],
    ).toEqual([]);
  });

  test('a truncated table that others reference is refused: the references would dangle', async () => {
    const { dir, database, rules } = workspace(
      'sqlite-sanitize-dangling',
      'tables:\n  users: { rows: truncate }\n',
    );
    const run = await cli(['backup', '--database-url', `file:${database}`, '--sanitize', rules], {
      cwd: dir,
      env: { SANITIZE_SALT: SALT },
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /table orders: references users, whose rows are truncated; truncate orders too/,
    );
    expect(run.stderr).toMatch(/table sessions: references users, whose rows are truncated/);
  });
});
