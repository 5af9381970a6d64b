import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  S3Client,
  type CompleteMultipartUploadCommandOutput,
  type StorageClass,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  DbBackupError,
  errorMessage,
  IntegrityError,
  JobFailure,
  UserError,
} from '../domain/errors.js';
import { isTransientStatus, networkCodeOf } from '../net/network-errors.js';
import { redact } from '../domain/secrets.js';
import { onInterrupt } from '../process/interruptions.js';
import { downloadToNewFile } from './download.js';
import { keyOf, listingPrefix, nameOfKey, normalizePrefix } from './object-keys.js';
import type { Storage, StoredObject, UploadBody } from './storage.js';

export interface S3Options {
  bucket: string;
  /** '' or a path such as 'backups/app'; slashes are normalized. */
  prefix: string;
  /** Falls back to the SDK's chain (AWS_REGION, the profile). */
  region?: string;
  /** An S3-compatible server (MinIO, R2, ...); AWS itself when unset. */
  endpoint?: string;
  forcePathStyle: boolean;
  serverSideEncryption?: 'AES256' | 'aws:kms';
  kmsKeyId?: string;
  storageClass?: string;
}

const MiB = 1024 * 1024;
/** S3's limits: parts of 5 MiB to 5 GiB, at most 10,000 of them, objects up to 5 TiB. */
export const MIN_PART_SIZE = 5 * MiB;
export const MAX_PARTS = 10_000;
export const MAX_OBJECT_SIZE = 5 * 1024 * 1024 * MiB;
/** Parts held in memory at once stay under this (unless one part alone is larger). */
const IN_FLIGHT_BUDGET = 64 * MiB;

/**
 * The multipart part size for an object of `size` bytes: the 5 MiB minimum,
 * or, for objects above ~48 GiB, the smallest whole number of MiB that keeps
 * the upload within 10,000 parts. Small parts keep memory low; whole MiB
 * keep the numbers readable.
 */
export function partSizeFor(size: number): number {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`Not a byte size: ${size}`);
  if (size > MAX_OBJECT_SIZE) {
    throw new UserError(
      `The backup is ${size} bytes, larger than the 5 TiB S3 allows for one object: split the database or use another storage.`,
    );
  }
  const smallestPart = Math.ceil(size / MAX_PARTS);
  return Math.max(MIN_PART_SIZE, Math.ceil(smallestPart / MiB) * MiB);
}

/** How many parts go up at once: 4, fewer when parts are large, so memory stays bounded. */
export function queueSizeFor(partSize: number): number {
  return Math.min(4, Math.max(1, Math.floor(IN_FLIGHT_BUDGET / partSize)));
}

/** A bucket and prefix of Amazon S3 or an S3-compatible server. */
export class S3Storage implements Storage {
  readonly id = 's3';
  readonly location: string;
  readonly prefix: string;
  private readonly client: S3Client;

  constructor(private readonly options: S3Options) {
    if (options.kmsKeyId !== undefined && options.serverSideEncryption !== 'aws:kms') {
      throw new UserError('A KMS key id needs server-side encryption aws:kms.');
    }
    this.prefix = normalizePrefix(options.prefix);
    this.location = `s3://${options.bucket}/${this.prefix}`;
    // No credentials here: the SDK's default chain finds them (environment,
    // profile, web identity/OIDC, container or instance role).
    this.client = new S3Client({
      ...(options.region !== undefined ? { region: options.region } : {}),
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle,
      followRegionRedirects: true,
    });
  }

  private urlOf(name: string): string {
    return `s3://${this.options.bucket}/${keyOf(this.prefix, name)}`;
  }

  private explain(error: unknown, action: string): unknown {
    return explainS3Error(error, {
      location: this.location,
      bucket: this.options.bucket,
      endpoint: this.options.endpoint,
      action,
    });
  }

