import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { UserError } from '../src/errors.js';
import {
  looksLikeOpenPgp,
  passphraseFromFile,
  prepareDecryptor,
  prepareEncryptor,
  type DecryptionKeys,
  type EncryptionRequest,
} from '../src/pipeline/encryption.js';
import { redact } from '../src/secrets.js';
import { GpgHome } from './support/gpg.js';
import { tempDir } from './support/tmp.js';

const PASSPHRASE = 'correct horse battery staple';
const KEY_PASSPHRASE = 'key passphrase 42';
const ED = 'ed@example.com';
const RSA = 'rsa@example.com';
const SIGNER = 'signer@example.com';

const KEY_PARAMETERS = `
Key-Type: eddsa
Key-Curve: ed25519
Key-Usage: sign
Subkey-Type: ecdh
Subkey-Curve: cv25519
Subkey-Usage: encrypt
Name-Real: Ed Cv
Name-Email: ${ED}
Expire-Date: 0
Passphrase: ${KEY_PASSPHRASE}
%commit
Key-Type: RSA
Key-Length: 3072
Key-Usage: sign
Subkey-Type: RSA
Subkey-Length: 3072
Subkey-Usage: encrypt
Name-Real: Rsa
Name-Email: ${RSA}
Expire-Date: 0
Passphrase: ${KEY_PASSPHRASE}
%commit
Key-Type: eddsa
Key-Curve: ed25519
Key-Usage: sign
Name-Real: Signer
Name-Email: ${SIGNER}
Expire-Date: 0
%no-protection
%commit
`;

interface Keys {
  readonly publicKey: string;
  readonly secretKey: string;
  readonly fingerprint: string;
  readonly subkeyId: string;
}

let gpg: GpgHome;
let dir: string;
let keys: Record<typeof ED | typeof RSA, Keys>;
let signerPublicKey: string;
/** A small gzip file and what it unpacks to. */
let sample: { gz: string; plain: Buffer };

beforeAll(() => {
  gpg = new GpgHome('keys');
  dir = tempDir('encryption');
  gpg.generateKeys(KEY_PARAMETERS);
  const read = (userId: string): Keys => ({
    publicKey: gpg.exportPublic(userId),
    secretKey: gpg.exportSecret(userId, KEY_PASSPHRASE),
    fingerprint: gpg.fingerprint(userId),
    subkeyId: gpg.encryptionSubkeyId(userId),
  });
  keys = { [ED]: read(ED), [RSA]: read(RSA) };
  signerPublicKey = gpg.exportPublic(SIGNER);
  const plain = Buffer.concat([
    Buffer.from('INSERT INTO users VALUES (1, "ada");\n'.repeat(5000)),
    randomBytes(100_000),
  ]);
  sample = { gz: path.join(dir, 'sample.sql.gz'), plain };
  fs.writeFileSync(sample.gz, zlib.gzipSync(plain));
}, 120_000);

afterAll(() => gpg?.stopAgent());

function file(name: string): string {
  return path.join(dir, name);
}

async function encryptFile(request: EncryptionRequest, input: string, output: string) {
  const encryptor = await prepareEncryptor(request);
  if (!encryptor) throw new Error('no encryptor');
  await pipeline(fs.createReadStream(input), encryptor.createStage(), fs.createWriteStream(output));
  return encryptor;
}

async function decryptFile(credentials: DecryptionKeys, input: string, output: string) {
  const decryptor = await prepareDecryptor(credentials);
  await pipeline(fs.createReadStream(input), decryptor.createStage(), fs.createWriteStream(output));
}

