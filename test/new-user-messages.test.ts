/**
 * Messages a new user met on a first try: each says what to change, on one
 * line, and refuses before anything is touched.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { generalHelp } from '../src/cli.js';
import { parseDatabaseUrl } from '../src/domain/database-location.js';
import { COMMANDS } from '../src/config/options.js';
import { UserError } from '../src/domain/errors.js';
import { cli, REPO_ROOT } from './support/cli.js';
import { createSampleDatabase } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const env = { PATH: process.env.PATH };

describe('the usage lines', () => {
  const helpUsage = generalHelp()
    .split('\n')
    .filter((line) => line.startsWith('  db-backup '))
    .map((line) => line.trim());

  test('in the README are the ones --help prints, the backup of restore and verify optional', () => {
    const block = /```\n(db-backup backup [^`]*)```/.exec(readme)?.[1] ?? '';
    const readmeUsage = block
      .trim()
      .split('\n')
      .map((line) => line.replace(/ \.\.\.$/, ''));
    expect(readmeUsage).toEqual(helpUsage);
    expect(helpUsage).toHaveLength(COMMANDS.length);
    for (const command of ['restore', 'verify']) {
      expect(helpUsage.find((l) => l.startsWith(`db-backup ${command} `))).toContain(
        `db-backup ${command} [file|name|latest]`,
      );
    }
    expect(readme).not.toMatch(/restore +<file\|name\|latest>/);
  });
});

describe('sqlite3: URLs', () => {
  test.each([
    ['sqlite3:./dev.db', '/work/app/dev.db'],
    ['sqlite3:/abs/dev.db', '/abs/dev.db'],
    ['sqlite3:///abs/dev.db', '/abs/dev.db'],
  ])('%s is accepted, as the README lists it', (url, file) => {
    expect(parseDatabaseUrl(url, '/work/app')).toEqual({ engine: 'sqlite', path: file });
    expect(readme).toContain('`sqlite3:./dev.db`');
  });

  test('the refusal of another scheme lists sqlite3: with the others', () => {
    expect(() => parseDatabaseUrl('mysql://u@h/db', '/')).toThrow(
      /use one of file:PATH, sqlite:PATH, sqlite3:PATH, postgres:\/\/ or postgresql:\/\//,
    );
  });

  test('a backup of a sqlite3: URL works end to end', async () => {
    const dir = tempDir('sqlite3-url');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 3 });
    const run = await cli(['backup', '--database-url', 'sqlite3:./app.db'], { cwd: dir, env });
    expect(run.status, run.stderr).toBe(0);
  });
});

describe('an unencoded @ in a PostgreSQL URL', () => {
  test.each([
    'postgres://app:p@ss@db.example.com:5432/app',
    'postgresql://app:p@ss@db.example.com/app?sslmode=require',
    'postgres://admin@server:secret@db.example.com/app',
    'postgres://app:p@ss/word@db.example.com/app',
    'postgres://app:p@ss/word@db.example.com',
  ])('%s is refused with the percent-encoding hint, never echoing the password', (url) => {
    let error: unknown;
    try {
      parseDatabaseUrl(url, '/');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    expect(message).toMatch(/percent-encode @ in the user name or password as %40/);
    for (const fragment of ['p@ss', 'secret', 'ss/word']) expect(message).not.toContain(fragment);
  });

  test.each([
    ['postgres://app:p%40ss@db.example.com:5432/app', 'p@ss'],
    ['postgres://app@db.example.com/app?options=-c%20x%3Dy@z', ''],
    ['postgres://app:pw@db.example.com/app#frag@ment', 'pw'],
    ['postgres://app@/app?host=/var/run/postgresql', ''],
  ])('%s is still accepted', (url, password) => {
    expect(parseDatabaseUrl(url, '/')).toMatchObject({ engine: 'postgres', password });
  });

  test('the CLI refuses with exit 2 and one line', async () => {
    const dir = tempDir('at-sign');
    const run = await cli(['backup'], {
      cwd: dir,
      env: { ...env, DATABASE_URL: 'postgres://app:p@ss@127.0.0.1:1/app' },
    });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^db-backup: The PostgreSQL URL has an @ .*%40/);
    expect(fs.existsSync(path.join(dir, 'backups'))).toBe(false);
  });
});

describe('verifying a PostgreSQL backup without a scratch server', () => {
  test('names the CLI flag, the environment variable and the action input', async () => {
    const dir = tempDir('no-scratch');
    fs.mkdirSync(path.join(dir, 'backups'), { mode: 0o700 });
    fs.writeFileSync(
      path.join(dir, 'backups', 'postgres_backup_20260101_000000.sql.gz'),
      zlib.gzipSync('SELECT 1;\n'),
    );
    const run = await cli(['verify', 'postgres_backup_20260101_000000.sql.gz'], {
      cwd: dir,
      env,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('VERIFY_DATABASE_URL');
    expect(run.stderr).toContain('--verify-database-url');
    expect(run.stderr).toContain('the input verify-database-url');
    expect(run.stderr).toContain('--quick');
  });
});

const nobody = 65534;

/** The CLI from the sources, as another user (tests run as root, which may write anywhere). */
function runAs(uid: number, args: readonly string[], cwd: string, gid = uid) {
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      pathToFileURL(path.join(REPO_ROOT, 'node_modules/tsx/dist/esm/index.mjs')).href,
      '--input-type=module',
      '-e',
      `import { cliMain } from ${JSON.stringify(path.join(REPO_ROOT, 'src/main.ts'))}; await cliMain();`,
      // -e leaves no script in argv[1]: this stands in for it.
      'db-backup',
      ...args,
    ],
    { cwd, uid, gid, env: { PATH: process.env.PATH }, encoding: 'utf8' },
  );
  return { status: result.status, stderr: result.stderr };
}

