import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cli, REPO_ROOT, sourceCli } from './support/cli.js';
import { flipBytes } from './support/corrupt.js';
import { GpgHome } from './support/gpg.js';
import { SAMPLE_SCHEMA, snapshotRows, startPostgres, type PgServer } from './support/postgres.js';
import { createSampleDatabase, dumpRows } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

const PASSPHRASE = 'compressed and encrypted';
const env = { PATH: process.env.PATH };

const COMPRESSIONS = [
  { compression: 'gzip', suffix: '.gz', level: 6, unpack: 'gunzip -c' },
  { compression: 'zstd', suffix: '.zst', level: 3, unpack: 'zstd -d -c -q' },
  { compression: 'none', suffix: '', level: null, unpack: 'cat' },
] as const;

function sh(script: string, extra: NodeJS.ProcessEnv = {}): void {
  const result = spawnSync('sh', ['-c', script], {
    encoding: 'utf8',
    env: { ...process.env, ...extra },
  });
  expect(result.status, result.stderr).toBe(0);
}

function backupFiles(dir: string): string[] {
  return fs
    .readdirSync(path.join(dir, 'backups'))
    .filter((name) => !name.endsWith('.json') && !name.startsWith('.'))
    .sort();
}

function onlyBackup(dir: string): string {
  const names = backupFiles(dir);
  expect(names).toHaveLength(1);
  return path.join(dir, 'backups', names[0]!);
}

function sqliteSetup(label: string): { dir: string; db: string; passFile: string } {
  const dir = tempDir(label);
  const db = path.join(dir, 'app.db');
  createSampleDatabase(db, { rows: 300 });
  const passFile = path.join(dir, 'passphrase');
  fs.writeFileSync(passFile, `${PASSPHRASE}\n`);
  return { dir, db, passFile };
}

let gpg: GpgHome;
beforeAll(() => {
  gpg = new GpgHome('compressed');
});

