import { isAscii } from 'node:buffer';
import { KeyedDigest } from './keyed-digest.js';
import type { NumberCache } from './mask-cache.js';
import {
  CITIES,
  FILLER_WORDS,
  FIRST_NAMES,
  LAST_NAMES,
  STREETS,
  STREET_SUFFIXES,
} from './words.js';

/** What a rule does to one column's values. NULL always stays NULL. */
export type TransformerSpec =
  | { readonly kind: 'keep' }
  | { readonly kind: 'null' }
  | { readonly kind: 'email' }
  | { readonly kind: 'name' }
  | { readonly kind: 'first_name' }
  | { readonly kind: 'last_name' }
  | { readonly kind: 'phone' }
  | { readonly kind: 'address' }
  | { readonly kind: 'text' }
  | { readonly kind: 'hash' }
  | { readonly kind: 'fixed'; readonly value: string }
  | { readonly kind: 'date_shift'; readonly days: number }
  | { readonly kind: 'number_noise'; readonly percent: number };

export type TransformerKind = TransformerSpec['kind'];

/** The transformers a rule may name as a plain word. */
export const SIMPLE_TRANSFORMERS = [
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
] as const;

/** The transformers that take a value: `{fixed: VALUE}`, `{date_shift: N}`, `{number_noise: P}`. */
export const PARAMETERISED_TRANSFORMERS = ['fixed', 'date_shift', 'number_noise'] as const;

/** What kind of values a column holds, as far as the transformers care. */
export type ColumnCategory =
  | 'text'
  | 'uuid'
  | 'date'
  | 'integer'
  | 'decimal'
  | 'float'
  /** SQLite without a declared type: any value. */
  | 'any'
  /** Arrays, json, bytea, booleans, ...: only keep, null and fixed apply. */
  | 'other';

export interface ColumnShape {
  readonly category: ColumnCategory;
  /** varchar(n)/char(n): the most characters a value may have. */
  readonly maxLength?: number | undefined;
  /** Integer types: the range a value must stay in. */
  readonly integerRange?: readonly [bigint, bigint] | undefined;
  /** numeric(p, s): total digits (the scale is the value's own). */
  readonly precision?: number | undefined;
  /** The type as people read it (varchar(40), timestamp with time zone, INTEGER). */
  readonly typeName: string;
  /** SQLite: a declared type is a hint, so dates may be kept as text or numbers. */
  readonly loose?: boolean;
}