/** Decrypts to nowhere and returns the error it must end with. */
async function decryptionError(credentials: DecryptionKeys, input: string): Promise<UserError> {
  const decryptor = await prepareDecryptor(credentials);
  const error: unknown = await pipeline(
    fs.createReadStream(input),
    decryptor.createStage(),
    new Writable({ write: (_chunk, _encoding, callback) => callback() }),
  ).then(
    () => new Error('decryption succeeded'),
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

async function refusal(promise: Promise<unknown>): Promise<UserError> {
  const error: unknown = await promise.then(
    () => new Error('it was accepted'),
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(UserError);
  expect((error as UserError).message).not.toContain('\n');
  return error as UserError;
}

function gunzip(input: string): Buffer {
  const result = spawnSync('gunzip', ['-c', input], { maxBuffer: 1 << 28 });
  expect(result.status, result.stderr.toString()).toBe(0);
  return result.stdout;
}

function randomFile(name: string, size: number): string {
  const target = file(name);
  fs.writeFileSync(target, randomBytes(size));
  return target;
}

function withByteFlipped(input: string, name: string, at: number): string {
  const bytes = fs.readFileSync(input);
  bytes[at] = bytes[at]! ^ 0x01;
  fs.writeFileSync(file(name), bytes);
  return file(name);
}

describe('our files open with gpg', () => {
  test('passphrase: gpg --decrypt gives back the same bytes, which gunzip', async () => {
    const encrypted = file('passphrase.gpg');
    const encryptor = await encryptFile(
      { mode: 'passphrase', passphrase: PASSPHRASE },
      sample.gz,
      encrypted,
    );
    expect(encryptor.info).toEqual({ mode: 'passphrase', cipher: 'AES256', recipients: [] });
    const out = file('passphrase.out.gz');
    const run = gpg.run([
      '--status-fd',
      '2',
      '--passphrase-file',
      gpg.passphraseFile(PASSPHRASE),
      '--output',
      out,
      '--decrypt',
      encrypted,
    ]);
    expect(run.status, run.stderr).toBe(0);
    // SEIPD v1 with SHA-1 MDC (2) and AES-256 (9): what gpg 2.2 reads.
    expect(run.stderr).toMatch(/DECRYPTION_INFO 2 9\b/);
    expect(fs.readFileSync(out)).toEqual(fs.readFileSync(sample.gz));
    expect(gunzip(out)).toEqual(sample.plain);
  });

  test('the format is binary, iterated+salted S2K, AES-256, uncompressed', async () => {
    const encrypted = file('format.gpg');
    await encryptFile({ mode: 'passphrase', passphrase: PASSPHRASE }, sample.gz, encrypted);
    expect(await looksLikeOpenPgp(encrypted)).toBe(true);
    expect(fs.readFileSync(encrypted).subarray(0, 10).toString('latin1')).not.toContain('-----');
    const packets = gpg.ok([
      '--passphrase-file',
      gpg.passphraseFile(PASSPHRASE),
      '--list-packets',
      encrypted,
    ]);
    expect(packets).toMatch(/symkey enc packet: version 4, cipher 9, aead 0,\s*s2k 3/);
    expect(packets).toMatch(/mdc_method: 2/);
    expect(packets).not.toMatch(/compressed packet/);
    expect(packets).toMatch(/literal data packet/);
  });

  test.each([ED, RSA] as const)(
    'public key (%s): gpg decrypts with the secret key',
    async (userId) => {
      const encrypted = file(`to-${userId}.gpg`);
      const encryptor = await encryptFile(
        { mode: 'public-key', armoredPublicKeys: [keys[userId].publicKey] },
        sample.gz,
        encrypted,
      );
      expect(encryptor.info).toEqual({
        mode: 'public-key',
        cipher: 'AES256',
        recipients: [keys[userId].fingerprint],
      });
      const out = file(`to-${userId}.out.gz`);
      const run = gpg.run([
        '--status-fd',
        '2',
        '--passphrase-file',
        gpg.passphraseFile(KEY_PASSPHRASE),
        '--output',
        out,
        '--decrypt',
        encrypted,
      ]);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/DECRYPTION_INFO 2 9\b/);
      expect(gunzip(out)).toEqual(sample.plain);
    },
  );

  test('two recipients: each secret key alone opens the file', async () => {
    const encrypted = file('two.gpg');
    const encryptor = await encryptFile(
      { mode: 'public-key', armoredPublicKeys: [keys[ED].publicKey, keys[RSA].publicKey] },
      sample.gz,
      encrypted,
    );
    expect(encryptor.info.recipients).toEqual([keys[ED].fingerprint, keys[RSA].fingerprint]);
    for (const userId of [ED, RSA] as const) {
      const alone = new GpgHome(`alone-${userId}`);
      try {
        alone.importKey(keys[userId].secretKey, KEY_PASSPHRASE);
        const out = file(`two-${userId}.out.gz`);
        alone.ok([
          '--passphrase-file',
          alone.passphraseFile(KEY_PASSPHRASE),
          '--output',
          out,
          '--decrypt',
          encrypted,
        ]);
        expect(fs.readFileSync(out)).toEqual(fs.readFileSync(sample.gz));
      } finally {
        alone.stopAgent();
      }
    }
  });

  test('one key block holding two keys (gpg --export a b) encrypts to both', async () => {
    const both = gpg.ok(['--armor', '--export', ED, RSA]);
    const encryptor = await prepareEncryptor({ mode: 'public-key', armoredPublicKeys: [both] });
    expect(encryptor?.info.recipients).toEqual([keys[ED].fingerprint, keys[RSA].fingerprint]);
  });
});

describe('gpg files open with ours', () => {
  test.each([
    ['uncompressed', ['--compress-algo', 'none']],
    ['compressed (gpg default)', []],
    ['armored', ['--armor']],
  ])('gpg --symmetric --cipher-algo AES256, %s', async (label, options) => {
    const passFile = gpg.passphraseFile(PASSPHRASE);
    const encrypted = file(`gpg-symmetric-${label}.gpg`);
    gpg.ok([
      '--passphrase-file',
      passFile,
      '--symmetric',
      '--cipher-algo',
      'AES256',
      ...options,
      '--output',
      encrypted,
      sample.gz,
    ]);
    expect(await looksLikeOpenPgp(encrypted)).toBe(true);
    const out = file(`gpg-symmetric-${label}.out.gz`);
    // The same file for both tools: its trailing newline is not part of the passphrase.
    await decryptFile(
      { passphrase: passphraseFromFile(fs.readFileSync(passFile, 'utf8')) },
      encrypted,
      out,
    );
    expect(fs.readFileSync(out)).toEqual(fs.readFileSync(sample.gz));
  });

  test.each([ED, RSA] as const)(
    'gpg --encrypt to %s opens with the armored private key and its passphrase',
    async (userId) => {
      const encrypted = file(`gpg-to-${userId}.gpg`);
      gpg.ok([
        '--trust-model',
        'always',
        '--recipient',
        userId,
        '--output',
        encrypted,
        '--encrypt',
        sample.gz,
      ]);
      const out = file(`gpg-to-${userId}.out.gz`);
      await decryptFile(
        { privateKeys: [{ armored: keys[userId].secretKey, passphrase: KEY_PASSPHRASE }] },
        encrypted,
        out,
      );
      expect(fs.readFileSync(out)).toEqual(fs.readFileSync(sample.gz));
    },
  );

  test('a file for two recipients opens with either private key, and with a passphrase too', async () => {
    const encrypted = file('gpg-both.gpg');
    gpg.ok([
      '--trust-model',
      'always',
      '--passphrase-file',
      gpg.passphraseFile(PASSPHRASE),
      '--recipient',
      ED,
      '--recipient',
      RSA,
      '--symmetric',
      '--cipher-algo',
      'AES256',
      '--output',
      encrypted,
      '--encrypt',
      sample.gz,
    ]);
    const credentials: DecryptionKeys[] = [
      { privateKeys: [{ armored: keys[RSA].secretKey, passphrase: KEY_PASSPHRASE }] },
      { privateKeys: [{ armored: keys[ED].secretKey, passphrase: KEY_PASSPHRASE }] },
      { passphrase: PASSPHRASE },
    ];
    for (const [index, credential] of credentials.entries()) {
      const out = file(`gpg-both-${index}.out.gz`);
      await decryptFile(credential, encrypted, out);
      expect(fs.readFileSync(out)).toEqual(fs.readFileSync(sample.gz));
    }
  });
});

/** Keys OpenPGP.js makes, for the states gpg makes awkward to reach (expired, revoked, too new). */
async function unusableKey(kind: 'expired' | 'revoked' | 'x25519' | 'v6'): Promise<string> {
  const userIDs = [{ name: kind, email: `${kind}@example.com` }];
  if (kind === 'expired') {
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000);
    const key = await openpgp.generateKey({
      userIDs,
      type: 'ecc',
      date: tenDaysAgo,
      keyExpirationTime: 86_400,
    });
    return key.publicKey;
  }
  if (kind === 'revoked') {
    const { privateKey } = await openpgp.generateKey({ userIDs, type: 'ecc', format: 'object' });
    return (await openpgp.revokeKey({ key: privateKey })).publicKey;
  }
  const key = await openpgp.generateKey({
    userIDs,
    type: 'curve25519',
    config: { v6Keys: kind === 'v6' },
  });
  return key.publicKey;
}

describe('prepareEncryptor refuses before any dump starts', () => {
  test.each([
    ['an empty passphrase', () => ({ mode: 'passphrase', passphrase: '' }), /passphrase is empty/],
    [
      'a blank passphrase',
      () => ({ mode: 'passphrase', passphrase: ' \t\n' }),
      /passphrase is empty/,
    ],
    ['no keys', () => ({ mode: 'public-key', armoredPublicKeys: [] }), /at least one recipient/],
    [
      'an empty key',
      () => ({ mode: 'public-key', armoredPublicKeys: ['  \n'] }),
      /public key 1 is empty/,
    ],
    [
      'garbage key text',
      () => ({ mode: 'public-key', armoredPublicKeys: ['ssh-ed25519 AAAAC3Nza me@host'] }),
      /not an ASCII-armored OpenPGP key.*gpg --armor --export/,
    ],
    [
      'damaged armor',
      () => ({
        mode: 'public-key',
        armoredPublicKeys: [keys[ED].publicKey.replace(/\n[A-Za-z0-9+/]{12}/, '\n!!!!!!!!!!!!')],
      }),
      /public key 1 cannot be read/,
    ],
    [
      'a private key block given as public key',
      () => ({ mode: 'public-key', armoredPublicKeys: [keys[ED].publicKey, keys[RSA].secretKey] }),
      /public key 2 is a private key: give the public key/,
    ],
    [
      'a sign-only key',
      () => ({ mode: 'public-key', armoredPublicKeys: [signerPublicKey] }),
      /Signer <signer@example.com>.*cannot encrypt: it has no valid encryption subkey/,
    ],
  ] as [string, () => EncryptionRequest, RegExp][])('%s', async (_label, request, expected) => {
    const error = await refusal(prepareEncryptor(request()));
    expect(error.message).toMatch(expected);
  });

  test.each([
    ['expired', /expired on \d{4}-\d{2}-\d{2}/],
    ['revoked', /is revoked/],
    ['x25519', /newer OpenPGP key format \(v4, x25519\) that gpg 2.2 cannot decrypt/],
    ['v6', /newer OpenPGP key format \(v6, x25519\)/],
  ] as const)('a key that is %s', async (kind, expected) => {
    const armored = await unusableKey(kind);
    const error = await refusal(
      prepareEncryptor({ mode: 'public-key', armoredPublicKeys: [armored] }),
    );
    expect(error.message).toMatch(expected);
  });

  test('mode none needs nothing and gives no encryptor', async () => {
    expect(await prepareEncryptor({ mode: 'none' })).toBeUndefined();
  });

  test('the passphrase and a private key given by mistake are registered as secrets', async () => {
    const passphrase = `registered ${randomBytes(4).toString('hex')}`;
    await prepareEncryptor({ mode: 'passphrase', passphrase });
    expect(redact(`it was ${passphrase}`)).toBe('it was ***');
    await refusal(
      prepareEncryptor({ mode: 'public-key', armoredPublicKeys: [keys[ED].secretKey] }),
    );
    expect(redact(keys[ED].secretKey)).not.toContain('PRIVATE KEY BLOCK');
  });
});

describe('decryption refuses with a clear message and no secret', () => {
  let forEd: string;
  let byPassphrase: string;
  let byGpgPassphrase: string;

  beforeAll(async () => {
    forEd = file('refuse-for-ed.gpg');
    await encryptFile(
      { mode: 'public-key', armoredPublicKeys: [keys[ED].publicKey] },
      sample.gz,
      forEd,
    );
    byPassphrase = file('refuse-passphrase.gpg');
    await encryptFile({ mode: 'passphrase', passphrase: PASSPHRASE }, sample.gz, byPassphrase);
    byGpgPassphrase = file('refuse-gpg-passphrase.gpg');
    gpg.ok([
      '--passphrase-file',
      gpg.passphraseFile(PASSPHRASE),
      '--symmetric',
      '--cipher-algo',
      'AES256',
      '--output',
      byGpgPassphrase,
      sample.gz,
    ]);
  });

  test.each(['ours', 'gpg'])('a wrong passphrase (file made by %s)', async (maker) => {
    const wrong = 'not the passphrase';
    const error = await decryptionError(
      { passphrase: wrong },
      maker === 'ours' ? byPassphrase : byGpgPassphrase,
    );
    expect(error.message).toMatch(/wrong passphrase/);
    expect(error.message).not.toContain(wrong);
    expect(error.message).not.toContain(PASSPHRASE);
  });

  test('a private key the file is not encrypted for names the key ids it wants', async () => {
    const error = await decryptionError(
      { privateKeys: [{ armored: keys[RSA].secretKey, passphrase: KEY_PASSPHRASE }] },
      forEd,
    );
    expect(error.message).toMatch(/encrypted for a key you did not provide/);
    expect(error.message).toContain(keys[ED].subkeyId);
    expect(error.message).not.toContain(KEY_PASSPHRASE);
  });

  test('a passphrase for a file encrypted to a key', async () => {
    const error = await decryptionError({ passphrase: PASSPHRASE }, forEd);
    expect(error.message).toMatch(/encrypted for a public key .*give the matching private key/);
  });

  test('a private key for a file encrypted with a passphrase', async () => {
    const error = await decryptionError(
      { privateKeys: [{ armored: keys[ED].secretKey, passphrase: KEY_PASSPHRASE }] },
      byPassphrase,
    );
    expect(error.message).toMatch(/encrypted with a passphrase/);
  });

  test('a wrong passphrase for the private key is refused upfront', async () => {
    const wrong = 'wrong key passphrase';
    const error = await refusal(
      prepareDecryptor({ privateKeys: [{ armored: keys[ED].secretKey, passphrase: wrong }] }),
    );
    expect(error.message).toMatch(
      /passphrase for the private key 1 \(Ed Cv <ed@example.com>, [0-9A-F]{40}\) is wrong/,
    );
    expect(error.message).not.toContain(wrong);
    expect(error.message).not.toContain(KEY_PASSPHRASE);
    expect(redact(wrong)).toBe('***');
    expect(redact(keys[ED].secretKey)).toBe('***');
  });

  test.each([
    [
      'no passphrase for a locked private key',
      () => ({ privateKeys: [{ armored: keys[ED].secretKey }] }),
      /protected by a passphrase/,
    ],
    [
      'a public key given as private key',
      () => ({ privateKeys: [{ armored: keys[ED].publicKey }] }),
      /private key 1 is a public key/,
    ],
    [
      'garbage key text',
      () => ({ privateKeys: [{ armored: 'hello' }] }),
      /not an ASCII-armored OpenPGP key/,
    ],
    ['nothing at all', () => ({}), /needs its passphrase or a private key/],
    ['an empty passphrase', () => ({ passphrase: '' }), /passphrase is empty/],
  ] as [string, () => DecryptionKeys, RegExp][])('%s', async (_label, credentials, expected) => {
    const error = await refusal(prepareDecryptor(credentials()));
    expect(error.message).toMatch(expected);
  });

  test('plain gzip and other files are told apart from OpenPGP', async () => {
    expect((await decryptionError({ passphrase: PASSPHRASE }, sample.gz)).message).toMatch(
      /not encrypted \(it is plain gzip\)/,
    );
    const text = file('notes.txt');
    fs.writeFileSync(text, 'just some notes\n');
    expect((await decryptionError({ passphrase: PASSPHRASE }, text)).message).toMatch(
      /not an OpenPGP-encrypted file/,
    );
    const empty = file('empty.gpg');
    fs.writeFileSync(empty, '');
    expect((await decryptionError({ passphrase: PASSPHRASE }, empty)).message).toMatch(/empty/);
  });
});

describe('damaged files fail the stream', () => {
  let large: string;

  beforeAll(() => {
    large = randomFile('large.bin', 6 * 1024 * 1024);
  });

  test.each(['passphrase', 'public-key'] as const)(
    'a flipped byte in the middle of a large file (%s): the integrity check fails at the end',
    async (mode) => {
      const request: EncryptionRequest =
        mode === 'passphrase'
          ? { mode, passphrase: PASSPHRASE }
          : { mode, armoredPublicKeys: [keys[ED].publicKey] };
      const credentials: DecryptionKeys =
        mode === 'passphrase'
          ? { passphrase: PASSPHRASE }
          : { privateKeys: [{ armored: keys[ED].secretKey, passphrase: KEY_PASSPHRASE }] };
      const encrypted = file(`large-${mode}.gpg`);
      await encryptFile(request, large, encrypted);
      const tampered = withByteFlipped(
        encrypted,
        `large-${mode}-flipped.gpg`,
        fs.statSync(encrypted).size >> 1,
      );
      const error = await decryptionError(credentials, tampered);
      expect(error.message).toMatch(/damaged/);
      // gpg agrees that it is damaged.
      const run = gpg.run([
        '--passphrase-file',
        gpg.passphraseFile(mode === 'passphrase' ? PASSPHRASE : KEY_PASSPHRASE),
        '--output',
        '/dev/null',
        '--decrypt',
        tampered,
      ]);
      expect(run.status).not.toBe(0);
    },
  );

  test('the same flip in a file gpg made: wrong passphrase or damaged', async () => {
    const encrypted = file('large-by-gpg.gpg');
    gpg.ok([
      '--passphrase-file',
      gpg.passphraseFile(PASSPHRASE),
      '--symmetric',
      '--cipher-algo',
      'AES256',
      '--compress-algo',
      'none',
      '--output',
      encrypted,
      large,
    ]);
    const tampered = withByteFlipped(
      encrypted,
      'large-by-gpg-flipped.gpg',
      fs.statSync(encrypted).size >> 1,
    );
    const error = await decryptionError({ passphrase: PASSPHRASE }, tampered);
    expect(error.message).toMatch(/wrong passphrase, or the file is damaged/);
  });

  test.each([1, 1000, 100_000])('a file cut %i bytes short fails as truncated', async (cut) => {
    const encrypted = file(`cut-${cut}.gpg`);
    await encryptFile({ mode: 'passphrase', passphrase: PASSPHRASE }, large, encrypted);
    fs.truncateSync(encrypted, fs.statSync(encrypted).size - cut);
    const error = await decryptionError({ passphrase: PASSPHRASE }, encrypted);
    expect(error.message).toMatch(/truncated: its OpenPGP data ends early/);
  });

  test('an armored file cut short fails', async () => {
    const encrypted = file('armored-cut.asc');
    gpg.ok([
      '--passphrase-file',
      gpg.passphraseFile(PASSPHRASE),
      '--symmetric',
      '--armor',
      '--cipher-algo',
      'AES256',
      '--output',
      encrypted,
      large,
    ]);
    fs.truncateSync(encrypted, fs.statSync(encrypted).size >> 1);
    const error = await decryptionError({ passphrase: PASSPHRASE }, encrypted);
    expect(error.message).toMatch(/damaged|truncated/);
  });
});

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

describe('looksLikeOpenPgp', () => {
  test('tells encrypted files from gzip, text and empty files', async () => {
    const ours = file('sniff-ours.gpg');
    await encryptFile(
      { mode: 'public-key', armoredPublicKeys: [keys[RSA].publicKey] },
      sample.gz,
      ours,
    );
    const gpgBinary = file('sniff-gpg.gpg');
    const gpgArmored = file('sniff-gpg.asc');
    for (const [target, armor] of [
      [gpgBinary, []],
      [gpgArmored, ['--armor']],
    ] as const) {
      gpg.ok([
        '--passphrase-file',
        gpg.passphraseFile(PASSPHRASE),
        '--symmetric',
        ...armor,
        '--output',
        target,
        sample.gz,
      ]);
    }
    const text = file('sniff.txt');
    fs.writeFileSync(text, 'hello\n');
    const empty = file('sniff.empty');
    fs.writeFileSync(empty, '');
    const results = await Promise.all(
      [ours, gpgBinary, gpgArmored, sample.gz, text, empty].map((name) => looksLikeOpenPgp(name)),
    );
    expect(results).toEqual([true, true, true, false, false, false]);
  });
});

describe('passphraseFromFile', () => {
  test.each([
    ['secret\n', 'secret'],
    ['secret', 'secret'],
    ['  spaced secret  \n', '  spaced secret  '],
    ['\n', ''],
  ])('%j → %j', (text, expected) => {
    expect(passphraseFromFile(text)).toBe(expected);
  });

  test.each([
    ['secret\n\n', /more than one line/],
    ['first\nsecond\n', /more than one line/],
    ['secret\r\n', /Windows line ending/],
    ['a\rb', /Windows line ending/],
    ['sec\0ret\n', /NUL byte/],
  ])('%j is read differently by gpg: refused', (text, message) => {
    expect(() => passphraseFromFile(text)).toThrow(message);
  });

  test('bytes that are not UTF-8 are refused (gpg would use them as they are)', () => {
    expect(() => passphraseFromFile(Buffer.from([0xff, 0xfe, 0x61, 0x0a]))).toThrow(
      /is not UTF-8 text/,
    );
    expect(passphraseFromFile(Buffer.from('z\u00fcrich secret\n'))).toBe('z\u00fcrich secret');
  });

  test('a file written by echo: what we encrypt with it, gpg --passphrase-file opens with the same file', async () => {
    const passFile = gpg.passphraseFile('echoed secret');
    const text = fs.readFileSync(passFile, 'utf8');
    expect(text).toBe('echoed secret\n');
    const encrypted = file('echo.gpg');
    await encryptFile(
      { mode: 'passphrase', passphrase: passphraseFromFile(text) },
      sample.gz,
      encrypted,
    );
    const out = file('echo.out.gz');
    gpg.ok(['--passphrase-file', passFile, '--output', out, '--decrypt', encrypted]);
    expect(fs.readFileSync(out)).toEqual(fs.readFileSync(sample.gz));
  });
});
