import http from 'node:http';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { finished, sourceCli, startCli } from './support/cli.js';
import { startAzurite, type Azurite } from './support/azurite.js';
import { FAUXQS_CREDENTIALS, startS3Server, type S3TestServer } from './support/s3-server.js';
import { createSampleDatabase } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';
import { compareNewestFirst, parseBackupName } from '../src/domain/backup-name.js';
import { uploadBackup } from '../src/catalog/paired-upload.js';
import { storeAt } from '../src/commands/backup.js';
import { createBackup } from '../src/commands/create-backup.js';
import { ownDatabase } from '../src/catalog/identity.js';
import { createEngine } from '../src/engines/index.js';
import { S3Storage } from '../src/storage/s3.js';
import type { Storage, UploadBody } from '../src/storage/storage.js';

// The S3 client in this process (uploadBackup called directly) reads its credentials from here.
process.env.AWS_ACCESS_KEY_ID = FAUXQS_CREDENTIALS.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = FAUXQS_CREDENTIALS.secretAccessKey;
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_REGION = 'us-east-1';
delete process.env.AWS_PROFILE;
delete process.env.AWS_SESSION_TOKEN;

let s3: S3TestServer;
let azurite: Azurite;
let container: ContainerClient;

beforeAll(async () => {
  [s3, azurite] = await Promise.all([startS3Server(['race']), startAzurite()]);
  container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
    'race',
  );
  await container.create();
  env.AZURE_STORAGE_CONNECTION_STRING = azurite.connectionString;
}, 60_000);

afterAll(async () => {
  await s3?.stop();
  await azurite?.stop();
});

const env: NodeJS.ProcessEnv = {
  AWS_ACCESS_KEY_ID: FAUXQS_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: FAUXQS_CREDENTIALS.secretAccessKey,
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_REGION: 'us-east-1',
};

let places = 0;
/** A prefix of its own at S3 (through `endpoint`) and at Azure. */
function placeFlags(endpoint = s3.endpoint): { flags: string[]; prefix: string } {
  places += 1;
  const prefix = `p-${places}`;
  return {
    prefix,
    flags: [
      '--s3-bucket',
      'race',
      '--s3-prefix',
      prefix,
      '--s3-endpoint',
      endpoint,
      '--s3-force-path-style',
      '--azure-container',
      'race',
      '--azure-prefix',
      prefix,
    ],
  };
}

async function s3Names(prefix: string): Promise<string[]> {
  const listing = await s3.client.send(
    new ListObjectsV2Command({ Bucket: 'race', Prefix: `${prefix}/` }),
  );
  return (listing.Contents ?? []).map((o) => o.Key!.slice(prefix.length + 1)).sort();
}

async function azureNames(prefix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const blob of container.listBlobsFlat({ prefix: `${prefix}/` }))
    names.push(blob.name.slice(prefix.length + 1));
  return names.sort();
}

function expectPaired(names: readonly string[]): void {
  const set = new Set(names);
  for (const name of names) {
    if (name.endsWith('.json')) expect(set.has(name.slice(0, -5)), `orphan ${name}`).toBe(true);
    else if (parseBackupName(name))
      expect(set.has(`${name}.json`), `${name} has no manifest`).toBe(true);
  }
}

interface Target {
  target: string;
  stored: boolean;
  superseded?: boolean;
  error?: string;
}
interface Result {
  name: string;
  file: string;
  targets: Target[];
}
const outcome = (t: Target) => (t.stored ? 'stored' : t.superseded ? 'superseded' : 'failed');
const outcomes = (r: Result) => Object.fromEntries(r.targets.map((t) => [t.target, outcome(t)]));

/**
 * A proxy in front of fauxqs that holds the upload of a backup (a PutObject of a
 * name that is not a manifest; with `parts`, every part of a multipart upload;
 * with `window`, the second listing, the rolling window's, once the backup and its
 * manifest are stored) until the test lets it go.
 */
