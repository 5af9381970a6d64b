import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startArtifactStandin } from './support/artifact-standin.js';
import { startAzurite } from './support/azurite.js';
import { cli, sourceCli } from './support/cli.js';
import { startPostgres, type PgServer } from './support/postgres.js';
import { FAUXQS_CREDENTIALS, startS3Server, type S3TestServer } from './support/s3-server.js';
import { createSampleDatabase, dumpRows } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';
import { parseVerificationRecordName } from '../src/verification/verification-record.js';
import { BackupFilesGone, uploadBackup } from '../src/catalog/paired-upload.js';
import { createBackup } from '../src/commands/create-backup.js';
import { createEngine } from '../src/engines/index.js';
import { LocalStorage } from '../src/storage/local.js';
import type { UploadBody, Storage } from '../src/storage/storage.js';

// The S3 client in this process (the CLI run in-process) reads its credentials from here.
process.env.AWS_ACCESS_KEY_ID = FAUXQS_CREDENTIALS.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = FAUXQS_CREDENTIALS.secretAccessKey;
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_REGION = 'us-east-1';
delete process.env.AWS_PROFILE;
delete process.env.AWS_SESSION_TOKEN;

let s3: S3TestServer;
let pgServer: PgServer;

beforeAll(async () => {
  [s3, pgServer] = await Promise.all([startS3Server(['shared']), startPostgres()]);
  await pgServer.createDatabase(
    'shop',
    'CREATE TABLE items (id int PRIMARY KEY, label text); INSERT INTO items SELECT i, $$shop $$ || i FROM generate_series(1, 7) AS i;',
  );
  await pgServer.createDatabase(
    'crm',
    'CREATE TABLE contacts (id int PRIMARY KEY, who text); INSERT INTO contacts SELECT i, $$crm $$ || i FROM generate_series(1, 4) AS i;',
  );
}, 120_000);

afterAll(async () => {
  await s3?.stop();
  await pgServer?.stop();
});

const env = {
  PATH: process.env.PATH,
  AWS_ACCESS_KEY_ID: FAUXQS_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: FAUXQS_CREDENTIALS.secretAccessKey,
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_REGION: 'us-east-1',
};

let prefixes = 0;
function s3Flags(): string[] {
  prefixes += 1;
  return [
    '--s3-bucket',
    'shared',
    '--s3-prefix',
    `place-${prefixes}`,
    '--s3-endpoint',
    s3.endpoint,
    '--s3-force-path-style',
  ];
}

async function s3Names(flags: readonly string[]): Promise<string[]> {
  const prefix = flags[flags.indexOf('--s3-prefix') + 1]!;
  const listing = await s3.client.send(
    new ListObjectsV2Command({ Bucket: 'shared', Prefix: `${prefix}/` }),
  );
  return (listing.Contents ?? []).map((o) => o.Key!.slice(prefix.length + 1)).sort();
}

/** A day ago plus `minutes`: distinct, ordered times for backups made one after another. */
const base = Date.now() - 24 * 3_600_000;
const at = (minutes: number) => () => new Date(base + minutes * 60_000);

function backupsIn(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((n) =>
      /^(sqlite|postgres)_.*_\d{8}_\d{6}(_\d+)?\.(db|sql)(\.gz|\.zst)?(\.gpg)?$/.test(n),
    )
    .sort();
}

function manifestsIn(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort();
}

/** Every manifest has its backup and every backup its manifest; every verification record its backup. */
function expectPaired(names: readonly string[]): void {
  const set = new Set(names);
  for (const name of names) {
    const record = parseVerificationRecordName(name);
    if (record) expect(set.has(record.backup.name), `stray record ${name}`).toBe(true);
    else if (name.endsWith('.json'))
      expect(set.has(name.slice(0, -5)), `orphan ${name}`).toBe(true);
    else expect(set.has(`${name}.json`), `${name} has no manifest`).toBe(true);
  }
}

