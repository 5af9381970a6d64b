import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isWorded, UserError } from '../src/domain/errors.js';
import { redact } from '../src/domain/secrets.js';
import {
  AzureBlobStorage,
  blockSizeFor,
  bufferCountFor,
  explainAzureError,
} from '../src/storage/azure.js';
import { AZURITE_KEY, startAzurite, type Azurite } from './support/azurite.js';
import {
  foreignKeys,
  generatedBody,
  pausingBody,
  storageContract,
  textBody,
} from './support/storage-contract.js';
import { tempDir } from './support/tmp.js';

const MiB = 1024 * 1024;
const CONTAINER = 'backups';

let azurite: Azurite;
let container: ContainerClient;

beforeAll(async () => {
  azurite = await startAzurite();
  container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
    CONTAINER,
  );
  await container.create();
});

afterAll(async () => {
  await azurite?.stop();
});

function azureStorage(prefix: string, containerName = CONTAINER): AzureBlobStorage {
  return new AzureBlobStorage({
    container: containerName,
    prefix,
    connectionString: azurite.connectionString,
  });
}

function freshPrefix(): string {
  return `run-${randomBytes(4).toString('hex')}/backups/app`;
}

/**
 * Replaces the blob's bytes with a copy that has 16 bytes flipped, and puts
 * back the MD5 property of the original: what bit rot at rest looks like to a
 * reader. (Commit Block List stores the MD5 it is given without checking it.)
 */
async function corruptBlob(key: string): Promise<void> {
  const blob = container.getBlockBlobClient(key);
  const properties = await blob.getProperties();
  const bytes = await blob.downloadToBuffer();
  const middle = Math.floor(bytes.length / 2);
  for (let i = middle; i < Math.min(middle + 16, bytes.length); i += 1) bytes[i] = bytes[i]! ^ 0xff;
  const blockId = Buffer.from('corrupted-block').toString('base64');
  await blob.stageBlock(blockId, bytes, bytes.length);
  await blob.commitBlockList([blockId], {
    blobHTTPHeaders: {
      ...(properties.contentMD5 ? { blobContentMD5: properties.contentMD5 } : {}),
      blobContentType: properties.contentType ?? 'application/octet-stream',
    },
  });
}

storageContract('AzureBlobStorage on Azurite', async () => {
  const prefix = freshPrefix();
  const foreign = foreignKeys(prefix);
  await Promise.all(
    foreign.map((key) => container.getBlockBlobClient(key).upload('not ours', 'not ours'.length)),
  );
  return {
    storage: azureStorage(prefix),
    corrupt: (name) => corruptBlob(`${prefix}/${name}`),
    foreign,
    exists: (key) => container.getBlobClient(key).exists(),
    // Every blob it writes carries the MD5 of its content, checked on download.
    getDetectsCorruption: () => true,
    // Blocks of 4 MiB, 4 in flight.
    heldByDesign: bufferCountFor(blockSizeFor(0)) * blockSizeFor(0),
  };
});

describe('blockSizeFor', () => {
  test.each([
    [0, 4 * MiB],
    [100 * MiB, 4 * MiB],
    [195 * 1024 * MiB, 4 * MiB],
    [200 * 1024 * MiB, 5 * MiB],
    [10 * 1024 * 1024 * MiB, 210 * MiB],
  ])('%d bytes → blocks of %d bytes', (size, expected) => {
    expect(blockSizeFor(size)).toBe(expected);
    expect(Math.ceil(size / expected)).toBeLessThanOrEqual(50_000);
  });

  test('refuses what no block blob can hold', () => {
    expect(() => blockSizeFor(50_000 * 4000 * MiB + 1)).toThrow(UserError);
    expect(() => blockSizeFor(-1)).toThrow(RangeError);
  });

  test.each([
    [4 * MiB, 4],
    [8 * MiB, 4],
    [16 * MiB, 2],
    [32 * MiB, 1],
    [210 * MiB, 1],
  ])('blocks of %d bytes are buffered %d at a time', (blockSize, count) => {
    expect(bufferCountFor(blockSize)).toBe(count);
  });
});

describe('Azure options and secrets', () => {
  test('needs exactly one of an account URL and a connection string', () => {
    expect(() => new AzureBlobStorage({ container: 'c', prefix: '' })).toThrow(/exactly one of/);
    expect(
      () =>
        new AzureBlobStorage({
          container: 'c',
          prefix: '',
          accountUrl: 'https://acct.blob.core.windows.net',
          connectionString: azurite.connectionString,
        }),
    ).toThrow(/exactly one of/);
  });

  test('an account URL signs in with DefaultAzureCredential and names the place', () => {
    const storage = new AzureBlobStorage({
      container: 'c',
      prefix: '/backups//app/',
      accountUrl: 'https://acct.blob.core.windows.net',
    });
    expect(storage.location).toBe('https://acct.blob.core.windows.net/c/backups/app');
  });

  test('the connection string and its key are secrets, and never in the location', () => {
    const storage = azureStorage('backups/app');
    expect(storage.location).toBe(`${azurite.blobUrl}/${CONTAINER}/backups/app`);
    expect(redact(`x ${azurite.connectionString} y`)).toBe('x *** y');
    expect(redact(`key ${AZURITE_KEY}`)).toBe('key ***');
    const sas =
      'sv=2024-11-04&ss=b&srt=sco&sp=rwdl&se=2030-01-01T00:00:00Z&sig=c2VjcmV0c2lnbmF0dXJl';
    const withSas = new AzureBlobStorage({
      container: 'c',
      prefix: 'p',
      connectionString: `BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=${sas}`,
    });
    expect(withSas.location).toBe('https://acct.blob.core.windows.net/c/p');
    expect(redact(sas)).toBe('***');
  });

  test('a malformed connection string is refused without being quoted', () => {
    const bad = 'AccountName=x;AccountKey=not-a-valid-key-at-all';
    let message = '';
    try {
      new AzureBlobStorage({ container: 'c', prefix: '', connectionString: bad });
    } catch (error) {
      expect(isWorded(error)).toBe(true);
      message = (error as Error).message;
    }
    expect(message).toMatch(/not a valid Azure Storage connection string/);
    expect(message).not.toContain('not-a-valid-key');
  });
});

