import { createHash } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import { DefaultAzureCredential } from '@azure/identity';
import {
  BlobServiceClient,
  type BlobHTTPHeaders,
  type BlockBlobClient,
  type ContainerClient,
} from '@azure/storage-blob';
import { DbBackupError, JobFailure, UserError } from '../domain/errors.js';
import { isTransientStatus, networkCodeOf } from '../net/network-errors.js';
import { redact, registerSecret } from '../domain/secrets.js';
import { downloadToNewFile } from './download.js';
import { keyOf, listingPrefix, nameOfKey, normalizePrefix } from './object-keys.js';
import { exactLength, hashing } from './body-checks.js';
import type { Storage, StoredObject, UploadBody } from './storage.js';

export interface AzureOptions {
  container: string;
  /** '' or a path such as 'backups/app'; slashes are normalized. */
  prefix: string;
  /** https://ACCOUNT.blob.core.windows.net, signed in with DefaultAzureCredential (OIDC, managed identity, az login). */
  accountUrl?: string;
  /** A secret: it holds the account key or a SAS. */
  connectionString?: string;
}

const MiB = 1024 * 1024;
/** Azure's limits for a block blob: at most 50,000 blocks of at most 4000 MiB. */
export const MAX_BLOCKS = 50_000;
export const MAX_BLOCK_SIZE = 4000 * MiB;
const MIN_BLOCK_SIZE = 4 * MiB;
/**
 * Blocks held in memory at once stay under this (unless one block alone is
 * larger). Measured: 4 blocks of 4 MiB keep a 100 MiB upload within ~40 MiB
 * of RSS; 4 of 8 MiB took ~70 MiB.
 */
const IN_FLIGHT_BUDGET = 32 * MiB;

/** The block size for a blob of `size` bytes: 4 MiB, or the whole MiB that keeps it within 50,000 blocks. */
export function blockSizeFor(size: number): number {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`Not a byte size: ${size}`);
  const smallestBlock = Math.ceil(size / MAX_BLOCKS);
  const blockSize = Math.max(MIN_BLOCK_SIZE, Math.ceil(smallestBlock / MiB) * MiB);
  if (blockSize > MAX_BLOCK_SIZE) {
    throw new UserError(
      `The backup is ${size} bytes, more than one Azure block blob can hold: use another storage.`,
    );
  }
  return blockSize;
}

/** How many blocks are buffered and sent at once: 4, fewer for large blocks, at least 1. */
export function bufferCountFor(blockSize: number): number {
  return Math.min(4, Math.max(1, Math.floor(IN_FLIGHT_BUDGET / blockSize)));
}

/** Registers the connection string and the key or SAS inside it, so that neither is ever printed. */
function registerConnectionString(connectionString: string): void {
  registerSecret(connectionString);
  for (const part of connectionString.split(';')) {
    const [key, ...rest] = part.split('=');
    const value = rest.join('=');
    if (key === 'AccountKey' || key === 'SharedAccessSignature') registerSecret(value);
  }
}

function serviceClientFor(options: AzureOptions): BlobServiceClient {
  const { accountUrl, connectionString } = options;
  if (connectionString !== undefined && accountUrl === undefined) {
    registerConnectionString(connectionString);
    try {
      return BlobServiceClient.fromConnectionString(connectionString);
    } catch {
      // The SDK's message may quote the string; say what is wrong without it.
      throw new UserError(
        'azure-connection-string is not a valid Azure Storage connection string: copy it from the storage account\'s "Access keys" page.',
      );
    }
  }
  if (accountUrl !== undefined && connectionString === undefined) {
    return new BlobServiceClient(accountUrl, new DefaultAzureCredential());
  }
  throw new UserError(
    'Azure storage needs exactly one of azure-account-url (signed in with DefaultAzureCredential) or azure-connection-string.',
  );
}

/** A URL for people: no SAS query, no user info. */
function publicUrl(url: string): string {
  const parsed = new URL(url);
  parsed.search = '';
  parsed.username = '';
  parsed.password = '';
  return parsed.toString().replace(/\/$/, '');
}

/** A container and prefix of Azure Blob Storage. */
export class AzureBlobStorage implements Storage {
  readonly id = 'azure';
  readonly location: string;
  readonly prefix: string;
  private readonly container: ContainerClient;
  private readonly containerName: string;

