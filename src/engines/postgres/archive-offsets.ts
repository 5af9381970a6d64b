import fs, { type FileHandle } from 'node:fs/promises';

/**
 * pg_dump -Fc writing to a pipe cannot go back and note in its table of
 * contents where each table's data starts, so every pg_restore --jobs worker
 * looks for its tables by reading the archive from the start: on a 1 GB
 * database, stock `pg_restore -j2` of such an archive took 13.8 s and 13 s of
 * CPU, against 8.9 s and 1.4 s for one pg_dump wrote to a file.
 *
 * This writes those offsets into a decoded copy of the archive, in the places
 * pg_dump leaves for them (a flag byte and `offSize` bytes per entry, so
 * nothing moves): what pg_dump itself does when its output can seek. The
 * data blocks are found by reading the archive once, as pg_restore would.
 *
 * It changes nothing unless the whole archive read as expected: any surprise
 * (a layout it does not know, a block no entry owns) leaves the file as it
 * was, and pg_restore finds the data by reading, as before. pg_restore checks
 * the block it finds at each offset against the entry's id, so a wrong offset
 * would fail the restore, never restore the wrong data.
 *
 * The layout is pg_dump's (src/bin/pg_dump/pg_backup_archiver.c, ReadHead and
 * ReadToc; pg_backup_custom.c, _ReadExtraToc and _readBlockHeader), archive
 * versions 1.12 to 1.16.
 */

const OFFSET_NOT_SET = 1;
const OFFSET_SET = 2;
const NO_DATA = 3;
const BLOCK_DATA = 1;
const BLOCK_LARGE_OBJECTS = 3;
const READ_SIZE = 1024 * 1024;
const CUSTOM_FORMAT = 1;

/** Archive versions whose layout this reads, as major * 1000 + minor: 1.12 (PostgreSQL 9.x) to 1.16 (17 and 18). */
const OLDEST = 1012;
const NEWEST = 1016;

class Unexpected extends Error {}

/** Reads an archive front to back through a buffer; fields that straddle its end refill it. */
class ArchiveReader {
  private readonly buffer = Buffer.allocUnsafe(READ_SIZE);
  /** File position of buffer[0], and how many bytes from there are loaded. */
  private bufferStart = 0;
  private loaded = 0;
  /** File position of the next byte to read. */
  position = 0;
  intSize = 4;
  offSize = 8;
  /** major * 1000 + minor */
  version = 0;

  constructor(private readonly handle: FileHandle) {}

  /** Whether `count` bytes from the position are loaded already. */
  has(count: number): boolean {
    return (
      this.position >= this.bufferStart && this.position + count <= this.bufferStart + this.loaded
    );
  }

  /** True once `count` bytes from the position are loaded; false when the file ends first. */
  async ensure(count: number): Promise<boolean> {
    if (this.has(count)) return true;
    const { bytesRead } = await this.handle.read(this.buffer, 0, READ_SIZE, this.position);
    this.bufferStart = this.position;
    this.loaded = bytesRead;
    return count <= bytesRead;
  }

  async need(count: number): Promise<void> {
    if (!(await this.ensure(count))) throw new Unexpected('the archive ends early');
  }

  async byte(): Promise<number> {
    await this.need(1);
    return this.byteLoaded();
  }

  private byteLoaded(): number {
    const value = this.buffer[this.position - this.bufferStart] ?? 0;
    this.position += 1;
    return value;
  }

  async int(): Promise<number> {
    await this.need(1 + this.intSize);
    return this.intLoaded();
  }

  /** pg_dump's integer, already loaded: a sign byte, then `intSize` bytes, least significant first. */
  intLoaded(): number {
    const negative = this.byteLoaded() !== 0;
    let value = 0;
    for (let i = 0; i < this.intSize; i += 1) {
      const byte = this.byteLoaded();
      if (i >= 4 && byte !== 0) throw new Unexpected('an integer too large');
      value += byte * 2 ** (8 * i);
    }
    return negative ? -value : value;
  }

  /** A string: its length (negative for none), then its bytes; only skipped here. */
  async skipString(): Promise<boolean> {
    const length = await this.int();
    if (length < 0) return false;
    this.position += length;
    return true;
  }

  async text(): Promise<string> {
    const length = await this.int();
    if (length <= 0) return '';
    await this.need(length);
    const start = this.position - this.bufferStart;
    this.position += length;
    return this.buffer.toString('latin1', start, start + length);
  }
}

