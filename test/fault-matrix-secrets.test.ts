/**
 * Secrets, files, SQLite targets and odd inputs, tried the way a careful user
 * (or a bad day) would: real PostgreSQL, real SQLite files, real gpg, real
 * child processes behind logging wrappers, real `kill -KILL`. Every case
 * asserts the exit code, the message, and that nothing was lost: the target
 * compared before and after, the backups already there intact.
 */
import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { OPTIONS } from '../src/config/options.js';
import { MAX_PASSPHRASE_BYTES, MIN_PASSPHRASE_LENGTH } from '../src/pipeline/passphrase-rules.js';
import { redact, registerSecret } from '../src/domain/secrets.js';
import { describeUnreadable, type Unreadable } from '../src/engines/postgres/server.js';
import { BUNDLED_CLI, bundledCli, cli, REPO_ROOT, type CliRun } from './support/cli.js';
import { GpgHome } from './support/gpg.js';
import { snapshotRows, startPostgres, TEST_PASSWORD, type PgServer } from './support/postgres.js';
import { systemServerBinDir } from './support/pg-binaries.js';
import { runBundledAction } from './support/runner.js';
import { createSampleDatabase, dumpRows } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

const PASSPHRASE = 'fault matrix passphrase 0123456789';
const env = { PATH: process.env.PATH };
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** Names and sha256 of every file in a directory: "old backups intact" is equality of this. */
function fingerprint(dir: string): Record<string, string> {
  if (!fs.existsSync(dir)) return {};
  const result: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (!fs.statSync(file).isFile()) continue;
    result[name] = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  }
  return result;
}

/** The one `db-backup:` line of a refusal. */
function refusal(run: CliRun): string {
  const lines = run.stderr.split('\n').filter((line) => line.startsWith('db-backup:'));
  expect(lines, run.stderr).toHaveLength(1);
  return lines[0]!;
}

function head(file: string, bytes = 16): Buffer {
  const handle = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const read = fs.readSync(handle, buffer, 0, bytes, 0);
    return buffer.subarray(0, read);
  } finally {
    fs.closeSync(handle);
  }
}

/** Every file is a manifest or OpenPGP data (a binary packet with its high bit set): nothing readable. */
function assertNothingPlain(dir: string): void {
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    if (!fs.statSync(file).isFile() || fs.statSync(file).size === 0) continue;
    if (name.endsWith('.json') && !name.startsWith('.')) {
      expect(() => JSON.parse(fs.readFileSync(file, 'utf8')) as unknown).not.toThrow();
      continue;
    }
    const start = head(file);
    expect(start.subarray(0, 16).equals(SQLITE_HEADER), `${name} is a SQLite database`).toBe(false);
    expect(start[0] === 0x1f && start[1] === 0x8b, `${name} is plain gzip`).toBe(false);
    expect((start[0]! & 0x80) !== 0, `${name} is not OpenPGP data`).toBe(true);
  }
}