  async put(name: string, body: UploadBody): Promise<void> {
    const key = keyOf(this.prefix, name);
    await this.refuseExisting(name, key);
    const partSize = partSizeFor(body.size);
    const source = body.open();
    const tally = new UploadTally(body.size, partSize);
    // A failing source (a dying dump) destroys the tally with its error, which fails the Upload.
    pipeline(source, tally, () => undefined);
    const upload = new Upload({
      client: this.client,
      partSize,
      queueSize: queueSizeFor(partSize),
      // On any failure the Upload aborts the multipart upload: no parts linger, no object appears.
      leavePartsOnError: false,
      params: {
        Bucket: this.options.bucket,
        Key: key,
        Body: tally,
        ContentLength: body.size,
        ContentType: 'application/octet-stream',
        // Each part carries its CRC32, which S3 checks on arrival; the object keeps the checksum.
        ChecksumAlgorithm: 'CRC32',
        // Real S3 refuses to complete the upload if the key exists by then (412), atomically.
        IfNoneMatch: '*',
        ...this.encryptionParams(),
      },
    });
    // SIGTERM or SIGINT ends the process before the Upload could abort its multipart upload: do it here.
    const stopWatching = onInterrupt(() => this.abortUnfinished(upload, name, key));
    let result: CompleteMultipartUploadCommandOutput;
    try {
      result = await upload.done();
    } catch (error) {
      throw this.explainPutError(error, name);
    } finally {
      stopWatching();
      source.destroy();
    }
    await this.checkStored(name, key, body.size, tally.expectedChecksum(result.ChecksumCRC32));
  }

  /** Aborts an interrupted multipart upload, so that none of its parts stays stored (and billed). */
  private async abortUnfinished(
    upload: Upload,
    name: string,
    key: string,
  ): Promise<string | undefined> {
    void upload.abort();
    if (upload.uploadId === undefined) return undefined;
    try {
      await this.client.send(
        new AbortMultipartUploadCommand({
          Bucket: this.options.bucket,
          Key: key,
          UploadId: upload.uploadId,
        }),
      );
      return undefined;
    } catch (error) {
      // The Upload's own abort, once its parts in flight are done, may come first.
      if ((error as { name?: unknown }).name === 'NoSuchUpload') return undefined;
      return `the unfinished upload of ${name} to ${this.location} could not be aborted (${redact(errorMessage(error))}): its parts stay at S3 until a lifecycle rule removes them.`;
    }
  }

  private encryptionParams(): {
    ServerSideEncryption?: 'AES256' | 'aws:kms';
    SSEKMSKeyId?: string;
    StorageClass?: StorageClass;
  } {
    const { serverSideEncryption, kmsKeyId, storageClass } = this.options;
    return {
      ...(serverSideEncryption !== undefined ? { ServerSideEncryption: serverSideEncryption } : {}),
      ...(kmsKeyId !== undefined ? { SSEKMSKeyId: kmsKeyId } : {}),
      ...(storageClass !== undefined ? { StorageClass: storageClass as StorageClass } : {}),
    };
  }

