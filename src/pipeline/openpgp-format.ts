import fs from 'node:fs/promises';

/** What the first bytes of a file say it is. */
export type ContentKind = 'openpgp-binary' | 'openpgp-armored' | 'gzip' | 'empty' | 'other';

/** Enough bytes to see the armor line `-----BEGIN PGP MESSAGE-----`, after a little leading whitespace. */
export const SNIFF_BYTES = 64;

const ARMOR_HEADER = '-----BEGIN PGP MESSAGE-----';

/**
 * Packets an encrypted OpenPGP message may start with: a public-key or a
 * symmetric-key encrypted session key, or the obsolete marker packet.
 */
const OPENING_PACKET_TAGS = new Set([1, 3, 10]);

/**
 * Classifies the start of a stored backup. gzip starts 1f 8b; a binary
 * OpenPGP message starts with a packet header whose top bit is set: new
 * format `11tttttt`, old format `10ttttll` (t = tag, l = length type).
 */
export function classifyStart(head: Uint8Array): ContentKind {
  const first = head[0];
  if (first === undefined) return 'empty';
  if (first === 0x1f && head[1] === 0x8b) return 'gzip';
  if ((first & 0x80) !== 0) {
    const tag = (first & 0x40) !== 0 ? first & 0x3f : (first & 0x3c) >> 2;
    return OPENING_PACKET_TAGS.has(tag) ? 'openpgp-binary' : 'other';
  }
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1');
  return text.trimStart().startsWith(ARMOR_HEADER) ? 'openpgp-armored' : 'other';
}

/**
 * True when the file holds an encrypted OpenPGP message (binary, as this tool
 * and `gpg` write them, or ASCII-armored as `gpg --armor` writes them), so that
 * restore can tell an encrypted backup from a plain gzip one without trusting
 * the name.
 */
export async function looksLikeOpenPgp(file: string): Promise<boolean> {
  const handle = await fs.open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(SNIFF_BYTES), 0, SNIFF_BYTES, 0);
    const kind = classifyStart(buffer.subarray(0, bytesRead));
    return kind === 'openpgp-binary' || kind === 'openpgp-armored';
  } finally {
    await handle.close();
  }
}
