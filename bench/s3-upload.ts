/**
 * Uploads a generated 1 GiB file to a local fauxqs through S3Storage.put and
 * downloads it back with S3Storage.get, printing throughput and this
 * process's peak RSS for each step.
 *
 *   npx tsx bench/s3-upload.ts [size-in-MiB]
 *
 * fauxqs runs in its own process (its memory is not counted), keeping objects
 * as files in a temporary directory; the machine's disk speed is part of the
 * figures.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { digestFile } from '../src/pipeline/digest.js';
import { S3Storage } from '../src/storage/s3.js';
import { startChild } from '../test/support/child-server.js';

const MiB = 1024 * 1024;
const size = Number(process.argv[2] ?? 1024) * MiB;
const bucket = 'bench';

/** Incompressible bytes, quickly: AES-CTR over zeros. */
async function writeGeneratedFile(file: string, bytes: number): Promise<void> {
  const cipher = createCipheriv('aes-128-ctr', randomBytes(16), Buffer.alloc(16));
  const zeros = Buffer.alloc(MiB);
  function* chunks(): Generator<Buffer> {
    for (let sent = 0; sent < bytes; sent += MiB) {
      yield cipher.update(zeros.subarray(0, Math.min(MiB, bytes - sent)));
    }
  }
  await pipeline(Readable.from(chunks()), createWriteStream(file));
}

/** Runs `step`, sampling RSS every 20 ms; returns seconds taken and the peak RSS. */
async function measure(step: () => Promise<void>): Promise<{ seconds: number; peakRss: number }> {
  let peakRss = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 20);
  const start = process.hrtime.bigint();
  try {
    await step();
  } finally {
    clearInterval(timer);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, peakRss: Math.max(peakRss, process.memoryUsage.rss()) };
}

function report(label: string, result: { seconds: number; peakRss: number }): void {
  const mbPerSecond = size / 1e6 / result.seconds;
  console.log(
    `${label}: ${result.seconds.toFixed(1)} s, ${mbPerSecond.toFixed(0)} MB/s ` +
      `(${(size / MiB / result.seconds).toFixed(0)} MiB/s), peak RSS ${(result.peakRss / MiB).toFixed(0)} MiB`,
  );
}

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'db-backup-bench-'));
  const server = await startChild(
    process.execPath,
    [
      path.join(import.meta.dirname, '../test/support/fauxqs-server.mjs'),
      path.join(dir, 's3'),
      bucket,
    ],
    /^\{"port":\d+\}$/,
  );
  try {
    const { port } = JSON.parse(server.line) as { port: number };
    process.env.AWS_ACCESS_KEY_ID = 'bench';
    process.env.AWS_SECRET_ACCESS_KEY = 'bench';
    const storage = new S3Storage({
      bucket,
      prefix: 'bench',
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
    });
    const source = path.join(dir, 'source.bin');
    await writeGeneratedFile(source, size);
    console.log(
      `${(size / MiB).toFixed(0)} MiB (${(size / 1e9).toFixed(2)} GB), Node ${process.version}, ` +
        `${os.cpus().length} CPUs; RSS before: ${(process.memoryUsage.rss() / MiB).toFixed(0)} MiB`,
    );

    const name = 'sqlite_backup_20260101_000000.db.gz';
    report(
      'upload  ',
      await measure(() => storage.put(name, { size, open: () => createReadStream(source) })),
    );
    const target = path.join(dir, 'downloaded.bin');
    report('download', await measure(() => storage.get(name, target)));

    const [sent, received] = await Promise.all([digestFile(source), digestFile(target)]);
    if (sent.sha256 !== received.sha256 || sent.size !== received.size) {
      throw new Error('The downloaded file differs from the uploaded one.');
    }
    console.log(`round trip verified (sha256 ${sent.sha256.slice(0, 16)}…)`);
    console.log(
      `process peak RSS (getrusage): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
    );
  } finally {
    await server.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

await main();
