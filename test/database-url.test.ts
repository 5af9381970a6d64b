import { describe, expect, test } from 'vitest';
import { describeDatabase, parseDatabaseUrl } from '../src/domain/database-location.js';
import { UserError } from '../src/domain/errors.js';
import { redact } from '../src/domain/secrets.js';

const cwd = '/work/app';

describe('SQLite URLs', () => {
  test.each([
    ['file:./dev.db', '/work/app/dev.db'],
    ['file:dev.db', '/work/app/dev.db'],
    ['file:../data/dev.db', '/work/data/dev.db'],
    ['file:/abs/path.db', '/abs/path.db'],
    ['file:///abs/path.db', '/abs/path.db'],
    ['file://localhost/abs/path.db', '/abs/path.db'],
    ['sqlite:./dev.db', '/work/app/dev.db'],
    ['sqlite:/abs/path.db', '/abs/path.db'],
    ['sqlite:///abs/path.db', '/abs/path.db'],
    ['file:./dev.db?connection_limit=1', '/work/app/dev.db'],
    ['file:./my%20data.db', '/work/app/my data.db'],
    ['  file:./dev.db  ', '/work/app/dev.db'],
  ])('%s → %s', (url, expected) => {
    expect(parseDatabaseUrl(url, cwd)).toEqual({ engine: 'sqlite', path: expected });
  });

  test.each(['file:', 'sqlite:', 'file::memory:', 'file://server/share/x.db'])(
    '%s is refused',
    (url) => {
      expect(() => parseDatabaseUrl(url, cwd)).toThrow(UserError);
    },
  );
});

describe('PostgreSQL URLs', () => {
  test('user, encoded password, host, port, database and libpq parameters', () => {
    const location = parseDatabaseUrl(
      'postgresql://app%40prod:p%40ss%3Aw0rd%2F@db.example.com:6543/my_db?sslmode=require&schema=public',
      cwd,
    );
    expect(location).toEqual({
      engine: 'postgres',
      host: 'db.example.com',
      port: 6543,
      user: 'app@prod',
      password: 'p@ss:w0rd/',
      database: 'my_db',
      params: { sslmode: 'require' },
    });
    expect(describeDatabase(location)).toBe('postgres://app%40prod@db.example.com:6543/my_db');
    expect(redact('failed for p@ss:w0rd/ and p%40ss%3Aw0rd%2F')).toBe('failed for *** and ***');
  });

  test('a password given as a query parameter is the password, and a secret', () => {
    const location = parseDatabaseUrl(
      'postgres://app@db/prod?password=q%26uery-Secret&sslmode=disable',
      cwd,
    );
    expect(location).toMatchObject({ password: 'q&uery-Secret', params: { sslmode: 'disable' } });
    expect(redact('oops q&uery-Secret')).toBe('oops ***');
  });

  test('an empty host with a socket directory in the query, as libpq allows', () => {
    expect(parseDatabaseUrl('postgres://app:pw@/prod?host=/var/run/postgresql', cwd)).toMatchObject(
      {
        host: '/var/run/postgresql',
        user: 'app',
        database: 'prod',
        params: {},
      },
    );
    expect(parseDatabaseUrl('postgresql:///prod', cwd)).toMatchObject({
      host: 'localhost',
      database: 'prod',
    });
  });

  test('defaults: port 5432, user postgres', () => {
    expect(parseDatabaseUrl('postgres://localhost/app', cwd)).toMatchObject({
      host: 'localhost',
      port: 5432,
      user: 'postgres',
      password: '',
    });
  });

  test.each(['postgres://localhost', 'postgres://u:p@host:99999/db'])('%s is refused', (url) => {
    expect(() => parseDatabaseUrl(url, cwd)).toThrow(UserError);
  });
});

describe('other schemes', () => {
  test.each(['mysql://root@localhost/app', 'mongodb://x', './dev.db', '', 'redis:6379'])(
    '%s names the supported schemes',
    (url) => {
      expect(() => parseDatabaseUrl(url, cwd)).toThrow(
        url.trim()
          ? /file:PATH, sqlite:PATH, sqlite3:PATH, postgres:\/\/ or postgresql:\/\//
          : /No database given/,
      );
    },
  );

  test('a malformed URL with a password never echoes it', () => {
    try {
      parseDatabaseUrl('postgres://user:s3cr3t-pw@[bad/db', cwd);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain('s3cr3t-pw');
    }
  });
});
