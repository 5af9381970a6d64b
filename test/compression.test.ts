import { spawnSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { compressionSettings } from '../src/config/compression-config.js';
import { UserError } from '../src/domain/errors.js';
import { createCompressor } from '../src/pipeline/compress.js';
import { decodeInto, decodeToNowhere } from '../src/pipeline/decode.js';
import { classifyContent, type ContentKind } from '../src/pipeline/decompress.js';
import { DEFAULT_BLOCK_SIZE, ParallelCompressor } from '../src/pipeline/parallel-compress.js';
import { tempDir } from './support/tmp.js';

const MiB = 1024 * 1024;

/** Text that compresses like a dump (repetitive, with varying numbers), `size` bytes. */
function dumpLikeText(size: number): Buffer {
  const lines: string[] = [];
  let length = 0;
  for (let i = 0; length < size; i += 1) {
    const line = `${i}\tcustomer ${i % 977}\tuser${i}@example.com\t${(i * 7919) % 100_000}\n`;
    lines.push(line);
    length += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, size);
}

/** Incompressible bytes (AES-CTR over zeros), the same for the same seed. */
function randomBytesOf(size: number, seed: string): Buffer {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

async function compress(algorithm: 'gzip' | 'zstd' | 'none', input: Buffer, level?: number) {
  const stage = createCompressor(
    compressionSettings({
      compression: algorithm,
      ...(level ? { 'compression-level': String(level) } : {}),
    }),
  );
  const chunks: Buffer[] = [];
  await pipeline(
    // Odd-sized chunks, so that blocks are cut across them.
    Readable.from(
      (function* () {
        for (let at = 0; at < input.length; at += 65_537) yield input.subarray(at, at + 65_537);
      })(),
    ),
    stage,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    }),
  );
  return { output: Buffer.concat(chunks), bytesIn: stage.bytesIn };
}

function stockDecompress(command: string[], input: Buffer): Buffer {
  const result = spawnSync(command[0]!, command.slice(1), { input, maxBuffer: 64 * MiB });
  expect(result.status, result.stderr?.toString()).toBe(0);
  return result.stdout;
}

describe('compression', () => {
  const input = dumpLikeText(5 * MiB + 12_345);

  test.each([
    ['gzip', ['gunzip', '-c']],
    ['zstd', ['zstd', '-d', '-c', '-q']],
  ] as const)(
    '%s in parallel blocks is one stream to the stock tool, smaller than the input',
    async (algorithm, command) => {
      const { output, bytesIn } = await compress(algorithm, input);
      expect(bytesIn).toBe(input.length);
      expect(output.length).toBeLessThan(input.length / 3);
      expect(stockDecompress([...command], output).equals(input)).toBe(true);
      expect(classifyContent(output.subarray(0, 64))).toBe(algorithm);
    },
  );

  test('zstd frames carry their size and a checksum that `zstd -t` checks', async () => {
    const { output } = await compress('zstd', input);
    // Frame header descriptor: bit 2 is the content checksum flag.
    expect(output[4]! & 0x04).toBe(0x04);
    const damaged = Buffer.from(output);
    damaged[damaged.length - 2]! ^= 0xff;
    const test = spawnSync('zstd', ['-t', '-q'], { input: damaged });
    expect(test.status).not.toBe(0);
  });

  test('none passes the bytes through unchanged', async () => {
    const { output, bytesIn } = await compress('none', input);
    expect(bytesIn).toBe(input.length);
    expect(output.equals(input)).toBe(true);
  });

  test.each(['gzip', 'zstd'] as const)(
    'an empty input is a valid, empty %s file',
    async (algorithm) => {
      const { output } = await compress(algorithm, Buffer.alloc(0));
      expect(output.length).toBeGreaterThan(0);
      const back = algorithm === 'gzip' ? zlib.gunzipSync(output) : zlib.zstdDecompressSync(output);
      expect(back.length).toBe(0);
    },
  );

  test('higher levels are smaller: zstd 19 < zstd 1, gzip 9 <= gzip 1', async () => {
    const sample = input.subarray(0, 2 * MiB);
    const [z1, z19, g1, g9] = await Promise.all([
      compress('zstd', sample, 1),
      compress('zstd', sample, 19),
      compress('gzip', sample, 1),
      compress('gzip', sample, 9),
    ]);
    expect(z19.output.length).toBeLessThan(z1.output.length);
    expect(g9.output.length).toBeLessThanOrEqual(g1.output.length);
  });

  test('the parallel compressor holds a bounded window, however slowly the next stage reads', async () => {
    // 64 MiB offered by a source that counts what was taken, into a compressor whose
    // output nobody reads: it may take only what its window and buffers hold.
    const total = 64 * MiB;
    let taken = 0;
    const source = new Readable({
      read() {
        if (taken >= total) return this.push(null);
        const chunk = randomBytesOf(64 * 1024, `chunk ${taken}`);
        taken += chunk.length;
        this.push(chunk);
      },
    });
    const compressor = new ParallelCompressor({
      compressBlock: (block) => Promise.resolve(Buffer.from(block)),
      concurrency: 3,
    });
    source.pipe(compressor);
    // Until the flow stops: nothing reads the output, so it must stop.
    for (let unchanged = 0; unchanged < 5;) {
      const before = taken;
      await new Promise((resolve) => setTimeout(resolve, 50));
      unchanged = taken === before ? unchanged + 1 : 0;
    }
    // In flight (3 blocks), the block being filled, one pushed block over the readable
    // side's high-water mark, and the writable side's and the source's own buffers.
    expect(taken).toBeLessThan(7 * DEFAULT_BLOCK_SIZE);
    expect(taken).toBeGreaterThan(2 * DEFAULT_BLOCK_SIZE);
    source.destroy();
    compressor.destroy();
  });

  test('a block that fails to compress fails the stream', async () => {
    let blocks = 0;
    const compressor = new ParallelCompressor({
      compressBlock: () =>
        (blocks += 1) === 3
          ? Promise.reject(new Error('out of memory'))
          : Promise.resolve(Buffer.alloc(1)),
    });
    await expect(
      pipeline(
        Readable.from([randomBytesOf(8 * MiB, 'fail')]),
        compressor,
        new Writable({ write: (_c, _e, cb) => cb() }),
      ),
    ).rejects.toThrow(/out of memory/);
  });
});