async function startGate(upstream: string, holds: 'object' | 'parts' | 'window' = 'object') {
  const target = new URL(upstream);
  let held: () => void = () => undefined;
  const arrived = new Promise<void>((resolve) => (held = resolve));
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  let listings = 0;
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://gate');
    const part = url.searchParams.has('partNumber');
    if (request.method === 'GET' && url.searchParams.has('list-type')) listings += 1;
    const gated =
      holds === 'window'
        ? request.method === 'GET' && url.searchParams.has('list-type') && listings === 2
        : request.method === 'PUT' &&
          !url.pathname.endsWith('.json') &&
          (holds === 'parts' ? part : !part && !url.searchParams.has('uploadId'));
    void (gated ? (held(), released) : Promise.resolve()).then(() => {
      const outgoing = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: request.url,
          method: request.method,
          headers: request.headers,
        },
        (upstreamResponse) => {
          response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
          upstreamResponse.pipe(response);
        },
      );
      outgoing.on('error', () => response.destroy());
      request.pipe(outgoing);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    arrived,
    release,
    stop: () =>
      new Promise<void>((resolve) => {
        release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('a backup removed from the backup directory while a run stores it at its other targets', () => {
  async function heldRun(storage: string, extraEnv: NodeJS.ProcessEnv = {}) {
    const dir = tempDir('held');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 30 });
    const gate = await startGate(s3.endpoint);
    const place = placeFlags(gate.endpoint);
    const run = startCli(
      ['backup', '--database-url', 'file:app.db', '--storage', storage, '--json', ...place.flags],
      { cwd: dir, env: { ...env, MAX_BACKUPS: '1', ...extraEnv }, fromSource: true },
    );
    const early = await Promise.race([gate.arrived.then(() => undefined), finished(run)]);
    if (early) throw new Error(`the run ended before its upload: ${early.stderr}`);
    const backupsDir = path.join(dir, 'backups');
    const [name] = fs.readdirSync(backupsDir).filter((n) => parseBackupName(n));
    return { dir, backupsDir, gate, run, place, name: name! };
  }

  // The backup directory's window runs before the held upload (local first) or after it (s3 first).
  test.each(['local,s3,azure', 's3,local,azure'])(
    'removed by hand, --storage %s: no target says superseded or stored where it is not, and the job fails',
    async (storage) => {
      const { backupsDir, gate, run, place, name } = await heldRun(storage);
      try {
        fs.rmSync(path.join(backupsDir, name));
        fs.rmSync(path.join(backupsDir, `${name}.json`));
        gate.release();
        const done = await finished(run);
        const result = JSON.parse(done.stdout) as Result;
        // Sent from what was opened before the removal: whole, with its manifest.
        expect(await s3Names(place.prefix)).toEqual([name, `${name}.json`]);
        expect(outcomes(result)).toEqual({ local: 'failed', s3: 'stored', azure: 'failed' });
        expect(await azureNames(place.prefix)).toEqual([]);
        expect(done.status, done.stderr).toBe(1);
        for (const line of done.stderr.trim().split('\n')) expect(line).not.toMatch(/superseded/);
        expect(done.stderr).toMatch(/removed from .*backups/);
      } finally {
        await gate.stop();
      }
    },
    120_000,
  );

  test('its manifest alone removed by hand: failed at the backup directory, never superseded', async () => {
    const { backupsDir, gate, run, place, name } = await heldRun('local,s3,azure');
    try {
      fs.rmSync(path.join(backupsDir, `${name}.json`));
      gate.release();
      const done = await finished(run);
      expect(done.status, done.stderr).toBe(1);
      const result = JSON.parse(done.stdout) as Result;
      expect(outcomes(result)).toEqual({ local: 'failed', s3: 'stored', azure: 'failed' });
      expect(result.targets[0]!.error).toBe(
        `the manifest of ${name} was removed from ${backupsDir} during this run`,
      );
      expect(result.targets[2]!.error).toBe(
        `the manifest of ${name} was removed from ${backupsDir} before it could be stored`,
      );
      expect(done.stderr).not.toMatch(/superseded/);
      expect(await s3Names(place.prefix)).toEqual([name, `${name}.json`]);
      expect(await azureNames(place.prefix)).toEqual([]);
    } finally {
      await gate.stop();
    }
  }, 120_000);

  test("removed by a peer's window for a newer backup: superseded at local too, never stored", async () => {
    const { dir, backupsDir, gate, run, place, name } = await heldRun('local,s3,azure');
    try {
      const peer = await sourceCli(
        ['backup', '--database-url', 'file:app.db', '--storage', 'local', '--json'],
        { cwd: dir, env: { MAX_BACKUPS: '1' } },
      );
      expect(peer.status, peer.stderr).toBe(0);
      const newer = (JSON.parse(peer.stdout) as Result).name;
      expect(fs.existsSync(path.join(backupsDir, name))).toBe(false);
      gate.release();
      const done = await finished(run);
      expect(done.status, done.stderr).toBe(0);
      const result = JSON.parse(done.stdout) as Result;
      expect(outcomes(result)).toEqual({ local: 'superseded', s3: 'stored', azure: 'superseded' });
      // No output points at a file that is gone.
      expect((result as Result & { stagedCopyKept: boolean }).stagedCopyKept).toBe(false);
      expect(await s3Names(place.prefix)).toEqual([name, `${name}.json`]);
      expect(await azureNames(place.prefix)).toEqual([]);
      expect(fs.readdirSync(backupsDir).filter((n) => parseBackupName(n))).toEqual([newer]);
    } finally {
      await gate.stop();
    }
  }, 120_000);
});

describe('a backend that opens the body again (a retry)', () => {
  test('a first attempt given up after one chunk: the second reads from byte 0 and arrives whole', async () => {
    const dir = tempDir('retry');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 10_000 });
    const engine = await createEngine(
      { engine: 'sqlite', path: path.join(dir, 'app.db') },
      { log: { info: () => undefined, warn: () => undefined } },
    );
    const backup = await createBackup(engine, path.join(dir, 'backups'), {
      kind: 'backup',
      compression: { algorithm: 'gzip', level: 1 },
    });
    const original = fs.readFileSync(backup.file);
    expect(original.length).toBeGreaterThan(256 * 1024);
    const { prefix } = placeFlags();
    const remote = new S3Storage({
      bucket: 'race',
      prefix,
      endpoint: s3.endpoint,
      forcePathStyle: true,
    });
    const retrying: Storage = Object.assign(Object.create(remote) as Storage, {
      put: async (name: string, body: UploadBody) => {
        if (name.endsWith('.json')) return remote.put(name, body);
        // The first attempt breaks off after its first chunk, as a dropped connection does.
        const first = body.open();
        await new Promise((resolve, reject) => {
          first.once('data', resolve);
          first.once('error', reject);
        });
        first.destroy();
        return remote.put(name, body);
      },
    });
    await uploadBackup(retrying, backup);
    expect(await s3Names(prefix)).toEqual([backup.name, `${backup.name}.json`]);
    expect(fs.readFileSync(s3.objectFile('race', `${prefix}/${backup.name}`))).toEqual(original);
  }, 60_000);
});

