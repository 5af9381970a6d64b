import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isWorded, UserError } from '../src/domain/errors.js';
import { registerSecret } from '../src/domain/secrets.js';
import { keyOf, nameOfKey, normalizePrefix } from '../src/storage/object-keys.js';
import {
  explainS3Error,
  MIN_PART_SIZE,
  partSizeFor,
  queueSizeFor,
  S3Storage,
  type S3Options,
} from '../src/storage/s3.js';
import { freePort } from './support/child-server.js';
import { flipBytes } from './support/corrupt.js';
import { FAUXQS_CREDENTIALS, startS3Server, type S3TestServer } from './support/s3-server.js';
import { startConditionalProxy } from './support/s3-conditional-proxy.js';
import {
  foreignKeys,
  generatedBody,
  pausingBody,
  storageContract,
  textBody,
} from './support/storage-contract.js';
import { tempDir } from './support/tmp.js';

// The storage finds credentials through the SDK's default chain, as in production:
// here that is the environment. No instance metadata lookups in tests.
process.env.AWS_ACCESS_KEY_ID = FAUXQS_CREDENTIALS.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = FAUXQS_CREDENTIALS.secretAccessKey;
process.env.AWS_EC2_METADATA_DISABLED = 'true';
delete process.env.AWS_PROFILE;
delete process.env.AWS_SESSION_TOKEN;

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;
const BUCKET = 'backups';

let server: S3TestServer;

beforeAll(async () => {
  server = await startS3Server([BUCKET]);
});

afterAll(async () => {
  await server?.stop();
});

function s3Storage(prefix: string, options: Partial<S3Options> = {}): S3Storage {
  return new S3Storage({
    bucket: BUCKET,
    prefix,
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    ...options,
  });
}

function freshPrefix(): string {
  return `run-${randomBytes(4).toString('hex')}/backups/app`;
}

async function putRaw(key: string, body: string): Promise<void> {
  await server.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

async function existsRaw(key: string): Promise<boolean> {
  return server.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).then(
    () => true,
    (error: { $metadata?: { httpStatusCode?: number } }) => {
      if (error.$metadata?.httpStatusCode === 404) return false;
      throw error;
    },
  );
}

/** Every unfinished multipart upload in the bucket, by ListMultipartUploads and by fauxqs's own files. */
async function leftoverUploads(): Promise<string[]> {
  const listed = await server.client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
  return [
    ...(listed.Uploads ?? []).map((upload) => `${upload.Key} ${upload.UploadId}`),
    ...server.pendingMultipartUploads(),
  ];
}

storageContract('S3Storage on fauxqs', async () => {
  const prefix = freshPrefix();
  const foreign = foreignKeys(prefix);
  await Promise.all(foreign.map((key) => putRaw(key, 'not ours')));
  return {
    storage: s3Storage(prefix),
    corrupt: (name) => Promise.resolve(flipBytes(server.objectFile(BUCKET, `${prefix}/${name}`))),
    foreign,
    exists: existsRaw,
    // A single-part object keeps a whole-object CRC32 that the SDK checks while
    // downloading; a multipart one only a composite CRC32, which it cannot check.
    getDetectsCorruption: (size) => size <= MIN_PART_SIZE,
    leftoverUploads,
    // Parts of 5 MiB, 4 in flight.
    heldByDesign: queueSizeFor(MIN_PART_SIZE) * MIN_PART_SIZE,
  };
});

describe('partSizeFor', () => {
  test.each([
    [0, 5 * MiB],
    [1, 5 * MiB],
    [5 * MiB, 5 * MiB],
    [100 * MiB, 5 * MiB],
    [48 * GiB, 5 * MiB],
    [50 * GiB, 6 * MiB],
    [100 * GiB, 11 * MiB],
    [TiB, 105 * MiB],
    [5 * TiB, 525 * MiB],
  ])('%d bytes → parts of %d bytes', (size, expected) => {
    expect(partSizeFor(size)).toBe(expected);
  });

  test.each([0, 1, 5 * MiB + 1, 48 * GiB + 1, 777 * GiB + 12_345, 3 * TiB - 1, 5 * TiB])(
    '%d bytes fit in 10,000 parts of at least 5 MiB, whole MiB, at most 5 GiB',
    (size) => {
      const part = partSizeFor(size);
      expect(part).toBeGreaterThanOrEqual(5 * MiB);
      expect(part).toBeLessThanOrEqual(5 * GiB);
      expect(part % MiB).toBe(0);
      expect(Math.ceil(size / part)).toBeLessThanOrEqual(10_000);
    },
  );

  test('refuses objects over 5 TiB and sizes that are not byte counts', () => {
    expect(() => partSizeFor(5 * TiB + 1)).toThrow(UserError);
    expect(() => partSizeFor(-1)).toThrow(RangeError);
    expect(() => partSizeFor(1.5)).toThrow(RangeError);
  });

  test.each([
    [5 * MiB, 4],
    [16 * MiB, 4],
    [32 * MiB, 2],
    [64 * MiB, 1],
    [525 * MiB, 1],
  ])('parts of %d bytes go up %d at a time', (part, queue) => {
    expect(queueSizeFor(part)).toBe(queue);
  });
});

