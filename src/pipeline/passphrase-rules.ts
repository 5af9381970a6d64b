import { statSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../domain/errors.js';
import { registerSecret } from '../domain/secrets.js';

/** White space alone protects nothing: the one test of a passphrase for emptiness. */
function isBlank(passphrase: string): boolean {
  return passphrase.trim() === '';
}

/**
 * A passphrase as given (a backup's or a private key's), registered as a
 * secret before anything can print it; undefined when none was given. An
 * empty value is none: a GitHub secret that does not exist is empty. A blank
 * one is given, and refused where it is used (usablePassphrase).
 */
export function givenPassphrase(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  // Masking blanks would turn the log's spaces into ***; a blank passphrase is refused anyway.
  if (!isBlank(value)) registerSecret(value);
  return value;
}

const BLANK: Record<'encryption' | 'decryption', string> = {
  encryption:
    'The encryption passphrase is empty: give a non-empty passphrase, or turn encryption off explicitly.',
  decryption: 'The decryption passphrase is empty: give the passphrase the backup was made with.',
};

/** The passphrase a backup is encrypted or opened with: refused when blank, registered as a secret. */
export function usablePassphrase(passphrase: string, use: 'encryption' | 'decryption'): string {
  if (isBlank(passphrase)) throw new UserError(BLANK[use]);
  return givenPassphrase(passphrase) ?? passphrase;
}

/**
 * The shortest passphrase a new backup may be encrypted with. A backup is
 * attacked offline, with no limit on guesses, and in GitHub Actions every
 * secret is masked wherever it occurs in the log, so a short one also turns
 * ordinary words of the log into `***`.
 */
export const MIN_PASSPHRASE_LENGTH = 12;

/**
 * The longest passphrase (in UTF-8 bytes) a new backup accepts: gpg reads a
 * passphrase into its 32 KiB of secure memory and fails ("out of core in
 * secure memory") on one of about 31 KiB or more, so a backup made with such
 * a passphrase could be opened by this tool alone.
 */
export const MAX_PASSPHRASE_BYTES = 8192;

const WHY_LONG =
  'a short passphrase can be guessed by anyone who gets hold of a backup, and GitHub masks every occurrence of a secret in the job log, so a short one also hides ordinary words there';

function isShort(passphrase: string): boolean {
  return [...passphrase.trim()].length < MIN_PASSPHRASE_LENGTH;
}

/** New backups (and only they) refuse a short passphrase: nothing is dumped with it. */
export function assertPassphraseForNewBackups(passphrase: string): void {
  if (/[\r\n\0]/.test(passphrase)) {
    // gpg takes a passphrase as one line: a backup made with this one could be opened by this tool alone.
    throw new UserError(
      'The encryption passphrase holds a line break or a NUL (often a secret saved with a trailing newline): gpg reads a passphrase as one line and could not open such a backup. Save the secret without it. Nothing was backed up.',
    );
  }
  if (Buffer.byteLength(passphrase, 'utf8') > MAX_PASSPHRASE_BYTES) {
    throw new UserError(
      `The encryption passphrase is longer than ${MAX_PASSPHRASE_BYTES} bytes: gpg keeps a passphrase in 32 KiB of secure memory and cannot open backups made with a much longer one. Use a shorter random one (openssl rand -base64 32). Nothing was backed up.`,
    );
  }
  if (/^change-me/i.test(passphrase.trim())) {
    throw new UserError(
      "The encryption passphrase is still the placeholder of env.example (CHANGE-ME…), which is printed in this tool's README: set one of your own ('openssl rand -base64 32'). Nothing was backed up.",
    );
  }
  if (path.isAbsolute(passphrase) && isFile(passphrase)) {
    throw new UserError(
      'The encryption passphrase is the path of a file on this machine, not a passphrase: give that file with --passphrase-file (BACKUP_PASSPHRASE holds the passphrase itself). Nothing was backed up.',
    );
  }
  if (!isShort(passphrase)) return;
  throw new UserError(
    `The encryption passphrase is shorter than ${MIN_PASSPHRASE_LENGTH} characters, the least a new backup accepts: ${WHY_LONG}. Use a long random one (openssl rand -base64 32). Nothing was backed up.`,
  );
}

function isFile(candidate: string): boolean {
  try {
    return statSync(candidate).isFile();
  } catch {
    return false;
  }
}

/** Existing backups must stay openable: a short passphrase that opens them is only warned about. */
export function warnAboutShortPassphrase(
  passphrase: string | undefined,
  log: { warn(message: string): void },
): void {
  if (passphrase === undefined || !isShort(passphrase)) return;
  log.warn(
    `The passphrase is shorter than ${MIN_PASSPHRASE_LENGTH} characters: existing backups still open with it, but new backups need a longer one (${WHY_LONG}).`,
  );
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The passphrase in a file, exactly as `gpg --passphrase-file FILE` reads
 * it — or a refusal. gpg takes the bytes of the first line up to LF: one
 * trailing LF is not part of the passphrase (so a file written with `echo`
 * works with both tools), a CR stays in it, a NUL ends it, and later lines
 * are ignored. A file gpg would read differently from a person (or from this
 * tool) is refused with how to fix it, so the README's gpg recipe opens
 * every backup made with an accepted file.
 */
export function passphraseFromFile(
  content: string | Uint8Array,
  label = 'The passphrase file',
): string {
  let text: string;
  if (typeof content === 'string') text = content;
  else {
    try {
      text = UTF8.decode(content);
    } catch {
      throw new UserError(
        `${label} is not UTF-8 text: save it as UTF-8 (gpg reads its bytes as they are, and would not open backups made with it).`,
      );
    }
  }
  if (text.includes('\0')) {
    throw new UserError(
      `${label} holds a NUL byte: gpg --passphrase-file stops reading there; write the passphrase alone on one line.`,
    );
  }
  if (text.includes('\r')) {
    throw new UserError(
      `${label} has a Windows line ending (CR): gpg --passphrase-file would keep the CR as part of the passphrase; convert it with sed -i 's/\\r$//' FILE (or dos2unix).`,
    );
  }
  const passphrase = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (passphrase.includes('\n')) {
    throw new UserError(
      `${label} holds more than one line: gpg --passphrase-file reads only the first; keep the passphrase alone on one line.`,
    );
  }
  return passphrase;
}
