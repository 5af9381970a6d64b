import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { unzipSingleFile } from '../src/storage/zip-single-file.js';

interface Entry {
  name: string;
  data: Buffer;
  method?: 0 | 8;
  /** Sizes and CRC after the data (a zip written as a stream) instead of in the local header. */
  descriptor?: boolean;
  /** Sizes in zip64 extra fields and zip64 end records, as for files over 4 GiB. */
  zip64?: boolean;
}

/** Writes a zip the way the format describes it, so that each variant is exercised on purpose. */
function buildZip(
  entries: Entry[],
  options: { comment?: string; crcOverride?: number } = {},
): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const push = (buffer: Buffer) => {
    parts.push(buffer);
    offset += buffer.length;
  };
  for (const entry of entries) {
    const method = entry.method ?? 8;
    const stored = method === 8 ? zlib.deflateRawSync(entry.data) : entry.data;
    const crc = options.crcOverride ?? zlib.crc32(entry.data);
    const name = Buffer.from(entry.name);
    const localOffset = offset;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(entry.zip64 ? 45 : 20, 4);
    local.writeUInt16LE(entry.descriptor ? 8 : 0, 6);
    local.writeUInt16LE(method, 8);
    if (!entry.descriptor) {
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(stored.length, 18);
      local.writeUInt32LE(entry.data.length, 22);
    }
    local.writeUInt16LE(name.length, 26);
    push(Buffer.concat([local, name]));
    push(stored);
    if (entry.descriptor) {
      const descriptor = Buffer.alloc(entry.zip64 ? 24 : 16);
      descriptor.writeUInt32LE(0x08074b50, 0);
      descriptor.writeUInt32LE(crc, 4);
      if (entry.zip64) {
        descriptor.writeBigUInt64LE(BigInt(stored.length), 8);
        descriptor.writeBigUInt64LE(BigInt(entry.data.length), 16);
      } else {
        descriptor.writeUInt32LE(stored.length, 8);
        descriptor.writeUInt32LE(entry.data.length, 12);
      }
      push(descriptor);
    }
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(entry.zip64 ? 45 : 20, 4);
    header.writeUInt16LE(entry.zip64 ? 45 : 20, 6);
    header.writeUInt16LE(entry.descriptor ? 8 : 0, 8);
    header.writeUInt16LE(method, 10);
    header.writeUInt32LE(crc, 16);
    let extra = Buffer.alloc(0);
    if (entry.zip64) {
      header.writeUInt32LE(0xffffffff, 20);
      header.writeUInt32LE(0xffffffff, 24);
      header.writeUInt32LE(0xffffffff, 42);
      extra = Buffer.alloc(28);
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(entry.data.length), 4);
      extra.writeBigUInt64LE(BigInt(stored.length), 12);
      extra.writeBigUInt64LE(BigInt(localOffset), 20);
    } else {
      header.writeUInt32LE(stored.length, 20);
      header.writeUInt32LE(entry.data.length, 24);
      header.writeUInt32LE(localOffset, 42);
    }
    header.writeUInt16LE(name.length, 28);
    header.writeUInt16LE(extra.length, 30);
    central.push(Buffer.concat([header, name, extra]));
  }
  const directoryOffset = offset;
  const directory = Buffer.concat(central);
  push(directory);
  const zip64 = entries.some((entry) => entry.zip64);
  if (zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(entries.length), 24);
    record.writeBigUInt64LE(BigInt(entries.length), 32);
    record.writeBigUInt64LE(BigInt(directory.length), 40);
    record.writeBigUInt64LE(BigInt(directoryOffset), 48);
    const recordOffset = offset;
    push(record);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(recordOffset), 8);
    locator.writeUInt32LE(1, 16);
    push(locator);
  }
  const comment = Buffer.from(options.comment ?? '');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64 ? 0xffff : entries.length, 8);
  end.writeUInt16LE(zip64 ? 0xffff : entries.length, 10);
  end.writeUInt32LE(zip64 ? 0xffffffff : directory.length, 12);
  end.writeUInt32LE(zip64 ? 0xffffffff : directoryOffset, 16);
  end.writeUInt16LE(comment.length, 20);
  push(Buffer.concat([end, comment]));
  return Buffer.concat(parts);
}

/** Feeds `zip` in chunks of `chunkSize` bytes and collects what comes out. */
async function unzip(zip: Buffer, chunkSize = 64 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let at = 0; at < zip.length; at += chunkSize) chunks.push(zip.subarray(at, at + chunkSize));
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(chunks),
    unzipSingleFile,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        out.push(chunk);
        callback();
      },
    }),
  );
  return Buffer.concat(out);
}

describe('unzipSingleFile', () => {
  const small = Buffer.from('SELECT 1;\n'.repeat(1000));
  const large = Buffer.concat([randomBytes(1_500_000), Buffer.alloc(1_500_000, 'x')]);

  test.each([
    ['stored, sizes in the local header', { method: 0 as const }],
    ['deflated, sizes in the local header', { method: 8 as const }],
    ['stored, written as a stream (data descriptor)', { method: 0 as const, descriptor: true }],
    ['deflated, written as a stream (data descriptor)', { method: 8 as const, descriptor: true }],
    ['stored, zip64', { method: 0 as const, descriptor: true, zip64: true }],
    ['deflated, zip64', { method: 8 as const, descriptor: true, zip64: true }],
  ])('extracts one file: %s', async (_what, variant) => {
    for (const data of [small, large, Buffer.alloc(0)]) {
      const zip = buildZip([{ name: 'backup.sql.gz', data, ...variant }]);
      expect((await unzip(zip)).equals(data)).toBe(true);
      // Chunk boundaries anywhere: one byte at a time for the small one.
      if (data === small) expect((await unzip(zip, 1)).equals(data)).toBe(true);
    }
  });

  test('an archive comment does not get in the way', async () => {
    const zip = buildZip([{ name: 'a', data: large, descriptor: true }], {
      comment: 'c'.repeat(60_000),
    });
    expect((await unzip(zip, 4096)).equals(large)).toBe(true);
  });

  test.each([
    [
      'two files',
      () =>
        buildZip([
          { name: 'a', data: small },
          { name: 'b', data: small },
        ]),
      /holds 2 entries, not one file/,
    ],
    [
      'a cut-off download',
      () => buildZip([{ name: 'a', data: large, descriptor: true }]).subarray(0, -10),
      /end of central directory not found/,
    ],
    [
      'a wrong CRC',
      () => buildZip([{ name: 'a', data: large }], { crcOverride: 1234 }),
      /the file inside is damaged/,
    ],
    ['not a zip at all', () => zlib.gzipSync(small), /no zip signature/],
    [
      'a directory',
      () => buildZip([{ name: 'dir/', data: Buffer.alloc(0), method: 0 }]),
      /only entry is a directory/,
    ],
  ])('refuses %s', async (_what, make, message) => {
    await expect(unzip(make())).rejects.toThrow(message);
  });

  test('a damaged deflate stream fails', async () => {
    const zip = buildZip([{ name: 'a', data: large, descriptor: true }]);
    zip.fill(0xff, 40, 2000);
    await expect(unzip(zip)).rejects.toThrow();
  });
});
