/**
 * A stand-in for the part of Google Cloud Storage's JSON API that
 * `@google-cloud/storage` calls for put/get/list/delete: no emulator can be
 * had here, so the real client talks to this node:http server instead
 * (`apiEndpoint`, which also makes the client skip authentication).
 *
 * Objects' bytes live on disk, so 100 MB+ objects cost no memory; metadata
 * (generation, size, md5Hash, crc32c) is kept in memory beside them.
 *
 * Endpoints, as the client library 8.x calls them:
 *   POST   /upload/storage/v1/b/{bucket}/o?uploadType=resumable&name=…&ifGenerationMatch=…  → Location
 *   PUT    {session}  Content-Range: bytes A-*\/T | A-B/T | *\/T   → 200 + object, or 308 + Range
 *   DELETE {session}                                               → 499 (cancelled)
 *   GET    /storage/v1/b/{bucket}/o?prefix&delimiter&pageToken&maxResults
 *   GET    /storage/v1/b/{bucket}/o/{name}[?alt=media]
 *   DELETE /storage/v1/b/{bucket}/o/{name}
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InjectedFailures, readBody, sendJson, startHttpStandin } from './http-standin.js';

export interface GcsObjectRecord {
  readonly bucket: string;
  readonly name: string;
  readonly generation: string;
  readonly size: number;
  readonly md5Hash: string;
  readonly crc32c: string;
  readonly contentType: string;
  readonly created: Date;
  readonly file: string;
}

/** A canned failure: the next `times` requests matching `method`/`path` get this status. */
export interface InjectedFailure {
  method?: string;
  pathIncludes?: string;
  status: number;
  message: string;
  times?: number;
}

export interface GcsStandin {
  /** What to pass as `apiEndpoint`. */
  readonly url: string;
  /** `METHOD /path?query` of every request, in order (upload session ids shortened). */
  readonly requests: string[];
  createBucket(name: string): void;
  objects(bucket: string): GcsObjectRecord[];
  /** Flips bytes in the stored object but keeps its recorded checksums, as bit rot would. */
  corrupt(bucket: string, name: string): Promise<void>;
  /** Writes an object directly, behind the client's back (a foreign object, say). */
  putObject(bucket: string, name: string, data: Buffer): Promise<void>;
  exists(bucket: string, name: string): boolean;
  /** Object names of the upload sessions begun and neither finished nor cancelled. */
  openSessions(): string[];
  /** The most results one list page holds (the real service: 1000). */
  pageSize: number;
  /** Stores the next upload with its first byte flipped, as a faulty path would (hashes of what is stored). */
  tamperNextUpload: boolean;
  fail(failure: InjectedFailure): void;
  close(): Promise<void>;
}

interface UploadSession {
  readonly id: string;
  readonly bucket: string;
  readonly name: string;
  readonly ifGenerationMatch: string | undefined;
  readonly declaredLength: number | undefined;
  readonly contentType: string;
  readonly file: string;
  received: number;
  md5: Hash;
  crc: Crc32c;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason = 'invalid',
  ) {
    super(message);
  }
}

/** Google's spelling of the JSON content type. */
const GOOGLE_JSON = { 'Content-Type': 'application/json; charset=UTF-8' };

