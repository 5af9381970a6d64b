import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cli } from './support/cli.js';
import { GpgHome } from './support/gpg.js';
import { SAMPLE_SCHEMA, snapshotRows, startPostgres, type PgServer } from './support/postgres.js';
import { createSampleDatabase, dumpRows } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

const PASSPHRASE = 'correct horse battery staple';
const KEY_PASSPHRASE = 'key-unlock-phrase';
const env = { PATH: process.env.PATH };

let gpg: GpgHome;
let publicKeyFile: string;
let privateKeyFile: string;
let keyPassphraseFile: string;
let fingerprint: string;

beforeAll(() => {
  gpg = new GpgHome('e2e');
  gpg.generateKeys(`Key-Type: eddsa
Key-Curve: ed25519
Subkey-Type: ecdh
Subkey-Curve: cv25519
Name-Real: Backup Recipient
Name-Email: backups@example.com
Expire-Date: 0
Passphrase: ${KEY_PASSPHRASE}
%commit
`);
  fingerprint = gpg.fingerprint('backups@example.com');
  publicKeyFile = path.join(gpg.dir, 'recipient.asc');
  fs.writeFileSync(publicKeyFile, gpg.exportPublic('backups@example.com'));
  privateKeyFile = path.join(gpg.dir, 'private.asc');
  fs.writeFileSync(privateKeyFile, gpg.exportSecret('backups@example.com', KEY_PASSPHRASE));
  keyPassphraseFile = gpg.passphraseFile(KEY_PASSPHRASE);
});

function setup(label: string): { dir: string; db: string; passFile: string } {
  const dir = tempDir(label);
  const db = path.join(dir, 'app.db');
  createSampleDatabase(db, { rows: 40 });
  const passFile = path.join(dir, 'passphrase');
  fs.writeFileSync(passFile, `${PASSPHRASE}\n`);
  return { dir, db, passFile };
}

function onlyBackup(dir: string, suffix: string): string {
  const names = fs.readdirSync(path.join(dir, 'backups')).filter((n) => n.endsWith(suffix));
  expect(names).toHaveLength(1);
  return path.join(dir, 'backups', names[0]!);
}

function gunzipWithSqlite(gz: string, target: string): void {
  const result = spawnSync('sh', ['-c', 'gunzip -c "$1" > "$2"', 'sh', gz, target]);
  expect(result.status, result.stderr.toString()).toBe(0);
}