describe('the issue: two SQLite databases in one BACKUP_DIR with MAX_BACKUPS=1', () => {
  test("backing up the second keeps the first's backup, and restore latest restores each database's own data", async () => {
    const dir = tempDir('two-sqlite');
    createSampleDatabase(path.join(dir, 'first.db'), { rows: 5 });
    createSampleDatabase(path.join(dir, 'second.db'), { rows: 9 });
    const original = dumpRows(path.join(dir, 'first.db'));
    const run = (args: string[]) => cli(args, { cwd: dir, env: { MAX_BACKUPS: '1' } });
    expect((await run(['backup', '--database-url', 'file:first.db'])).status).toBe(0);
    const firstBackups = backupsIn(path.join(dir, 'backups'));
    expect(firstBackups).toHaveLength(1);
    expect((await run(['backup', '--database-url', 'file:second.db'])).status).toBe(0);
    // The first database's only backup is still there.
    expect(backupsIn(path.join(dir, 'backups'))).toEqual(expect.arrayContaining([firstBackups[0]]));
    expect(backupsIn(path.join(dir, 'backups'))).toHaveLength(2);
    // The first database is damaged; restore latest brings back its own data, not the second's.
    fs.rmSync(path.join(dir, 'first.db'));
    createSampleDatabase(path.join(dir, 'first.db'), { rows: 1 });
    const restore = await run(['restore', 'latest', '--database-url', 'file:first.db', '--yes']);
    expect(restore.status, restore.stderr).toBe(0);
    expect(restore.stdout).toContain(`Restored ${firstBackups[0]}`);
    expect(dumpRows(path.join(dir, 'first.db'))).toEqual(original);
  });
});

