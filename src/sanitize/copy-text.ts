/**
 * One field of PostgreSQL's COPY text format, as pg_dump writes it: `\N` is
 * NULL; a backslash introduces \b \f \n \r \t \v, one to three octal digits,
 * x and one or two hex digits, or any other character taken literally.
 * Raw tabs and newlines never occur inside a field.
 */
export const NULL_FIELD = Buffer.from('\\N', 'latin1');

const BACKSLASH = 0x5c;

const LETTER_ESCAPES: Record<number, number> = {
  0x62: 0x08, // b
  0x66: 0x0c, // f
  0x6e: 0x0a, // n
  0x72: 0x0d, // r
  0x74: 0x09, // t
  0x76: 0x0b, // v
};

export function isNullField(raw: Buffer): boolean {
  return raw.length === 2 && raw[0] === BACKSLASH && raw[1] === 0x4e;
}

function isOctal(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x37;
}

function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  return -1;
}

/** The value's bytes (the field must not be `\N`). */
export function decodeCopyField(raw: Buffer): Buffer {
  if (raw.indexOf(BACKSLASH) === -1) return raw;
  const out = Buffer.allocUnsafe(raw.length);
  let length = 0;
  for (let i = 0; i < raw.length; i += 1) {
    const byte = raw[i]!;
    if (byte !== BACKSLASH || i + 1 >= raw.length) {
      out[length++] = byte;
      continue;
    }
    const next = raw[i + 1]!;
    i += 1;
    const letter = LETTER_ESCAPES[next];
    if (letter !== undefined) {
      out[length++] = letter;
    } else if (isOctal(next)) {
      let value = next - 0x30;
      for (let n = 0; n < 2 && isOctal(raw[i + 1]); n += 1) value = value * 8 + (raw[++i]! - 0x30);
      out[length++] = value & 0xff;
    } else if (next === 0x78 && hexValue(raw[i + 1]) >= 0) {
      let value = hexValue(raw[++i]);
      if (hexValue(raw[i + 1]) >= 0) value = value * 16 + hexValue(raw[++i]);
      out[length++] = value;
    } else {
      out[length++] = next;
    }
  }
  return out.subarray(0, length);
}

const ESCAPED: Record<number, number> = {
  0x5c: 0x5c,
  0x08: 0x62,
  0x0c: 0x66,
  0x0a: 0x6e,
  0x0d: 0x72,
  0x09: 0x74,
  0x0b: 0x76,
};

function needsEscape(value: Buffer): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const byte = value[i]!;
    if (byte === 0x5c || (byte >= 0x08 && byte <= 0x0d)) return true;
  }
  return false;
}

/** The field for a value (null gives `\N`), escaped as COPY TO escapes it. */
export function encodeCopyField(value: Buffer | null): Buffer {
  if (value === null) return NULL_FIELD;
  if (!needsEscape(value)) return value;
  const out: number[] = [];
  for (let i = 0; i < value.length; i += 1) {
    const byte = value[i]!;
    const escape = ESCAPED[byte];
    if (escape === undefined) out.push(byte);
    else out.push(BACKSLASH, escape);
  }
  return Buffer.from(out);
}