function waitFor(condition: () => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = (): void => {
      let met: boolean;
      try {
        met = condition();
      } catch {
        // A file that vanished between listing and reading: look again.
        met = false;
      }
      if (met) resolve();
      else if (Date.now() - started > 120_000) reject(new Error(`never happened: ${what}`));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

/** A database of random blobs, big enough that compressing and encrypting it takes a while. */
function createBigSqlite(file: string, rows = 90_000): void {
  const db = new Database(file);
  db.exec(`
    CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
    INSERT INTO blobs SELECT i, randomblob(1000) FROM n;
  `);
  db.close();
}

function killHard(pid: number): void {
  expect(spawnSync('kill', ['-KILL', String(pid)]).status).toBe(0);
}

describe('secrets never reach a child process', () => {
  let server: PgServer;
  let shims: string;
  let calls: string;
  const realBin = systemServerBinDir();
  const SECRETS: Record<string, string> = {
    BACKUP_PASSPHRASE: PASSPHRASE,
    BACKUP_PRIVATE_KEY_PASSPHRASE: 'private key passphrase 7777',
    AWS_ACCESS_KEY_ID: 'AKIAFAULTMATRIX0000',
    AWS_SECRET_ACCESS_KEY: 'aws-secret-access-key-abcdefghijklmnop',
    AWS_SESSION_TOKEN: 'aws-session-token-qrstuvwxyz012345',
    GITHUB_TOKEN: 'ghp_faultmatrixtoken0123456789abcdef',
    AZURE_STORAGE_KEY: 'azure-storage-key-0123456789+/==',
    AZURE_STORAGE_CONNECTION_STRING:
      'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=azure-connection-secret-987',
    AZURE_CLIENT_SECRET: 'azure-client-secret-555-xyz',
    GOOGLE_APPLICATION_CREDENTIALS_JSON_SECRET: 'gcp-private-key-material-4242',
  };

  beforeAll(async () => {
    if (!realBin) return;
    server = await startPostgres();
    await server.createDatabase(
      'leakcheck',
      `CREATE TABLE t (id int PRIMARY KEY, note text); INSERT INTO t SELECT i, 'row ' || i FROM generate_series(1, 50) i;`,
    );
    const root = tempDir('shims');
    shims = path.join(root, 'bin');
    calls = path.join(root, 'calls');
    fs.mkdirSync(shims);
    fs.mkdirSync(calls);
    // Records argv and the whole environment it was started with, then becomes the real program.
    for (const program of ['pg_dump', 'psql', 'pg_dumpall', 'pg_restore']) {
      fs.writeFileSync(
        path.join(shims, program),
        `#!/bin/sh\nlog=$(mktemp "${calls}/${program}.XXXXXX")\ncat /proc/$$/cmdline > "$log.argv"\ncat /proc/$$/environ > "$log.env"\nexec "${realBin}/${program}" "$@"\n`,
        { mode: 0o755 },
      );
    }
  });

  afterAll(async () => {
    await server?.stop();
  });

  interface Call {
    readonly program: string;
    readonly argv: string[];
    readonly env: Record<string, string>;
  }

  function recordedCalls(): Call[] {
    return fs
      .readdirSync(calls)
      .filter((name) => name.endsWith('.argv'))
      .map((name) => {
        const base = name.slice(0, -'.argv'.length);
        const argv = fs.readFileSync(path.join(calls, name), 'utf8').split('\0').filter(Boolean);
        const envText = fs.readFileSync(path.join(calls, `${base}.env`), 'utf8');
        const childEnv: Record<string, string> = {};
        for (const entry of envText.split('\0').filter(Boolean)) {
          const at = entry.indexOf('=');
          childEnv[entry.slice(0, at)] = entry.slice(at + 1);
        }
        return { program: base.split('.')[0]!, argv, env: childEnv };
      });
  }

  /** No secret in any argv or environment value, except the database password as PGPASSWORD of a real call. */
  function assertNoSecretReachedAChild(extraSecrets: readonly string[]): Call[] {
    const recorded = recordedCalls();
    const secrets = [...Object.values(SECRETS), ...extraSecrets].flatMap((s) => [
      s,
      encodeURIComponent(s),
    ]);
    const allowed =
      /^(PATH|LANG|LANGUAGE|LC_[A-Z_]+|TZ|HOME|LD_LIBRARY_PATH|DYLD_LIBRARY_PATH|KRB5CCNAME|KRB5_CONFIG|PG[A-Z_]+)$/;
    for (const call of recorded) {
      const where = `${call.program} ${call.argv.slice(2).join(' ')}`;
      const probe = call.argv.includes('--version');
      for (const arg of call.argv) {
        for (const secret of [...secrets, TEST_PASSWORD, encodeURIComponent(TEST_PASSWORD)])
          expect(arg.includes(secret), `${where}: a secret in an argument`).toBe(false);
      }
      for (const [name, value] of Object.entries(call.env)) {
        expect(name, `${where}: ${name} reached the child`).toMatch(allowed);
        if (name === 'PGPASSWORD') {
          expect(probe, `${where}: a version probe got PGPASSWORD`).toBe(false);
          expect(value).toBe(TEST_PASSWORD);
          continue;
        }
        for (const secret of [...secrets, TEST_PASSWORD])
          expect(value.includes(secret), `${where}: ${name} holds a secret`).toBe(false);
      }
      if (probe) expect(Object.keys(call.env).filter((n) => n.startsWith('PG'))).toEqual([]);
    }
    return recorded;
  }

  test('backup, list, verify and restore through the CLI and the bundled action', async (context) => {
    if (!realBin || process.platform !== 'linux') {
      context.skip('needs PostgreSQL client programs and /proc (Linux)');
      return;
    }
    const dir = tempDir('leaks');
    const databaseUrl = server.url('leakcheck');
    const secretEnv = {
      ...SECRETS,
      PATH: `${shims}:${process.env.PATH ?? ''}`,
      DATABASE_URL: databaseUrl,
      VERIFY_DATABASE_URL: server.url('postgres'),
    };
    const before = await snapshotRows(server, 'leakcheck');
    const runs: CliRun[] = [
      // pg_dump named by --pg-dump-path, and found first on PATH (every candidate is probed).
      bundledCli(['backup', '--pg-dump-path', path.join(shims, 'pg_dump')], {
        cwd: dir,
        env: secretEnv,
      }),
      bundledCli(['backup'], { cwd: dir, env: secretEnv }),
      bundledCli(['list'], { cwd: dir, env: secretEnv }),
      bundledCli(['verify', 'latest'], { cwd: dir, env: secretEnv }),
      bundledCli(['restore', 'latest', '--yes'], { cwd: dir, env: secretEnv }),
      // A custom archive: pg_restore lists it, writes its SQL for psql, and fills a new database with --jobs.
      bundledCli(['backup', '--format', 'custom'], { cwd: dir, env: secretEnv }),
      bundledCli(['restore', 'latest', '--yes'], { cwd: dir, env: secretEnv }),
      bundledCli(['restore', 'latest', '--drop-database', '--jobs', '2', '--yes'], {
        cwd: dir,
        env: secretEnv,
      }),
    ];
    for (const run of runs) expect(run.status, run.stderr).toBe(0);
    const action = (command: string, inputs: Record<string, string> = {}) =>
      runBundledAction(
        {
          command,
          'database-url': databaseUrl,
          'encryption-passphrase': PASSPHRASE,
          'github-token': SECRETS.GITHUB_TOKEN!,
          'verify-database-url': server.url('postgres'),
          ...inputs,
        },
        { cwd: dir, env: secretEnv },
      );
    for (const run of [
      action('backup', { 'pg-dump-path': path.join(shims, 'pg_dump') }),
      action('list'),
      action('verify'),
      action('restore', { confirm: 'leakcheck' }),
    ]) {
      expect(run.status, run.stdout).toBe(0);
      expect(run.stdout).not.toContain(TEST_PASSWORD);
    }
    const recorded = assertNoSecretReachedAChild([]);
    // The wrappers really stood in: probes and real work of both programs went through them.
    expect(recorded.some((c) => c.program === 'pg_dump' && c.argv.includes('--version'))).toBe(
      true,
    );
    expect(
      recorded.some(
        (c) => c.program === 'pg_dump' && c.argv.some((a) => a.startsWith('--snapshot=')),
      ),
    ).toBe(true);
    expect(recorded.some((c) => c.program === 'psql' && c.argv.includes('--version'))).toBe(true);
    expect(recorded.some((c) => c.program === 'psql' && c.argv.includes('--file=-'))).toBe(true);
    expect(recorded.some((c) => c.program === 'pg_restore' && c.argv.includes('--list'))).toBe(
      true,
    );
    expect(recorded.some((c) => c.program === 'pg_restore' && c.argv.includes('--jobs=2'))).toBe(
      true,
    );
    // Every call that connects gets the password, and only those: pg_restore reading an archive does not.
    const connects = (c: Call) =>
      !c.argv.includes('--version') &&
      (c.program !== 'pg_restore' || c.argv.some((a) => a.startsWith('--dbname=')));
    expect(recorded.filter(connects).every((c) => c.env.PGPASSWORD)).toBe(true);
    expect(recorded.filter((c) => !connects(c)).some((c) => c.env.PGPASSWORD)).toBe(false);
    expect(await snapshotRows(server, 'leakcheck')).toEqual(before);
    // Twelve runs of the CLI and the action, one after another: 45 s alone, over 60 s on a busy machine.
  }, 180_000);

  test('a pg_dump that prints the password on stderr: the error masks it, and our own words stay whole', async (context) => {
    if (!realBin) {
      context.skip('no PostgreSQL client programs on this machine');
      return;
    }
    await server.query('postgres', "CREATE ROLE shorty LOGIN SUPERUSER PASSWORD 'the'");
    const dir = tempDir('loud-wrapper');
    const wrapper = path.join(dir, 'pg_dump');
    fs.writeFileSync(
      wrapper,
      `#!/bin/sh\n[ "$1" = --version ] && exec "${realBin}/pg_dump" --version\necho "pg_dump: error: the password was $PGPASSWORD, said the theme" >&2\nexit 1\n`,
      { mode: 0o755 },
    );
    const url = `postgres://shorty:the@${server.host}:${server.port}/leakcheck`;
    const run = bundledCli(['backup', '--pg-dump-path', wrapper], {
      cwd: dir,
      env: { DATABASE_URL: url },
    });
    expect(run.status).toBe(1);
    const line = refusal(run);
    // The child's text: the password masked as a word, "theme" left alone.
    expect(line).toContain('pg_dump: error: *** password was ***, said *** theme');
    // Our own words around it are never masked.
    expect(line).toMatch(/^db-backup: pg_dump exited with code 1/);
    expect(fs.readdirSync(path.join(dir, 'backups')).filter((n) => !n.startsWith('.'))).toEqual([]);
  });
});

describe('passphrases', () => {
  test('redact masks long secrets anywhere, short ones only as whole words', () => {
    registerSecret('xyz');
    registerSecret('correct horse battery');
    expect(redact('xyz, xyzzy and abcxyz')).toBe('***, xyzzy and abcxyz');
    expect(redact('key=xcorrect horse batteryx')).toBe('key=x***x');
  });

  test(`a new backup refuses a passphrase shorter than ${MIN_PASSPHRASE_LENGTH} characters, and says why`, async () => {
    const dir = tempDir('short-pass');
    createSampleDatabase(path.join(dir, 'app.db'));
    const old = await cli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: { ...env, BACKUP_PASSPHRASE: PASSPHRASE },
    });
    expect(old.status).toBe(0);
    const kept = fingerprint(path.join(dir, 'backups'));
    const run = await cli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: { ...env, BACKUP_PASSPHRASE: 'the' },
    });
    expect(run.status).toBe(2);
    const line = refusal(run);
    expect(line).toMatch(/shorter than 12 characters/);
    expect(line).toMatch(/guessed/);
    expect(line).toMatch(/GitHub masks every occurrence of a secret/);
    expect(line).not.toContain('***');
    expect(fingerprint(path.join(dir, 'backups'))).toEqual(kept);
  });

  test('a passphrase with a line break (a secret saved with a trailing newline) is refused for new backups', async () => {
    const dir = tempDir('newline-pass');
    createSampleDatabase(path.join(dir, 'app.db'));
    const run = await cli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: { ...env, BACKUP_PASSPHRASE: `${PASSPHRASE}\n` },
    });
    expect(run.status).toBe(2);
    expect(refusal(run)).toMatch(
      /holds a line break or a NUL .*gpg reads a passphrase as one line/,
    );
    // The backup directory may stay (empty): a concurrent backup may have made it too.
    const backups = path.join(dir, 'backups');
    expect(fs.existsSync(backups) ? fs.readdirSync(backups) : []).toEqual([]);
  });

  test('the action refuses it too, and the runner is told to mask it (why it matters)', () => {
    const dir = tempDir('short-pass-action');
    createSampleDatabase(path.join(dir, 'app.db'));
    const run = runBundledAction(
      { command: 'backup', 'database-url': 'file:app.db', 'encryption-passphrase': 'the' },
      { cwd: dir },
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('::add-mask::the\n');
    expect(run.stdout).toMatch(/::error::The encryption passphrase is shorter than 12 characters/);
    // The backup directory may stay (empty): a concurrent backup may have made it too.
    const backups = path.join(dir, 'backups');
    expect(fs.existsSync(backups) ? fs.readdirSync(backups) : []).toEqual([]);
  });

  test('an old backup made with a short passphrase still restores, with a warning; a wrong one reads "Cannot decrypt the backup"', async () => {
    const dir = tempDir('old-short');
    const db = path.join(dir, 'app.db');
    createSampleDatabase(db, { rows: 30 });
    const original = dumpRows(db);
    // Made by gpg, as an old script would have (`gzip -n` of this sample database, then
    // `gpg --symmetric --cipher-algo AES256` with the passphrase "the"): this tool never writes
    // such a backup any more. A fixed file, because with some of gpg's random salts OpenPGP.js
    // stalls on a wrong passphrase instead of failing (see "a decryption that stalls").
    const backup = path.join(dir, 'app_old.db.gz.gpg');
    fs.copyFileSync(path.join(REPO_ROOT, 'test/fixtures/old-short-passphrase.db.gz.gpg'), backup);
    new Database(db).exec('DELETE FROM orders').close();
    const changed = fs.readFileSync(db);
    const wrong = await cli(['restore', backup, '--database-url', 'file:app.db', '--yes'], {
      cwd: dir,
      env: { ...env, BACKUP_PASSPHRASE: 'thy' },
    });
    expect(wrong.status).toBe(2);
    expect(refusal(wrong)).toMatch(/^db-backup: Cannot decrypt the backup: wrong passphrase/);
    expect(wrong.stderr).not.toContain('***');
    expect(fs.readFileSync(db).equals(changed)).toBe(true);
    const right = await cli(['restore', backup, '--database-url', 'file:app.db', '--yes'], {
      cwd: dir,
      env: { ...env, BACKUP_PASSPHRASE: 'the' },
    });
    expect(right.status, right.stderr).toBe(0);
    expect(right.stderr).toMatch(
      /warning: The passphrase is shorter than 12 characters: existing backups still open with it/,
    );
    expect(right.stderr + right.stdout).not.toContain('***');
    expect(dumpRows(db)).toEqual(original);
    const verify = await cli(['verify', backup, '--database-url', 'file:app.db'], {
      cwd: dir,
      env: { ...env, BACKUP_PASSPHRASE: 'the' },
    });
    expect(verify.status, verify.stderr).toBe(0);
    expect(verify.stderr).toMatch(/warning: The passphrase is shorter than 12 characters/);
  });
});