describe('several databases sharing one directory and one S3 prefix', () => {
  test('windows, latest, list and prune are per database; old backups are left alone', async () => {
    const dir = tempDir('shared-place');
    const flags = s3Flags();
    createSampleDatabase(path.join(dir, 'a.db'), { rows: 3 });
    createSampleDatabase(path.join(dir, 'b.db'), { rows: 8 });
    const backupsDir = path.join(dir, 'backups');
    fs.mkdirSync(backupsDir, { mode: 0o700 });
    // The old scripts' backup (no manifest): nobody's.
    fs.writeFileSync(path.join(backupsDir, 'sqlite_backup_20200101_000000.db.gz'), 'old');
    const databases = ['file:a.db', 'file:b.db', pgServer.url('shop'), pgServer.url('crm')];
    const made = new Map<string, string[]>();
    let minute = 0;
    for (let round = 0; round < 3; round += 1) {
      for (const url of databases) {
        minute += 1;
        const run = await cli(
          ['backup', '--database-url', url, '--storage', 'local,s3', '--json', ...flags],
          { cwd: dir, env: { ...env, MAX_BACKUPS: '2' }, now: at(minute) },
        );
        expect(run.status, run.stderr).toBe(0);
        const result = JSON.parse(run.stdout);
        expect(result.targets.map((t: { stored: boolean }) => t.stored)).toEqual([true, true]);
        made.set(url, [...(made.get(url) ?? []), result.name]);
      }
    }
    // Each database's window kept its own two newest, here and at S3; the old file stays.
    const expected = [...made.values()].flatMap((names) => names.slice(1)).sort();
    expect(backupsIn(backupsDir)).toEqual(
      [...expected, 'sqlite_backup_20200101_000000.db.gz'].sort(),
    );
    expect((await s3Names(flags)).filter((n) => !n.endsWith('.json'))).toEqual(expected);
    expectPaired(fs.readdirSync(backupsDir).filter((n) => !n.startsWith('sqlite_backup_2020')));
    expectPaired(await s3Names(flags));

    // list: one database's by default, every one with --all.
    for (const from of ['local', 's3']) {
      for (const url of databases) {
        const list = await cli(
          ['list', '--from', from, '--database-url', url, '--json', ...flags],
          { cwd: dir, env },
        );
        expect(list.status, list.stderr).toBe(0);
        expect(JSON.parse(list.stdout).backups.map((b: { name: string }) => b.name)).toEqual(
          made.get(url)!.slice(1).reverse(),
        );
      }
      const all = await cli(['list', '--from', from, '--all', ...flags], { cwd: dir, env });
      expect(all.status, all.stderr).toBe(0);
      expect(all.stdout.split('\n')[0]).toMatch(/^NAME\s+DATABASE\s+FORMAT\s+SIZE/);
      for (const name of expected) expect(all.stdout).toContain(name);
      expect(all.stdout).toMatch(/PostgreSQL 127\.0\.0\.1:\d+\/shop/);
    }

    // latest: each database's own, from either place.
    for (const url of databases) {
      const verify = await cli(
        ['verify', 'latest', '--quick', '--from', 's3', '--database-url', url, '--json', ...flags],
        { cwd: dir, env },
      );
      expect(verify.status, verify.stdout + verify.stderr).toBe(0);
      expect(JSON.parse(verify.stdout).name).toBe(made.get(url)!.at(-1));
    }

    // prune one database's window at S3: only its backups go.
    const prune = await cli(
      [
        'prune',
        '--from',
        's3',
        '--max-backups',
        '1',
        '--database-url',
        'file:a.db',
        '--json',
        ...flags,
      ],
      { cwd: dir, env },
    );
    expect(prune.status, prune.stderr).toBe(0);
    expect(JSON.parse(prune.stdout).removed).toEqual([made.get('file:a.db')![1]]);
    // prune without a database: each database's own window; the old file is left alone and said.
    const pruneAll = await cli(['prune', '--max-backups', '1', '--json'], { cwd: dir, env });
    expect(pruneAll.status, pruneAll.stderr).toBe(0);
    const outcome = JSON.parse(pruneAll.stdout);
    expect([...outcome.removed].sort()).toEqual(
      [...made.values()].map((names) => names[1]!).sort(),
    );
    expect(outcome.leftAlone).toEqual(['sqlite_backup_20200101_000000.db.gz']);
    expect(backupsIn(backupsDir)).toEqual(
      [
        ...[...made.values()].map((names) => names[2]!),
        'sqlite_backup_20200101_000000.db.gz',
      ].sort(),
    );
    expectPaired(fs.readdirSync(backupsDir).filter((n) => !n.startsWith('sqlite_backup_2020')));
  }, 120_000);

  test("cross-restore by explicit name says whose backup goes where; latest never takes another's", async () => {
    const dir = tempDir('cross');
    createSampleDatabase(path.join(dir, 'prod.db'), { rows: 6 });
    createSampleDatabase(path.join(dir, 'staging.db'), { rows: 2 });
    const prodRows = dumpRows(path.join(dir, 'prod.db'));
    const backup = await cli(['backup', '--database-url', 'file:prod.db', '--json'], { cwd: dir });
    expect(backup.status, backup.stderr).toBe(0);
    const name = JSON.parse(backup.stdout).name as string;
    // latest for staging: there is none of it, and prod's is not taken.
    const latest = await cli(['restore', 'latest', '--database-url', 'file:staging.db', '--yes'], {
      cwd: dir,
    });
    expect(latest.status).toBe(2);
    // It names prod's backups: the database may be the same under another path.
    expect(latest.stderr).toMatch(
      new RegExp(
        `No SQLite backup of SQLite /.*staging\\.db in .* to take as latest \\(it holds backups of other databases: SQLite /.*prod\\.db, whose newest is ${name.replace(/\./g, '\\.')}; if one is this database under another address, name its backup, or give both the same --name\\): name the backup to restore\\.`,
      ),
    );
    // Without --yes the refusal says what would happen.
    const refused = await cli(['restore', name, '--database-url', 'file:staging.db'], { cwd: dir });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(
      /it would overwrite "staging\.db" with a backup of SQLite \/.*prod\.db into SQLite \/.*staging\.db/,
    );
    const cross = await cli(['restore', name, '--database-url', 'file:staging.db', '--yes'], {
      cwd: dir,
    });
    expect(cross.status, cross.stderr).toBe(0);
    expect(cross.stdout).toMatch(
      new RegExp(`^Restored ${name}, a backup of SQLite /.*prod\\.db into SQLite /.*staging\\.db`),
    );
    expect(dumpRows(path.join(dir, 'staging.db'))).toEqual(prodRows);

    // PostgreSQL: shop's backup into crm_copy, by name.
    const pgBackup = await cli(['backup', '--database-url', pgServer.url('shop'), '--json'], {
      cwd: dir,
    });
    expect(pgBackup.status, pgBackup.stderr).toBe(0);
    const pgName = JSON.parse(pgBackup.stdout).name as string;
    const pgCross = await cli(
      [
        'restore',
        pgName,
        '--database-url',
        pgServer.url('shop_copy'),
        '--create-database',
        '--yes',
        '--json',
      ],
      { cwd: dir },
    );
    expect(pgCross.status, pgCross.stderr).toBe(0);
    expect(JSON.parse(pgCross.stdout).crossing).toMatch(
      /^backup of PostgreSQL 127\.0\.0\.1:\d+\/shop into PostgreSQL 127\.0\.0\.1:\d+\/shop_copy$/,
    );
    expect(await pgServer.query('shop_copy', 'SELECT count(*)::int AS n FROM items')).toEqual([
      { n: 7 },
    ]);
  }, 60_000);

  test('backups from before identities: counted only by the database their manifest names, never latest', async () => {
    const dir = tempDir('old-style');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 4 });
    createSampleDatabase(path.join(dir, 'other.db'), { rows: 4 });
    const backupsDir = path.join(dir, 'backups');
    const make = async (url: string, minute: number): Promise<string> => {
      const run = await cli(['backup', '--database-url', url, '--json'], {
        cwd: dir,
        now: at(minute),
      });
      expect(run.status, run.stderr).toBe(0);
      return JSON.parse(run.stdout).name as string;
    };
    // Two backups whose manifests are made old: without the identity.
    const oldApp = await make('file:app.db', 1);
    const oldOther = await make('file:other.db', 2);
    for (const name of [oldApp, oldOther]) {
      const file = path.join(backupsDir, `${name}.json`);
      const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
      delete manifest.identity;
      fs.writeFileSync(file, JSON.stringify(manifest));
    }
    // restore latest takes none of them: it says to name the file.
    const latest = await cli(['restore', 'latest', '--database-url', 'file:app.db', '--yes'], {
      cwd: dir,
    });
    expect(latest.status).toBe(2);
    expect(latest.stderr).toMatch(
      /1 there cannot be told apart from other databases' \(no manifest, or one older than database identities\): restore one by its name, such as sqlite_backup_\d{8}_\d{6}\.db\.gz \(the newest\)\): name the backup to restore\./,
    );
    // app's window (max 1) removes app's old backup, never other's.
    const run = await cli(['backup', '--database-url', 'file:app.db', '--json'], {
      cwd: dir,
      env: { MAX_BACKUPS: '1' },
      now: at(3),
    });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).pruned).toEqual([oldApp]);
    expect(fs.existsSync(path.join(backupsDir, oldOther))).toBe(true);
    // By name it restores as ever.
    const byName = await cli(
      ['restore', oldOther, '--database-url', 'file:restored.db', '--json'],
      { cwd: dir },
    );
    expect(byName.status, byName.stderr).toBe(0);
  }, 60_000);
});

