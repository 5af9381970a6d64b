export const id = 654;
export const ids = [654];
export const modules = {

/***/ 41654:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  prepareSanitizing: () => (/* binding */ prepareSanitizing)
});

// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(57075);
// EXTERNAL MODULE: ./src/domain/errors.ts
var errors = __webpack_require__(10241);
// EXTERNAL MODULE: ./src/domain/format.ts
var format = __webpack_require__(65077);
// EXTERNAL MODULE: ./src/engines/postgres/dump-tables.ts
var dump_tables = __webpack_require__(15115);
;// CONCATENATED MODULE: ./src/sanitize/sql-quotes.ts
const QUOTE = 0x27;
const DOUBLE_QUOTE = 0x22;
const DOLLAR = 0x24;
const DASH = 0x2d;
const NEWLINE = 0x0a;
function isTagByte(byte, first) {
    return ((byte >= 0x41 && byte <= 0x5a) ||
        (byte >= 0x61 && byte <= 0x7a) ||
        byte === 0x5f ||
        byte >= 0x80 ||
        (!first && byte >= 0x30 && byte <= 0x39));
}
/**
 * Follows string literals, quoted identifiers, dollar-quoted bodies and line
 * comments through the SQL of a plain dump, across chunks: a line that starts
 * inside one (a comment's text, a function body) is never a COPY header,
 * whatever it says.
 */
class SqlQuotes {
    state = 'code';
    tag = [];
    matched = 0;
    previous = NEWLINE;
    /** True while the bytes fed so far end inside a literal, an identifier or a body. */
    get inside() {
        return this.state !== 'code' && this.state !== 'comment';
    }
    feed(chunk, from, end) {
        for (let i = from; i < end; i += 1)
            this.step(chunk[i]);
    }
    step(byte) {
        const previous = this.previous;
        this.previous = byte;
        switch (this.state) {
            case 'code':
                if (byte === QUOTE)
                    this.state = 'single';
                else if (byte === DOUBLE_QUOTE)
                    this.state = 'double';
                else if (byte === DASH && previous === DASH)
                    this.state = 'comment';
                else if (byte === DOLLAR && !isTagByte(previous, false) && previous !== DOLLAR) {
                    this.state = 'dollarOpen';
                    this.tag = [];
                }
                return;
            case 'single':
                if (byte === QUOTE)
                    this.state = 'code';
                return;
            case 'double':
                if (byte === DOUBLE_QUOTE)
                    this.state = 'code';
                return;
            case 'comment':
                if (byte === NEWLINE)
                    this.state = 'code';
                return;
            case 'dollarOpen':
                if (byte === DOLLAR)
                    this.state = 'dollar';
                else if (isTagByte(byte, this.tag.length === 0))
                    this.tag.push(byte);
                else {
                    // `$1` and the like: not a dollar quote.
                    this.state = 'code';
                    this.previous = previous;
                    this.step(byte);
                }
                return;
            case 'dollar':
                if (byte === DOLLAR) {
                    this.state = 'dollarClose';
                    this.matched = 0;
                }
                return;
            case 'dollarClose':
                if (this.matched === this.tag.length && byte === DOLLAR)
                    this.state = 'code';
                else if (this.matched < this.tag.length && byte === this.tag[this.matched])
                    this.matched += 1;
                else if (byte === DOLLAR)
                    this.matched = 0;
                else
                    this.state = 'dollar';
                return;
        }
    }
}

;// CONCATENATED MODULE: ./src/sanitize/copy-text.ts
/**
 * One field of PostgreSQL's COPY text format, as pg_dump writes it: `\N` is
 * NULL; a backslash introduces \b \f \n \r \t \v, one to three octal digits,
 * x and one or two hex digits, or any other character taken literally.
 * Raw tabs and newlines never occur inside a field.
 */
const NULL_FIELD = Buffer.from('\\N', 'latin1');
const BACKSLASH = 0x5c;
const LETTER_ESCAPES = {
    0x62: 0x08, // b
    0x66: 0x0c, // f
    0x6e: 0x0a, // n
    0x72: 0x0d, // r
    0x74: 0x09, // t
    0x76: 0x0b, // v
};
function isNullField(raw) {
    return raw.length === 2 && raw[0] === BACKSLASH && raw[1] === 0x4e;
}
function isOctal(byte) {
    return byte !== undefined && byte >= 0x30 && byte <= 0x37;
}
function hexValue(byte) {
    if (byte === undefined)
        return -1;
    if (byte >= 0x30 && byte <= 0x39)
        return byte - 0x30;
    if (byte >= 0x61 && byte <= 0x66)
        return byte - 0x57;
    if (byte >= 0x41 && byte <= 0x46)
        return byte - 0x37;
    return -1;
}
/** The value's bytes (the field must not be `\N`). */
function decodeCopyField(raw) {
    if (raw.indexOf(BACKSLASH) === -1)
        return raw;
    const out = Buffer.allocUnsafe(raw.length);
    let length = 0;
    for (let i = 0; i < raw.length; i += 1) {
        const byte = raw[i];
        if (byte !== BACKSLASH || i + 1 >= raw.length) {
            out[length++] = byte;
            continue;
        }
        const next = raw[i + 1];
        i += 1;
        const letter = LETTER_ESCAPES[next];
        if (letter !== undefined) {
            out[length++] = letter;
        }
        else if (isOctal(next)) {
            let value = next - 0x30;
            for (let n = 0; n < 2 && isOctal(raw[i + 1]); n += 1)
                value = value * 8 + (raw[++i] - 0x30);
            out[length++] = value & 0xff;
        }
        else if (next === 0x78 && hexValue(raw[i + 1]) >= 0) {
            let value = hexValue(raw[++i]);
            if (hexValue(raw[i + 1]) >= 0)
                value = value * 16 + hexValue(raw[++i]);
            out[length++] = value;
        }
        else {
            out[length++] = next;
        }
    }
    return out.subarray(0, length);
}
const ESCAPED = {
    0x5c: 0x5c,
    0x08: 0x62,
    0x0c: 0x66,
    0x0a: 0x6e,
    0x0d: 0x72,
    0x09: 0x74,
    0x0b: 0x76,
};
function needsEscape(value) {
    for (let i = 0; i < value.length; i += 1) {
        const byte = value[i];
        if (byte === 0x5c || (byte >= 0x08 && byte <= 0x0d))
            return true;
    }
    return false;
}
/** The field for a value (null gives `\N`), escaped as COPY TO escapes it. */
function encodeCopyField(value) {
    if (value === null)
        return NULL_FIELD;
    if (!needsEscape(value))
        return value;
    const out = [];
    for (let i = 0; i < value.length; i += 1) {
        const byte = value[i];
        const escape = ESCAPED[byte];
        if (escape === undefined)
            out.push(byte);
        else
            out.push(BACKSLASH, escape);
    }
    return Buffer.from(out);
}

;// CONCATENATED MODULE: ./src/sanitize/mask-cache.ts
/** Entries of one generation of one column's cache. */
const GENERATION_ENTRIES = 16_384;
/** Key and value bytes of one generation of one column's cache. */
const GENERATION_BYTES = 2 * 1024 * 1024;
/** All the caches of one COPY block together (the block's caches go when it ends). */
const BLOCK_ENTRIES = 65_536;
const BLOCK_BYTES = 8 * 1024 * 1024;
/**
 * Masked values by raw field for one column: repeated values (statuses,
 * amounts, dates, blank fillers) are masked once. Both are kept as latin1
 * strings: a small Buffer would hold on to the whole 8 KiB pool slab it was
 * cut from. Two generations make a
 * cheap approximation of least-recently-used: a full generation becomes the
 * old one (and the older one is dropped), a hit in the old one moves the
 * entry to the new one. A column whose values hardly repeat stops being
 * cached after a second generation fills with few hits, so unique values
 * (emails, texts) cost no more than building their keys twice over.
 * Memory is bounded by the per-generation limits and the block's budget,
 * never by the database.
 */
class MaskCache {
    budget;
    current = new Map();
    previous = new Map();
    currentBytes = 0;
    previousBytes = 0;
    hits = 0;
    generations = 0;
    /** The column's values did not repeat enough: nothing is cached any more. */
    disabled = false;
    constructor(budget) {
        this.budget = budget;
    }
    get(key) {
        const found = this.current.get(key);
        if (found !== undefined) {
            this.hits += 1;
            return found;
        }
        const old = this.previous.get(key);
        if (old !== undefined) {
            // Left in the old generation too (dropped with it): a delete costs more than the copy.
            this.hits += 1;
            this.set(key, old);
        }
        return old;
    }
    set(key, value) {
        if (this.disabled)
            return;
        const size = key.length + value.length;
        if (this.current.size >= GENERATION_ENTRIES ||
            this.currentBytes + size > GENERATION_BYTES ||
            this.budget.entries >= BLOCK_ENTRIES ||
            this.budget.bytes + size > BLOCK_BYTES) {
            this.rotate();
            if (this.disabled)
                return;
        }
        this.current.set(key, value);
        this.currentBytes += size;
        this.budget.entries += 1;
        this.budget.bytes += size;
    }
    /** Gives back everything this cache holds to the block's budget. */
    clear() {
        this.budget.entries -= this.current.size + this.previous.size;
        this.budget.bytes -= this.currentBytes + this.previousBytes;
        this.current = new Map();
        this.previous = new Map();
        this.currentBytes = 0;
        this.previousBytes = 0;
    }
    rotate() {
        const filled = this.current.size;
        const hits = this.hits;
        this.budget.entries -= this.previous.size;
        this.budget.bytes -= this.previousBytes;
        this.previous = this.current;
        this.previousBytes = this.currentBytes;
        this.current = new Map();
        this.currentBytes = 0;
        this.hits = 0;
        this.generations += 1;
        // The first generation only warms up; a later one that filled with few hits shows values that do not repeat.
        if (this.generations > 1 && hits * 10 < filled) {
            this.disabled = true;
            this.clear();
        }
    }
}
/**
 * The last field masked in a column and its masked form: a run of equal
 * values (blank fillers, a default, a sorted status) costs one comparison
 * of bytes per row, no key and no lookup.
 */
class LastValue {
    limit;
    raw;
    length = -1;
    output;
    constructor(limit) {
        this.limit = limit;
        this.raw = Buffer.alloc(limit);
    }
    /** The masked form of `source[start, end)` when it is the same field as last time. */
    get(source, start, end) {
        const length = end - start;
        if (length !== this.length)
            return undefined;
        const last = this.raw;
        for (let i = 0; i < length; i += 1)
            if (source[start + i] !== last[i])
                return undefined;
        return this.output;
    }
    set(source, start, end, output) {
        const length = end - start;
        if (length > this.limit)
            return;
        const last = this.raw;
        for (let i = 0; i < length; i += 1)
            last[i] = source[start + i];
        this.length = length;
        this.output = output;
    }
}
/**
 * The noise (parts per million) of numbers already seen in one column, by a
 * numeric key: a digest saved per repeated amount, price or quantity, at a
 * few dozen bytes an entry. Two generations, as MaskCache.
 */
class NumberCache {
    current = new Map();
    previous = new Map();
    hits = 0;
    generations = 0;
    disabled = false;
    get(key) {
        if (this.disabled)
            return undefined;
        const found = this.current.get(key);
        if (found !== undefined) {
            this.hits += 1;
            return found;
        }
        const old = this.previous.get(key);
        if (old !== undefined) {
            this.hits += 1;
            this.set(key, old);
        }
        return old;
    }
    set(key, ppm) {
        if (this.disabled)
            return;
        if (this.current.size >= NUMBER_GENERATION_ENTRIES) {
            const filled = this.current.size;
            this.previous = this.current;
            this.current = new Map();
            this.generations += 1;
            if (this.generations > 1 && this.hits * 10 < filled) {
                this.disabled = true;
                this.previous = new Map();
                return;
            }
            this.hits = 0;
        }
        this.current.set(key, ppm);
    }
}
/** Two generations of these: about 10 MB at most per column. */
const NUMBER_GENERATION_ENTRIES = 131_072;