describe('passphrase files and gpg --passphrase-file, both ways', () => {
  const cases = [
    ['written by echo (one LF)', 'echoed secret passphrase\n'],
    ['without a newline', 'printf secret passphrase'],
    ['with spaces at both ends', '  spaced secret passphrase  \n'],
    ['with non-ASCII letters', 'Zürich Straße ünïcødé 42\n'],
    ['starting with a byte order mark (as Notepad saves UTF-8)', '\uFEFFbom secret passphrase\n'],
    [
      `of ${MAX_PASSPHRASE_BYTES} bytes, the longest a new backup takes`,
      `${'x'.repeat(MAX_PASSPHRASE_BYTES)}\n`,
    ],
  ] as const;

  test.each(cases)(
    'a file %s: gpg opens our backup with it, exactly as the README says',
    async (_label, content) => {
      const dir = tempDir('passfile');
      const db = path.join(dir, 'app.db');
      createSampleDatabase(db, { rows: 25 });
      const passFile = path.join(dir, 'pass.txt');
      fs.writeFileSync(passFile, content, { mode: 0o600 });
      const run = await cli(
        ['backup', '--database-url', 'file:app.db', '--passphrase-file', 'pass.txt'],
        { cwd: dir, env },
      );
      expect(run.status, run.stderr).toBe(0);
      const name = fs.readdirSync(path.join(dir, 'backups')).find((n) => n.endsWith('.gpg'))!;
      const gnupg = tempDir('gnupg-readme');
      fs.chmodSync(gnupg, 0o700);
      // The README's command, word for word: gpg --batch --passphrase-file pass.txt --decrypt NAME | gunzip -c > app.db
      const decrypted = spawnSync(
        'gpg',
        ['--batch', '--passphrase-file', 'pass.txt', '--decrypt', path.join('backups', name)],
        { cwd: dir, env: { ...process.env, GNUPGHOME: gnupg } },
      );
      spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: gnupg } });
      expect(decrypted.status, decrypted.stderr.toString()).toBe(0);
      const restored = path.join(dir, 'restored.db');
      fs.writeFileSync(restored, zlib.gunzipSync(decrypted.stdout));
      expect(dumpRows(restored)).toEqual(dumpRows(db));
    },
  );

  test.each(cases)(
    'a file %s: a backup gpg --symmetric made with it restores with the same file',
    async (_label, content) => {
      const dir = tempDir('passfile-gpg');
      const db = path.join(dir, 'app.db');
      createSampleDatabase(db, { rows: 25 });
      const wanted = dumpRows(db);
      const passFile = path.join(dir, 'pass.txt');
      fs.writeFileSync(passFile, content, { mode: 0o600 });
      const gz = path.join(dir, 'made-by-gpg.db.gz');
      fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(db)));
      const gpg = new GpgHome('passfile-symmetric');
      gpg.ok([
        '--passphrase-file',
        passFile,
        '--symmetric',
        '--cipher-algo',
        'AES256',
        '--output',
        `${gz}.gpg`,
        gz,
      ]);
      gpg.stopAgent();
      fs.rmSync(db);
      const run = await cli(
        ['restore', `${gz}.gpg`, '--database-url', 'file:app.db', '--passphrase-file', 'pass.txt'],
        { cwd: dir, env },
      );
      expect(run.status, run.stderr).toBe(0);
      expect(dumpRows(db)).toEqual(wanted);
    },
  );

  test('gpg keeps the CR of a CRLF file in the passphrase: the reason such a file is refused', () => {
    const gpg = new GpgHome('crlf-premise');
    const dir = tempDir('crlf-premise');
    const data = path.join(dir, 'data');
    fs.writeFileSync(data, 'x');
    const crlf = path.join(dir, 'crlf');
    fs.writeFileSync(crlf, 'windows passphrase\r\n');
    gpg.ok(['--passphrase-file', crlf, '--symmetric', '--output', `${data}.gpg`, data]);
    gpg.stopAgent();
    const lf = path.join(dir, 'lf');
    fs.writeFileSync(lf, 'windows passphrase\n');
    const other = new GpgHome('crlf-premise-2');
    expect(other.run(['--passphrase-file', lf, '--decrypt', `${data}.gpg`]).status).not.toBe(0);
    other.stopAgent();
  });

  test.each([
    ['a CRLF line ending', 'windows secret passphrase\r\n', /Windows line ending \(CR\).*sed -i/],
    ['two lines', 'first line secret\nsecond line\n', /more than one line/],
    ['a blank second line', 'first line secret\n\n', /more than one line/],
    ['a NUL byte', 'nul\0secret passphrase\n', /NUL byte/],
    [
      'bytes that are not UTF-8',
      Buffer.from([0x73, 0x65, 0x63, 0xff, 0xfe, 0x72, 0x65, 0x74, 0x31, 0x32, 0x33, 0x34, 0x0a]),
      /not UTF-8 text/,
    ],
  ])(
    'a passphrase file with %s is refused with how to fix it, for backup and restore',
    async (_label, content, message) => {
      const dir = tempDir('bad-passfile');
      const db = path.join(dir, 'app.db');
      createSampleDatabase(db, { rows: 10 });
      const made = await cli(['backup', '--database-url', 'file:app.db'], {
        cwd: dir,
        env: { ...env, BACKUP_PASSPHRASE: PASSPHRASE },
      });
      expect(made.status).toBe(0);
      const kept = fingerprint(path.join(dir, 'backups'));
      const target = fs.readFileSync(db);
      fs.writeFileSync(path.join(dir, 'pass.txt'), content);
      for (const args of [
        ['backup', '--database-url', 'file:app.db', '--passphrase-file', 'pass.txt'],
        [
          'restore',
          'latest',
          '--database-url',
          'file:app.db',
          '--passphrase-file',
          'pass.txt',
          '--yes',
        ],
      ]) {
        const run = await cli(args, { cwd: dir, env });
        expect(run.status).toBe(2);
        const line = refusal(run);
        expect(line).toMatch(message);
        expect(line).toContain('pass.txt');
        expect(fingerprint(path.join(dir, 'backups'))).toEqual(kept);
        expect(fs.readFileSync(db).equals(target)).toBe(true);
      }
    },
  );
});

