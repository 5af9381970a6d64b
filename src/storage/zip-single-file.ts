import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

/**
 * Streams the one file out of a zip that holds exactly one (what
 * upload-artifact made of a single file before unzipped artifacts existed),
 * for `stream.pipeline`: zip bytes in, the file's bytes out, memory bounded.
 *
 * A zip written as a stream (archiver, as @actions/artifact uses it) puts the
 * sizes and CRC after the data, and the authoritative ones in the central
 * directory at the very end. So the last bytes are held back until the input
 * ends; then the central directory says how many of them still belong to the
 * data, and the CRC-32 and size of what came out are checked against it.
 */
export async function* unzipSingleFile(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const input = source[Symbol.asyncIterator]();
  const { header, rest } = await readLocalHeader(input);
  const found: { entry?: CentralEntry } = {};
  const data = entryData(rest, input, header.length, found);
  const plain = header.method === STORED ? data : inflateRaw(data);
  let crc = 0;
  let size = 0;
  for await (const chunk of plain) {
    crc = zlib.crc32(chunk, crc);
    size += chunk.length;
    yield chunk;
  }
  const entry = found.entry;
  if (!entry) throw new ZipError('the central directory was not read');
  if (entry.method !== header.method) throw new ZipError('local and central headers disagree');
  if (size !== entry.uncompressedSize || crc >>> 0 !== entry.crc32) {
    throw new ZipError(
      `the file inside is damaged (${size} bytes, CRC-32 ${hex(crc)}; ` +
        `the zip says ${entry.uncompressedSize} bytes, CRC-32 ${hex(entry.crc32)})`,
    );
  }
}

export class ZipError extends Error {
  constructor(problem: string) {
    super(`Not a readable single-file zip: ${problem}.`);
  }
}

const STORED = 0;
const DEFLATED = 8;
const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_END_LOCATOR = 0x07064b50;
const ZIP64_END = 0x06064b50;
const ZIP64_EXTRA = 0x0001;
/**
 * Bytes held back at the end: more than any trailer (data descriptor, one
 * central entry with a 64 KiB name/extra/comment, zip64 records, the end
 * record with a 64 KiB comment).
 */
const TRAILER_WINDOW = 512 * 1024;

interface LocalHeader {
  readonly method: number;
  /** Bytes from the start of the zip to the first byte of data. */
  readonly length: number;
}

interface CentralEntry {
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
}

async function readLocalHeader(
  input: AsyncIterator<Buffer>,
): Promise<{ header: LocalHeader; rest: Buffer }> {
  let buffer = Buffer.alloc(0);
  const need = async (length: number): Promise<void> => {
    while (buffer.length < length) {
      const next = await input.next();
      if (next.done) throw new ZipError('it ends inside the first header');
      buffer = Buffer.concat([buffer, next.value]);
    }
  };
  await need(30);
  if (buffer.readUInt32LE(0) !== LOCAL_HEADER) throw new ZipError('no zip signature');
  const flags = buffer.readUInt16LE(6);
  const method = buffer.readUInt16LE(8);
  if (flags & 1) throw new ZipError('the entry is encrypted');
  if (method !== STORED && method !== DEFLATED) {
    throw new ZipError(`compression method ${method} is not supported`);
  }
  const length = 30 + buffer.readUInt16LE(26) + buffer.readUInt16LE(28);
  await need(length);
  return { header: { method, length }, rest: buffer.subarray(length) };
}

/**
 * The entry's compressed bytes, exactly: everything after the local header
 * except the trailer, which is parsed into `found.entry` once the input ends.
 */
async function* entryData(
  first: Buffer,
  input: AsyncIterator<Buffer>,
  headerLength: number,
  found: { entry?: CentralEntry },
): AsyncGenerator<Buffer> {
  const held: Buffer[] = first.length > 0 ? [first] : [];
  let heldLength = first.length;
  let passed = 0;
  for (;;) {
    const next = await input.next();
    if (next.done) break;
    held.push(next.value);
    heldLength += next.value.length;
    while (held.length > 1 && heldLength - held[0]!.length >= TRAILER_WINDOW) {
      const chunk = held.shift()!;
      heldLength -= chunk.length;
      passed += chunk.length;
      yield chunk;
    }
  }
  const tail = Buffer.concat(held);
  const entry = parseTrailer(tail, headerLength + passed);
  found.entry = entry;
  const remaining = entry.compressedSize - passed;
  if (remaining < 0 || remaining > tail.length) {
    throw new ZipError('the central directory does not match the data');
  }
  if (remaining > 0) yield tail.subarray(0, remaining);
}