describe('encrypted SQLite backups', () => {
  test('passphrase: NAME.db.gz.gpg that gpg --decrypt opens, and our restore and verify open', async () => {
    const { dir, db, passFile } = setup('enc-pass');
    const original = dumpRows(db);
    const run = await cli(
      ['backup', '--database-url', 'file:app.db', '--passphrase-file', passFile],
      { cwd: dir, env },
    );
    expect(run.status, run.stderr).toBe(0);
    const file = onlyBackup(dir, '.db.gz.gpg');
    expect(path.basename(file)).toMatch(/^sqlite_backup_\d{8}_\d{6}\.db\.gz\.gpg$/);
    const manifestText = fs.readFileSync(`${file}.json`, 'utf8');
    expect(JSON.parse(manifestText).encryption).toEqual({
      mode: 'passphrase',
      cipher: 'AES256',
      recipients: [],
    });
    expect(manifestText + run.stdout + run.stderr).not.toContain(PASSPHRASE);

    const decrypted = path.join(dir, 'by-gpg.db.gz');
    gpg.ok(['--passphrase-file', passFile, '--output', decrypted, '--decrypt', file]);
    gunzipWithSqlite(decrypted, path.join(dir, 'by-gpg.db'));
    expect(dumpRows(path.join(dir, 'by-gpg.db'))).toEqual(original);

    const list = await cli(['list', '--json'], { cwd: dir, env });
    expect(JSON.parse(list.stdout).backups[0]).toMatchObject({ encrypted: true, checksum: 'ok' });
    const verify = await cli(['verify', 'latest'], {
      cwd: dir,
      env: { ...env, BACKUP_PASSPHRASE: PASSPHRASE },
    });
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);

    // A wrong passphrase is the user's mistake, not a failed backup: refused, and nothing recorded.
    const records = (): string[] =>
      fs.readdirSync(path.join(dir, 'backups')).filter((n) => n.includes('.verif'));
    const recordedBefore = records();
    for (const quick of [[], ['--quick']]) {
      const wrong = await cli(['verify', 'latest', ...quick], {
        cwd: dir,
        env: { ...env, BACKUP_PASSPHRASE: 'not the passphrase at all' },
      });
      expect(wrong.status, wrong.stdout + wrong.stderr).toBe(2);
      expect(wrong.stderr).toMatch(/wrong passphrase.*Check the passphrase/);
      expect(records()).toEqual(recordedBefore);
    }
    const afterWrong = await cli(['list', '--json'], { cwd: dir, env });
    expect(JSON.stringify(JSON.parse(afterWrong.stdout).backups[0])).not.toMatch(/verify-failed/);
    const status = await cli(['status'], { cwd: dir, env });
    expect(status.status, status.stdout + status.stderr).toBe(0);
    // About one wrong passphrase in 128 gets past the session-key packet's check and fails only
    // in the data: for a file that matches its manifest that is still the passphrase, not damage.
    const message = await openpgp.readMessage({ binaryMessage: fs.readFileSync(file) });
    let lucky: string | undefined;
    for (let i = 0; i < 3000 && lucky === undefined; i += 1) {
      const candidate = `wrong-passphrase-${i}`;
      const opened = await openpgp
        .decryptSessionKeys({ message, passwords: [candidate] })
        .then(() => true)
        .catch(() => false);
      if (opened) lucky = candidate;
    }
    expect(lucky).toBeDefined();
    const luckyRun = await cli(['verify', 'latest', '--quick'], {
      cwd: dir,
      env: { ...env, BACKUP_PASSPHRASE: lucky },
    });
    expect(luckyRun.status, luckyRun.stdout + luckyRun.stderr).toBe(2);
    expect(luckyRun.stderr).toMatch(/wrong passphrase, or the file is damaged/);
    expect(records()).toEqual(recordedBefore);

    fs.rmSync(db);
    createSampleDatabase(db, { rows: 2 });
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
  });

  test('public key: gpg decrypts with the secret key; restore needs the private key; the manifest names the recipient', async () => {
    const { dir, db } = setup('enc-key');
    const original = dumpRows(db);
    const run = await cli(
      [
        'backup',
        '--database-url',
        'file:app.db',
        '--recipient-key-file',
        publicKeyFile,
        '--encryption',
        'public-key',
      ],
      { cwd: dir, env },
    );
    expect(run.status, run.stderr).toBe(0);
    const file = onlyBackup(dir, '.db.gz.gpg');
    expect(JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')).encryption).toEqual({
      mode: 'public-key',
      cipher: 'AES256',
      recipients: [fingerprint],
    });
    const decrypted = path.join(dir, 'by-gpg.db.gz');
    gpg.ok(['--passphrase-file', keyPassphraseFile, '--output', decrypted, '--decrypt', file]);
    gunzipWithSqlite(decrypted, path.join(dir, 'by-gpg.db'));
    expect(dumpRows(path.join(dir, 'by-gpg.db'))).toEqual(original);

    // The job that only holds the public key cannot read what it wrote.
    const withoutKey = await cli(['restore', 'latest', '--database-url', 'file:app.db', '--yes'], {
      cwd: dir,
      env,
    });
    expect(withoutKey.status).toBe(2);
    // The manifest says a key opens it: the line asks for that key, by its fingerprint.
    expect(withoutKey.stderr).toContain(
      `is encrypted to a public key (${fingerprint}): give the private key (decryption-private-key, --private-key-file) that matches it.`,
    );
    // Without its manifest it cannot tell: either.
    fs.renameSync(`${file}.json`, `${file}.json.aside`);
    const unknown = await cli(
      ['restore', path.basename(file), '--database-url', 'file:app.db', '--yes'],
      {
        cwd: dir,
        env,
      },
    );
    fs.renameSync(`${file}.json.aside`, `${file}.json`);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/is encrypted: give its passphrase .* or a private key/);
    // A damaged manifest (recipients missing, or not a list of fingerprints) still gets the line.
    const manifestText = fs.readFileSync(`${file}.json`, 'utf8');
    for (const recipients of [undefined, 'ABC', ['\u001b[31m::error::x', 42]]) {
      const damaged = JSON.parse(manifestText);
      damaged.encryption = { mode: 'public-key', cipher: 'AES256', recipients };
      fs.writeFileSync(`${file}.json`, JSON.stringify(damaged));
      const run = await cli(['verify', path.basename(file), '--quick'], { cwd: dir, env });
      expect(run.stderr, JSON.stringify(recipients)).toContain(
        'is encrypted to a public key: give the private key (decryption-private-key, --private-key-file) that matches it.',
      );
      expect(run.stderr).not.toContain('::error::');
    }
    fs.writeFileSync(`${file}.json`, manifestText);

    fs.rmSync(db);
    createSampleDatabase(db, { rows: 2 });
    const restore = await cli(
      [
        'restore',
        'latest',
        '--database-url',
        'file:app.db',
        '--yes',
        '--private-key-file',
        privateKeyFile,
        '--private-key-passphrase-file',
        keyPassphraseFile,
      ],
      { cwd: dir, env },
    );
    expect(restore.status, restore.stderr).toBe(0);
    expect(dumpRows(db)).toEqual(original);
  });

  test('a file made by gpg --symmetric --cipher-algo AES256 restores', async () => {
    const { dir, db, passFile } = setup('enc-gpg-made');
    const original = dumpRows(db);
    const plain = path.join(dir, 'legacy.db');
    fs.copyFileSync(db, plain);
    spawnSync('gzip', [plain]);
    gpg.ok([
      '--symmetric',
      '--cipher-algo',
      'AES256',
      '--passphrase-file',
      passFile,
      '--output',
      `${plain}.gz.gpg`,
      `${plain}.gz`,
    ]);
    fs.rmSync(db);
    createSampleDatabase(db, { rows: 1 });
    const run = await cli(
      [
        'restore',
        'legacy.db.gz.gpg',
        '--database-url',
        'file:app.db',
        '--yes',
        '--passphrase-file',
        passFile,
      ],
      { cwd: dir, env },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(dumpRows(db)).toEqual(original);
  });

  test.each([
    [
      'an empty passphrase with encryption passphrase',
      (_: string) => ['--encryption', 'passphrase'],
      { BACKUP_PASSPHRASE: '' },
      /encryption is passphrase, but the passphrase is empty/,
    ],
    [
      'an empty passphrase file',
      (_: string) => ['--passphrase-file', 'empty.txt'],
      {},
      /passphrase-file: .* is empty/,
    ],
    [
      'a public-key mode without keys',
      (_: string) => ['--encryption', 'public-key'],
      {},
      /no public key was given/,
    ],
    [
      'a key file that is not a key',
      (_: string) => ['--recipient-key-file', 'notes.txt'],
      {},
      /not an ASCII-armored OpenPGP key/,
    ],
  ])(
    '%s fails before dumping anything, never a plain backup',
    async (_label, args, extraEnv, message) => {
      const { dir, passFile } = setup('enc-refuse');
      fs.writeFileSync(path.join(dir, 'empty.txt'), '');
      fs.writeFileSync(path.join(dir, 'notes.txt'), 'this is not an OpenPGP key\n');
      const run = await cli(['backup', '--database-url', 'file:app.db', ...args(passFile)], {
        cwd: dir,
        env: { ...env, ...extraEnv },
      });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/Backing up/);
      const left = fs.existsSync(path.join(dir, 'backups'))
        ? fs.readdirSync(path.join(dir, 'backups'))
        : [];
      expect(left).toEqual([]);
    },
  );

  test('wrong passphrase, wrong key, damaged file: a clear error and the target untouched', async () => {
    const { dir, db, passFile } = setup('enc-wrong');
    expect(
      (
        await cli(['backup', '--database-url', 'file:app.db', '--passphrase-file', passFile], {
          cwd: dir,
          env,
        })
      ).status,
    ).toBe(0);
    const file = onlyBackup(dir, '.db.gz.gpg');
    fs.rmSync(db);
    createSampleDatabase(db, { rows: 3 });
    const before = fs.readFileSync(db);

    const wrong = await cli(['restore', 'latest', '--database-url', 'file:app.db', '--yes'], {
      cwd: dir,
      env: { ...env, BACKUP_PASSPHRASE: 'not the passphrase' },
    });
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/passphrase/i);
    expect(wrong.stderr).not.toContain('not the passphrase');
    expect(fs.readFileSync(db)).toEqual(before);

    const otherKey = await cli(
      [
        'restore',
        'latest',
        '--database-url',
        'file:app.db',
        '--yes',
        '--private-key-file',
        privateKeyFile,
        '--private-key-passphrase-file',
        keyPassphraseFile,
      ],
      { cwd: dir, env },
    );
    expect(otherKey.status).toBe(2);
    expect(fs.readFileSync(db)).toEqual(before);

    const damaged = path.join(dir, 'damaged.db.gz.gpg');
    const bytes = fs.readFileSync(file);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
    fs.writeFileSync(damaged, bytes);
    const broken = await cli(
      ['restore', damaged, '--database-url', 'file:app.db', '--yes', '--passphrase-file', passFile],
      { cwd: dir, env },
    );
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/integrity|modified|damaged|tamper/i);
    expect(fs.readFileSync(db)).toEqual(before);
    const verify = await cli(['verify', damaged, '--quick', '--passphrase-file', passFile], {
      cwd: dir,
      env,
    });
    expect(verify.status).toBe(1);
  });
});