describe('temporary files: nothing unencrypted where backups are kept', () => {
  let server: PgServer | undefined;

  afterAll(async () => {
    await server?.stop();
  });

  test('kill -KILL during an encrypted SQLite backup: no unencrypted byte in the backup directory; the next run removes the leftover', async () => {
    const dir = tempDir('kill-sqlite');
    const tmp = path.join(dir, 'tmp');
    fs.mkdirSync(tmp);
    const backups = path.join(dir, 'backups');
    const childEnv = { PATH: process.env.PATH, TMPDIR: tmp, BACKUP_PASSPHRASE: PASSPHRASE };
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 20 });
    const first = bundledCli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: childEnv,
    });
    expect(first.status, first.stderr).toBe(0);
    fs.rmSync(path.join(dir, 'app.db'));
    createBigSqlite(path.join(dir, 'app.db'));
    const kept = fingerprint(backups);
    // A directory of someone else's (no marker) is never a leftover of ours.
    const foreign = path.join(tmp, 'db-backup-not-ours');
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, 'keep'), 'x');
    // Made and never marked (a run stopped between the two): empty, two days old and fresh
    // (the backup below, as any run, removes the old one as it starts).
    const unmarkedOld = path.join(tmp, 'db-backup-verify-unmarked-old');
    const unmarkedFresh = path.join(tmp, 'db-backup-verify-unmarked-fresh');
    const foreignOld = path.join(tmp, 'db-backup-not-ours-old');
    // Stopped while writing its marker: the marker is there, and empty. Beside it, one with an
    // empty marker and something else in it, which is not ours to judge: kept, marker and all.
    const emptyMarkerOld = path.join(tmp, 'db-backup-verify-empty-marker-old');
    const emptyMarkerHolding = path.join(tmp, 'db-backup-verify-empty-marker-holding');
    const aged = [unmarkedOld, foreignOld, emptyMarkerOld, emptyMarkerHolding];
    for (const made of [...aged, unmarkedFresh]) fs.mkdirSync(made, { mode: 0o700 });
    fs.writeFileSync(path.join(foreignOld, 'keep'), 'x');
    for (const marked of [emptyMarkerOld, emptyMarkerHolding])
      fs.writeFileSync(path.join(marked, '.db-backup-owner.json'), '');
    fs.writeFileSync(path.join(emptyMarkerHolding, 'keep'), 'x');
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    for (const old of aged) fs.utimesSync(old, twoDaysAgo, twoDaysAgo);
    // Markers as a run writes them: this very process (alive), another machine (fresh, and two
    // days old), a boot before this one, and a pid since taken by another process.
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const self = {
      tool: 'db-backup',
      pid: process.pid,
      host: os.hostname(),
      boot: fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
      started: stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19],
      pidNamespace: fs.readlinkSync('/proc/self/ns/pid'),
      createdAt: new Date().toISOString(),
    };
    const seeded = (name: string, marker: object): string => {
      const seededDir = path.join(tmp, `db-backup-dump-${name}`);
      fs.mkdirSync(seededDir, { mode: 0o700 });
      fs.writeFileSync(path.join(seededDir, '.db-backup-owner.json'), JSON.stringify(marker));
      fs.writeFileSync(path.join(seededDir, 'copy'), 'x');
      return seededDir;
    };
    const alive = seeded('alive', self);
    const elsewhereFresh = seeded('elsewhere-fresh', { ...self, host: 'another-machine' });
    const elsewhereOld = seeded('elsewhere-old', {
      ...self,
      host: 'another-machine',
      createdAt: new Date(Date.now() - 2 * 86_400_000).toISOString(),
    });
    const rebooted = seeded('rebooted', { ...self, boot: 'a-boot-before-this-one' });
    const reusedPid = seeded('reused-pid', { ...self, started: '1' });
    const child = spawn(
      process.execPath,
      [BUNDLED_CLI, 'backup', '--database-url', 'file:app.db', '--compression-level', '9'],
      { cwd: dir, env: childEnv, stdio: 'ignore' },
    );
    const closed = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('close', (_code, signal) => resolve(signal)),
    );
    const snapshotDir = (): string | undefined =>
      fs
        .readdirSync(tmp)
        .find(
          (n) =>
            n.startsWith('db-backup-dump-') &&
            fs.readdirSync(path.join(tmp, n)).some((f) => f.includes('snapshot')),
        );
    // The snapshot is whole and being compressed and encrypted into the backup directory.
    await waitFor(() => {
      const snap = snapshotDir();
      if (!snap) return false;
      const files = fs.readdirSync(path.join(tmp, snap)).filter((n) => n.includes('snapshot'));
      const output = fs.readdirSync(backups).filter((n) => n.startsWith('.db-backup-tmp-'));
      return (
        files.length > 0 &&
        output.length > 0 &&
        fs.statSync(path.join(backups, output[0]!)).size > 1024 * 1024
      );
    }, 'the encrypted output growing while the snapshot exists');
    killHard(child.pid!);
    expect(await closed).toBe('SIGKILL');
    // The backup directory: the old backups as they were, and nothing readable.
    assertNothingPlain(backups);
    const after = fingerprint(backups);
    for (const [name, sum] of Object.entries(kept)) expect(after[name]).toBe(sum);
    expect(Object.keys(after).filter((n) => !n.startsWith('.db-backup-tmp-'))).toEqual(
      Object.keys(kept),
    );
    // The unencrypted snapshot was in the private temporary directory (0700), and is still there.
    const leftover = path.join(tmp, snapshotDir()!);
    expect(fs.statSync(leftover).mode & 0o777).toBe(0o700);
    const snapshot = fs.readdirSync(leftover).find((n) => n.includes('snapshot'))!;
    expect(head(path.join(leftover, snapshot)).equals(SQLITE_HEADER)).toBe(true);
    // The next run, whatever it is, removes it — and only it.
    const next = bundledCli(['list'], { cwd: dir, env: childEnv });
    expect(next.status, next.stderr).toBe(0);
    expect(next.stderr).toContain(`Removed ${leftover}, left by an interrupted run`);
    expect(fs.existsSync(leftover)).toBe(false);
    expect(fs.existsSync(path.join(foreign, 'keep'))).toBe(true);
    expect(fs.existsSync(path.join(foreignOld, 'keep'))).toBe(true);
    expect(fs.existsSync(unmarkedOld)).toBe(false);
    expect(fs.existsSync(emptyMarkerOld)).toBe(false);
    expect(fs.readdirSync(emptyMarkerHolding).sort()).toEqual(['.db-backup-owner.json', 'keep']);
    expect(fs.existsSync(unmarkedFresh)).toBe(true);
    expect(fs.existsSync(alive)).toBe(true);
    expect(fs.existsSync(elsewhereFresh)).toBe(true);
    for (const gone of [elsewhereOld, rebooted, reusedPid])
      expect(fs.existsSync(gone), gone).toBe(false);
  });

  test('TMPDIR that does not exist, inside the backup directory, or too small: one line, nothing kept', async (context) => {
    const dir = tempDir('tmpdir-odd');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 3000 });
    const made = await cli(['backup', '--database-url', 'file:app.db'], { cwd: dir, env });
    expect(made.status).toBe(0);
    const kept = fingerprint(path.join(dir, 'backups'));
    const missing = bundledCli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: { TMPDIR: path.join(dir, 'no-such-dir') },
    });
    expect(missing.status).toBe(2);
    expect(refusal(missing)).toMatch(
      /Cannot create a private directory in the temporary directory .*no-such-dir \(ENOENT\): set TMPDIR/,
    );
    fs.mkdirSync(path.join(dir, 'backups', 'tmp'));
    const inside = bundledCli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: { TMPDIR: path.join(dir, 'backups', 'tmp') },
    });
    expect(inside.status).toBe(2);
    expect(refusal(inside)).toMatch(/lies inside the backup directory .*point TMPDIR elsewhere/);
    fs.rmdirSync(path.join(dir, 'backups', 'tmp'));
    expect(fingerprint(path.join(dir, 'backups'))).toEqual(kept);
    const small = path.join(dir, 'small');
    fs.mkdirSync(small);
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', small]).status !== 0) {
      context.skip('mounting a small tmpfs needs privileges this machine does not give');
      return;
    }
    try {
      const full = bundledCli(['backup', '--database-url', 'file:app.db'], {
        cwd: dir,
        env: { TMPDIR: small },
      });
      expect(full.status).toBe(1);
      expect(refusal(full)).toMatch(
        /No room for a snapshot of app\.db in the temporary directory .*small: set TMPDIR to a directory on a disk with room/,
      );
      expect(fingerprint(path.join(dir, 'backups'))).toEqual(kept);
      expect(fs.readdirSync(small)).toEqual([]);
    } finally {
      spawnSync('umount', [small]);
    }
    // Room for the private directory and no more: its owner marker cannot be written. The
    // directory goes at once (unmarked, no later run would know it for ours).
    expect(
      spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,nr_inodes=2', 'tmpfs', small]).status,
    ).toBe(0);
    try {
      const noMarker = bundledCli(['backup', '--database-url', 'file:app.db'], {
        cwd: dir,
        env: { TMPDIR: small },
      });
      expect(noMarker.status).toBe(2);
      expect(refusal(noMarker)).toMatch(
        /Cannot write in the temporary directory .*small \(ENOSPC\): set TMPDIR to a writable directory on a disk with room/,
      );
      expect(fingerprint(path.join(dir, 'backups'))).toEqual(kept);
      expect(fs.readdirSync(small)).toEqual([]);
    } finally {
      spawnSync('umount', [small]);
    }
  });

  test('kill -KILL during the verify of an encrypted SQLite backup: its unencrypted copy goes at the next run', async () => {
    const dir = tempDir('kill-verify');
    const tmp = path.join(dir, 'tmp');
    fs.mkdirSync(tmp);
    const childEnv = { PATH: process.env.PATH, TMPDIR: tmp, BACKUP_PASSPHRASE: PASSPHRASE };
    createBigSqlite(path.join(dir, 'app.db'), 60_000);
    const made = bundledCli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: childEnv,
    });
    expect(made.status, made.stderr).toBe(0);
    const kept = fingerprint(path.join(dir, 'backups'));
    const child = spawn(
      process.execPath,
      [BUNDLED_CLI, 'verify', 'latest', '--database-url', 'file:app.db'],
      {
        cwd: dir,
        env: childEnv,
        stdio: 'ignore',
      },
    );
    const closed = new Promise((resolve) => child.on('close', resolve));
    // The scratch restore unpacks into a temporary file inside the verify directory.
    const restoredIn = (): string | undefined => {
      const verifyDir = fs.readdirSync(tmp).find((n) => n.startsWith('db-backup-verify-'));
      if (!verifyDir) return undefined;
      const unpacked = fs
        .readdirSync(path.join(tmp, verifyDir))
        .filter((n) => n.startsWith('.db-backup-tmp-restore-'))
        .some((n) => fs.statSync(path.join(tmp, verifyDir, n)).size > 1024 * 1024);
      return unpacked ? path.join(tmp, verifyDir) : undefined;
    };
    await waitFor(() => restoredIn() !== undefined, 'the decrypted copy being written');
    const leftover = restoredIn()!;
    killHard(child.pid!);
    await closed;
    expect(fs.existsSync(leftover)).toBe(true);
    expect(fs.statSync(leftover).mode & 0o777).toBe(0o700);
    const next = bundledCli(['list'], { cwd: dir, env: childEnv });
    expect(next.status).toBe(0);
    expect(fs.existsSync(leftover)).toBe(false);
    expect(fingerprint(path.join(dir, 'backups'))).toEqual(kept);
  });

  test('kill -KILL during the safety backup of an encrypted PostgreSQL restore: the target as it was, nothing readable left', async (context) => {
    if (!systemServerBinDir()) {
      context.skip('no PostgreSQL client programs on this machine');
      return;
    }
    server = await startPostgres();
    await server.createDatabase(
      'big',
      `CREATE TABLE payload (id int PRIMARY KEY, a text, b text);
       INSERT INTO payload SELECT i, md5(random()::text) || md5(random()::text), repeat(md5(i::text), 3) FROM generate_series(1, 400000) i;`,
    );
    const dir = tempDir('kill-safety');
    const tmp = path.join(dir, 'tmp');
    fs.mkdirSync(tmp);
    const backups = path.join(dir, 'backups');
    const childEnv = {
      PATH: process.env.PATH,
      TMPDIR: tmp,
      BACKUP_PASSPHRASE: PASSPHRASE,
      DATABASE_URL: server.url('big'),
    };
    const made = bundledCli(['backup'], { cwd: dir, env: childEnv });
    expect(made.status, made.stderr).toBe(0);
    await server.query('big', 'DELETE FROM payload WHERE id % 2 = 0');
    const before = await server.query(
      'big',
      'SELECT count(*)::int AS n, sum(length(a))::bigint AS s FROM payload',
    );
    const kept = fingerprint(backups);
    const child = spawn(
      process.execPath,
      [BUNDLED_CLI, 'restore', 'latest', '--yes', '--compression-level', '9'],
      { cwd: dir, env: childEnv, stdio: 'ignore' },
    );
    const closed = new Promise((resolve) => child.on('close', resolve));
    await waitFor(() => {
      const output = fs.readdirSync(backups).filter((n) => n.startsWith('.db-backup-tmp-'));
      return output.length > 0 && fs.statSync(path.join(backups, output[0]!)).size > 256 * 1024;
    }, 'the safety backup being written');
    killHard(child.pid!);
    await closed;
    assertNothingPlain(backups);
    const after = fingerprint(backups);
    for (const [name, sum] of Object.entries(kept)) expect(after[name]).toBe(sum);
    expect(Object.keys(after).filter((n) => !n.startsWith('.'))).toEqual(Object.keys(kept));
    // The restore never reached the target: it is as it was.
    expect(
      await server.query(
        'big',
        'SELECT count(*)::int AS n, sum(length(a))::bigint AS s FROM payload',
      ),
    ).toEqual(before);
    const next = bundledCli(['list'], { cwd: dir, env: childEnv });
    expect(next.status).toBe(0);
    expect(fs.readdirSync(tmp).filter((n) => n.startsWith('db-backup-'))).toEqual([]);
  });
});

