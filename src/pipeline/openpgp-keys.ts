import * as openpgp from 'openpgp';
import { UserError, errorMessage } from '../domain/errors.js';
import { redact, registerSecret } from '../domain/secrets.js';
import { ENCRYPT_CONFIG } from './openpgp-settings.js';
import { givenPassphrase } from './passphrase-rules.js';

/** A recipient's public key, checked to be able to encrypt now. */
export interface RecipientKey {
  readonly key: openpgp.PublicKey;
  /** The primary key's fingerprint, upper-case hex as `gpg --list-keys` shows it. */
  readonly fingerprint: string;
}

export interface ArmoredPrivateKey {
  readonly armored: string;
  readonly passphrase?: string;
}

interface ArmorBlock {
  /** `PUBLIC KEY BLOCK`, `PRIVATE KEY BLOCK`, `MESSAGE`, ... */
  readonly type: string;
  readonly text: string;
}

const ARMOR_BLOCK = /-----BEGIN PGP ([A-Z0-9 ,/]+)-----[\s\S]*?-----END PGP \1-----/g;

const EXPORT_PUBLIC = 'gpg --armor --export KEY-ID';
const EXPORT_PRIVATE = 'gpg --armor --export-secret-keys KEY-ID';

/** Public-key algorithms of RFC 9580 that gpg 2.2 does not know. */
const TOO_NEW_ALGORITHMS = new Set<openpgp.enums.publicKey>([
  openpgp.enums.publicKey.x25519,
  openpgp.enums.publicKey.x448,
]);

/**
 * Reads and checks the recipients' public keys before any dump starts:
 * every key must be an armored public key that can encrypt today, in a
 * format gpg 2.2 reads. Duplicates collapse to one recipient.
 */
export async function readRecipientKeys(armoredKeys: readonly string[]): Promise<RecipientKey[]> {
  if (armoredKeys.length === 0) {
    throw new UserError(
      `Public-key encryption needs at least one recipient: give an armored public key (${EXPORT_PUBLIC}).`,
    );
  }
  const recipients = new Map<string, RecipientKey>();
  for (const [index, armored] of armoredKeys.entries()) {
    const label = `public key ${index + 1}`;
    for (const key of await readPublicKeyText(armored, label)) {
      const recipient = await checkRecipientKey(key, label);
      recipients.set(recipient.fingerprint, recipient);
    }
  }
  return [...recipients.values()];
}

async function readPublicKeyText(armored: string, label: string): Promise<openpgp.PublicKey[]> {
  const keys: openpgp.PublicKey[] = [];
  for (const block of armorBlocks(armored, label, 'PUBLIC', EXPORT_PUBLIC)) {
    if (block.type === 'PRIVATE KEY BLOCK') {
      // It is a secret all the same: keep it out of every log line.
      registerSecret(block.text);
      throw new UserError(
        `The ${label} is a private key: give the public key instead (${EXPORT_PUBLIC}); a backup needs only the public half.`,
      );
    }
    if (block.type !== 'PUBLIC KEY BLOCK') {
      throw new UserError(
        `The ${label} holds a PGP ${block.type.toLowerCase()}, not a public key: export the key with ${EXPORT_PUBLIC}.`,
      );
    }
    try {
      keys.push(...(await openpgp.readKeys({ armoredKeys: block.text })));
    } catch (error) {
      throw new UserError(
        `The ${label} cannot be read (${describeLibraryError(error)}): export it again with ${EXPORT_PUBLIC}.`,
      );
    }
  }
  return keys;
}

async function checkRecipientKey(key: openpgp.PublicKey, label: string): Promise<RecipientKey> {
  const fingerprint = key.getFingerprint().toUpperCase();
  const who = describeKey(key, label);
  if (key.isPrivate()) {
    throw new UserError(
      `The ${who} is a private key: give the public key instead (${EXPORT_PUBLIC}).`,
    );
  }
  if (await key.isRevoked(undefined, undefined, new Date(), fullConfig())) {
    throw new UserError(`The ${who} is revoked: ask its owner for a current public key.`);
  }
  const expires = await key.getExpirationTime(undefined, fullConfig());
  if (expires instanceof Date && expires.getTime() <= Date.now()) {
    throw new UserError(
      `The ${who} expired on ${expires.toISOString().slice(0, 10)}: extend it (gpg --quick-set-expire) and export it again, or use another key.`,
    );
  }
  let encryptionKey: openpgp.PublicKey | openpgp.Subkey;
  try {
    encryptionKey = await key.getEncryptionKey(undefined, new Date(), undefined, fullConfig());
  } catch {
    throw new UserError(
      `The ${who} cannot encrypt: it has no valid encryption subkey (it is sign-only, or that subkey expired or was revoked). Give a key with an encryption subkey.`,
    );
  }
  const packet = encryptionKey.keyPacket;
  if (packet.version !== 4 || TOO_NEW_ALGORITHMS.has(packet.algorithm)) {
    throw new UserError(
      `The ${who} uses a newer OpenPGP key format (v${packet.version}, ${openpgp.enums.read(openpgp.enums.publicKey, packet.algorithm)}) that gpg 2.2 cannot decrypt: use a key made by gpg (rsa3072, or ed25519/cv25519).`,
    );
  }
  return { key, fingerprint };
}