describe('a target that cannot show the manifest just stored beside the backup', () => {
  test('stored there, its window said to have failed, never superseded', async () => {
    const dir = tempDir('unread');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 10 });
    const location = { engine: 'sqlite', path: path.join(dir, 'app.db') } as const;
    const engine = await createEngine(location, {
      log: { info: () => undefined, warn: () => undefined },
    });
    const backup = await createBackup(engine, path.join(dir, 'backups'), {
      kind: 'backup',
      compression: { algorithm: 'gzip', level: 1 },
    });
    const { prefix } = placeFlags();
    const remote = new S3Storage({
      bucket: 'race',
      prefix,
      endpoint: s3.endpoint,
      forcePathStyle: true,
    });
    // Its listings leave out every manifest: the window cannot tell whose the backup is.
    const blind: Storage = Object.assign(Object.create(remote) as Storage, {
      list: async () => (await remote.list()).filter((o) => !o.name.endsWith('.json')),
    });
    const warnings: string[] = [];
    const outcome = await storeAt(
      's3',
      blind,
      backup,
      { own: await ownDatabase(location), maxBackups: 1, kind: 'backup' },
      { cwd: dir, log: { info: () => undefined, warn: (line) => warnings.push(line) } },
    );
    expect(outcome.stored).toBe(true);
    expect(outcome.superseded).toBeUndefined();
    expect(outcome.pruneError).toBe(
      `${backup.name} is there, but its manifest could not be read back, so the rolling window could not count it`,
    );
    expect(await s3Names(prefix)).toEqual([backup.name, `${backup.name}.json`]);
    expect(warnings.join('\n')).not.toMatch(/superseded/);
  }, 60_000);
  test('listed while a peer removes it for a newer backup of its database: superseded, not a window failure', async () => {
    const dir = tempDir('unread-newer');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 10 });
    const location = { engine: 'sqlite', path: path.join(dir, 'app.db') } as const;
    const engine = await createEngine(location, {
      log: { info: () => undefined, warn: () => undefined },
    });
    const made = (day: string) =>
      createBackup(engine, path.join(dir, 'backups'), {
        kind: 'backup',
        compression: { algorithm: 'gzip', level: 1 },
        now: () => new Date(`${day}T00:00:00Z`),
      });
    const backup = await made('2020-01-01');
    const newer = await made('2020-01-02');
    const { prefix } = placeFlags();
    const remote = new S3Storage({
      bucket: 'race',
      prefix,
      endpoint: s3.endpoint,
      forcePathStyle: true,
    });
    await uploadBackup(remote, newer);
    // The window lists this backup's manifest as a peer's window deletes it: gone from the listing.
    const removing: Storage = Object.assign(Object.create(remote) as Storage, {
      list: async () => (await remote.list()).filter((o) => o.name !== `${backup.name}.json`),
    });
    const warnings: string[] = [];
    const outcome = await storeAt(
      's3',
      removing,
      backup,
      { own: await ownDatabase(location), maxBackups: 1, kind: 'backup' },
      { cwd: dir, log: { info: () => undefined, warn: (line) => warnings.push(line) } },
    );
    expect(outcome.stored).toBe(false);
    expect(outcome.superseded).toBe(true);
    expect(outcome.pruneError).toBeUndefined();
    expect(outcome.error).toBe(
      `superseded: a concurrent run's rolling window removed ${backup.name} for ${newer.name}, a newer backup of this database`,
    );
    expect(warnings.join('\n')).toMatch(/superseded/);
  }, 60_000);
});

