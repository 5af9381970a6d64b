import fs from 'node:fs';
import path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bundledCli, cli } from './support/cli.js';
import { FAUXQS_CREDENTIALS, startS3Server, type S3TestServer } from './support/s3-server.js';
import { createSampleDatabase } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

const T0 = Date.UTC(2026, 10, 1, 2, 0, 0);
const H = 3_600_000;
const D = 24 * H;
const at = (ms: number) => () => new Date(T0 + ms);
const FIRST = 'sqlite_backup_20261101_020000.db.gz';

function project(): string {
  const dir = tempDir('status');
  createSampleDatabase(path.join(dir, 'app.db'), { rows: 12 });
  return dir;
}

function backupFiles(dir: string): string[] {
  return fs.readdirSync(path.join(dir, 'backups')).sort();
}

describe('db-backup status against the backup directory', () => {
  test('fresh, stale, never verified, verified, verified long ago, failed: exit 0 or 1 with one line', async () => {
    const dir = project();
    const run = (args: string[], ms: number) => cli(args, { cwd: dir, now: at(ms) });
    expect((await run(['backup', '--database-url', 'file:app.db'], 0)).status).toBe(0);
    expect(backupFiles(dir)).toEqual([FIRST, `${FIRST}.json`]);
    const location = path.join(dir, 'backups');

    const fresh = await run(['status'], 3 * H);
    expect(fresh.status, fresh.stderr).toBe(0);
    expect(fresh.stdout).toBe(`OK: newest backup ${FIRST} is 3h old (max 26h) at ${location}`);

    const stale = await run(['status'], 2 * D);
    expect(stale.status).toBe(1);
    expect(stale.stdout).toBe(
      `STALE: the newest backup, ${FIRST}, is 2d old (more than 26h) at ${location}`,
    );
    expect(stale.stderr).toBe(`db-backup: ${stale.stdout}`);
    expect((await run(['status', '--max-age', '3d'], 2 * D)).status).toBe(0);

    const never = await run(['status', '--verified-within', '35d'], 3 * H);
    expect(never.status).toBe(1);
    expect(never.stdout).toMatch(
      /^UNVERIFIED: no backup held here has passed a test restore \(db-backup verify\) at /,
    );

    const verify = await run(['verify', 'latest'], 4 * H);
    expect(verify.status, verify.stderr).toBe(0);
    const record = `${FIRST}.verified_20261101_060000.json`;
    expect(verify.stdout).toContain(`recorded as ${record}`);
    expect(backupFiles(dir)).toEqual([FIRST, `${FIRST}.json`, record]);
    const content = JSON.parse(fs.readFileSync(path.join(location, record), 'utf8'));
    const manifest = JSON.parse(fs.readFileSync(path.join(location, `${FIRST}.json`), 'utf8'));
    expect(content).toEqual({
      formatVersion: 1,
      kind: 'verification',
      tool: manifest.tool,
      backup: FIRST,
      sha256: manifest.file.sha256,
      verifiedAt: '2026-11-01T06:00:00.000Z',
      level: 'full',
      verified: true,
      tables: 3,
      rows: 25,
      problems: [],
    });
    expect(fs.statSync(path.join(location, record)).mode & 0o777).toBe(0o600);
    // The manifest, whose sha256 is the contract, is untouched.
    expect(fs.readFileSync(path.join(location, `${FIRST}.json`), 'utf8')).toBe(
      `${JSON.stringify(manifest, null, 2)}\n`,
    );

    const verified = await run(['status', '--verified-within', '35d'], 5 * H);
    expect(verified.status).toBe(0);
    expect(verified.stdout).toBe(
      `OK: newest backup ${FIRST} is 5h old (max 26h); last passed test restore 1h ago (max 35d) at ${location}`,
    );

    const longAgo = await run(['status', '--max-age', '60d', '--verified-within', '35d'], 40 * D);
    expect(longAgo.status).toBe(1);
    expect(longAgo.stdout).toMatch(
      new RegExp(
        `^UNVERIFIED: the newest passed test restore, of ${FIRST.replace(/\./g, '\\.')}, was 39d 20h ago \\(more than 35d\\)`,
      ),
    );

    // A quick check is recorded, but is no test restore.
    expect((await run(['verify', '--quick'], 6 * H)).status).toBe(0);
    expect(backupFiles(dir)).toContain(`${FIRST}.quick-checked_20261101_080000.json`);

    const list = await run(['list'], 7 * H);
    expect(list.stdout.split('\n')[1]).toMatch(
      new RegExp(`^${FIRST.replace(/\./g, '\\.')}\\s.*\\sok\\s+quick, 1h 0m ago$`),
    );
    const listed = JSON.parse((await run(['list', '--json'], 7 * H)).stdout);
    expect(listed.backups).toHaveLength(1);
    expect(listed.backups[0].lastVerification).toEqual({
      outcome: 'quick-checked',
      at: '2026-11-01T08:00:00.000Z',
      ageSeconds: 3600,
    });

    // A damaged backup fails verification, and that is recorded and reported.
    fs.appendFileSync(path.join(location, FIRST), 'x');
    expect((await run(['verify'], 8 * H)).status).toBe(1);
    expect(backupFiles(dir)).toContain(`${FIRST}.verify-failed_20261101_100000.json`);
    const failed = await run(['status', '--json'], 9 * H);
    expect(failed.status).toBe(1);
    const json = JSON.parse(failed.stdout);
    expect(json).toMatchObject({
      command: 'status',
      ok: false,
      state: 'verification-failed',
      location,
      engine: null,
      newest: { name: FIRST, createdAt: '2026-11-01T02:00:00.000Z', ageSeconds: 9 * 3600 },
      maxAge: '26h',
      maxAgeSeconds: 26 * 3600,
      verifiedWithin: null,
      // Its earlier pass is taken back by the failure since: nothing proves it restores now.
      lastVerified: null,
      lastFailedVerification: { backup: FIRST, at: '2026-11-01T10:00:00.000Z' },
    });
    expect(json.summary).toMatch(
      /^VERIFICATION FAILED: the newest verification, of .* 1h ago, failed at /,
    );
  });

  test('records go with their backup: the rolling window and prune leave none behind', async () => {
    const dir = project();
    const run = (args: string[], ms: number) => cli(args, { cwd: dir, now: at(ms) });
    expect((await run(['backup', '--database-url', 'file:app.db'], 0)).status).toBe(0);
    expect((await run(['verify'], 1 * H)).status).toBe(0);
    expect((await run(['verify', '--quick'], 2 * H)).status).toBe(0);
    expect((await run(['verify', '--quick'], 2 * H)).status).toBe(0);
    expect(backupFiles(dir)).toHaveLength(5);
    expect(backupFiles(dir)).toContain(`${FIRST}.quick-checked_20261101_040000_1.json`);
    fs.writeFileSync(
      path.join(dir, 'backups', 'notes.txt.verified_20261101_040000.json'),
      'not ours',
    );

    const second = await run(
      ['backup', '--database-url', 'file:app.db', '--max-backups', '1'],
      1 * D,
    );
    expect(second.status, second.stderr).toBe(0);
    // The only backup that passed a test restore stays beyond max-backups=1, with its records.
    const firstFiles = [
      FIRST,
      `${FIRST}.json`,
      `${FIRST}.quick-checked_20261101_040000.json`,
      `${FIRST}.quick-checked_20261101_040000_1.json`,
      `${FIRST}.verified_20261101_030000.json`,
    ];
    expect(backupFiles(dir)).toEqual(
      [
        'notes.txt.verified_20261101_040000.json',
        ...firstFiles,
        'sqlite_backup_20261102_020000.db.gz',
        'sqlite_backup_20261102_020000.db.gz.json',
      ].sort(),
    );
    expect(second.stderr).toContain(
      `Keeping ${FIRST} at local beyond max-backups=1: it is the newest backup that passed a test restore`,
    );
    const status = await run(['status', '--verified-within', '35d'], 1 * D + H);
    expect(status.status, status.stdout).toBe(0);

    // Once a newer backup passes, the older one and every record of it go; nothing stray is left.
    expect((await run(['verify'], 1 * D + 2 * H)).status).toBe(0);
    expect((await run(['backup', '--database-url', 'file:app.db'], 2 * D)).status).toBe(0);
    const pruned = await run(['prune', '--max-backups', '1', '--json'], 2 * D);
    expect(JSON.parse(pruned.stdout).removed).toEqual([FIRST]);
    expect(backupFiles(dir).filter((n) => n.startsWith(FIRST))).toEqual([]);
    expect(backupFiles(dir)).toContain(
      'sqlite_backup_20261102_020000.db.gz.verified_20261102_040000.json',
    );
    expect(JSON.parse(pruned.stdout).keptBy['sqlite_backup_20261102_020000.db.gz']).toEqual([
      'the newest backup that passed a test restore',
    ]);
  });

  test('an older backup verified again: prune keeps that fresher proof, and its pass does not hide a newer backup’s failure', async () => {
    const dir = project();
    const run = (args: string[], ms: number) => cli(args, { cwd: dir, now: at(ms) });
    const SECOND = 'sqlite_backup_20261102_020000.db.gz';
    const THIRD = 'sqlite_backup_20261103_020000.db.gz';
    const FOURTH = 'sqlite_backup_20261211_020000.db.gz';
    const checks = ['status', '--max-age', '60d', '--verified-within', '35d'];
    expect((await run(['backup', '--database-url', 'file:app.db'], 0)).status).toBe(0);
    expect((await run(['verify', FIRST], 1 * H)).status).toBe(0);
    expect((await run(['backup', '--database-url', 'file:app.db'], 1 * D)).status).toBe(0);
    expect((await run(['verify', SECOND], 1 * D + H)).status).toBe(0);
    expect((await run(['backup', '--database-url', 'file:app.db'], 2 * D)).status).toBe(0);
    // Forty days on, the oldest backup is proven again: the freshest proof is of FIRST.
    expect((await run(['verify', FIRST], 40 * D)).status).toBe(0);
    expect((await run(checks, 40 * D + H)).status).toBe(0);

    const pruned = await run(['prune', '--max-backups', '1', '--json'], 40 * D + H);
    expect(pruned.status, pruned.stderr).toBe(0);
    const result = JSON.parse(pruned.stdout);
    expect(result.removed).toEqual([]);
    expect(result.keptBy[SECOND]).toEqual(['the newest backup that passed a test restore']);
    expect(result.keptBy[FIRST]).toEqual(['the backup whose test restore passed most recently']);
    expect(pruned.stderr).toContain(
      `Keeping ${FIRST} at local beyond max-backups=1: its test restore passed most recently`,
    );
    const after = await run(checks, 40 * D + 2 * H);
    expect(after.status, after.stdout).toBe(0);
    expect(after.stdout).toContain('last passed test restore 2h ago');
    expect(backupFiles(dir)).toContain(THIRD);

    // A newer backup that fails stays the news, whatever older backup passes after it.
    expect((await run(['backup', '--database-url', 'file:app.db'], 40 * D)).status).toBe(0);
    fs.appendFileSync(path.join(dir, 'backups', FOURTH), 'x');
    expect((await run(['verify', FOURTH], 40 * D + 3 * H)).status).toBe(1);
    expect((await run(['verify', SECOND], 40 * D + 4 * H)).status).toBe(0);
    const red = await run(checks, 40 * D + 5 * H);
    expect(red.status).toBe(1);
    expect(red.stdout).toMatch(
      new RegExp(
        `^VERIFICATION FAILED: the verification of ${FOURTH.replace(/\./g, '\\.')} 2h ago failed, and no newer backup has passed one since`,
      ),
    );
    // A newer backup, unverified, pushes the failed one out of the window: it stays, and so does red.
    expect((await run(['backup', '--database-url', 'file:app.db'], 40 * D + 6 * H)).status).toBe(0);
    const window = await run(['prune', '--max-backups', '1', '--json'], 40 * D + 6 * H);
    expect(window.status, window.stderr).toBe(0);
    expect(JSON.parse(window.stdout).keptBy[FOURTH]).toEqual([
      'its verification failed, and no newer backup has passed one since',
    ]);
    expect(JSON.parse(window.stdout).removed).toContain(FIRST);
    expect((await run(checks, 40 * D + 7 * H)).status).toBe(1);
  });

  test('verify of a file outside the backup directory records nothing', async () => {
    const dir = project();
    expect(
      (await cli(['backup', '--database-url', 'file:app.db'], { cwd: dir, now: at(0) })).status,
    ).toBe(0);
    fs.mkdirSync(path.join(dir, 'elsewhere'));
    fs.copyFileSync(path.join(dir, 'backups', FIRST), path.join(dir, 'elsewhere', FIRST));
    const run = await cli(['verify', `elsewhere/${FIRST}`], { cwd: dir, now: at(H) });
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/is outside .*backups: no verification record/);
    expect(fs.readdirSync(path.join(dir, 'elsewhere'))).toEqual([FIRST]);
    expect(backupFiles(dir)).toEqual([FIRST, `${FIRST}.json`]);
  });

  test('per database, as latest; nothing at all; bad durations refused', async () => {
    const dir = project();
    expect((await cli(['status'], { cwd: dir })).stdout).toMatch(
      /^NO BACKUP: there is no backup at /,
    );
    expect(
      (await cli(['backup', '--database-url', 'file:app.db'], { cwd: dir, now: at(0) })).status,
    ).toBe(0);
    const postgres = await cli(['status', '--database-url', 'postgres://u@localhost/app'], {
      cwd: dir,
      now: at(H),
    });
    expect(postgres.status).toBe(1);
    expect(postgres.stdout).toMatch(
      /^NO BACKUP: there is no backup of PostgreSQL localhost:5432\/app at /,
    );
    const sqlite = await cli(['status', '--database-url', 'file:app.db'], { cwd: dir, now: at(H) });
    expect(sqlite.stdout).toMatch(/^OK: newest backup of SQLite \/.*\/app\.db /);
    // Another SQLite database's backups there say nothing of this one.
    const other = await cli(['status', '--database-url', 'file:other.db'], {
      cwd: dir,
      now: at(H),
    });
    expect(other.status).toBe(1);
    expect(other.stdout).toMatch(/^NO BACKUP: there is no backup of SQLite \/.*\/other\.db at /);
    for (const bad of ['26', 'yesterday', '0h']) {
      const refused = await cli(['status', '--max-age', bad], { cwd: dir });
      expect(refused.status).toBe(2);
      expect(refused.stderr).toMatch(/^db-backup: max-age must be /);
    }
  });

  test('without a database, a directory shared by several is judged database by database: one fresh backup hides no stale or failed one', async () => {
    const dir = project();
    createSampleDatabase(path.join(dir, 'shop.db'), { rows: 5 });
    const run = (args: string[], ms: number) => cli(args, { cwd: dir, now: at(ms) });
    expect((await run(['backup', '--database-url', 'file:shop.db'], 0)).status).toBe(0);
    expect((await run(['backup', '--database-url', 'file:app.db'], 2 * D)).status).toBe(0);
    const location = path.join(dir, 'backups');
    const shop = 'sqlite_backup_20261101_020000.db.gz';
    const app = 'sqlite_backup_20261103_020000.db.gz';

    const stale = await run(['status', '--json'], 2 * D + H);
    expect(stale.status, stale.stderr).toBe(1);
    const verdict = JSON.parse(stale.stdout);
    expect(verdict.state).toBe('stale');
    expect(verdict.summary).toMatch(
      new RegExp(
        `^STALE: the newest backup of SQLite /.*/shop\\.db, ${shop}, is 2d 1h old \\(more than 26h\\) at ${location}$`,
      ),
    );
    expect(verdict.newest.name).toBe(shop);
    expect(
      verdict.databases.map((d: { database: string; state: string }) => [
        path.basename(d.database),
        d.state,
      ]),
    ).toEqual([
      ['app.db', 'ok'],
      ['shop.db', 'stale'],
    ]);

    // Both fresh: OK names each; then one verification fails and the other passes.
    expect((await run(['backup', '--database-url', 'file:shop.db'], 2 * D + 2 * H)).status).toBe(0);
    const fresh = await run(['status'], 2 * D + 3 * H);
    expect(fresh.status, fresh.stdout).toBe(0);
    expect(fresh.stdout).toMatch(/^OK: 2 databases: newest backup of SQLite \/.*\/app\.db /);
    const appBackup = path.join('backups', app);
    expect((await run(['verify', appBackup], 2 * D + 3 * H)).status).toBe(0);
    const shopLatest = await run(
      ['verify', 'latest', '--database-url', 'file:shop.db'],
      2 * D + 4 * H,
    );
    expect(shopLatest.status, shopLatest.stderr).toBe(0);
    // A damaged copy of app's backup fails its verification: status says so, though shop passed later.
    const bytes = fs.readFileSync(path.join(dir, appBackup));
    bytes[bytes.length - 20]! ^= 0xff;
    fs.writeFileSync(path.join(dir, appBackup), bytes);
    expect((await run(['verify', appBackup], 2 * D + 5 * H)).status).toBe(1);
    const shopAgain = await run(
      ['verify', 'latest', '--database-url', 'file:shop.db'],
      2 * D + 6 * H,
    );
    expect(shopAgain.status).toBe(0);
    const failed = await run(['status'], 2 * D + 7 * H);
    expect(failed.status).toBe(1);
    expect(failed.stdout).toMatch(
      new RegExp(`^VERIFICATION FAILED: the newest verification, of ${app} 2h ago, failed at `),
    );
  });

  test('named and unnamed backups of one file are told apart whichever is newest: the stale name is not hidden', async () => {
    const dir = project();
    const run = (args: string[], ms: number) => cli(args, { cwd: dir, now: at(ms) });
    expect((await run(['backup', '--database-url', 'file:app.db', '--name', 'eu'], 0)).status).toBe(
      0,
    );
    expect(
      (await run(['backup', '--database-url', 'file:app.db', '--name', 'shop'], 70 * H)).status,
    ).toBe(0);
    expect((await run(['backup', '--database-url', 'file:app.db'], 71 * H)).status).toBe(0);
    const status = await run(['status', '--json'], 72 * H);
    expect(status.status, status.stdout).toBe(1);
    const verdict = JSON.parse(status.stdout);
    expect(verdict.state).toBe('stale');
    expect(verdict.summary).toMatch(/^STALE: the newest backup of "eu" \(SQLite .*app\.db\), /);
    expect(verdict.databases.map((d: { state: string }) => d.state).sort()).toEqual([
      'ok',
      'ok',
      'stale',
    ]);
  });

  test('the bundled CLI exits 0 when fresh and 1 when stale, for cron and Nagios-style checks', async () => {
    const dir = project();
    expect(bundledCli(['backup', '--database-url', 'file:app.db'], { cwd: dir }).status).toBe(0);
    const fresh = bundledCli(['status', '--max-age', '1h'], { cwd: dir });
    expect(fresh.status, fresh.stderr).toBe(0);
    expect(fresh.stdout).toMatch(
      /^OK: newest backup sqlite_backup_\d{8}_\d{6}\.db\.gz is \d+s old \(max 1h\)/,
    );
    // An old backup beside it changes nothing; only an old newest one does.
    fs.rmSync(path.join(dir, 'backups'), { recursive: true });
    expect(
      (await cli(['backup', '--database-url', 'file:app.db'], { cwd: dir, now: at(0) })).status,
    ).toBe(0);
    const stale = bundledCli(['status', '--max-age', '1h', '--json'], { cwd: dir });
    expect(stale.status).toBe(1);
    expect(JSON.parse(stale.stdout).state).toBe('stale');
  });
});