export async function startGcsStandin(dir: string): Promise<GcsStandin> {
  const objectsDir = path.join(dir, 'objects');
  const sessionsDir = path.join(dir, 'sessions');
  await fs.mkdir(objectsDir, { recursive: true });
  await fs.mkdir(sessionsDir, { recursive: true });

  const buckets = new Map<string, Map<string, GcsObjectRecord>>();
  const sessions = new Map<string, UploadSession>();
  const failures = new InjectedFailures<InjectedFailure>();
  const requests: string[] = [];
  let generationCounter = 0;
  let fileCounter = 0;

  function bucketOf(name: string): Map<string, GcsObjectRecord> {
    const bucket = buckets.get(name);
    if (!bucket) throw new HttpError(404, 'The specified bucket does not exist.', 'notFound');
    return bucket;
  }

  function objectOf(bucketName: string, name: string): GcsObjectRecord {
    const object = bucketOf(bucketName).get(name);
    if (!object) throw new HttpError(404, `No such object: ${bucketName}/${name}`, 'notFound');
    return object;
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://standin');
    const method = req.method ?? 'GET';
    requests.push(`${method} ${url.pathname}${url.search.replace(/upload_id=\w+/, 'upload_id=…')}`);
    const failure = failures.take(method, url.pathname);
    if (failure) {
      req.resume();
      throw new HttpError(failure.status, failure.message, 'injected');
    }
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);

    // /upload/storage/v1/b/{bucket}/o
    if (parts[0] === 'upload' && parts[3] === 'b' && parts[5] === 'o') {
      const bucket = parts[4]!;
      const uploadId = url.searchParams.get('upload_id');
      if (method === 'POST' && url.searchParams.get('uploadType') === 'resumable') {
        return beginUpload(req, res, bucket, url);
      }
      if (uploadId && method === 'PUT') return continueUpload(req, res, uploadId);
      if (uploadId && method === 'DELETE') return cancelUpload(req, res, uploadId);
      throw new HttpError(400, `Unsupported upload request: ${method} ${url.search}`);
    }
    // /storage/v1/b/{bucket}/o[/{name}]
    if (parts[0] === 'storage' && parts[2] === 'b' && parts[4] === 'o') {
      req.resume();
      const bucket = parts[3]!;
      const name = parts.slice(5).join('/');
      if (!name && method === 'GET') {
        return sendJson(res, 200, listObjects(bucket, url), GOOGLE_JSON);
      }
      if (name && method === 'GET' && url.searchParams.get('alt') === 'media') {
        return sendMedia(res, objectOf(bucket, name));
      }
      if (name && method === 'GET') {
        return sendJson(res, 200, resourceOf(objectOf(bucket, name)), GOOGLE_JSON);
      }
      if (name && method === 'DELETE') return deleteObject(res, bucket, name);
    }
    req.resume();
    throw new HttpError(404, `Not found: ${method} ${url.pathname}`, 'notFound');
  }

  function beginUpload(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    bucket: string,
    url: URL,
  ): Promise<void> {
    return readJson(req).then(async (metadata) => {
      bucketOf(bucket);
      const name = url.searchParams.get('name');
      if (!name) throw new HttpError(400, 'Required parameter: name', 'required');
      const ifGenerationMatch = url.searchParams.get('ifGenerationMatch') ?? undefined;
      checkPrecondition(bucket, name, ifGenerationMatch);
      const lengthHeader = req.headers['x-upload-content-length'];
      const id = randomBytes(12).toString('hex');
      const file = path.join(sessionsDir, id);
      await fs.writeFile(file, '');
      sessions.set(id, {
        id,
        bucket,
        name,
        ifGenerationMatch,
        declaredLength: lengthHeader === undefined ? undefined : Number(lengthHeader),
        contentType:
          String(req.headers['x-upload-content-type'] ?? '') ||
          (typeof metadata.contentType === 'string' ? metadata.contentType : '') ||
          'application/octet-stream',
        file,
        received: 0,
        md5: createHash('md5'),
        crc: new Crc32c(),
      });
      const host = req.headers.host ?? 'localhost';
      res.writeHead(200, {
        Location: `http://${host}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${id}`,
        'Content-Length': '0',
      });
      res.end();
    });
  }

  function checkPrecondition(bucket: string, name: string, ifGenerationMatch?: string): void {
    if (ifGenerationMatch === undefined) return;
    const existing = bucketOf(bucket).get(name);
    const current = existing?.generation ?? '0';
    if (current !== ifGenerationMatch) {
      throw new HttpError(
        412,
        'At least one of the pre-conditions you specified did not hold.',
        'conditionNotMet',
      );
    }
  }

  async function continueUpload(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    id: string,
  ): Promise<void> {
    const session = sessions.get(id);
    if (!session) {
      req.resume();
      throw new HttpError(404, 'No such upload session (finished, cancelled or unknown).');
    }
    const range = parseContentRange(String(req.headers['content-range'] ?? 'bytes */*'));
    if (range.start === undefined) {
      // A status query: how much has been persisted?
      req.resume();
      return sendIncomplete(res, session);
    }
    if (range.start !== session.received) {
      req.resume();
      throw new HttpError(400, `Upload out of order: at ${session.received}, got ${range.start}`);
    }
    const tamper = standin.tamperNextUpload && session.received === 0;
    if (tamper) standin.tamperNextUpload = false;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        if (tamper && session.received === 0 && chunk.length > 0) {
          chunk = Buffer.from(chunk);
          chunk[0] = chunk[0]! ^ 0xff;
        }
        session.received += chunk.length;
        session.md5.update(chunk);
        session.crc.update(chunk);
        callback(null, chunk);
      },
    });
    // An interrupted request leaves the bytes that arrived, as the real service does.
    await pipeline(req, counter, createWriteStream(session.file, { flags: 'a' }));
    // "A-*" sends the rest of the object: its end ends the object unless a total says more is
    // due. "A-B" is one chunk: only a total that has been reached ends the object.
    const total = range.total;
    const complete =
      range.end === undefined
        ? total === undefined || session.received >= total
        : total !== undefined && session.received >= total;
    if (!complete) return sendIncomplete(res, session);
    return finishUpload(req, res, session, total ?? session.declaredLength);
  }

  async function finishUpload(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    session: UploadSession,
    total: number | undefined,
  ): Promise<void> {
    sessions.delete(session.id);
    try {
      if (total !== undefined && session.received !== total) {
        throw new HttpError(400, `Upload length ${session.received} differs from ${total}.`);
      }
      const md5Hash = session.md5.digest('base64');
      const crc32c = session.crc.base64();
      checkClientHashes(String(req.headers['x-goog-hash'] ?? ''), md5Hash, crc32c);
      // Checked again at the end: another writer may have finished in the meantime.
      checkPrecondition(session.bucket, session.name, session.ifGenerationMatch);
      const file = path.join(objectsDir, `${(fileCounter += 1)}`);
      await fs.rename(session.file, file);
      const record: GcsObjectRecord = {
        bucket: session.bucket,
        name: session.name,
        generation: String(Date.now() * 1000 + (generationCounter += 1)),
        size: session.received,
        md5Hash,
        crc32c,
        contentType: session.contentType,
        created: new Date(),
        file,
      };
      const replaced = bucketOf(session.bucket).get(session.name);
      bucketOf(session.bucket).set(session.name, record);
      if (replaced) await fs.rm(replaced.file, { force: true });
      sendJson(res, 200, resourceOf(record), GOOGLE_JSON);
    } finally {
      await fs.rm(session.file, { force: true });
    }
  }

  function checkClientHashes(header: string, md5Hash: string, crc32c: string): void {
    for (const pair of header.split(',').filter(Boolean)) {
      const at = pair.indexOf('=');
      const kind = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if ((kind === 'md5' && value !== md5Hash) || (kind === 'crc32c' && value !== crc32c)) {
        throw new HttpError(400, `Provided ${kind} hash doesn't match calculated ${kind} hash.`);
      }
    }
  }

  function sendIncomplete(res: http.ServerResponse, session: UploadSession): void {
    const headers: http.OutgoingHttpHeaders = { 'Content-Length': '0' };
    if (session.received > 0) headers.Range = `bytes=0-${session.received - 1}`;
    res.writeHead(308, headers);
    res.end();
  }

  async function cancelUpload(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    id: string,
  ): Promise<void> {
    req.resume();
    const session = sessions.get(id);
    if (session) {
      sessions.delete(id);
      await fs.rm(session.file, { force: true });
    }
    res.writeHead(499, { 'Content-Length': '0' });
    res.end();
  }

  function listObjects(bucketName: string, url: URL): unknown {
    const bucket = bucketOf(bucketName);
    const prefix = url.searchParams.get('prefix') ?? '';
    const delimiter = url.searchParams.get('delimiter') ?? '';
    const after = url.searchParams.get('pageToken');
    const start = after ? Buffer.from(after, 'base64url').toString() : undefined;
    const limit = Math.min(Number(url.searchParams.get('maxResults') ?? 1000), standin.pageSize);
    const items: GcsObjectRecord[] = [];
    const prefixes = new Set<string>();
    let last: string | undefined;
    let more = false;
    for (const name of [...bucket.keys()].sort()) {
      if (!name.startsWith(prefix)) continue;
      const cut = delimiter ? name.indexOf(delimiter, prefix.length) : -1;
      const key = cut >= 0 ? name.slice(0, cut + delimiter.length) : name;
      if (start !== undefined && key <= start) continue;
      if (key === last) continue;
      if (items.length + prefixes.size >= limit) {
        more = true;
        break;
      }
      if (cut >= 0) prefixes.add(key);
      else items.push(bucket.get(name)!);
      last = key;
    }
    return {
      kind: 'storage#objects',
      items: items.map(resourceOf),
      ...(prefixes.size > 0 ? { prefixes: [...prefixes] } : {}),
      ...(more && last !== undefined
        ? { nextPageToken: Buffer.from(last).toString('base64url') }
        : {}),
    };
  }

  function sendMedia(res: http.ServerResponse, object: GcsObjectRecord): Promise<void> {
    res.writeHead(200, {
      'Content-Type': object.contentType,
      'Content-Length': String(object.size),
      'X-Goog-Hash': `crc32c=${object.crc32c},md5=${object.md5Hash}`,
      'X-Goog-Generation': object.generation,
      'X-Goog-Stored-Content-Encoding': 'identity',
      'X-Goog-Stored-Content-Length': String(object.size),
    });
    return pipeline(createReadStream(object.file), res);
  }

  async function deleteObject(res: http.ServerResponse, bucket: string, name: string) {
    const object = objectOf(bucket, name);
    bucketOf(bucket).delete(name);
    await fs.rm(object.file, { force: true });
    res.writeHead(204);
    res.end();
  }

  const server = await startHttpStandin(route, (res, error) => {
    const status = error instanceof HttpError ? error.status : 500;
    const message = error instanceof Error ? error.message : String(error);
    const reason = error instanceof HttpError ? error.reason : 'backendError';
    sendJson(
      res,
      status,
      { error: { code: status, message, errors: [{ message, domain: 'global', reason }] } },
      GOOGLE_JSON,
    );
  });

  const standin: GcsStandin = {
    url: server.url,
    requests,
    pageSize: 1000,
    tamperNextUpload: false,
    createBucket(name) {
      if (!buckets.has(name)) buckets.set(name, new Map());
    },
    objects(bucket) {
      return [...bucketOf(bucket).values()];
    },
    async corrupt(bucket, name) {
      const object = objectOf(bucket, name);
      const handle = await fs.open(object.file, 'r+');
      try {
        const at = Math.floor(object.size / 2);
        const byte = Buffer.alloc(1);
        await handle.read(byte, 0, 1, at);
        byte[0] = byte[0]! ^ 0xff;
        await handle.write(byte, 0, 1, at);
      } finally {
        await handle.close();
      }
    },
    async putObject(bucket, name, data) {
      const file = path.join(objectsDir, `${(fileCounter += 1)}`);
      await fs.writeFile(file, data);
      const crc = new Crc32c();
      crc.update(data);
      bucketOf(bucket).set(name, {
        bucket,
        name,
        generation: String(Date.now() * 1000 + (generationCounter += 1)),
        size: data.length,
        md5Hash: createHash('md5').update(data).digest('base64'),
        crc32c: crc.base64(),
        contentType: 'application/octet-stream',
        created: new Date(),
        file,
      });
    },
    exists: (bucket, name) => bucketOf(bucket).has(name),
    openSessions: () => [...sessions.values()].map((session) => session.name),
    fail(failure) {
      failures.add(failure);
    },
    close: () => server.close(),
  };
  return standin;
}