/** Another user can run the sources only where every folder above them lets it through. */
const nobodyCanRunSources =
  process.getuid?.() === 0 &&
  spawnSync(
    '/bin/sh',
    [
      '-c',
      'test -r "$1" && test -x "$2" && test -r "$3"',
      'sh',
      path.join(REPO_ROOT, 'src/main.ts'),
      process.execPath,
      path.join(REPO_ROOT, 'node_modules/tsx/dist/esm/index.mjs'),
    ],
    { uid: nobody, gid: nobody },
  ).status === 0;

describe('a WAL database in a directory the backup user cannot write', () => {
  function walDatabase(): { dir: string; file: string; backups: string } {
    const root = tempDir('wal-dir');
    fs.chmodSync(root, 0o755);
    const dir = path.join(root, 'data');
    fs.mkdirSync(dir, { mode: 0o755 });
    const file = path.join(dir, 'app.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1), (2);');
    db.close();
    fs.chmodSync(file, 0o644);
    // The backup user owns the database here: only the directory stands in its way.
    fs.chownSync(file, nobody, nobody);
    const backups = path.join(root, 'backups');
    fs.mkdirSync(backups, { mode: 0o700 });
    fs.chownSync(backups, nobody, nobody);
    return { dir, file, backups };
  }

  const backupAs = (uid: number, file: string, backups: string) =>
    runAs(uid, ['backup', '--database-url', `file:${file}`, '--backup-dir', backups], backups);

  // Root may write anywhere, so the refusal needs another user: tests run as root here and in CI.
  test.skipIf(!nobodyCanRunSources)(
    'is refused with exit 2 and a line that names the -shm file and the directory',
    () => {
      const { dir, file, backups } = walDatabase();
      const run = backupAs(nobody, file, backups);
      expect(run.status, run.stderr).toBe(2);
      const line = run.stderr.trim().split('\n').at(-1)!;
      expect(line).toMatch(/^db-backup: app\.db is a WAL-mode database/);
      expect(line).toContain('app.db-shm');
      expect(line).toContain(`cannot write ${dir}`);
      expect(fs.readdirSync(backups)).toEqual([]);
      // With group write access to the directory, the same user backs it up.
      fs.chownSync(dir, 0, nobody);
      fs.chmodSync(dir, 0o775);
      const again = backupAs(nobody, file, backups);
      expect(again.status, again.stderr).toBe(0);
      expect(fs.readdirSync(backups).some((n) => n.endsWith('.db.gz'))).toBe(true);
    },
  );
});

