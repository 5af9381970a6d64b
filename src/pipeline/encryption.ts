import type { Transform } from 'node:stream';
import type { EncryptionInfo } from '../domain/manifest.js';
import type { DecryptionKeys, Decryptor } from './decryption.js';
import { usablePassphrase } from './passphrase-rules.js';

export type { DecryptionKeys, Decryptor } from './decryption.js';
export { looksLikeOpenPgp } from './openpgp-format.js';
export { passphraseFromFile } from './passphrase-rules.js';

export type EncryptionRequest =
  | { readonly mode: 'none' }
  | { readonly mode: 'passphrase'; readonly passphrase: string }
  | { readonly mode: 'public-key'; readonly armoredPublicKeys: readonly string[] };

export interface Encryptor {
  /** Goes into the manifest; never holds the secret. */
  readonly info: EncryptionInfo;
  /**
   * A new stage for one backup: compressed bytes in, a binary OpenPGP message out.
   * A stage carries a single stream; call this again for the next file.
   */
  createStage(): Transform;
}

/**
 * Checks the passphrase or the recipients' keys before any dump starts, so a
 * bad setting fails the run at once and never falls back to a plain backup.
 * Returns undefined when no encryption is asked for.
 *
 * What the stage writes is what `gpg --decrypt` (2.2 and later) opens: a
 * binary OpenPGP message, SEIPD v1 with AES-256, no compression; a
 * passphrase goes through iterated+salted S2K; with public keys, every
 * recipient can decrypt on their own. `info.recipients` holds the primary-key
 * fingerprints, upper-case hex, as `gpg --list-keys` prints them.
 */
export async function prepareEncryptor(request: EncryptionRequest): Promise<Encryptor | undefined> {
  switch (request.mode) {
    case 'none':
      return undefined;
    case 'passphrase': {
      usablePassphrase(request.passphrase, 'encryption');
      const { openPgpEncryptor } = await import('./openpgp-encrypt.js');
      return openPgpEncryptor(
        { mode: 'passphrase', cipher: 'AES256', recipients: [] },
        {
          passwords: [request.passphrase],
        },
      );
    }
    case 'public-key': {
      const { openPgpEncryptor, readRecipientKeys } = await import('./openpgp-encrypt.js');
      const recipients = await readRecipientKeys(request.armoredPublicKeys);
      return openPgpEncryptor(
        {
          mode: 'public-key',
          cipher: 'AES256',
          recipients: recipients.map((recipient) => recipient.fingerprint),
        },
        { encryptionKeys: recipients.map((recipient) => recipient.key) },
      );
    }
  }
}

/**
 * Checks the keys and passphrases that open backups (see decryption.ts). The
 * OpenPGP library is imported here, when a backup is encrypted, not at start.
 */
export async function prepareDecryptor(keys: DecryptionKeys): Promise<Decryptor> {
  const decryption = await import('./decryption.js');
  return decryption.prepareDecryptor(keys);
}