function resourceOf(object: GcsObjectRecord): Record<string, unknown> {
  const time = object.created.toISOString();
  return {
    kind: 'storage#object',
    id: `${object.bucket}/${object.name}/${object.generation}`,
    name: object.name,
    bucket: object.bucket,
    generation: object.generation,
    metageneration: '1',
    contentType: object.contentType,
    storageClass: 'STANDARD',
    size: String(object.size),
    md5Hash: object.md5Hash,
    crc32c: object.crc32c,
    etag: object.md5Hash,
    timeCreated: time,
    updated: time,
    timeStorageClassUpdated: time,
  };
}

function parseContentRange(header: string): { start?: number; end?: number; total?: number } {
  // "bytes */T" (status), "bytes A-*/T" (rest of the object, streamed), "bytes A-B/T" (a chunk)
  const match = /^bytes (?:\*|(\d+)-(\d+|\*))\/(\d+|\*)$/.exec(header.trim());
  if (!match) throw new HttpError(400, `Bad Content-Range: ${header}`);
  const [, start, end, total] = match;
  return {
    ...(start !== undefined ? { start: Number(start) } : {}),
    ...(end !== undefined && end !== '*' ? { end: Number(end) } : {}),
    ...(total !== undefined && total !== '*' ? { total: Number(total) } : {}),
  };
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(req)).toString();
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    throw new HttpError(400, 'Body is not JSON');
  }
}

/** CRC-32C (Castagnoli), as GCS reports it: base64 of the big-endian value. Written here,
 * not borrowed from the client library, so that the two check each other. */
const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export class Crc32c {
  private value = 0xffffffff;

  update(data: Buffer): void {
    let c = this.value;
    for (let i = 0; i < data.length; i += 1) c = CRC32C_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
    this.value = c;
  }

  base64(): string {
    const out = Buffer.alloc(4);
    out.writeUInt32BE((this.value ^ 0xffffffff) >>> 0);
    return out.toString('base64');
  }
}
