import { describe, expect, test } from 'vitest';
import {
  formatVerificationRecordName,
  freeRecordName,
  parseVerificationRecordName,
  recordsOf,
} from '../src/verification/verification-record.js';

const BACKUP = 'sqlite_backup_20261126_020000.db.gz';
const AT = new Date(Date.UTC(2026, 11, 1, 3, 4, 5));

describe('verification record names', () => {
  test.each([
    ['verified', `${BACKUP}.verified_20261201_030405.json`],
    ['quick-checked', `${BACKUP}.quick-checked_20261201_030405.json`],
    ['verify-failed', `${BACKUP}.verify-failed_20261201_030405.json`],
  ] as const)('%s: %s, read back to the same parts', (outcome, name) => {
    expect(formatVerificationRecordName(BACKUP, outcome, AT)).toBe(name);
    const parsed = parseVerificationRecordName(name);
    expect(parsed?.backup.name).toBe(BACKUP);
    expect(parsed?.outcome).toBe(outcome);
    expect(parsed?.time).toEqual(AT);
  });

  test.each([
    [`${BACKUP}.json`, 'a manifest'],
    [BACKUP, 'the backup itself'],
    [`notes.txt.verified_20261201_030405.json`, 'a foreign file'],
    [`${BACKUP}.verified_20261301_030405.json`, 'an impossible date'],
    [`${BACKUP}.verified_20261201_030405.json.tmp`, 'another suffix'],
    [`${BACKUP}.verified-later_20261201_030405.json`, 'an unknown outcome'],
    [`${BACKUP}.verified_20261201_030405_01.json`, 'a sequence with a leading zero'],
  ])('%s (%s) is not a record', (name) => {
    expect(parseVerificationRecordName(name)).toBeUndefined();
  });

  test('an encrypted PostgreSQL backup has records too', () => {
    const backup = 'postgres_backup_20261126_020000_2.sql.gz.gpg';
    const name = formatVerificationRecordName(backup, 'verified', AT, 3);
    expect(name).toBe(`${backup}.verified_20261201_030405_3.json`);
    expect(parseVerificationRecordName(name)?.sequence).toBe(3);
  });

  test('two verifications in one second get distinct names', () => {
    const first = freeRecordName(BACKUP, 'verified', AT, new Set());
    const second = freeRecordName(BACKUP, 'verified', AT, new Set([first]));
    expect(second).toBe(`${BACKUP}.verified_20261201_030405_1.json`);
  });

  test('a record written later in the same second sorts later, whatever its outcome or backup', () => {
    const other = 'sqlite_backup_20261126_020000_1.db.gz';
    const taken = new Set([
      `${BACKUP}.verified_20261201_030405.json`,
      `${other}.quick-checked_20261201_030405_1.json`,
      `${BACKUP}.verified_20261201_030404_7.json`,
    ]);
    expect(freeRecordName(BACKUP, 'verify-failed', AT, taken)).toBe(
      `${BACKUP}.verify-failed_20261201_030405_2.json`,
    );
  });

  test('recordsOf picks a backup’s own records, not those of a backup whose name it prefixes', () => {
    const other = 'sqlite_backup_20261126_020000_1.db.gz';
    const names = [
      BACKUP,
      `${BACKUP}.json`,
      `${BACKUP}.verified_20261201_030405.json`,
      `${BACKUP}.verify-failed_20261202_030405.json`,
      `${other}.verified_20261201_030405.json`,
      'notes.txt',
    ];
    expect(recordsOf(BACKUP, names)).toEqual([
      `${BACKUP}.verified_20261201_030405.json`,
      `${BACKUP}.verify-failed_20261202_030405.json`,
    ]);
  });
});
