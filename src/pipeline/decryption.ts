import type { Transform } from 'node:stream';
import * as openpgp from 'openpgp';
import { CredentialsDoNotFit, UserError, errorMessage, isWorded } from '../domain/errors.js';
import { redact } from '../domain/secrets.js';
import { classifyStart, SNIFF_BYTES, type ContentKind } from './openpgp-format.js';
import { unlockPrivateKeys, type ArmoredPrivateKey } from './openpgp-keys.js';
import { usablePassphrase } from './passphrase-rules.js';
import { DECRYPT_CONFIG } from './openpgp-settings.js';
import { keysTheDataAccepts } from './session-key-check.js';
import { readHead } from './stream-head.js';
import { StalledStream, WebStreamTransform } from './web-stream-transform.js';

export interface DecryptionKeys {
  readonly passphrase?: string;
  readonly privateKeys?: readonly ArmoredPrivateKey[];
}

export interface Decryptor {
  /**
   * A new stage for one file: OpenPGP message in (binary or armored), the
   * plaintext out. It fails with a UserError on a wrong passphrase or key, a
   * damaged or truncated file; the integrity check comes at the very end, so
   * the output is trustworthy only once the stream has ended without error.
   */
  createStage(): Transform;
}

interface Credentials {
  readonly passphrase: string | undefined;
  readonly privateKeys: openpgp.PrivateKey[];
  /**
   * Session keys found for a file's session-key packets, by their types and bytes. A restore
   * reads one file more than once (its checks, then the restore), and each
   * passphrase costs a deliberately slow key derivation: about 0.07 s of CPU for
   * the tool's files, 0.3 s or more for one `gpg --symmetric` made. Another file,
   * even with the same passphrase, has its own salt, so its packets never match.
   */
  readonly found: Map<string, FoundSessionKeys>;
}

interface FoundSessionKeys {
  readonly keys: openpgp.SessionKey[];
  readonly byPassphrase: boolean;
}

/** How far one decryption got: the same library error means different things before and after. */
interface Progress {
  phase: 'reading' | 'decrypting';
  /**
   * The session key came from a passphrase. gpg's files carry no check of it,
   * ours only a weak one, so a wrong one may show only as garbage or at the end.
   */
  byPassphrase: boolean;
}

/**
 * Checks what was given before anything is read: private keys must parse and
 * unlock with their passphrases. Registers every secret.
 */
export async function prepareDecryptor(keys: DecryptionKeys): Promise<Decryptor> {
  const privateKeys = keys.privateKeys ?? [];
  if (keys.passphrase === undefined && privateKeys.length === 0) {
    throw new UserError('Decrypting a backup needs its passphrase or a private key: give one.');
  }
  if (keys.passphrase !== undefined) usablePassphrase(keys.passphrase, 'decryption');
  const credentials: Credentials = {
    passphrase: keys.passphrase,
    privateKeys: await unlockPrivateKeys(privateKeys),
    found: new Map(),
  };
  return {
    createStage: () => {
      const progress: Progress = { phase: 'reading', byPassphrase: false };
      return new WebStreamTransform(
        (input) => decryptStream(input, credentials, progress),
        (error) => describeDecryptError(error, progress),
      );
    },
  };
}

async function decryptStream(
  input: ReadableStream<Uint8Array>,
  credentials: Credentials,
  progress: Progress,
): Promise<ReadableStream<Uint8Array>> {
  const { kind, stream } = await sniffStart(input);
  const message = await readMessage(kind, stream);
  const sessionKeys = await keysTheDataAccepts(
    message,
    await sessionKeysOf(message, credentials, progress),
  );
  progress.phase = 'decrypting';
  // The library's stream types come from a package it does not ship, so they arrive untyped.
  const decrypted: { data: unknown } = await openpgp.decrypt({
    message,
    sessionKeys,
    format: 'binary',
    config: DECRYPT_CONFIG,
  });
  return decrypted.data as ReadableStream<Uint8Array>;
}

