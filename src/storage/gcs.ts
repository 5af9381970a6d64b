import fs from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Storage as GoogleStorage, type Bucket, type File } from '@google-cloud/storage';
import { IntegrityError, JobFailure, UserError, errorMessage, isWorded } from '../domain/errors.js';
import { isTransientStatus, networkCodeOf } from '../net/network-errors.js';
import { FILE_MODE } from '../fs/files.js';
import { redact } from '../domain/secrets.js';
import { exactLength } from './body-checks.js';
import { keyOf, listingPrefix, nameOfKey, normalizePrefix } from './object-keys.js';
import type { Storage, StoredObject, UploadBody } from './storage.js';

export interface GcsOptions {
  bucket: string;
  /** A folder inside the bucket ('' for the top); slashes are normalized (object-keys.ts). */
  prefix: string;
  /** Another endpoint than storage.googleapis.com, for tests and emulators; the client then sends no credentials. */
  apiEndpoint?: string;
  projectId?: string;
}

type Operation = 'put' | 'get' | 'list' | 'delete';

/** The IAM permission each operation needs (all four are in roles/storage.objectAdmin). */
const PERMISSION: Record<Operation, string> = {
  put: 'storage.objects.create',
  get: 'storage.objects.get',
  list: 'storage.objects.list',
  delete: 'storage.objects.delete',
};

const LIST_PAGE_SIZE = 1000;

/**
 * A Google Cloud Storage bucket prefix. Credentials come from Application
 * Default Credentials (what google-github-actions/auth sets up, or
 * GOOGLE_APPLICATION_CREDENTIALS, or gcloud's login), never from our config.
 */
export class GcsStorage implements Storage {
  readonly id = 'gcs';
  readonly location: string;
  private readonly bucket: Bucket;
  private readonly prefix: string;

  constructor(private readonly options: GcsOptions) {
    this.prefix = normalizePrefix(options.prefix);
    this.location = `gs://${options.bucket}/${listingPrefix(this.prefix)}`;
    const client = new GoogleStorage({
      ...(options.projectId ? { projectId: options.projectId } : {}),
      ...(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {}),
    });
    this.bucket = client.bucket(options.bucket);
  }

  async put(name: string, body: UploadBody): Promise<void> {
    const file = this.fileOf(name);
    let sessionUri: string | undefined;
    const upload = file.createWriteStream({
      resumable: true,
      validation: 'crc32c',
      // Generation 0 means "no live object": the service refuses (412) to replace one.
      preconditionOpts: { ifGenerationMatch: 0 },
      // The declared length lets the service refuse a short upload instead of storing it.
      metadata: { contentType: contentTypeOf(name), contentLength: body.size },
    });
    upload.on('uri', (uri: string) => (sessionUri = uri));
    try {
      await pipeline(body.open(), exactLength(body.size), upload);
    } catch (error) {
      // An unfinished resumable session holds the bytes sent so far (never an object); cancel
      // it so they do not linger for the week the service keeps sessions.
      if (sessionUri) await cancelSession(sessionUri);
      throw this.userErrorOf(error, 'put', name);
    }
  }

