import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openBackup } from '../src/commands/locate-backup.js';
import { parseDatabaseUrl } from '../src/domain/database-location.js';
import { UserError } from '../src/domain/errors.js';
import { parseManifest } from '../src/domain/manifest.js';
import { createEngine } from '../src/engines/index.js';
import { cli } from './support/cli.js';
import { startPostgres, type PgServer } from './support/postgres.js';
import { createSampleDatabase } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

/**
 * A restore checks the stored file against its manifest, then reads it again
 * to restore it. A file replaced at its path in between (another job writing
 * the backup directory, a sync that renames into it) must not be restored as
 * if it were the one checked: each read of a file its manifest vouched for is
 * checked to its last byte, and the restore keeps nothing of a read that fails.
 */

let server: PgServer;
const env = { PATH: process.env.PATH };

beforeAll(async () => {
  server = await startPostgres();
  await server.createDatabase('changed_src', 'CREATE TABLE t (v text); INSERT INTO t VALUES (1);');
});

afterAll(async () => {
  await server?.stop();
});

/** A backup of `url` into `dir`, and its manifest as a restore reads it. */
async function backupOf(url: string, dir: string, extra: string[] = []) {
  const made = await cli(['backup', '--database-url', url, '--json', ...extra], { cwd: dir, env });
  expect(made.status, made.stderr).toBe(0);
  const file = (JSON.parse(made.stdout) as { file: string }).file;
  const manifest = parseManifest(fs.readFileSync(`${file}.json`, 'utf8'), `${file}.json`);
  return { name: path.basename(file), file, manifest };
}

const QUIET = { log: { info: () => undefined, warn: () => undefined } };
const CHANGED = /changed while it was being read: it no longer matches the sha256 and size/;

describe('a backup replaced at its path after its manifest was checked', () => {
  test("SQLite: the restore fails at the read's end, and the target is byte for byte as it was", async () => {
    const dir = tempDir('changed-sqlite');
    const first = path.join(dir, 'first.db');
    const second = path.join(dir, 'second.db');
    const target = path.join(dir, 'target.db');
    createSampleDatabase(first, { rows: 10 });
    createSampleDatabase(second, { rows: 20 });
    createSampleDatabase(target, { rows: 5 });
    const checked = await backupOf(`file:${first}`, dir);
    const other = await backupOf(`file:${second}`, dir);
    const before = fs.readFileSync(target);
    const engine = await createEngine(parseDatabaseUrl(`file:${target}`, dir), QUIET);
    const source = await openBackup({ ...checked, engine: 'sqlite' }, {}, true);
    await source.probe();
    fs.copyFileSync(other.file, checked.file);
    const error = await engine.restore(source).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(CHANGED);
    expect(fs.readFileSync(target)).toEqual(before);
    // The same bytes, read as the file their own manifest describes, restore.
    const reopened = await openBackup({ ...other, file: checked.file, engine: 'sqlite' }, {}, true);
    await engine.restore(reopened);
    expect(fs.readFileSync(target)).not.toEqual(before);
  });

  test.each([['plain'], ['custom']])(
    'PostgreSQL, %s, in place: the transaction is rolled back, the database is as it was',
    async (format) => {
      const dir = tempDir(`changed-${format}`);
      const target = `changed_${format}`;
      await server.createDatabase(target, 'CREATE TABLE t (v text); INSERT INTO t VALUES (2);');
      const checked = await backupOf(server.url('changed_src'), dir, ['--format', format]);
      await server.query('changed_src', 'INSERT INTO t VALUES (3)');
      const other = await backupOf(server.url('changed_src'), dir, ['--format', format]);
      const before = server.dump(target);
      const engine = await createEngine(parseDatabaseUrl(server.url(target), dir), QUIET);
      const source = await openBackup({ ...checked, engine: 'postgres' }, {}, true);
      fs.copyFileSync(other.file, checked.file);
      const error = await engine.restore(source).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect((error as Error | undefined)?.message).toMatch(CHANGED);
      expect(server.dump(target)).toBe(before);
      await server.query('changed_src', 'DELETE FROM t WHERE v = $1', ['3']);
    },
  );
});
