import fs from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as openpgp from 'openpgp';
import type * as actual from 'openpgp';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import { UserError } from '../src/domain/errors.js';
import { prepareDecryptor, type Decryptor } from '../src/pipeline/encryption.js';
import { keysTheDataAccepts } from '../src/pipeline/session-key-check.js';
import {
  ED,
  KEY_PASSPHRASE,
  PASSPHRASE,
  encryptFile,
  file,
  gpg,
  keys,
  sample,
  setUpEncryptionFixtures,
  withByteFlipped,
} from './support/encryption-fixtures.js';

/**
 * OpenPGP.js itself, with its session-key search counted: how often a key was
 * derived from a passphrase (a deliberately slow step) or a private key was used.
 */
const searches = vi.hoisted(() => ({ passphrase: 0, privateKey: 0 }));
vi.mock('openpgp', async (importOriginal) => {
  const openpgp = await importOriginal<typeof actual>();
  return {
    ...openpgp,
    decryptSessionKeys: (options: Parameters<typeof actual.decryptSessionKeys>[0]) => {
      if (options.passwords) searches.passphrase += 1;
      if (options.decryptionKeys) searches.privateKey += 1;
      return openpgp.decryptSessionKeys(options);
    },
  };
});

setUpEncryptionFixtures([ED]);

beforeEach(() => {
  searches.passphrase = 0;
  searches.privateKey = 0;
});

/** One read of `input` through a stage of `decryptor`: the plaintext, or the error it ended with. */
async function read(decryptor: Decryptor, input: string): Promise<Buffer | UserError> {
  const chunks: Buffer[] = [];
  return pipeline(
    fs.createReadStream(input),
    decryptor.createStage(),
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    }),
  ).then(
    () => Buffer.concat(chunks),
    (error: unknown) => {
      expect(error).toBeInstanceOf(UserError);
      return error as UserError;
    },
  );
}

function gpgSymmetric(name: string, passphrase: string): string {
  const output = file(name);
  gpg.ok([
    '--passphrase-file',
    gpg.passphraseFile(passphrase),
    '--symmetric',
    '--cipher-algo',
    'AES256',
    '--output',
    output,
    sample.gz,
  ]);
  return output;
}