describe('several databases sharing one repository under one artifact prefix', () => {
  test('windows, latest, list and prune are per database; other artifacts are left alone', async () => {
    const azurite = await startAzurite();
    const standin = await startArtifactStandin(azurite);
    // The artifact client reads the job's variables from this process's environment.
    const saved = { ...process.env };
    try {
      const token = 'ghs_catalog_shared_artifacts';
      standin.grant(token, { read: true, write: true });
      const repository = 'octo/shared-place';
      const dir = tempDir('shared-artifacts');
      createSampleDatabase(path.join(dir, 'a.db'), { rows: 3 });
      createSampleDatabase(path.join(dir, 'b.db'), { rows: 8 });
      // Not ours to touch: the old scripts' backup under the prefix (no manifest), another
      // prefix's backup, and another workflow's artifact.
      const others = [
        'shared-sqlite_backup_20200101_000000.db.gz',
        'other-sqlite_backup_20200101_000000.db.gz',
        'coverage-report',
      ];
      for (const name of others) await standin.addArtifact(repository, name, Buffer.from('old'));
      const flags = ['--artifact-prefix', 'shared-'];
      /** A run of the workflow: the job's variables, and the CLI's settings from the environment. */
      const inRun = (): NodeJS.ProcessEnv => {
        Object.assign(process.env, standin.startRun(repository).env);
        return {
          PATH: process.env.PATH,
          GITHUB_TOKEN: token,
          GITHUB_REPOSITORY: repository,
          GITHUB_API_URL: standin.url,
        };
      };
      const artifactNames = () =>
        standin
          .artifacts(repository)
          .map((a) => a.name)
          .sort();
      const ours = (names: readonly string[]) =>
        names
          .filter((n) => n.startsWith('shared-') && !others.includes(n))
          .map((n) => n.slice('shared-'.length));

      const databases = ['file:a.db', 'file:b.db', pgServer.url('shop'), pgServer.url('crm')];
      const made = new Map<string, string[]>();
      let minute = 100;
      for (let round = 0; round < 3; round += 1) {
        for (const url of databases) {
          minute += 1;
          const run = await cli(
            ['backup', '--database-url', url, '--storage', 'artifact', '--json', ...flags],
            { cwd: dir, env: { ...inRun(), MAX_BACKUPS: '2' }, now: at(minute) },
          );
          expect(run.status, run.stderr).toBe(0);
          const result = JSON.parse(run.stdout);
          expect(result.targets.map((t: { stored: boolean }) => t.stored)).toEqual([true]);
          made.set(url, [...(made.get(url) ?? []), result.name]);
        }
      }
      // Each database's window kept its own two newest; the others' artifacts are all there.
      const expected = [...made.values()].flatMap((names) => names.slice(1)).sort();
      expect(ours(artifactNames()).filter((n) => !n.endsWith('.json'))).toEqual(expected);
      expectPaired(ours(artifactNames()));
      for (const name of others) expect(artifactNames()).toContain(name);

      // list: one database's by default, every one with --all.
      for (const url of databases) {
        const list = await cli(
          ['list', '--from', 'artifact', '--database-url', url, '--json', ...flags],
          { cwd: dir, env: inRun() },
        );
        expect(list.status, list.stderr).toBe(0);
        expect(JSON.parse(list.stdout).backups.map((b: { name: string }) => b.name)).toEqual(
          made.get(url)!.slice(1).reverse(),
        );
      }
      const all = await cli(['list', '--from', 'artifact', '--all', ...flags], {
        cwd: dir,
        env: inRun(),
      });
      expect(all.status, all.stderr).toBe(0);
      expect(all.stdout.split('\n')[0]).toMatch(/^NAME\s+DATABASE\s+FORMAT\s+SIZE/);
      for (const name of expected) expect(all.stdout).toContain(name);
      expect(all.stdout).not.toContain('other-sqlite_backup');

      // latest: each database's own.
      for (const url of databases) {
        const verify = await cli(
          [
            'verify',
            'latest',
            '--quick',
            '--from',
            'artifact',
            '--database-url',
            url,
            '--json',
            ...flags,
          ],
          { cwd: dir, env: inRun() },
        );
        expect(verify.status, verify.stdout + verify.stderr).toBe(0);
        expect(JSON.parse(verify.stdout).name).toBe(made.get(url)!.at(-1));
      }

      // prune one database's window: only its backups go; then every database's own window.
      const prune = await cli(
        [
          'prune',
          '--from',
          'artifact',
          '--max-backups',
          '1',
          '--database-url',
          pgServer.url('shop'),
          '--json',
          ...flags,
        ],
        { cwd: dir, env: inRun() },
      );
      expect(prune.status, prune.stderr).toBe(0);
      expect(JSON.parse(prune.stdout).removed).toEqual([made.get(pgServer.url('shop'))![1]]);
      const pruneAll = await cli(
        ['prune', '--from', 'artifact', '--max-backups', '1', '--json', ...flags],
        { cwd: dir, env: inRun() },
      );
      expect(pruneAll.status, pruneAll.stderr).toBe(0);
      const outcome = JSON.parse(pruneAll.stdout);
      expect([...outcome.removed].sort()).toEqual(
        [...made.entries()]
          .filter(([url]) => url !== pgServer.url('shop'))
          .map(([, names]) => names[1]!)
          .sort(),
      );
      expect(outcome.leftAlone).toEqual(['sqlite_backup_20200101_000000.db.gz']);
      expect(ours(artifactNames()).filter((n) => !n.endsWith('.json'))).toEqual(
        [...made.values()].map((names) => names[2]!).sort(),
      );
      expectPaired(ours(artifactNames()));
      for (const name of others) expect(artifactNames()).toContain(name);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
      await standin.close();
      await azurite.stop();
    }
  }, 240_000);
});