// EXTERNAL MODULE: external "node:buffer"
var external_node_buffer_ = __webpack_require__(4573);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
;// CONCATENATED MODULE: ./src/sanitize/keyed-digest.ts

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
class KeyedDigest {
    key;
    innerState;
    outerState;
    /** Long values: the inner pad, then kind and value copied in (no allocation per value). */
    inner = Buffer.alloc(4096);
    kinds = new Map();
    /** Runs of values of one kind (one column) skip the lookup. */
    lastKind = '';
    lastPrefix = SEPARATOR;
    /** Scratch for short values: the message words and the working state. */
    block = new Uint8Array(3 * BLOCK);
    words = new Int32Array(64);
    state = new Int32Array(8);
    constructor(salt) {
        let key = Buffer.from(salt, 'utf8');
        if (key.length > BLOCK)
            key = (0,external_node_crypto_.hash)('sha256', key, 'buffer');
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
    digest(kind, value) {
        let prefix = this.lastPrefix;
        if (kind !== this.lastKind) {
            const known = this.kinds.get(kind);
            prefix = known ?? Buffer.concat([Buffer.from(kind, 'latin1'), SEPARATOR]);
            if (!known)
                this.kinds.set(kind, prefix);
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
            for (let i = 0; i < prefixLength; i += 1)
                block[i] = prefix[i];
            for (let i = 0; i < valueLength; i += 1)
                block[prefixLength + i] = value[i];
            block[length] = 0x80;
            for (let i = length + 1; i < end - 4; i += 1)
                block[i] = 0;
            writeWord(block, end - 4, (BLOCK + length) * 8);
            const inner = this.innerState;
            for (let i = 0; i < 8; i += 1)
                state[i] = inner[i];
            for (let at = 0; at < end; at += BLOCK)
                compress(state, this.words, block, at);
        }
        else {
            const total = BLOCK + length;
            if (total > this.inner.length) {
                const grown = Buffer.alloc(Math.max(total, this.inner.length * 2));
                this.inner.copy(grown, 0, 0, BLOCK);
                this.inner = grown;
            }
            prefix.copy(this.inner, BLOCK);
            this.inner.set(value, BLOCK + prefix.length);
            const digest = (0,external_node_crypto_.hash)('sha256', this.inner.subarray(0, total), 'buffer');
            for (let i = 0; i < 8; i += 1)
                state[i] = digest.readInt32BE(i * 4);
        }
        // The outer hash: the outer pad's state, then one block of the inner digest and padding.
        const words = this.words;
        const outer = this.outerState;
        for (let i = 0; i < 8; i += 1) {
            words[i] = state[i];
            state[i] = outer[i];
        }
        words[8] = 0x80000000 | 0;
        for (let i = 9; i < 15; i += 1)
            words[i] = 0;
        words[15] = (BLOCK + 32) * 8;
        compressWords(state, words);
        const out = Buffer.allocUnsafe(32);
        for (let i = 0; i < 8; i += 1)
            writeWord(out, i * 4, state[i]);
        return out;
    }
    /** For values too long to hold: fed piece by piece, same result as `digest`. */
    incremental(kind) {
        return (0,external_node_crypto_.createHmac)('sha256', this.key).update(Buffer.from(kind, 'latin1')).update(SEPARATOR);
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
function writeWord(bytes, at, word) {
    bytes[at] = word >>> 24;
    bytes[at + 1] = (word >>> 16) & 0xff;
    bytes[at + 2] = (word >>> 8) & 0xff;
    bytes[at + 3] = word & 0xff;
}
/** One SHA-256 block of `bytes` at `at` into `state`. */
function compress(state, words, bytes, at) {
    for (let i = 0; i < 16; i += 1) {
        const j = at + i * 4;
        words[i] = (bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3];
    }
    compressWords(state, words);
}
/** One SHA-256 block whose 16 big-endian words are already in `words`. */
function compressWords(state, w) {
    for (let i = 16; i < 64; i += 1) {
        const x = w[i - 15];
        const y = w[i - 2];
        const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    let a = state[0];
    let b = state[1];
    let c = state[2];
    let d = state[3];
    let e = state[4];
    let f = state[5];
    let g = state[6];
    let h = state[7];
    for (let i = 0; i < 64; i += 1) {
        const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
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
    state[0] = (state[0] + a) | 0;
    state[1] = (state[1] + b) | 0;
    state[2] = (state[2] + c) | 0;
    state[3] = (state[3] + d) | 0;
    state[4] = (state[4] + e) | 0;
    state[5] = (state[5] + f) | 0;
    state[6] = (state[6] + g) | 0;
    state[7] = (state[7] + h) | 0;
}

;// CONCATENATED MODULE: ./src/sanitize/words.ts
/**
 * Small built-in word lists for plausible masked values. ASCII only: the
 * output fits any server encoding and any column measured in bytes or
 * characters alike.
 */
const FIRST_NAMES = [
    'Aaron',
    'Abigail',
    'Adam',
    'Adele',
    'Ahmed',
    'Aiko',
    'Alba',
    'Alex',
    'Alice',
    'Amara',
    'Amir',
    'Ana',
    'Andrea',
    'Anika',
    'Arjun',
    'Ava',
    'Ben',
    'Bianca',
    'Boris',
    'Bruno',
    'Camila',
    'Carla',
    'Carlos',
    'Chen',
    'Chloe',
    'Clara',
    'Daniel',
    'Dario',
    'David',
    'Elena',
    'Eli',
    'Emil',
    'Emma',
    'Erik',
    'Eva',
    'Fatima',
    'Felix',
    'Finn',
    'Freya',
    'Gabriel',
    'Greta',
    'Hana',
    'Hannah',
    'Hugo',
    'Ines',
    'Ivan',
    'Jack',
    'Jamal',
    'Jana',
    'Jonas',
    'Julia',
    'Kai',
    'Karim',
    'Kenji',
    'Lara',
    'Laura',
    'Leo',
    'Lena',
    'Liam',
    'Lina',
    'Luca',
    'Lucia',
    'Maja',
    'Malik',
    'Marco',
    'Maria',
    'Mateo',
    'Maya',
    'Mei',
    'Mia',
    'Milan',
    'Mina',
    'Nadia',
    'Nia',
    'Nico',
    'Noah',
    'Nora',
    'Olga',
    'Omar',
    'Oscar',
    'Paula',
    'Pedro',
    'Priya',
    'Rafael',
    'Ravi',
    'Rosa',
    'Ruth',
    'Sami',
    'Sara',
    'Sofia',
    'Sven',
    'Tara',
    'Theo',
    'Tomas',
    'Uma',
    'Vera',
    'Victor',
    'Yara',
    'Yusuf',
    'Zoe',
];
const LAST_NAMES = [
    'Abbott',
    'Adler',
    'Alvarez',
    'Andersen',
    'Arnaud',
    'Baker',
    'Bauer',
    'Becker',
    'Bennett',
    'Berg',
    'Blake',
    'Brandt',
    'Brooks',
    'Campbell',
    'Carter',
    'Castro',
    'Chang',
    'Cohen',
    'Cruz',
    'Dahl',
    'Diaz',
    'Dubois',
    'Ellis',
    'Evans',
    'Fischer',
    'Fleming',
    'Foster',
    'Fuchs',
    'Garcia',
    'Gomez',
    'Graham',
    'Gray',
    'Hahn',
    'Hansen',
    'Hart',
    'Hayes',
    'Holm',
    'Hughes',
    'Ito',
    'Jensen',
    'Kaur',
    'Keller',
    'Khan',
    'Kim',
    'Klein',
    'Koch',
    'Kowalski',
    'Lam',
    'Lang',
    'Larsen',
    'Lee',
    'Lopez',
    'Lund',
    'Marin',
    'Martin',
    'Meyer',
    'Moreau',
    'Morris',
    'Nagy',
    'Nakamura',
    'Novak',
    'Olsen',
    'Ortiz',
    'Park',
    'Patel',
    'Perez',
    'Popescu',
    'Quinn',
    'Ramos',
    'Reyes',
    'Richter',
    'Rossi',
    'Ruiz',
    'Sato',
    'Schmidt',
    'Silva',
    'Singh',
    'Sousa',
    'Stone',
    'Suzuki',
    'Tanaka',
    'Torres',
    'Varga',
    'Vogel',
    'Wagner',
    'Walsh',
    'Weber',
    'Wolf',
    'Wong',
    'Young',
];
const STREETS = [
    'Acacia',
    'Alder',
    'Ash',
    'Aspen',
    'Bay',
    'Beech',
    'Birch',
    'Bridge',
    'Brook',
    'Castle',
    'Cedar',
    'Chapel',
    'Cherry',
    'Church',
    'Cliff',
    'Elm',
    'Fern',
    'Field',
    'Forest',
    'Garden',
    'Glen',
    'Grove',
    'Harbor',
    'Hazel',
    'Heath',
    'Hill',
    'Holly',
    'Juniper',
    'Lake',
    'Laurel',
    'Linden',
    'Maple',
    'Meadow',
    'Mill',
    'Oak',
    'Orchard',
    'Park',
    'Pine',
    'Poplar',
    'Quarry',
    'River',
    'Rose',
    'Spruce',
    'Station',
    'Spring',
    'Sunset',
    'Valley',
    'Willow',
    'Windmill',
    'Yew',
];
const STREET_SUFFIXES = [
    'Street',
    'Road',
    'Avenue',
    'Lane',
    'Way',
    'Drive',
    'Court',
    'Place',
];
const CITIES = [
    'Ashford',
    'Bayview',
    'Brookfield',
    'Cedarville',
    'Clearwater',
    'Fairview',
    'Greenfield',
    'Hillcrest',
    'Kingsport',
    'Lakeside',
    'Maplewood',
    'Midvale',
    'Millbrook',
    'Northgate',
    'Oakridge',
    'Pinehurst',
    'Riverton',
    'Rockford',
    'Springdale',
    'Stonebridge',
    'Summerset',
    'Westbrook',
    'Whitehaven',
    'Woodland',
];
/** Filler for `text`: Latin-like words that carry no meaning. */
const FILLER_WORDS = [
    'lorem',
    'ipsum',
    'dolor',
    'sit',
    'amet',
    'consectetur',
    'adipiscing',
    'elit',
    'sed',
    'do',
    'eiusmod',
    'tempor',
    'incididunt',
    'ut',
    'labore',
    'et',
    'dolore',
    'magna',
    'aliqua',
    'enim',
    'ad',
    'minim',
    'veniam',
    'quis',
    'nostrud',
    'exercitation',
    'ullamco',
    'laboris',
    'nisi',
    'aliquip',
    'ex',
    'ea',
    'commodo',
    'consequat',
    'duis',
    'aute',
    'irure',
    'in',
    'reprehenderit',
    'voluptate',
    'velit',
    'esse',
    'cillum',
    'fugiat',
    'nulla',
    'pariatur',
    'excepteur',
    'sint',
    'occaecat',
    'cupidatat',
    'non',
    'proident',
    'sunt',
    'culpa',
    'qui',
    'officia',
    'deserunt',
    'mollit',
    'anim',
    'id',
    'est',
    'laborum',
];

;// CONCATENATED MODULE: ./src/sanitize/transformers.ts



/** The transformers a rule may name as a plain word. */
const SIMPLE_TRANSFORMERS = [
    'keep',
    'null',
    'email',
    'name',
    'first_name',
    'last_name',
    'phone',
    'address',
    'text',
    'hash',
];
/** The transformers that take a value: `{fixed: VALUE}`, `{date_shift: N}`, `{number_noise: P}`. */
const PARAMETERISED_TRANSFORMERS = ['fixed', 'date_shift', 'number_noise'];
function describeSpec(spec) {
    switch (spec.kind) {
        case 'fixed':
            return `fixed ${JSON.stringify(spec.value)}`;
        case 'date_shift':
            return `date_shift ±${spec.days} days`;
        case 'number_noise':
            return `number_noise ±${spec.percent}%`;
        default:
            return spec.kind;
    }
}
/** Two rules that map every value the same way (what a foreign key between their columns needs). */
function sameTransformer(a, b) {
    return describeSpec(a) === describeSpec(b);
}
/**
 * Distinct inputs stay distinct (up to a negligible chance), so a unique
 * constraint or a primary key on the column still holds after masking.
 */
function isInjective(spec) {
    return (spec.kind === 'keep' || spec.kind === 'email' || spec.kind === 'hash' || spec.kind === 'null');
}
const TEXTUAL = new Set(['text', 'any']);
const EMAIL_DOMAIN = '@example.com';
/** 64 bits of the digest in every masked email: unique with overwhelming probability. */
const EMAIL_TAG_HEX = 16;
const MIN_EMAIL_LENGTH = 1 + EMAIL_TAG_HEX + EMAIL_DOMAIN.length;
const MIN_HASH_LENGTH = 16;
const PHONE_LENGTH = '+1-200-555-0100'.length;
/** Why a transformer cannot write this column, or undefined when it can. */
function misfit(spec, shape) {
    const type = shape.typeName;
    const max = shape.maxLength;
    switch (spec.kind) {
        case 'keep':
        case 'null':
            return undefined;
        case 'fixed':
            return max !== undefined && [...spec.value].length > max
                ? `the fixed value is longer than ${type} allows`
                : undefined;
        case 'email':
            if (!TEXTUAL.has(shape.category))
                return `email writes text, and the column is ${type}`;
            return max !== undefined && max < MIN_EMAIL_LENGTH
                ? `the column is ${type}: a masked email needs at least ${MIN_EMAIL_LENGTH} characters to stay unique; use hash or fixed`
                : undefined;
        case 'hash':
            if (shape.category === 'uuid')
                return undefined;
            if (!TEXTUAL.has(shape.category))
                return `hash writes text or a uuid, and the column is ${type}`;
            return max !== undefined && max < MIN_HASH_LENGTH
                ? `the column is ${type}: a keyed hash needs at least ${MIN_HASH_LENGTH} characters`
                : undefined;
        case 'phone':
            if (!TEXTUAL.has(shape.category))
                return `phone writes text, and the column is ${type}`;
            return max !== undefined && max < PHONE_LENGTH
                ? `the column is ${type}: a phone number needs ${PHONE_LENGTH} characters`
                : undefined;
        case 'name':
        case 'first_name':
        case 'last_name':
        case 'address':
        case 'text':
            return TEXTUAL.has(shape.category)
                ? undefined
                : `${spec.kind} writes text, and the column is ${type}`;
        case 'date_shift':
            return shape.category === 'date' ||
                shape.category === 'any' ||
                (shape.loose && shape.category !== 'uuid' && shape.category !== 'other')
                ? undefined
                : `date_shift applies to dates and timestamps, and the column is ${type}`;
        case 'number_noise':
            return ['integer', 'decimal', 'float', 'any'].includes(shape.category)
                ? undefined
                : `number_noise applies to numbers, and the column is ${type}`;
    }
}
/**
 * A value the transformer cannot read (a date it cannot parse): the job
 * fails, nothing is kept. The message never quotes the value: it is the
 * personal data being hidden.
 */
class UnreadableValueError extends Error {
}
/**
 * Turns values into masked values, deterministically: every output is
 * derived from the keyed digest of the value (and the transformer's kind).
 */
class Masker {
    keyed;
    tape;
    wordStarts;
    /** The scale of the last number noiseNumber gave. */
    noisedScale = 0;
    /** The range of a column's small noised numbers, as doubles (converted once, not per value). */
    bounds = new WeakMap();
    constructor(salt) {
        this.keyed = new KeyedDigest(salt);
        ({ tape: this.tape, wordStarts: this.wordStarts } = fillerTape());
    }
    /** Facts of a value held whole in memory (all but the longest values). */
    factsOf(value, utf8 = true) {
        return new HeldValue(this.keyed, value, utf8);
    }
    /**
     * The masked value of a value held whole, as `mask` gives it; numbers as
     * COPY writes them (the bulk of number_noise's work) are read and noised
     * straight from their bytes.
     */
    maskValue(spec, shape, value, utf8 = true) {
        if (spec.kind === 'number_noise') {
            const noised = this.noiseNumber(spec.percent, shape, value, 0, value.length);
            if (noised !== undefined)
                return ascii(formatScaledNumber(noised, this.noisedScale));
        }
        return this.mask(spec, shape, this.factsOf(value, utf8));
    }
    /**
     * number_noise of a plain integer or decimal of at most 9 digits given as
     * bytes (no spaces, no exponent; not a float column), as `addNoise` gives
     * it; undefined for anything else, which takes the general way. `ppms`
     * remembers the noise of numbers already seen (written the way PostgreSQL
     * writes them, so that one number has one spelling). Gives the noised
     * number scaled by 10^noisedScale, written by formatScaledNumber.
     */
    noiseNumber(percent, shape, value, start, end, ppms) {
        if (shape.category === 'float')
            return undefined;
        let at = start;
        let negative = false;
        if (end > start && (value[start] === 0x2d || value[start] === 0x2b)) {
            negative = value[start] === 0x2d;
            at += 1;
        }
        const canonical = value[start] !== 0x2b && !(value[at] === 0x30 && at + 1 < end && value[at + 1] !== 0x2e);
        let mantissa = 0;
        let digits = 0;
        let scale = -1;
        for (; at < end; at += 1) {
            const byte = value[at];
            if (byte >= 0x30 && byte <= 0x39) {
                mantissa = mantissa * 10 + (byte - 0x30);
                digits += 1;
                if (scale >= 0)
                    scale += 1;
            }
            else if (byte === 0x2e && scale < 0 && digits > 0) {
                scale = 0;
            }
            else {
                return undefined;
            }
        }
        if (digits === 0 || digits > 9)
            return undefined;
        // One key per spelling: mantissa, scale (-1: no point) and sign, exact below 2^53.
        const key = canonical && ppms ? (mantissa * 11 + scale + 1) * 2 + (negative ? 1 : 0) : -1;
        let ppm = key >= 0 ? ppms.get(key) : undefined;
        if (ppm === undefined) {
            ppm = noisePpm(this.keyed.digest('number_noise', value.subarray(start, end)), percent);
            if (key >= 0)
                ppms.set(key, ppm);
        }
        // Number("-0") * -1 is -0 in addNoise too; both print it as 0.
        let result = smallNoise(negative ? -mantissa : mantissa, ppm);
        if (shape.integerRange || shape.precision !== undefined) {
            let bounds = this.bounds.get(shape);
            if (!bounds) {
                bounds = numberBounds(shape);
                this.bounds.set(shape, bounds);
            }
            result = Math.min(Math.max(result, bounds[0]), bounds[1]);
        }
        this.noisedScale = Math.max(scale, 0);
        return result;
    }
    /** The masked value, or null for SQL NULL. */
    mask(spec, shape, facts) {
        switch (spec.kind) {
            case 'keep':
                throw new Error('keep is never masked');
            case 'null':
                return null;
            case 'fixed':
                return Buffer.from(spec.value, 'utf8');
            case 'email':
                return ascii(this.email(facts.digest('email'), shape.maxLength));
            case 'name': {
                const d = facts.digest('name');
                return ascii(fit(`${pick(FIRST_NAMES, d, 0)} ${pick(LAST_NAMES, d, 4)}`, shape));
            }
            case 'first_name':
                return ascii(fit(pick(FIRST_NAMES, facts.digest('first_name'), 0), shape));
            case 'last_name':
                return ascii(fit(pick(LAST_NAMES, facts.digest('last_name'), 0), shape));
            case 'phone': {
                const d = facts.digest('phone');
                // NANP: 555-0100 to 555-0199 are reserved for fiction in every area code.
                let area = 200 + (d.readUInt32BE(0) % 800);
                if (area % 100 === 11)
                    area += 1;
                return ascii(`+1-${area}-555-01${String(d[4] % 100).padStart(2, '0')}`);
            }
            case 'address': {
                const d = facts.digest('address');
                const text = `${1 + (d.readUInt32BE(0) % 9999)} ${pick(STREETS, d, 4)} ${pick(STREET_SUFFIXES, d, 8)}, ${pick(CITIES, d, 12)}`;
                return ascii(fit(text, shape));
            }
            case 'text':
                return this.filler(facts.digest('text'), facts.chars, shape.maxLength);
            case 'hash': {
                const d = facts.digest('hash');
                if (shape.category === 'uuid')
                    return ascii(uuidOf(d));
                const hex = d.toString('hex');
                return ascii(shape.maxLength !== undefined ? hex.slice(0, shape.maxLength) : hex);
            }
            case 'date_shift': {
                const text = readable(facts, spec.kind);
                return ascii(shiftDateText(text, shiftDays(facts.digest('date_shift'), spec.days)));
            }
            case 'number_noise': {
                const text = readable(facts, spec.kind);
                return ascii(addNoise(text, noisePpm(facts.digest('number_noise'), spec.percent), shape));
            }
        }
    }
    email(d, max) {
        const tag = d.subarray(8, 8 + EMAIL_TAG_HEX / 2).toString('hex');
        const full = `${pick(FIRST_NAMES, d, 0)}.${pick(LAST_NAMES, d, 4)}.${tag}${EMAIL_DOMAIN}`.toLowerCase();
        if (max === undefined || full.length <= max)
            return full;
        // A narrow column still gets 64 bits or more of the digest.
        const room = Math.min(64, max - 1 - EMAIL_DOMAIN.length);
        return `u${d.toString('hex').slice(0, room)}${EMAIL_DOMAIN}`;
    }
    /** Filler words of a length in the same class as the original (1–4, 5–8, 9–16, 17–32, ...). */
    filler(d, chars, max) {
        if (chars === 0)
            return Buffer.alloc(0);
        const upper = Math.max(4, 2 ** Math.ceil(Math.log2(chars)));
        const lower = upper === 4 ? 1 : upper / 2 + 1;
        let length = lower + (d.readUInt32BE(0) % (upper - lower + 1));
        if (max !== undefined)
            length = Math.min(length, max);
        const out = Buffer.allocUnsafe(length);
        let at = this.wordStarts[d.readUInt32BE(4) % this.wordStarts.length];
        for (let written = 0; written < length;) {
            const n = Math.min(length - written, this.tape.length - at);
            this.tape.copy(out, written, at, at + n);
            written += n;
            at = 0;
        }
        out[0] = upperCase(out[0]);
        if (out[length - 1] === SPACE)
            out[length - 1] = length > 1 ? DOT : LETTER_A;
        return out;
    }
}
/** A value in memory: its digest is computed once, when a transformer first asks. */
class HeldValue {
    keyed;
    value;
    utf8;
    digested;
    digestKind = '';
    length = -1;
    constructor(keyed, value, utf8) {
        this.keyed = keyed;
        this.value = value;
        this.utf8 = utf8;
    }
    get chars() {
        if (this.length < 0)
            this.length = this.utf8 ? utf8Length(this.value) : this.value.length;
        return this.length;
    }
    digest(kind) {
        if (!this.digested || this.digestKind !== kind) {
            this.digested = this.keyed.digest(kind, this.value);
            this.digestKind = kind;
        }
        return this.digested;
    }
    text() {
        return this.value.toString(this.utf8 ? 'utf8' : 'latin1');
    }
}
const SPACE = 0x20;
const DOT = 0x2e;
const LETTER_A = 0x61;
function upperCase(byte) {
    return byte >= 0x61 && byte <= 0x7a ? byte - 0x20 : byte === SPACE ? 0x41 : byte;
}
/**
 * 4 KiB of filler words (a fixed sequence), and where each word starts.
 * Small on purpose: masked texts are slices of it, so they compress about as
 * well as the repetitive texts they replace (gzip's window is 32 KiB).
 */
function fillerTape() {
    const words = [];
    let state = 0x2545f491;
    let length = 0;
    const starts = [];
    while (length < 4 * 1024) {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        const word = FILLER_WORDS[(state >>> 8) % FILLER_WORDS.length];
        starts.push(length);
        words.push(word);
        length += word.length + 1;
    }
    return {
        tape: Buffer.from(`${words.join(' ')} `, 'latin1'),
        wordStarts: Uint32Array.from(starts),
    };
}
function pick(list, d, offset) {
    return list[d.readUInt32BE(offset) % list.length];
}
function ascii(text) {
    return Buffer.from(text, 'latin1');
}
function fit(text, shape) {
    return shape.maxLength !== undefined && text.length > shape.maxLength
        ? text.slice(0, shape.maxLength)
        : text;
}
function uuidOf(d) {
    const b = Buffer.from(d.subarray(0, 16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = b.toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
/** Characters in UTF-8 bytes: ASCII (most values) is checked natively, the rest counted by lead bytes. */
function utf8Length(value) {
    if ((0,external_node_buffer_.isAscii)(value))
        return value.length;
    let count = 0;
    for (let i = 0; i < value.length; i += 1)
        if ((value[i] & 0xc0) !== 0x80)
            count += 1;
    return count;
}
function readable(facts, kind) {
    const text = facts.text();
    if (text === undefined)
        throw new UnreadableValueError(`a value too long for ${kind}`);
    return text;
}
/** 1 to N days, earlier or later: never 0, so no date comes out as it went in. */
function shiftDays(d, days) {
    const magnitude = 1 + (d.readUInt32BE(0) % days);
    return d[4] & 1 ? -magnitude : magnitude;
}
/** Parts per million, between -percent% and +percent%. */
function noisePpm(d, percent) {
    const unit = d.readUInt32BE(0) / 0x1_0000_0000;
    return Math.round((unit * 2 - 1) * percent * 10_000);
}
const DATE_TEXT = /^(\d{4,})-(\d{2})-(\d{2})(.*)$/s;
/**
 * Shifts the calendar date of an ISO date or timestamp text by whole days,
 * keeping the time of day, the fraction and any UTC offset as written
 * (PostgreSQL's ISO output, and SQLite's usual `YYYY-MM-DD HH:MM:SS` or
 * `…T…Z` texts). `infinity` stays as it is; BC dates are handled.
 */
function shiftDateText(text, days) {
    if (text === 'infinity' || text === '-infinity')
        return text;
    const match = DATE_TEXT.exec(text);
    if (!match)
        throw new UnreadableValueError('a value that is not an ISO date or timestamp');
    const [, year, month, day, rest = ''] = match;
    const bc = rest.endsWith(' BC');
    const astronomical = bc ? 1 - Number(year) : Number(year);
    const date = new Date(0);
    date.setUTCFullYear(astronomical, Number(month) - 1, Number(day) + days);
    if (Number.isNaN(date.getTime()))
        throw new UnreadableValueError('a date out of range');
    const shifted = date.getUTCFullYear();
    const outYear = shifted <= 0 ? 1 - shifted : shifted;
    const tail = bc ? rest.slice(0, -3) : rest;
    return (`${String(outYear).padStart(4, '0')}-${String(date.getUTCMonth() + 1).padStart(2, '0')}-` +
        `${String(date.getUTCDate()).padStart(2, '0')}${tail}${shifted <= 0 ? ' BC' : ''}`);
}
const DECIMAL_TEXT = /^([-+]?)(\d+)(?:\.(\d*))?$/;
/**
 * Multiplies a number given as text by (1 + ppm/10^6), exactly for integers
 * and decimals (their scale kept, rounded half away from zero), and within
 * the column's range (integers) or precision (numeric(p, s)).
 */
function addNoise(text, ppm, shape) {
    const match = DECIMAL_TEXT.exec(text.trim());
    if (!match || shape.category === 'float') {
        if (/^[-+]?(NaN|Infinity|inf)/i.test(text.trim()))
            return text;
        const value = Number(text);
        if (!Number.isFinite(value))
            throw new UnreadableValueError('a value that is not a number');
        return String(value * (1 + ppm / 1_000_000));
    }
    const [, sign, whole = '', fraction = ''] = match;
    const scale = fraction.length;
    if (whole.length + scale <= 9) {
        // Small numbers (nearly all of them): the same arithmetic in doubles, exact below 2^53.
        let result = smallNoise(Number(`${whole}${fraction}`) * (sign === '-' ? -1 : 1), ppm);
        if (shape.integerRange) {
            const [min, max] = shape.integerRange;
            result = Math.min(Math.max(result, Number(min)), Number(max));
        }
        if (shape.precision !== undefined) {
            const limit = 10 ** shape.precision - 1;
            result = Math.min(Math.max(result, -limit), limit);
        }
        return formatScaledNumber(result, scale);
    }
    const mantissa = BigInt(`${whole}${fraction}`) * (sign === '-' ? -1n : 1n);
    const product = mantissa * BigInt(1_000_000 + ppm);
    let result = divideRounded(product, 1000000n);
    if (shape.integerRange) {
        const [min, max] = shape.integerRange;
        result = result < min ? min : result > max ? max : result;
    }
    if (shape.precision !== undefined) {
        const limit = 10n ** BigInt(shape.precision) - 1n;
        result = result > limit ? limit : result < -limit ? -limit : result;
    }
    return formatScaled(result, scale);
}
/** The integer range, then the precision, of `addNoise`'s small case, folded into one range. */
function numberBounds(shape) {
    let low = -Infinity;
    let high = Infinity;
    if (shape.integerRange) {
        low = Number(shape.integerRange[0]);
        high = Number(shape.integerRange[1]);
    }
    if (shape.precision !== undefined) {
        const limit = 10 ** shape.precision - 1;
        low = Math.max(low, -limit);
        high = Math.min(high, limit);
    }
    return [low, high];
}
/** mantissa × (10^6 + ppm) / 10^6, rounded half away from zero; exact for |mantissa| < 10^9. */
function smallNoise(mantissa, ppm) {
    const product = mantissa * (1_000_000 + ppm);
    const quotient = Math.trunc(product / 1_000_000);
    const remainder = product - quotient * 1_000_000;
    if (remainder * 2 >= 1_000_000)
        return quotient + 1;
    if (remainder * 2 <= -1_000_000)
        return quotient - 1;
    return quotient;
}
function divideRounded(value, by) {
    const quotient = value / by;
    const remainder = value % by;
    if (remainder * 2n >= by)
        return quotient + 1n;
    if (remainder * 2n <= -by)
        return quotient - 1n;
    return quotient;
}
function formatScaledNumber(value, scale) {
    if (scale === 0)
        return String(value);
    const digits = String(Math.abs(value)).padStart(scale + 1, '0');
    return `${value < 0 ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}
function formatScaled(value, scale) {
    const negative = value < 0n;
    const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
    const body = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
    return negative ? `-${body}` : body;
}

;// CONCATENATED MODULE: ./src/sanitize/copy-sanitizer.ts







const copy_sanitizer_NEWLINE = 0x0a;
const TAB = 0x09;
const copy_sanitizer_BACKSLASH = 0x5c;
const copy_sanitizer_DOT = 0x2e;
const LETTER_N = 0x4e;
const EMPTY = Buffer.alloc(0);
const END_LINE = Buffer.from('\\.\n', 'latin1');
const COPY_PREFIX = Buffer.from('COPY ', 'latin1');
/**
 * pg_dump 18 can write optimizer statistics, whose most-common-value lists
 * are samples of the data itself: a sanitized dump leaves them out (a
 * restored database gathers its own with ANALYZE).
 */
const STATISTICS_PREFIX = Buffer.from('SELECT * FROM pg_catalog.pg_restore_', 'latin1');
/** Longer than any COPY header pg_dump writes (1600 columns of 63-byte quoted names). */
const HEADER_LIMIT = 4 * 1024 * 1024;
/** A masked value is held whole while it is read; larger ones need null or fixed. */
const VALUE_LIMIT = 64 * 1024 * 1024;
/** Stands for a field longer than `\N` under null and fixed, whose output ignores the value. */
const NOT_NULL_STAND_IN = Buffer.from('---', 'latin1');
/** Longer fields are not cached: their keys cost more than they save, and few repeat. */
const CACHEABLE = 256;
/** Pieces up to this long are copied byte by byte: cheaper than a call into native code. */
const SMALL_COPY = 48;
const ANY_COPY_HEADER = /^COPY .* FROM stdin;$/s;
/**
 * Rewrites the COPY blocks of a plain pg_dump stream as it flows: rows of
 * truncated tables are dropped (the table, its sequences and constraints
 * stay), named columns are decoded, masked and re-encoded, and every other
 * byte passes through unchanged. Memory is bounded by one masked value and
 * one COPY header, whatever the size of the dump.
 */
class CopySanitizer extends external_node_stream_.Transform {
    plan;
    masker;
    mode = 'sql';
    /** SQL mode: the start of the current line, kept while it may be a COPY header or a statistics call. */
    pendingLine;
    pendingLength = 0;
    /** SQL mode: the current line is neither, and passes through to its end. */
    passLine = false;
    atLineStart = true;
    /** SQL mode: whether the text so far ends inside a literal, a quoted name or a body. */
    quotes = new SqlQuotes();
    /** Statistics mode: inside a quoted literal. */
    quoted = false;
    statisticsEnded = false;
    copy;
    /** Copy mode: the field of the current row, and the first bytes of the row. */
    field = 0;
    rowStart = [];
    rowLength = 0;
    /** The masked field being read, when it began in an earlier chunk: its raw (escaped) pieces. */
    value = [];
    valueLength = 0;
    /** Rows of the current COPY block so far. */
    blockRows = 0;
    /** Masked values by raw field, per column of the current COPY block (dropped when it ends). */
    caches = [];
    /** The last value masked per field of the current COPY block. */
    lastValues = [];
    /** number_noise fields of the current COPY block: the noise of numbers seen. */
    numberCaches = [];
    cacheBudget = { entries: 0, bytes: 0 };
    /** The output of the chunk being transformed: written in place, handed on whole. */
    output = EMPTY;
    written = 0;
    /** Scratch for the digits of a noised number. */
    digits = new Uint8Array(32);
    /** Statistics statements left out of the dump. */
    droppedStatistics = 0;
    /** Rows written per masked or truncated table. */
    rows = new Map();
    constructor(plan, masker) {
        super();
        this.plan = plan;
        this.masker = masker;
    }
    _transform(chunk, _encoding, callback) {
        // Masked texts may be longer than the originals (up to their length class); the buffer grows if need be.
        this.output = Buffer.allocUnsafe(chunk.length + (chunk.length >> 3) + 256);
        this.written = 0;
        try {
            let at = 0;
            while (at < chunk.length) {
                if (this.mode === 'sql')
                    at = this.sql(chunk, at);
                else if (this.mode === 'statistics')
                    at = this.statistics(chunk, at);
                else if (this.copy?.plan && !this.copy.plan.truncate)
                    at = this.maskedRows(chunk, at);
                else
                    at = this.plainRows(chunk, at);
            }
        }
        catch (error) {
            this.output = EMPTY;
            callback(describe(error, this.copy));
            return;
        }
        const output = this.output.subarray(0, this.written);
        this.output = EMPTY;
        if (output.length > 0)
            callback(null, output);
        else
            callback();
    }
    /** Appends `source[from, to)` to the chunk's output. */
    put(source, from, to) {
        const length = to - from;
        if (length <= 0)
            return;
        if (this.written + length > this.output.length)
            this.grow(length);
        const output = this.output;
        let at = this.written;
        if (length <= SMALL_COPY) {
            for (let i = from; i < to; i += 1)
                output[at++] = source[i];
        }
        else {
            source.copy(output, at, from, to);
            at += length;
        }
        this.written = at;
    }
    /** Appends a latin1 string (a cached masked value). */
    putText(text) {
        const length = text.length;
        if (this.written + length > this.output.length)
            this.grow(length);
        if (length <= SMALL_COPY) {
            const output = this.output;
            let at = this.written;
            for (let i = 0; i < length; i += 1)
                output[at++] = text.charCodeAt(i);
            this.written = at;
        }
        else {
            this.written += this.output.write(text, this.written, 'latin1');
        }
    }
    putAll(source) {
        this.put(source, 0, source.length);
    }
    grow(needed) {
        const grown = Buffer.allocUnsafe(Math.max(this.output.length * 2, this.written + needed + 256));
        this.output.copy(grown, 0, 0, this.written);
        this.output = grown;
    }
    _flush(callback) {
        const out = [];
        if (this.pendingLine)
            out.push(...this.pendingLine);
        if (this.value.length > 0)
            out.push(...this.value);
        callback(null, Buffer.concat(out));
    }
    /** Outside COPY data: SQL passes, lines are watched for COPY headers and statistics calls. */
    sql(chunk, from) {
        const newline = chunk.indexOf(copy_sanitizer_NEWLINE, from);
        const end = newline === -1 ? chunk.length : newline + 1;
        if (this.atLineStart) {
            this.atLineStart = false;
            const first = chunk[from];
            // A line that starts inside a literal or a body is text, whatever it says.
            this.passLine =
                this.quotes.inside || (first !== COPY_PREFIX[0] && first !== STATISTICS_PREFIX[0]);
            this.pendingLine = this.passLine ? undefined : [];
            this.pendingLength = 0;
        }
        if (newline !== -1)
            this.atLineStart = true;
        if (this.passLine) {
            this.quotes.feed(chunk, from, end);
            this.put(chunk, from, end);
            return end;
        }
        this.pendingLine.push(chunk.subarray(from, end));
        this.pendingLength += end - from;
        const head = Buffer.concat(this.pendingLine);
        this.pendingLine = [head];
        if (startsWith(head, STATISTICS_PREFIX)) {
            this.pendingLine = undefined;
            this.mode = 'statistics';
            this.quoted = false;
            this.statisticsEnded = false;
            this.atLineStart = false;
            this.droppedStatistics += 1;
            this.statistics(head, 0);
            return end;
        }
        if (newline !== -1) {
            this.pendingLine = undefined;
            this.copyHeader(head);
            return end;
        }
        const stillPossible = (startsWith(head, COPY_PREFIX) && this.pendingLength <= HEADER_LIMIT) ||
            isPrefixOf(head, COPY_PREFIX) ||
            isPrefixOf(head, STATISTICS_PREFIX);
        if (!stillPossible) {
            this.quotes.feed(head, 0, head.length);
            this.putAll(head);
            this.pendingLine = undefined;
            this.passLine = true;
        }
        return end;
    }
    /** A whole SQL line: a COPY header switches to its data. */
    copyHeader(line) {
        this.putAll(line);
        const statement = line.subarray(0, line.length - 1);
        const parsed = (0,dump_tables/* parseCopyFromStdin */.$)(statement);
        if (typeof parsed !== 'object') {
            if (parsed === undefined && ANY_COPY_HEADER.test(statement.toString('utf8')))
                // Whose rows follow cannot be told, so neither can whether they must be masked.
                throw new errors/* JobFailure */.y3(`pg_dump wrote a COPY statement this tool cannot read (${statement.toString('utf8').slice(0, 120)}): nothing was kept.`);
            this.quotes.feed(line, 0, line.length);
            return;
        }
        // Tables and columns as manifests and rules name them: unquoted, the schema first.
        const table = `${parsed.schema.toString('utf8')}.${parsed.name.toString('utf8')}`;
        const plan = this.plan.tables.get(table);
        const columns = parsed.columns.map((column) => column.toString('utf8'));
        if (plan) {
            for (const column of plan.columns.keys()) {
                if (!columns.includes(column))
                    throw new errors/* JobFailure */.y3(`pg_dump's COPY of ${table} has no column ${column}, which the rules mask (was the table altered during the backup?): nothing was kept.`);
            }
        }
        const fields = columns.map((column) => plan?.columns.get(column));
        this.copy = {
            table,
            plan,
            fields,
            lastMasked: fields.reduce((last, field, index) => (field ? index : last), -1),
        };
        const cached = (field) => field !== undefined && field.spec.kind !== 'null' && field.spec.kind !== 'fixed';
        this.caches = fields.map((field) => cached(field) && field.spec.kind !== 'number_noise'
            ? new MaskCache(this.cacheBudget)
            : undefined);
        this.numberCaches = fields.map((field) => field?.spec.kind === 'number_noise' ? new NumberCache() : undefined);
        this.lastValues = fields.map((field) => (cached(field) ? new LastValue(CACHEABLE) : undefined));
        this.mode = 'copy';
        this.field = 0;
        this.rowStart = [];
        this.rowLength = 0;
        this.blockRows = 0;
    }
    /** Drops a statistics call: up to the semicolon outside quotes, and the rest of that line. */
    statistics(chunk, from) {
        for (let i = from; i < chunk.length; i += 1) {
            const byte = chunk[i];
            if (this.statisticsEnded) {
                if (byte === copy_sanitizer_NEWLINE) {
                    this.endStatistics();
                    return i + 1;
                }
            }
            else if (byte === 0x27)
                this.quoted = !this.quoted;
            else if (byte === 0x3b && !this.quoted)
                this.statisticsEnded = true;
        }
        return chunk.length;
    }
    endStatistics() {
        this.mode = 'sql';
        this.atLineStart = true;
    }
    /** Rows of a table without rules pass whole (or, truncated, not at all) until `\.`. */
    plainRows(chunk, from) {
        const truncate = this.copy?.plan?.truncate ?? false;
        let at = from;
        const passFrom = from;
        while (at < chunk.length) {
            // Only a row's first bytes matter here: `\.` alone ends the block.
            if (chunk[at] === copy_sanitizer_NEWLINE) {
                if (this.isEndMarker()) {
                    if (!truncate)
                        this.put(chunk, passFrom, at + 1);
                    else
                        this.put(END_LINE, 0, END_LINE.length);
                    this.endCopy();
                    return at + 1;
                }
                this.countRow();
                this.rowStart = [];
                this.rowLength = 0;
                at += 1;
                continue;
            }
            if (this.rowLength < 2) {
                this.rowStart.push(chunk[at]);
                this.rowLength += 1;
                at += 1;
                continue;
            }
            const newline = chunk.indexOf(copy_sanitizer_NEWLINE, at);
            if (newline === -1) {
                this.rowLength += chunk.length - at;
                at = chunk.length;
                break;
            }
            this.rowLength += newline - at;
            at = newline;
        }
        if (!truncate)
            this.put(chunk, passFrom, at);
        return at;
    }
    /**
     * Rows with masked columns: field by field, masked fields decoded, masked
     * and re-encoded; the bytes between them are copied in runs.
     */
    maskedRows(chunk, from) {
        const copy = this.copy;
        const fields = copy.fields;
        const lastField = fields.length - 1;
        const length = chunk.length;
        let at = from;
        /** Where the bytes not yet copied start. */
        let run = from;
        while (at < length) {
            const field = this.field;
            const masked = fields[field];
            // Past the last masked field the rest of the row passes in one piece.
            const delimiter = field > copy.lastMasked || field >= lastField
                ? chunk.indexOf(copy_sanitizer_NEWLINE, at)
                : nextDelimiter(chunk, at);
            const end = delimiter === -1 ? length : delimiter;
            if (field === 0)
                this.noteRowStart(chunk, at, end);
            if (delimiter === -1) {
                if (masked) {
                    this.put(chunk, run, at);
                    this.keepValue(chunk.subarray(at, end));
                    run = end;
                }
                break;
            }
            const atNewline = chunk[delimiter] === copy_sanitizer_NEWLINE;
            if (field === 0 && atNewline && this.isEndMarker()) {
                if (masked) {
                    // The marker's first byte may have come in the previous chunk, held as a value.
                    this.put(chunk, run, at);
                    this.value = [];
                    this.valueLength = 0;
                    this.putAll(END_LINE);
                }
                else {
                    this.put(chunk, run, delimiter + 1);
                }
                this.endCopy();
                return delimiter + 1;
            }
            if (masked) {
                this.put(chunk, run, at);
                if (this.valueLength > 0) {
                    this.keepValue(chunk.subarray(at, end));
                    const raw = Buffer.concat(this.value);
                    this.value = [];
                    this.valueLength = 0;
                    this.maskField(masked, field, raw, 0, raw.length);
                }
                else {
                    this.maskField(masked, field, chunk, at, end);
                }
                run = end;
            }
            if (atNewline) {
                if (field < lastField && field <= copy.lastMasked)
                    throw new errors/* JobFailure */.y3(`a row of ${copy.table} in pg_dump's output has fewer fields than its COPY header: nothing was kept.`);
                this.blockRows += 1;
                this.field = 0;
                this.rowLength = 0;
                this.rowStart.length = 0;
            }
            else {
                this.field = field + 1;
            }
            at = delimiter + 1;
        }
        this.put(chunk, run, length);
        return length;
    }
    /** The first bytes of a row's first field (only `\.` alone ends the block). */
    noteRowStart(chunk, from, end) {
        for (let i = from; i < end && this.rowLength < 3; i += 1) {
            this.rowStart.push(chunk[i]);
            this.rowLength += 1;
        }
    }
    isEndMarker() {
        return this.rowLength === 2 && this.rowStart[0] === copy_sanitizer_BACKSLASH && this.rowStart[1] === copy_sanitizer_DOT;
    }
    keepValue(piece) {
        if (piece.length === 0)
            return;
        this.valueLength += piece.length;
        const kind = this.copy?.fields[this.field]?.spec.kind;
        if (kind === 'null' || kind === 'fixed') {
            // The output depends only on whether the field is NULL (\N, two bytes):
            // a longer value, however large, is not held, only stood in for.
            if (this.valueLength > 2)
                this.value = [NOT_NULL_STAND_IN];
            else
                this.value.push(Buffer.from(piece));
            return;
        }
        if (this.valueLength > VALUE_LIMIT) {
            throw new errors/* JobFailure */.y3(`a value of ${this.copy?.table} is larger than ${VALUE_LIMIT / 1024 / 1024} MiB, more than masking holds at once: mask that column with null or fixed.`);
        }
        // A piece of the chunk: copied, so the chunk itself is not held on to.
        this.value.push(Buffer.from(piece));
    }
    /** Writes the masked form of one raw (escaped) field, `source[start, end)`. */
    maskField(column, field, source, start, end) {
        const length = end - start;
        if (length === 2 && source[start] === copy_sanitizer_BACKSLASH && source[start + 1] === LETTER_N) {
            this.put(source, start, end);
            return;
        }
        const last = length <= CACHEABLE ? this.lastValues[field] : undefined;
        const same = last?.get(source, start, end);
        if (same !== undefined) {
            this.putAll(same);
            return;
        }
        const spec = column.spec;
        if (spec.kind === 'number_noise') {
            // Digits, a sign and a point need no COPY escaping either way.
            const noised = this.masker.noiseNumber(spec.percent, column.column, source, start, end, this.numberCaches[field]);
            if (noised !== undefined) {
                this.putScaled(noised, this.masker.noisedScale);
                return;
            }
        }
        const raw = source.subarray(start, end);
        const cache = last ? this.caches[field] : undefined;
        let key;
        if (cache && !cache.disabled) {
            key = raw.toString('latin1');
            const cached = cache.get(key);
            if (cached !== undefined) {
                this.putText(cached);
                return;
            }
        }
        const output = this.masker.maskValue(column.spec, column.column, decodeCopyField(raw), this.plan.utf8);
        // Generated values are plain ASCII without tabs, newlines or backslashes: only a fixed value needs escaping.
        const masked = column.spec.kind === 'fixed' ? encodeCopyField(output) : (output ?? NULL_FIELD);
        if (key !== undefined)
            cache.set(key, masked.toString('latin1'));
        last?.set(source, start, end, masked);
        this.putAll(masked);
    }
    /** An integer scaled down by 10^scale, written as formatScaledNumber writes it (without a string). */
    putScaled(value, scale) {
        if (this.written + 24 + scale > this.output.length)
            this.grow(24 + scale);
        const digits = this.digits;
        let count = 0;
        let rest = Math.abs(value);
        do {
            digits[count++] = 0x30 + (rest % 10);
            rest = Math.floor(rest / 10);
        } while (rest > 0);
        if (scale > 0)
            while (count < scale + 1)
                digits[count++] = 0x30;
        const output = this.output;
        let at = this.written;
        if (value < 0)
            output[at++] = 0x2d;
        for (let i = count - 1; i >= 0; i -= 1) {
            if (i === scale - 1)
                output[at++] = copy_sanitizer_DOT;
            output[at++] = digits[i];
        }
        this.written = at;
    }
    countRow() {
        this.blockRows += 1;
    }
    endCopy() {
        const copy = this.copy;
        if (copy?.plan && !copy.plan.truncate)
            this.rows.set(copy.table, (this.rows.get(copy.table) ?? 0) + this.blockRows);
        else if (copy?.plan)
            this.rows.set(copy.table, this.rows.get(copy.table) ?? 0);
        for (const cache of this.caches)
            cache?.clear();
        this.caches = [];
        this.lastValues = [];
        this.numberCaches = [];
        this.blockRows = 0;
        this.copy = undefined;
        this.mode = 'sql';
        this.atLineStart = true;
        this.field = 0;
        this.rowStart = [];
        this.rowLength = 0;
    }
}
/** The next tab or newline; the newline is looked for only up to the tab, never across a long row. */
function nextDelimiter(chunk, from) {
    // Most fields are short: looked at byte by byte before a native search is worth its call.
    const near = Math.min(chunk.length, from + SMALL_COPY);
    for (let i = from; i < near; i += 1) {
        const byte = chunk[i];
        if (byte === TAB || byte === copy_sanitizer_NEWLINE)
            return i;
    }
    if (near === chunk.length)
        return -1;
    from = near;
    const tab = chunk.indexOf(TAB, from);
    if (tab === -1)
        return chunk.indexOf(copy_sanitizer_NEWLINE, from);
    const newline = chunk.subarray(from, tab).indexOf(copy_sanitizer_NEWLINE);
    return newline === -1 ? tab : from + newline;
}
/** `head` is the beginning of `prefix` (shorter than it). */
function isPrefixOf(head, prefix) {
    return head.length < prefix.length && prefix.subarray(0, head.length).equals(head);
}
function startsWith(buffer, prefix) {
    return buffer.length >= prefix.length && buffer.subarray(0, prefix.length).equals(prefix);
}
function describe(error, copy) {
    if (error instanceof UnreadableValueError) {
        return new errors/* JobFailure */.y3(`Sanitizing ${copy?.table ?? 'the dump'} met ${error.message}: nothing was kept; fix the rule or the data.`);
    }
    return error;
}

;// CONCATENATED MODULE: ./src/sanitize/personal-columns.ts
/**
 * Whole words of a column name that say it holds personal data or a secret.
 * Matched against the name's words (`last_sign_in_ip` → last, sign, in, ip;
 * `billingAddress` → billing, address), so `zip` matches `zip` but not
 * `zipped`.
 */
const PERSONAL_WORDS = new Set([
    'email',
    'emails',
    'mail',
    'e-mail',
    'phone',
    'phones',
    'mobile',
    'cell',
    'fax',
    'telephone',
    'tel',
    'name',
    'names',
    'firstname',
    'lastname',
    'fullname',
    'surname',
    'forename',
    'middlename',
    'givenname',
    'familyname',
    'nickname',
    'username',
    'login',
    'address',
    'addr',
    'street',
    'city',
    'zip',
    'zipcode',
    'postcode',
    'postal',
    'postalcode',
    'birth',
    'birthday',
    'birthdate',
    'dob',
    'ip',
    'ipaddress',
    'ipaddr',
    'token',
    'tokens',
    'secret',
    'password',
    'passwd',
    'pwd',
    'passphrase',
    'otp',
    'apikey',
    'iban',
    'bic',
    'card',
    'cardnumber',
    'ccnumber',
    'cvv',
    'ssn',
    'tax',
    'taxid',
    'vat',
    'salary',
    'income',
    'passport',
    'license',
    'licence',
    'nationalid',
]);
/** Longer words found inside a one-word name (`emailaddress`, `userpassword`). */
const PERSONAL_PARTS = [
    'email',
    'phone',
    'password',
    'passwd',
    'birth',
    'street',
    'address',
    'postcode',
    'zipcode',
    'salary',
    'passport',
    'secret',
];
/** Words that make a matching name not personal: counts, flags, timestamps of events. */
const NEUTRAL_WORDS = new Set([
    'count',
    'enabled',
    'verified',
    'confirmed',
    'type',
    'kind',
    'format',
    'status',
    'version',
    'length',
]);
function nameWords(column) {
    return column
        .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter(Boolean);
}
/** Whether a column's name says it likely holds personal data or a secret (a warning, never a guess at values). */
function looksPersonal(column) {
    if (column.generated)
        return false;
    const words = nameWords(column.name);
    if (words.some((word) => NEUTRAL_WORDS.has(word)))
        return false;
    if (/^bool/i.test(column.typeName))
        return false;
    // A key that points at a personal row (address_id) is not itself personal.
    if (words.at(-1) === 'id' && (column.category === 'integer' || column.category === 'uuid'))
        return false;
    // An event time (password_changed_at) is not personal; a birth date is.
    if (column.category === 'date' &&
        !words.some((w) => ['birth', 'birthday', 'birthdate', 'dob'].includes(w)))
        return false;
    const joined = words.join('');
    return (words.some((word) => PERSONAL_WORDS.has(word)) ||
        PERSONAL_WORDS.has(joined) ||
        PERSONAL_PARTS.some((part) => joined.includes(part)));
}

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/domain/edit-distance.ts
var edit_distance = __webpack_require__(18668);
;// CONCATENATED MODULE: ./src/sanitize/rules.ts






/**
 * Problems found in the rules, one line each (file, table, column, what is
 * wrong): refused before anything is dumped or written.
 */
class RulesError extends errors/* UserError */.yo {
    source;
    problems;
    constructor(source, problems) {
        super(`${source} has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}; nothing was backed up:\n${problems.map((p) => `  ${p}`).join('\n')}`);
        this.source = source;
        this.problems = problems;
    }
}
/** Reads a YAML or JSON rules file (JSON is YAML too) and checks its shape. */
async function loadRules(file) {
    let bytes;
    try {
        bytes = await (0,promises_.readFile)(file);
    }
    catch (error) {
        throw new errors/* UserError */.yo(`sanitize: cannot read the rules file ${file} (${error.code ?? error.message}).`);
    }
    return parseRules(bytes, external_node_path_default().basename(file));
}
async function parseRules(bytes, source) {
    const { parseDocument } = await __webpack_require__.e(/* import() */ 815).then(__webpack_require__.t.bind(__webpack_require__, 38815, 19));
    const document = parseDocument(bytes.toString('utf8'), { uniqueKeys: true });
    if (document.errors.length > 0) {
        throw new RulesError(source, document.errors.map((error) => {
            const line = error.linePos?.[0].line;
            const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
            return `${source}${line ? ` line ${line}` : ''}: ${message}`;
        }));
    }
    const problems = [];
    const tables = readRules(document.toJS(), source, problems);
    if (problems.length > 0)
        throw new RulesError(source, problems);
    return { source, sha256: (0,external_node_crypto_.createHash)('sha256').update(bytes).digest('hex'), tables };
}
function isObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function readRules(data, source, problems) {
    if (!isObject(data)) {
        problems.push(`${source}: the file must hold a mapping with a "tables" key`);
        return [];
    }
    for (const key of Object.keys(data)) {
        if (!['tables', 'version', '$schema'].includes(key))
            problems.push(`${source}: unknown key "${key}" (the file holds "tables", and optionally "version: 1")`);
    }
    if (data.version !== undefined && data.version !== 1)
        problems.push(`${source}: version must be 1 (got ${JSON.stringify(data.version)})`);
    if (!isObject(data.tables)) {
        problems.push(`${source}: "tables" must be a mapping of table names to rules`);
        return [];
    }
    const tables = [];
    for (const [name, rule] of Object.entries(data.tables)) {
        const where = `${source}: table ${name}`;
        if (name === MERGE_KEY) {
            problems.push(`${source}: ${MERGE_KEY_PROBLEM}`);
            continue;
        }
        if (!name.trim()) {
            problems.push(`${source}: a table with an empty name`);
            continue;
        }
        if (!isObject(rule)) {
            problems.push(`${where}: must be a mapping with "rows" and/or "columns"`);
            continue;
        }
        for (const key of Object.keys(rule)) {
            if (key !== 'rows' && key !== 'columns')
                problems.push(`${where}: unknown key "${key}" (use rows and columns)`);
        }
        const rows = rule.rows ?? 'keep';
        if (rows !== 'keep' && rows !== 'truncate')
            problems.push(`${where}: rows must be keep or truncate (got ${JSON.stringify(rows)})`);
        const columns = new Map();
        if (rule.columns !== undefined && !isObject(rule.columns)) {
            problems.push(`${where}: columns must be a mapping of column names to transformers`);
        }
        else {
            for (const [column, value] of Object.entries(rule.columns ?? {})) {
                if (column === MERGE_KEY) {
                    problems.push(`${where}: ${MERGE_KEY_PROBLEM}`);
                    continue;
                }
                const spec = readTransformer(value, `${where}, column ${column}`, problems);
                if (spec)
                    columns.set(column, spec);
            }
        }
        if (rows === 'truncate' && rule.columns !== undefined)
            problems.push(`${where}: rows: truncate keeps no rows, so its columns need no rules; remove them`);
        if (rule.rows === undefined && rule.columns === undefined)
            problems.push(`${where}: says nothing; give rows: truncate or columns`);
        tables.push({ name, rows: rows === 'truncate' ? 'truncate' : 'keep', columns });
    }
    return tables;
}
/**
 * YAML 1.2 has no merge keys: `<<: *alias` is read as a column (or table)
 * named "<<", which would otherwise be reported as a puzzling unknown transformer.
 */
const MERGE_KEY = '<<';
const MERGE_KEY_PROBLEM = 'YAML merge keys (<<) are not read; name each column (an alias of a whole columns mapping, columns: *name, works)';
const ALL_NAMES = [...SIMPLE_TRANSFORMERS, ...PARAMETERISED_TRANSFORMERS];
function readTransformer(value, where, problems) {
    // YAML reads a bare `null` as no value at all: that is the null transformer too.
    if (value === null)
        return { kind: 'null' };
    if (typeof value === 'string') {
        const found = SIMPLE_TRANSFORMERS.find((name) => name === value);
        if (found)
            return { kind: found };
        if (PARAMETERISED_TRANSFORMERS.includes(value)) {
            problems.push(`${where}: ${value} needs a value, as {${value}: ${EXAMPLE[value]}}`);
            return undefined;
        }
        problems.push(`${where}: unknown transformer "${value}"${suggestion(value)}`);
        return undefined;
    }
    if (isObject(value)) {
        const keys = Object.keys(value);
        const [key] = keys;
        if (keys.length !== 1 || key === undefined) {
            problems.push(`${where}: a transformer with a value has exactly one key (${PARAMETERISED_TRANSFORMERS.join(', ')})`);
            return undefined;
        }
        const parameter = value[key];
        switch (key) {
            case 'fixed':
                if (typeof parameter === 'string' ||
                    typeof parameter === 'number' ||
                    typeof parameter === 'boolean')
                    return { kind: 'fixed', value: String(parameter) };
                problems.push(`${where}: fixed takes a string, number or boolean${parameter === null ? ' (for NULL use the null transformer)' : ''}`);
                return undefined;
            case 'date_shift': {
                const days = amount(parameter, /^(?:±|\+-|\+\/-)?\s*(\d+)\s*(?:days?|d)?$/i);
                if (days !== undefined && Number.isInteger(days) && days >= 1 && days <= 36_500)
                    return { kind: 'date_shift', days };
                problems.push(`${where}: date_shift takes a whole number of days from 1 to 36500, as {date_shift: 30} (got ${JSON.stringify(parameter)})`);
                return undefined;
            }
            case 'number_noise': {
                const percent = amount(parameter, /^(?:±|\+-|\+\/-)?\s*(\d+(?:\.\d+)?)\s*%?$/);
                if (percent !== undefined && percent > 0 && percent <= 100)
                    return { kind: 'number_noise', percent };
                problems.push(`${where}: number_noise takes a percentage above 0 and up to 100, as {number_noise: 10} (got ${JSON.stringify(parameter)})`);
                return undefined;
            }
            default:
                problems.push(`${where}: unknown transformer "${key}"${suggestion(key)}`);
                return undefined;
        }
    }
    problems.push(`${where}: a transformer is a name (${SIMPLE_TRANSFORMERS.join(', ')}) or {fixed: V}, {date_shift: N}, {number_noise: P}`);
    return undefined;
}
const EXAMPLE = { fixed: "'value'", date_shift: 30, number_noise: 10 };
function amount(value, pattern) {
    if (typeof value === 'number')
        return value;
    if (typeof value !== 'string')
        return undefined;
    const match = pattern.exec(value.trim());
    return match?.[1] === undefined ? undefined : Number(match[1]);
}
function suggestion(word) {
    const close = ALL_NAMES.find((name) => (0,edit_distance/* editDistance */.Y)(name, word.toLowerCase()) <= 2);
    return close ? ` (did you mean ${close}?)` : ` (use one of ${ALL_NAMES.join(', ')})`;
}

;// CONCATENATED MODULE: ./src/sanitize/plan.ts



const KEEP = { kind: 'keep' };
/**
 * Checks rules against what the database holds, before anything is dumped:
 * every table and column exists, every transformer fits its column's type,
 * unique keys and foreign keys still hold after masking. All problems are
 * reported at once, one line each.
 */
function planSanitizing(rules, catalog) {
    const problems = [];
    const where = (table, column) => `${rules.source}: table ${table}${column === undefined ? '' : `, column ${column}`}`;
    const resolved = new Map();
    for (const rule of rules.tables) {
        const name = tableKey(rule.name, catalog.engine);
        const table = catalog.tables.get(name);
        if (!table) {
            problems.push(`${where(rule.name)}: no such table in the database${closest(name, [...catalog.tables.keys()])}`);
            continue;
        }
        if (resolved.has(name)) {
            problems.push(`${where(rule.name)}: named twice (also as ${resolved.get(name)?.rule.name})`);
            continue;
        }
        resolved.set(name, { rule, table });
        for (const [column, spec] of rule.columns) {
            const found = table.columns.find((c) => c.name === column);
            if (!found) {
                problems.push(`${where(rule.name, column)}: no such column${closest(column, table.columns.map((c) => c.name))}`);
                continue;
            }
            if (found.generated) {
                problems.push(`${where(rule.name, column)}: is generated from other columns and recomputed on restore; rule the columns it is computed from`);
                continue;
            }
            const reason = misfit(spec, found);
            if (reason)
                problems.push(`${where(rule.name, column)}: ${reason}`);
            else if (spec.kind === 'null' && found.notNull)
                problems.push(`${where(rule.name, column)}: is NOT NULL, so null cannot apply; use fixed or another transformer`);
        }
    }
    // Rules of a partitioned table reach its partitions, where pg_dump writes the rows.
    const effective = new Map();
    const apply = (name, rule) => {
        const current = effective.get(name) ?? { truncate: false, columns: new Map() };
        current.truncate ||= rule.rows === 'truncate';
        for (const [column, spec] of rule.columns)
            current.columns.set(column, spec);
        effective.set(name, current);
    };
    // Roots first, then partitions and inheriting tables (deepest last): the more
    // specific rule wins where both name a column.
    const depth = (table) => (table.inheritanceDepth ?? 0) + Number(!!table.partitionOf);
    const ordered = [...resolved].sort(([, a], [, b]) => depth(a.table) - depth(b.table));
    for (const [name, { rule, table }] of ordered) {
        apply(name, rule);
        for (const partition of table.partitions ?? [])
            apply(partition, rule);
        // An inheriting table has every column of its parent: pg_dump writes its rows apart.
        for (const heir of table.inheritedBy ?? [])
            apply(heir, rule);
    }
    // pg_dump writes a COPY header on one line only when no name in it holds a
    // line break; a header split over two lines would let the rows pass unmasked.
    if (catalog.engine === 'postgres') {
        for (const name of effective.keys()) {
            const table = catalog.tables.get(name);
            const broken = [name, ...(table?.columns.map((c) => c.name) ?? [])].filter((n) => n.includes('\n'));
            if (broken.length > 0)
                problems.push(`${where(name)}: ${broken.map((n) => JSON.stringify(n)).join(', ')} holds a line break, which the masking cannot follow in pg_dump's output; rename it (ALTER TABLE … RENAME) before sanitizing`);
        }
    }
    const specOf = (table, column) => effective.get(table)?.columns.get(column) ?? KEEP;
    const truncated = (table) => effective.get(table)?.truncate ?? false;
    for (const key of catalog.uniqueKeys) {
        if (truncated(key.table))
            continue;
        for (const column of key.columns) {
            const spec = specOf(key.table, column);
            if (!isInjective(spec)) {
                problems.push(`${where(key.table, column)}: ${describeSpec(spec)} can give different values the same result, and (${key.columns.join(', ')}) must stay unique; use email, hash, null or keep`);
            }
        }
    }
    for (const fk of catalog.foreignKeys) {
        if (truncated(fk.table))
            continue;
        if (truncated(fk.references)) {
            problems.push(`${where(fk.table)}: references ${fk.references}, whose rows are truncated; truncate ${fk.table} too, or keep the rows of ${fk.references}`);
            continue;
        }
        fk.columns.forEach((column, index) => {
            const referenced = fk.referencedColumns[index];
            if (referenced === undefined)
                return;
            const mine = specOf(fk.table, column);
            const theirs = specOf(fk.references, referenced);
            if (mine.kind === 'null' || sameTransformer(mine, theirs))
                return;
            problems.push(`${where(fk.table, column)}: references ${fk.references}.${referenced}, which is ${theirs.kind === 'keep' ? 'kept' : `masked with ${describeSpec(theirs)}`}; give both the same rule so the reference still holds`);
        });
    }
    if (problems.length > 0)
        throw new RulesError(rules.source, problems);
    const tables = new Map();
    const maskedColumns = [];
    for (const [name, { truncate, columns }] of effective) {
        const table = catalog.tables.get(name);
        if (!table)
            continue;
        const masked = new Map();
        for (const [column, spec] of columns) {
            const found = table.columns.find((c) => c.name === column);
            if (!found || spec.kind === 'keep')
                continue;
            masked.set(column, { name: column, spec, column: found });
            if (!table.partitionOf || !effective.has(table.partitionOf))
                maskedColumns.push(`${name}.${column}`);
        }
        if (truncate || masked.size > 0)
            tables.set(name, { name, truncate, columns: truncate ? new Map() : masked });
    }
    const personalColumns = [];
    for (const table of catalog.tables.values()) {
        if (table.partitionOf || truncated(table.name))
            continue;
        for (const column of table.columns) {
            if (effective.get(table.name)?.columns.has(column.name))
                continue;
            if (looksPersonal(column))
                personalColumns.push(`${table.name}.${column.name}`);
        }
    }
    return {
        tables,
        maskedColumns: maskedColumns.sort(),
        truncatedTables: [...tables.values()]
            .filter((t) => t.truncate && !catalog.tables.get(t.name)?.partitionOf)
            .map((t) => t.name)
            .sort(),
        personalColumns: personalColumns.sort(),
        utf8: catalog.utf8,
    };
}
/** `users` → `public.users` (PostgreSQL's default schema); `"My.Schema"."T"` → `My.Schema.T`; SQLite names are bare. */
function tableKey(name, engine) {
    if (engine === 'sqlite')
        return name;
    if (name.includes('"')) {
        const parts = [...name.matchAll(/"((?:[^"]|"")*)"|([^."]+)/g)].map((m) => m[1] !== undefined ? m[1].replace(/""/g, '"') : (m[2] ?? '').trim());
        return parts.length === 1 ? `public.${parts[0]}` : parts.join('.');
    }
    return name.includes('.') ? name : `public.${name}`;
}
function closest(name, candidates) {
    const lower = name.toLowerCase();
    const match = candidates.find((c) => c.toLowerCase() === lower);
    return match ? ` (did you mean ${match}?)` : '';
}

