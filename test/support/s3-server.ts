import fs from 'node:fs';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { startChild } from './child-server.js';
import { tempDir } from './tmp.js';

export interface S3TestServer {
  /** http://127.0.0.1:PORT, for S3Options.endpoint with forcePathStyle. */
  readonly endpoint: string;
  /** A client of its own, to read and write behind a backend's back. */
  readonly client: S3Client;
  /** The file holding an object's bytes (fauxqs's s3StorageDir layout). */
  objectFile(bucket: string, key: string): string;
  /**
   * Unfinished multipart uploads, read from fauxqs's files: fauxqs does not
   * implement ListMultipartUploads (it answers GET ?uploads with an object listing).
   */
  pendingMultipartUploads(): string[];
  stop(): Promise<void>;
}

/** The dummy credentials fauxqs accepts (it does not check signatures). */
export const FAUXQS_CREDENTIALS = { accessKeyId: 'fauxqs-test', secretAccessKey: 'fauxqs-test' };

/**
 * Starts a real fauxqs server in a child process, on a port the OS picks,
 * with `buckets` created and objects kept as files in a temporary directory.
 * fauxqs binds 0.0.0.0 (it has no option for an address) and needs Node ≥ 22.5.
 */
export async function startS3Server(buckets: readonly string[]): Promise<S3TestServer> {
  const storageDir = tempDir('fauxqs');
  const running = await startChild(
    process.execPath,
    [path.join(import.meta.dirname, 'fauxqs-server.mjs'), storageDir, ...buckets],
    /^\{"port":\d+\}$/,
  );
  const { port } = JSON.parse(running.line) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: FAUXQS_CREDENTIALS,
  });
  return {
    endpoint,
    client,
    objectFile: (bucket, key) => path.join(storageDir, 'buckets', bucket, 'objects', `${key}.data`),
    pendingMultipartUploads: () => {
      const dir = path.join(storageDir, '_multipart');
      return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    },
    stop: async () => {
      client.destroy();
      await running.stop();
    },
  };
}