/** Reads the header, up to the table of contents. */
async function readHeader(reader: ArchiveReader): Promise<void> {
  const magic = [];
  for (let i = 0; i < 5; i += 1) magic.push(await reader.byte());
  if (Buffer.from(magic).toString('latin1') !== 'PGDMP') throw new Unexpected('not an archive');
  reader.version = (await reader.byte()) * 1000 + (await reader.byte());
  await reader.byte(); // revision
  if (reader.version < OLDEST || reader.version > NEWEST) {
    throw new Unexpected('an archive version this does not know');
  }
  reader.intSize = await reader.byte();
  reader.offSize = await reader.byte();
  if (reader.intSize < 1 || reader.intSize > 8 || reader.offSize < 1 || reader.offSize > 8) {
    throw new Unexpected('unusual integer sizes');
  }
  if ((await reader.byte()) !== CUSTOM_FORMAT) throw new Unexpected('not a custom archive');
  // The compression: an algorithm byte since 1.15, a level before.
  if (reader.version >= 1015) await reader.byte();
  else await reader.int();
  for (let i = 0; i < 7; i += 1) await reader.int(); // the creation time
  await reader.skipString(); // database name
  await reader.skipString(); // server version
  await reader.skipString(); // pg_dump version
}

/** Each entry whose data has no offset: its id, and where its offset field is. */
async function readTableOfContents(reader: ArchiveReader): Promise<Map<number, number>> {
  const count = await reader.int();
  const unset = new Map<number, number>();
  for (let i = 0; i < count; i += 1) {
    const id = await reader.int();
    await reader.int(); // had a data dumper
    await reader.skipString(); // table oid
    await reader.skipString(); // oid
    await reader.skipString(); // tag
    await reader.skipString(); // desc
    await reader.int(); // section
    await reader.skipString(); // definition
    await reader.skipString(); // drop statement
    await reader.skipString(); // copy statement
    await reader.skipString(); // namespace
    await reader.skipString(); // tablespace
    if (reader.version >= 1014) await reader.skipString(); // table access method
    if (reader.version >= 1016) await reader.int(); // relkind
    await reader.skipString(); // owner
    if ((await reader.text()) !== 'false') throw new Unexpected('an entry with OIDs');
    while (await reader.skipString()); // dependencies, ended by a missing string
    const field = reader.position;
    const state = await reader.byte();
    reader.position += reader.offSize;
    if (state === OFFSET_NOT_SET) unset.set(id, field);
    else if (state !== OFFSET_SET && state !== NO_DATA) {
      throw new Unexpected('an unknown offset state');
    }
  }
  return unset;
}

/** Skips one block's data: chunks, each its length then its bytes, ended by a length of 0. */
async function skipData(reader: ArchiveReader): Promise<void> {
  const width = 1 + reader.intSize;
  for (;;) {
    // A chunk per row is usual: read what is loaded without a trip through the event loop.
    if (!reader.has(width)) await reader.need(width);
    const length = reader.intLoaded();
    if (length === 0) return;
    if (length < 0) throw new Unexpected('a negative chunk length');
    reader.position += length;
  }
}

/** Where each data block starts, by the id of the entry it belongs to. */
async function findBlocks(reader: ArchiveReader): Promise<Map<number, number>> {
  const blocks = new Map<number, number>();
  while (await reader.ensure(1)) {
    const start = reader.position;
    const type = await reader.byte();
    const id = await reader.int();
    if (blocks.has(id)) throw new Unexpected('a block twice');
    blocks.set(id, start);
    if (type === BLOCK_DATA) await skipData(reader);
    else if (type === BLOCK_LARGE_OBJECTS) {
      while ((await reader.int()) !== 0) await skipData(reader);
    } else throw new Unexpected('an unknown block type');
  }
  return blocks;
}

/** The offset field as pg_dump writes it: the "set" flag, then offSize bytes, least significant first. */
function offsetField(offset: number, offSize: number): Buffer {
  const field = Buffer.alloc(1 + offSize);
  field[0] = OFFSET_SET;
  let rest = offset;
  for (let i = 1; i <= offSize; i += 1) {
    field[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  if (rest !== 0) throw new Unexpected('an offset too large for the field');
  return field;
}

/**
 * Notes in a custom archive's table of contents where each entry's data
 * starts. Returns how many entries it gave an offset; 0 when it left the file
 * as it was.
 */
export async function writeDataOffsets(archive: string): Promise<number> {
  const handle = await fs.open(archive, 'r+');
  try {
    const reader = new ArchiveReader(handle);
    let fields: Buffer[];
    let places: number[];
    try {
      await readHeader(reader);
      const unset = await readTableOfContents(reader);
      if (unset.size === 0) return 0;
      const blocks = await findBlocks(reader);
      for (const id of blocks.keys()) {
        if (!unset.has(id)) throw new Unexpected('a block no entry waits for');
      }
      places = [];
      fields = [];
      for (const [id, field] of unset) {
        const start = blocks.get(id);
        if (start === undefined) continue;
        places.push(field);
        fields.push(offsetField(start, reader.offSize));
      }
    } catch (error) {
      if (error instanceof Unexpected) return 0;
      throw error;
    }
    for (const [i, field] of fields.entries()) {
      await handle.write(field, 0, field.length, places[i]);
    }
    return fields.length;
  } finally {
    await handle.close();
  }
}