describe('the backup directory is only a staging place (local is not a target)', () => {
  test('a backup removed by hand mid-run fails the job, never superseded, and no copy is claimed', async () => {
    const dir = tempDir('staged');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 30 });
    const gate = await startGate(s3.endpoint);
    try {
      const place = placeFlags(gate.endpoint);
      const run = startCli(
        [
          'backup',
          '--database-url',
          'file:app.db',
          '--storage',
          's3,azure',
          '--json',
          ...place.flags,
        ],
        { cwd: dir, env: { ...env, MAX_BACKUPS: '1' }, fromSource: true },
      );
      await gate.arrived;
      const backupsDir = path.join(dir, 'backups');
      const [name] = fs.readdirSync(backupsDir).filter((n) => parseBackupName(n));
      fs.rmSync(path.join(backupsDir, name!));
      fs.rmSync(path.join(backupsDir, `${name!}.json`));
      gate.release();
      const done = await finished(run);
      expect(done.status, done.stderr).toBe(1);
      const result = JSON.parse(done.stdout) as Result & { stagedCopyKept: boolean };
      expect(outcomes(result)).toEqual({ s3: 'stored', azure: 'failed' });
      expect(result.targets[1]!.error).toBe(
        `${name!} was removed from ${backupsDir} before it could be stored`,
      );
      expect(result.stagedCopyKept).toBe(false);
      expect(done.stderr).not.toMatch(/superseded/);
      expect(done.stderr).not.toMatch(/stays in/);
      expect(await s3Names(place.prefix)).toEqual([name, `${name!}.json`]);
      expect(await azureNames(place.prefix)).toEqual([]);
    } finally {
      await gate.stop();
    }
  }, 120_000);
});

describe('the backup directory is only a staging place, and a peer stores a newer backup meanwhile', () => {
  test("superseded at S3 by the peer's window: the job succeeds, the staging copy goes, no target is said to have failed", async () => {
    const dir = tempDir('staged-superseded');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 30 });
    const gate = await startGate(s3.endpoint, 'window');
    try {
      const place = placeFlags(gate.endpoint);
      const args = (flags: string[]) => [
        'backup',
        '--database-url',
        'file:app.db',
        '--storage',
        's3',
        '--json',
        ...flags,
      ];
      const run = startCli(args(place.flags), {
        cwd: dir,
        env: { ...env, MAX_BACKUPS: '1' },
        fromSource: true,
      });
      await gate.arrived;
      // Stored with its manifest, the run waits to list for its window. The peer reaches the same
      // prefix directly, past the gate, and its window keeps only its own, newer backup.
      const direct = place.flags.map((flag) => (flag === gate.endpoint ? s3.endpoint : flag));
      const peer = await sourceCli(args(direct), { cwd: dir, env: { ...env, MAX_BACKUPS: '1' } });
      expect(peer.status, peer.stderr).toBe(0);
      const newer = (JSON.parse(peer.stdout) as Result).name;
      gate.release();
      const done = await finished(run);
      expect(done.status, done.stderr).toBe(0);
      const result = JSON.parse(done.stdout) as Result & { stagedCopyKept: boolean };
      expect(outcomes(result)).toEqual({ s3: 'superseded' });
      expect(result.targets[0]!.error).toContain(`for ${newer}, a newer backup`);
      expect(result.stagedCopyKept).toBe(false);
      expect(done.stderr).not.toMatch(/A target failed/);
      expect(await s3Names(place.prefix)).toEqual([newer, `${newer}.json`]);
      expect(fs.readdirSync(path.join(dir, 'backups')).filter((n) => parseBackupName(n))).toEqual(
        [],
      );
    } finally {
      await gate.stop();
    }
  }, 120_000);
});