describe('Azure error messages', () => {
  const context = {
    location: 'https://acct.blob.core.windows.net/c/p',
    container: 'c',
    endpoint: 'https://acct.blob.core.windows.net',
    action: 'listing',
  };

  function restError(code: string, statusCode: number): Error {
    return Object.assign(new Error(`${code} server text`), { name: 'RestError', code, statusCode });
  }

  test.each([
    [restError('ContainerNotFound', 404), /^The container c does not exist \(listing at https:/],
    [restError('BlobNotFound', 404), /^Nothing found while listing/],
    [restError('AuthenticationFailed', 403), /credentials were refused \(AuthenticationFailed\)/],
    [restError('AuthorizationPermissionMismatch', 403), /Storage Blob Data Contributor/],
    [restError('ServerBusy', 503), /^Azure refused listing .*ServerBusy \(HTTP 503\)/],
    [
      Object.assign(new Error('connect ECONNREFUSED'), { name: 'RestError', code: 'ECONNREFUSED' }),
      /^Cannot reach https:\/\/acct\.blob\.core\.windows\.net \(ECONNREFUSED\)/,
    ],
    [
      Object.assign(new Error('no credential'), { name: 'CredentialUnavailableError' }),
      /^No usable Azure credentials .*azure\/login/,
    ],
  ])('%s', (error, expected) => {
    const explained = explainAzureError(error, context);
    expect(isWorded(explained)).toBe(true);
    expect((explained as Error).message).toMatch(expected);
    expect((explained as Error).message.split('\n')).toHaveLength(1);
  });

  test('other errors pass unchanged', () => {
    const own = new Error('simulated failure of the body stream');
    expect(explainAzureError(own, context)).toBe(own);
  });
});

describe('AzureBlobStorage against Azurite', () => {
  test('a missing container is one clear line', async () => {
    const storage = azureStorage('x', 'no-such-container');
    await expect(storage.list()).rejects.toThrow(/^The container no-such-container does not exist/);
    await expect(storage.put('a.db.gz', textBody('x'))).rejects.toThrow(/does not exist/);
  });

  test('a name taken while the upload runs is not replaced: the commit is refused', async () => {
    const prefix = freshPrefix();
    const storage = azureStorage(prefix);
    let resume!: () => void;
    const resumed = new Promise<void>((resolve) => {
      resume = resolve;
    });
    const upload = storage.put('raced.db.gz', pausingBody(20 * MiB, 10 * MiB, resumed));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await container.getBlockBlobClient(`${prefix}/raced.db.gz`).upload('the other writer', 16);
    resume();
    await expect(upload).rejects.toThrow(/raced\.db\.gz already exists; it was left as it is/);
    const target = path.join(tempDir('azure-raced'), 'raced.db.gz');
    await storage.get('raced.db.gz', target);
    expect(fs.readFileSync(target, 'utf8')).toBe('the other writer');
  });

  test('a body shorter or longer than declared fails, and leaves nothing behind', async () => {
    const storage = azureStorage(freshPrefix());
    const short = generatedBody(11 * MiB, 'short');
    await expect(storage.put('short.db.gz', { ...short, size: 12 * MiB })).rejects.toThrow(
      /ended after 11534336 of its declared 12582912 bytes/,
    );
    const long = generatedBody(13 * MiB, 'long');
    await expect(storage.put('long.db.gz', { ...long, size: 12 * MiB })).rejects.toThrow(
      /longer than its declared/,
    );
    expect(await storage.list()).toEqual([]);
  });

  test('stores the MD5 of the content with every blob', async () => {
    const prefix = freshPrefix();
    const storage = azureStorage(prefix);
    const body = generatedBody(9 * MiB + 7, 'md5');
    await storage.put('md5.db.gz', body);
    const properties = await container.getBlobClient(`${prefix}/md5.db.gz`).getProperties();
    const hash = (await import('node:crypto')).createHash('md5');
    for await (const chunk of body.open()) hash.update(chunk as Buffer);
    expect(Buffer.from(properties.contentMD5!).toString('base64')).toBe(hash.digest('base64'));
    expect(properties.contentLength).toBe(9 * MiB + 7);
  });

  test('lists more than one page (1,000 blobs)', async () => {
    const prefix = freshPrefix();
    const names = Array.from({ length: 1003 }, (_, i) => `obj-${String(i).padStart(4, '0')}`);
    for (let i = 0; i < names.length; i += 50) {
      await Promise.all(
        names
          .slice(i, i + 50)
          .map((name) =>
            container.getBlockBlobClient(`${prefix}/${name}`).upload(name, name.length),
          ),
      );
    }
    const listed = await azureStorage(prefix).list();
    expect(listed.map((object) => object.name).sort()).toEqual(names);
  }, 120_000);
});
