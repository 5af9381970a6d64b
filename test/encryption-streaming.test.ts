import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, test } from 'vitest';
import { prepareDecryptor, prepareEncryptor } from '../src/pipeline/encryption.js';
import {
  decryptFile,
  file,
  PASSPHRASE,
  sample,
  setUpEncryptionFixtures,
} from './support/encryption-fixtures.js';

setUpEncryptionFixtures([]);

/** Deterministic pseudo-random bytes, produced on demand, counting what was read. */
class GeneratedSource extends Readable {
  produced = 0;
  readonly #block = randomBytes(1 << 16);
  readonly #total: number;

  constructor(total: number) {
    super();
    this.#total = total;
  }

  override _read(): void {
    if (this.produced >= this.#total) {
      this.push(null);
      return;
    }
    const chunk = Buffer.from(this.#block);
    chunk.writeUInt32LE(this.produced, 0);
    this.produced += chunk.length;
    this.push(chunk);
  }
}

function hashing(hash: ReturnType<typeof createHash>): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
}

describe('the stages stream', () => {
  test('64 MiB through encrypt and decrypt: same sha256, and the source never runs far ahead', async () => {
    const total = 64 * 1024 * 1024;
    const source = new GeneratedSource(total);
    const before = createHash('sha256');
    const after = createHash('sha256');
    let consumed = 0;
    let furthestAhead = 0;
    const slowSink = new Writable({
      highWaterMark: 1 << 16,
      write(chunk: Buffer, _encoding, callback) {
        after.update(chunk);
        consumed += chunk.length;
        furthestAhead = Math.max(furthestAhead, source.produced - consumed);
        setImmediate(callback);
      },
    });
    const encryptor = await prepareEncryptor({ mode: 'passphrase', passphrase: PASSPHRASE });
    const decryptor = await prepareDecryptor({ passphrase: PASSPHRASE });
    await pipeline(
      source,
      hashing(before),
      encryptor!.createStage(),
      decryptor.createStage(),
      slowSink,
    );
    expect(consumed).toBe(total);
    expect(after.digest('hex')).toBe(before.digest('hex'));
    // Buffers of a few streams in a row, not the 64 MiB: backpressure holds through both stages.
    expect(furthestAhead).toBeLessThan(8 * 1024 * 1024);
  });

  test('each createStage is a fresh stream; two files of the same data differ', async () => {
    const encryptor = await prepareEncryptor({ mode: 'passphrase', passphrase: PASSPHRASE });
    const first = file('fresh-1.gpg');
    const second = file('fresh-2.gpg');
    for (const target of [first, second]) {
      await pipeline(
        fs.createReadStream(sample.gz),
        encryptor!.createStage(),
        fs.createWriteStream(target),
      );
    }
    expect(fs.readFileSync(first)).not.toEqual(fs.readFileSync(second));
    for (const source of [first, second]) {
      const out = `${source}.out`;
      await decryptFile({ passphrase: PASSPHRASE }, source, out);
      expect(fs.readFileSync(out)).toEqual(fs.readFileSync(sample.gz));
    }
  });

  test.each(['before the stage', 'after the stage'])(
    'a failure %s ends the pipeline with that error, without hanging',
    async (where) => {
      const failure = Object.assign(new Error('the disk went away'), { code: 'EIO' });
      let written = 0;
      const source = new GeneratedSource(32 * 1024 * 1024);
      const failingSource = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          written += chunk.length;
          callback(where === 'before the stage' && written > 4 << 20 ? failure : null, chunk);
        },
      });
      let received = 0;
      const failingSink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          received += chunk.length;
          callback(where === 'after the stage' && received > 4 << 20 ? failure : null);
        },
      });
      const encryptor = await prepareEncryptor({ mode: 'passphrase', passphrase: PASSPHRASE });
      const decryptor = await prepareDecryptor({ passphrase: PASSPHRASE });
      await expect(
        pipeline(
          source,
          failingSource,
          encryptor!.createStage(),
          decryptor.createStage(),
          failingSink,
        ),
      ).rejects.toBe(failure);
      expect(source.produced).toBeLessThan(32 * 1024 * 1024);
    },
  );
});
