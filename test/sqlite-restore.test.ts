import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { cli } from './support/cli.js';
import { createSampleDatabase, dumpRows } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

/** A database with a backup of it; the database is then changed, so a restore has something to undo. */
async function databaseWithBackup(
  label: string,
): Promise<{ dir: string; db: string; backup: string; before: Record<string, unknown[]> }> {
  const dir = tempDir(label);
  const db = path.join(dir, 'app.db');
  createSampleDatabase(db, { rows: 40 });
  const before = dumpRows(db);
  const run = await cli(['backup', '--database-url', 'file:app.db'], { cwd: dir });
  expect(run.status, run.stderr).toBe(0);
  const name = fs.readdirSync(path.join(dir, 'backups')).find((n) => n.endsWith('.db.gz'))!;
  const handle = new Database(db);
  handle.exec("DELETE FROM orders; INSERT INTO users (name) VALUES ('added after the backup')");
  handle.close();
  return { dir, db, backup: path.join(dir, 'backups', name), before };
}

function restore(dir: string, args: string[], answer?: string) {
  return cli(['restore', ...args, '--database-url', 'file:app.db'], {
    cwd: dir,
    ...(answer !== undefined ? { answer } : {}),
  });
}

describe('SQLite restore', () => {
  test('restores latest with --yes and keeps the old database as .before-restore', async () => {
    const { dir, db, before } = await databaseWithBackup('restore');
    const old = fs.readFileSync(db);
    const oldRows = dumpRows(db);
    const run = await restore(dir, ['latest', '--yes']);
    expect(run.status, run.stderr).toBe(0);
    expect(dumpRows(db)).toEqual(before);
    expect(fs.readFileSync(`${db}.before-restore`)).toEqual(old);
    expect(dumpRows(`${db}.before-restore`)).toEqual(oldRows);
  });

  test('restores by name and by path', async () => {
    const { dir, db, backup, before } = await databaseWithBackup('by-name');
    expect((await restore(dir, [path.basename(backup), '--yes'])).status).toBe(0);
    expect(dumpRows(db)).toEqual(before);
    fs.copyFileSync(backup, path.join(dir, 'copy.db.gz'));
    expect((await restore(dir, ['./copy.db.gz', '--yes'])).status).toBe(0);
    expect(dumpRows(db)).toEqual(before);
  });

  test('a second restore keeps the first safety copy under a dated name', async () => {
    const { dir, db } = await databaseWithBackup('twice');
    const original = fs.readFileSync(db);
    expect((await restore(dir, ['latest', '--yes'])).status).toBe(0);
    expect((await restore(dir, ['latest', '--yes'])).status).toBe(0);
    const copies = fs.readdirSync(dir).filter((n) => n.startsWith('app.db.before-restore'));
    expect(copies).toHaveLength(2);
    expect(copies.some((n) => fs.readFileSync(path.join(dir, n)).equals(original))).toBe(true);
  });

  test('without --yes it refuses and changes nothing', async () => {
    const { dir, db } = await databaseWithBackup('refuse');
    const old = fs.readFileSync(db);
    const run = await restore(dir, ['latest']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--yes/);
    expect(fs.readFileSync(db)).toEqual(old);
    expect(fs.existsSync(`${db}.before-restore`)).toBe(false);
  });

  test('at a terminal, typing the database name confirms; anything else cancels', async () => {
    const { dir, db, before } = await databaseWithBackup('prompt');
    const old = fs.readFileSync(db);
    const wrong = await restore(dir, ['latest'], 'yes');
    expect(wrong.status).toBe(2);
    expect(fs.readFileSync(db)).toEqual(old);
    const right = await restore(dir, ['latest'], 'app.db');
    expect(right.status, right.stderr).toBe(0);
    expect(dumpRows(db)).toEqual(before);
  });

  test('a database that does not exist yet is created without confirmation', async () => {
    const { dir, backup, before } = await databaseWithBackup('fresh');
    const run = await cli(['restore', backup, '--database-url', 'file:new/fresh.db'], { cwd: dir });
    expect(run.status).toBe(2); // the directory does not exist
    fs.mkdirSync(path.join(dir, 'new'));
    const ok = await cli(['restore', backup, '--database-url', 'file:new/fresh.db'], { cwd: dir });
    expect(ok.status, ok.stderr).toBe(0);
    expect(dumpRows(path.join(dir, 'new/fresh.db'))).toEqual(before);
  });

  test.each([
    [
      'truncated',
      (bytes: Buffer) => bytes.subarray(0, Math.floor(bytes.length / 2)),
      /truncated|damaged/,
    ],
    [
      'corrupted',
      (bytes: Buffer) =>
        Buffer.concat([bytes.subarray(0, 40), Buffer.alloc(200, 7), bytes.subarray(240)]),
      /damaged|truncated|integrity/,
    ],
    ['not gzip', () => Buffer.from('just some text\n'), /damaged|gzip/],
  ])(
    'a %s backup without manifest leaves the target byte-for-byte unchanged',
    async (_label, mangle, message) => {
      const { dir, db, backup } = await databaseWithBackup('mangled');
      const bad = path.join(dir, 'bad.db.gz');
      fs.writeFileSync(bad, mangle(fs.readFileSync(backup)));
      const old = fs.readFileSync(db);
      const run = await restore(dir, [bad, '--yes']);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(fs.readFileSync(db)).toEqual(old);
      expect(fs.readdirSync(dir).filter((n) => n.startsWith('.db-backup-tmp'))).toEqual([]);
    },
  );

  test('a backup that no longer matches its manifest checksum is refused', async () => {
    const { dir, db, backup } = await databaseWithBackup('checksum');
    const bytes = fs.readFileSync(backup);
    bytes[bytes.length - 5] = (bytes[bytes.length - 5]! + 1) % 256;
    fs.writeFileSync(backup, bytes);
    const old = fs.readFileSync(db);
    const run = await restore(dir, ['latest', '--yes']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/does not match the sha256/);
    expect(fs.readFileSync(db)).toEqual(old);
  });

  test('a gzip of something that is not SQLite is refused', async () => {
    const { dir, db } = await databaseWithBackup('wrong-content');
    fs.writeFileSync(path.join(dir, 'mystery.gz'), zlib.gzipSync('CREATE TABLE t (x int);\n'));
    const old = fs.readFileSync(db);
    const run = await restore(dir, ['mystery.gz', '--yes']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/does not hold a SQLite database/);
    expect(fs.readFileSync(db)).toEqual(old);
  });

  test('a PostgreSQL backup offered to a SQLite target is refused by its manifest and its name', async () => {
    const { dir, db, backup } = await databaseWithBackup('wrong-engine');
    const pgName = 'postgres_backup_20261126_020000.sql.gz';
    fs.copyFileSync(backup, path.join(dir, 'backups', pgName));
    const old = fs.readFileSync(db);
    const run = await restore(dir, [pgName, '--yes']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/is a PostgreSQL backup and the target is a SQLite database/);
    expect(fs.readFileSync(db)).toEqual(old);
  });

  test('restoring a WAL database never replays the old -wal onto the new file', async () => {
    const dir = tempDir('wal-restore');
    const db = path.join(dir, 'app.db');
    createSampleDatabase(db, { rows: 10, wal: true });
    expect((await cli(['backup', '--database-url', 'file:app.db'], { cwd: dir })).status).toBe(0);
    const writer = new Database(db);
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec("INSERT INTO users (name) VALUES ('only in the wal')");
    const walSize = fs.statSync(`${db}-wal`).size;
    expect(walSize).toBeGreaterThan(0);
    writer.close();
    // close() checkpoints; write again with a connection left open by a killed-process stand-in.
    const run = await restore(dir, ['latest', '--yes']);
    expect(run.status, run.stderr).toBe(0);
    const check = new Database(db, { readonly: true });
    expect(check.prepare('SELECT count(*) FROM users').pluck().get()).toBe(10);
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();
    const keep = new Database(`${db}.before-restore`, { readonly: true });
    expect(keep.prepare('SELECT count(*) FROM users').pluck().get()).toBe(11);
    keep.close();
  });

  test.each([
    ['a write transaction in rollback-journal mode', false, 'write'],
    ['an open connection in WAL mode', true, 'open'],
  ])(
    'a database held by another process (%s) is not restored under it',
    async (_label, wal, mode) => {
      const dir = tempDir('held');
      const db = path.join(dir, 'app.db');
      createSampleDatabase(db, { rows: 5, wal });
      expect((await cli(['backup', '--database-url', 'file:app.db'], { cwd: dir })).status).toBe(0);
      const holder = spawn(
        process.execPath,
        [path.join(import.meta.dirname, 'support/holder.mjs'), db, mode],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      try {
        await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
        const before = fs.readFileSync(db);
        const sides = ['-wal', '-shm', '-journal'].filter((s) => fs.existsSync(`${db}${s}`));
        const run = await restore(dir, ['latest', '--yes']);
        expect(run.status).toBe(2);
        expect(run.stderr).toMatch(/stop the application|locked by another process/);
        expect(fs.readFileSync(db)).toEqual(before);
        expect(fs.existsSync(`${db}.before-restore`)).toBe(false);
        for (const side of sides) expect(fs.existsSync(`${db}${side}`), side).toBe(true);
      } finally {
        holder.kill('SIGKILL');
      }
    },
  );

  // Locks that leave no file behind: the restore waits the busy timeout (10 s) for them, then refuses.
  test.concurrent.each([
    ['a read transaction', 'read'],
    ['a write transaction that has written nothing yet', 'reserved'],
  ])(
    'a rollback-journal database held in %s by another process is not restored under it',
    async (_label, mode) => {
      const dir = tempDir(`held-${mode}`);
      const db = path.join(dir, 'app.db');
      createSampleDatabase(db, { rows: 5 });
      expect((await cli(['backup', '--database-url', 'file:app.db'], { cwd: dir })).status).toBe(0);
      const holder = spawn(
        process.execPath,
        [path.join(import.meta.dirname, 'support/holder.mjs'), db, mode],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      try {
        await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
        const before = fs.readFileSync(db);
        const inode = fs.statSync(db).ino;
        const run = await restore(dir, ['latest', '--yes']);
        expect(run.status, run.stderr).toBe(2);
        expect(run.stderr.trim().split('\n').at(-1)).toBe(
          'db-backup: app.db is held by another process (its lock stayed for 10 s): stop the application, then restore again. Nothing was changed.',
        );
        expect(fs.statSync(db).ino).toBe(inode);
        expect(fs.readFileSync(db)).toEqual(before);
        expect(fs.existsSync(`${db}.before-restore`)).toBe(false);
      } finally {
        holder.kill('SIGKILL');
      }
    },
  );

  test('a database too damaged to open is still replaced, and kept as it was', async () => {
    const { dir, db, before } = await databaseWithBackup('damaged-target');
    const garbage = Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4096, 0xab)]);
    fs.writeFileSync(db, garbage);
    const run = await restore(dir, ['latest', '--yes']);
    expect(run.status, run.stderr).toBe(0);
    expect(dumpRows(db)).toEqual(before);
    expect(fs.readFileSync(`${db}.before-restore`)).toEqual(garbage);
  });

  test('a missing backup is a clear error', async () => {
    const dir = tempDir('no-backup');
    createSampleDatabase(path.join(dir, 'app.db'));
    const latest = await restore(dir, ['latest', '--yes']);
    expect(latest.stderr).toMatch(/No SQLite backup of SQLite \/.*app\.db in .* to take as latest/);
    const named = await restore(dir, ['sqlite_backup_20200101_000000.db.gz', '--yes']);
    expect(named.status).toBe(2);
    expect(named.stderr).toMatch(/db-backup list/);
  });
});

