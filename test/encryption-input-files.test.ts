import fs from 'node:fs';
import { describe, expect, test } from 'vitest';
import { looksLikeOpenPgp, passphraseFromFile } from '../src/pipeline/encryption.js';
import {
  encryptFile,
  file,
  gpg,
  keys,
  PASSPHRASE,
  RSA,
  sample,
  setUpEncryptionFixtures,
} from './support/encryption-fixtures.js';

setUpEncryptionFixtures([RSA]);

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