describe('what the content is, by its first bytes', () => {
  test.each<[string, Buffer, ContentKind]>([
    ['gzip', zlib.gzipSync('x'), 'gzip'],
    ['a zstd frame', zlib.zstdCompressSync(Buffer.from('x')), 'zstd'],
    ['a zstd skippable frame', Buffer.from([0x50, 0x2a, 0x4d, 0x18, 0, 0, 0, 0]), 'zstd'],
    ['a SQLite database', Buffer.from('SQLite format 3\0\x10\x00\x01\x01', 'latin1'), 'sqlite'],
    [
      'pg_dump text',
      Buffer.from('--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n'),
      'text',
    ],
    ['UTF-8 text', Buffer.from('-- Zoë «quoted»\tcafé\r\n'), 'text'],
    ['nothing', Buffer.alloc(0), 'empty'],
    [
      'gzip with a damaged first byte',
      Buffer.from([0x1e, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 3]),
      'unknown',
    ],
    ['random bytes', randomBytesOf(64, 'random'), 'unknown'],
  ])('%s', (_label, head, kind) => {
    expect(classifyContent(head)).toBe(kind);
  });
});

describe('decoding by content, whatever the name says', () => {
  const input = dumpLikeText(3 * MiB);

  test.each(['gzip', 'zstd', 'none'] as const)(
    '%s named .gz decodes by its content',
    async (algorithm) => {
      const dir = tempDir('decode');
      const file = path.join(dir, 'lying.sql.gz');
      fs.writeFileSync(file, (await compress(algorithm, input)).output);
      const seen: ContentKind[] = [];
      const chunks: Buffer[] = [];
      const size = await decodeInto(
        file,
        async (source) => {
          for await (const chunk of source) chunks.push(chunk);
        },
        { onContent: (kind) => seen.push(kind) },
      );
      expect(size).toBe(input.length);
      expect(Buffer.concat(chunks).equals(input)).toBe(true);
      expect(seen).toEqual([algorithm === 'none' ? 'text' : algorithm]);
    },
  );

  test.each([
    ['gzip', 'truncated', /truncated: its gzip data ends early/],
    ['zstd', 'truncated', /truncated: its zstd data ends early/],
    ['gzip', 'damaged', /damaged: .*not valid gzip data/],
    ['zstd', 'damaged', /damaged: .*not valid zstd data/],
  ] as const)('%s %s is refused with one line', async (algorithm, harm, message) => {
    const dir = tempDir('decode-bad');
    const file = path.join(dir, `backup.sql.${algorithm === 'gzip' ? 'gz' : 'zst'}`);
    // Incompressible content keeps every block's data long, so harm lands inside one.
    const { output } = await compress(algorithm, randomBytesOf(3 * MiB, 'bad'));
    if (harm === 'truncated')
      fs.writeFileSync(file, output.subarray(0, Math.floor(output.length * 0.6)));
    else {
      const damaged = Buffer.from(output);
      for (let i = 0; i < 64; i += 1) damaged[Math.floor(damaged.length / 2) + i]! ^= 0x5a;
      fs.writeFileSync(file, damaged);
    }
    const error = await decodeToNowhere(file).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(path.basename(file));
  });

  test('a zstd file made with a window larger than 128 MiB (zstd --long) says how to read it', async () => {
    const dir = tempDir('decode-long');
    const file = path.join(dir, 'dump.sql.zst');
    const made = spawnSync('sh', [
      '-c',
      'head -c 300000000 /dev/zero | zstd -q --long=30 -c > "$1"',
      'sh',
      file,
    ]);
    expect(made.status, made.stderr.toString()).toBe(0);
    await expect(decodeToNowhere(file)).rejects.toThrow(
      /dump\.sql\.zst was compressed with a zstd window larger than 128 MiB \(zstd --long\): unpack it with zstd -d --long=31 first/,
    );
  });

  test('garbage out of a decryption points at the passphrase', async () => {
    const dir = tempDir('decode-garbage');
    const file = path.join(dir, 'backup.db.zst.gpg');
    fs.writeFileSync(file, randomBytesOf(4096, 'encrypted'));
    // A stage standing in for a decryption with a wrong key: it turns bytes into garbage.
    const scramble = new Transform({
      transform: (chunk: Buffer, _encoding, callback) =>
        callback(null, randomBytesOf(chunk.length, 'garbage')),
    });
    await expect(decodeToNowhere(file, { beforeDecompression: [scramble] })).rejects.toThrow(
      /^Cannot decrypt the backup: wrong passphrase, or the file is damaged \(backup\.db\.zst\.gpg decrypts to neither gzip nor zstd nor an uncompressed dump\)/,
    );
  });

  test('a file that is neither compressed nor a dump is refused before any byte goes further', async () => {
    const dir = tempDir('decode-unknown');
    const file = path.join(dir, 'backup.db.zst');
    fs.writeFileSync(file, randomBytesOf(1 * MiB, 'unknown'));
    let received = 0;
    await expect(
      decodeInto(file, async (source) => {
        for await (const chunk of source) received += chunk.length;
      }),
    ).rejects.toThrow(/backup\.db\.zst is neither gzip nor zstd nor an uncompressed dump/);
    expect(received).toBe(0);
  });
});