// EXTERNAL MODULE: ./src/engines/postgres/server.ts + 1 modules
var server = __webpack_require__(84584);
;// CONCATENATED MODULE: ./src/sanitize/postgres-catalog.ts

/** Tables, columns and their types, keys and references of a PostgreSQL database (extension tables left out). */
async function readPostgresCatalog(location) {
    return (0,server/* withClient */.SV)(location, location.database, (client) => readCatalog(client));
}
async function readCatalog(client) {
    const tables = (await client.query(`
      SELECT c.oid::int AS oid, n.nspname || '.' || c.relname AS name,
        CASE WHEN c.relispartition THEN (
          SELECT rn.nspname || '.' || r.relname FROM pg_catalog.pg_class r
          JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
          WHERE r.oid = pg_catalog.pg_partition_root(c.oid)) END AS root,
        CASE WHEN c.relkind = 'p' THEN ARRAY(
          SELECT ln.nspname || '.' || l.relname FROM pg_catalog.pg_partition_tree(c.oid) t
          JOIN pg_catalog.pg_class l ON l.oid = t.relid JOIN pg_catalog.pg_namespace ln ON ln.oid = l.relnamespace
          WHERE t.isleaf AND t.relid <> c.oid) END AS leaves,
        CASE WHEN c.relkind = 'r' THEN ARRAY(
          WITH RECURSIVE heirs(oid) AS (
            SELECT i.inhrelid FROM pg_catalog.pg_inherits i WHERE i.inhparent = c.oid
            UNION SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN heirs h ON i.inhparent = h.oid)
          SELECT hn.nspname || '.' || hc.relname FROM heirs h
          JOIN pg_catalog.pg_class hc ON hc.oid = h.oid JOIN pg_catalog.pg_namespace hn ON hn.oid = hc.relnamespace) END AS heirs,
        CASE WHEN c.relkind = 'r' THEN (
          WITH RECURSIVE ancestors(oid) AS (
            SELECT i.inhparent FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid
            UNION SELECT i.inhparent FROM pg_catalog.pg_inherits i JOIN ancestors a ON i.inhrelid = a.oid)
          SELECT count(*)::int FROM ancestors) ELSE 0 END AS depth
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname !~ '^pg_(toast|temp_)'
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
          WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')`)).rows;
    const oids = tables.map((t) => t.oid);
    const names = new Map(tables.map((t) => [t.oid, t.name]));
    const columns = (await client.query(`SELECT a.attrelid::int AS relid, a.attname AS name,
         pg_catalog.format_type(a.atttypid, a.atttypmod) AS type_name,
         a.attnotnull AS not_null, a.attgenerated <> '' AS generated,
         b.typname AS base, b.typcategory AS category,
         CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS typmod,
         ARRAY(SELECT c.conname::text FROM pg_catalog.pg_constraint c
           WHERE (c.contype = 'c' AND c.conrelid = a.attrelid AND a.attnum = ANY(c.conkey))
             OR (c.contype = 'c' AND c.contypid = a.atttypid)
           ORDER BY 1) AS checks
       FROM pg_catalog.pg_attribute a
       JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
       JOIN pg_catalog.pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
       WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
       ORDER BY a.attrelid, a.attnum`, [oids])).rows;
    const byTable = new Map();
    for (const row of columns) {
        const list = byTable.get(row.relid) ?? [];
        list.push(columnOf(row));
        byTable.set(row.relid, list);
    }
    const catalogTables = new Map();
    for (const table of tables) {
        catalogTables.set(table.name, {
            name: table.name,
            columns: byTable.get(table.oid) ?? [],
            ...(table.leaves ? { partitions: table.leaves } : {}),
            ...(table.root ? { partitionOf: table.root } : {}),
            ...(table.heirs && table.heirs.length > 0 ? { inheritedBy: table.heirs } : {}),
            ...(table.depth > 0 ? { inheritanceDepth: table.depth } : {}),
        });
    }
    const uniqueKeys = (await client.query(`SELECT i.indrelid::int AS relid, ARRAY(
         SELECT a.attname::text FROM pg_catalog.pg_attribute a
         WHERE a.attrelid = i.indrelid AND a.attnum > 0 AND (
           a.attnum = ANY((i.indkey::int2[])[0:i.indnkeyatts - 1])
           OR (i.indexprs IS NOT NULL AND a.attnum IN (
             SELECT d.refobjsubid FROM pg_catalog.pg_depend d
             WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = i.indexrelid
               AND d.refobjid = i.indrelid)))) AS columns
       FROM pg_catalog.pg_index i WHERE i.indisunique AND i.indrelid = ANY($1::oid[])`, [oids])).rows.flatMap((row) => {
        const table = names.get(row.relid);
        return table ? [{ table, columns: row.columns }] : [];
    });
    const foreignKeys = (await client.query(`SELECT c.conrelid::int AS relid, c.confrelid::int AS refid,
         ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(num, ord)
           JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num ORDER BY k.ord) AS columns,
         ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(num, ord)
           JOIN pg_catalog.pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.num ORDER BY k.ord) AS referenced
       FROM pg_catalog.pg_constraint c WHERE c.contype = 'f' AND c.conrelid = ANY($1::oid[])`, [oids])).rows.flatMap((row) => {
        const table = names.get(row.relid);
        const references = names.get(row.refid);
        return table && references
            ? [{ table, columns: row.columns, references, referencedColumns: row.referenced }]
            : [];
    });
    const encoding = (await client.query('SELECT pg_catalog.pg_encoding_to_char(encoding) AS encoding FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()')).rows[0]?.encoding;
    return {
        engine: 'postgres',
        tables: catalogTables,
        uniqueKeys,
        foreignKeys,
        utf8: encoding === 'UTF8',
    };
}
const INTEGER_RANGES = {
    int2: [-32768n, 32767n],
    int4: [-2147483648n, 2147483647n],
    int8: [-9223372036854775808n, 9223372036854775807n],
};
function columnOf(row) {
    const base = row.base;
    let category = 'other';
    let maxLength;
    let precision;
    if (row.category === 'S') {
        category = 'text';
        if ((base === 'varchar' || base === 'bpchar') && row.typmod > 4)
            maxLength = row.typmod - 4;
    }
    else if (base === 'uuid')
        category = 'uuid';
    else if (base === 'date' || base === 'timestamp' || base === 'timestamptz')
        category = 'date';
    else if (base in INTEGER_RANGES)
        category = 'integer';
    else if (base === 'numeric') {
        category = 'decimal';
        if (row.typmod > 4)
            precision = ((row.typmod - 4) >> 16) & 0xffff;
    }
    else if (base === 'float4' || base === 'float8')
        category = 'float';
    return {
        name: row.name,
        typeName: row.type_name,
        category,
        notNull: row.not_null,
        generated: row.generated,
        ...(row.checks.length > 0 ? { checks: row.checks } : {}),
        ...(maxLength !== undefined ? { maxLength } : {}),
        ...(precision !== undefined ? { precision } : {}),
        ...(category === 'integer' ? { integerRange: INTEGER_RANGES[base] } : {}),
    };
}
/** `fixed` values the column's type refuses, asked of the server itself (one line each). */
async function checkFixedValues(location, plan, source) {
    const fixed = [...plan.tables.values()].flatMap((table) => [...table.columns.values()].flatMap((column) => column.spec.kind === 'fixed' ? [{ table: table.name, column, value: column.spec.value }] : []));
    if (fixed.length === 0)
        return [];
    return (0,server/* withClient */.SV)(location, location.database, async (client) => {
        const problems = [];
        for (const { table, column, value } of fixed) {
            try {
                await client.query(`SELECT CAST($1::text AS ${column.column.typeName})`, [value]);
            }
            catch (error) {
                problems.push(`${source}: table ${table}, column ${column.name}: the fixed value ${JSON.stringify(value)} is not a valid ${column.column.typeName} (${error.message})`);
            }
        }
        return problems;
    });
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: ./src/engines/sqlite-driver.ts
var sqlite_driver = __webpack_require__(2022);
// EXTERNAL MODULE: ./src/engines/sqlite-integrity.ts
var sqlite_integrity = __webpack_require__(84909);
;// CONCATENATED MODULE: ./src/sanitize/sqlite-sanitizer.ts






/** Reads a SQLite database's tables, columns, keys and references (read-only). */
async function readSqliteCatalog(file) {
    const Database = await (0,sqlite_driver/* loadSqlite */.T)();
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
        return catalogOf(db);
    }
    finally {
        db.close();
    }
}
const quote = (name) => `"${name.replace(/"/g, '""')}"`;
function catalogOf(db) {
    const listed = db.prepare('PRAGMA table_list').all().filter((row) => row.schema === 'main' &&
        (row.type === 'table' || row.type === 'virtual') &&
        !row.name.startsWith('sqlite_'));
    const tables = new Map();
    const uniqueKeys = [];
    const foreignKeys = [];
    for (const { name } of listed) {
        let columns;
        try {
            columns = db.prepare(`PRAGMA table_xinfo(${quote(name)})`).all();
        }
        catch {
            continue; // A virtual table whose module this build lacks.
        }
        tables.set(name, {
            name,
            columns: columns
                .filter((c) => c.hidden !== 1)
                .map((c) => sqliteColumn(c.name, c.type, c.notnull === 1, c.hidden === 2 || c.hidden === 3)),
        });
        const primary = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
        if (primary.length > 0)
            uniqueKeys.push({ table: name, columns: primary.map((c) => c.name) });
        const indexes = db.prepare(`PRAGMA index_list(${quote(name)})`).all();
        for (const index of indexes.filter((i) => i.unique === 1)) {
            const keyColumns = db.prepare(`PRAGMA index_info(${quote(index.name)})`).all().flatMap((c) => (c.name === null ? [] : [c.name]));
            if (keyColumns.length > 0)
                uniqueKeys.push({ table: name, columns: keyColumns });
        }
        const references = db.prepare(`PRAGMA foreign_key_list(${quote(name)})`).all();
        const byId = new Map();
        for (const reference of references)
            byId.set(reference.id, [...(byId.get(reference.id) ?? []), reference]);
        for (const parts of byId.values()) {
            const target = parts[0].table;
            // A reference without columns points at the primary key.
            const targetKey = db.prepare(`PRAGMA table_info(${quote(target)})`).all()
                .filter((c) => c.pk > 0)
                .sort((a, b) => a.pk - b.pk)
                .map((c) => c.name);
            foreignKeys.push({
                table: name,
                columns: parts.map((p) => p.from),
                references: target,
                referencedColumns: parts.map((p, i) => p.to ?? targetKey[i] ?? ''),
            });
        }
    }
    return { engine: 'sqlite', tables, uniqueKeys, foreignKeys, utf8: true };
}
/** SQLite's type affinity rules (https://sqlite.org/datatype3.html, 3.1), plus dates by name. */
function sqliteColumn(name, declared, notNull, generated) {
    const type = declared.toUpperCase();
    let category;
    if (type.includes('INT'))
        category = 'integer';
    else if (/CHAR|CLOB|TEXT/.test(type))
        category = 'text';
    else if (type === '' || type.includes('BLOB'))
        category = 'any';
    else if (/REAL|FLOA|DOUB/.test(type))
        category = 'float';
    else if (/DATE|TIME/.test(type))
        category = 'date';
    else
        category = 'decimal';
    return {
        name,
        typeName: declared || 'no declared type',
        category,
        notNull,
        generated,
        loose: true,
        ...(category === 'integer'
            ? { integerRange: [-9223372036854775808n, 9223372036854775807n] }
            : {}),
    };
}
/**
 * Sanitizes the private snapshot of a SQLite database in place (never the
 * live database): truncated tables emptied, masked columns rewritten by the
 * transformers registered as a SQL function, triggers kept from firing,
 * full-text indexes and statistics rebuilt from the masked data, then
 * VACUUM so that no original value is left in a free page or a page's
 * unused space, and no journal or WAL beside the file.
 */
