import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { givenPassphrase, usablePassphrase } from '../src/pipeline/passphrase-rules.js';
import { redact } from '../src/domain/secrets.js';

const fresh = (prefix: string): string => `${prefix} ${randomBytes(6).toString('hex')}`;

describe('every passphrase comes in through one door: registered as a secret, checked for emptiness once', () => {
  test.each([
    ['absent', undefined, undefined],
    ['empty (a GitHub secret that does not exist)', '', undefined],
    ['blank: given, refused where it is used', '   ', '   '],
    ['a real one', 'correct horse battery', 'correct horse battery'],
  ])('%s', (_, value, given) => {
    expect(givenPassphrase(value)).toBe(given);
  });

  test('a given passphrase is masked at once, before anything can print it', () => {
    const passphrase = fresh('given');
    givenPassphrase(passphrase);
    expect(redact(`it was ${passphrase}`)).toBe('it was ***');
  });

  test('a blank passphrase is not registered: the log keeps its spaces', () => {
    givenPassphrase('     ');
    expect(redact('a     b')).toBe('a     b');
  });

  test.each([
    ['encryption', /^The encryption passphrase is empty: give a non-empty passphrase/],
    [
      'decryption',
      /^The decryption passphrase is empty: give the passphrase the backup was made with/,
    ],
  ] as const)('a blank passphrase for %s is refused with one line', (use, expected) => {
    for (const blank of ['', ' ', ' \t\n']) {
      expect(() => usablePassphrase(blank, use)).toThrow(expected);
    }
  });

  test('a usable passphrase is returned as given, and masked', () => {
    const passphrase = fresh(' usable with spaces ');
    expect(usablePassphrase(passphrase, 'encryption')).toBe(passphrase);
    expect(redact(passphrase)).toBe('***');
  });
});