describe('names', () => {
  test('--name puts the name in the file name; latest by name survives a moved database', async () => {
    const dir = tempDir('named');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 5 });
    const made = await cli(['backup', '--database-url', 'file:app.db', '--name', 'app', '--json'], {
      cwd: dir,
    });
    expect(made.status, made.stderr).toBe(0);
    const result = JSON.parse(made.stdout);
    expect(result.name).toMatch(/^sqlite_app_backup_\d{8}_\d{6}\.db\.gz$/);
    expect(result.manifest.identity).toEqual({
      engine: 'sqlite',
      database: fs.realpathSync(path.join(dir, 'app.db')),
      name: 'app',
    });
    // A new machine, a new path: without the name, latest finds nothing; with it, its backups.
    fs.mkdirSync(path.join(dir, 'moved'), { recursive: true });
    const unnamed = await cli(['restore', 'latest', '--database-url', 'file:moved/app.db'], {
      cwd: dir,
    });
    expect(unnamed.status).toBe(2);
    const again = await cli(
      ['restore', 'latest', '--database-url', 'file:moved/app.db', '--json'],
      { cwd: dir, env: { BACKUP_NAME: 'app' } },
    );
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).crossing).toBeUndefined();
    expect(dumpRows(path.join(dir, 'moved', 'app.db'))).toEqual(dumpRows(path.join(dir, 'app.db')));
  });

  test.each(['list', 'prune', 'status', 'verify'])(
    '%s --name without the database it names is refused',
    async (command) => {
      const dir = tempDir('name-alone');
      const run = await cli([command, '--name', 'app'], { cwd: dir });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/--name \(BACKUP_NAME\) goes with the database it names/);
    },
  );

  test.each(['with_underscore', 'a.b', 'backup', '-x', 'x'.repeat(64), 'two words'])(
    'the name %j is refused before anything is written',
    async (name) => {
      const dir = tempDir('bad-name');
      createSampleDatabase(path.join(dir, 'app.db'), { rows: 1 });
      const run = await cli(['backup', '--database-url', 'file:app.db', `--name=${name}`], {
        cwd: dir,
      });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/name ".*" cannot be used: /);
      expect(fs.existsSync(path.join(dir, 'backups'))).toBe(false);
    },
  );
});