describe('a SQLite target reached through symbolic links', () => {
  /** app/ holds the link the application opens; data/ the real file (a container's volume). */
  async function setUp(label: string, link: (dir: string, real: string) => string) {
    const dir = tempDir(label);
    fs.mkdirSync(path.join(dir, 'app'));
    fs.mkdirSync(path.join(dir, 'data'));
    const real = path.join(dir, 'data', 'app.db');
    createSampleDatabase(real, { rows: 30, wal: true });
    fs.chmodSync(real, 0o640);
    const linkPath = link(dir, real);
    const url = `file:${path.relative(dir, linkPath)}`;
    const original = dumpRows(real);
    const made = await cli(['backup', '--database-url', url], { cwd: dir, env });
    expect(made.status, made.stderr).toBe(0);
    new Database(real)
      .exec("DELETE FROM orders; INSERT INTO users (name) VALUES ('after')")
      .close();
    return { dir, real, linkPath, url, original, changed: dumpRows(real) };
  }

  test.each([
    [
      'relative',
      (dir: string) => {
        const link = path.join(dir, 'app', 'app.db');
        fs.symlinkSync('../data/app.db', link);
        return link;
      },
    ],
    [
      'absolute',
      (dir: string, real: string) => {
        const link = path.join(dir, 'app', 'app.db');
        fs.symlinkSync(real, link);
        return link;
      },
    ],
    [
      'a chain of',
      (dir: string, real: string) => {
        const middle = path.join(dir, 'app', 'middle.db');
        fs.symlinkSync(real, middle);
        const link = path.join(dir, 'app', 'app.db');
        fs.symlinkSync('middle.db', link);
        return link;
      },
    ],
    [
      'a linked directory with',
      (dir: string) => {
        fs.symlinkSync('data', path.join(dir, 'volume'));
        return path.join(dir, 'volume', 'app.db');
      },
    ],
  ])(
    '%s links: the real file is restored (owner, mode, WAL), the link stays, the safety copy lies beside the real file',
    async (label, makeLink) => {
      const { dir, real, linkPath, url, original, changed } = await setUp(
        `symlink-${label.replace(/ /g, '-')}`,
        makeLink,
      );
      const linkBefore = fs.lstatSync(linkPath).isSymbolicLink()
        ? fs.readlinkSync(linkPath)
        : undefined;
      const realStat = fs.statSync(real);
      const run = await cli(['restore', 'latest', '--database-url', url, '--yes'], {
        cwd: dir,
        env,
      });
      expect(run.status, run.stderr).toBe(0);
      for (const side of ['-wal', '-shm', '-journal'])
        expect(fs.existsSync(`${real}${side}`)).toBe(false);
      if (linkBefore !== undefined) {
        expect(fs.lstatSync(linkPath).isSymbolicLink()).toBe(true);
        expect(fs.readlinkSync(linkPath)).toBe(linkBefore);
      }
      expect(dumpRows(real)).toEqual(original);
      expect(dumpRows(linkPath)).toEqual(original);
      const after = fs.statSync(real);
      expect(after.mode & 0o777).toBe(0o640);
      expect([after.uid, after.gid]).toEqual([realStat.uid, realStat.gid]);
      expect(dumpRows(`${real}.before-restore`)).toEqual(changed);
      expect(fs.existsSync(path.join(dir, 'app', 'app.db.before-restore'))).toBe(false);
      expect(
        fs.readdirSync(path.join(dir, 'data')).filter((n) => n.startsWith('.db-backup-tmp-')),
      ).toEqual([]);
    },
  );

  test('a dangling link is refused, and nothing is created or changed', async () => {
    const dir = tempDir('symlink-dangling');
    createSampleDatabase(path.join(dir, 'source.db'), { rows: 10 });
    const made = await cli(['backup', '--database-url', 'file:source.db'], { cwd: dir, env });
    expect(made.status).toBe(0);
    const kept = fingerprint(path.join(dir, 'backups'));
    fs.mkdirSync(path.join(dir, 'app'));
    const link = path.join(dir, 'app', 'app.db');
    fs.symlinkSync(path.join(dir, 'missing-volume', 'app.db'), link);
    // source.db's backup, by name (latest is only ever app.db's own).
    const name = fs.readdirSync(path.join(dir, 'backups')).find((n) => n.endsWith('.db.gz'))!;
    const run = await cli(['restore', name, '--database-url', 'file:app/app.db', '--yes'], {
      cwd: dir,
      env,
    });
    expect(run.status).toBe(2);
    expect(refusal(run)).toMatch(
      /app\.db is a symbolic link to .*missing-volume\/app\.db, which does not exist/,
    );
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.existsSync(path.join(dir, 'missing-volume'))).toBe(false);
    expect(fs.readdirSync(path.join(dir, 'app'))).toEqual(['app.db']);
    expect(fingerprint(path.join(dir, 'backups'))).toEqual(kept);
    const backup = await cli(['backup', '--database-url', 'file:app/app.db'], { cwd: dir, env });
    expect(backup.status).toBe(2);
    expect(refusal(backup)).toMatch(/is a symbolic link to .*, which does not exist/);
  });
});

