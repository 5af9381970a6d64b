import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { UserError } from '../domain/errors.js';
import { DIR_MODE, FILE_MODE } from './files.js';

/**
 * A flat directory (pg_dump -Fd's toc.dat and NNNN.dat files) as one ustar
 * stream, and back. Only what such a directory holds is written or accepted:
 * one top directory and the regular files in it, with plain names; anything
 * else in an archive (a link, a path with `..`, a nested directory, an
 * extension header) is refused, so that extracting can never write outside
 * its target. `tar -x` reads what `tarDirectory` writes.
 */

const BLOCK = 512;
/** Octal in 11 digits holds up to 8 GiB - 1; larger sizes use GNU's base-256 form, which tar reads. */
const OCTAL_SIZE_LIMIT = 8 ** 11;
/** A file name inside the top directory: letters, digits and `._-`, as pg_dump names them. */
const PLAIN_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/;

function writeString(header: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new Error(`tar: "${value}" does not fit in ${length} bytes`);
  bytes.copy(header, offset);
}

function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  writeString(header, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
}

function writeSize(header: Buffer, size: number): void {
  if (size < OCTAL_SIZE_LIMIT) {
    writeOctal(header, 124, 12, size);
    return;
  }
  header[124] = 0x80;
  let rest = BigInt(size);
  for (let i = 135; i > 124; i -= 1) {
    header[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
}

function checksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i += 1) sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
  return sum;
}

function headerFor(name: string, type: 'file' | 'directory', size: number, mtime: Date): Buffer {
  const header = Buffer.alloc(BLOCK);
  writeString(header, 0, 100, name);
  writeOctal(header, 100, 8, type === 'file' ? FILE_MODE : DIR_MODE);
  writeOctal(header, 108, 8, 0);
  writeOctal(header, 116, 8, 0);
  writeSize(header, size);
  writeOctal(header, 136, 12, Math.floor(mtime.getTime() / 1000));
  header[156] = type === 'file' ? 0x30 : 0x35;
  writeString(header, 257, 6, 'ustar\0');
  writeString(header, 263, 2, '00');
  writeString(header, 148, 8, `${checksum(header).toString(8).padStart(6, '0')}\0 `);
  return header;
}

/**
 * `dir`'s regular files, sorted, under the top directory `top/`, then tar's
 * two zero blocks. A file that changes size while it is read fails the stream.
 */
export function tarDirectory(dir: string, top: string): Readable {
  return Readable.from(
    (async function* (): AsyncGenerator<Buffer> {
      const entries = await fs.readdir(dir, { withFileTypes: true });
      yield headerFor(`${top}/`, 'directory', 0, new Date());
      for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
        if (!entry.isFile() || !PLAIN_NAME.test(entry.name)) {
          throw new Error(`tar: ${entry.name} in ${dir} is not a plain file`);
        }
        const file = path.join(dir, entry.name);
        const stat = await fs.stat(file);
        yield headerFor(`${top}/${entry.name}`, 'file', stat.size, stat.mtime);
        let read = 0;
        for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
          read += chunk.length;
          yield chunk;
        }
        if (read !== stat.size) throw new Error(`tar: ${file} changed while it was read`);
        const padding = (BLOCK - (read % BLOCK)) % BLOCK;
        if (padding > 0) yield Buffer.alloc(padding);
      }
      yield Buffer.alloc(BLOCK * 2);
    })(),
    { objectMode: false },
  );
}

/** Reads exact byte counts from a stream of chunks. */
class ByteReader {
  private buffered: Buffer[] = [];
  private length = 0;
  private done = false;
  constructor(private readonly iterator: AsyncIterator<Buffer>) {}

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.iterator.next();
    if (next.done === true) {
      this.done = true;
      return false;
    }
    this.buffered.push(next.value);
    this.length += next.value.length;
    return true;
  }

  /** Exactly `n` bytes, or fewer when the stream ends first. */
  async read(n: number): Promise<Buffer> {
    while (this.length < n && (await this.fill()));
    const all = Buffer.concat(this.buffered);
    const taken = all.subarray(0, n);
    const rest = all.subarray(taken.length);
    this.buffered = rest.length > 0 ? [rest] : [];
    this.length = rest.length;
    return taken;
  }

  /** Up to `n` bytes in the pieces they came in (none once the stream ended). */
  async *pieces(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.length === 0 && !(await this.fill())) return;
      const chunk = this.buffered.shift() ?? Buffer.alloc(0);
      this.length -= chunk.length;
      const piece = chunk.subarray(0, left);
      if (piece.length < chunk.length) {
        this.buffered.unshift(chunk.subarray(piece.length));
        this.length += chunk.length - piece.length;
      }
      left -= piece.length;
      yield piece;
    }
  }
}