describe('a WAL database nothing has open, read by a user that is not its owner', () => {
  // The application runs as daemon (uid and gid 1); the backup user nobody is in its group.
  const app = 1;

  function appDatabase() {
    const root = tempDir('wal-owner');
    fs.chmodSync(root, 0o755);
    const dir = path.join(root, 'data');
    fs.mkdirSync(dir);
    fs.chownSync(dir, app, app);
    fs.chmodSync(dir, 0o775);
    const file = path.join(dir, 'app.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1), (2);');
    db.close();
    fs.chownSync(file, app, app);
    fs.chmodSync(file, 0o664);
    const backups = path.join(root, 'backups');
    fs.mkdirSync(backups, { mode: 0o700 });
    fs.chownSync(backups, nobody, app);
    return { root, dir, file, backups };
  }

  /** The application writes a row, as itself, with the sqlite3 shell. */
  const appWrites = (file: string) =>
    spawnSync('sqlite3', [file, 'INSERT INTO t VALUES (3);'], {
      uid: app,
      gid: app,
      encoding: 'utf8',
    });

  test.skipIf(!nobodyCanRunSources)(
    'is refused before SQLite opens it (exit 2, no -wal or -shm made), the application still writes, and while the application has it open the backup runs',
    () => {
      const { dir, file, backups } = appDatabase();
      const args = ['backup', '--database-url', `file:${file}`, '--backup-dir', backups];
      const run = runAs(nobody, args, backups, app);
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr.trim().split('\n').at(-1)).toBe(
        `db-backup: Cannot read app.db as this user (uid ${nobody}) now: it is in WAL mode and app.db-wal and app.db-shm are not there (nothing has it open), so SQLite would create them owned by this user, and the database's owner (uid ${app}) could no longer write to it. Run the backup as the owner of app.db (or as root). Nothing was changed.`,
      );
      expect(fs.readdirSync(dir)).toEqual(['app.db']);
      expect(fs.readdirSync(backups)).toEqual([]);
      const written = appWrites(file);
      expect(written.status, written.stderr).toBe(0);
      // The application holds it open (root's SQLite gives the side files to the owner).
      const open = new Database(file);
      try {
        open.prepare('SELECT count(*) FROM t').get();
        expect(fs.statSync(`${file}-shm`).uid).toBe(app);
        const again = runAs(nobody, args, backups, app);
        expect(again.status, again.stderr).toBe(0);
      } finally {
        open.close();
      }
      const after = appWrites(file);
      expect(after.status, after.stderr).toBe(0);
    },
  );

  test.skipIf(!nobodyCanRunSources)(
    'reached through a symbolic link, it is judged where SQLite makes the side files: beside the file the link leads to',
    () => {
      const { root, dir, file, backups } = appDatabase();
      const links = path.join(root, 'links');
      fs.mkdirSync(links);
      fs.chmodSync(links, 0o777);
      const link = path.join(links, 'current.db');
      fs.symlinkSync(file, link);
      const args = ['backup', '--database-url', `file:${link}`, '--backup-dir', backups];
      const run = runAs(nobody, args, backups, app);
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toContain('app.db-wal and app.db-shm are not there');
      expect(fs.readdirSync(dir)).toEqual(['app.db']);
      expect(fs.readdirSync(links)).toEqual(['current.db']);
    },
  );

  test.skipIf(!nobodyCanRunSources)(
    "a restore over another user's database is refused before the backup is read: the restored file could not be its owner's",
    async () => {
      const { root, dir, file } = appDatabase();
      const made = await cli(['backup', '--database-url', `sqlite:${file}`], { cwd: root, env });
      expect(made.status, made.stderr).toBe(0);
      const backups = path.join(root, 'backups');
      for (const entry of [backups, ...fs.readdirSync(backups).map((n) => path.join(backups, n))])
        fs.chownSync(entry, nobody, app);
      const before = fs.readFileSync(file);
      const args = ['restore', 'latest', '--database-url', `sqlite:${file}`, '--yes'];
      const run = runAs(nobody, args, root, app);
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr.trim().split('\n').at(-1)).toBe(
        `db-backup: Cannot restore app.db: it belongs to another user (uid ${app}), and the restored file would belong to this one (uid ${nobody}; only root may give a file to another user), so its owner could no longer write to it. Run the restore as the owner of app.db, or as root. Nothing was changed.`,
      );
      // The root backup left the owner's -wal and -shm; nothing else is there.
      expect(fs.readdirSync(dir).filter((n) => !n.startsWith('app.db-'))).toEqual(['app.db']);
      expect(fs.readFileSync(file).equals(before)).toBe(true);
    },
  );
});