  /**
   * A HeadObject before uploading: fails fast instead of after gigabytes, and
   * is the only guard on servers that ignore If-None-Match (fauxqs, older
   * S3-compatibles), where a write racing in between could still replace it.
   */
  private async refuseExisting(name: string, key: string): Promise<void> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: key }));
    } catch (error) {
      if (httpStatusOf(error) === 404) return;
      throw this.explain(error, `checking ${name}`);
    }
    throw alreadyExists(this.urlOf(name));
  }

  private explainPutError(error: unknown, name: string): unknown {
    if (httpStatusOf(error) === 412) return alreadyExists(this.urlOf(name));
    return this.explain(error, `uploading ${name}`);
  }

  /**
   * What S3 says it stored must be what was sent: the same CRC32 (whole, or
   * composite over parts) and the same size. If not, the object is removed.
   */
  private async checkStored(
    name: string,
    key: string,
    size: number,
    checksum: { expected: string; reported: string } | undefined,
  ): Promise<void> {
    let problem: string | undefined;
    if (checksum && checksum.expected !== checksum.reported) {
      problem = `CRC32 ${checksum.reported} instead of ${checksum.expected}`;
    } else {
      const head = await this.client
        .send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: key }))
        .catch((error: unknown) => {
          throw this.explain(error, `checking ${name} after the upload`);
        });
      if (head.ContentLength !== size) problem = `${head.ContentLength} bytes instead of ${size}`;
    }
    if (problem === undefined) return;
    await this.delete(name);
    throw new UserError(
      `S3 stored ${this.urlOf(name)} with ${problem}; it was removed. Try again.`,
    );
  }

  async get(name: string, target: string): Promise<void> {
    const key = keyOf(this.prefix, name);
    let response;
    try {
      // ChecksumMode makes the SDK verify the whole-object checksum as the bytes arrive
      // (composite checksums of multipart objects it cannot verify, and skips).
      response = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: key, ChecksumMode: 'ENABLED' }),
      );
    } catch (error) {
      throw this.explain(error, `downloading ${name}`);
    }
    if (!(response.Body instanceof Readable)) {
      throw new Error(`S3 returned no readable body for ${this.urlOf(name)}.`);
    }
    try {
      await downloadToNewFile(
        response.Body,
        target,
        { ...(response.ContentLength !== undefined ? { size: response.ContentLength } : {}) },
        this.urlOf(name),
      );
    } catch (error) {
      throw this.explain(error, `downloading ${name}`);
    }
  }

  async list(): Promise<StoredObject[]> {
    const objects: StoredObject[] = [];
    const pages = paginateListObjectsV2(
      { client: this.client },
      {
        Bucket: this.options.bucket,
        // Delimiter '/' keeps deeper keys out; the trailing slash keeps `prefix-old/` out.
        Delimiter: '/',
        ...(this.prefix !== '' ? { Prefix: listingPrefix(this.prefix) } : {}),
      },
    );
    try {
      for await (const page of pages) {
        for (const item of page.Contents ?? []) {
          const name = item.Key === undefined ? undefined : nameOfKey(this.prefix, item.Key);
          if (name === undefined) continue;
          objects.push({ name, size: item.Size ?? 0, modified: item.LastModified ?? new Date(0) });
        }
      }
    } catch (error) {
      throw this.explain(error, 'listing');
    }
    return objects;
  }

  async delete(name: string): Promise<void> {
    try {
      // S3 answers 204 for a missing key too.
      await this.client.send(
        new DeleteObjectCommand({ Bucket: this.options.bucket, Key: keyOf(this.prefix, name) }),
      );
    } catch (error) {
      throw this.explain(error, `deleting ${name}`);
    }
  }
}

function alreadyExists(url: string): UserError {
  return new UserError(`${url} already exists; it was left as it is.`);
}

function crc32Base64(value: number): string {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes.toString('base64');
}

/**
 * Counts the bytes on their way to S3 and computes their CRC32 the two ways
 * S3 may report it: over the whole object, and composite (the CRC32 of the
 * parts' CRC32s, `-N` appended) with the same part boundaries as the Upload.
 * A body that is shorter or longer than declared fails the stream, and so the
 * upload, before it can complete.
 */
class UploadTally extends Transform {
  private total = 0;
  private whole = 0;
  private part = 0;
  private partFill = 0;
  private readonly partChecksums: number[] = [];

  constructor(
    private readonly declaredSize: number,
    private readonly partSize: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.total += chunk.length;
    if (this.total > this.declaredSize) {
      callback(
        new Error(`The backup stream is longer than its declared ${this.declaredSize} bytes.`),
      );
      return;
    }
    this.whole = crc32(chunk, this.whole);
    for (let offset = 0; offset < chunk.length;) {
      const take = Math.min(this.partSize - this.partFill, chunk.length - offset);
      this.part = crc32(chunk.subarray(offset, offset + take), this.part);
      this.partFill += take;
      offset += take;
      if (this.partFill === this.partSize) this.closePart();
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.total !== this.declaredSize) {
      callback(
        new Error(
          `The backup stream ended after ${this.total} of its declared ${this.declaredSize} bytes.`,
        ),
      );
      return;
    }
    if (this.partFill > 0 || this.partChecksums.length === 0) this.closePart();
    callback();
  }

  private closePart(): void {
    this.partChecksums.push(this.part);
    this.part = 0;
    this.partFill = 0;
  }

  /** What S3 should report, in the form it reported (undefined when it reported none). */
  expectedChecksum(
    reported: string | undefined,
  ): { expected: string; reported: string } | undefined {
    if (reported === undefined) return undefined;
    if (!/-\d+$/.test(reported)) return { expected: crc32Base64(this.whole), reported };
    const concatenated = Buffer.alloc(4 * this.partChecksums.length);
    this.partChecksums.forEach((value, index) =>
      concatenated.writeUInt32BE(value >>> 0, 4 * index),
    );
    const expected = `${crc32Base64(crc32(concatenated))}-${this.partChecksums.length}`;
    return { expected, reported };
  }
}