function readString(header: Buffer, offset: number, length: number): string {
  const field = header.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
}

function readNumber(header: Buffer, offset: number, length: number): number {
  const field = header.subarray(offset, offset + length);
  if ((field[0] ?? 0) & 0x80) {
    let value = 0n;
    for (let i = 1; i < length; i += 1) value = (value << 8n) | BigInt(field[i] ?? 0);
    return Number(value);
  }
  const text = readString(header, offset, length).trim();
  if (!/^[0-7]+$/.test(text)) return Number.NaN;
  return parseInt(text, 8);
}

/**
 * Unpacks a tar stream written by `tarDirectory` into `target` (which must
 * not exist yet) and returns the path of its top directory. The stream must
 * end with tar's two zero blocks: a truncated or damaged archive fails.
 */
export async function extractTar(
  source: AsyncIterable<Buffer>,
  target: string,
  name: string,
): Promise<string> {
  const damaged = (why: string): UserError =>
    new UserError(`The backup ${name} is damaged: ${why}. Use another backup.`);
  const reader = new ByteReader(source[Symbol.asyncIterator]());
  await fs.mkdir(target, { mode: DIR_MODE });
  let top: string | undefined;
  const seen = new Set<string>();
  for (;;) {
    const header = await reader.read(BLOCK);
    if (header.length < BLOCK) throw damaged('its tar archive ends early');
    if (header.every((byte) => byte === 0)) {
      const second = await reader.read(BLOCK);
      if (second.length < BLOCK || !second.every((byte) => byte === 0))
        throw damaged('its tar archive ends early');
      // Read to the very end (a decryption checks its integrity there); tar pads with zeros only.
      for await (const piece of reader.pieces(Number.MAX_SAFE_INTEGER)) {
        if (!piece.every((byte) => byte === 0))
          throw damaged('bytes follow the end of its tar archive');
      }
      break;
    }
    if (readNumber(header, 148, 8) !== checksum(header))
      throw damaged('a tar header fails its checksum');
    if (readString(header, 257, 6) !== 'ustar') throw damaged('a tar header is not ustar');
    const entry = readString(header, 0, 100);
    const type = String.fromCharCode(header[156] ?? 0);
    const size = readNumber(header, 124, 12);
    if (!Number.isSafeInteger(size) || size < 0) throw damaged('a tar header has no valid size');
    if (top === undefined) {
      const match = /^([A-Za-z0-9_][A-Za-z0-9_.-]*)\/$/.exec(entry);
      if (type !== '5' || !match?.[1])
        throw damaged('its tar archive does not start with a directory');
      top = match[1];
      await fs.mkdir(path.join(target, top), { mode: DIR_MODE });
      continue;
    }
    const base = entry.startsWith(`${top}/`) ? entry.slice(top.length + 1) : '';
    if ((type !== '0' && type !== '\0') || !PLAIN_NAME.test(base) || seen.has(base)) {
      throw damaged(
        `its tar archive holds ${JSON.stringify(entry)}, which a pg_dump directory never does`,
      );
    }
    seen.add(base);
    const output = createWriteStream(path.join(target, top, base), {
      flags: 'wx',
      mode: FILE_MODE,
    });
    let written = 0;
    try {
      for await (const piece of reader.pieces(size)) {
        written += piece.length;
        if (!output.write(piece)) await once(output, 'drain');
      }
    } finally {
      output.end();
      await finished(output);
    }
    if (written < size) throw damaged(`its tar archive ends inside ${base}`);
    const padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if ((await reader.read(padding)).length < padding) throw damaged('its tar archive ends early');
  }
  if (top === undefined) throw damaged('its tar archive is empty');
  return path.join(target, top);
}
