import { createHmac, hash, type Hmac } from 'node:crypto';

const BLOCK = 64;
const SEPARATOR = Buffer.from([0]);
/** Kind, separator and value up to this many bytes are hashed here; longer ones by OpenSSL. */
const SHORT_LIMIT = 3 * BLOCK - 9;

/**
 * HMAC-SHA256(salt, kind ‖ 0x00 ‖ value): the one source of every masked
 * value. The same value under the same kind gives the same digest everywhere
 * (joins survive); without the salt nobody can test guesses against it.
 *
 * The key schedule is done once: the states after the inner and the outer
 * pad (RFC 2104's K⊕ipad and K⊕opad blocks) are kept, so a short value costs
 * two or three SHA-256 block compressions, computed here without a call into
 * OpenSSL (whose per-call cost is several times that of a block at millions
 * of values per dump). Longer values go through OpenSSL's SHA-256, which is
 * faster per byte; both give the same HMAC.
 */
export class KeyedDigest {
  private readonly key: Buffer;
  private readonly innerState: Int32Array;
  private readonly outerState: Int32Array;
  /** Long values: the inner pad, then kind and value copied in (no allocation per value). */
  private inner = Buffer.alloc(4096);
  private readonly kinds = new Map<string, Buffer>();
  /** Runs of values of one kind (one column) skip the lookup. */
  private lastKind = '';
  private lastPrefix: Buffer = SEPARATOR;
  /** Scratch for short values: the message words and the working state. */
  private readonly block = new Uint8Array(3 * BLOCK);
  private readonly words = new Int32Array(64);
  private readonly state = new Int32Array(8);

  constructor(salt: string) {
    let key = Buffer.from(salt, 'utf8');
    if (key.length > BLOCK) key = hash('sha256', key, 'buffer');
    this.key = key;
    const padded = Buffer.alloc(BLOCK);
    key.copy(padded);
    const innerPad = Buffer.from(padded.map((byte) => byte ^ 0x36));
    innerPad.copy(this.inner);
    this.innerState = Int32Array.from(INITIAL);
    compress(this.innerState, this.words, innerPad, 0);
    this.outerState = Int32Array.from(INITIAL);
    compress(this.outerState, this.words, Buffer.from(padded.map((byte) => byte ^ 0x5c)), 0);
  }

  digest(kind: string, value: Uint8Array): Buffer {
    let prefix = this.lastPrefix;
    if (kind !== this.lastKind) {
      const known = this.kinds.get(kind);
      prefix = known ?? Buffer.concat([Buffer.from(kind, 'latin1'), SEPARATOR]);
      if (!known) this.kinds.set(kind, prefix);
      this.lastKind = kind;
      this.lastPrefix = prefix;
    }
    const state = this.state;
    const prefixLength = prefix.length;
    const valueLength = value.length;
    const length = prefixLength + valueLength;
    if (length <= SHORT_LIMIT) {
      // kind ‖ 0 ‖ value, 0x80, zeros, the bit length after the pad block: one to three blocks.
      const block = this.block;
      const end = length + 9 <= BLOCK ? BLOCK : length + 9 <= 2 * BLOCK ? 2 * BLOCK : 3 * BLOCK;
      for (let i = 0; i < prefixLength; i += 1) block[i] = prefix[i]!;
      for (let i = 0; i < valueLength; i += 1) block[prefixLength + i] = value[i]!;
      block[length] = 0x80;
      for (let i = length + 1; i < end - 4; i += 1) block[i] = 0;
      writeWord(block, end - 4, (BLOCK + length) * 8);
      const inner = this.innerState;
      for (let i = 0; i < 8; i += 1) state[i] = inner[i]!;
      for (let at = 0; at < end; at += BLOCK) compress(state, this.words, block, at);
    } else {
      const total = BLOCK + length;
      if (total > this.inner.length) {
        const grown = Buffer.alloc(Math.max(total, this.inner.length * 2));
        this.inner.copy(grown, 0, 0, BLOCK);
        this.inner = grown;
      }
      prefix.copy(this.inner, BLOCK);
      this.inner.set(value, BLOCK + prefix.length);
      const digest = hash('sha256', this.inner.subarray(0, total), 'buffer');
      for (let i = 0; i < 8; i += 1) state[i] = digest.readInt32BE(i * 4);
    }
    // The outer hash: the outer pad's state, then one block of the inner digest and padding.
    const words = this.words;
    const outer = this.outerState;
    for (let i = 0; i < 8; i += 1) {
      words[i] = state[i]!;
      state[i] = outer[i]!;
    }
    words[8] = 0x80000000 | 0;
    for (let i = 9; i < 15; i += 1) words[i] = 0;
    words[15] = (BLOCK + 32) * 8;
    compressWords(state, words);
    const out = Buffer.allocUnsafe(32);
    for (let i = 0; i < 8; i += 1) writeWord(out, i * 4, state[i]!);
    return out;
  }

  /** For values too long to hold: fed piece by piece, same result as `digest`. */
  incremental(kind: string): Hmac {
    return createHmac('sha256', this.key).update(Buffer.from(kind, 'latin1')).update(SEPARATOR);
  }
}

/** FIPS 180-4, 5.3.3 and 4.2.2. */
const INITIAL = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

function writeWord(bytes: Uint8Array, at: number, word: number): void {
  bytes[at] = word >>> 24;
  bytes[at + 1] = (word >>> 16) & 0xff;
  bytes[at + 2] = (word >>> 8) & 0xff;
  bytes[at + 3] = word & 0xff;
}

/** One SHA-256 block of `bytes` at `at` into `state`. */
function compress(state: Int32Array, words: Int32Array, bytes: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i += 1) {
    const j = at + i * 4;
    words[i] = (bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!;
  }
  compressWords(state, words);
}

/** One SHA-256 block whose 16 big-endian words are already in `words`. */
function compressWords(state: Int32Array, w: Int32Array): void {
  for (let i = 16; i < 64; i += 1) {
    const x = w[i - 15]!;
    const y = w[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  let e = state[4]!;
  let f = state[5]!;
  let g = state[6]!;
  let h = state[7]!;
  for (let i = 0; i < 64; i += 1) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
  state[5] = (state[5]! + f) | 0;
  state[6] = (state[6]! + g) | 0;
  state[7] = (state[7]! + h) | 0;
}
