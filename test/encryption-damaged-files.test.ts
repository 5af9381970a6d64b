import fs from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import type { DecryptionKeys, EncryptionRequest } from '../src/pipeline/encryption.js';
import {
  decryptionError,
  ED,
  encryptFile,
  file,
  gpg,
  KEY_PASSPHRASE,
  keys,
  PASSPHRASE,
  randomFile,
  setUpEncryptionFixtures,
  withByteFlipped,
} from './support/encryption-fixtures.js';

setUpEncryptionFixtures([ED]);

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