describe.each(COMPRESSIONS)(
  'SQLite, compression $compression',
  ({ compression, suffix, level, unpack }) => {
    test('backup, hand restore with stock tools, restore and verify; the manifest records the compression', async () => {
      const { dir, db } = sqliteSetup(`sqlite-${compression}`);
      const original = dumpRows(db);
      const run = await cli(
        ['backup', '--database-url', 'file:app.db', '--compression', compression],
        {
          cwd: dir,
          env,
        },
      );
      expect(run.status, run.stderr).toBe(0);
      const file = onlyBackup(dir);
      expect(path.basename(file)).toMatch(
        new RegExp(`^sqlite_backup_\\d{8}_\\d{6}\\.db${suffix.replace('.', '\\.')}$`),
      );
      const manifest = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8'));
      expect(manifest.compression).toEqual({ algorithm: compression, level });
      expect(manifest.contentSize).toBe(fs.statSync(db).size);

      sh(`${unpack} "$FILE" > "$OUT"`, { FILE: file, OUT: path.join(dir, 'by-hand.db') });
      expect(dumpRows(path.join(dir, 'by-hand.db'))).toEqual(original);

      const list = await cli(['list', '--json'], { cwd: dir, env });
      expect(JSON.parse(list.stdout).backups[0]).toMatchObject({
        compression,
        encrypted: false,
        checksum: 'ok',
      });
      const verify = await cli(['verify', 'latest'], { cwd: dir, env });
      expect(verify.status, verify.stdout + verify.stderr).toBe(0);

      fs.rmSync(db);
      createSampleDatabase(db, { rows: 3 });
      const restore = await cli(['restore', 'latest', '--database-url', 'file:app.db', '--yes'], {
        cwd: dir,
        env,
      });
      expect(restore.status, restore.stderr).toBe(0);
      expect(restore.stderr).not.toMatch(/warning/);
      expect(dumpRows(db)).toEqual(original);
    });

    test(
      'encrypted on top: NAME.db' +
        suffix +
        '.gpg, opened by gpg --decrypt | ' +
        unpack +
        ' and by restore',
      async () => {
        const { dir, db, passFile } = sqliteSetup(`sqlite-${compression}-gpg`);
        const original = dumpRows(db);
        const run = await cli(
          [
            'backup',
            '--database-url',
            'file:app.db',
            '--compression',
            compression,
            '--passphrase-file',
            passFile,
          ],
          { cwd: dir, env },
        );
        expect(run.status, run.stderr).toBe(0);
        const file = onlyBackup(dir);
        expect(file.endsWith(`.db${suffix}.gpg`)).toBe(true);
        sh(
          `gpg --batch --pinentry-mode loopback --passphrase-file "$PASS" --decrypt "$FILE" | ${unpack} > "$OUT"`,
          {
            GNUPGHOME: gpg.dir,
            PASS: passFile,
            FILE: file,
            OUT: path.join(dir, 'by-hand.db'),
          },
        );
        expect(dumpRows(path.join(dir, 'by-hand.db'))).toEqual(original);
        // Encrypted, the compression can only come from the manifest (or the name).
        const list = await cli(['list', '--json'], { cwd: dir, env });
        expect(JSON.parse(list.stdout).backups[0]).toMatchObject({ compression, encrypted: true });

        fs.rmSync(db);
        createSampleDatabase(db, { rows: 3 });
        const restore = await cli(
          [
            'restore',
            'latest',
            '--database-url',
            'file:app.db',
            '--yes',
            '--passphrase-file',
            passFile,
          ],
          { cwd: dir, env },
        );
        expect(restore.status, restore.stderr).toBe(0);
        expect(dumpRows(db)).toEqual(original);
      },
    );

    test.each([
      [
        'truncated',
        (file: string) => fs.truncateSync(file, Math.floor(fs.statSync(file).size * 0.6)),
      ],
      ['damaged', flipBytes],
    ])(
      'a %s backup is refused with exit 2, the target byte for byte as it was, with or without its manifest',
      async (_harm, harm) => {
        const { dir, db } = sqliteSetup(`sqlite-${compression}-bad`);
        const run = await cli(
          ['backup', '--database-url', 'file:app.db', '--compression', compression],
          {
            cwd: dir,
            env,
          },
        );
        expect(run.status, run.stderr).toBe(0);
        const file = onlyBackup(dir);
        harm(file);
        const before = fs.readFileSync(db);
        const withManifest = await cli(
          ['restore', file, '--database-url', 'file:app.db', '--yes'],
          {
            cwd: dir,
            env,
          },
        );
        expect(withManifest.status, withManifest.stderr).toBe(2);
        expect(withManifest.stderr).toMatch(/does not match the sha256/);
        expect(fs.readFileSync(db).equals(before)).toBe(true);

        // Without the manifest, the content itself must give the harm away.
        fs.rmSync(`${file}.json`);
        const alone = await cli(['restore', file, '--database-url', 'file:app.db', '--yes'], {
          cwd: dir,
          env,
        });
        if (compression === 'none' && _harm === 'damaged') {
          // An uncompressed file has no checksum of its own: SQLite's integrity check may or may
          // not see flipped bytes inside a row. Either way nothing may half-change the target.
          expect([0, 2]).toContain(alone.status);
          return;
        }
        expect(alone.status, alone.stderr).toBe(2);
        expect(
          alone.stderr.split('\n').filter((line) => line.startsWith('db-backup:')),
        ).toHaveLength(1);
        expect(fs.readFileSync(db).equals(before)).toBe(true);
        expect(fs.existsSync(`${db}.before-restore`)).toBe(false);
      },
    );
  },
);

