import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, test } from 'vitest';
import type { BackupResult } from '../../src/commands/backup.js';
import type { RestoreResult } from '../../src/commands/restore.js';
import { cli, type CliRun } from './cli.js';
import { flipBytes } from './corrupt.js';

/**
 * What an engine's test gives the contract: fresh databases of that engine,
 * and the one fault only the engine knows how to make. Everything else — the
 * data, the checks, the damage — is the contract's, so every engine is held
 * to the same promises, and a new engine is one small file that calls
 * `engineContract` (plus its line in the engine factory).
 */
export interface EngineSubject {
  /** A new, empty database (no tables) for one test, in its own working directory. */
  fresh(label: string): Promise<EngineDatabase>;
  /**
   * A copy of `backup` (a file this tool wrote), without a manifest, written
   * into `dir`, that passes the checks at the door (it unpacks to its end, it
   * holds this engine's kind of data) and fails once the engine applies it.
   */
  failingHalfway(backup: string, dir: string): Promise<string>;
}

export interface EngineDatabase {
  /** The working directory the CLI runs in; backups go to `<cwd>/backups`. */
  readonly cwd: string;
  /** The database URL, as DATABASE_URL takes it. */
  readonly url: string;
  /** The environment the CLI runs with. */
  readonly env: NodeJS.ProcessEnv;
  /** Runs SQL (several statements) in the database. */
  exec(sql: string): Promise<void>;
  /** Every row of every table (table name → rows), ordered: what a restore must give back exactly. */
  rows(): Promise<Record<string, unknown[]>>;
  /** How the manifest names `table` (PostgreSQL qualifies it with its schema). */
  tableName(table: string): string;
}

/** Portable SQL both engines run: types, NULLs, quotes, a line break, unicode, an empty table. */
const SEED = `
  CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price NUMERIC, note TEXT);
  CREATE TABLE tags (item_id INTEGER NOT NULL REFERENCES items(id), tag TEXT NOT NULL);
  CREATE TABLE nothing_yet (id INTEGER);
  INSERT INTO items VALUES
    (1, 'plain', 1.5, NULL), (2, 'it''s quoted', 20, 'a; semicolon'), (3, 'Zoë «ü» 😀', NULL, 'line one
line two'),
    (4, 'four', 4, NULL), (5, 'five', 5.25, 'last');
  INSERT INTO tags VALUES (1, 'a'), (1, 'b'), (2, 'c'), (5, 'd');
`;

const COUNTS: Record<string, number> = { items: 5, tags: 4, nothing_yet: 0 };

/** Changes after the backup, so a restore has something to undo. */
const CHANGES = `
  DELETE FROM tags WHERE item_id = 1;
  UPDATE items SET name = 'changed' WHERE id = 2;
  INSERT INTO items VALUES (6, 'added after the backup', 6, NULL);
`;

/** The CLI on `db`, given as DATABASE_URL (as a cron job gives it: no password in the argument list). */
async function run(db: EngineDatabase, args: readonly string[]): Promise<CliRun> {
  return cli(args, { cwd: db.cwd, env: { ...db.env, DATABASE_URL: db.url } });
}

async function backup(db: EngineDatabase): Promise<BackupResult> {
  const result = await run(db, ['backup', '--json']);
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as BackupResult;
}

async function restore(db: EngineDatabase, file: string): Promise<CliRun> {
  return run(db, ['restore', file, '--yes', '--json']);
}

/** Round trip, empty database, damage, a restore failing halfway, the safety copy and the counts, for one engine. */
export function engineContract(name: string, subject: EngineSubject): void {
  describe(`${name}: the engine contract`, () => {
    test('round trip: a restore gives back exactly what the backup held, undoing later changes', async () => {
      const db = await subject.fresh('round-trip');
      await db.exec(SEED);
      const seeded = await db.rows();
      const made = await backup(db);
      await db.exec(CHANGES);
      expect(await db.rows()).not.toEqual(seeded);
      const restored = await restore(db, made.file);
      expect(restored.status, restored.stderr).toBe(0);
      expect(await db.rows()).toEqual(seeded);
    });

    test('table row counts: the manifest and the restore count every table, the empty one too', async () => {
      const db = await subject.fresh('counts');
      await db.exec(SEED);
      const made = await backup(db);
      const expected = Object.entries(COUNTS)
        .map(([table, rows]) => ({ name: db.tableName(table), rows }))
        .sort((a, b) => a.name.localeCompare(b.name));
      const byName = (tables: readonly { name: string; rows: number }[]) =>
        [...tables]
          .map(({ name: table, rows }) => ({ name: table, rows }))
          .sort((a, b) => a.name.localeCompare(b.name));
      expect(byName(made.manifest.tables)).toEqual(expected);
      await db.exec(CHANGES);
      const restored = await restore(db, made.file);
      expect(restored.status, restored.stderr).toBe(0);
      expect(byName((JSON.parse(restored.stdout) as RestoreResult).info.tables)).toEqual(expected);
    });

    test('an empty database backs up, says it held nothing, and restores as empty', async () => {
      const db = await subject.fresh('empty');
      const made = await backup(db);
      expect(made.manifest.tables).toEqual([]);
      const target = await subject.fresh('empty-target');
      const restored = await restore(target, made.file);
      expect(restored.status, restored.stderr).toBe(0);
      expect(await target.rows()).toEqual({});
    });

    test.each([
      [
        'bit rot in the middle (the manifest checksum disagrees)',
        (file: string) => flipBytes(file),
      ],
      [
        'cut short, without a manifest to vouch for it',
        (file: string) => {
          fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
          fs.rmSync(`${file}.json`, { force: true });
        },
      ],
    ])('damaged input is refused (exit 2) and nothing changes: %s', async (_, damage) => {
      const db = await subject.fresh('damaged');
      await db.exec(SEED);
      const made = await backup(db);
      await db.exec(CHANGES);
      const before = await db.rows();
      damage(made.file);
      const restored = await restore(db, made.file);
      expect(restored.status, restored.stderr).toBe(2);
      expect(restored.stderr).toMatch(/^db-backup: /m);
      expect(await db.rows()).toEqual(before);
    });

    test('a restore failing halfway leaves the target as it was', async () => {
      const db = await subject.fresh('halfway');
      await db.exec(SEED);
      const made = await backup(db);
      await db.exec(CHANGES);
      const before = await db.rows();
      const failing = await subject.failingHalfway(made.file, path.join(db.cwd, 'faults'));
      const restored = await restore(db, failing);
      expect(restored.status, restored.stdout).not.toBe(0);
      expect(restored.stderr).toMatch(/^db-backup: /m);
      expect(await db.rows()).toEqual(before);
    });

    test('safety copy: what a restore replaced is kept, and restores back', async () => {
      const db = await subject.fresh('safety');
      await db.exec(SEED);
      const made = await backup(db);
      await db.exec(CHANGES);
      const changed = await db.rows();
      const restored = await restore(db, made.file);
      expect(restored.status, restored.stderr).toBe(0);
      const previous = (JSON.parse(restored.stdout) as RestoreResult).previousCopy;
      expect(previous).toBeDefined();
      expect(fs.existsSync(previous!)).toBe(true);
      const back = await restore(db, previous!);
      expect(back.status, back.stderr).toBe(0);
      expect(await db.rows()).toEqual(changed);
    });
  });
}

/** A gzip file of `text`, as the tool writes backups. */
export function writeGzip(file: string, content: Buffer | string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, zlib.gzipSync(content));
}

/** The decompressed content of a gzip backup. */
export function readGzip(file: string): Buffer {
  return zlib.gunzipSync(fs.readFileSync(file));
}
