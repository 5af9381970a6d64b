import { describe, expect, test } from 'vitest';
import {
  compareNewestFirst,
  formatBackupName,
  labelOf,
  labelProblem,
  parseBackupName,
} from '../src/domain/backup-name.js';

const time = new Date(Date.UTC(2026, 10, 26, 2, 3, 4));

describe('backup names', () => {
  test.each([
    [
      { engine: 'sqlite', kind: 'backup', sequence: 0, compression: 'gzip', encrypted: false },
      'sqlite_backup_20261126_020304.db.gz',
    ],
    [
      { engine: 'postgres', kind: 'backup', sequence: 0, compression: 'gzip', encrypted: false },
      'postgres_backup_20261126_020304.sql.gz',
    ],
    [
      { engine: 'postgres', kind: 'backup', sequence: 2, compression: 'gzip', encrypted: true },
      'postgres_backup_20261126_020304_2.sql.gz.gpg',
    ],
    [
      {
        engine: 'postgres',
        kind: 'before-restore',
        sequence: 0,
        compression: 'gzip',
        encrypted: false,
      },
      'postgres_before-restore_20261126_020304.sql.gz',
    ],
    [
      { engine: 'postgres', kind: 'backup', sequence: 0, compression: 'zstd', encrypted: false },
      'postgres_backup_20261126_020304.sql.zst',
    ],
    [
      { engine: 'sqlite', kind: 'backup', sequence: 3, compression: 'zstd', encrypted: true },
      'sqlite_backup_20261126_020304_3.db.zst.gpg',
    ],
    [
      { engine: 'postgres', kind: 'backup', sequence: 0, compression: 'none', encrypted: false },
      'postgres_backup_20261126_020304.sql',
    ],
    [
      {
        engine: 'sqlite',
        kind: 'before-restore',
        sequence: 0,
        compression: 'none',
        encrypted: true,
      },
      'sqlite_before-restore_20261126_020304.db.gpg',
    ],
    [
      {
        engine: 'postgres',
        kind: 'backup',
        sequence: 0,
        compression: 'gzip',
        encrypted: false,
        format: 'custom',
      },
      'postgres_backup_20261126_020304.dump.gz',
    ],
    [
      {
        engine: 'postgres',
        kind: 'backup',
        sequence: 1,
        compression: 'zstd',
        encrypted: true,
        format: 'directory',
      },
      'postgres_backup_20261126_020304_1.dir.tar.zst.gpg',
    ],
    [
      {
        engine: 'postgres',
        kind: 'before-restore',
        sequence: 0,
        compression: 'none',
        encrypted: false,
        format: 'custom',
      },
      'postgres_before-restore_20261126_020304.dump',
    ],
    [
      {
        engine: 'postgres',
        label: 'app',
        kind: 'backup',
        sequence: 0,
        compression: 'gzip',
        encrypted: false,
      },
      'postgres_app_backup_20261126_020304.sql.gz',
    ],
    [
      {
        engine: 'sqlite',
        label: 'Shop-EU-2',
        kind: 'sanitized',
        sequence: 4,
        compression: 'zstd',
        encrypted: true,
      },
      'sqlite_Shop-EU-2_sanitized_20261126_020304_4.db.zst.gpg',
    ],
    [
      {
        engine: 'postgres',
        label: 'billing',
        kind: 'before-restore',
        sequence: 0,
        compression: 'none',
        encrypted: false,
      },
      'postgres_billing_before-restore_20261126_020304.sql',
    ],
    [
      {
        engine: 'postgres',
        label: 'app',
        kind: 'backup',
        sequence: 2,
        compression: 'zstd',
        encrypted: true,
        format: 'directory',
      },
      'postgres_app_backup_20261126_020304_2.dir.tar.zst.gpg',
    ],
  ] as const)('%o is named %s and parses back', (parts, name) => {
    expect(formatBackupName({ ...parts, time })).toBe(name);
    expect(parseBackupName(name)).toEqual({ format: 'plain', ...parts, time, name });
  });

  test('a name without a compression says gzip, as every name did before zstd', () => {
    expect(
      formatBackupName({ engine: 'sqlite', kind: 'backup', time, sequence: 0, encrypted: false }),
    ).toBe('sqlite_backup_20261126_020304.db.gz');
  });

  test.each([
    'sqlite_backup_20261126_020304.db.gz.json',
    'sqlite_backup_20261126_020304.db.zst.json',
    'sqlite_backup_20261126_020304.db.json',
    'sqlite_backup_20261126_020304.sql.zst',
    'postgres_backup_20261126_020304.db',
    'postgres_backup_20261126_020304.sql.gz.zst',
    'postgres_backup_20261126_020304.sql.zstd',
    'postgres_backup_20261126_020304.sql.bz2',
    'postgres_backup_20261126_020304.sql.gpg.gz',
    'postgres_backup_20261126_020304.sql.ZST',
    'sqlite_backup_20261126_020304.sql.gz',
    'postgres_backup_20261126_020304.db.gz',
    'sqlite_backup_20261340_020304.db.gz',
    'sqlite_backup_20261126_020304_0.db.gz',
    'sqlite_backup_20261126_020304_01.db.gz',
    'my_sqlite_backup_20261126_020304.db.gz',
    'sqlite_backup_2026112_020304.db.gz',
    'notes.txt',
    '.db-backup-tmp-abc',
    'sqlite_backup_20261126_020304.dump.gz',
    'sqlite_backup_20261126_020304.dir.tar.gz',
    'postgres_backup_20261126_020304.dir.gz',
    'postgres_backup_20261126_020304.tar.gz',
    'postgres_backup_20261126_020304.sql.dump.gz',
    'postgres_backup_20261126_020304.dump.sql.gz',
    'postgres_backup_20261126_020304.dump.gz.json',
    'postgres__backup_20261126_020304.sql.gz',
    'postgres_a_b_backup_20261126_020304.sql.gz',
    'postgres_-app_backup_20261126_020304.sql.gz',
    'postgres_backup_backup_20261126_020304.sql.gz',
    'postgres_app.x_backup_20261126_020304.sql.gz',
    'postgres_app_backup_20261126_020304.sql.gz.json',
  ])('%s is not one of ours', (name) => {
    expect(parseBackupName(name)).toBeUndefined();
  });

  test('newest first orders by time, then sequence', () => {
    const names = [
      'sqlite_backup_20261126_020304.db.gz',
      'sqlite_backup_20261126_020304_10.db.gz',
      'sqlite_backup_20261126_020304_2.db.gz',
      'sqlite_backup_20261127_000000.db.gz',
    ];
    const sorted = names
      .map((n) => parseBackupName(n)!)
      .sort(compareNewestFirst)
      .map((b) => b.name);
    expect(sorted).toEqual([
      'sqlite_backup_20261127_000000.db.gz',
      'sqlite_backup_20261126_020304_10.db.gz',
      'sqlite_backup_20261126_020304_2.db.gz',
      'sqlite_backup_20261126_020304.db.gz',
    ]);
  });
});

describe("a server's database name in file names (--all-databases)", () => {
  test.each([
    ['app', 'app'],
    ['billing_eu', 'billing-eu'],
    ['Shop.2026', 'Shop-2026'],
    ['_staging__copy_', 'staging-copy'],
    ['backup', 'backup-db'],
    ['Before-Restore', 'Before-Restore-db'],
    ['kunden ümlaut', 'kunden-mlaut'],
    ['x'.repeat(80), 'x'.repeat(60)],
    ['___', undefined],
    ['données', 'donn-es'],
  ])('%s → %s', (database, label) => {
    expect(labelOf(database)).toBe(label);
    if (label !== undefined) {
      expect(labelProblem(label)).toBeUndefined();
      const name = formatBackupName({
        engine: 'postgres',
        label,
        kind: 'backup',
        time: new Date(Date.UTC(2026, 10, 30, 2)),
        sequence: 0,
        encrypted: false,
      });
      expect(parseBackupName(name)?.label).toBe(label);
    }
  });
});