  async get(name: string, target: string): Promise<void> {
    // 'wx': the target must not exist, and a file we did not create is never removed below.
    const handle = await fs.open(target, 'wx', FILE_MODE);
    try {
      await pipeline(
        // The bytes as stored, never transcoded: they are what the manifest's sha256 describes.
        this.fileOf(name).createReadStream({ validation: 'crc32c', decompress: false }),
        handle.createWriteStream(),
      );
    } catch (error) {
      await fs.rm(target, { force: true });
      throw this.userErrorOf(error, 'get', name);
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  async list(): Promise<StoredObject[]> {
    const objects: StoredObject[] = [];
    let pageToken: string | undefined;
    try {
      do {
        const [files, next] = await this.bucket.getFiles({
          prefix: listingPrefix(this.prefix),
          // Only the prefix's own level: "folders" below it come back as prefixes, not files.
          delimiter: '/',
          autoPaginate: false,
          maxResults: LIST_PAGE_SIZE,
          ...(pageToken ? { pageToken } : {}),
        });
        for (const file of files) {
          const object = this.storedObjectOf(file);
          if (object) objects.push(object);
        }
        pageToken = (next as { pageToken?: string } | null)?.pageToken;
      } while (pageToken);
    } catch (error) {
      throw this.userErrorOf(error, 'list');
    }
    return objects;
  }

  async delete(name: string): Promise<void> {
    try {
      await this.fileOf(name).delete({ ignoreNotFound: true });
    } catch (error) {
      throw this.userErrorOf(error, 'delete', name);
    }
  }

  private fileOf(name: string): File {
    return this.bucket.file(keyOf(this.prefix, name));
  }

  private storedObjectOf(file: File): StoredObject | undefined {
    // Not a direct child (nor the console's "folder" placeholder, the prefix itself): not listed.
    const name = nameOfKey(this.prefix, file.name);
    if (name === undefined) return undefined;
    const metadata = file.metadata;
    return {
      name,
      size: Number(metadata.size ?? 0),
      modified: new Date(metadata.updated ?? metadata.timeCreated ?? 0),
    };
  }

  /** One line that says what to do; anything unrecognised keeps its own (redacted) message. */
  private userErrorOf(error: unknown, operation: Operation, name?: string): Error {
    if (isWorded(error)) return error;
    const where = name ? `${this.location}${name}` : this.location;
    const status = statusOf(error);
    const detail = redact(detailOf(error));
    if (isMissingCredentials(detail)) {
      return new UserError(
        `No Google Cloud credentials for ${this.location}: run google-github-actions/auth before this step, ` +
          'or set GOOGLE_APPLICATION_CREDENTIALS to a credentials file (' +
          `${detail}).`,
      );
    }
    if (status === 404 && /specified bucket does not exist/i.test(detail)) {
      return new UserError(`GCS bucket ${this.options.bucket} does not exist (${where}).`);
    }
    if (status === 404 && operation === 'get') return new UserError(`${where} does not exist.`);
    if (status === 401) {
      return new UserError(`Google Cloud refused the credentials for ${where} (401): ${detail}`);
    }
    if (status === 403) {
      return new UserError(
        `Permission denied on ${where}: the credentials need ${PERMISSION[operation]} on bucket ` +
          `${this.options.bucket} (e.g. roles/storage.objectAdmin). ${detail}`,
      );
    }
    if (status === 412 && operation === 'put') {
      return new UserError(`${where} already exists; it was left as it is.`);
    }
    if (isChecksumMismatch(error)) {
      const Failure = operation === 'get' ? IntegrityError : JobFailure;
      return new Failure(
        `${where}: the bytes ${operation === 'get' ? 'downloaded' : 'uploaded'} do not match ` +
          `the checksum Google Cloud Storage keeps (crc32c); nothing was kept. ${detail}`,
      );
    }
    if (isUnavailable(status, error)) {
      return new JobFailure(
        `${where}: ${operation} failed, Google Cloud Storage did not answer: ${detail}`,
      );
    }
    return new Error(`${where}: ${operation} failed: ${detail}`, { cause: error });
  }
}

function contentTypeOf(name: string): string {
  if (name.endsWith('.json')) return 'application/json';
  if (name.endsWith('.gz')) return 'application/gzip';
  if (name.endsWith('.zst')) return 'application/zstd';
  return 'application/octet-stream';
}

/** DELETE on a resumable session's URI cancels it (the URI itself is the authorisation). */
async function cancelSession(uri: string): Promise<void> {
  try {
    const response = await fetch(uri, { method: 'DELETE', headers: { 'Content-Length': '0' } });
    await response.body?.cancel();
  } catch {
    // Best effort: an uncancelled session expires on its own and never becomes an object.
  }
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, status, response } = error as {
    code?: unknown;
    status?: unknown;
    response?: { status?: unknown };
  };
  for (const value of [code, status, response?.status]) {
    if (typeof value === 'number') return value;
  }
  return undefined;
}

/** The service's trouble, not the user's: 408, 429 or 5xx after the client's retries, or no connection. */
function isUnavailable(status: number | undefined, error: unknown): boolean {
  return isTransientStatus(status) || networkCodeOf(error) !== undefined;
}

function isMissingCredentials(message: string): boolean {
  return /Could not load the default credentials|Unable to detect a Project Id|GOOGLE_APPLICATION_CREDENTIALS|does not exist, or it is not a file/i.test(
    message,
  );
}

function isChecksumMismatch(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    code === 'CONTENT_DOWNLOAD_MISMATCH' ||
    code === 'FILE_NO_UPLOAD' ||
    code === 'FILE_NO_UPLOAD_DELETE' ||
    /did not match the data|checksum mismatch|hash doesn't match/i.test(errorMessage(error))
  );
}

/** The service's own message: the download path leaves the raw JSON error body as the message. */
function detailOf(error: unknown): string {
  const message = errorMessage(error).trim();
  if (message.startsWith('{')) {
    try {
      const body = JSON.parse(message) as { error?: { message?: unknown } };
      if (typeof body.error?.message === 'string') return firstLine(body.error.message);
    } catch {
      // Not JSON after all: keep the text.
    }
  }
  return firstLine(message);
}

function firstLine(text: string): string {
  return (text.split('\n').find((line) => line.trim()) ?? '').trim();
}