describe('the backup file replaced by another between the backup and its upload', () => {
  for (const how of ['same size, other bytes', 'longer']) {
    test(`${how}: the target that would get it gets nothing, and the job fails`, async () => {
      const dir = tempDir('replaced');
      createSampleDatabase(path.join(dir, 'app.db'), { rows: 30 });
      const gate = await startGate(s3.endpoint);
      try {
        const place = placeFlags(gate.endpoint);
        const run = startCli(
          [
            'backup',
            '--database-url',
            'file:app.db',
            '--storage',
            'local,s3,azure',
            '--json',
            ...place.flags,
          ],
          { cwd: dir, env: { ...env, MAX_BACKUPS: '1' }, fromSource: true },
        );
        await gate.arrived;
        const backupsDir = path.join(dir, 'backups');
        const [name] = fs.readdirSync(backupsDir).filter((n) => parseBackupName(n));
        const file = path.join(backupsDir, name!);
        const original = fs.readFileSync(file);
        const other = Buffer.from(original);
        if (how === 'longer') {
          fs.writeFileSync(`${file}.new`, Buffer.concat([other, Buffer.from('more')]));
        } else {
          for (let i = 100; i < 116; i += 1) other[i]! ^= 0xff;
          fs.writeFileSync(`${file}.new`, other);
        }
        fs.renameSync(`${file}.new`, file);
        gate.release();
        const done = await finished(run);
        expect(done.status, done.stderr).toBe(1);
        const result = JSON.parse(done.stdout) as Result;
        // S3 had opened the file before: it got what was written, with its manifest.
        expect(outcomes(result)).toEqual({ local: 'failed', s3: 'stored', azure: 'failed' });
        expect(fs.readFileSync(s3.objectFile('race', `${place.prefix}/${name!}`))).toEqual(
          original,
        );
        const azure = result.targets.find((t) => t.target === 'azure')!;
        expect(azure.error).toMatch(
          new RegExp(
            `^${name!.replace(/\./g, '\\.')} in .* changed after it was written \\(.*\\): nothing of it was stored at `,
          ),
        );
        expect(await azureNames(place.prefix)).toEqual([]);
        expect(result.targets[0]!.error).toMatch(
          /no longer matches the size and sha256 in its manifest/,
        );
      } finally {
        await gate.stop();
      }
    }, 120_000);
  }
});

describe('a signal while the backup is on its way to S3', () => {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    test(`${signal}: nothing at S3, neither backup nor manifest; the next run stores its own`, async () => {
      const dir = tempDir('signal');
      createSampleDatabase(path.join(dir, 'app.db'), { rows: 30 });
      const gate = await startGate(s3.endpoint);
      const place = placeFlags(gate.endpoint);
      try {
        const args = [
          'backup',
          '--database-url',
          'file:app.db',
          '--storage',
          'local,s3',
          '--json',
          ...place.flags,
        ];
        const run = startCli(args, {
          cwd: dir,
          env: { ...env, MAX_BACKUPS: '1' },
          fromSource: true,
        });
        await gate.arrived;
        run.child.kill(signal);
        const done = await finished(run);
        if (signal === 'SIGTERM') expect(done.status, done.stderr).toBe(143);
        else expect(done.signal).toBe('SIGKILL');
        gate.release();
        const backupsDir = path.join(dir, 'backups');
        expect(await s3Names(place.prefix)).toEqual([]);
        const [name] = fs.readdirSync(backupsDir).filter((n) => parseBackupName(n));
        expectPaired(fs.readdirSync(backupsDir));
        const next = await sourceCli(args, { cwd: dir, env: { ...env, MAX_BACKUPS: '1' } });
        expect(next.status, next.stderr).toBe(0);
        const stored = (JSON.parse(next.stdout) as Result).name;
        expect(await s3Names(place.prefix)).toEqual([stored, `${stored}.json`]);
        expect(fs.readdirSync(backupsDir).filter((n) => parseBackupName(n))).toEqual([stored]);
        expect(stored).not.toBe(name);
      } finally {
        await gate.stop();
      }
    }, 120_000);
  }
});