  constructor(options: AzureOptions) {
    this.container = serviceClientFor(options).getContainerClient(options.container);
    this.containerName = options.container;
    this.prefix = normalizePrefix(options.prefix);
    this.location = `${publicUrl(this.container.url)}/${this.prefix}`;
  }

  private urlOf(name: string): string {
    return `${publicUrl(this.container.url)}/${keyOf(this.prefix, name)}`;
  }

  private explain(error: unknown, action: string): unknown {
    return explainAzureError(error, {
      location: this.location,
      container: this.containerName,
      endpoint: new URL(this.container.url).origin,
      action,
    });
  }

  async put(name: string, body: UploadBody): Promise<void> {
    const blob = this.container.getBlockBlobClient(keyOf(this.prefix, name));
    await this.refuseExisting(blob, name);
    const blockSize = blockSizeFor(body.size);
    const headers: BlobHTTPHeaders = { blobContentType: 'application/octet-stream' };
    const source = body.open();
    // uploadStream reads `headers` when it commits, after the stream has ended,
    // so the MD5 of the whole body, known only then, is stored with the blob.
    // checkStored confirms it was.
    const md5 = createHash('md5');
    let digest: Buffer | undefined;
    const tally = hashing(md5, () => {
      digest = md5.digest();
      headers.blobContentMD5 = digest;
    });
    pipeline(source, exactLength(body.size), tally, () => undefined);
    let etag: string | undefined;
    try {
      // Blocks are staged, then committed in one call: until that commit
      // nothing is visible under the name, and a failed upload never commits.
      const response = await blob.uploadStream(tally, blockSize, bufferCountFor(blockSize), {
        blobHTTPHeaders: headers,
        // The commit fails (409) if the name was taken meanwhile: nothing is replaced.
        conditions: { ifNoneMatch: '*' },
      });
      etag = response.etag;
    } catch (error) {
      throw this.explainPutError(error, name);
    } finally {
      source.destroy();
    }
    if (digest === undefined) throw new Error('The upload finished before its body ended.');
    await this.checkStored(blob, name, body.size, digest, etag);
  }

  /** Fails fast, before a large upload that the commit condition would refuse at its end. */
  private async refuseExisting(blob: BlockBlobClient, name: string): Promise<void> {
    let exists: boolean;
    try {
      exists = await blob.exists();
    } catch (error) {
      throw this.explain(error, `checking ${name}`);
    }
    if (exists) throw alreadyExists(this.urlOf(name));
  }

  private explainPutError(error: unknown, name: string): unknown {
    const code = restCodeOf(error);
    if (code === 'BlobAlreadyExists' || code === 'ConditionNotMet') {
      return alreadyExists(this.urlOf(name));
    }
    return this.explain(error, `uploading ${name}`);
  }

  /** The blob must hold as many bytes as were sent, with their MD5; if not, it is removed. */
  private async checkStored(
    blob: BlockBlobClient,
    name: string,
    size: number,
    md5: Buffer,
    etag: string | undefined,
  ): Promise<void> {
    let properties;
    try {
      properties = await blob.getProperties();
    } catch (error) {
      throw this.explain(error, `checking ${name} after the upload`);
    }
    const storedMd5 = properties.contentMD5 ? Buffer.from(properties.contentMD5) : undefined;
    let problem: string | undefined;
    if (properties.contentLength !== size) {
      problem = `${properties.contentLength} bytes instead of ${size}`;
    } else if (!storedMd5?.equals(md5)) {
      problem = `MD5 ${storedMd5?.toString('base64') ?? 'missing'} instead of ${md5.toString('base64')}`;
    }
    if (problem === undefined) return;
    // Only the blob this upload committed (by its ETag) is removed.
    await blob
      .deleteIfExists({ ...(etag !== undefined ? { conditions: { ifMatch: etag } } : {}) })
      .catch(() => undefined);
    throw new UserError(
      `Azure stored ${this.urlOf(name)} with ${problem}; it was removed. Try again.`,
    );
  }