describe('a file read more than once (a restore checks it, then restores it)', () => {
  test('ours, by passphrase: the key is derived once, and every read gives the plaintext', async () => {
    const encrypted = file('ours-thrice.gpg');
    await encryptFile({ mode: 'passphrase', passphrase: PASSPHRASE }, sample.gz, encrypted);
    const decryptor = await prepareDecryptor({ passphrase: PASSPHRASE });
    for (let pass = 0; pass < 3; pass += 1)
      expect(await read(decryptor, encrypted)).toEqual(fs.readFileSync(sample.gz));
    expect(searches).toEqual({ passphrase: 1, privateKey: 0 });
  });

  test("gpg's, by passphrase (its slower derivation): once", async () => {
    const encrypted = gpgSymmetric('gpg-twice.gpg', PASSPHRASE);
    const decryptor = await prepareDecryptor({ passphrase: PASSPHRASE });
    expect(await read(decryptor, encrypted)).toEqual(fs.readFileSync(sample.gz));
    expect(await read(decryptor, encrypted)).toEqual(fs.readFileSync(sample.gz));
    expect(searches.passphrase).toBe(1);
  });

  test('by private key: the key is used once', async () => {
    const encrypted = file('ours-to-ed.gpg');
    await encryptFile(
      { mode: 'public-key', armoredPublicKeys: [keys[ED].publicKey] },
      sample.gz,
      encrypted,
    );
    const decryptor = await prepareDecryptor({
      privateKeys: [{ armored: keys[ED].secretKey, passphrase: KEY_PASSPHRASE }],
    });
    expect(await read(decryptor, encrypted)).toEqual(fs.readFileSync(sample.gz));
    expect(await read(decryptor, encrypted)).toEqual(fs.readFileSync(sample.gz));
    expect(searches).toEqual({ passphrase: 0, privateKey: 1 });
  });

  test('another file with the same passphrase has its own salt: its key is derived for it', async () => {
    const first = file('same-passphrase-1.gpg');
    const second = file('same-passphrase-2.gpg');
    await encryptFile({ mode: 'passphrase', passphrase: PASSPHRASE }, sample.gz, first);
    await encryptFile({ mode: 'passphrase', passphrase: PASSPHRASE }, sample.gz, second);
    const decryptor = await prepareDecryptor({ passphrase: PASSPHRASE });
    expect(await read(decryptor, first)).toEqual(fs.readFileSync(sample.gz));
    expect(await read(decryptor, second)).toEqual(fs.readFileSync(sample.gz));
    expect(await read(decryptor, first)).toEqual(fs.readFileSync(sample.gz));
    expect(searches.passphrase).toBe(2);
  });

  test('a copy whose session-key packet was altered is not taken for the file: it fails as before', async () => {
    const encrypted = file('ours-then-altered.gpg');
    await encryptFile({ mode: 'passphrase', passphrase: PASSPHRASE }, sample.gz, encrypted);
    // The packet's salt starts after its tag, length, version, cipher, S2K type and hash.
    const altered = withByteFlipped(encrypted, 'ours-altered-salt.gpg', 6);
    const decryptor = await prepareDecryptor({ passphrase: PASSPHRASE });
    expect(await read(decryptor, encrypted)).toEqual(fs.readFileSync(sample.gz));
    const failure = await read(decryptor, altered);
    expect(failure).toBeInstanceOf(UserError);
    expect((failure as UserError).message).toMatch(/wrong passphrase/);
    expect(searches.passphrase).toBe(2);
  });

  test('a wrong passphrase is not remembered as a key: each read fails with the same words', async () => {
    const encrypted = file('ours-wrong.gpg');
    await encryptFile({ mode: 'passphrase', passphrase: PASSPHRASE }, sample.gz, encrypted);
    const decryptor = await prepareDecryptor({ passphrase: 'not the passphrase at all' });
    const first = await read(decryptor, encrypted);
    const second = await read(decryptor, encrypted);
    expect(first).toBeInstanceOf(UserError);
    expect((second as UserError).message).toBe((first as UserError).message);
    expect((first as UserError).message).toMatch(/wrong passphrase/);
    expect(searches.passphrase).toBe(2);
  });

  test('two session-key packets are never taken for one packet holding both: that file fails as on its own', async () => {
    // X: two passphrase packets, then the data of the sample. Y: one passphrase packet whose
    // body is both of X's, then other data encrypted under the session key X's first packet
    // opens to. On its own the library refuses Y's packet; read after X, it must still.
    const original = file('two-packets-source.gpg');
    await encryptFile({ mode: 'passphrase', passphrase: PASSPHRASE }, sample.gz, original);
    const bytes = fs.readFileSync(original);
    const message = await openpgp.readMessage({ binaryMessage: bytes });
    const first = Buffer.from(message.packets[0]!.write());
    const second = Buffer.from([4, 9, 3, 2, 0, 1, 2, 3, 4, 5, 6, 7, 96]);
    const data = bytes.subarray(packetLength(bytes));
    const [sessionKey] = await openpgp.decryptSessionKeys({ message, passwords: [PASSPHRASE] });
    const other = Buffer.from(
      await openpgp.encrypt({
        message: await openpgp.createMessage({ binary: Buffer.from('other rows\n') }),
        sessionKey: { data: sessionKey!.data, algorithm: 'aes256' },
        passwords: ['an unrelated passphrase'],
        format: 'binary',
        config: { aeadProtect: false },
      }),
    );
    const x = file('two-packets-x.gpg');
    const y = file('one-packet-y.gpg');
    fs.writeFileSync(x, Buffer.concat([packet(3, first), packet(3, second), data]));
    fs.writeFileSync(
      y,
      Buffer.concat([
        packet(3, Buffer.concat([first, second])),
        other.subarray(packetLength(other)),
      ]),
    );
    const alone = await read(await prepareDecryptor({ passphrase: PASSPHRASE }), y);
    expect(alone).toBeInstanceOf(UserError);
    const decryptor = await prepareDecryptor({ passphrase: PASSPHRASE });
    expect(await read(decryptor, x)).toEqual(fs.readFileSync(sample.gz));
    expect(await read(decryptor, y)).toEqual(alone);
  });
});