describe("a backup directory lock another user's run holds", () => {
  test.skipIf(!nobodyCanRunSources)(
    'stops the backup with one line naming the lock, not a raw EACCES, and leaves the lock',
    () => {
      const root = tempDir('lock-other-user');
      fs.chmodSync(root, 0o755);
      const file = path.join(root, 'app.db');
      createSampleDatabase(file, { rows: 3 });
      fs.chmodSync(file, 0o644);
      const backups = path.join(root, 'backups');
      fs.mkdirSync(backups, { mode: 0o700 });
      fs.chownSync(backups, nobody, nobody);
      const lock = path.join(backups, '.db-backup.lock');
      const held = JSON.stringify({ pid: 1, host: 'another-host', time: new Date().toISOString() });
      fs.writeFileSync(lock, held, { mode: 0o600 });
      const run = runAs(
        nobody,
        ['backup', '--database-url', `file:${file}`, '--backup-dir', backups],
        root,
      );
      expect(run.status, run.stderr).toBe(1);
      expect(run.stderr.trim().split('\n').at(-1)).toBe(
        `db-backup: ${lock} cannot be read by this user (permission denied): a run of another user holds ${backups}, or the file's mode was changed. Run every backup into it as one user; remove the file once no run is alive. Nothing was changed in ${backups}.`,
      );
      expect(fs.readdirSync(backups)).toEqual(['.db-backup.lock']);
      expect(fs.readFileSync(lock, 'utf8')).toBe(held);
    },
  );
});

