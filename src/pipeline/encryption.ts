import type { Transform } from 'node:stream';
import * as openpgp from 'openpgp';
import { UserError } from '../errors.js';
import type { EncryptionInfo } from '../manifest.js';
import { registerSecret } from '../secrets.js';
import { readRecipientKeys } from './openpgp-keys.js';
import { ENCRYPT_CONFIG, newSessionKey } from './openpgp-settings.js';
import { WebStreamTransform } from './web-stream-transform.js';

export { prepareDecryptor, type DecryptionKeys, type Decryptor } from './decryption.js';
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
   * A new stage for one backup: gzip bytes in, a binary OpenPGP message out.
   * A stage carries a single stream; call this again for the next file.
   */
  createStage(): Transform;
}

type Secrets =
  | { readonly passwords: string[]; readonly encryptionKeys?: undefined }
  | { readonly passwords?: undefined; readonly encryptionKeys: openpgp.PublicKey[] };

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
      checkPassphrase(request.passphrase);
      registerSecret(request.passphrase);
      return openPgpEncryptor(
        { mode: 'passphrase', cipher: 'AES256', recipients: [] },
        {
          passwords: [request.passphrase],
        },
      );
    }
    case 'public-key': {
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

function checkPassphrase(passphrase: string): void {
  if (passphrase.trim() === '') {
    throw new UserError(
      'The encryption passphrase is empty: give a non-empty passphrase, or turn encryption off explicitly.',
    );
  }
}

function openPgpEncryptor(info: EncryptionInfo, secrets: Secrets): Encryptor {
  return {
    info,
    createStage: () =>
      new WebStreamTransform(
        (input) => encryptStream(input, secrets),
        (error) => error,
      ),
  };
}

async function encryptStream(
  input: ReadableStream<Uint8Array>,
  secrets: Secrets,
): Promise<ReadableStream<Uint8Array>> {
  const message = await openpgp.createMessage({ binary: input, format: 'binary' });
  // The library's stream types come from a package it does not ship, so they arrive untyped.
  const encrypted: unknown = await openpgp.encrypt({
    message,
    ...secrets,
    sessionKey: newSessionKey(),
    format: 'binary',
    config: ENCRYPT_CONFIG,
  });
  return encrypted as ReadableStream<Uint8Array>;
}