/** Reads the first bytes to tell armor from binary, and gzip or anything else from OpenPGP. */
async function sniffStart(
  input: ReadableStream<Uint8Array>,
): Promise<{ kind: ContentKind; stream: ReadableStream<Uint8Array> }> {
  const { head, stream } = await readHead(input, SNIFF_BYTES);
  const kind = classifyStart(head);
  if (kind === 'empty')
    throw new UserError('The encrypted backup is empty (0 bytes). Use another backup.');
  if (kind === 'gzip') {
    throw new UserError(
      'The backup is not encrypted (it is plain gzip): restore it without decryption.',
    );
  }
  if (kind === 'other') {
    throw new UserError(
      'The backup is not an OpenPGP-encrypted file (it does not start like one): check that this is the right file.',
    );
  }
  return { kind, stream };
}

async function readMessage(
  kind: ContentKind,
  stream: ReadableStream<Uint8Array>,
): Promise<openpgp.Message<ReadableStream<Uint8Array>>> {
  if (kind === 'openpgp-armored') {
    const text = stream.pipeThrough(new TextDecoderStream());
    const message: unknown = await openpgp.readMessage({
      armoredMessage: text,
      config: DECRYPT_CONFIG,
    });
    return message as openpgp.Message<ReadableStream<Uint8Array>>;
  }
  return openpgp.readMessage({ binaryMessage: stream, config: DECRYPT_CONFIG });
}

/** The message's session keys: found before for the same packets, or found now and kept. */
async function sessionKeysOf(
  message: openpgp.Message<ReadableStream<Uint8Array>>,
  credentials: Credentials,
  progress: Progress,
): Promise<openpgp.SessionKey[]> {
  const packets = Buffer.concat(
    message.packets
      .filter(
        (packet) =>
          packet instanceof openpgp.SymEncryptedSessionKeyPacket ||
          packet instanceof openpgp.PublicKeyEncryptedSessionKeyPacket,
      )
      .map((packet) => framed(packet)),
  ).toString('base64');
  const known = credentials.found.get(packets);
  if (known) {
    progress.byPassphrase = known.byPassphrase;
    return known.keys;
  }
  const keys = await decryptSessionKeys(message, credentials, progress);
  credentials.found.set(packets, { keys, byPassphrase: progress.byPassphrase });
  return keys;
}

/**
 * A session-key packet as a part of the key its session keys are kept under:
 * its type and length before its body, so that two packets never read as one
 * packet holding both bodies (which the library would refuse).
 */
