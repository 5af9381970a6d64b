import fs from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  looksLikeOpenPgp,
  passphraseFromFile,
  prepareEncryptor,
  type DecryptionKeys,
} from '../src/pipeline/encryption.js';
import {
  decryptFile,
  ED,
  encryptFile,
  file,
  gpg,
  gunzip,
  KEY_PASSPHRASE,
  keys,
  PASSPHRASE,
  RSA,
  sample,
  setUpEncryptionFixtures,
} from './support/encryption-fixtures.js';
import { GpgHome } from './support/gpg.js';

setUpEncryptionFixtures([ED, RSA]);

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
