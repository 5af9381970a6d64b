import Database from 'better-sqlite3';

/** A database with varied types, NULLs, unicode, blobs, an index, a view and a trigger. */
export function createSampleDatabase(
  file: string,
  options: { rows?: number; wal?: boolean } = {},
): void {
  const db = new Database(file);
  if (options.wal) db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE, score REAL, avatar BLOB, created_at TEXT);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), total NUMERIC, note TEXT);
    CREATE TABLE "odd ""name"" table" (value TEXT);
    CREATE INDEX orders_user ON orders(user_id);
    CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
    CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN UPDATE users SET created_at = created_at WHERE id = NEW.id; END;
  `);
  const rows = options.rows ?? 50;
  const insertUser = db.prepare(
    'INSERT INTO users (name, email, score, avatar, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const insertOrder = db.prepare('INSERT INTO orders (user_id, total, note) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= rows; i += 1) {
      insertUser.run(
        i % 7 === 0 ? 'Zoë «quoted» \n line two 😀' : `user ${i}`,
        i % 5 === 0 ? null : `user${i}@example.com`,
        i % 3 === 0 ? null : i * 1.5,
        i % 4 === 0 ? Buffer.from([0, 1, 2, 255, i % 256]) : null,
        new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      );
      insertOrder.run(i, i * 10.25, i % 2 ? 'first' : null);
    }
    db.prepare('INSERT INTO "odd ""name"" table" VALUES (?)').run("it's");
  })();
  db.close();
}

/** A sound file whose schema says NOT NULL over a NULL already stored: quick_check reports it as a row. */
export function violateNotNull(file: string): void {
  const db = new Database(file);
  db.exec(`CREATE TABLE t (a); INSERT INTO t VALUES (NULL), (1);`);
  db.unsafeMode(true);
  db.pragma('writable_schema = ON');
  db.prepare("UPDATE sqlite_schema SET sql = 'CREATE TABLE t (a NOT NULL)' WHERE name = 't'").run();
  db.close();
}

/** A file whose rows break its CHECK constraint (written with the checks switched off): quick_check reports it. */
export function violateCheck(file: string): void {
  const db = new Database(file);
  db.exec(
    `CREATE TABLE c (id INTEGER PRIMARY KEY, v INT CHECK (v > 0)); INSERT INTO c VALUES (1, 5), (2, 7);`,
  );
  db.pragma('ignore_check_constraints = ON');
  db.prepare('UPDATE c SET v = -1 WHERE id = 2').run();
  db.close();
}

/**
 * A table whose CHECK constraint calls REGEXP(), a function only the
 * application defines (SQLite has none of its own): written with it defined,
 * as the application would.
 */
export function checkCallingAppFunction(file: string): void {
  const db = new Database(file);
  db.function('regexp', (pattern: unknown, value: unknown) =>
    new RegExp(String(pattern)).test(String(value)) ? 1 : 0,
  );
  db.exec(
    `CREATE TABLE codes (id INTEGER PRIMARY KEY, code TEXT CHECK (code REGEXP '^[A-Z]{3}$'));
     INSERT INTO codes (code) VALUES ('ABC'), ('XYZ'), ('QRS');`,
  );
  db.close();
}

/** Every row of every table, in a stable order, for equality checks. */
export function dumpRows(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .pluck()
      .all() as string[];
    const result: Record<string, unknown[]> = {};
    for (const table of tables) {
      result[table] = db
        .prepare(`SELECT * FROM "${table.replace(/"/g, '""')}" ORDER BY rowid`)
        .all();
    }
    result.__schema = db.prepare('SELECT type, name, sql FROM sqlite_schema ORDER BY name').all();
    return result;
  } finally {
    db.close();
  }
}