describe('a SQLite restore into a directory the user cannot write', () => {
  test.skipIf(!nobodyCanRunSources)(
    'is refused before the backup is read, with exit 2 and one line; with the directory writable it restores',
    async () => {
      const root = tempDir('restore-unwritable');
      fs.chmodSync(root, 0o755);
      const dir = path.join(root, 'data');
      fs.mkdirSync(dir, { mode: 0o755 });
      const file = path.join(dir, 'app.db');
      createSampleDatabase(file, { rows: 3 });
      const made = await cli(['backup', '--database-url', `sqlite:${file}`], { cwd: root, env });
      expect(made.status, made.stderr).toBe(0);
      fs.chownSync(path.join(root, 'backups'), nobody, nobody);
      for (const name of fs.readdirSync(path.join(root, 'backups')))
        fs.chownSync(path.join(root, 'backups', name), nobody, nobody);
      fs.chownSync(file, nobody, nobody);
      const before = fs.readFileSync(file);
      const args = ['restore', 'latest', '--database-url', `sqlite:${file}`, '--yes'];
      const run = runAs(nobody, args, root);
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr.trim().split('\n').at(-1)).toBe(
        `db-backup: Cannot restore app.db: its directory ${dir} is not writable by this user, and a restore writes the restored database and app.db.before-restore there before it swaps them. Run as a user who may write in that directory, or make it writable. Nothing was changed.`,
      );
      expect(fs.readdirSync(dir)).toEqual(['app.db']);
      expect(fs.readFileSync(file).equals(before)).toBe(true);
      fs.chownSync(dir, nobody, nobody);
      const again = runAs(nobody, args, root);
      expect(again.status, again.stderr).toBe(0);
      expect(fs.readdirSync(dir).sort()).toEqual(['app.db', 'app.db.before-restore']);
    },
  );

  test.skipIf(!nobodyCanRunSources)(
    'in a sticky directory (as /tmp), a file of another user is refused before the backup is read',
    async () => {
      const root = tempDir('restore-sticky');
      fs.chmodSync(root, 0o755);
      const dir = path.join(root, 'shared');
      fs.mkdirSync(dir);
      fs.chmodSync(dir, 0o1777);
      const file = path.join(dir, 'app.db');
      createSampleDatabase(file, { rows: 3 });
      fs.chmodSync(file, 0o666);
      const made = await cli(['backup', '--database-url', `sqlite:${file}`], { cwd: root, env });
      expect(made.status, made.stderr).toBe(0);
      fs.chownSync(path.join(root, 'backups'), nobody, nobody);
      for (const name of fs.readdirSync(path.join(root, 'backups')))
        fs.chownSync(path.join(root, 'backups', name), nobody, nobody);
      const before = fs.readFileSync(file);
      const run = runAs(
        nobody,
        ['restore', 'latest', '--database-url', `sqlite:${file}`, '--yes'],
        root,
      );
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr.trim().split('\n').at(-1)).toBe(
        `db-backup: Cannot restore app.db: it belongs to another user, and its directory ${dir} has the sticky bit (as /tmp does), so only that user may replace it. Run the restore as the owner of app.db. Nothing was changed.`,
      );
      expect(fs.readdirSync(dir)).toEqual(['app.db']);
      expect(fs.readFileSync(file).equals(before)).toBe(true);
    },
  );

  /** A sticky directory (mode 1777, owned by root) holding nobody's app.db and a backup of it nobody may read. */
  async function stickyDatabaseOfNobody(label: string) {
    const root = tempDir(label);
    fs.chmodSync(root, 0o755);
    const dir = path.join(root, 'shared');
    fs.mkdirSync(dir);
    fs.chmodSync(dir, 0o1777);
    const file = path.join(dir, 'app.db');
    createSampleDatabase(file, { rows: 3 });
    const made = await cli(['backup', '--database-url', `sqlite:${file}`], { cwd: root, env });
    expect(made.status, made.stderr).toBe(0);
    for (const entry of [file, path.join(root, 'backups')]) fs.chownSync(entry, nobody, nobody);
    for (const name of fs.readdirSync(path.join(root, 'backups')))
      fs.chownSync(path.join(root, 'backups', name), nobody, nobody);
    const args = ['restore', 'latest', '--database-url', `sqlite:${file}`, '--yes'];
    return { root, dir, file, args };
  }

  test.skipIf(!nobodyCanRunSources)(
    "in a sticky directory, another user's earlier app.db.before-restore is refused before the backup is read; once it is gone the restore works",
    async () => {
      const { root, dir, file, args } = await stickyDatabaseOfNobody('restore-sticky-copy');
      const earlier = path.join(dir, 'app.db.before-restore');
      fs.writeFileSync(earlier, 'root keeps this copy');
      const before = fs.readFileSync(file);
      const run = runAs(nobody, args, root);
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr.trim().split('\n').at(-1)).toBe(
        `db-backup: Cannot restore app.db: app.db.before-restore, an earlier safety copy, belongs to another user, and its directory ${dir} has the sticky bit (as /tmp does), so this restore may not move it aside to keep it. Have its owner move or remove it, or run the restore as that user. Nothing was changed.`,
      );
      expect(fs.readdirSync(dir).sort()).toEqual(['app.db', 'app.db.before-restore']);
      expect(fs.readFileSync(file).equals(before)).toBe(true);
      expect(fs.readFileSync(earlier, 'utf8')).toBe('root keeps this copy');
      fs.rmSync(earlier);
      const again = runAs(nobody, args, root);
      expect(again.status, again.stderr).toBe(0);
      expect(fs.statSync(earlier).uid).toBe(nobody);
    },
  );

  test.skipIf(!nobodyCanRunSources)(
    "in a sticky directory, another user's stale temporary file is left to them and the restore goes on",
    async () => {
      const { root, dir, args } = await stickyDatabaseOfNobody('restore-sticky-temp');
      const stale = path.join(dir, '.db-backup-tmp-restore-0123456789ab');
      fs.writeFileSync(stale, 'a killed restore of root');
      const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
      fs.utimesSync(stale, twoDaysAgo, twoDaysAgo);
      const run = runAs(nobody, args, root);
      expect(run.status, run.stderr).toBe(0);
      expect(fs.readdirSync(dir).sort()).toEqual([
        '.db-backup-tmp-restore-0123456789ab',
        'app.db',
        'app.db.before-restore',
      ]);
    },
  );
});