describe('S3 prefixes', () => {
  test.each([
    ['', ''],
    ['/', ''],
    ['backups', 'backups'],
    ['backups/app', 'backups/app'],
    ['/backups//app/', 'backups/app'],
    ['backups/app/', 'backups/app'],
  ])('prefix %j is %j', (raw, normalized) => {
    expect(normalizePrefix(raw)).toBe(normalized);
    const storage = new S3Storage({
      bucket: 'b',
      prefix: raw,
      region: 'us-east-1',
      forcePathStyle: false,
    });
    expect(storage.prefix).toBe(normalized);
    expect(storage.location).toBe(`s3://b/${normalized}`);
  });

  test.each(['a/../b', './a'])('prefix %j is refused', (raw) => {
    expect(() => normalizePrefix(raw)).toThrow(UserError);
  });

  test.each([
    ['', 'x.db.gz', 'x.db.gz'],
    ['backups/app', 'x.db.gz', 'backups/app/x.db.gz'],
  ])('under %j, %s is the key %s, and back', (prefix, name, key) => {
    expect(keyOf(prefix, name)).toBe(key);
    expect(nameOfKey(prefix, key)).toBe(name);
  });

  test.each([
    ['backups/app', 'backups/app-old/x.db.gz'],
    ['backups/app', 'backups/app/archive/x.db.gz'],
    ['backups/app', 'backups/app/'],
    ['', 'nested/x.db.gz'],
  ])('under %j, %s is not a backup of ours', (prefix, key) => {
    expect(nameOfKey(prefix, key)).toBeUndefined();
  });

  test.each(['', 'a/b', '..'])('the name %j is refused', (name) => {
    expect(() => keyOf('p', name)).toThrow();
  });
});

describe('S3 error messages', () => {
  const context = {
    location: 's3://b/p',
    bucket: 'b',
    endpoint: 'https://user:hunter22@minio.example:9000/',
    action: 'listing',
  };

  function s3Error(name: string, status: number, message = 'server text'): Error {
    return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
  }

  test.each([
    [
      s3Error('NoSuchBucket', 404),
      /^The bucket b does not exist \(listing at s3:\/\/b\/p\): create it/,
    ],
    [s3Error('AccessDenied', 403), /^Access was denied while listing at s3:\/\/b\/p: allow/],
    [s3Error('Forbidden', 403), /^Access was denied/],
    [
      s3Error('InvalidAccessKeyId', 403),
      /credentials were refused \(InvalidAccessKeyId\).*check or renew/,
    ],
    [s3Error('PermanentRedirect', 301), /is in another region.*set s3-region/],
    [s3Error('NoSuchKey', 404), /^Nothing found while listing/],
    [s3Error('NotImplemented', 501), /does not support a request this tool needs/],
    [
      s3Error('InternalError', 500),
      /^S3 refused listing at s3:\/\/b\/p: InternalError \(HTTP 500\)/,
    ],
    [
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
      /^No AWS credentials were found for listing at s3:\/\/b\/p: set AWS_ACCESS_KEY_ID/,
    ],
    [new Error('Region is missing'), /^No AWS region is set .*s3-region or AWS_REGION/],
    [
      Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:9000'), { code: 'ECONNREFUSED' }),
      /^Cannot reach https:\/\/minio\.example:9000 \(ECONNREFUSED\) while listing at s3:\/\/b\/p: check s3-endpoint/,
    ],
    [
      Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ETIMEDOUT' })]), {}),
      /^Cannot reach .*\(ETIMEDOUT\)/,
    ],
    [new Error('Checksum mismatch: expected "a" but received "b"'), /failed its S3 checksum/],
  ])('%s', (error, expected) => {
    const explained = explainS3Error(error, context);
    expect(isWorded(explained)).toBe(true);
    const message = (explained as Error).message;
    expect(message).toMatch(expected);
    expect(message.split('\n')).toHaveLength(1);
    expect(message).not.toContain('hunter22');
  });

  test('a server message is redacted, and other errors pass unchanged', () => {
    registerSecret('s3cr3t-value');
    const explained = explainS3Error(s3Error('SlowDown', 503, 'leaked s3cr3t-value here'), context);
    expect((explained as Error).message).not.toContain('s3cr3t-value');
    const own = new Error('simulated failure of the body stream');
    expect(explainS3Error(own, context)).toBe(own);
  });
});