export interface S3ErrorContext {
  readonly location: string;
  readonly bucket: string;
  readonly endpoint?: string | undefined;
  /** What was being done, for the message: `uploading NAME`, `listing`. */
  readonly action: string;
}

const REFUSED_CREDENTIALS = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
]);

function httpStatusOf(error: unknown): number | undefined {
  const metadata = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata;
  return metadata?.httpStatusCode;
}

/** The endpoint for people: without any user:password it might carry. */
function endpointLabel(endpoint: string | undefined): string {
  if (endpoint === undefined) return 'AWS S3';
  try {
    const url = new URL(endpoint);
    url.username = '';
    url.password = '';
    return url.origin;
  } catch {
    return 'the S3 endpoint';
  }
}

/**
 * Turns an error of the AWS SDK into a one-line UserError that says what to
 * do, for the problems a user can fix. Anything else (a failing body stream, a
 * bug) is returned unchanged. Messages never carry credentials: they name the
 * bucket and endpoint, and any server text is passed through `redact`.
 */
export function explainS3Error(error: unknown, context: S3ErrorContext): unknown {
  if (!(error instanceof Error)) return error;
  const where = `${context.action} at ${context.location}`;
  const name = error.name;
  const message = error.message;
  const status = httpStatusOf(error);
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new UserError(
      `No AWS credentials were found for ${where}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE, ` +
        'or run aws-actions/configure-aws-credentials before this step.',
    );
  }
  if (/Region is missing/i.test(message)) {
    return new UserError(`No AWS region is set for ${where}: set s3-region or AWS_REGION.`);
  }
  const network = networkCodeOf(error);
  if (network !== undefined || name === 'TimeoutError') {
    return new JobFailure(
      `Cannot reach ${endpointLabel(context.endpoint)} (${network ?? 'timeout'}) while ${where}: ` +
        'check s3-endpoint and the network.',
    );
  }
  if (/^Checksum mismatch/.test(message)) {
    return new IntegrityError(
      `The download failed its S3 checksum while ${where}: the download or the stored object is damaged. ` +
        'Try again; if it persists, restore an older backup.',
    );
  }
  if (status === undefined) return error;
  if (name === 'NoSuchBucket') {
    return new UserError(
      `The bucket ${context.bucket} does not exist (${where}): create it, or fix s3-bucket (and s3-endpoint).`,
    );
  }
  if (name === 'NoSuchKey' || (status === 404 && name === 'NotFound')) {
    return new UserError(
      `Nothing found while ${where}: run \`db-backup list\` to see what is there.`,
    );
  }
  if (REFUSED_CREDENTIALS.has(name)) {
    return new UserError(
      `The AWS credentials were refused (${name}) while ${where}: check or renew them.`,
    );
  }
  if (
    name === 'PermanentRedirect' ||
    name === 'AuthorizationHeaderMalformed' ||
    name === 'IllegalLocationConstraintException'
  ) {
    return new UserError(
      `The bucket ${context.bucket} is in another region (${where}): set s3-region to its region.`,
    );
  }
  if (name === 'AccessDenied' || name === 'AllAccessDisabled' || status === 403) {
    return new UserError(
      `Access was denied while ${where}: allow these credentials s3:ListBucket, s3:GetObject, s3:PutObject, ` +
        's3:AbortMultipartUpload and s3:DeleteObject on the bucket (and the KMS key, with aws:kms).',
    );
  }
  if (name === 'ConditionalRequestConflict' || status === 409) {
    return new UserError(
      `Another upload to the same name ran at the same time while ${where}; nothing was replaced. Try again.`,
    );
  }
  if (name === 'InvalidObjectState') {
    return new UserError(
      `The object is archived (Glacier) while ${where}: restore it in S3 first, then try again.`,
    );
  }
  if (name === 'NotImplemented' || status === 501) {
    return new UserError(
      `The S3 server does not support a request this tool needs (${redact(message)}) while ${where}: ` +
        'it needs conditional writes (If-None-Match) and CRC32 checksums.',
    );
  }
  // A 5xx, 429 or 408 the SDK's own retries did not get past is the service's trouble: the job failed.
  return new DbBackupError(
    isTransientStatus(status) ? 'failed' : 'refused',
    `S3 refused ${where}: ${name} (HTTP ${status}): ${redact(message)}`,
  );
}