describe('db-backup status against S3', () => {
  let s3: S3TestServer;
  beforeAll(async () => {
    s3 = await startS3Server(['backups']);
    process.env.AWS_ACCESS_KEY_ID = FAUXQS_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = FAUXQS_CREDENTIALS.secretAccessKey;
    process.env.AWS_REGION = 'us-east-1';
  });
  afterAll(async () => {
    await s3?.stop();
  });

  test('a verification read from S3 is recorded there, and status judges by the listing', async () => {
    const dir = project();
    const flags = [
      '--s3-bucket',
      'backups',
      '--s3-prefix',
      'app',
      '--s3-endpoint',
      s3.endpoint,
      '--s3-force-path-style',
    ];
    const run = (args: string[], ms: number) =>
      cli([...args, ...flags], { cwd: dir, now: at(ms), env: { PATH: process.env.PATH } });
    expect(
      (await run(['backup', '--database-url', 'file:app.db', '--storage', 's3'], 0)).status,
    ).toBe(0);
    const unverified = await run(['status', '--from', 's3', '--verified-within', '7d'], H);
    expect(unverified.status).toBe(1);
    expect(unverified.stdout).toMatch(/^UNVERIFIED: .* at s3:\/\/backups\/app/);
    const verify = await run(['verify', '--from', 's3'], 2 * H);
    expect(verify.status, verify.stderr).toBe(0);
    const keys = async () =>
      (
        (await s3.client.send(new ListObjectsV2Command({ Bucket: 'backups', Prefix: 'app/' })))
          .Contents ?? []
      )
        .map((o) => o.Key!)
        .sort();
    expect(await keys()).toEqual([
      `app/${FIRST}`,
      `app/${FIRST}.json`,
      `app/${FIRST}.verified_20261101_040000.json`,
    ]);
    const ok = await run(['status', '--from', 's3', '--verified-within', '7d', '--json'], 3 * H);
    expect(ok.status, ok.stdout).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      state: 'ok',
      lastVerified: { backup: FIRST, ageSeconds: 3600 },
    });
    expect(
      JSON.parse((await run(['list', '--from', 's3', '--json'], 3 * H)).stdout).backups[0]
        .lastVerification.outcome,
    ).toBe('verified');
    expect(
      (
        await run(
          ['backup', '--database-url', 'file:app.db', '--storage', 's3', '--max-backups', '1'],
          D,
        )
      ).status,
    ).toBe(0);
    // The only backup that passed a test restore stays beyond max-backups=1, with its record.
    expect(await keys()).toEqual([
      `app/${FIRST}`,
      `app/${FIRST}.json`,
      `app/${FIRST}.verified_20261101_040000.json`,
      'app/sqlite_backup_20261102_020000.db.gz',
      'app/sqlite_backup_20261102_020000.db.gz.json',
    ]);
  });
});