describe('future-dated backups', () => {
  test('are reported by list and status and never taken as latest', async () => {
    const dir = tempDir('future');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 5 });
    const past = await cli(['backup', '--database-url', 'file:app.db', '--json'], {
      cwd: dir,
      now: at(0),
    });
    expect(past.status).toBe(0);
    const ahead = await cli(['backup', '--database-url', 'file:app.db', '--json'], {
      cwd: dir,
      now: () => new Date(Date.now() + 3 * 3_600_000),
    });
    expect(ahead.status).toBe(0);
    const futureName = JSON.parse(ahead.stdout).name as string;
    const list = await cli(['list', '--database-url', 'file:app.db'], { cwd: dir });
    expect(list.stdout).toMatch(
      new RegExp(`^${futureName}\\s+file, gzip\\s+\\S+ \\S+\\s+FUTURE`, 'm'),
    );
    expect(list.stdout).toMatch(
      /warning: .* ahead of this clock: a clock is wrong; it is never taken as latest\./,
    );
    const verify = await cli(
      ['verify', 'latest', '--quick', '--database-url', 'file:app.db', '--json'],
      { cwd: dir },
    );
    expect(JSON.parse(verify.stdout).name).toBe(JSON.parse(past.stdout).name);
    const status = await cli(['status', '--database-url', 'file:app.db', '--json'], { cwd: dir });
    expect(JSON.parse(status.stdout).future).toEqual([futureName]);
  });
});

