import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { afterAll, beforeAll, expect } from 'vitest';
import { UserError } from '../../src/domain/errors.js';
import {
  prepareDecryptor,
  prepareEncryptor,
  type DecryptionKeys,
  type EncryptionRequest,
} from '../../src/pipeline/encryption.js';
import { GpgHome } from './gpg.js';
import { addGeneratedKey } from './gpg-keys.js';
import { tempDir } from './tmp.js';

/**
 * What the encryption tests share: gpg-made keys, a sample gzip file, and
 * helpers that run our stages over files. A test file calls
 * `setUpEncryptionFixtures` with the keys it needs; the bindings below are
 * filled in before its first test (ES module exports are live).
 */

export const PASSPHRASE = 'correct horse battery staple';
export const KEY_PASSPHRASE = 'key passphrase 42';
export const ED = 'ed@example.com';
export const RSA = 'rsa@example.com';
export const SIGNER = 'signer@example.com';

/** `gpg --gen-key` parameters of each key; RSA 3072 takes seconds, so each is made once per run (gpg-keys.ts). */
const KEY_PARAMETERS: Record<typeof ED | typeof RSA | typeof SIGNER, string> = {
  [ED]: `
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
`,
  [RSA]: `
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
`,
  [SIGNER]: `
Key-Type: eddsa
Key-Curve: ed25519
Key-Usage: sign
Name-Real: Signer
Name-Email: ${SIGNER}
Expire-Date: 0
%no-protection
%commit
`,
};

export interface Keys {
  readonly publicKey: string;
  readonly secretKey: string;
  readonly fingerprint: string;
  readonly subkeyId: string;
}

export let gpg: GpgHome;
let dir: string;
/** Of the users the file asked for only (ED, RSA); the signer's public key is `signerPublicKey`. */
export let keys: Record<typeof ED | typeof RSA, Keys>;
export let signerPublicKey: string;
/** A small gzip file and what it unpacks to. */
export let sample: { gz: string; plain: Buffer };

/**
 * Before the calling file's tests: a gpg home holding the keys of `users`
 * (made by gpg itself), their exports in `keys` and `signerPublicKey`, and
 * `sample`. After them: the gpg agent is stopped.
 */
export function setUpEncryptionFixtures(
  users: readonly (typeof ED | typeof RSA | typeof SIGNER)[],
): void {
  beforeAll(async () => {
    gpg = new GpgHome('keys');
    dir = tempDir('encryption');
    for (const user of users) {
      await addGeneratedKey(
        gpg,
        user,
        KEY_PARAMETERS[user],
        user === SIGNER ? undefined : KEY_PASSPHRASE,
      );
    }
    const read = (userId: string): Keys => ({
      publicKey: gpg.exportPublic(userId),
      secretKey: gpg.exportSecret(userId, KEY_PASSPHRASE),
      fingerprint: gpg.fingerprint(userId),
      subkeyId: gpg.encryptionSubkeyId(userId),
    });
    keys = Object.fromEntries(
      ([ED, RSA] as const).filter((user) => users.includes(user)).map((user) => [user, read(user)]),
    ) as Record<typeof ED | typeof RSA, Keys>;
    if (users.includes(SIGNER)) signerPublicKey = gpg.exportPublic(SIGNER);
    const plain = Buffer.concat([
      Buffer.from('INSERT INTO users VALUES (1, "ada");\n'.repeat(5000)),
      randomBytes(100_000),
    ]);
    sample = { gz: path.join(dir, 'sample.sql.gz'), plain };
    fs.writeFileSync(sample.gz, zlib.gzipSync(plain));
  }, 120_000);

  afterAll(() => gpg?.stopAgent());
}

export function file(name: string): string {
  return path.join(dir, name);
}

export async function encryptFile(request: EncryptionRequest, input: string, output: string) {
  const encryptor = await prepareEncryptor(request);
  if (!encryptor) throw new Error('no encryptor');
  await pipeline(fs.createReadStream(input), encryptor.createStage(), fs.createWriteStream(output));
  return encryptor;
}

export async function decryptFile(credentials: DecryptionKeys, input: string, output: string) {
  const decryptor = await prepareDecryptor(credentials);
  await pipeline(fs.createReadStream(input), decryptor.createStage(), fs.createWriteStream(output));
}

/** Decrypts to nowhere and returns the error it must end with. */
export async function decryptionError(
  credentials: DecryptionKeys,
  input: string,
): Promise<UserError> {
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

export async function refusal(promise: Promise<unknown>): Promise<UserError> {
  const error: unknown = await promise.then(
    () => new Error('it was accepted'),
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(UserError);
  expect((error as UserError).message).not.toContain('\n');
  return error as UserError;
}

export function gunzip(input: string): Buffer {
  const result = spawnSync('gunzip', ['-c', input], { maxBuffer: 1 << 28 });
  expect(result.status, result.stderr.toString()).toBe(0);
  return result.stdout;
}

export function randomFile(name: string, size: number): string {
  const target = file(name);
  fs.writeFileSync(target, randomBytes(size));
  return target;
}

export function withByteFlipped(input: string, name: string, at: number): string {
  const bytes = fs.readFileSync(input);
  bytes[at] = bytes[at]! ^ 0x01;
  fs.writeFileSync(file(name), bytes);
  return file(name);
}
