import fs from 'node:fs';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cli } from './support/cli.js';
import { SAMPLE_SCHEMA, snapshotRows, startPostgres, type PgServer } from './support/postgres.js';
import { FAUXQS_CREDENTIALS, startS3Server, type S3TestServer } from './support/s3-server.js';
import { createSampleDatabase, dumpRows } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

let s3: S3TestServer;
let pgServer: PgServer;

beforeAll(async () => {
  s3 = await startS3Server(['backups']);
  pgServer = await startPostgres();
  await pgServer.createDatabase('app', SAMPLE_SCHEMA);
  // The AWS SDK's default chain reads these, as it reads what configure-aws-credentials sets.
  process.env.AWS_ACCESS_KEY_ID = FAUXQS_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = FAUXQS_CREDENTIALS.secretAccessKey;
  process.env.AWS_REGION = 'us-east-1';
});

afterAll(async () => {
  await s3?.stop();
  await pgServer?.stop();
});

let prefixes = 0;
function s3Flags(prefix?: string): string[] {
  prefixes += 1;
  return [
    '--s3-bucket',
    'backups',
    '--s3-prefix',
    prefix ?? `run-${prefixes}/app`,
    '--s3-endpoint',
    s3.endpoint,
    '--s3-force-path-style',
  ];
}

async function s3Keys(prefix: string): Promise<string[]> {
  const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const listing = await s3.client.send(
    new ListObjectsV2Command({ Bucket: 'backups', Prefix: prefix }),
  );
  return (listing.Contents ?? []).map((object) => object.Key!).sort();
}

const env = { PATH: process.env.PATH };

