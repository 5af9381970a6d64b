import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseBackupName } from '../src/backup-name.js';
import { planRetention } from '../src/retention/plan-retention.js';
import { cli } from './support/cli.js';
import { tempDir } from './support/tmp.js';

const NAMES = [
  'postgres_backup_20261101_020000.sql.gz',
  'postgres_backup_20261102_020000.sql.gz',
  'postgres_sanitized_20261101_023000.sql.gz',
  'postgres_sanitized_20261102_023000.sql.gz.gpg',
  'postgres_sanitized_20261103_023000.sql.gz',
  'postgres_before-restore_20261101_120000.sql.gz',
];

describe('sanitized copies and the rolling window', () => {
  test('sanitized names parse as their own kind', () => {
    expect(parseBackupName('sqlite_sanitized_20261130_020000_2.db.gz.gpg')).toMatchObject({
      engine: 'sqlite',
      kind: 'sanitized',
      sequence: 2,
      encrypted: true,
    });
    expect(parseBackupName('postgres_sanitised_20261130_020000.sql.gz')).toBeUndefined();
  });

  test('regular backups and sanitized copies each keep their own newest N', () => {
    const regular = planRetention(NAMES, { engine: 'postgres', maxBackups: 1 });
    expect(regular.keep.map((b) => b.name)).toEqual(['postgres_backup_20261102_020000.sql.gz']);
    expect(regular.remove.map((b) => b.name)).toEqual(['postgres_backup_20261101_020000.sql.gz']);
    const sanitized = planRetention(NAMES, {
      engine: 'postgres',
      maxBackups: 1,
      kind: 'sanitized',
    });
    expect(sanitized.keep.map((b) => b.name)).toEqual([
      'postgres_sanitized_20261103_023000.sql.gz',
    ]);
    expect(sanitized.remove.map((b) => b.name)).toEqual([
      'postgres_sanitized_20261102_023000.sql.gz.gpg',
      'postgres_sanitized_20261101_023000.sql.gz',
    ]);
  });

  test('prune applies both windows, and never touches safety copies', async () => {
    const dir = tempDir('sanitize-prune');
    const backups = path.join(dir, 'backups');
    fs.mkdirSync(backups, { mode: 0o700 });
    for (const name of NAMES) fs.writeFileSync(path.join(backups, name), 'x');
    const run = await cli(['prune', '--backup-dir', backups, '--max-backups', '1'], { cwd: dir });
    expect(run.status, run.stderr).toBe(0);
    expect(fs.readdirSync(backups).sort()).toEqual([
      'postgres_backup_20261102_020000.sql.gz',
      'postgres_before-restore_20261101_120000.sql.gz',
      'postgres_sanitized_20261103_023000.sql.gz',
    ]);
  });
});