describe("a backup's manifest named where the backup belongs", () => {
  test('restore and verify refuse it, naming the backup it describes (exit 2, nothing changed)', async () => {
    const dir = tempDir('manifest-given');
    const db = path.join(dir, 'app.db');
    createSampleDatabase(db, { rows: 3 });
    const made = await cli(['backup', '--database-url', `sqlite:${db}`], { cwd: dir, env });
    expect(made.status, made.stderr).toBe(0);
    const backup = fs.readdirSync(path.join(dir, 'backups')).find((n) => !n.endsWith('.json'))!;
    const before = fs.readFileSync(db);
    const given = `backups/${backup}.json`;
    const runs = [
      await cli(['restore', given, '--database-url', `sqlite:${db}`, '--yes'], { cwd: dir, env }),
      await cli(['verify', given, '--database-url', `sqlite:${db}`], { cwd: dir, env }),
    ];
    for (const run of runs) {
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toContain(
        `${backup}.json is a backup's manifest, not a backup: give the backup it describes (backups/${backup}). Nothing was changed.`,
      );
    }
    expect(fs.readFileSync(db).equals(before)).toBe(true);
  });
});

describe('a backup directory that is a file', () => {
  test('backup refuses in one line, as list does, and the file is left as it was', async () => {
    const dir = tempDir('backup-dir-file');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 3 });
    fs.writeFileSync(path.join(dir, 'afile'), 'mine');
    fs.symlinkSync(path.join(dir, 'gone'), path.join(dir, 'dangling'));
    fs.symlinkSync('loop', path.join(dir, 'loop'));
    const at = (name: string): string => path.join(dir, name);
    for (const [backupDir, said] of [
      [
        'afile',
        `The backup directory ${at('afile')} is a file, not a directory: choose another backup-dir.`,
      ],
      [
        'afile/sub',
        `The backup directory ${at('afile/sub')} cannot be made: a directory in its path is a file. Choose another backup-dir.`,
      ],
      [
        'dangling',
        `The backup directory ${at('dangling')} cannot be made: a symbolic link in its path leads nowhere. Fix the link, or choose another backup-dir.`,
      ],
      [
        'loop',
        `The backup directory ${at('loop')} cannot be made: a symbolic link in its path leads round in a loop. Fix the link, or choose another backup-dir.`,
      ],
      [
        'dangling/sub',
        `The backup directory ${at('dangling/sub')} cannot be made: a symbolic link in its path leads nowhere. Fix the link, or choose another backup-dir.`,
      ],
      [
        'loop/sub',
        `The backup directory ${at('loop/sub')} cannot be made: a symbolic link in its path leads round in a loop. Fix the link, or choose another backup-dir.`,
      ],
    ] as const) {
      const run = await cli(
        ['backup', '--database-url', 'file:app.db', '--backup-dir', backupDir],
        {
          cwd: dir,
          env,
        },
      );
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr.trim().split('\n').at(-1)).toBe(`db-backup: ${said}`);
      expect(run.stderr).not.toMatch(/EEXIST|ENOTDIR|ENOENT|ELOOP/);
    }
    expect(fs.existsSync(path.join(dir, 'gone'))).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'afile'), 'utf8')).toBe('mine');
    const list = await cli(['list', '--backup-dir', 'afile'], { cwd: dir, env });
    expect(list.status).toBe(2);
    expect(list.stderr).toMatch(/is a file, not a directory/);
  });

  test('sanitize-storage local:DIR that is a file is named as such, not as backup-dir', async () => {
    const dir = tempDir('sanitize-dir-file');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 3 });
    fs.writeFileSync(path.join(dir, 'afile'), 'mine');
    fs.writeFileSync(path.join(dir, 'rules.yml'), 'tables:\n  orders:\n    rows: truncate\n');
    const run = await cli(
      [
        'backup',
        '--database-url',
        'file:app.db',
        '--sanitize',
        'rules.yml',
        '--sanitize-storage',
        'local:afile',
      ],
      { cwd: dir, env: { ...env, SANITIZE_SALT: 'a-salt-of-sixteen-or-more' } },
    );
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr.trim().split('\n').at(-1)).toBe(
      `db-backup: The backup ${made(run.stderr)} was made, but the sanitized copy failed: The sanitize-storage directory ${path.join(dir, 'afile')} is a file, not a directory: choose another directory in sanitize-storage local:DIR. The sanitized copy ${sanitized(run.stderr)} stays in ${path.join(dir, 'backups')}.`,
    );
    expect(fs.existsSync(path.join(dir, 'backups', sanitized(run.stderr)))).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'afile'), 'utf8')).toBe('mine');
  });
});

