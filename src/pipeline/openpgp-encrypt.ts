import * as openpgp from 'openpgp';
import type { EncryptionInfo } from '../domain/manifest.js';
import type { Encryptor } from './encryption.js';
import { ENCRYPT_CONFIG, newSessionKey } from './openpgp-settings.js';
import { WebStreamTransform } from './web-stream-transform.js';

export { readRecipientKeys } from './openpgp-keys.js';

export type EncryptionSecrets =
  | { readonly passwords: string[]; readonly encryptionKeys?: undefined }
  | { readonly passwords?: undefined; readonly encryptionKeys: openpgp.PublicKey[] };

/** The OpenPGP side of `prepareEncryptor`, imported only when a backup is encrypted. */
export function openPgpEncryptor(info: EncryptionInfo, secrets: EncryptionSecrets): Encryptor {
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
  secrets: EncryptionSecrets,
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