export function describeSpec(spec: TransformerSpec): string {
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
export function sameTransformer(a: TransformerSpec, b: TransformerSpec): boolean {
  return describeSpec(a) === describeSpec(b);
}

/**
 * Distinct inputs stay distinct (up to a negligible chance), so a unique
 * constraint or a primary key on the column still holds after masking.
 */
export function isInjective(spec: TransformerSpec): boolean {
  return (
    spec.kind === 'keep' || spec.kind === 'email' || spec.kind === 'hash' || spec.kind === 'null'
  );
}

const TEXTUAL = new Set<ColumnCategory>(['text', 'any']);
const EMAIL_DOMAIN = '@example.com';
/** 64 bits of the digest in every masked email: unique with overwhelming probability. */
const EMAIL_TAG_HEX = 16;
const MIN_EMAIL_LENGTH = 1 + EMAIL_TAG_HEX + EMAIL_DOMAIN.length;
const MIN_HASH_LENGTH = 16;
const PHONE_LENGTH = '+1-200-555-0100'.length;

/** Why a transformer cannot write this column, or undefined when it can. */
export function misfit(spec: TransformerSpec, shape: ColumnShape): string | undefined {
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
      if (!TEXTUAL.has(shape.category)) return `email writes text, and the column is ${type}`;
      return max !== undefined && max < MIN_EMAIL_LENGTH
        ? `the column is ${type}: a masked email needs at least ${MIN_EMAIL_LENGTH} characters to stay unique; use hash or fixed`
        : undefined;
    case 'hash':
      if (shape.category === 'uuid') return undefined;
      if (!TEXTUAL.has(shape.category))
        return `hash writes text or a uuid, and the column is ${type}`;
      return max !== undefined && max < MIN_HASH_LENGTH
        ? `the column is ${type}: a keyed hash needs at least ${MIN_HASH_LENGTH} characters`
        : undefined;
    case 'phone':
      if (!TEXTUAL.has(shape.category)) return `phone writes text, and the column is ${type}`;
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
export class UnreadableValueError extends Error {}

/** What a transformer knows of one non-NULL value: its digest, its length, and (when short) its text. */
export interface ValueFacts {
  digest(kind: string): Buffer;
  /** Length in characters. */
  readonly chars: number;
  /** The value itself, for date_shift and number_noise; undefined when too long to hold. */
  text(): string | undefined;
}

/**
 * Turns values into masked values, deterministically: every output is
 * derived from the keyed digest of the value (and the transformer's kind).
 */
export class Masker {
  readonly keyed: KeyedDigest;
  private readonly tape: Buffer;
  private readonly wordStarts: Uint32Array;
  /** The scale of the last number noiseNumber gave. */
  noisedScale = 0;
  /** The range of a column's small noised numbers, as doubles (converted once, not per value). */
  private readonly bounds = new WeakMap<ColumnShape, readonly [number, number]>();

  constructor(salt: string) {
    this.keyed = new KeyedDigest(salt);
    ({ tape: this.tape, wordStarts: this.wordStarts } = fillerTape());
  }

  /** Facts of a value held whole in memory (all but the longest values). */
  factsOf(value: Buffer, utf8 = true): ValueFacts {
    return new HeldValue(this.keyed, value, utf8);
  }

  /**
   * The masked value of a value held whole, as `mask` gives it; numbers as
   * COPY writes them (the bulk of number_noise's work) are read and noised
   * straight from their bytes.
   */
  maskValue(spec: TransformerSpec, shape: ColumnShape, value: Buffer, utf8 = true): Buffer | null {
    if (spec.kind === 'number_noise') {
      const noised = this.noiseNumber(spec.percent, shape, value, 0, value.length);
      if (noised !== undefined) return ascii(formatScaledNumber(noised, this.noisedScale));
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
  noiseNumber(
    percent: number,
    shape: ColumnShape,
    value: Buffer,
    start: number,
    end: number,
    ppms?: NumberCache,
  ): number | undefined {
    if (shape.category === 'float') return undefined;
    let at = start;
    let negative = false;
    if (end > start && (value[start] === 0x2d || value[start] === 0x2b)) {
      negative = value[start] === 0x2d;
      at += 1;
    }
    const canonical =
      value[start] !== 0x2b && !(value[at] === 0x30 && at + 1 < end && value[at + 1] !== 0x2e);
    let mantissa = 0;
    let digits = 0;
    let scale = -1;
    for (; at < end; at += 1) {
      const byte = value[at]!;
      if (byte >= 0x30 && byte <= 0x39) {
        mantissa = mantissa * 10 + (byte - 0x30);
        digits += 1;
        if (scale >= 0) scale += 1;
      } else if (byte === 0x2e && scale < 0 && digits > 0) {
        scale = 0;
      } else {
        return undefined;
      }
    }
    if (digits === 0 || digits > 9) return undefined;
    // One key per spelling: mantissa, scale (-1: no point) and sign, exact below 2^53.
    const key = canonical && ppms ? (mantissa * 11 + scale + 1) * 2 + (negative ? 1 : 0) : -1;
    let ppm = key >= 0 ? ppms!.get(key) : undefined;
    if (ppm === undefined) {
      ppm = noisePpm(this.keyed.digest('number_noise', value.subarray(start, end)), percent);
      if (key >= 0) ppms!.set(key, ppm);
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
  mask(spec: TransformerSpec, shape: ColumnShape, facts: ValueFacts): Buffer | null {
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
        if (area % 100 === 11) area += 1;
        return ascii(`+1-${area}-555-01${String(d[4]! % 100).padStart(2, '0')}`);
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
        if (shape.category === 'uuid') return ascii(uuidOf(d));
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

  private email(d: Buffer, max: number | undefined): string {
    const tag = d.subarray(8, 8 + EMAIL_TAG_HEX / 2).toString('hex');
    const full =
      `${pick(FIRST_NAMES, d, 0)}.${pick(LAST_NAMES, d, 4)}.${tag}${EMAIL_DOMAIN}`.toLowerCase();
    if (max === undefined || full.length <= max) return full;
    // A narrow column still gets 64 bits or more of the digest.
    const room = Math.min(64, max - 1 - EMAIL_DOMAIN.length);
    return `u${d.toString('hex').slice(0, room)}${EMAIL_DOMAIN}`;
  }

  /** Filler words of a length in the same class as the original (1–4, 5–8, 9–16, 17–32, ...). */
  private filler(d: Buffer, chars: number, max: number | undefined): Buffer {
    if (chars === 0) return Buffer.alloc(0);
    const upper = Math.max(4, 2 ** Math.ceil(Math.log2(chars)));
    const lower = upper === 4 ? 1 : upper / 2 + 1;
    let length = lower + (d.readUInt32BE(0) % (upper - lower + 1));
    if (max !== undefined) length = Math.min(length, max);
    const out = Buffer.allocUnsafe(length);
    let at = this.wordStarts[d.readUInt32BE(4) % this.wordStarts.length]!;
    for (let written = 0; written < length;) {
      const n = Math.min(length - written, this.tape.length - at);
      this.tape.copy(out, written, at, at + n);
      written += n;
      at = 0;
    }
    out[0] = upperCase(out[0]!);
    if (out[length - 1] === SPACE) out[length - 1] = length > 1 ? DOT : LETTER_A;
    return out;
  }
}

/** A value in memory: its digest is computed once, when a transformer first asks. */
class HeldValue implements ValueFacts {
  private digested: Buffer | undefined;
  private digestKind = '';
  private length = -1;

  constructor(
    private readonly keyed: KeyedDigest,
    private readonly value: Buffer,
    private readonly utf8: boolean,
  ) {}

  get chars(): number {
    if (this.length < 0) this.length = this.utf8 ? utf8Length(this.value) : this.value.length;
    return this.length;
  }

  digest(kind: string): Buffer {
    if (!this.digested || this.digestKind !== kind) {
      this.digested = this.keyed.digest(kind, this.value);
      this.digestKind = kind;
    }
    return this.digested;
  }

  text(): string {
    return this.value.toString(this.utf8 ? 'utf8' : 'latin1');
  }
}

const SPACE = 0x20;
const DOT = 0x2e;
const LETTER_A = 0x61;

function upperCase(byte: number): number {
  return byte >= 0x61 && byte <= 0x7a ? byte - 0x20 : byte === SPACE ? 0x41 : byte;
}

/**
 * 4 KiB of filler words (a fixed sequence), and where each word starts.
 * Small on purpose: masked texts are slices of it, so they compress about as
 * well as the repetitive texts they replace (gzip's window is 32 KiB).
 */
function fillerTape(): { tape: Buffer; wordStarts: Uint32Array } {
  const words: string[] = [];
  let state = 0x2545f491;
  let length = 0;
  const starts: number[] = [];
  while (length < 4 * 1024) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const word = FILLER_WORDS[(state >>> 8) % FILLER_WORDS.length]!;
    starts.push(length);
    words.push(word);
    length += word.length + 1;
  }
  return {
    tape: Buffer.from(`${words.join(' ')} `, 'latin1'),
    wordStarts: Uint32Array.from(starts),
  };
}

function pick(list: readonly string[], d: Buffer, offset: number): string {
  return list[d.readUInt32BE(offset) % list.length]!;
}

function ascii(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

function fit(text: string, shape: ColumnShape): string {
  return shape.maxLength !== undefined && text.length > shape.maxLength
    ? text.slice(0, shape.maxLength)
    : text;
}

function uuidOf(d: Buffer): string {
  const b = Buffer.from(d.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Characters in UTF-8 bytes: ASCII (most values) is checked natively, the rest counted by lead bytes. */
export function utf8Length(value: Buffer): number {
  if (isAscii(value)) return value.length;
  let count = 0;
  for (let i = 0; i < value.length; i += 1) if ((value[i]! & 0xc0) !== 0x80) count += 1;
  return count;
}

function readable(facts: ValueFacts, kind: string): string {
  const text = facts.text();
  if (text === undefined) throw new UnreadableValueError(`a value too long for ${kind}`);
  return text;
}

/** 1 to N days, earlier or later: never 0, so no date comes out as it went in. */
export function shiftDays(d: Buffer, days: number): number {
  const magnitude = 1 + (d.readUInt32BE(0) % days);
  return d[4]! & 1 ? -magnitude : magnitude;
}

/** Parts per million, between -percent% and +percent%. */
export function noisePpm(d: Buffer, percent: number): number {
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
export function shiftDateText(text: string, days: number): string {
  if (text === 'infinity' || text === '-infinity') return text;
  const match = DATE_TEXT.exec(text);
  if (!match) throw new UnreadableValueError('a value that is not an ISO date or timestamp');
  const [, year, month, day, rest = ''] = match;
  const bc = rest.endsWith(' BC');
  const astronomical = bc ? 1 - Number(year) : Number(year);
  const date = new Date(0);
  date.setUTCFullYear(astronomical, Number(month) - 1, Number(day) + days);
  if (Number.isNaN(date.getTime())) throw new UnreadableValueError('a date out of range');
  const shifted = date.getUTCFullYear();
  const outYear = shifted <= 0 ? 1 - shifted : shifted;
  const tail = bc ? rest.slice(0, -3) : rest;
  return (
    `${String(outYear).padStart(4, '0')}-${String(date.getUTCMonth() + 1).padStart(2, '0')}-` +
    `${String(date.getUTCDate()).padStart(2, '0')}${tail}${shifted <= 0 ? ' BC' : ''}`
  );
}

const DECIMAL_TEXT = /^([-+]?)(\d+)(?:\.(\d*))?$/;

/**
 * Multiplies a number given as text by (1 + ppm/10^6), exactly for integers
 * and decimals (their scale kept, rounded half away from zero), and within
 * the column's range (integers) or precision (numeric(p, s)).
 */
export function addNoise(text: string, ppm: number, shape: ColumnShape): string {
  const match = DECIMAL_TEXT.exec(text.trim());
  if (!match || shape.category === 'float') {
    if (/^[-+]?(NaN|Infinity|inf)/i.test(text.trim())) return text;
    const value = Number(text);
    if (!Number.isFinite(value)) throw new UnreadableValueError('a value that is not a number');
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
  let result = divideRounded(product, 1_000_000n);
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
function numberBounds(shape: ColumnShape): readonly [number, number] {
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
function smallNoise(mantissa: number, ppm: number): number {
  const product = mantissa * (1_000_000 + ppm);
  const quotient = Math.trunc(product / 1_000_000);
  const remainder = product - quotient * 1_000_000;
  if (remainder * 2 >= 1_000_000) return quotient + 1;
  if (remainder * 2 <= -1_000_000) return quotient - 1;
  return quotient;
}

function divideRounded(value: bigint, by: bigint): bigint {
  const quotient = value / by;
  const remainder = value % by;
  if (remainder * 2n >= by) return quotient + 1n;
  if (remainder * 2n <= -by) return quotient - 1n;
  return quotient;
}

export function formatScaledNumber(value: number, scale: number): string {
  if (scale === 0) return String(value);
  const digits = String(Math.abs(value)).padStart(scale + 1, '0');
  return `${value < 0 ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

function formatScaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const body = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${body}` : body;
}
