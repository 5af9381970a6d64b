/**
 * The promises of "Secrets and child processes", "Temporary files",
 * Encryption and SQLite restore, attacked at their edges: arguments in the
 * wrong place, passphrase files no person meant as such, temporary
 * directories reached through links, SQLite paths the kernel reads otherwise
 * than a string does, and connection settings our two PostgreSQL clients
 * would read differently. Each case asserts the exit code, the one line
 * and that nothing was lost or leaked.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { withoutCredentials } from '../src/secrets.js';
import { cli, type CliRun } from './support/cli.js';
import { createSampleDatabase, dumpRows } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

const PASSPHRASE = 'edge case passphrase 0123456789';
const env = { PATH: process.env.PATH };

/** The one `db-backup:` line of a refusal. */
function refusal(run: CliRun): string {
  const lines = run.stderr.split('\n').filter((line) => line.startsWith('db-backup:'));
  expect(lines, run.stderr).toHaveLength(1);
  return lines[0]!;
}

/** Names and sha256 of every file in a directory. */
function fingerprint(dir: string): Record<string, string> {
  if (!fs.existsSync(dir)) return {};
  const result: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (!fs.lstatSync(file).isFile()) continue;
    result[name] = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  }
  return result;
}

describe('a database URL typed where an argument belongs is never echoed with its password', () => {
  const SECRET = 'Typed-In-Argument-Secret-42';
  const url = `postgres://app:${SECRET}@127.0.0.1:1/app`;

  test.each([
    ['postgres://app:pw@db/app', 'postgres://app:***@db/app'],
    [
      'postgresql://app:p/ss@w@db:5432/app?sslmode=require',
      'postgresql://app:***@db:5432/app?sslmode=require',
    ],
    [
      'postgres://app@db/app?sslmode=require&password=pw',
      'postgres://app@db/app?sslmode=require&password=***',
    ],
    ['http://AKIA:aws-secret@minio:9000', 'http://AKIA:***@minio:9000'],
    ['postgres://app@db/app', 'postgres://app@db/app'],
    ['sqlite_backup_20261126_020000.db.gz', 'sqlite_backup_20261126_020000.db.gz'],
  ])('withoutCredentials(%s)', (text, shown) => {
    expect(withoutCredentials(text)).toBe(shown);
  });

  test('backup with the URL as an argument: exit 2, the password nowhere, the flag named', async () => {
    const dir = tempDir('url-argument');
    const run = await cli(['backup', url], { cwd: dir, env });
    expect(run.status).toBe(2);
    expect(run.stderr + run.stdout).not.toContain(SECRET);
    expect(refusal(run)).toMatch(
      /Unexpected argument "postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/app": give the database as DATABASE_URL/,
    );
  });

  test.each(['restore', 'verify'])(
    '%s with the URL where the backup belongs: exit 2, the password nowhere',
    async (command) => {
      const dir = tempDir('url-as-backup');
      createSampleDatabase(path.join(dir, 'app.db'));
      const run = await cli(command === 'restore' ? [command, url, '--yes'] : [command, url], {
        cwd: dir,
        env: { ...env, DATABASE_URL: 'file:app.db' },
      });
      expect(run.status).toBe(2);
      expect(run.stderr + run.stdout).not.toContain(SECRET);
      expect(refusal(run)).toMatch(
        /No backup "postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/app": the backup is a name, a file or latest; give the database as DATABASE_URL or --database-url\./,
      );
    },
  );

  test('a password in ?password= of --database-url is warned about like one before the host', async () => {
    const dir = tempDir('query-password-flag');
    const run = await cli(
      ['list', '--database-url', `postgres://app@127.0.0.1:1/app?password=${SECRET}`],
      { cwd: dir, env },
    );
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/warning: --database-url holds a password, which other users/);
    expect(run.stderr + run.stdout).not.toContain(SECRET);
  });
});
