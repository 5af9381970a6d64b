/**
 * The promises of "Secrets and child processes", "Temporary files",
 * Encryption and SQLite restore, attacked at their edges: arguments in the
 * wrong place, passphrase files no person meant as such, temporary
 * directories reached through links, SQLite paths the kernel reads otherwise
 * than a string does, and connection settings our two PostgreSQL clients
 * would read differently. Each case asserts the exit code, the one line
 * and that nothing was lost or leaked.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { MAX_PASSPHRASE_BYTES } from '../src/pipeline/passphrase-rules.js';
import { PIPE_WAIT_MS, readAtMost, SilentPipe } from '../src/fs/read-at-most.js';
import { withoutCredentials } from '../src/domain/secrets.js';
import { BUNDLED_CLI, cli, type CliRun } from './support/cli.js';
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
    fs.mkdirSync(path.join(dir, 'backups'));
    const run = await cli(
      ['list', '--database-url', `postgres://app@127.0.0.1:1/app?password=${SECRET}`],
      { cwd: dir, env },
    );
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/warning: --database-url holds a password, which other users/);
    expect(run.stderr + run.stdout).not.toContain(SECRET);
  });
});

describe('passphrase files that are not one short line', () => {
  function backupWith(
    dir: string,
    passFile: string,
    extraEnv: NodeJS.ProcessEnv = {},
  ): Promise<CliRun> {
    return cli(['backup', '--database-url', 'file:app.db', '--passphrase-file', passFile], {
      cwd: dir,
      env: { ...env, ...extraEnv },
    });
  }

  test(`a one-line file longer than ${MAX_PASSPHRASE_BYTES} bytes: refused with the reason (gpg could not open the backup), nothing written`, async () => {
    const dir = tempDir('passfile-long');
    createSampleDatabase(path.join(dir, 'app.db'));
    fs.writeFileSync(path.join(dir, 'pass.txt'), `${'k'.repeat(1024 * 1024 - 1)}\n`);
    const run = await backupWith(dir, 'pass.txt');
    expect(run.status).toBe(2);
    expect(refusal(run)).toMatch(
      new RegExp(
        `passphrase is longer than ${MAX_PASSPHRASE_BYTES} bytes: gpg keeps a passphrase in 32 KiB of secure memory`,
      ),
    );
    expect(fingerprint(path.join(dir, 'backups'))).toEqual({});
  });

  test(`BACKUP_PASSPHRASE longer than ${MAX_PASSPHRASE_BYTES} bytes is refused the same way`, async () => {
    const dir = tempDir('passphrase-env-long');
    createSampleDatabase(path.join(dir, 'app.db'));
    const run = await cli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: { ...env, BACKUP_PASSPHRASE: 'é'.repeat(MAX_PASSPHRASE_BYTES / 2 + 1) },
    });
    expect(run.status).toBe(2);
    expect(refusal(run)).toMatch(/longer than 8192 bytes/);
  });

  test.each(['/dev/zero', '/dev/urandom'])(
    '--passphrase-file %s: one line, exit 2, no crash and no memory blow-up',
    async (device) => {
      const dir = tempDir('passfile-device');
      createSampleDatabase(path.join(dir, 'app.db'));
      for (const command of ['backup', 'restore', 'verify']) {
        const run = await cli(
          [command, '--database-url', 'file:app.db', '--passphrase-file', device],
          { cwd: dir, env },
        );
        expect(run.status, command).toBe(2);
        expect(refusal(run)).toBe(
          `db-backup: passphrase-file: ${device} holds more than 1 MiB, which no passphrase file does: name the right file.`,
        );
      }
      const key = await cli(
        ['backup', '--database-url', 'file:app.db', '--recipient-key-file', device],
        { cwd: dir, env },
      );
      expect(key.status).toBe(2);
      expect(refusal(key)).toMatch(/holds more than 16 MiB, which no key file does/);
    },
  );

  test('a named pipe (--passphrase-file <(…), a FIFO) or /dev/stdin is read once, to its end, by backup and by restore', async () => {
    const dir = tempDir('passfile-fifo');
    const db = path.join(dir, 'app.db');
    createSampleDatabase(db);
    const fifo = path.join(dir, 'pass.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // The bundled CLI in its own process: opening a FIFO blocks until the writer comes.
    const throughFifo = async (args: string[]): Promise<CliRun> => {
      const writer = spawn('sh', ['-c', 'printf "%s\\n" "$1" > "$2"', 'sh', PASSPHRASE, fifo]);
      const closed = new Promise((resolve) => writer.on('close', resolve));
      // A second open of the pipe would wait for ever: the guard turns that into a failure.
      const result = spawnSync(
        process.execPath,
        [BUNDLED_CLI, ...args, '--passphrase-file', fifo],
        {
          cwd: dir,
          env: { PATH: process.env.PATH, TMPDIR: dir },
          encoding: 'utf8',
          timeout: 120_000,
          killSignal: 'SIGKILL',
        },
      );
      const run = { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
      writer.kill('SIGKILL');
      await closed;
      return run;
    };
    const made = await throughFifo(['backup', '--database-url', 'file:app.db']);
    expect(made.status, made.stderr).toBe(0);
    // A restore reads the passphrase to decrypt and to encrypt its safety copy: the pipe gives it once.
    // app.db's backup into other files: by its name (latest is only ever the target's own).
    const name = fs.readdirSync(path.join(dir, 'backups')).find((n) => n.endsWith('.db.gz.gpg'))!;
    const restored = await throughFifo([
      'restore',
      name,
      '--database-url',
      'file:restored.db',
      '--yes',
    ]);
    expect(restored.status, restored.stderr).toBe(0);
    expect(dumpRows(path.join(dir, 'restored.db'))).toEqual(dumpRows(db));
    // Through a shell's pipe, as a person types it (Node's own stdin for a child is a socket, which /dev/stdin cannot open).
    const fromStdin = spawnSync(
      'sh',
      [
        '-c',
        'printf "%s\\n" "$1" | "$2" "$3" restore "$4" --database-url file:stdin.db --yes --passphrase-file /dev/stdin',
        'sh',
        PASSPHRASE,
        process.execPath,
        BUNDLED_CLI,
        name,
      ],
      {
        cwd: dir,
        env: { PATH: process.env.PATH, TMPDIR: dir },
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(fromStdin.status, fromStdin.stderr).toBe(0);
    expect(dumpRows(path.join(dir, 'stdin.db'))).toEqual(dumpRows(db));
  });
});

describe('a named pipe given as a passphrase file', () => {
  test('its writer may start late: the read waits for it without blocking in open', async () => {
    const dir = tempDir('fifo-late');
    createSampleDatabase(path.join(dir, 'app.db'));
    const fifo = path.join(dir, 'pass.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // The bundled CLI in its own process, as the shell starts it beside <(…).
    const writer = spawn('sh', [
      '-c',
      'sleep 1.5; printf "%s\\n" "$1" > "$2"',
      'sh',
      PASSPHRASE,
      fifo,
    ]);
    const closed = once(writer, 'close');
    const run = spawnSync(
      process.execPath,
      [BUNDLED_CLI, 'backup', '--database-url', 'file:app.db', '--passphrase-file', fifo],
      { cwd: dir, env: { PATH: process.env.PATH, TMPDIR: dir }, encoding: 'utf8', timeout: 60_000 },
    );
    writer.kill('SIGKILL');
    await closed;
    expect(run.status, run.stderr).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'backups')).some((n) => n.endsWith('.db.gz.gpg'))).toBe(
      true,
    );
  });

  test('one nothing writes to is given up after the wait, in words, instead of holding the process past every signal', () => {
    const dir = tempDir('fifo-silent');
    const fifo = path.join(dir, 'pass.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const started = Date.now();
    expect(() => readAtMost(fifo, 1024, 300)).toThrow(SilentPipe);
    expect(Date.now() - started).toBeLessThan(10_000);
    // The wait the CLI uses, and its words.
    expect(PIPE_WAIT_MS).toBe(30_000);
    expect(new SilentPipe(PIPE_WAIT_MS).message).toBe(
      'nothing was written to the named pipe within 30 s',
    );
  });
});

describe('a secret given where the path of its file belongs is never echoed', () => {
  const SECRET = 'Pasted-Instead-Of-A-Path-7f3a';

  test.each([
    ['backup', 'passphrase-file', 'passphrase'],
    ['restore', 'passphrase-file', 'passphrase'],
    ['verify', 'private-key-file', 'key'],
    ['restore', 'private-key-passphrase-file', 'passphrase'],
    ['backup', 'recipient-key-file', 'key'],
  ])(
    '%s --%s SECRET: exit 2, one line that says what to give, the secret nowhere',
    async (command, option, holds) => {
      const dir = tempDir('secret-as-path');
      createSampleDatabase(path.join(dir, 'app.db'));
      const before = fingerprint(dir);
      const log = path.join(dir, 'run.log');
      const run = await cli(
        [command, '--database-url', 'file:app.db', `--${option}`, SECRET, '--log-file', log],
        { cwd: dir, env },
      );
      expect(run.status, run.stderr).toBe(2);
      expect(refusal(run)).toBe(
        `db-backup: ${option}: there is no file at the path it gives (a relative path is read from ${fs.realpathSync(dir)}). Give the path of the file that holds the ${holds}; the value is not repeated here, in case it is the ${holds} itself.`,
      );
      expect(run.stdout + run.stderr).not.toContain(SECRET);
      if (fs.existsSync(log)) expect(fs.readFileSync(log, 'utf8')).not.toContain(SECRET);
      fs.rmSync(log, { force: true });
      expect(fingerprint(dir)).toEqual(before);
    },
  );

  test('a directory named as a passphrase file gets its own line', async () => {
    const dir = tempDir('secret-dir');
    createSampleDatabase(path.join(dir, 'app.db'));
    const run = await cli(['backup', '--database-url', 'file:app.db', '--passphrase-file', dir], {
      cwd: dir,
      env,
    });
    expect(run.status).toBe(2);
    expect(refusal(run)).toBe(
      'db-backup: passphrase-file: it names a directory. Give the path of the file that holds the passphrase; the value is not repeated here, in case it is the passphrase itself.',
    );
  });
});

describe('a passphrase that is not one: refused for new backups, before anything is read', () => {
  test.each([
    [
      "env.example's placeholder, left as it is",
      () => 'CHANGE-ME: openssl rand -base64 32',
      /still the placeholder of env\.example \(CHANGE-ME…\)/,
    ],
    [
      'the path of the passphrase file',
      (dir: string) => {
        fs.writeFileSync(path.join(dir, 'pass.txt'), `${PASSPHRASE}\n`);
        return path.join(dir, 'pass.txt');
      },
      /the path of a file on this machine, not a passphrase: give that file with --passphrase-file/,
    ],
  ])('%s', async (_case, value, message) => {
    const dir = tempDir('not-a-passphrase');
    createSampleDatabase(path.join(dir, 'app.db'));
    const passphrase = value(dir);
    const run = await cli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: { ...env, BACKUP_PASSPHRASE: passphrase },
    });
    expect(run.status, run.stderr).toBe(2);
    expect(refusal(run)).toMatch(message);
    expect(refusal(run)).toMatch(/Nothing was backed up\.$/);
    expect(fs.existsSync(path.join(dir, 'backups'))).toBe(false);
  });

  test('--passphrase-file "" (a shell variable not set) is refused, not taken as no encryption', async () => {
    const dir = tempDir('passphrase-file-empty');
    createSampleDatabase(path.join(dir, 'app.db'));
    for (const flag of ['--passphrase-file', '--recipient-key-file', '--backup-dir']) {
      const run = await cli(['backup', '--database-url', 'file:app.db', flag, ''], {
        cwd: dir,
        env,
      });
      expect(run.status, flag).toBe(2);
      expect(refusal(run)).toBe(
        `db-backup: ${flag} is empty: give the path of a file (a shell variable that is not set leaves it so).`,
      );
    }
    expect(fs.existsSync(path.join(dir, 'backups'))).toBe(false);
  });

  test('BACKUP_PASSPHRASE_FILE, the Docker habit: a backup it would leave plain is refused; beside a passphrase, or for list, it is a warning naming the flag', async () => {
    const dir = tempDir('passphrase-file-variable');
    createSampleDatabase(path.join(dir, 'app.db'));
    const file = path.join(dir, 'pass.txt');
    fs.writeFileSync(file, `${PASSPHRASE}\n`);
    const withFile = { ...env, BACKUP_PASSPHRASE_FILE: file };
    const refused = await cli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: withFile,
    });
    expect(refused.status).toBe(2);
    expect(refusal(refused)).toBe(
      'db-backup: BACKUP_PASSPHRASE_FILE is set, but db-backup does not read it, and nothing else asks for encryption: give the file with --passphrase-file, or the passphrase itself in BACKUP_PASSPHRASE. Nothing was backed up (it would not have been encrypted).',
    );
    expect(fs.existsSync(path.join(dir, 'backups'))).toBe(false);
    const warning =
      'warning: BACKUP_PASSPHRASE_FILE is not a setting of db-backup and was ignored: give that file with --passphrase-file (a variable holds the passphrase itself, never the path of its file).';
    const made = await cli(['backup', '--database-url', 'file:app.db', '--passphrase-file', file], {
      cwd: dir,
      env: withFile,
    });
    expect(made.status, made.stderr).toBe(0);
    expect(made.stderr).toContain(warning);
    expect(fs.readdirSync(path.join(dir, 'backups')).some((n) => n.endsWith('.gz.gpg'))).toBe(true);
    // The public key's file named the same way: refused alike, not a plain backup.
    const keyOnly = await cli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: { ...env, BACKUP_RECIPIENT_KEY_FILE: file },
    });
    expect(keyOnly.status).toBe(2);
    expect(refusal(keyOnly)).toBe(
      'db-backup: BACKUP_RECIPIENT_KEY_FILE is set, but db-backup does not read it, and nothing else asks for encryption: give the file with --recipient-key-file. Nothing was backed up (it would not have been encrypted).',
    );
    const listed = await cli(['list', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: withFile,
    });
    expect(listed.status).toBe(0);
    expect(listed.stderr).toContain(warning);
  });
});

describe('a temporary directory inside the backup directory is refused, however it is reached and for every command', () => {
  /** A backup directory holding one encrypted backup, and the files it holds now. */
  async function withOneBackup(dir: string): Promise<Record<string, string>> {
    createSampleDatabase(path.join(dir, 'app.db'));
    const made = await cli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: { ...env, BACKUP_PASSPHRASE: PASSPHRASE },
    });
    expect(made.status, made.stderr).toBe(0);
    return fingerprint(path.join(dir, 'backups'));
  }

  /** The CLI in its own process: TMPDIR is read by os.tmpdir() of that process. */
  function run(dir: string, args: string[], tmpdir: string): CliRun {
    const result = spawnSync(process.execPath, [BUNDLED_CLI, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH, TMPDIR: tmpdir, BACKUP_PASSPHRASE: PASSPHRASE },
      encoding: 'utf8',
    });
    return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
  }

  test('TMPDIR a symbolic link to a folder in the backup directory, or the backup directory a link to where TMPDIR is', async () => {
    const dir = tempDir('tmpdir-link');
    const kept = await withOneBackup(dir);
    fs.mkdirSync(path.join(dir, 'backups', 'scratch'));
    fs.symlinkSync(path.join(dir, 'backups', 'scratch'), path.join(dir, 'tmp-link'));
    const throughLink = run(
      dir,
      ['backup', '--database-url', 'file:app.db'],
      path.join(dir, 'tmp-link'),
    );
    expect(throughLink.status).toBe(2);
    expect(refusal(throughLink)).toMatch(
      /lies inside the backup directory .*point TMPDIR elsewhere/,
    );
    fs.symlinkSync(path.join(dir, 'backups'), path.join(dir, 'backups-link'));
    const linkedBackups = run(
      dir,
      ['backup', '--database-url', 'file:app.db', '--backup-dir', 'backups-link'],
      path.join(dir, 'backups', 'scratch'),
    );
    expect(linkedBackups.status).toBe(2);
    expect(refusal(linkedBackups)).toMatch(/lies inside the backup directory/);
    expect(fs.readdirSync(path.join(dir, 'backups', 'scratch'))).toEqual([]);
    expect(fingerprint(path.join(dir, 'backups'))).toEqual(kept);
  });

  test.each([
    ['verify', ['verify', '--database-url', 'file:app.db']],
    ['restore', ['restore', '--database-url', 'file:restored.db', '--yes']],
    ['list', ['list']],
    ['prune', ['prune', '--database-url', 'file:app.db', '--max-backups', '1']],
  ])('%s: refused before anything is unpacked there', async (_command, args) => {
    const dir = tempDir('tmpdir-inside');
    const kept = await withOneBackup(dir);
    const scratch = path.join(dir, 'backups', 'scratch');
    fs.mkdirSync(scratch);
    const refused = run(dir, args, scratch);
    expect(refused.status).toBe(2);
    expect(refusal(refused)).toMatch(
      /The temporary directory .*scratch \(TMPDIR\) lies inside the backup directory .*backups, where unencrypted scratch copies must never be: point TMPDIR elsewhere\./,
    );
    expect(fs.readdirSync(scratch)).toEqual([]);
    expect(fingerprint(path.join(dir, 'backups'))).toEqual(kept);
    expect(fs.existsSync(path.join(dir, 'restored.db'))).toBe(false);
  });
});