describe('environment variables that look like ours', () => {
  test('are named in a warning with the setting meant, and the run goes on with the default', async () => {
    const dir = tempDir('lookalike-variables');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 3 });
    const run = await cli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: {
        ...env,
        MAX_BACKUP: '3',
        BACKUP_DIRECTORY: path.join(dir, 'elsewhere'),
        BACKUP_ENCRYPTON: 'passphrase',
        PGHOST: 'not-ours-and-not-near',
        BACKUP_DIR: 'backups',
      },
    });
    expect(run.status, run.stderr).toBe(0);
    const warnings = run.stderr.split('\n').filter((line) => line.includes('not a setting'));
    expect(warnings).toEqual([
      'warning: BACKUP_DIRECTORY is not a setting of db-backup and was ignored: did you mean BACKUP_DIR?',
      'warning: BACKUP_ENCRYPTON is not a setting of db-backup and was ignored: did you mean BACKUP_ENCRYPTION?',
      'warning: MAX_BACKUP is not a setting of db-backup and was ignored: did you mean MAX_BACKUPS?',
    ]);
    expect(fs.existsSync(path.join(dir, 'elsewhere'))).toBe(false);
    expect(run.stderr).toMatch(/max-backups #1/);
  });
});

/** The name of the backup a run says it wrote. */
function made(stderr: string): string {
  return /Wrote (\S+) \(/.exec(stderr)?.[1] ?? '(none)';
}

/** The name of the sanitized copy a run says it wrote. */
function sanitized(stderr: string): string {
  return /Wrote (\S+_sanitized_\S+) \(/.exec(stderr)?.[1] ?? '(none)';
}

describe('--no-safety-backup with a SQLite database', () => {
  test('the restore still keeps DB.before-restore, and says so in a warning', async () => {
    const dir = tempDir('sqlite-no-safety');
    const db = path.join(dir, 'app.db');
    createSampleDatabase(db, { rows: 3 });
    const backup = await cli(['backup', '--database-url', 'file:app.db'], { cwd: dir, env });
    expect(backup.status, backup.stderr).toBe(0);
    const restore = await cli(
      ['restore', 'latest', '--database-url', 'file:app.db', '--yes', '--no-safety-backup'],
      { cwd: dir, env },
    );
    expect(restore.status, restore.stderr).toBe(0);
    expect(restore.stderr).toMatch(
      /safety-backup false applies to PostgreSQL only: a SQLite restore always keeps the file it replaces as DB\.before-restore/,
    );
    expect(fs.existsSync(`${db}.before-restore`)).toBe(true);
    const plain = await cli(['restore', 'latest', '--database-url', 'file:app.db', '--yes'], {
      cwd: dir,
      env,
    });
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stderr).not.toMatch(/safety-backup false/);
  });
});

describe('latest in a directory shared by two named databases', () => {
  test('the refusal asks for what works, and doing what it says works', async () => {
    const dir = tempDir('shared-latest');
    for (const name of ['app', 'jobs']) {
      createSampleDatabase(path.join(dir, `${name}.db`), { rows: 2 });
      const run = await cli(['backup', '--database-url', `file:${name}.db`, '--name', name], {
        cwd: dir,
        env,
      });
      expect(run.status, run.stderr).toBe(0);
    }
    const refused = await cli(['verify', 'latest', '--quick'], { cwd: dir, env });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(
      /holds backups of several databases .*give the database \(--database-url, with its --name if it has one\)/,
    );
    const told = await cli(
      ['verify', 'latest', '--quick', '--database-url', 'file:jobs.db', '--name', 'jobs'],
      { cwd: dir, env },
    );
    expect(told.status, told.stderr).toBe(0);
    expect(told.stdout + told.stderr).toMatch(/sqlite_jobs_backup_/);
  });
});

describe('counts in the output', () => {
  test('one table and one row read as such', async () => {
    const dir = tempDir('one-table');
    const db = new Database(path.join(dir, 'one.db'));
    db.exec('CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);');
    db.close();
    const run = await cli(['backup', '--database-url', 'file:one.db'], { cwd: dir, env });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^ {2}1 table, 1 row$/m);
    expect(run.stdout).not.toMatch(/1 tables|1 rows/);
  });
});