describe('orphan manifests and the lock', () => {
  test("a name a peer's window removed here is not given again in the same second (it may still be at a remote target)", async () => {
    const dir = tempDir('names-once');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 2 });
    const backupsDir = path.join(dir, 'backups');
    const backup = () =>
      cli(['backup', '--database-url', 'file:app.db', '--json'], { cwd: dir, now: at(7) });
    const first = JSON.parse((await backup()).stdout).name as string;
    // What a concurrent run's window does to it, here only.
    fs.rmSync(path.join(backupsDir, first));
    fs.rmSync(path.join(backupsDir, `${first}.json`));
    const second = JSON.parse((await backup()).stdout).name as string;
    expect(second).toBe(first.replace(/\.db\.gz$/, '_1.db.gz'));
  });

  test("prune removes orphan manifests of this database's and nothing else", async () => {
    const dir = tempDir('orphans');
    createSampleDatabase(path.join(dir, 'a.db'), { rows: 2 });
    createSampleDatabase(path.join(dir, 'b.db'), { rows: 2 });
    const backupsDir = path.join(dir, 'backups');
    const names: string[] = [];
    for (const [i, url] of ['file:a.db', 'file:b.db'].entries()) {
      const run = await cli(['backup', '--database-url', url, '--json'], { cwd: dir, now: at(i) });
      names.push(JSON.parse(run.stdout).name as string);
    }
    for (const name of names) fs.rmSync(path.join(backupsDir, name));
    fs.writeFileSync(path.join(backupsDir, 'sqlite_backup_20200101_000000.db.gz.json'), '{oops');
    fs.writeFileSync(path.join(backupsDir, 'settings.json'), '{}');
    const prune = await cli(['prune', '--database-url', 'file:a.db', '--json'], { cwd: dir });
    expect(prune.status, prune.stderr).toBe(0);
    expect(JSON.parse(prune.stdout).orphanManifests).toEqual([`${names[0]}.json`]);
    expect(manifestsIn(backupsDir)).toEqual(
      [`${names[1]}.json`, 'settings.json', 'sqlite_backup_20200101_000000.db.gz.json'].sort(),
    );
  });

  test('a lock left by a process that is gone is taken over', async () => {
    const dir = tempDir('stale-lock');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 2 });
    const backupsDir = path.join(dir, 'backups');
    fs.mkdirSync(backupsDir, { mode: 0o700 });
    // A pid that no longer runs: a shell that printed its own pid and exited.
    const dead = Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());
    fs.writeFileSync(
      path.join(backupsDir, '.db-backup.lock'),
      JSON.stringify({ pid: dead, host: os.hostname(), time: new Date().toISOString() }),
    );
    const run = await cli(['backup', '--database-url', 'file:app.db'], { cwd: dir });
    expect(run.status, run.stderr).toBe(0);
    expect(fs.existsSync(path.join(backupsDir, '.db-backup.lock'))).toBe(false);
  });
});

test('a backup waits while a live process holds the lock, and goes on once it is gone', async () => {
  const dir = tempDir('held-lock');
  createSampleDatabase(path.join(dir, 'app.db'), { rows: 2 });
  const backupsDir = path.join(dir, 'backups');
  fs.mkdirSync(backupsDir, { mode: 0o700 });
  const holder = spawn('sleep', ['600'], { stdio: 'ignore' });
  const lock = path.join(backupsDir, '.db-backup.lock');
  fs.writeFileSync(
    lock,
    JSON.stringify({ pid: holder.pid, host: os.hostname(), time: new Date().toISOString() }),
  );
  let finished = false;
  const running = sourceCli(['backup', '--database-url', 'file:app.db', '--json'], {
    cwd: dir,
  }).finally(() => (finished = true));
  // Its dump is being written beside the backups, but it takes no name while the lock is held.
  while (!finished && !fs.readdirSync(backupsDir).some((n) => n.startsWith('.db-backup-tmp-')))
    await sleep(20);
  expect(finished).toBe(false);
  expect(backupsIn(backupsDir)).toEqual([]);
  holder.kill('SIGKILL');
  await once(holder, 'exit');
  const run = await running;
  expect(run.status, run.stderr).toBe(0);
  expect(backupsIn(backupsDir)).toEqual([JSON.parse(run.stdout).name]);
  expect(fs.existsSync(lock)).toBe(false);
});

describe('a peer window removes the backup while it is being stored elsewhere', () => {
  async function stagedBackup(name: string) {
    const dir = tempDir(name);
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 20 });
    const engine = await createEngine(
      { engine: 'sqlite', path: path.join(dir, 'app.db') },
      { log: { info: () => undefined, warn: () => undefined } },
    );
    const backup = await createBackup(engine, path.join(dir, 'backups'), {
      kind: 'backup',
      compression: { algorithm: 'gzip', level: 6 },
    });
    fs.mkdirSync(path.join(dir, 'remote'));
    return { dir, backup, remote: new LocalStorage(path.join(dir, 'remote')) };
  }

  test('removed after the upload began: both files still arrive whole, from what was opened', async () => {
    const { dir, backup, remote } = await stagedBackup('gone-during');
    const original = fs.readFileSync(backup.file);
    const manifest = fs.readFileSync(backup.manifestFile);
    // The window of a peer runs between the backup's upload and its manifest's.
    const racing: Storage = Object.assign(Object.create(remote) as Storage, {
      put: async (name: string, body: UploadBody) => {
        const receipt = await remote.put(name, body);
        fs.rmSync(backup.file, { force: true });
        fs.rmSync(backup.manifestFile, { force: true });
        return receipt;
      },
    });
    await uploadBackup(racing, backup);
    expect(fs.readFileSync(path.join(dir, 'remote', backup.name))).toEqual(original);
    expect(fs.readFileSync(path.join(dir, 'remote', `${backup.name}.json`))).toEqual(manifest);
  });

  test('removed before it began: nothing is sent, and the error says the files are gone', async () => {
    const { dir, backup, remote } = await stagedBackup('gone-before');
    fs.rmSync(backup.manifestFile);
    await expect(uploadBackup(remote, backup)).rejects.toBeInstanceOf(BackupFilesGone);
    expect(fs.readdirSync(path.join(dir, 'remote'))).toEqual([]);
  });
});

