import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Storage as GoogleStorage } from '@google-cloud/storage';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { JobFailure, UserError } from '../src/domain/errors.js';
import { GcsStorage } from '../src/storage/gcs.js';
import type { UploadBody } from '../src/storage/storage.js';
import { startGcsStandin, type GcsStandin } from './support/gcs-standin.js';
import {
  foreignKeys,
  generatedBody,
  storageContract,
  textBody,
} from './support/storage-contract.js';
import { tempDir } from './support/tmp.js';

const BUCKET = 'db-backup-test';
let standinStarted: Promise<GcsStandin> | undefined;

/** One stand-in for the whole file, started on first use. */
function standin(): Promise<GcsStandin> {
  standinStarted ??= startGcsStandin(tempDir('gcs-standin')).then((started) => {
    started.createBucket(BUCKET);
    return started;
  });
  return standinStarted;
}

afterAll(async () => {
  if (standinStarted) await (await standinStarted).close();
});

let prefixCounter = 0;
function freshPrefix(): string {
  return `team/db${(prefixCounter += 1)}`;
}

async function storageOnStandin(prefix = freshPrefix()): Promise<GcsStorage> {
  const server = await standin();
  return new GcsStorage({ bucket: BUCKET, prefix, apiEndpoint: server.url });
}

storageContract('GcsStorage against the GCS JSON API stand-in', async () => {
  const server = await standin();
  const prefix = freshPrefix();
  const foreign = foreignKeys(prefix);
  for (const key of foreign) await server.putObject(BUCKET, key, Buffer.from('not ours'));
  return {
    storage: await storageOnStandin(prefix),
    corrupt: (name) => server.corrupt(BUCKET, `${prefix}/${name}`),
    foreign,
    exists: (key) => Promise.resolve(server.exists(BUCKET, key)),
    // The client checks the crc32c the service keeps on every download.
    getDetectsCorruption: () => true,
    leftoverUploads: () =>
      Promise.resolve(server.openSessions().filter((name) => name.startsWith(`${prefix}/`))),
    // One resumable upload streamed in a single request, and a download streamed to the file.
    heldByDesign: 0,
  };
});