describe('SQLite: names and content that disagree', () => {
  test.each([
    ['zstd', '.db.gz', 'is named or described as gzip but holds zstd data'],
    ['gzip', '.db.zst', 'is named or described as zstd but holds gzip data'],
    ['none', '.db.gz', 'is named or described as gzip but holds uncompressed data'],
    ['gzip', '.db', 'is named or described as uncompressed but holds gzip data'],
  ] as const)(
    '%s content in a file named %s restores, with a warning',
    async (compression, name, warning) => {
      const { dir, db } = sqliteSetup(`lying-${compression}`);
      const original = dumpRows(db);
      const run = await cli(
        ['backup', '--database-url', 'file:app.db', '--compression', compression],
        {
          cwd: dir,
          env,
        },
      );
      expect(run.status, run.stderr).toBe(0);
      const lying = path.join(dir, `renamed${name}`);
      fs.renameSync(onlyBackup(dir), lying);
      fs.rmSync(db);
      createSampleDatabase(db, { rows: 2 });
      const restore = await cli(['restore', lying, '--database-url', 'file:app.db', '--yes'], {
        cwd: dir,
        env,
      });
      expect(restore.status, restore.stderr).toBe(0);
      expect(restore.stderr).toContain(`renamed${name} ${warning}`);
      expect(dumpRows(db)).toEqual(original);
    },
  );

  test('the rolling window counts .gz, .zst and uncompressed backups together', async () => {
    const { dir } = sqliteSetup('window');
    const made: string[] = [];
    for (const compression of ['gzip', 'zstd', 'none', 'zstd'] as const) {
      const run = await cli(
        [
          'backup',
          '--database-url',
          'file:app.db',
          '--compression',
          compression,
          '--max-backups',
          '2',
          '--json',
        ],
        { cwd: dir, env },
      );
      expect(run.status, run.stderr).toBe(0);
      made.push(JSON.parse(run.stdout).name);
    }
    // Backups in the same second take sequence numbers across compressions, so they never tie.
    const slots = made.map((name) => name.replace(/\.db(\.gz|\.zst)?$/, ''));
    expect(new Set(slots).size).toBe(made.length);
    const left = backupFiles(dir);
    expect(left).toHaveLength(2);
    expect(left).toEqual(made.slice(-2).sort());
  });

  test('compression-level out of range, or with none, is refused in one line before anything runs', async () => {
    const { dir } = sqliteSetup('levels');
    for (const [args, message] of [
      [
        ['--compression', 'zstd', '--compression-level', '20'],
        /compression-level must be a whole number, 1 to 19 \(got "20"\)/,
      ],
      [
        ['--compression-level', '10'],
        /compression-level for gzip must be a whole number from 1 \(fastest\) to 9/,
      ],
      [
        ['--compression-level', '0'],
        /compression-level must be a whole number, 1 to 19 \(got "0"\)/,
      ],
      [
        ['--compression', 'none', '--compression-level', '5'],
        /has no meaning with compression none/,
      ],
      [['--compression', 'lz4'], /compression must be gzip, zstd or none/],
    ] as const) {
      const run = await cli(['backup', '--database-url', 'file:app.db', ...args], {
        cwd: dir,
        env,
      });
      expect(run.status).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(message);
    }
    expect(fs.existsSync(path.join(dir, 'backups'))).toBe(false);
  });
});