describe('compression settings', () => {
  test.each([
    [{}, { algorithm: 'gzip', level: 6 }],
    [{ 'compression-level': '9' }, { algorithm: 'gzip', level: 9 }],
    [{ compression: 'zstd' }, { algorithm: 'zstd', level: 3 }],
    [
      { compression: 'ZSTD', 'compression-level': '19' },
      { algorithm: 'zstd', level: 19 },
    ],
    [{ compression: 'none' }, { algorithm: 'none', level: null }],
  ])('%o → %o', (settings, expected) => {
    expect(compressionSettings(settings)).toEqual(expected);
  });

  test.each([
    [{ compression: 'brotli' }, 'compression must be gzip, zstd or none (got "brotli").'],
    [
      { 'compression-level': '10' },
      'compression-level for gzip must be a whole number from 1 (fastest) to 9 (smallest), got "10".',
    ],
    [
      { compression: 'zstd', 'compression-level': '22' },
      'compression-level for zstd must be a whole number from 1 (fastest) to 19 (smallest), got "22".',
    ],
    [
      { compression: 'zstd', 'compression-level': '-1' },
      'compression-level for zstd must be a whole number from 1 (fastest) to 19 (smallest), got "-1".',
    ],
    [
      { compression: 'none', 'compression-level': '3' },
      'compression-level 3 has no meaning with compression none: remove it, or choose gzip or zstd.',
    ],
  ])('%o is refused: %s', (settings, message) => {
    expect(() => compressionSettings(settings)).toThrow(new UserError(message));
  });
});