async function sanitizeSqliteFile(file, rules, masker) {
    const Database = await (0,sqlite_driver/* loadSqlite */.T)();
    const db = new Database(file, { fileMustExist: true });
    let plan;
    try {
        // Checked again on the snapshot itself: the schema may have changed since the first check.
        plan = planSanitizing(rules, catalogOf(db));
        db.pragma('secure_delete = ON');
        db.pragma('foreign_keys = OFF');
        const columns = [];
        db.function('db_backup_mask', { deterministic: true, safeIntegers: true }, (id, value) => {
            const column = columns[Number(id)];
            if (!column)
                throw new Error('unknown masked column');
            return maskSqliteValue(masker, column, value);
        });
        const triggers = db
            .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND sql IS NOT NULL")
            .all();
        const virtual = new Set(db.prepare('PRAGMA table_list').all()
            .filter((t) => t.type === 'virtual')
            .map((t) => t.name));
        const masking = db.transaction(() => {
            columns.length = 0;
            // Triggers could copy old values elsewhere (an audit table): none fires while masking.
            for (const trigger of triggers)
                db.exec(`DROP TRIGGER ${quote(trigger.name)}`);
            for (const table of plan.tables.values()) {
                if (table.truncate) {
                    emptyTable(db, table.name, virtual.has(table.name));
                    continue;
                }
                const sets = [...table.columns.values()].map((column) => {
                    columns.push(column);
                    return `${quote(column.name)} = db_backup_mask(${columns.length - 1}, ${quote(column.name)})`;
                });
                db.exec(`UPDATE ${quote(table.name)} SET ${sets.join(', ')}`);
            }
            for (const trigger of triggers)
                db.exec(trigger.sql);
            rebuildFullTextIndexes(db, virtual, plan);
        });
        // Each step leaves nothing of itself when it fails (masking is one transaction): it may run again.
        const appFunctions = new Set();
        const withRefusingStandIns = (work) => (0,sqlite_integrity/* withStandIns */.HX)(db, appFunctions, refusingStandIn, work);
        withRefusingStandIns(() => masking());
        if (db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1'").get())
            withRefusingStandIns(() => db.exec('ANALYZE'));
        withRefusingStandIns(() => db.exec('VACUUM'));
        if (String(db.pragma('journal_mode', { simple: true })) === 'wal')
            db.pragma('wal_checkpoint(TRUNCATE)');
    }
    catch (error) {
        db.close();
        throw sqlite_sanitizer_describe(error);
    }
    db.close();
    for (const suffix of ['-wal', '-journal']) {
        if ((0,external_node_fs_.existsSync)(`${file}${suffix}`))
            throw new errors/* JobFailure */.y3(`The sanitized snapshot kept a ${suffix.slice(1)} file: nothing was kept.`);
    }
    return plan;
}
/**
 * Empties a table for a truncate rule. A contentless or external-content
 * FTS5 table takes its 'delete-all' command. Any other virtual table (an
 * FTS5 or FTS4 table with its own content, a contentless FTS4 one) is made
 * again, empty, from its own definition: DELETE would leave the words of the
 * deleted rows in its index until a merge.
 */
function emptyTable(db, name, isVirtual) {
    if (!isVirtual) {
        db.exec(`DELETE FROM ${quote(name)}`);
        return;
    }
    try {
        db.exec(`INSERT INTO ${quote(name)}(${quote(name)}) VALUES ('delete-all')`);
    }
    catch (error) {
        const { sql } = db.prepare('SELECT sql FROM sqlite_schema WHERE name = ?').get(name);
        try {
            db.exec(`DROP TABLE ${quote(name)}`);
        }
        catch {
            // Neither way empties it (a module missing here): what 'delete-all' said is the reason.
            throw error;
        }
        db.exec(sql);
    }
}
/** FTS tables keep their own copy of indexed words: rebuilt from the masked rows (or emptied by a truncate rule). */
function rebuildFullTextIndexes(db, virtual, plan) {
    for (const name of virtual) {
        const sql = db.prepare('SELECT sql FROM sqlite_schema WHERE name = ?').get(name)?.sql ?? '';
        if (!/USING\s+fts[345]/i.test(sql) || plan.tables.get(name)?.truncate)
            continue;
        try {
            db.exec(`INSERT INTO ${quote(name)}(${quote(name)}) VALUES ('rebuild')`);
        }
        catch {
            throw new errors/* JobFailure */.y3(`The full-text table ${name} cannot be rebuilt from the masked data (it keeps no content) and may hold original words: give it rows: truncate in the rules.`);
        }
    }
}
const EPOCH_MS_THRESHOLD = 100_000_000_000;
const DAY_SECONDS = 86_400;
/** One SQLite value through its column's transformer; the value's storage class is kept where it can be. */
function maskSqliteValue(masker, column, value) {
    if (value === null)
        return null;
    const spec = column.spec;
    if (spec.kind === 'null')
        return null;
    if (spec.kind === 'fixed')
        return spec.value;
    const bytes = Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'utf8');
    const facts = masker.factsOf(bytes);
    if (spec.kind === 'date_shift' && typeof value !== 'string' && !Buffer.isBuffer(value)) {
        const shift = shiftDays(facts.digest('date_shift'), spec.days);
        const number = Number(value);
        // Julian day numbers (REAL), else Unix time in milliseconds or seconds.
        const step = !Number.isInteger(number) && number > 1_721_425 && number < 5_373_484
            ? 1
            : Math.abs(number) >= EPOCH_MS_THRESHOLD
                ? DAY_SECONDS * 1000
                : DAY_SECONDS;
        return typeof value === 'bigint' ? value + BigInt(shift * step) : number + shift * step;
    }
    if (spec.kind === 'number_noise' && typeof value !== 'string' && !Buffer.isBuffer(value)) {
        const ppm = noisePpm(facts.digest('number_noise'), spec.percent);
        if (typeof value === 'bigint')
            return BigInt(addNoise(value.toString(), ppm, { ...column.column, category: 'integer' }));
        return Number(addNoise(String(value), ppm, {
            ...column.column,
            category: Number.isInteger(value) ? 'integer' : 'float',
            integerRange: undefined,
        }));
    }
    if (spec.kind === 'date_shift')
        return shiftDateText(bytes.toString('utf8'), shiftDays(facts.digest('date_shift'), spec.days));
    const masked = masker.mask(spec, column.column, facts);
    return masked === null ? null : masked.toString('latin1');
}
/**
 * A stand-in for a function only the application defines: SQLite needs it to
 * prepare statements on the tables whose CHECK constraints or indexes call
 * it (VACUUM's copy included), though it never calls it there. One that is
 * called stops the sanitizing with a line that says why: the rules rewrite
 * rows it covers, which cannot be checked here.
 */