async function* inflateRaw(data: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const inflater = zlib.createInflateRaw();
  // Errors of either side end up in the iteration below; the pipeline's own rejection is
  // awaited after it so none goes unhandled.
  const feeding = pipeline(Readable.from(data), inflater).then(
    () => undefined,
    (error: unknown) => (error instanceof Error ? error : new Error('inflating failed')),
  );
  for await (const chunk of inflater) yield chunk as Buffer;
  const failure = await feeding;
  if (failure) throw failure;
}

/** Reads the end records and the single central directory entry from the held-back tail. */
function parseTrailer(tail: Buffer, tailOffset: number): CentralEntry {
  const end = findEndRecord(tail);
  let entries = tail.readUInt16LE(end + 10);
  let directorySize = tail.readUInt32LE(end + 12);
  let directoryEnd = end;
  if (entries === 0xffff || directorySize === 0xffffffff) {
    const locator = end - 20;
    if (locator < 0 || tail.readUInt32LE(locator) !== ZIP64_END_LOCATOR) {
      throw new ZipError('zip64 end locator missing');
    }
    const record = Number(tail.readBigUInt64LE(locator + 8)) - tailOffset;
    if (record < 0 || tail.readUInt32LE(record) !== ZIP64_END) {
      throw new ZipError('zip64 end record missing');
    }
    entries = Number(tail.readBigUInt64LE(record + 32));
    directorySize = Number(tail.readBigUInt64LE(record + 40));
    directoryEnd = record;
  }
  if (entries !== 1) throw new ZipError(`it holds ${entries} entries, not one file`);
  const at = directoryEnd - directorySize;
  if (at < 0 || tail.readUInt32LE(at) !== CENTRAL_HEADER) {
    throw new ZipError('central directory not found');
  }
  const nameLength = tail.readUInt16LE(at + 28);
  const name = tail.toString('utf8', at + 46, at + 46 + nameLength);
  if (name.endsWith('/')) throw new ZipError('its only entry is a directory');
  const sizes = {
    uncompressedSize: tail.readUInt32LE(at + 24),
    compressedSize: tail.readUInt32LE(at + 20),
    localHeaderOffset: tail.readUInt32LE(at + 42),
  };
  applyZip64Extra(
    sizes,
    tail.subarray(at + 46 + nameLength, at + 46 + nameLength + tail.readUInt16LE(at + 30)),
  );
  if (sizes.localHeaderOffset !== 0) throw new ZipError('the file does not start the zip');
  return {
    method: tail.readUInt16LE(at + 10),
    crc32: tail.readUInt32LE(at + 16),
    compressedSize: sizes.compressedSize,
    uncompressedSize: sizes.uncompressedSize,
  };
}

function findEndRecord(tail: Buffer): number {
  const earliest = Math.max(0, tail.length - 22 - 0xffff);
  for (let at = tail.length - 22; at >= earliest; at -= 1) {
    if (
      tail.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY &&
      at + 22 + tail.readUInt16LE(at + 20) === tail.length
    ) {
      return at;
    }
  }
  throw new ZipError('end of central directory not found (a truncated download?)');
}

/** Sizes of 0xffffffff live in the zip64 extra field, in this order, when present. */
function applyZip64Extra(
  sizes: { uncompressedSize: number; compressedSize: number; localHeaderOffset: number },
  extra: Buffer,
): void {
  for (let at = 0; at + 4 <= extra.length;) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === ZIP64_EXTRA) {
      let field = at + 4;
      for (const key of ['uncompressedSize', 'compressedSize', 'localHeaderOffset'] as const) {
        if (sizes[key] !== 0xffffffff) continue;
        sizes[key] = Number(extra.readBigUInt64LE(field));
        field += 8;
      }
      return;
    }
    at += 4 + length;
  }
}

function hex(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}
