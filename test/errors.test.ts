import { describe, expect, test } from 'vitest';
import { RefusedSql } from '../src/engines/postgres/restore-filter.js';
import {
  DbBackupError,
  exitCodeOf,
  IntegrityError,
  isWorded,
  JobFailure,
  kindOf,
  UserError,
} from '../src/domain/errors.js';
import { RulesError } from '../src/sanitize/rules.js';

describe('one error vocabulary: the kind is set where an error is raised, the exit code follows from it', () => {
  test.each([
    ['UserError', new UserError('bad input'), 'refused', 2],
    ['IntegrityError', new IntegrityError('damaged download'), 'refused', 2],
    ['RefusedSql', new RefusedSql('DROP ROLE refused'), 'refused', 2],
    ['RulesError', new RulesError('rules.json', ['a problem']), 'refused', 2],
    ['JobFailure', new JobFailure('pg_dump died'), 'failed', 1],
    ['a refusal made directly', new DbBackupError('refused', 'no'), 'refused', 2],
    ['a failure made directly', new DbBackupError('failed', 'broke'), 'failed', 1],
    ['a crash', new TypeError('x is undefined'), 'failed', 1],
    ['a thrown string', 'boom', 'failed', 1],
    ['undefined', undefined, 'failed', 1],
  ] as const)('%s', (_, error, kind, code) => {
    expect(kindOf(error)).toBe(kind);
    expect(exitCodeOf(error)).toBe(code);
  });

  test('a failed job is no refusal: it is not a UserError, and a refusal is not a JobFailure', () => {
    expect(new JobFailure('x')).not.toBeInstanceOf(UserError);
    expect(new UserError('x')).not.toBeInstanceOf(JobFailure);
    expect(new IntegrityError('x')).not.toBeInstanceOf(JobFailure);
  });

  test('every error of ours is worded (its message is said as it is); a crash is not', () => {
    for (const error of [new UserError('a'), new JobFailure('b'), new IntegrityError('c')]) {
      expect(isWorded(error)).toBe(true);
      expect(error).toBeInstanceOf(DbBackupError);
    }
    expect(isWorded(new Error('library text'))).toBe(false);
  });

  test('the message and the cause are kept as given', () => {
    const cause = new Error('inner');
    const error = new JobFailure('outer', { cause });
    expect(error.message).toBe('outer');
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('JobFailure');
  });
});
