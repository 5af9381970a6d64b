import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  prepareDecryptor,
  prepareEncryptor,
  type DecryptionKeys,
  type EncryptionRequest,
} from '../src/pipeline/encryption.js';
import { redact } from '../src/domain/secrets.js';
import {
  decryptionError,
  ED,
  encryptFile,
  file,
  gpg,
  KEY_PASSPHRASE,
  keys,
  PASSPHRASE,
  refusal,
  RSA,
  sample,
  setUpEncryptionFixtures,
  SIGNER,
  signerPublicKey,
} from './support/encryption-fixtures.js';

setUpEncryptionFixtures([ED, RSA, SIGNER]);

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
      /protected by a passphrase: give that passphrase too \(private-key-passphrase, --private-key-passphrase-file or BACKUP_PRIVATE_KEY_PASSPHRASE\)/,
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