describe('GcsStorage against the stand-in', () => {
  afterEach(async () => {
    (await standin()).pageSize = 1000;
  });

  test('asks the service to refuse a replacement (ifGenerationMatch=0) and leaves the original', async () => {
    const server = await standin();
    const storage = await storageOnStandin();
    const name = 'sqlite_backup_20260301_000000.db.gz';
    await storage.put(name, textBody('first'));
    const before = server.requests.length;
    const error = await storage.put(name, textBody('second')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/already exists; it was left as it is/);
    const creates = server.requests.slice(before).filter((r) => r.startsWith('POST /upload/'));
    expect(creates).toHaveLength(1);
    expect(creates[0]).toContain('ifGenerationMatch=0');
    const target = path.join(tempDir('gcs-precondition'), name);
    await storage.get(name, target);
    expect(fs.readFileSync(target, 'utf8')).toBe('first');
  });

  test('an object that appears while the upload runs is not replaced (precondition at finalization)', async () => {
    const server = await standin();
    const prefix = freshPrefix();
    const storage = await storageOnStandin(prefix);
    const name = 'sqlite_backup_20260302_000000.db.gz';
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const body: UploadBody = {
      size: 8,
      open: () =>
        Readable.from(
          (async function* () {
            yield Buffer.from('ours');
            await released;
            yield Buffer.from('ours');
          })(),
        ),
    };
    const putting = storage.put(name, body).catch((e: unknown) => e);
    // Wait until the session exists, then let another writer win the race.
    await expect.poll(() => server.openSessions()).toContain(`${prefix}/${name}`);
    await server.putObject(BUCKET, `${prefix}/${name}`, Buffer.from('theirs'));
    release();
    const error = await putting;
    expect((error as Error).message).toMatch(/already exists/);
    const target = path.join(tempDir('gcs-race'), name);
    await storage.get(name, target);
    expect(fs.readFileSync(target, 'utf8')).toBe('theirs');
  });

  test('lists across several pages', async () => {
    const server = await standin();
    const storage = await storageOnStandin();
    const names = Array.from({ length: 7 }, (_, i) => `sqlite_backup_20260303_00000${i}.db.gz`);
    for (const name of names) await storage.put(name, textBody(name));
    server.pageSize = 3;
    const before = server.requests.length;
    const listed = (await storage.list()).map((object) => object.name).sort();
    expect(listed).toEqual(names);
    const pages = server.requests.slice(before).filter((r) => r.startsWith('GET /storage/v1/b/'));
    expect(pages).toHaveLength(3);
    expect(pages[1]).toContain('pageToken=');
  });

  test('a prefix with stray slashes, and the bucket root, map names the same way', async () => {
    const server = await standin();
    const slashed = new GcsStorage({ bucket: BUCKET, prefix: '/odd//', apiEndpoint: server.url });
    expect(slashed.location).toBe(`gs://${BUCKET}/odd/`);
    await slashed.put('notes.txt', textBody('x'));
    expect(server.exists(BUCKET, 'odd/notes.txt')).toBe(true);
    const root = new GcsStorage({ bucket: BUCKET, prefix: '', apiEndpoint: server.url });
    expect(root.location).toBe(`gs://${BUCKET}/`);
    await root.put('root-object.txt', textBody('y'));
    expect(server.exists(BUCKET, 'root-object.txt')).toBe(true);
    expect((await root.list()).map((o) => o.name)).toContain('root-object.txt');
    expect((await root.list()).map((o) => o.name)).not.toContain('notes.txt');
  });

  test('a body shorter than announced fails and leaves no object and no session', async () => {
    const server = await standin();
    const prefix = freshPrefix();
    const storage = await storageOnStandin(prefix);
    const name = 'sqlite_backup_20260304_000000.db.gz';
    const body = { size: 10, open: () => Readable.from([Buffer.from('short')]) };
    const error = await storage.put(name, body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobFailure);
    expect((error as Error).message).toMatch(/ended after 5 of its declared 10 bytes/);
    expect(server.exists(BUCKET, `${prefix}/${name}`)).toBe(false);
    expect(server.openSessions().filter((n) => n.startsWith(prefix))).toEqual([]);
  });

  test('get of a missing object says so and leaves no file', async () => {
    const storage = await storageOnStandin();
    const target = path.join(tempDir('gcs-missing'), 'x');
    await expect(storage.get('sqlite_backup_20000101_000000.db.gz', target)).rejects.toThrow(
      /sqlite_backup_20000101_000000\.db\.gz does not exist/,
    );
    expect(fs.existsSync(target)).toBe(false);
  });

  test('a missing object in a bucket whose name says "bucket" is not a missing bucket', async () => {
    const server = await standin();
    server.createBucket('team-bucket');
    const storage = new GcsStorage({ bucket: 'team-bucket', prefix: 'x', apiEndpoint: server.url });
    const target = path.join(tempDir('gcs-missing-object'), 'y');
    await expect(storage.get('nothing.db.gz', target)).rejects.toThrow(
      'gs://team-bucket/x/nothing.db.gz does not exist.',
    );
  });

  test('a missing bucket is one clear line', async () => {
    const server = await standin();
    const storage = new GcsStorage({
      bucket: 'no-such-bucket',
      prefix: 'x',
      apiEndpoint: server.url,
    });
    const error = await storage.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      'GCS bucket no-such-bucket does not exist (gs://no-such-bucket/x/).',
    );
    await expect(storage.put('a.txt', textBody('a'))).rejects.toThrow(/does not exist/);
  });

  test.each([
    ['put', 'POST', 'storage.objects.create'],
    ['list', 'GET', 'storage.objects.list'],
    ['get', 'GET', 'storage.objects.get'],
    ['delete', 'DELETE', 'storage.objects.delete'],
  ] as const)('403 on %s names the permission %s', async (operation, method, permission) => {
    const server = await standin();
    const storage = await storageOnStandin();
    const name = 'sqlite_backup_20260305_000000.db.gz';
    if (operation === 'get') await storage.put(name, textBody('x'));
    server.fail({
      method,
      status: 403,
      message: `ci@example.iam.gserviceaccount.com does not have ${permission} access to the Google Cloud Storage object.`,
    });
    const target = path.join(tempDir('gcs-403'), name);
    const run = {
      put: () => storage.put(name, textBody('x')),
      list: () => storage.list(),
      get: () => storage.get(name, target),
      delete: () => storage.delete(name),
    }[operation];
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    expect(message).toMatch(
      new RegExp(`^Permission denied on gs://${BUCKET}/.*need ${permission} `),
    );
    expect(message).not.toContain('\n');
    expect(fs.existsSync(target)).toBe(false);
  });

  test('no Application Default Credentials is one clear line', async () => {
    const saved = process.env.GOOGLE_APPLICATION_CREDENTIALS;
    process.env.GOOGLE_APPLICATION_CREDENTIALS = path.join(tempDir('gcs-adc'), 'missing.json');
    try {
      // No apiEndpoint: the real service, so the client must find credentials before any request.
      const storage = new GcsStorage({ bucket: BUCKET, prefix: 'x', projectId: 'p' });
      const error = await storage.list().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toMatch(
        /^No Google Cloud credentials for gs:\/\/db-backup-test\/x\/: run google-github-actions\/auth/,
      );
    } finally {
      if (saved === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
      else process.env.GOOGLE_APPLICATION_CREDENTIALS = saved;
    }
  });

  test('the library validates uploads too: a body the service stored differently is removed', async () => {
    const server = await standin();
    const prefix = freshPrefix();
    const storage = await storageOnStandin(prefix);
    const name = 'sqlite_backup_20260306_000000.db.gz';
    server.tamperNextUpload = true;
    const error = await storage
      .put(name, generatedBody(300_000, 'tamper'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobFailure);
    expect((error as Error).message).toMatch(/do not match the checksum/);
    expect(server.exists(BUCKET, `${prefix}/${name}`)).toBe(false);
  });
});

const realBucket = process.env.GCS_TEST_BUCKET;
if (realBucket) {
  describe('real GCS', () => {
    const client = new GoogleStorage();
    const runPrefix = `db-backup-action-test/${new Date().toISOString().slice(0, 10)}-${randomUUID()}`;
    let counter = 0;

    beforeAll(() => {
      console.log(`[real GCS] using gs://${realBucket}/${runPrefix}/`);
    });
    afterAll(async () => {
      await client.bucket(realBucket).deleteFiles({ prefix: `${runPrefix}/`, force: true });
    });

    storageContract('GcsStorage against real GCS', async () => {
      const prefix = `${runPrefix}/t${(counter += 1)}`;
      const bucket = client.bucket(realBucket);
      const foreign = foreignKeys(prefix);
      for (const key of foreign) await bucket.file(key).save('not ours');
      return {
        storage: new GcsStorage({ bucket: realBucket, prefix }),
        // Objects are immutable: rewrite one with a flipped byte (new checksums, same size),
        // so only the manifest can tell.
        corrupt: async (name) => {
          const file = bucket.file(`${prefix}/${name}`);
          const [bytes] = await file.download();
          bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
          await file.save(bytes, { resumable: false });
        },
        foreign,
        exists: async (key) => (await bucket.file(key).exists())[0],
        getDetectsCorruption: () => false,
      };
    });
  });
} else {
  describe.skip('real GCS (set GCS_TEST_BUCKET and Application Default Credentials to run)', () => {
    test('contract against a real bucket', () => undefined);
  });
}