describe('storage targets end to end', () => {
  test('local,s3 with a rolling window; restore latest from S3 into a fresh SQLite file', async () => {
    const dir = tempDir('targets-sqlite');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 60 });
    const flags = s3Flags('nightly/app');
    await s3.client.send(
      new PutObjectCommand({
        Bucket: 'backups',
        Key: 'nightly/other/sqlite_backup_20200101_000000.db.gz',
        Body: 'other prefix',
      }),
    );
    await s3.client.send(
      new PutObjectCommand({ Bucket: 'backups', Key: 'nightly/app/notes.txt', Body: 'not ours' }),
    );
    const names: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const run = await cli(
        [
          'backup',
          '--database-url',
          'file:app.db',
          '--name',
          'app',
          '--storage',
          'local,s3',
          '--max-backups',
          '2',
          '--json',
          ...flags,
        ],
        { cwd: dir, env },
      );
      expect(run.status, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout);
      expect(
        result.targets.map((t: { target: string; stored: boolean }) => [t.target, t.stored]),
      ).toEqual([
        ['local', true],
        ['s3', true],
      ]);
      names.push(result.name);
      await new Promise((resolve) => setTimeout(resolve, 1100));
    }
    expect(await s3Keys('nightly/')).toEqual(
      [
        'nightly/app/notes.txt',
        'nightly/other/sqlite_backup_20200101_000000.db.gz',
        ...names.slice(1).flatMap((n) => [`nightly/app/${n}`, `nightly/app/${n}.json`]),
      ].sort(),
    );
    const list = await cli(['list', '--from', 's3', '--json', ...flags], { cwd: dir, env });
    expect(list.status, list.stderr).toBe(0);
    expect(
      JSON.parse(list.stdout).backups.map(
        (b: { name: string; checksum: string; tables: number }) => [b.name, b.checksum, b.tables],
      ),
    ).toEqual([
      [names[2], 'unchecked', 3],
      [names[1], 'unchecked', 3],
    ]);
    const verify = await cli(['verify', 'latest', '--from', 's3', ...flags], { cwd: dir, env });
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    fs.rmSync(path.join(dir, 'backups'), { recursive: true });
    // Another file: latest of the same --name (without it, latest takes no other database's backup).
    const refused = await cli(
      ['restore', 'latest', '--from', 's3', '--database-url', 'file:fresh.db', ...flags],
      { cwd: dir, env },
    );
    expect(refused.status).toBe(2);
    const restore = await cli(
      [
        'restore',
        'latest',
        '--from',
        's3',
        '--database-url',
        'file:fresh.db',
        '--name',
        'app',
        ...flags,
      ],
      { cwd: dir, env },
    );
    expect(restore.status, restore.stderr).toBe(0);
    expect(dumpRows(path.join(dir, 'fresh.db'))).toEqual(dumpRows(path.join(dir, 'app.db')));
  });

  test('PostgreSQL to local,s3, prune, restore latest from S3 into a fresh database: row counts equal', async () => {
    const dir = tempDir('targets-pg');
    const flags = s3Flags();
    for (let i = 0; i < 2; i += 1) {
      const run = await cli(
        [
          'backup',
          '--database-url',
          pgServer.url('app'),
          '--name',
          'app',
          '--storage',
          'local,s3',
          ...flags,
        ],
        { cwd: dir, env },
      );
      expect(run.status, run.stderr).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 1100));
    }
    const prune = await cli(['prune', '--from', 's3', '--max-backups', '1', '--json', ...flags], {
      cwd: dir,
      env,
    });
    expect(prune.status, prune.stderr).toBe(0);
    expect(JSON.parse(prune.stdout).removed).toHaveLength(1);
    const restore = await cli(
      [
        'restore',
        'latest',
        '--from',
        's3',
        '--database-url',
        pgServer.url('from_s3'),
        '--name',
        'app',
        '--create-database',
        '--json',
        ...flags,
      ],
      { cwd: dir, env },
    );
    expect(restore.status, restore.stderr).toBe(0);
    const manifest = JSON.parse(
      fs.readFileSync(
        path.join(
          dir,
          'backups',
          fs
            .readdirSync(path.join(dir, 'backups'))
            .filter((n) => n.endsWith('.json'))
            .sort()
            .at(-1)!,
        ),
        'utf8',
      ),
    );
    expect(JSON.parse(restore.stdout).info.tables).toEqual(manifest.tables);
    expect(await snapshotRows(pgServer, 'from_s3')).toEqual(await snapshotRows(pgServer, 'app'));
  });

  test('a restore from a remote target keeps its safety backup there too', async () => {
    const dir = tempDir('targets-safety');
    const prefix = `safety-${Date.now()}`;
    const flags = s3Flags(prefix);
    const made = await cli(
      ['backup', '--database-url', pgServer.url('app'), '--storage', 's3', '--json', ...flags],
      { cwd: dir, env },
    );
    expect(made.status).toBe(0);
    await pgServer.createDatabase(
      'safety_target',
      'CREATE TABLE precious (x int); INSERT INTO precious VALUES (42);',
    );
    const run = await cli(
      [
        'restore',
        // Another database's backup: by its name.
        JSON.parse(made.stdout).name,
        '--from',
        's3',
        '--database-url',
        pgServer.url('safety_target'),
        '--yes',
        '--json',
        ...flags,
      ],
      { cwd: dir, env },
    );
    expect(run.status, run.stderr).toBe(0);
    const keys = await s3Keys(`${prefix}/`);
    const safety = keys.filter((key) =>
      /\/postgres_before-restore_\d{8}_\d{6}\.sql\.gz(\.json)?$/.test(key),
    );
    expect(safety).toHaveLength(2);
    expect(JSON.parse(run.stdout).previousCopy).toContain('postgres_before-restore_');
    // The safety backup restores the data the restore replaced.
    const name = safety
      .find((key) => key.endsWith('.gz'))!
      .split('/')
      .pop()!;
    const back = await cli(
      [
        'restore',
        name,
        '--from',
        's3',
        '--database-url',
        pgServer.url('safety_check'),
        '--create-database',
        ...flags,
      ],
      { cwd: dir, env },
    );
    expect(back.status, back.stderr).toBe(0);
    expect(await pgServer.query('safety_check', 'SELECT x FROM precious')).toEqual([{ x: 42 }]);
  });

  test('a failing target does not stop the others, fails the job, and the summary says who has what', async () => {
    const dir = tempDir('targets-fail');
    createSampleDatabase(path.join(dir, 'app.db'));
    const run = await cli(
      [
        'backup',
        '--database-url',
        'file:app.db',
        '--storage',
        's3,local',
        '--json',
        '--s3-bucket',
        'no-such-bucket',
        '--s3-endpoint',
        s3.endpoint,
        '--s3-force-path-style',
      ],
      { cwd: dir, env },
    );
    expect(run.status).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(
      result.targets.map((t: { target: string; stored: boolean }) => [t.target, t.stored]),
    ).toEqual([
      ['s3', false],
      ['local', true],
    ]);
    const errors = run.stderr.split('\n').filter((line) => line.startsWith('db-backup:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/not stored at s3/);
    expect(fs.existsSync(path.join(dir, 'backups', result.name))).toBe(true);
  });

  test('without local, the staged copy goes once the targets hold it, and stays when one fails', async () => {
    const dir = tempDir('targets-staging');
    createSampleDatabase(path.join(dir, 'app.db'));
    const ok = await cli(
      ['backup', '--database-url', 'file:app.db', '--storage', 's3', '--json', ...s3Flags()],
      { cwd: dir, env },
    );
    expect(ok.status, ok.stderr).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'backups'))).toEqual([]);
    const failed = await cli(
      [
        'backup',
        '--database-url',
        'file:app.db',
        '--storage',
        's3',
        '--json',
        '--s3-bucket',
        'no-such-bucket',
        '--s3-endpoint',
        s3.endpoint,
        '--s3-force-path-style',
      ],
      { cwd: dir, env },
    );
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/stays in/);
    expect(
      fs.readdirSync(path.join(dir, 'backups')).filter((n) => n.endsWith('.db.gz')),
    ).toHaveLength(1);
  });

  test('a backup damaged at the target is refused before anything changes', async () => {
    const dir = tempDir('targets-damaged');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 10 });
    const prefix = `damaged-${Date.now()}`;
    const flags = s3Flags(prefix);
    const run = await cli(
      ['backup', '--database-url', 'file:app.db', '--storage', 's3', '--json', ...flags],
      { cwd: dir, env },
    );
    expect(run.status, run.stderr).toBe(0);
    const name = JSON.parse(run.stdout).name as string;
    const stored = s3.objectFile('backups', `${prefix}/${name}`);
    const bytes = fs.readFileSync(stored);
    bytes[100] = (bytes[100] ?? 0) ^ 0xff;
    fs.writeFileSync(stored, bytes);
    const before = fs.readFileSync(path.join(dir, 'app.db'));
    const restore = await cli(
      ['restore', 'latest', '--from', 's3', '--database-url', 'file:app.db', '--yes', ...flags],
      { cwd: dir, env },
    );
    expect(restore.status).toBe(2);
    expect(restore.stderr).toMatch(/damaged|does not match|checksum/i);
    expect(fs.readFileSync(path.join(dir, 'app.db'))).toEqual(before);
  });

  test('a target without its settings is a clear error before anything is dumped', async () => {
    const dir = tempDir('targets-settings');
    createSampleDatabase(path.join(dir, 'app.db'));
    const run = await cli(['backup', '--database-url', 'file:app.db', '--storage', 'local,s3'], {
      cwd: dir,
      env,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/The s3 target needs s3-bucket/);
    const unknown = await cli(
      ['backup', '--database-url', 'file:app.db', '--storage', 'local,dropbox'],
      { cwd: dir, env },
    );
    expect(unknown.stderr).toMatch(
      /unknown storage target "dropbox": use local, artifact, s3, gcs, azure/,
    );
    expect(fs.existsSync(path.join(dir, 'backups'))).toBe(false);
  });
});