describe('of several session keys, the one the data was made with is used', () => {
  test('a key-less passphrase packet beside the real one yields a wrong key, which the quick check of the data sets aside, in either order', async () => {
    const original = file('quick-check-source.gpg');
    await encryptFile({ mode: 'passphrase', passphrase: PASSPHRASE }, sample.gz, original);
    const bytes = fs.readFileSync(original);
    const real = Buffer.from(
      (await openpgp.readMessage({ binaryMessage: bytes })).packets[0]!.write(),
    );
    const keyless = Buffer.from([4, 9, 3, 2, 0, 1, 2, 3, 4, 5, 6, 7, 96]);
    const data = bytes.subarray(packetLength(bytes));
    for (const order of [
      [real, keyless],
      [keyless, real],
    ]) {
      const both = Buffer.concat([...order.map((body) => packet(3, body)), data]);
      const message = await openpgp.readMessage({ binaryMessage: streamOf(both) });
      const keys = await openpgp.decryptSessionKeys({ message, passwords: [PASSPHRASE] });
      expect(keys).toHaveLength(2);
      for (const tried of [keys, [...keys].reverse()]) {
        const again = await openpgp.readMessage({ binaryMessage: streamOf(both) });
        const accepted = await keysTheDataAccepts(again, tried);
        expect(accepted).toHaveLength(1);
        // The message still reads whole after the check looked at its first bytes.
        const { data: plain } = await openpgp.decrypt({
          message: again,
          sessionKeys: accepted as openpgp.SessionKey[],
          format: 'binary',
        });
        expect(Buffer.from(await new Response(plain as ReadableStream).arrayBuffer())).toEqual(
          fs.readFileSync(sample.gz),
        );
      }
    }
  });

  test('one key, or none that passes, is left as it was (the file then fails as before)', async () => {
    const original = file('quick-check-one.gpg');
    await encryptFile({ mode: 'passphrase', passphrase: PASSPHRASE }, sample.gz, original);
    const bytes = fs.readFileSync(original);
    const message = await openpgp.readMessage({ binaryMessage: streamOf(bytes) });
    const [key] = await openpgp.decryptSessionKeys({ message, passwords: [PASSPHRASE] });
    const wrong = { data: new Uint8Array(32).fill(7), algorithm: 'aes256' as const };
    expect(await keysTheDataAccepts(message, [wrong])).toEqual([wrong]);
    expect(
      await keysTheDataAccepts(message, [wrong, { ...wrong, data: new Uint8Array(32) }]),
    ).toHaveLength(2);
    expect(await keysTheDataAccepts(message, [wrong, key!])).toEqual([key]);
  });
});

/** The bytes as a web stream, as a file is read. */
function streamOf(bytes: Buffer): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(new Uint8Array(bytes.subarray(offset, offset + 4096)));
      offset += 4096;
    },
  });
}

/** A packet in OpenPGP's new format, for a body under 8,384 bytes. */
function packet(tag: number, body: Buffer): Buffer {
  const length =
    body.length < 192
      ? [body.length]
      : [((body.length - 192) >> 8) + 192, (body.length - 192) & 0xff];
  return Buffer.concat([Buffer.from([0xc0 | tag, ...length]), body]);
}

/** The length, header included, of the new-format packet `bytes` starts with. */
function packetLength(bytes: Buffer): number {
  const first = bytes[1]!;
  return first < 192 ? 2 + first : 3 + ((first - 192) << 8) + bytes[2]! + 192;
}