  async get(name: string, target: string): Promise<void> {
    const blob = this.container.getBlobClient(keyOf(this.prefix, name));
    let response;
    try {
      // The whole blob, no range: the response carries the MD5 stored at upload.
      // Broken connections are resumed (from the same ETag) up to 5 times.
      response = await blob.download(0, undefined, { maxRetryRequests: 5 });
    } catch (error) {
      throw this.explain(error, `downloading ${name}`);
    }
    const body = response.readableStreamBody;
    if (!(body instanceof Readable)) {
      throw new Error(`Azure returned no readable body for ${this.urlOf(name)}.`);
    }
    const md5 = response.contentMD5 ?? response.blobContentMD5;
    try {
      await downloadToNewFile(
        body,
        target,
        {
          ...(response.contentLength !== undefined ? { size: response.contentLength } : {}),
          ...(md5 !== undefined ? { md5 } : {}),
        },
        this.urlOf(name),
      );
    } catch (error) {
      throw this.explain(error, `downloading ${name}`);
    }
  }

  async list(): Promise<StoredObject[]> {
    const objects: StoredObject[] = [];
    const pages = this.container
      .listBlobsByHierarchy('/', { prefix: listingPrefix(this.prefix) })
      .byPage({ maxPageSize: 1000 });
    try {
      for await (const page of pages) {
        for (const item of page.segment.blobItems) {
          const name = nameOfKey(this.prefix, item.name);
          if (name === undefined) continue;
          objects.push({
            name,
            size: item.properties.contentLength ?? 0,
            modified: item.properties.lastModified,
          });
        }
      }
    } catch (error) {
      throw this.explain(error, 'listing');
    }
    return objects;
  }

  async delete(name: string): Promise<void> {
    try {
      await this.container
        .getBlobClient(keyOf(this.prefix, name))
        .deleteIfExists({ deleteSnapshots: 'include' });
    } catch (error) {
      throw this.explain(error, `deleting ${name}`);
    }
  }
}

function alreadyExists(url: string): UserError {
  return new UserError(`${url} already exists; it was left as it is.`);
}

export interface AzureErrorContext {
  readonly location: string;
  readonly container: string;
  readonly endpoint: string;
  /** What was being done, for the message: `uploading NAME`, `listing`. */
  readonly action: string;
}

/** The Azure SDK's code for a request that never got an answer, beside the network's own codes. */
const REQUEST_SEND_ERROR = 'REQUEST_SEND_ERROR';

const CREDENTIAL_ERRORS = new Set([
  'CredentialUnavailableError',
  'AggregateAuthenticationError',
  'AuthenticationError',
]);

function restCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Turns an Azure SDK or identity error into a one-line UserError that says
 * what to do, for the problems a user can fix; anything else is returned
 * unchanged. Server text is passed through `redact`.
 */
export function explainAzureError(error: unknown, context: AzureErrorContext): unknown {
  if (!(error instanceof Error)) return error;
  const where = `${context.action} at ${context.location}`;
  const code = restCodeOf(error);
  const status = statusOf(error);
  if (CREDENTIAL_ERRORS.has(error.name)) {
    return new UserError(
      `No usable Azure credentials for ${where}: sign in with azure/login (OIDC) or set AZURE_CLIENT_ID, ` +
        'AZURE_TENANT_ID and AZURE_CLIENT_SECRET, or use azure-connection-string instead.',
    );
  }
  const network = code === REQUEST_SEND_ERROR ? 'request failed' : networkCodeOf(error);
  if (network !== undefined) {
    return new JobFailure(
      `Cannot reach ${context.endpoint} (${network}) while ${where}: ` +
        'check azure-account-url (or the connection string) and the network.',
    );
  }
  if (status === undefined) return error;
  if (code === 'ContainerNotFound') {
    return new UserError(
      `The container ${context.container} does not exist (${where}): create it, or fix azure-container.`,
    );
  }
  if (code === 'BlobNotFound' || status === 404) {
    return new UserError(
      `Nothing found while ${where}: run \`db-backup list\` to see what is there.`,
    );
  }
  if (code === 'AuthenticationFailed' || status === 401) {
    return new UserError(
      `The Azure credentials were refused (${code ?? status}) while ${where}: check the account key or SAS, or renew them.`,
    );
  }
  if (status === 403) {
    return new UserError(
      `Access was denied (${code ?? status}) while ${where}: give the identity the "Storage Blob Data Contributor" ` +
        'role on the container, or use a SAS that allows read, write, list and delete.',
    );
  }
  // A 5xx, 429 or 408 the SDK's own retries did not get past is the service's trouble: the job failed.
  return new DbBackupError(
    isTransientStatus(status) ? 'failed' : 'refused',
    `Azure refused ${where}: ${code ?? 'error'} (HTTP ${status}): ${redact(error.message.split('\n')[0] ?? '')}`,
  );
}