function refusingStandIn(name) {
    return () => {
        throw new errors/* JobFailure */.y3(`The sanitize rules rewrite rows that a CHECK constraint or an index calling ${name}() covers, and ${name}() is the application's own function, which SQLite here does not have: nothing was kept. Leave those columns out of the rules, or make the constraint or index without ${name}().`);
    };
}
function sqlite_sanitizer_describe(error) {
    if (error instanceof UnreadableValueError) {
        return new errors/* JobFailure */.y3(`Sanitizing the SQLite snapshot met ${error.message}: nothing was kept; fix the rule or the data.`);
    }
    return error;
}

;// CONCATENATED MODULE: ./src/sanitize/sanitizing.ts









/**
 * Reads the rules and checks them against the database before anything is
 * dumped or written: unknown tables and columns, transformers that do not
 * fit, keys that would break (exit 2). Columns that look personal and have
 * no rule are warned about, or refused with `strict`.
 */
async function prepareSanitizing(settings, location, log) {
    const rules = await loadRules(settings.rulesFile);
    const catalog = location.engine === 'postgres'
        ? await readPostgresCatalog(location)
        : await readSqliteCatalog(location.path).catch((error) => {
            throw new errors/* UserError */.yo(`sanitize: cannot read ${location.path}: ${error.message}`);
        });
    const plan = planSanitizing(rules, catalog);
    if (location.engine === 'postgres') {
        const problems = await checkFixedValues(location, plan, rules.source);
        if (problems.length > 0)
            throw new RulesError(rules.source, problems);
    }
    const personal = plan.personalColumns;
    if (personal.length > 0) {
        const list = personal.join(', ');
        if (settings.strict) {
            throw new errors/* UserError */.yo(`sanitize-strict: ${personal.length} column(s) look personal and no rule names them: ${list}. Give each a transformer, or keep to say it is not personal. Nothing was backed up.`);
        }
        log.warn(`${personal.length} column(s) look personal and no rule in ${rules.source} names them (they are copied as they are): ${list}`);
    }
    // Masked values are not made to pass the database's own CHECK constraints: say which could fail the restore.
    const checked = [...plan.tables.values()].flatMap((table) => [...table.columns.values()].flatMap((column) => column.spec.kind !== 'null' && column.column.checks
        ? [`${table.name}.${column.name} (${column.column.checks.join(', ')})`]
        : []));
    if (checked.length > 0)
        log.warn(`${checked.length} masked column(s) are tested by CHECK constraints that masked values may fail, and then the copy does not restore: ${checked.join(', ')}. Restore the copy once (db-backup verify) to be sure, or give these columns null or a fixed value that passes.`);
    log.info(`Sanitizing with ${rules.source} (sha256 ${rules.sha256.slice(0, 12)}…): ${(0,format/* counted */.hS)(plan.maskedColumns.length, 'column')} masked, ${(0,format/* counted */.hS)(plan.truncatedTables.length, 'table')} emptied`);
    const info = {
        rulesSha256: rules.sha256,
        maskedColumns: plan.maskedColumns,
        truncatedTables: plan.truncatedTables,
        unruledPersonalColumns: personal,
    };
    const masker = new Masker(settings.salt);
    return { info, plan, wrap: (engine) => new SanitizingEngine(engine, rules, plan, masker) };
}
/** An engine whose dumps are sanitized; everything else is the engine's own. */
class SanitizingEngine {
    inner;
    rules;
    plan;
    masker;
    constructor(inner, rules, plan, masker) {
        this.inner = inner;
        this.rules = rules;
        this.plan = plan;
        this.masker = masker;
    }
    get kind() {
        return this.inner.kind;
    }
    get location() {
        return this.inner.location;
    }
    get keepsOwnSafetyCopy() {
        return this.inner.keepsOwnSafetyCopy;
    }
    exists() {
        return this.inner.exists();
    }
    holdsData() {
        return this.inner.holdsData();
    }
    restore(source, hooks) {
        return this.inner.restore(source, hooks);
    }
    inspect() {
        return this.inner.inspect();
    }
    evaluate(sql) {
        return this.inner.evaluate(sql);
    }
    async dump(workDir, hooks = {}) {
        if (this.inner.kind === 'sqlite') {
            return this.inner.dump(workDir, {
                ...hooks,
                rewriteSnapshot: async (file) => {
                    await hooks.rewriteSnapshot?.(file);
                    await sanitizeSqliteFile(file, this.rules, this.masker);
                },
            });
        }
        const dump = await this.inner.dump(workDir, hooks);
        const rewriter = new CopySanitizer(this.plan, this.masker);
        // Either side failing fails both: a dying pg_dump or a value that cannot be masked.
        (0,external_node_stream_.pipeline)(dump.stream, rewriter, () => undefined);
        return {
            stream: rewriter,
            finish: async () => {
                const info = await dump.finish();
                // The snapshot's counts were checked against the dump; truncated tables leave with no rows.
                return {
                    ...info,
                    tables: info.tables.map((table) => this.plan.tables.get(table.name)?.truncate ? { ...table, rows: 0 } : table),
                };
            },
            dispose: () => dump.dispose(),
        };
    }
}


/***/ })

};
