import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { startQuickCheck } from '../src/engines/sqlite-check-thread.js';
import { createSampleDatabase, violateCheck, violateNotNull } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

const sha256 = (file: string): string =>
  createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('the SQLite check thread', () => {
  test.each([false, true])(
    'a sound database (WAL mode: %s) is answered sound, and nothing is written beside it',
    async (wal) => {
      const dir = tempDir('check-sound');
      const file = path.join(dir, 'app.db');
      createSampleDatabase(file, { rows: 500, wal });
      // A snapshot has no side files: the check must not make any, or touch the file.
      for (const suffix of ['-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true });
      const before = sha256(file);
      const check = startQuickCheck(file);
      // [] and not undefined: the thread itself answered, no fallback was needed.
      expect(await check.problems).toEqual([]);
      await check.stop();
      expect(fs.readdirSync(dir)).toEqual(['app.db']);
      expect(sha256(file)).toBe(before);
    },
  );

  test.each([
    ['NOT NULL', violateNotNull, 'NULL value in t.a'],
    // A read-only connection's quick_check leaves CHECK constraints out: the thread must not.
    ['CHECK', violateCheck, 'CHECK constraint failed in c'],
  ])(
    'a %s constraint broken on disk is reported, never as sound',
    async (_label, violate, problem) => {
      const file = path.join(tempDir('check-broken'), 'app.db');
      violate(file);
      const check = startQuickCheck(file);
      expect(await check.problems).toEqual([problem]);
    },
  );

  test.each([
    ['a damaged b-tree page', (bytes: Buffer) => bytes.fill(0x5a, 4096 * 3 + 8, 4096 * 3 + 300)],
    ['a file that is no database', (bytes: Buffer) => bytes.fill(0x41, 0, 100)],
  ])('%s gets no answer, so the caller decides in-process', async (_label, damage) => {
    const file = path.join(tempDir('check-damaged'), 'app.db');
    createSampleDatabase(file, { rows: 2000 });
    const bytes = fs.readFileSync(file);
    damage(bytes);
    fs.writeFileSync(file, bytes);
    expect(await startQuickCheck(file).problems).toBeUndefined();
  });

  test('a missing file gets no answer, and is not made', async () => {
    const gone = path.join(tempDir('check-missing'), 'gone.db');
    expect(await startQuickCheck(gone).problems).toBeUndefined();
    expect(fs.existsSync(gone)).toBe(false);
  });

  test('stop ends a check under way; its answer is then "none"', async () => {
    const file = path.join(tempDir('check-stop'), 'app.db');
    createSampleDatabase(file, { rows: 2000 });
    const check = startQuickCheck(file);
    // The thread is still starting when stop comes: it can never answer.
    await check.stop();
    expect(await check.problems).toBeUndefined();
    await check.stop();
  });
});