test('SIGTERM during a multipart upload: the upload is aborted, none of its parts stays at S3', async () => {
  const dir = tempDir('signal-parts');
  // Incompressible rows: a backup of about 7 MB goes up in two parts.
  const db = new Database(path.join(dir, 'app.db'));
  db.exec('CREATE TABLE t (b BLOB)');
  const insert = db.prepare('INSERT INTO t VALUES (?)');
  for (let i = 0; i < 70; i += 1) insert.run(randomBytes(100_000));
  db.close();
  const gate = await startGate(s3.endpoint, 'parts');
  const place = placeFlags(gate.endpoint);
  try {
    const pendingBefore = s3.pendingMultipartUploads();
    const run = startCli(
      ['backup', '--database-url', 'file:app.db', '--storage', 'local,s3', ...place.flags],
      { cwd: dir, env, fromSource: true },
    );
    await gate.arrived;
    expect(s3.pendingMultipartUploads().length).toBe(pendingBefore.length + 1);
    run.child.kill('SIGTERM');
    const done = await finished(run);
    expect(done.status, done.stderr).toBe(143);
    expect(s3.pendingMultipartUploads()).toEqual(pendingBefore);
    expect(await s3Names(place.prefix)).toEqual([]);
  } finally {
    await gate.stop();
  }
}, 120_000);

describe('many concurrent runs into one directory, one S3 prefix (and one Azure prefix)', () => {
  const cases = [
    { storage: 'local,s3', max: '1' },
    { storage: 's3,local', max: '1' },
    { storage: 'local,s3,azure', max: '1' },
  ];
  for (const { storage, max } of cases) {
    test(`8 at once, 3 rounds, --storage ${storage}, MAX_BACKUPS ${max}: all exit 0, all paired, the newest stored everywhere`, async () => {
      const dir = tempDir('race');
      for (const db of ['a', 'b']) createSampleDatabase(path.join(dir, `${db}.db`), { rows: 50 });
      const { flags, prefix } = placeFlags();
      const backupsDir = path.join(dir, 'backups');
      const listings = {
        local: () => Promise.resolve(fs.readdirSync(backupsDir)),
        s3: () => s3Names(prefix),
        azure: () => azureNames(prefix),
      };
      const targets = storage.split(',') as (keyof typeof listings)[];
      for (let round = 0; round < 3; round += 1) {
        const dbs = ['a', 'b', 'a', 'b', 'a', 'a', 'b', 'a'];
        const runs = await Promise.all(
          dbs.map((db) =>
            sourceCli(
              [
                'backup',
                '--database-url',
                `file:${db}.db`,
                '--storage',
                storage,
                '--json',
                ...flags,
              ],
              { cwd: dir, env: { ...env, MAX_BACKUPS: max } },
            ),
          ),
        );
        const results = runs.map((run) => {
          expect(run.status, run.stderr).toBe(0);
          return JSON.parse(run.stdout) as Result;
        });
        const places = Object.fromEntries(
          await Promise.all(targets.map(async (t) => [t, await listings[t]()] as const)),
        );
        for (const names of Object.values(places)) expectPaired(names);
        for (const db of ['a', 'b']) {
          const mine = results.filter((_, i) => dbs[i] === db);
          const newest = mine.map((r) => parseBackupName(r.name)!).sort(compareNewestFirst)[0]!;
          const result = mine.find((r) => r.name === newest.name)!;
          expect(Object.values(outcomes(result))).toEqual(targets.map(() => 'stored'));
          for (const t of targets) expect(places[t]).toContain(newest.name);
        }
        for (const result of results) {
          for (const t of result.targets) {
            expect(t.stored || t.superseded, `${result.name} at ${t.target}: ${t.error}`).toBe(
              true,
            );
            // Superseded names the newer backup it was removed for, of the same database.
            const newer = /for (\S+), a newer backup/.exec(t.error ?? '')?.[1];
            if (t.superseded && newer)
              expect(
                compareNewestFirst(parseBackupName(newer)!, parseBackupName(result.name)!),
              ).toBeLessThan(0);
          }
        }
      }
    }, 600_000);
  }
});
