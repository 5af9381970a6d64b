import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { cli } from './support/cli.js';
import { createSampleDatabase } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

function seed(dir: string, names: string[]): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const name of names) fs.writeFileSync(path.join(dir, name), name);
}

const OLD = [
  'sqlite_backup_20200101_000000.db.gz',
  'sqlite_backup_20200101_000000.db.gz.json',
  'sqlite_backup_20200102_000000.db.gz',
  'sqlite_backup_20200103_000000.db.gz',
];
const FOREIGN = [
  'notes.txt',
  'postgres_backup_20190101_000000.sql.gz',
  'sqlite_before-restore_20190101_000000.db.gz',
  'my.sqlite_backup.db.gz',
];

describe('rolling window', () => {
  test('a backup keeps the newest max-backups of its database; backups without a readable manifest and foreign files are left alone', async () => {
    const dir = tempDir('window');
    createSampleDatabase(path.join(dir, 'app.db'));
    seed(path.join(dir, 'backups'), [...OLD, ...FOREIGN]);
    const run = await cli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: { MAX_BACKUPS: '2' },
    });
    expect(run.status, run.stderr).toBe(0);
    const left = fs.readdirSync(path.join(dir, 'backups')).sort();
    const newest = left.find((n) => n.startsWith('sqlite_backup_2026') && n.endsWith('.db.gz'))!;
    // Nothing says whose the old files are (no manifest, or an unreadable one): none is removed.
    expect(left).toEqual([...OLD, ...FOREIGN, newest, `${newest}.json`].sort());
    expect(run.stderr).toMatch(/Left alone at local: sqlite_backup_20200103_000000\.db\.gz, /);
    // Two more backups of the database: its own window holds two of them.
    for (let i = 0; i < 2; i += 1) {
      const again = await cli(['backup', '--database-url', 'file:app.db'], {
        cwd: dir,
        env: { MAX_BACKUPS: '2' },
      });
      expect(again.status, again.stderr).toBe(0);
    }
    const ours = fs
      .readdirSync(path.join(dir, 'backups'))
      .filter((n) => n.startsWith('sqlite_backup_2026') && n.endsWith('.db.gz'));
    expect(ours).toHaveLength(2);
    for (const name of [...OLD, ...FOREIGN])
      expect(fs.existsSync(path.join(dir, 'backups', name))).toBe(true);
  });

  test('a failed backup prunes nothing', async () => {
    const dir = tempDir('failed');
    seed(path.join(dir, 'backups'), [...OLD, ...FOREIGN]);
    fs.writeFileSync(
      path.join(dir, 'broken.db'),
      'not a database at all, not even close'.repeat(5),
    );
    const before = fs.readdirSync(path.join(dir, 'backups')).sort();
    const run = await cli(['backup', '--database-url', 'file:broken.db', '--max-backups', '1'], {
      cwd: dir,
    });
    expect(run.status).toBe(2);
    expect(fs.readdirSync(path.join(dir, 'backups')).sort()).toEqual(before);
  });

  test('prune leaves backups whose database cannot be told alone, and says so', async () => {
    const dir = tempDir('prune');
    const pg = ['postgres_backup_20200101_000000.sql.gz', 'postgres_backup_20200102_000000.sql.gz'];
    seed(path.join(dir, 'backups'), [...OLD, ...FOREIGN, ...pg]);
    const before = fs.readdirSync(path.join(dir, 'backups')).sort();
    const dry = await cli(['prune', '--max-backups', '1', '--dry-run'], { cwd: dir });
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/Nothing to prune/);
    expect(dry.stdout).toMatch(
      /Left alone, no manifest says whose they are: .*sqlite_backup_20200101_000000\.db\.gz/,
    );
    const real = await cli(['prune', '--max-backups', '1', '--json'], { cwd: dir });
    expect(real.status, real.stderr).toBe(0);
    expect(JSON.parse(real.stdout).removed).toEqual([]);
    expect(fs.readdirSync(path.join(dir, 'backups')).sort()).toEqual(before);
  });

  test('prune with a URL touches only that kind', async () => {
    const dir = tempDir('prune-kind');
    const pg = ['postgres_backup_20200101_000000.sql.gz', 'postgres_backup_20200102_000000.sql.gz'];
    seed(path.join(dir, 'backups'), [...OLD, ...pg]);
    const run = await cli(['prune', '--max-backups', '1', '--database-url', 'file:app.db'], {
      cwd: dir,
    });
    expect(run.status, run.stderr).toBe(0);
    for (const name of pg) expect(fs.existsSync(path.join(dir, 'backups', name))).toBe(true);
  });

  test.each(['-1', 'ten', '1.5', ''])(
    'max-backups %j is refused with a clear error',
    async (value) => {
      const dir = tempDir('bad-max');
      const run = await cli(['prune', `--max-backups=${value}`], {
        cwd: dir,
        env: { MAX_BACKUPS: value === '' ? 'x' : '' },
      });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/max-backups must be a whole number, 0 or more/);
    },
  );
});