describe('odd inputs: one clear line, exit 2, nothing changed', () => {
  /** A SQLite database with a backup, and what "nothing changed" compares against. */
  async function sqliteWithBackup(label: string) {
    const dir = tempDir(label);
    const db = path.join(dir, 'app.db');
    createSampleDatabase(db, { rows: 10 });
    const made = await cli(['backup', '--database-url', 'file:app.db'], { cwd: dir, env });
    expect(made.status).toBe(0);
    return {
      dir,
      unchanged: () => ({
        backups: fingerprint(path.join(dir, 'backups')),
        db: fs.readFileSync(db).toString('base64'),
      }),
    };
  }

  const postgresOnly = OPTIONS.filter(
    (spec) =>
      spec.engines?.includes('postgres') && !spec.engines.includes('sqlite') && spec.flag !== false,
  ).flatMap((spec) =>
    spec.commands
      .filter((command) => command === 'backup' || command === 'restore')
      .map((command) => {
        // A boolean is given by turning it away from its default (--no-owner).
        const flag =
          spec.type === 'boolean' && spec.default === 'true' ? `no-${spec.name}` : spec.name;
        return [flag, command, spec.type] as const;
      }),
  );

  test('the option table marks every PostgreSQL-only option (verify-database-url picks its engine from the backup; safety-backup: SQLite always keeps its copy)', () => {
    const unmarked = OPTIONS.filter(
      (spec) => /PostgreSQL/.test(spec.description.split(':')[0] ?? '') && !spec.engines,
    ).map((spec) => spec.name);
    expect(unmarked.sort()).toEqual(['safety-backup', 'verify-database-url']);
    expect(postgresOnly.length).toBeGreaterThanOrEqual(12);
  });

  test.each(postgresOnly)(
    '--%s with a SQLite database (%s) is refused',
    async (name, command, type) => {
      const { dir, unchanged } = await sqliteWithBackup(`pg-only-${name}`);
      const before = unchanged();
      const value =
        type === 'boolean'
          ? []
          : [type === 'path' ? '/usr/bin/pg_dump' : type === 'integer' ? '2' : 'public'];
      const extra = name === 'terminate-connections' ? ['--drop-database'] : [];
      const args = [
        command,
        ...(command === 'restore' ? ['latest', '--yes'] : []),
        '--database-url',
        'file:app.db',
        `--${name}`,
        ...value,
        ...extra,
      ];
      const run = await cli(args, { cwd: dir, env });
      expect(run.status).toBe(2);
      expect(refusal(run)).toMatch(
        new RegExp(
          `^db-backup: ([a-z-]+, )*${name.replace(/^no-/, '')}(, [a-z-]+)* (applies|apply) to PostgreSQL databases only, and the database URL names a SQLite database: remove (it|them)\\. Nothing was changed\\.$`,
        ),
      );
      expect(unchanged()).toEqual(before);
    },
  );

  test('the action refuses a PostgreSQL-only input for a SQLite database too', () => {
    const dir = tempDir('pg-only-action');
    createSampleDatabase(path.join(dir, 'app.db'));
    const run = runBundledAction(
      {
        command: 'backup',
        'database-url': 'file:app.db',
        schemas: 'public',
        'drop-database': 'false',
      },
      { cwd: dir },
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/::error::schemas applies to PostgreSQL databases only/);
    // The backup directory may stay (empty): a concurrent backup may have made it too.
    const backups = path.join(dir, 'backups');
    expect(fs.existsSync(backups) ? fs.readdirSync(backups) : []).toEqual([]);
  });

  test('terminate-connections without drop-database is refused', async () => {
    const { dir, unchanged } = await sqliteWithBackup('terminate-alone');
    const before = unchanged();
    const run = await cli(
      ['restore', 'latest', '--database-url', 'file:app.db', '--yes', '--terminate-connections'],
      { cwd: dir, env },
    );
    expect(run.status).toBe(2);
    expect(refusal(run)).toMatch(/terminate-connections works only with drop-database/);
    expect(unchanged()).toEqual(before);
  });

  const numeric = OPTIONS.filter((spec) => spec.type === 'integer' && spec.flag !== false).flatMap(
    (spec) => {
      const min = spec.min ?? 0;
      const bad = [
        String(min - 1),
        '1.5',
        'ten',
        '1e3',
        '',
        ...(spec.max !== undefined ? [String(spec.max + 1)] : []),
      ].filter((v) => v !== '');
      return spec.commands
        .filter((command) => command !== 'list' && command !== 'verify')
        .flatMap((command) => bad.map((value) => [spec.name, command, value] as const));
    },
  );

  test('every whole-number option has a range in the option table', () => {
    for (const spec of OPTIONS.filter((s) => s.type === 'integer'))
      expect(spec.min, spec.name).toBeDefined();
    expect(numeric.length).toBeGreaterThanOrEqual(15);
  });

  test.each(numeric)('--%s for %s: %s is refused', async (name, command, value) => {
    const { dir, unchanged } = await sqliteWithBackup(`range-${name}`);
    const before = unchanged();
    // --name=value: a value that starts with a dash is still the option's value.
    const args = [
      command,
      ...(command === 'restore' ? ['latest', '--yes'] : []),
      '--database-url',
      'file:app.db',
      `--${name}=${value}`,
    ];
    const run = await cli(args, { cwd: dir, env });
    expect(run.status).toBe(2);
    expect(refusal(run)).toMatch(
      new RegExp(
        `^db-backup: ${name} must be a whole number, \\d+ (or more|to \\d+) \\(got "${value.replace('.', '\\.')}"\\)\\.$`,
      ),
    );
    expect(unchanged()).toEqual(before);
  });

  test('an out-of-range value from the environment (MAX_BACKUPS=-3) is refused the same way', async () => {
    const { dir, unchanged } = await sqliteWithBackup('range-env');
    const before = unchanged();
    const run = await cli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: { ...env, MAX_BACKUPS: '-3' },
    });
    expect(run.status).toBe(2);
    expect(refusal(run)).toMatch(/max-backups must be a whole number, 0 or more \(got "-3"\)/);
    expect(unchanged()).toEqual(before);
  });

  test('a connect_timeout that is not a number is refused without echoing the URL', async () => {
    const dir = tempDir('connect-timeout');
    const run = await cli(
      ['backup', '--database-url', 'postgres://u:hidden-pass@localhost:1/db?connect_timeout=soon'],
      { cwd: dir, env },
    );
    expect(run.status).toBe(2);
    const line = refusal(run);
    expect(line).toMatch(
      /connect_timeout in the PostgreSQL URL must be a whole number of seconds \(got "soon"\)/,
    );
    expect(line).not.toContain('hidden-pass');
    // The backup directory may stay (empty): a concurrent backup may have made it too.
    const backups = path.join(dir, 'backups');
    expect(fs.existsSync(backups) ? fs.readdirSync(backups) : []).toEqual([]);
  });
});

describe("the read check's line", () => {
  const entry = (kind: Unreadable['kind'], name: string, extra: Partial<Unreadable> = {}) => ({
    kind,
    schema: kind === 'large object' ? null : 'public',
    name,
    closed: false,
    denied: true,
    rowSecurity: false,
    forced: false,
    owner: 'app',
    total: null,
    ...extra,
  });

  test('names five of a kind and counts the rest; a large object count comes from the server; every statement runs as printed', () => {
    const tables = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((name) => entry('table', name));
    const objects = ['11', '12', '13', '14', '15'].map((name) =>
      entry('large object', name, { total: '9' }),
    );
    expect(describeUnreadable([...tables, ...objects], 'Reader')).toBe(
      'Permission denied for table public.a, public.b, public.c, public.d, public.e and 2 more; for large object 11, 12, 13, 14, 15 and 4 more: the user "Reader" must be able to read every table and large object it backs up (GRANT SELECT ON ALL TABLES IN SCHEMA public TO "Reader"; GRANT SELECT ON LARGE OBJECT 11, 12, 13, 14, 15 TO "Reader", and the same for 4 more), or back up as a role that can read them all. Nothing was kept or pruned.',
    );
  });

  test('names that are keywords are quoted, as psql needs them', () => {
    expect(
      describeUnreadable(
        [
          entry('table', 'select', { schema: 'order', closed: true }),
          entry('sequence', 'user_id_seq', { schema: 'order', closed: true }),
          entry('table', 'user', {
            schema: 'order',
            denied: false,
            rowSecurity: true,
            owner: 'left',
          }),
        ],
        'order',
      ),
    ).toBe(
      'Permission denied for table "order"."select"; for sequence "order".user_id_seq; row-level security applies to table "order"."user": the user "order" must be able to read every row of every table and sequence it backs up (GRANT USAGE ON SCHEMA "order" TO "order"; GRANT SELECT ON "order"."select" TO "order"; GRANT SELECT ON SEQUENCE "order".user_id_seq TO "order"; ALTER ROLE "order" BYPASSRLS), or back up as a role that can read them all (row security does not apply to "left", the owner of that table). Nothing was kept or pruned.',
    );
  });

  test('a schema without USAGE alone asks for USAGE, not SELECT it already has', () => {
    expect(
      describeUnreadable(
        [entry('sequence', 's', { schema: 'vault', closed: true, denied: false })],
        'reader',
      ),
    ).toBe(
      'Permission denied for sequence vault.s: the user reader must be able to read every sequence it backs up (GRANT USAGE ON SCHEMA vault TO reader), or back up as a role that can read them all. Nothing was kept or pruned.',
    );
  });
});