function framed(
  packet: openpgp.SymEncryptedSessionKeyPacket | openpgp.PublicKeyEncryptedSessionKeyPacket,
): Buffer {
  const body = packet.write();
  const head = Buffer.alloc(5);
  head.writeUInt8(packet instanceof openpgp.SymEncryptedSessionKeyPacket ? 3 : 1, 0);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

/**
 * Finds the session key with what the user gave: the private keys first
 * when the message names key ids, then the passphrase. Only the small
 * session-key packets are read here, not the data.
 */
async function decryptSessionKeys(
  message: openpgp.Message<ReadableStream<Uint8Array>>,
  credentials: Credentials,
  progress: Progress,
): Promise<openpgp.SessionKey[]> {
  const keyIds = message.getEncryptionKeyIDs().map(describeKeyId);
  const passphraseSlots = message.packets.filterByTag(openpgp.enums.packet.symEncryptedSessionKey);
  if (credentials.privateKeys.length > 0 && keyIds.length > 0) {
    try {
      return asSessionKeys(
        await openpgp.decryptSessionKeys({
          message,
          decryptionKeys: credentials.privateKeys,
          config: DECRYPT_CONFIG,
        }),
      );
    } catch {
      // None of the keys given fits; the passphrase may still.
    }
  }
  if (credentials.passphrase !== undefined && passphraseSlots.length > 0) {
    progress.byPassphrase = true;
    try {
      return asSessionKeys(
        await openpgp.decryptSessionKeys({
          message,
          passwords: [credentials.passphrase],
          config: DECRYPT_CONFIG,
        }),
      );
    } catch {
      throw new CredentialsDoNotFit(WRONG_PASSPHRASE);
    }
  }
  throw missingCredentials(keyIds, passphraseSlots.length > 0, credentials);
}

/** Long key ids as gpg prints them; `gpg --throw-keyids` hides the recipient behind zeros. */
function describeKeyId(id: openpgp.KeyID): string {
  const hex = id.toHex().toUpperCase();
  return /^0+$/.test(hex) ? 'hidden by gpg --throw-keyids' : hex;
}

/**
 * A SEIPD v1 session key always names its cipher; the SEIPD v2 ones leave it
 * null because the data packet names it, which is where decrypt() looks then.
 */
function asSessionKeys(keys: openpgp.DecryptedSessionKey[]): openpgp.SessionKey[] {
  return keys as openpgp.SessionKey[];
}

function missingCredentials(
  keyIds: readonly string[],
  hasPassphraseSlot: boolean,
  credentials: Credentials,
): UserError {
  const ids = keyIds.join(', ');
  if (keyIds.length > 0 && credentials.privateKeys.length > 0) {
    return new CredentialsDoNotFit(
      `The backup is encrypted for a key you did not provide (key ids ${ids}): give the matching private key.`,
    );
  }
  if (keyIds.length > 0) {
    return new CredentialsDoNotFit(
      `The backup is encrypted for a public key (key ids ${ids}), not with a passphrase: give the matching private key.`,
    );
  }
  if (hasPassphraseSlot) {
    return new CredentialsDoNotFit(
      'The backup is encrypted with a passphrase, and no passphrase was given: give it.',
    );
  }
  return new UserError(
    'The backup names neither a key nor a passphrase that could decrypt it: it is not a backup this tool or gpg can open.',
  );
}

const WRONG_PASSPHRASE =
  'Cannot decrypt the backup: wrong passphrase (or the file is damaged). Check the passphrase.';
/**
 * Data that does not decrypt: with a passphrase (which can get past the
 * session-key check about once in 128 tries when wrong), a wrong passphrase or
 * damage, which a caller tells apart by the file's sha256; with a key, damage.
 */
function passphraseOrDamage(progress: Progress, damaged: string): UserError {
  return progress.byPassphrase
    ? new CredentialsDoNotFit(WRONG_PASSPHRASE_OR_DAMAGED)
    : new UserError(damaged);
}

const WRONG_PASSPHRASE_OR_DAMAGED =
  'Cannot decrypt the backup: wrong passphrase, or the file is damaged. Check the passphrase, or use another backup.';
const DAMAGED =
  'The backup is damaged: its OpenPGP integrity check failed (the data changed after it was encrypted). Use another backup.';
const STALLED =
  'The backup is damaged: its OpenPGP data stopped without ending or failing. Use another backup.';
const TRUNCATED = 'The backup is truncated: its OpenPGP data ends early. Use another backup.';
const ARMOR_DAMAGED =
  'The backup is damaged: its ASCII armor is cut short or altered. Use another backup.';

/**
 * Turns OpenPGP.js's messages into one clear line. A wrong passphrase is
 * only sometimes caught at the start ("Session key decryption failed"): with
 * the files `gpg --symmetric` makes, nothing can check the passphrase, and the
 * garbage shows as unparsable data or a failed integrity check at the end.
 * Errors that carry a Node code (the pipeline's own) pass through unchanged.
 */
function describeDecryptError(error: unknown, progress: Progress): unknown {
  if (isWorded(error)) return error;
  if ((error as NodeJS.ErrnoException | undefined)?.code !== undefined) return error;
  const text = errorMessage(error);
  if (/Unexpected end of packet/i.test(text)) return new UserError(TRUNCATED);
  if (/Session key decryption failed/i.test(text)) return new CredentialsDoNotFit(WRONG_PASSPHRASE);
  if (/armored text|armor integrity/i.test(text)) return new UserError(ARMOR_DAMAGED);
  if (error instanceof StalledStream) {
    return passphraseOrDamage(progress, STALLED);
  }
  if (progress.phase === 'decrypting') {
    return passphraseOrDamage(progress, DAMAGED);
  }
  return new UserError(
    `The backup cannot be read as OpenPGP data (${redact(text).replace(/\.$/, '')}): it is damaged or not an encrypted backup.`,
  );
}