describe('list', () => {
  test('newest first, with size, age and checksum status; --json for scripts', async () => {
    const dir = tempDir('list');
    createSampleDatabase(path.join(dir, 'app.db'));
    seed(path.join(dir, 'backups'), ['sqlite_backup_20200101_000000.db.gz', 'notes.txt']);
    expect((await cli(['backup', '--database-url', 'file:app.db'], { cwd: dir })).status).toBe(0);
    expect((await cli(['backup', '--database-url', 'file:app.db'], { cwd: dir })).status).toBe(0);
    const names = fs
      .readdirSync(path.join(dir, 'backups'))
      .filter((n) => n.startsWith('sqlite_backup_2026') && n.endsWith('.gz'))
      .sort();
    // Damage the older of today's two backups.
    fs.appendFileSync(path.join(dir, 'backups', names[0]!), 'x');
    const text = await cli(['list'], { cwd: dir });
    expect(text.status).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+FORMAT\s+SIZE\s+AGE\s+CHECKSUM\s+VERIFIED$/);
    expect(lines[1]).toMatch(new RegExp(`^${names[1]}\\s+file, gzip\\s+\\d.*\\sok\\s+never$`));
    expect(lines[2]).toMatch(new RegExp(`^${names[0]}\\s+.*MISMATCH\\s+never$`));
    expect(lines[3]).toMatch(
      /^sqlite_backup_20200101_000000\.db\.gz\s+.*\s\d+d \d+h\s+no manifest\s+never$/,
    );
    expect(text.stdout).not.toMatch(/notes\.txt/);
    const json = JSON.parse((await cli(['list', '--json'], { cwd: dir })).stdout);
    expect(json.backups.map((b: { name: string }) => b.name)).toEqual([
      names[1],
      names[0],
      'sqlite_backup_20200101_000000.db.gz',
    ]);
    expect(json.backups[0]).toMatchObject({
      engine: 'sqlite',
      kind: 'backup',
      checksum: 'ok',
      encrypted: false,
      compression: 'gzip',
      format: null,
      tables: 3,
    });
    expect(json.backups[1].checksum).toBe('mismatch');
  });

  test('a manifest that is not valid is said so, not taken for a missing one', async () => {
    const dir = tempDir('list-bad-manifest');
    seed(path.join(dir, 'backups'), ['sqlite_backup_20200101_000000.db.gz']);
    fs.writeFileSync(
      path.join(dir, 'backups', 'sqlite_backup_20200101_000000.db.gz.json'),
      '{ not json',
    );
    const run = await cli(['list'], { cwd: dir });
    expect(run.stdout).toMatch(
      /sqlite_backup_20200101_000000\.db\.gz\s+.*INVALID MANIFEST\s+never$/m,
    );
  });

  test('an empty directory lists nothing', async () => {
    const dir = tempDir('list-empty');
    fs.mkdirSync(path.join(dir, 'backups'));
    const run = await cli(['list'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/No backups in/);
  });

  test('a missing (mistyped) directory is refused by list and prune, and named by latest and status; none of them makes it', async () => {
    const dir = tempDir('list-missing');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 2 });
    const missing = path.join(dir, 'backupz');
    const refused = (doing: string): string =>
      `db-backup: The backup directory ${missing} does not exist, so there is nothing to ${doing}: check backup-dir (BACKUP_DIR); the first backup makes it.`;
    const list = await cli(['list'], { cwd: dir, env: { BACKUP_DIR: missing } });
    expect([list.status, list.stdout, list.stderr]).toEqual([2, '', refused('list')]);
    const prune = await cli(['prune', '--backup-dir', missing, '--max-backups', '3'], { cwd: dir });
    expect([prune.status, prune.stdout, prune.stderr]).toEqual([2, '', refused('prune')]);
    const latest = await cli(['verify', 'latest', '--backup-dir', missing, '--quick'], {
      cwd: dir,
    });
    expect(latest.status).toBe(2);
    expect(latest.stderr).toContain(
      `in ${missing} to take as latest (no such directory; check backup-dir or BACKUP_DIR)`,
    );
    const status = await cli(['status', '--database-url', 'file:app.db', '--backup-dir', missing], {
      cwd: dir,
    });
    expect(status.status).toBe(1);
    expect(status.stdout).toMatch(
      new RegExp(
        `^NO BACKUP: .* at ${missing} \\(no such directory; check backup-dir or BACKUP_DIR\\)$`,
      ),
    );
    expect(fs.existsSync(missing)).toBe(false);
    // A link that leads nowhere is named as one; a file where the directory belongs, as a file.
    const link = path.join(dir, 'linked');
    fs.symlinkSync(path.join(dir, 'gone'), link);
    const viaLink = await cli(['prune', '--backup-dir', link, '--max-backups', '3'], { cwd: dir });
    expect([viaLink.status, viaLink.stderr]).toEqual([
      2,
      `db-backup: The backup directory ${link} is a symbolic link that leads nowhere, so there is nothing to prune: fix the link, or check backup-dir (BACKUP_DIR).`,
    ]);
    const linkStatus = await cli(
      ['status', '--database-url', 'file:app.db', '--backup-dir', link],
      { cwd: dir },
    );
    expect(linkStatus.stdout).toMatch(
      / \(a symbolic link that leads nowhere; fix it, or check backup-dir\)$/,
    );
    const file = path.join(dir, 'app.db');
    for (const command of [['list'], ['prune', '--max-backups', '3']]) {
      const run = await cli([...command, '--backup-dir', file], { cwd: dir });
      expect([run.status, run.stderr]).toEqual([
        2,
        `db-backup: The backup directory ${file} is a file, not a directory.`,
      ]);
    }
    // The first backup makes it, as the message says; then list answers.
    expect(
      (
        await cli(['backup', '--database-url', 'file:app.db', '--backup-dir', missing], {
          cwd: dir,
        })
      ).status,
    ).toBe(0);
    expect((await cli(['list', '--backup-dir', missing], { cwd: dir })).status).toBe(0);
  });
});