describe('what lies beside the safety copy before a restore', () => {
  async function backedUp(label: string) {
    const dir = tempDir(label);
    const db = path.join(dir, 'app.db');
    createSampleDatabase(db, { rows: 3 });
    const made = await cli(['backup', '--database-url', 'file:app.db'], { cwd: dir });
    expect(made.status, made.stderr).toBe(0);
    return { dir, db };
  }

  test("a -wal left beside the safety copy's name (no copy, or an older one) moves aside with it: it is never read into the new copy", async () => {
    const { dir, db } = await backedUp('copy-stray-wal');
    const before = dumpRows(db);
    // A valid WAL of another database whose rows would show in the new copy if it stayed.
    const evil = path.join(dir, 'evil.db');
    fs.copyFileSync(db, evil);
    const writer = new Database(evil);
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec("CREATE TABLE injected (v); INSERT INTO injected VALUES ('EVIL');");
    fs.copyFileSync(`${evil}-wal`, `${db}.before-restore-wal`);
    writer.close();
    const run = await cli(['restore', 'latest', '--database-url', 'file:app.db', '--yes'], {
      cwd: dir,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(fs.existsSync(`${db}.before-restore-wal`)).toBe(false);
    expect(dumpRows(`${db}.before-restore`)).toEqual(before);
    const aside = fs
      .readdirSync(dir)
      .filter((n) => /^app\.db\.before-restore\.\d{8}_\d{6}-wal$/.test(n));
    expect(aside).toHaveLength(1);
  });

  test('a dangling link at the name an older copy moves to is passed over, not renamed onto', async () => {
    const { dir, db } = await backedUp('copy-dangling-aside');
    fs.writeFileSync(`${db}.before-restore`, 'an older copy');
    const then = new Date('2026-01-02T03:04:05Z');
    fs.utimesSync(`${db}.before-restore`, then, then);
    fs.symlinkSync('/nonexistent', `${db}.before-restore.20260102_030405`);
    const run = await cli(['restore', 'latest', '--database-url', 'file:app.db', '--yes'], {
      cwd: dir,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(fs.readFileSync(`${db}.before-restore.20260102_030405_1`, 'utf8')).toBe('an older copy');
    expect(fs.readlinkSync(`${db}.before-restore.20260102_030405`)).toBe('/nonexistent');
  });
});