describe('S3Storage against fauxqs', () => {
  test('a missing bucket is one clear line', async () => {
    const storage = new S3Storage({
      bucket: 'no-such-bucket',
      prefix: 'x',
      region: 'us-east-1',
      endpoint: server.endpoint,
      forcePathStyle: true,
    });
    await expect(storage.list()).rejects.toThrow(/^The bucket no-such-bucket does not exist/);
    await expect(storage.put('a.db.gz', textBody('x'))).rejects.toThrow(UserError);
  });

  test('an unreachable endpoint is one clear line', async () => {
    const port = await freePort();
    const storage = s3Storage('x', { endpoint: `http://127.0.0.1:${port}` });
    await expect(storage.list()).rejects.toThrow(
      new RegExp(`^Cannot reach http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`),
    );
  });

  test('missing credentials are one clear line, with no secret in it', async () => {
    const saved = { ...process.env };
    try {
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
      process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(tempDir('no-aws'), 'credentials');
      process.env.AWS_CONFIG_FILE = path.join(tempDir('no-aws'), 'config');
      await expect(s3Storage('x').list()).rejects.toThrow(/^No AWS credentials were found/);
    } finally {
      process.env = saved;
    }
  });

  test('a name taken while the upload runs is not replaced: the conditional completion is refused', async () => {
    // fauxqs ignores If-None-Match; the proxy answers 412 for it as S3 does.
    const proxy = await startConditionalProxy(server.endpoint);
    try {
      const prefix = freshPrefix();
      const storage = s3Storage(prefix, { endpoint: proxy.endpoint });
      let resume!: () => void;
      const resumed = new Promise<void>((resolve) => {
        resume = resolve;
      });
      const upload = storage.put('raced.db.gz', pausingBody(20 * MiB, 10 * MiB, resumed));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await putRaw(`${prefix}/raced.db.gz`, 'the other writer');
      resume();
      await expect(upload).rejects.toThrow(/raced\.db\.gz already exists; it was left as it is/);
      expect(await leftoverUploads()).toEqual([]);
      const target = path.join(tempDir('s3-raced'), 'raced.db.gz');
      await s3Storage(prefix).get('raced.db.gz', target);
      expect(fs.readFileSync(target, 'utf8')).toBe('the other writer');
      const complete = proxy.requests.find(
        (r) => r.method === 'POST' && r.query.includes('uploadId'),
      );
      expect(complete?.ifNoneMatch).toBe('*');

      await storage.put('single.db.gz', textBody('one part'));
      const single = proxy.requests.find(
        (r) => r.method === 'PUT' && r.path.endsWith('/single.db.gz'),
      );
      expect(single?.ifNoneMatch).toBe('*');
    } finally {
      await proxy.stop();
    }
  });

  test('a body shorter or longer than declared fails, and leaves nothing behind', async () => {
    const prefix = freshPrefix();
    const storage = s3Storage(prefix);
    const short = generatedBody(11 * MiB, 'short');
    await expect(storage.put('short.db.gz', { ...short, size: 12 * MiB })).rejects.toThrow(
      /ended after 11534336 of its declared 12582912 bytes/,
    );
    const long = generatedBody(13 * MiB, 'long');
    await expect(storage.put('long.db.gz', { ...long, size: 12 * MiB })).rejects.toThrow(
      /longer than its declared/,
    );
    const small = generatedBody(1000, 'small');
    await expect(storage.put('small.db.gz', { ...small, size: 999 })).rejects.toThrow(/longer/);
    expect(await storage.list()).toEqual([]);
    expect(await leftoverUploads()).toEqual([]);
  });

  test('lists more than one page (1,000 keys) of objects', async () => {
    const prefix = freshPrefix();
    const names = Array.from({ length: 1005 }, (_, i) => `obj-${String(i).padStart(4, '0')}`);
    for (let i = 0; i < names.length; i += 50) {
      await Promise.all(names.slice(i, i + 50).map((name) => putRaw(`${prefix}/${name}`, name)));
    }
    await putRaw(`${prefix}/deeper/obj-9999`, 'nested');
    const listed = await s3Storage(prefix).list();
    expect(listed.map((object) => object.name).sort()).toEqual(names);
  }, 120_000);

  test('a top-level prefix lists the bucket root only', async () => {
    const name = `root-${randomBytes(3).toString('hex')}.db.gz`;
    const storage = s3Storage('');
    await storage.put(name, textBody('at the root'));
    const listed = (await storage.list()).map((object) => object.name);
    expect(listed).toContain(name);
    for (const listedName of listed) expect(listedName).not.toContain('/');
    await storage.delete(name);
  });

  test('sends server-side encryption and a storage class', async () => {
    const storage = s3Storage(freshPrefix(), {
      serverSideEncryption: 'AES256',
      storageClass: 'STANDARD_IA',
    });
    await storage.put('enc.db.gz', generatedBody(6 * MiB, 'enc'));
    expect((await storage.list()).map((object) => object.name)).toEqual(['enc.db.gz']);
  });

  test('a KMS key id without aws:kms is refused', () => {
    expect(() => s3Storage('x', { kmsKeyId: 'arn:aws:kms:eu-west-1:1:key/abc' })).toThrow(
      /needs server-side encryption aws:kms/,
    );
  });

  test('a download that fails its checksum leaves no file and says what happened', async () => {
    const prefix = freshPrefix();
    const storage = s3Storage(prefix);
    await storage.put('small.db.gz', generatedBody(100_000, 'small'));
    flipBytes(server.objectFile(BUCKET, `${prefix}/small.db.gz`));
    const dir = tempDir('s3-bad-download');
    await expect(storage.get('small.db.gz', path.join(dir, 'small.db.gz'))).rejects.toThrow(
      /failed its S3 checksum/,
    );
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
