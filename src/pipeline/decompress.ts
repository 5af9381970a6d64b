import { pipeline, Readable, type Transform } from 'node:stream';
import zlib from 'node:zlib';
import type { CompressionAlgorithm } from '../domain/compression.js';
import { formatOfContent } from '../domain/dump-format.js';
import { UserError } from '../domain/errors.js';
import { assertZstdAvailable } from './compress.js';

/** What a backup's plain bytes (after any decryption) start like. */
export type ContentKind = 'gzip' | 'zstd' | 'sqlite' | 'text' | 'pg-archive' | 'empty' | 'unknown';

/** Enough to see every magic number below (a tar header's "ustar" ends at byte 262). */
export const CONTENT_SNIFF_BYTES = 512;

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Classifies the start of a backup's content by its magic bytes, whatever
 * its name says: gzip `1f 8b`; a zstd frame `28 b5 2f fd`, or a skippable
 * frame `5? 2a 4d 18` (RFC 8878); an uncompressed SQLite database; or text,
 * as an uncompressed pg_dump is; or a pg_dump archive (custom, or a directory
 * as tar). Anything else (binary bytes that are none of
 * these, such as a gzip file whose first byte was damaged) is `unknown`.
 */
export function classifyContent(head: Uint8Array): ContentKind {
  if (head.length === 0) return 'empty';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  if ((head[0] ?? 0) >> 4 === 0x5 && head[1] === 0x2a && head[2] === 0x4d && head[3] === 0x18)
    return 'zstd';
  const bytes = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (bytes.subarray(0, SQLITE_HEADER.length).equals(SQLITE_HEADER)) return 'sqlite';
  // An uncompressed pg_dump custom archive, or the tar file of a directory archive.
  if (formatOfContent(bytes) !== 'plain') return 'pg-archive';
  // Text holds no control characters but tab, newline, form feed, carriage return and escape.
  for (const byte of bytes) {
    if (
      byte < 0x20 &&
      byte !== 0x09 &&
      byte !== 0x0a &&
      byte !== 0x0c &&
      byte !== 0x0d &&
      byte !== 0x1b
    )
      return 'unknown';
    if (byte === 0x7f) return 'unknown';
  }
  return 'text';
}

/** The compression a content kind stands for. */
export function compressionOf(kind: ContentKind): CompressionAlgorithm {
  return kind === 'gzip' || kind === 'zstd' ? kind : 'none';
}

/**
 * Output in 128 KiB pieces rather than zlib's 16 KiB: every piece is one trip
 * through the thread pool and one write to the next stage (psql's stdin), and
 * at 16 KiB those trips cost more system time than the decompression itself.
 */
const OUTPUT_CHUNK = 128 * 1024;

function decompressorFor(kind: ContentKind): Transform | undefined {
  if (kind === 'gzip') return zlib.createGunzip({ chunkSize: OUTPUT_CHUNK });
  if (kind === 'zstd') {
    assertZstdAvailable();
    return zlib.createZstdDecompress({ chunkSize: OUTPUT_CHUNK });
  }
  return undefined;
}

/**
 * A pipeline stage (an async generator, as `stream.pipeline` takes them) that
 * looks at the first bytes of the content, tells `onContent` what they are,
 * and decompresses accordingly: gzip, zstd, or nothing for an uncompressed
 * dump. A file that is empty or none of these is refused before any byte
 * goes further.
 */
export function decompressByContent(
  name: string,
  onContent: (kind: ContentKind) => void,
  /** The bytes come out of a decryption: garbage then most likely means a wrong passphrase. */
  decrypted = false,
): (source: AsyncIterable<Buffer>) => AsyncGenerator<Buffer> {
  return async function* (source) {
    const iterator = source[Symbol.asyncIterator]();
    const head: Buffer[] = [];
    let length = 0;
    let ended = false;
    while (length < CONTENT_SNIFF_BYTES) {
      const next = await iterator.next();
      if (next.done === true) {
        ended = true;
        break;
      }
      head.push(next.value);
      length += next.value.length;
    }
    const start = Buffer.concat(head);
    const kind = classifyContent(start);
    if (kind === 'empty') throw new UserError(`The backup ${name} holds no data (0 bytes).`);
    if (kind === 'unknown') {
      throw new UserError(
        decrypted
          ? `Cannot decrypt the backup: wrong passphrase, or the file is damaged (${name} decrypts to neither gzip nor zstd nor an uncompressed dump). Check the passphrase, or use another backup.`
          : `The backup ${name} is neither gzip nor zstd nor an uncompressed dump: it is damaged or not a backup. Use another backup.`,
      );
    }
    onContent(kind);
    const rest = (async function* (): AsyncGenerator<Buffer> {
      yield start;
      while (!ended) {
        const next = await iterator.next();
        if (next.done === true) return;
        yield next.value;
      }
    })();
    const decompressor = decompressorFor(kind);
    if (!decompressor) {
      yield* rest;
      return;
    }
    // pipeline() carries an error either way: a failing source destroys the decompressor.
    yield* pipeline(Readable.from(rest, { objectMode: false }), decompressor, () => undefined);
  };
}