describe('concurrent backups into one directory and one S3 prefix', () => {
  test('5 at once, 3 rounds: none lost, no orphan, every reported backup is there', async () => {
    const dir = tempDir('concurrent');
    createSampleDatabase(path.join(dir, 'a.db'), { rows: 20 });
    createSampleDatabase(path.join(dir, 'b.db'), { rows: 20 });
    const flags = s3Flags();
    const backupsDir = path.join(dir, 'backups');
    const reported: string[] = [];
    for (let round = 0; round < 3; round += 1) {
      const runs = await Promise.all(
        ['a', 'b', 'a', 'b', 'a'].map((db) =>
          sourceCli(
            [
              'backup',
              '--database-url',
              `file:${db}.db`,
              '--storage',
              'local,s3',
              '--json',
              ...flags,
            ],
            { cwd: dir, env: { ...env, MAX_BACKUPS: '0' } },
          ),
        ),
      );
      for (const run of runs) {
        expect(run.status, run.stderr).toBe(0);
        const result = JSON.parse(run.stdout);
        expect(result.targets.map((t: { stored: boolean }) => t.stored)).toEqual([true, true]);
        expect(fs.existsSync(result.file)).toBe(true);
        reported.push(result.name);
      }
    }
    expect(new Set(reported).size).toBe(15);
    expect(backupsIn(backupsDir)).toEqual([...reported].sort());
    expectPaired(fs.readdirSync(backupsDir));
    expect((await s3Names(flags)).filter((n) => !n.endsWith('.json'))).toEqual(
      [...reported].sort(),
    );
    expectPaired(await s3Names(flags));
    // Now with a window of 2: peers prune each other, never leaving an orphan or a lone backup.
    const windowed = await Promise.all(
      ['a', 'b', 'a', 'b', 'a'].map((db) =>
        sourceCli(
          [
            'backup',
            '--database-url',
            `file:${db}.db`,
            '--storage',
            'local,s3',
            '--json',
            ...flags,
          ],
          { cwd: dir, env: { ...env, MAX_BACKUPS: '2' } },
        ),
      ),
    );
    for (const run of windowed) {
      expect(run.status, run.stderr).toBe(0);
      // Stored, or removed by a peer's window for a newer backup of its database: never both.
      for (const target of JSON.parse(run.stdout).targets)
        expect(target.stored || target.superseded).toBe(true);
    }
    expectPaired(fs.readdirSync(backupsDir));
    expectPaired(await s3Names(flags));
    for (const db of ['a', 'b']) {
      const list = await cli(['list', '--database-url', `file:${db}.db`, '--json'], {
        cwd: dir,
        env,
      });
      const count = JSON.parse(list.stdout).backups.length;
      expect(count).toBeGreaterThanOrEqual(2);
      expect(count).toBeLessThanOrEqual(3);
    }
    expect(fs.existsSync(path.join(backupsDir, '.db-backup.lock'))).toBe(false);
  }, 300_000);
});

describe('latest with no backup of this database among many', () => {
  test('the other database named as this one (the same file at another path) is named first, even among six others', async () => {
    const dir = tempDir('latest-many');
    const backups = path.join(dir, 'backups');
    fs.mkdirSync(path.join(dir, 'old'));
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f', 'old/app']) {
      createSampleDatabase(path.join(dir, `${name}.db`), { rows: 1 });
      const made = await cli(
        ['backup', '--database-url', `file:${name}.db`, '--backup-dir', backups],
        { cwd: dir },
      );
      expect(made.status, made.stderr).toBe(0);
    }
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 1 });
    const run = await cli(
      ['restore', 'latest', '--database-url', 'file:app.db', '--backup-dir', backups, '--yes'],
      { cwd: dir },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /it holds backups of other databases: SQLite \/\S*\/old\/app\.db, whose newest is sqlite_backup_/,
    );
    expect(run.stderr).toContain(', and 2 more;');
  });
});
