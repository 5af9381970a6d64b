import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { parseConfig, type BackupConfig } from '../src/config/config.js';
import { cli } from './support/cli.js';
import {
  checkCallingAppFunction,
  createSampleDatabase,
  dumpRows,
  violateCheck,
  violateNotNull,
} from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

function gunzipTo(file: string, target: string): void {
  const result = spawnSync('sh', ['-c', 'gunzip -c "$1" > "$2"', 'sh', file, target]);
  expect(result.status, result.stderr.toString()).toBe(0);
}

function backupsIn(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.db.gz'))
    .sort();
}

describe('SQLite backup', () => {
  test('round trip: gunzip gives a database sqlite3 opens, with every row equal', async () => {
    const dir = tempDir('backup');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 300 });
    const run = await cli(['backup', '--database-url', 'file:./app.db'], { cwd: dir });
    expect(run.status, run.stderr).toBe(0);
    const [name] = backupsIn(path.join(dir, 'backups'));
    expect(name).toMatch(/^sqlite_backup_\d{8}_\d{6}\.db\.gz$/);
    const restored = path.join(dir, 'restored.db');
    gunzipTo(path.join(dir, 'backups', name!), restored);
    const check = spawnSync(
      'sqlite3',
      [restored, 'PRAGMA integrity_check; SELECT count(*) FROM users;'],
      { encoding: 'utf8' },
    );
    expect(check.stdout.trim().split('\n')).toEqual(['ok', '300']);
    expect(dumpRows(restored)).toEqual(dumpRows(path.join(dir, 'app.db')));
  });

  test('the manifest describes the stored file and the tables', async () => {
    const dir = tempDir('manifest');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 20 });
    const run = await cli(['backup', '--json'], {
      cwd: dir,
      env: { DATABASE_URL: 'sqlite:app.db', BACKUP_DIR: 'out' },
    });
    expect(run.status, run.stderr).toBe(0);
    const [name] = backupsIn(path.join(dir, 'out'));
    const file = path.join(dir, 'out', name!);
    const manifest = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8'));
    const sha256 = spawnSync('sha256sum', [file], { encoding: 'utf8' }).stdout.split(' ')[0];
    expect(manifest).toMatchObject({
      formatVersion: 1,
      tool: { name: 'db-backup-action', version: expect.any(String) },
      name,
      engine: 'sqlite',
      kind: 'backup',
      database: { name: 'app.db', serverVersion: expect.stringMatching(/^3\.\d+\.\d+$/) },
      file: { size: fs.statSync(file).size, sha256 },
      compression: { algorithm: 'gzip', level: 6 },
      encryption: null,
      tables: [
        { name: 'odd "name" table', rows: 1 },
        { name: 'orders', rows: 20 },
        { name: 'users', rows: 20 },
      ],
    });
    expect(new Date(manifest.createdAt).toISOString()).toBe(manifest.createdAt);
    expect(JSON.parse(run.stdout).name).toBe(name);
  });

  test('files are 0600 in a 0700 directory', async () => {
    const dir = tempDir('modes');
    createSampleDatabase(path.join(dir, 'app.db'));
    const run = await cli(
      ['backup', '--database-url', 'file:app.db', '--backup-dir', 'nested/backups'],
      { cwd: dir },
    );
    expect(run.status, run.stderr).toBe(0);
    const backupDir = path.join(dir, 'nested/backups');
    expect(fs.statSync(backupDir).mode & 0o777).toBe(0o700);
    for (const name of fs.readdirSync(backupDir)) {
      expect(fs.statSync(path.join(backupDir, name)).mode & 0o777, name).toBe(0o600);
    }
  });

  test('two backups in the same second get distinct names; nothing is overwritten', async () => {
    const dir = tempDir('same-second');
    createSampleDatabase(path.join(dir, 'app.db'));
    const backupDir = path.join(dir, 'backups');
    fs.mkdirSync(backupDir);
    const now = new Date(Date.UTC(2026, 10, 26, 2, 0, 0));
    const { runBackup } = await import('../src/commands/backup.js');
    const config = parseConfig(
      'backup',
      {
        'database-url': 'file:app.db',
        'backup-dir': backupDir,
        'max-backups': '10',
        'compression-level': '6',
      },
      dir,
    ) as BackupConfig;
    const log = { info: () => undefined, warn: () => undefined };
    const first = await runBackup(config, { log, cwd: dir, now: () => now });
    const firstBytes = fs.readFileSync(first.file);
    const second = await runBackup(config, { log, cwd: dir, now: () => now });
    const third = await runBackup(config, { log, cwd: dir, now: () => now });
    expect([first.name, second.name, third.name]).toEqual([
      'sqlite_backup_20261126_020000.db.gz',
      'sqlite_backup_20261126_020000_1.db.gz',
      'sqlite_backup_20261126_020000_2.db.gz',
    ]);
    expect(fs.readFileSync(first.file)).toEqual(firstBytes);
    expect(JSON.parse(fs.readFileSync(`${second.file}.json`, 'utf8')).name).toBe(second.name);
  });

  test('a missing database is an error, and no file is created', async () => {
    const dir = tempDir('missing');
    const run = await cli(['backup', '--database-url', 'file:./nope.db'], { cwd: dir });
    expect(run.status).toBe(2);
    const errors = run.stderr
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('db-backup:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/nope\.db does not exist/);
    expect(fs.existsSync(path.join(dir, 'nope.db'))).toBe(false);
  });

  test('a file that is not a SQLite database is refused', async () => {
    const dir = tempDir('notdb');
    fs.writeFileSync(path.join(dir, 'notes.db'), 'hello, this is text\n'.repeat(10));
    const run = await cli(['backup', '--database-url', 'file:notes.db'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/not a SQLite database/);
    expect(
      fs.existsSync(path.join(dir, 'backups')) ? backupsIn(path.join(dir, 'backups')) : [],
    ).toEqual([]);
  });

  test("a CHECK constraint that calls the application's own function (REGEXP) is not damage: backup, restore and verify pass, and say it was not checked", async () => {
    const dir = tempDir('app-function');
    const database = path.join(dir, 'app.db');
    checkCallingAppFunction(database);
    const original = dumpRows(database);
    const warning =
      /app\.db: its schema calls REGEXP\(\), which the application defines and SQLite here does not have, so the CHECK constraints of "codes" could not be checked; the rest of SQLite's integrity check passed\./;
    const made = await cli(['backup', '--database-url', 'file:./app.db'], { cwd: dir });
    expect(made.status, made.stderr).toBe(0);
    expect(made.stderr).toMatch(warning);
    const [name] = backupsIn(path.join(dir, 'backups'));
    const copy = path.join(dir, 'copy.db');
    gunzipTo(path.join(dir, 'backups', name!), copy);
    expect(dumpRows(copy)).toEqual(original);

    const restored = await cli(
      ['restore', name!, '--database-url', 'file:./restored.db', '--yes'],
      { cwd: dir },
    );
    expect(restored.status, restored.stderr).toBe(0);
    expect(restored.stderr).toMatch(
      new RegExp(
        `${name!.replace(/\./g, '\\.')}: its schema calls REGEXP\\(\\), which the application defines and SQLite here does not have, so the CHECK constraints of "codes" could not be checked`,
      ),
    );
    expect(dumpRows(path.join(dir, 'restored.db'))).toEqual(original);

    const verified = await cli(['verify', name!, '--database-url', 'file:./app.db'], { cwd: dir });
    expect(verified.status, verified.stderr).toBe(0);
    expect(verified.stderr + verified.stdout).toMatch(
      /its schema calls REGEXP\(\), which the application defines/,
    );
  });

  test('a damaged database whose CHECK also calls an application function is still refused', async () => {
    const dir = tempDir('app-function-damaged');
    const database = path.join(dir, 'app.db');
    checkCallingAppFunction(database);
    violateNotNull(database);
    const run = await cli(['backup', '--database-url', 'file:./app.db'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /app\.db fails SQLite's integrity check \(NULL value in t\.a\): no backup was kept and nothing was pruned/,
    );
    expect(
      fs.existsSync(path.join(dir, 'backups')) ? backupsIn(path.join(dir, 'backups')) : [],
    ).toEqual([]);
  });

  test("one table's CHECK calling REGEXP() leaves the other tables' CHECK constraints checked: a broken one there is still refused", async () => {
    const dir = tempDir('app-function-other-check');
    const database = path.join(dir, 'app.db');
    checkCallingAppFunction(database);
    violateCheck(database);
    const run = await cli(['backup', '--database-url', 'file:./app.db'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /app\.db fails SQLite's integrity check \(CHECK constraint failed in c\): no backup was kept and nothing was pruned/,
    );
    expect(
      fs.existsSync(path.join(dir, 'backups')) ? backupsIn(path.join(dir, 'backups')) : [],
    ).toEqual([]);
  });

  test("an index on the application's own function: backup, restore and verify pass, and say the indexes were compared no further", async () => {
    const dir = tempDir('app-function-index');
    const database = path.join(dir, 'app.db');
    const db = new Database(database);
    db.function('shout', { deterministic: true }, (value: unknown) => String(value).toUpperCase());
    db.exec(
      `CREATE TABLE names (id INTEGER PRIMARY KEY, name TEXT);
       INSERT INTO names (name) VALUES ('ada'), ('grace'), ('edsger');
       CREATE INDEX names_loud ON names (shout(name));
       CREATE TABLE plain (x INT CHECK (x > 0)); INSERT INTO plain VALUES (1);`,
    );
    db.close();
    const original = dumpRows(database);
    const made = await cli(['backup', '--database-url', 'file:./app.db'], { cwd: dir });
    expect(made.status, made.stderr).toBe(0);
    const [name] = backupsIn(path.join(dir, 'backups'));
    const restored = await cli(
      ['restore', name!, '--database-url', 'file:./restored.db', '--yes'],
      { cwd: dir },
    );
    expect(restored.status, restored.stderr).toBe(0);
    expect(restored.stderr).toMatch(
      /its schema calls shout\(\), which the application defines and SQLite here does not have, so whether the indexes of "names" match their rows could not be checked; the rest of SQLite's integrity check passed\./,
    );
    expect(dumpRows(path.join(dir, 'restored.db'))).toEqual(original);
    const verified = await cli(['verify', name!, '--database-url', 'file:./app.db'], { cwd: dir });
    expect(verified.status, verified.stderr).toBe(0);
  });

  test("a generated column on the application's own function: its table alone goes unchecked, and damage elsewhere is still found", async () => {
    const dir = tempDir('app-function-generated');
    const database = path.join(dir, 'app.db');
    const db = new Database(database);
    db.function('shout', { deterministic: true }, (value: unknown) => String(value).toUpperCase());
    db.exec(
      `CREATE TABLE g (s TEXT, u TEXT GENERATED ALWAYS AS (shout(s)) VIRTUAL NOT NULL);
       INSERT INTO g (s) VALUES ('a'), ('b');`,
    );
    db.close();
    const made = await cli(['backup', '--database-url', 'file:./app.db'], { cwd: dir });
    expect(made.status, made.stderr).toBe(0);
    expect(made.stderr).toMatch(
      /app\.db: its schema calls shout\(\), which the application defines and SQLite here does not have, so the rows of "g" could not be checked; the rest of SQLite's integrity check passed\./,
    );
    const [name] = backupsIn(path.join(dir, 'backups'));
    const restored = await cli(
      ['restore', name!, '--database-url', 'file:./restored.db', '--yes'],
      { cwd: dir },
    );
    expect(restored.status, restored.stderr).toBe(0);

    violateCheck(database);
    const refused = await cli(['backup', '--database-url', 'file:./app.db', '--backup-dir', 'b2'], {
      cwd: dir,
    });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      /app\.db fails SQLite's integrity check \(CHECK constraint failed in c\)/,
    );
  });

  test("a generated column on the application's function does not hide a page two tables claim: the backup is refused", async () => {
    const dir = tempDir('app-function-shared-page');
    const database = path.join(dir, 'app.db');
    const db = new Database(database);
    db.function('shout', { deterministic: true }, (value: unknown) => String(value).toUpperCase());
    db.exec(
      `CREATE TABLE g (s TEXT, u TEXT GENERATED ALWAYS AS (shout(s)) VIRTUAL NOT NULL);
       CREATE TABLE t (x TEXT);`,
    );
    for (let i = 1; i <= 300; i += 1) {
      db.prepare('INSERT INTO g (rowid, s) VALUES (?, ?)').run(i, `g-${i}-${'g'.repeat(100)}`);
      db.prepare('INSERT INTO t (rowid, x) VALUES (?, ?)').run(i, `t-${i}-${'t'.repeat(100)}`);
    }
    const roots = Object.fromEntries(
      (
        db.prepare("SELECT name, rootpage FROM sqlite_schema WHERE type = 'table'").all() as {
          name: string;
          rootpage: number;
        }[]
      ).map((row) => [row.name, row.rootpage]),
    );
    db.close();
    // t's first child page becomes g's: one page claimed by two tables, one page nobody owns.
    const bytes = fs.readFileSync(database);
    const pageSize = bytes.readUInt16BE(16);
    const firstChild = (root: number): number => {
      const page = (root - 1) * pageSize;
      expect(bytes[page]).toBe(5); // an interior table page
      return page + bytes.readUInt16BE(page + 12);
    };
    bytes.writeUInt32BE(bytes.readUInt32BE(firstChild(roots.g!)), firstChild(roots.t!));
    fs.writeFileSync(database, bytes);
    const run = await cli(['backup', '--database-url', 'file:./app.db'], { cwd: dir });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toMatch(
      /app\.db fails SQLite's integrity check \([\s\S]*2nd reference to page/,
    );
    expect(
      fs.existsSync(path.join(dir, 'backups')) ? backupsIn(path.join(dir, 'backups')) : [],
    ).toEqual([]);
  });

  test("an index on the application's function does not keep restore from comparing the other tables' indexes: a broken one is refused", async () => {
    const dir = tempDir('app-function-index-damage');
    const database = path.join(dir, 'app.db');
    const db = new Database(database);
    db.function('shout', { deterministic: true }, (value: unknown) => String(value).toUpperCase());
    db.exec(
      `CREATE TABLE names (id INTEGER PRIMARY KEY, name TEXT);
       INSERT INTO names (name) VALUES ('ada');
       CREATE INDEX names_loud ON names (shout(name));
       CREATE TABLE b (x INT, y INT);
       WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 50)
       INSERT INTO b SELECT v, v * 7 FROM n;
       CREATE INDEX bx ON b (x);`,
    );
    // The index now claims to cover another column than the one it holds: every row is missing from it.
    db.unsafeMode(true);
    db.pragma('writable_schema = ON');
    db.prepare("UPDATE sqlite_schema SET sql = 'CREATE INDEX bx ON b (y)' WHERE name = 'bx'").run();
    db.close();
    // quick_check (the backup's) does not compare indexes with rows: the backup is made.
    const made = await cli(['backup', '--database-url', 'file:./app.db'], { cwd: dir });
    expect(made.status, made.stderr).toBe(0);
    const [name] = backupsIn(path.join(dir, 'backups'));
    fs.writeFileSync(path.join(dir, 'target.db'), 'the target, as it was');
    const restored = await cli(['restore', name!, '--database-url', 'file:./target.db', '--yes'], {
      cwd: dir,
    });
    expect(restored.status).toBe(2);
    expect(restored.stderr).toMatch(/fails SQLite's integrity check \(.*missing from index bx/);
    expect(fs.readFileSync(path.join(dir, 'target.db'), 'utf8')).toBe('the target, as it was');
  });

  test('an unknown scheme names the supported ones', async () => {
    const dir = tempDir('scheme');
    const run = await cli(['backup', '--database-url', 'mysql://root@localhost/app'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /"mysql:".*file:PATH, sqlite:PATH, sqlite3:PATH, postgres:\/\/ or postgresql:\/\//,
    );
  });

  test.each(['wal', 'delete'])(
    'a backup taken while another process writes (%s mode) is consistent and leaves the live -wal/-shm alone',
    async (mode) => {
      const dir = tempDir(`live-${mode}`);
      const file = path.join(dir, 'live.db');
      const writer = spawn(
        process.execPath,
        [path.join(import.meta.dirname, 'support/writer.mjs'), file, mode],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      try {
        await new Promise<void>((resolve) => writer.stdout.once('data', () => resolve()));
        await new Promise((resolve) => setTimeout(resolve, 300));
        for (let round = 0; round < 3; round += 1) {
          const walBefore = mode === 'wal' ? fs.statSync(`${file}-wal`).ino : undefined;
          const run = await cli(
            ['backup', '--database-url', `file:${file}`, '--max-backups', '0'],
            { cwd: dir },
          );
          expect(run.status, run.stderr).toBe(0);
          if (mode === 'wal') {
            expect(fs.existsSync(`${file}-wal`)).toBe(true);
            expect(fs.existsSync(`${file}-shm`)).toBe(true);
            expect(fs.statSync(`${file}-wal`).ino).toBe(walBefore);
          }
        }
      } finally {
        writer.kill('SIGKILL');
      }
      for (const name of backupsIn(path.join(dir, 'backups'))) {
        const copy = path.join(dir, `${name}.db`);
        gunzipTo(path.join(dir, 'backups', name), copy);
        const db = new Database(copy, { readonly: true });
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const events = db.prepare('SELECT count(*) FROM events').pluck().get() as number;
        const counter = db.prepare('SELECT value FROM counter').pluck().get() as number;
        db.close();
        expect(events).toBeGreaterThan(0);
        expect(counter).toBe(events);
        const manifest = JSON.parse(
          fs.readFileSync(path.join(dir, 'backups', `${name}.json`), 'utf8'),
        );
        expect(manifest.tables).toContainEqual({ name: 'events', rows: events });
      }
    },
  );
});
