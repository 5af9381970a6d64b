import fs from 'node:fs';
import { describe, expect, test } from 'vitest';
import { UserError } from '../src/errors.js';
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
    ['secret\r\n', 'secret'],
    ['secret', 'secret'],
    ['  spaced secret  \n', '  spaced secret  '],
    ['\n', ''],
  ])('%j → %j', (text, expected) => {
    expect(passphraseFromFile(text)).toBe(expected);
  });

  test.each(['secret\n\n', 'first\nsecond\n', 'a\rb'])(
    '%j is more than one line: refused, as gpg would read only the first',
    (text) => {
      expect(() => passphraseFromFile(text)).toThrow(UserError);
    },
  );

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