describe('PostgreSQL with every compression', () => {
  let server: PgServer;

  beforeAll(async () => {
    server = await startPostgres();
    await server.createDatabase('app', SAMPLE_SCHEMA);
  });

  afterAll(async () => {
    await server?.stop();
  });

  test.each(COMPRESSIONS)(
    '$compression: hand restore with `$unpack | psql`, our restore, and an encrypted one through gpg',
    async ({ compression, suffix, unpack }) => {
      const dir = tempDir(`pg-${compression}`);
      const original = await snapshotRows(server, 'app');
      const run = await cli(
        ['backup', '--database-url', server.url('app'), '--compression', compression],
        { cwd: dir, env },
      );
      expect(run.status, run.stderr).toBe(0);
      const file = onlyBackup(dir);
      expect(path.basename(file)).toMatch(
        new RegExp(`^postgres_backup_\\d{8}_\\d{6}\\.sql${suffix.replace('.', '\\.')}$`),
      );

      const byHand = `byhand_${compression}`;
      await server.createDatabase(byHand);
      sh(
        `${unpack} "$FILE" | psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d ${byHand} >/dev/null`,
        {
          ...server.libpqEnv(),
          FILE: file,
        },
      );
      expect(await snapshotRows(server, byHand)).toEqual(original);

      const ours = `ours_${compression}`;
      await server.createDatabase(ours);
      const restore = await cli(['restore', file, '--database-url', server.url(ours)], {
        cwd: dir,
        env,
      });
      expect(restore.status, restore.stderr).toBe(0);
      expect(await snapshotRows(server, ours)).toEqual(original);

      const encryptedDir = tempDir(`pg-${compression}-gpg`);
      const passFile = path.join(encryptedDir, 'pass');
      fs.writeFileSync(passFile, PASSPHRASE);
      const encrypted = await cli(
        [
          'backup',
          '--database-url',
          server.url('app'),
          '--compression',
          compression,
          '--passphrase-file',
          passFile,
        ],
        { cwd: encryptedDir, env },
      );
      expect(encrypted.status, encrypted.stderr).toBe(0);
      const encryptedFile = onlyBackup(encryptedDir);
      expect(encryptedFile.endsWith(`.sql${suffix}.gpg`)).toBe(true);
      const throughGpg = `gpg_${compression}`;
      await server.createDatabase(throughGpg);
      sh(
        `gpg --batch --pinentry-mode loopback --passphrase-file "$PASS" --decrypt "$FILE" | ${unpack} | psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d ${throughGpg} >/dev/null`,
        { ...server.libpqEnv(), GNUPGHOME: gpg.dir, PASS: passFile, FILE: encryptedFile },
      );
      expect(await snapshotRows(server, throughGpg)).toEqual(original);
    },
  );

  test.each([
    ['gzip', 'truncated'],
    ['gzip', 'damaged'],
    ['zstd', 'truncated'],
    ['zstd', 'damaged'],
  ] as const)(
    '%s %s, without a manifest: refused with exit 2 before the target changes',
    async (compression, harm) => {
      const dir = tempDir(`pg-bad-${compression}`);
      const run = await cli(
        ['backup', '--database-url', server.url('app'), '--compression', compression],
        {
          cwd: dir,
          env,
        },
      );
      expect(run.status, run.stderr).toBe(0);
      const file = onlyBackup(dir);
      fs.rmSync(`${file}.json`);
      if (harm === 'truncated') fs.truncateSync(file, Math.floor(fs.statSync(file).size * 0.5));
      else flipBytes(file);
      const target = `bad_${compression}_${harm}`;
      await server.createDatabase(
        target,
        'CREATE TABLE keep (id int); INSERT INTO keep VALUES (1), (2);',
      );
      const restore = await cli(['restore', file, '--database-url', server.url(target), '--yes'], {
        cwd: dir,
        env,
      });
      expect(restore.status, restore.stderr).toBe(2);
      expect(restore.stderr).toMatch(harm === 'truncated' ? /is truncated/ : /is damaged/);
      expect(await server.query(target, 'SELECT id FROM keep ORDER BY id')).toEqual([
        { id: 1 },
        { id: 2 },
      ]);
      const tables = await server.query(
        target,
        "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'",
      );
      expect(tables).toEqual([{ n: 1 }]);
    },
  );
});

describe('a decryption that stalls', () => {
  test('reads as a wrong passphrase after 10 s, exit 2, not a hang or a silent exit 13', async () => {
    // A zstd backup that `gpg --symmetric --compress-algo none` encrypted with the passphrase
    // "right". OpenPGP.js, opening it with this wrong passphrase, neither ends nor fails its
    // stream (an upstream fault, about one gpg salt in fifteen).
    const dir = tempDir('stall');
    const target = path.join(dir, 'app.db');
    createSampleDatabase(target, { rows: 5 });
    const before = fs.readFileSync(target);
    const fixture = path.join(REPO_ROOT, 'test/fixtures/stalls-with-a-wrong-passphrase.db.zst.gpg');
    const run = await sourceCli(['restore', fixture, '--database-url', 'file:app.db', '--yes'], {
      cwd: dir,
      env: { BACKUP_PASSPHRASE: 'not the passphrase at all' },
    });
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toMatch(
      /^db-backup: Cannot decrypt the backup: wrong passphrase, or the file is damaged\. Check the passphrase/m,
    );
    expect(fs.readFileSync(target).equals(before)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['app.db']);
  }, 60_000);
});