/**
 * Reads the private keys and unlocks the protected ones, so that a wrong key
 * passphrase is reported before anything is read or changed. The armored
 * text and the passphrases are registered as secrets.
 */
export async function unlockPrivateKeys(
  privateKeys: readonly ArmoredPrivateKey[],
): Promise<openpgp.PrivateKey[]> {
  for (const { armored, passphrase } of privateKeys) {
    registerSecret(armored);
    givenPassphrase(passphrase);
  }
  const unlocked: openpgp.PrivateKey[] = [];
  for (const [index, { armored, passphrase }] of privateKeys.entries()) {
    const label = `private key ${index + 1}`;
    for (const key of await readPrivateKeyText(armored, label)) {
      unlocked.push(await unlockPrivateKey(key, passphrase, describeKey(key, label)));
    }
  }
  return unlocked;
}

async function readPrivateKeyText(armored: string, label: string): Promise<openpgp.PrivateKey[]> {
  const keys: openpgp.PrivateKey[] = [];
  for (const block of armorBlocks(armored, label, 'PRIVATE', EXPORT_PRIVATE)) {
    if (block.type === 'PUBLIC KEY BLOCK') {
      throw new UserError(
        `The ${label} is a public key: decrypting needs the private key (${EXPORT_PRIVATE}).`,
      );
    }
    if (block.type !== 'PRIVATE KEY BLOCK') {
      throw new UserError(
        `The ${label} holds a PGP ${block.type.toLowerCase()}, not a private key: export the key with ${EXPORT_PRIVATE}.`,
      );
    }
    try {
      keys.push(...(await openpgp.readPrivateKeys({ armoredKeys: block.text })));
    } catch (error) {
      throw new UserError(
        `The ${label} cannot be read (${describeLibraryError(error)}): export it again with ${EXPORT_PRIVATE}.`,
      );
    }
  }
  return keys;
}

async function unlockPrivateKey(
  key: openpgp.PrivateKey,
  passphrase: string | undefined,
  who: string,
): Promise<openpgp.PrivateKey> {
  if (key.isDecrypted()) return key;
  if (givenPassphrase(passphrase) === undefined) {
    throw new UserError(
      `The ${who} is protected by a passphrase: give that passphrase too (private-key-passphrase, --private-key-passphrase-file or BACKUP_PRIVATE_KEY_PASSPHRASE).`,
    );
  }
  try {
    return await openpgp.decryptKey({ privateKey: key, passphrase });
  } catch {
    throw new UserError(`The passphrase for the ${who} is wrong: it does not unlock the key.`);
  }
}

/** Splits text into its armored blocks; a file may hold several, one after the other. */
function armorBlocks(
  text: string,
  label: string,
  kind: 'PUBLIC' | 'PRIVATE',
  howToExport: string,
): ArmorBlock[] {
  const blocks = [...text.matchAll(ARMOR_BLOCK)].map((match) => ({
    type: match[1] ?? '',
    text: match[0],
  }));
  if (blocks.length > 0) return blocks;
  if (text.trim() === '') throw new UserError(`The ${label} is empty: give the armored key text.`);
  throw new UserError(
    `The ${label} is not an ASCII-armored OpenPGP key (no complete "-----BEGIN PGP ${kind} KEY BLOCK-----" block): export it with ${howToExport}.`,
  );
}

/** `public key 2 (Alice <alice@example.com>, 0500F5A0…A988)`: enough to find the key in `gpg --list-keys`. */
function describeKey(key: openpgp.PublicKey, label: string): string {
  const userId = key.getUserIDs()[0];
  const fingerprint = key.getFingerprint().toUpperCase();
  return userId ? `${label} (${userId}, ${fingerprint})` : `${label} (${fingerprint})`;
}

function describeLibraryError(error: unknown): string {
  return redact(errorMessage(error)).replace(/\.$/, '');
}

/** Key methods take a full Config where the top-level functions take a partial one. */
function fullConfig(): openpgp.Config {
  return { ...openpgp.config, ...ENCRYPT_CONFIG };
}
