import { createCipheriv } from 'node:crypto';
import * as openpgp from 'openpgp';
import { readHead } from './stream-head.js';

/**
 * The fields of a SEIPD packet this check reads. The library sets them when it
 * reads the packet but leaves them out of its types.
 */
interface SeipdFields {
  version: number | null;
  encrypted: ReadableStream<Uint8Array> | Uint8Array | null;
}

/** A session key as the library gives it; a SEIPD v2 one names no cipher. */
interface CandidateKey {
  readonly data: Uint8Array;
  readonly algorithm: string | null;
}

/** The block ciphers Node has under OpenPGP's names; another cipher is not checked here. */
const ECB_CIPHERS: Readonly<Record<string, string>> = {
  aes128: 'aes-128-ecb',
  aes192: 'aes-192-ecb',
  aes256: 'aes-256-ecb',
};
const BLOCK = 16;

/**
 * Of several session keys, the ones the encrypted data was made with, as far as
 * the data's own quick check tells (RFC 4880 5.13): the random prefix at the
 * start of a SEIPD v1 packet repeats its last two bytes, which a wrong key
 * decrypts to a match once in 65,536 times.
 *
 * Several keys come from a file with several session-key packets: a key-less
 * passphrase packet yields a key for any passphrase, a wrong one among them.
 * The library tries all keys at once and keeps whichever parse finished last,
 * so without this a good file failed now and then, as damaged. One key, a
 * cipher Node has no ECB mode of, or an AEAD packet (which fails at its first
 * chunk) are left as they are; so is the list when no key passes, which then
 * fails as before.
 */
export async function keysTheDataAccepts<Key extends CandidateKey>(
  message: openpgp.Message<ReadableStream<Uint8Array>>,
  keys: Key[],
): Promise<Key[]> {
  if (keys.length < 2) return keys;
  const packet = message.packets.find(
    (candidate) => candidate instanceof openpgp.SymEncryptedIntegrityProtectedDataPacket,
  ) as unknown as SeipdFields | undefined;
  if (packet?.version !== 1 || packet.encrypted === null) return keys;
  const head = await peek(packet, BLOCK + 2);
  if (head.length < BLOCK + 2) return keys;
  const passing = keys.filter((key) => quickCheckPasses(key, head) !== false);
  return passing.length > 0 ? passing : keys;
}

/** Whether the key decrypts the prefix to its repeated bytes; undefined when Node cannot tell. */
function quickCheckPasses(key: CandidateKey, head: Uint8Array): boolean | undefined {
  const cipher = key.algorithm === null ? undefined : ECB_CIPHERS[key.algorithm];
  if (cipher === undefined) return undefined;
  const encryptBlock = (block: Uint8Array): Buffer =>
    createCipheriv(cipher, key.data, null).setAutoPadding(false).update(block);
  // OpenPGP's CFB with a zero IV: block one is C1 xor E(0), the next two bytes C[16..17] xor E(C1).
  const first = encryptBlock(new Uint8Array(BLOCK));
  const next = encryptBlock(head.subarray(0, BLOCK));
  return (
    (head[BLOCK - 2]! ^ first[BLOCK - 2]!) === (head[BLOCK]! ^ next[0]!) &&
    (head[BLOCK - 1]! ^ first[BLOCK - 1]!) === (head[BLOCK + 1]! ^ next[1]!)
  );
}

/**
 * The first `count` bytes of the packet's encrypted data (fewer when it is
 * shorter), leaving the packet holding a stream that gives them again.
 */
async function peek(packet: SeipdFields, count: number): Promise<Uint8Array> {
  const encrypted = packet.encrypted;
  if (encrypted instanceof Uint8Array) return encrypted.subarray(0, count);
  if (!(encrypted instanceof ReadableStream)) return new Uint8Array();
  const { head, stream } = await readHead(encrypted, count);
  packet.encrypted = stream;
  return head.subarray(0, count);
}