describe('odd inputs against a real PostgreSQL server', () => {
  let server: PgServer;

  beforeAll(async () => {
    server = await startPostgres();
    await server.query('postgres', "CREATE ROLE needs_pw LOGIN PASSWORD 'needs-pw-secret-123'");
    await server.query('postgres', "CREATE ROLE reader LOGIN PASSWORD 'reader-secret-123'");
    await server.createDatabase(
      'shop',
      `CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items SELECT i, 'item ' || i FROM generate_series(1, 20) i;
       CREATE TABLE "Secret Ledger" (id int, amount numeric); INSERT INTO "Secret Ledger" VALUES (1, 10);
       GRANT SELECT ON items TO reader, needs_pw; GRANT SELECT ON "Secret Ledger" TO needs_pw;`,
    );
  });

  afterAll(async () => {
    await server?.stop();
  });

  function urlFor(user: string, password?: string): string {
    return `postgres://${user}${password === undefined ? '' : `:${password}`}@${server.host}:${server.port}/shop`;
  }

  test('a URL without a password for a server that asks for one says how to give it; each of the ways works', async () => {
    const dir = tempDir('no-password');
    const home = tempDir('empty-home');
    const before = await snapshotRows(server, 'shop');
    const run = bundledCli(['backup'], {
      cwd: dir,
      env: { HOME: home, DATABASE_URL: urlFor('needs_pw') },
    });
    expect(run.status).toBe(2);
    const line = refusal(run);
    expect(line).toMatch(
      /asks for a password for user "needs_pw", and none was given: put it in the URL/,
    );
    expect(line).toMatch(/PGPASSWORD/);
    expect(line).toMatch(/~\/\.pgpass/);
    expect(line).toMatch(/PGPASSFILE/);
    expect(line).not.toMatch(/SASL|SCRAM/);
    expect(fingerprint(path.join(dir, 'backups'))).toEqual({});
    const withEnv = bundledCli(['backup'], {
      cwd: dir,
      env: { HOME: home, DATABASE_URL: urlFor('needs_pw'), PGPASSWORD: 'needs-pw-secret-123' },
    });
    expect(withEnv.status, withEnv.stderr).toBe(0);
    const passfile = path.join(home, 'passfile');
    fs.writeFileSync(passfile, `${server.host}:${server.port}:*:needs_pw:needs-pw-secret-123\n`, {
      mode: 0o600,
    });
    const withFile = bundledCli(['backup'], {
      cwd: dir,
      env: { HOME: home, DATABASE_URL: urlFor('needs_pw'), PGPASSFILE: passfile },
    });
    expect(withFile.status, withFile.stderr).toBe(0);
    fs.renameSync(passfile, path.join(home, '.pgpass'));
    const withHomeFile = bundledCli(['backup'], {
      cwd: dir,
      env: { HOME: home, DATABASE_URL: urlFor('needs_pw') },
    });
    expect(withHomeFile.status, withHomeFile.stderr).toBe(0);
    const wrong = bundledCli(['backup'], {
      cwd: dir,
      env: {
        HOME: tempDir('empty-home-2'),
        DATABASE_URL: urlFor('needs_pw'),
        PGPASSWORD: 'not-it',
      },
    });
    expect(wrong.status).toBe(2);
    expect(refusal(wrong)).toMatch(
      /rejected the password for user "needs_pw": check the password in PGPASSWORD or ~\/\.pgpass/,
    );
    expect(await snapshotRows(server, 'shop')).toEqual(before);
  });

  test('a user without SELECT on a table: "permission denied for table", the GRANT it lacks, no backup, old backups kept', async () => {
    const dir = tempDir('no-select');
    const good = await cli(
      ['backup', '--database-url', urlFor('needs_pw', 'needs-pw-secret-123')],
      { cwd: dir, env },
    );
    expect(good.status, good.stderr).toBe(0);
    const kept = fingerprint(path.join(dir, 'backups'));
    const before = await snapshotRows(server, 'shop');
    const run = await cli(
      ['backup', '--database-url', urlFor('reader', 'reader-secret-123'), '--max-backups', '1'],
      { cwd: dir, env },
    );
    expect(run.status).toBe(2);
    const line = refusal(run);
    expect(line).toMatch(/permission denied for table public\."Secret Ledger"/i);
    expect(line).toContain('GRANT SELECT ON public."Secret Ledger" TO reader');
    expect(line).not.toMatch(/snapshot/);
    expect(fingerprint(path.join(dir, 'backups'))).toEqual(kept);
    expect(await snapshotRows(server, 'shop')).toEqual(before);
    await server.query('shop', 'GRANT SELECT ON "Secret Ledger" TO reader');
    await server.query('shop', 'CREATE SCHEMA vault; CREATE TABLE vault.keys (id int)');
    const closed = await cli(['backup', '--database-url', urlFor('reader', 'reader-secret-123')], {
      cwd: dir,
      env,
    });
    expect(closed.status).toBe(2);
    expect(refusal(closed)).toMatch(
      /permission denied for table vault\.keys: .*GRANT USAGE ON SCHEMA vault TO reader; GRANT SELECT ON vault\.keys TO reader/i,
    );
    expect(fingerprint(path.join(dir, 'backups'))).toEqual(kept);
    await server.query('shop', 'DROP SCHEMA vault CASCADE');
    const granted = await cli(['backup', '--database-url', urlFor('reader', 'reader-secret-123')], {
      cwd: dir,
      env,
    });
    expect(granted.status, granted.stderr).toBe(0);
    await server.query('shop', 'REVOKE SELECT ON "Secret Ledger" FROM reader');
  });

  /**
   * A backup as `user` is refused before pg_dump starts (exit 2) with exactly
   * `line` (its advice: `advice`, run as a superuser afterwards); it leaves no
   * backup, no temporary file, no password in its output. Then, with the
   * advice followed, the same backup succeeds: its run is returned.
   */
  async function refusedUntilAdvised(
    database: string,
    user: string,
    password: string,
    line: string,
    advice: readonly string[],
    args: readonly string[] = [],
  ): Promise<CliRun> {
    const dir = tempDir(`read-${database}`);
    const tmp = tempDir(`read-${database}-tmp`);
    const dumped = path.join(dir, 'pg_dump-ran');
    // pg_dump itself, noting when it is started for a dump (not just asked its version).
    const wrapper = path.join(dir, 'pg_dump');
    fs.writeFileSync(
      wrapper,
      `#!/bin/sh\n[ "$1" = --version ] || touch "${dumped}"\nexec "${systemServerBinDir() ?? '/usr/bin'}/pg_dump" "$@"\n`,
      { mode: 0o755 },
    );
    const url = `postgres://${user}:${password}@${server.host}:${server.port}/${database}`;
    const backup = (): Promise<CliRun> =>
      cli(['backup', '--database-url', url, '--pg-dump-path', wrapper, '--json', ...args], {
        cwd: dir,
        env: { ...env, TMPDIR: tmp },
      });
    const refused = await backup();
    expect(refused.status, refused.stderr).toBe(2);
    expect(refusal(refused)).toBe(`db-backup: ${line}`);
    expect(line).toContain(advice.join('; '));
    expect(`${refused.stdout}${refused.stderr}`).not.toContain(password);
    expect(fs.existsSync(dumped)).toBe(false);
    // The backup directory may stay (empty): a concurrent backup may have made it too.
    const backups = path.join(dir, 'backups');
    expect(fs.existsSync(backups) ? fs.readdirSync(backups) : []).toEqual([]);
    expect(fs.readdirSync(tmp)).toEqual([]);
    for (const statement of advice) await server.query(database, statement);
    const granted = await backup();
    expect(granted.status, granted.stderr).toBe(0);
    expect(fs.existsSync(dumped)).toBe(true);
    return granted;
  }

  const tablesOf = (run: CliRun): unknown =>
    (JSON.parse(run.stdout) as { manifest: { tables: unknown } }).manifest.tables;

  test('a grant on every column but not the table: refused before pg_dump (whose LOCK TABLE needs the table), with the table-level GRANT', async () => {
    await server.createDatabase(
      'read_columns',
      `CREATE ROLE col_reader LOGIN PASSWORD 'col-secret-123';
       CREATE TABLE t (a int, b text); INSERT INTO t VALUES (1, 'one'), (2, 'two');
       GRANT SELECT (a, b) ON t TO col_reader;
       CREATE TABLE both_ways (a int); INSERT INTO both_ways VALUES (1);
       GRANT SELECT (a) ON both_ways TO col_reader; GRANT SELECT ON both_ways TO col_reader;`,
    );
    const granted = await refusedUntilAdvised(
      'read_columns',
      'col_reader',
      'col-secret-123',
      'Permission denied for table public.t: the user col_reader must be able to read every table it backs up (GRANT SELECT ON public.t TO col_reader), or back up as a role that can read them all. Nothing was kept or pruned.',
      ['GRANT SELECT ON public.t TO col_reader'],
    );
    expect(tablesOf(granted)).toEqual([
      { name: 'public.both_ways', rows: 1 },
      { name: 'public.t', rows: 2 },
    ]);
  });

  test('row-level security that applies to the user: refused before pg_dump (which reads with it off), naming the tables and BYPASSRLS; its own table passes unless forced', async () => {
    await server.createDatabase(
      'read_rls',
      `CREATE ROLE rls_reader LOGIN PASSWORD 'rls-secret-123'; CREATE ROLE rls_owner;
       CREATE TABLE accounts (id int, visible bool);
       INSERT INTO accounts SELECT i, i % 2 = 0 FROM generate_series(1, 10) i;
       ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
       CREATE POLICY only_visible ON accounts FOR SELECT USING (visible);
       ALTER TABLE accounts OWNER TO rls_owner; GRANT SELECT ON accounts TO rls_reader;
       CREATE TABLE notes (id int); INSERT INTO notes VALUES (1), (2), (3);
       ALTER TABLE notes ENABLE ROW LEVEL SECURITY; ALTER TABLE notes OWNER TO rls_reader;`,
    );
    const dir = tempDir('read-rls-own');
    const url = `postgres://rls_reader:rls-secret-123@${server.host}:${server.port}/read_rls`;
    // Its own table (RLS on, not forced, no policy at all): pg_dump reads every row of it.
    const own = await cli(['backup', '--database-url', url, '--tables', 'notes', '--json'], {
      cwd: dir,
      env,
    });
    expect(own.status, own.stderr).toBe(0);
    expect(tablesOf(own)).toEqual([{ name: 'public.notes', rows: 3 }]);
    await server.query('read_rls', 'ALTER TABLE notes FORCE ROW LEVEL SECURITY');
    const granted = await refusedUntilAdvised(
      'read_rls',
      'rls_reader',
      'rls-secret-123',
      'Row-level security applies to table public.accounts, public.notes (and to the owner of public.notes): the user rls_reader must be able to read every row of every table it backs up (ALTER ROLE rls_reader BYPASSRLS), or back up as a role that can read them all. Nothing was kept or pruned.',
      ['ALTER ROLE rls_reader BYPASSRLS'],
    );
    expect(tablesOf(granted)).toEqual([
      { name: 'public.accounts', rows: 10 },
      { name: 'public.notes', rows: 3 },
    ]);
    await server.query('read_rls', 'ALTER ROLE rls_reader NOBYPASSRLS');
    // Not forced, the owner is named as a way out.
    await server.query('read_rls', 'ALTER TABLE notes NO FORCE ROW LEVEL SECURITY');
    const refused = await cli(['backup', '--database-url', url], { cwd: dir, env });
    expect(refused.status).toBe(2);
    expect(refusal(refused)).toBe(
      'db-backup: Row-level security applies to table public.accounts: the user rls_reader must be able to read every row of every table it backs up (ALTER ROLE rls_reader BYPASSRLS), or back up as a role that can read them all (row security does not apply to rls_owner, the owner of that table). Nothing was kept or pruned.',
    );
  });

  test('serial and identity columns whose sequences the user may not read: refused before pg_dump, with GRANT SELECT ON SEQUENCE', async () => {
    await server.createDatabase(
      'read_sequences',
      `CREATE ROLE seq_reader LOGIN PASSWORD 'seq-secret-123';
       CREATE TABLE orders (id serial PRIMARY KEY, n int); INSERT INTO orders (n) VALUES (1), (2);
       CREATE TABLE events (id int GENERATED ALWAYS AS IDENTITY, x int); INSERT INTO events (x) VALUES (1);
       CREATE TABLE plain (id bigserial); GRANT SELECT ON SEQUENCE plain_id_seq TO seq_reader;
       GRANT SELECT ON orders, events, plain TO seq_reader;`,
    );
    const granted = await refusedUntilAdvised(
      'read_sequences',
      'seq_reader',
      'seq-secret-123',
      'Permission denied for sequence public.events_id_seq, public.orders_id_seq: the user seq_reader must be able to read every sequence it backs up (GRANT SELECT ON SEQUENCE public.events_id_seq, public.orders_id_seq TO seq_reader), or back up as a role that can read them all. Nothing was kept or pruned.',
      ['GRANT SELECT ON SEQUENCE public.events_id_seq, public.orders_id_seq TO seq_reader'],
    );
    expect(tablesOf(granted)).toEqual([
      { name: 'public.events', rows: 1 },
      { name: 'public.orders', rows: 2 },
      { name: 'public.plain', rows: 0 },
    ]);
  });

  test('several kinds at once: one line naming every table, sequence and large object, with every GRANT and BYPASSRLS; following it all lets the backup run', async () => {
    await server.createDatabase(
      'read_everything',
      `CREATE ROLE all_reader LOGIN PASSWORD 'all-secret-123';
       CREATE SCHEMA "Vault"; CREATE TABLE "Vault".keys (id serial, k text);
       CREATE TABLE ledger (id int GENERATED BY DEFAULT AS IDENTITY, amount int);
       INSERT INTO ledger (amount) VALUES (5); GRANT SELECT (id, amount) ON ledger TO all_reader;
       CREATE TABLE guarded (id int); INSERT INTO guarded VALUES (1), (2);
       ALTER TABLE guarded ENABLE ROW LEVEL SECURITY; GRANT SELECT ON guarded TO all_reader;
       SELECT lo_from_bytea(515151, 'blob');`,
    );
    await refusedUntilAdvised(
      'read_everything',
      'all_reader',
      'all-secret-123',
      'Permission denied for table "Vault".keys, public.ledger; for sequence "Vault".keys_id_seq, public.ledger_id_seq; for large object 515151; row-level security applies to table public.guarded: the user all_reader must be able to read every row of every table, sequence and large object it backs up (GRANT USAGE ON SCHEMA "Vault" TO all_reader; GRANT SELECT ON "Vault".keys, public.ledger TO all_reader; GRANT SELECT ON SEQUENCE "Vault".keys_id_seq, public.ledger_id_seq TO all_reader; GRANT SELECT ON LARGE OBJECT 515151 TO all_reader; ALTER ROLE all_reader BYPASSRLS), or back up as a role that can read them all (row security does not apply to postgres, the owner of that table). Nothing was kept or pruned.',
      [
        'GRANT USAGE ON SCHEMA "Vault" TO all_reader',
        'GRANT SELECT ON "Vault".keys, public.ledger TO all_reader',
        'GRANT SELECT ON SEQUENCE "Vault".keys_id_seq, public.ledger_id_seq TO all_reader',
        'GRANT SELECT ON LARGE OBJECT 515151 TO all_reader',
        'ALTER ROLE all_reader BYPASSRLS',
      ],
    );
  });

  test('large objects the user may not read: refused before pg_dump, with GRANT SELECT ON LARGE OBJECT; a dump that holds none (--tables) runs', async () => {
    await server.createDatabase(
      'read_large_objects',
      `CREATE ROLE lo_reader LOGIN PASSWORD 'lo-secret-123'; CREATE ROLE lo_group; GRANT lo_group TO lo_reader;
       CREATE TABLE docs (id int); INSERT INTO docs VALUES (1); GRANT SELECT ON docs TO lo_reader;
       SELECT lo_from_bytea(424242, 'closed'), lo_from_bytea(424243, 'public'), lo_from_bytea(424244, 'group');
       GRANT SELECT ON LARGE OBJECT 424243 TO PUBLIC; GRANT SELECT ON LARGE OBJECT 424244 TO lo_group;
       SELECT lo_from_bytea(424245, 'own'); ALTER LARGE OBJECT 424245 OWNER TO lo_reader;`,
    );
    const dir = tempDir('read-lo-tables');
    const url = `postgres://lo_reader:lo-secret-123@${server.host}:${server.port}/read_large_objects`;
    const tablesOnly = await cli(['backup', '--database-url', url, '--tables', 'docs'], {
      cwd: dir,
      env,
    });
    expect(tablesOnly.status, tablesOnly.stderr).toBe(0);
    await refusedUntilAdvised(
      'read_large_objects',
      'lo_reader',
      'lo-secret-123',
      'Permission denied for large object 424242: the user lo_reader must be able to read every large object it backs up (GRANT SELECT ON LARGE OBJECT 424242 TO lo_reader), or back up as a role that can read them all. Nothing was kept or pruned.',
      ['GRANT SELECT ON LARGE OBJECT 424242 TO lo_reader'],
    );
  });
});