describe('encrypted PostgreSQL backups', () => {
  let server: PgServer;

  beforeAll(async () => {
    server = await startPostgres();
    await server.createDatabase('app', SAMPLE_SCHEMA);
  });

  afterAll(async () => {
    await server?.stop();
  });

  test('NAME.sql.gz.gpg: gpg | gunzip | psql by hand, our restore, and an encrypted safety backup', async () => {
    const dir = tempDir('enc-pg');
    const passFile = path.join(dir, 'pass');
    fs.writeFileSync(passFile, PASSPHRASE);
    const run = await cli(
      ['backup', '--database-url', server.url('app'), '--passphrase-file', passFile],
      { cwd: dir, env },
    );
    expect(run.status, run.stderr).toBe(0);
    const file = onlyBackup(dir, '.sql.gz.gpg');
    const original = await snapshotRows(server, 'app');

    await server.createDatabase('byhand');
    const hand = spawnSync(
      'sh',
      [
        '-c',
        'gpg --batch --pinentry-mode loopback --passphrase-file "$PASS" --decrypt "$FILE" | gunzip -c | psql -X -q -v ON_ERROR_STOP=1 -d byhand >/dev/null',
      ],
      {
        encoding: 'utf8',
        env: {
          ...process.env,
          GNUPGHOME: gpg.dir,
          PASS: passFile,
          FILE: file,
          PGHOST: server.host,
          PGPORT: String(server.port),
          PGUSER: 'postgres',
          PGPASSWORD: (await import('./support/postgres.js')).TEST_PASSWORD,
        },
      },
    );
    expect(hand.status, hand.stderr).toBe(0);
    expect(await snapshotRows(server, 'byhand')).toEqual(original);

    await server.query('app', 'DELETE FROM orders');
    const restore = await cli(
      [
        'restore',
        'latest',
        '--database-url',
        server.url('app'),
        '--yes',
        '--passphrase-file',
        passFile,
      ],
      { cwd: dir, env },
    );
    expect(restore.status, restore.stderr).toBe(0);
    expect(await snapshotRows(server, 'app')).toEqual(original);
    const safety = fs
      .readdirSync(path.join(dir, 'backups'))
      .filter((n) => n.startsWith('postgres_before-restore_'));
    expect(safety.some((n) => n.endsWith('.sql.gz.gpg'))).toBe(true);
  });
});
