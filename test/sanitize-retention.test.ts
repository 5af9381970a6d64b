import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseBackupName } from '../src/domain/backup-name.js';
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
    // Each with a manifest that says whose it is: only then may a window remove it.
    for (const name of NAMES) {
      fs.writeFileSync(path.join(backups, name), 'x');
      const parsed = parseBackupName(name)!;
      fs.writeFileSync(
        path.join(backups, `${name}.json`),
        JSON.stringify({
          formatVersion: 1,
          tool: { name: 'db-backup-action', version: '0.1.0' },
          name,
          engine: 'postgres',
          kind: parsed.kind,
          createdAt: parsed.time.toISOString(),
          database: { name: 'shop', serverVersion: '17.2' },
          identity: { engine: 'postgres', database: 'db.example:5432/shop' },
          file: {
            size: 1,
            sha256: '2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881',
          },
          tables: [{ name: 'public.users', rows: 1 }],
        }),
      );
    }
    const run = await cli(['prune', '--backup-dir', backups, '--max-backups', '1'], { cwd: dir });
    expect(run.status, run.stderr).toBe(0);
    const kept = [
      'postgres_backup_20261102_020000.sql.gz',
      'postgres_before-restore_20261101_120000.sql.gz',
      'postgres_sanitized_20261103_023000.sql.gz',
    ];
    expect(fs.readdirSync(backups).sort()).toEqual(
      kept.flatMap((name) => [name, `${name}.json`]).sort(),
    );
  });
});
