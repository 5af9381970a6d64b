import fs from 'node:fs/promises';
import { ArchiveReader, readEntryFields, readHeader, UnexpectedArchive } from './archive-toc.js';

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
 * The table of contents is read as archive-toc.ts reads it; the data blocks
 * as pg_backup_custom.c's _ReadExtraToc and _readBlockHeader lay them out.
 */

const OFFSET_NOT_SET = 1;
const OFFSET_SET = 2;
const NO_DATA = 3;
const BLOCK_DATA = 1;
const BLOCK_LARGE_OBJECTS = 3;

/** Each entry whose data has no offset: its id, and where its offset field is. */
async function entriesWithoutOffsets(reader: ArchiveReader): Promise<Map<number, number>> {
  const count = await reader.int();
  const unset = new Map<number, number>();
  for (let i = 0; i < count; i += 1) {
    const { id } = await readEntryFields(reader);
    const field = reader.position;
    const state = await reader.byte();
    reader.position += reader.offSize;
    if (state === OFFSET_NOT_SET) unset.set(id, field);
    else if (state !== OFFSET_SET && state !== NO_DATA) {
      throw new UnexpectedArchive('an unknown offset state');
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
    if (length < 0) throw new UnexpectedArchive('a negative chunk length');
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
    if (blocks.has(id)) throw new UnexpectedArchive('a block twice');
    blocks.set(id, start);
    if (type === BLOCK_DATA) await skipData(reader);
    else if (type === BLOCK_LARGE_OBJECTS) {
      while ((await reader.int()) !== 0) await skipData(reader);
    } else throw new UnexpectedArchive('an unknown block type');
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
  if (rest !== 0) throw new UnexpectedArchive('an offset too large for the field');
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
      await readHeader(reader, 'custom');
      const unset = await entriesWithoutOffsets(reader);
      if (unset.size === 0) return 0;
      const blocks = await findBlocks(reader);
      for (const id of blocks.keys()) {
        if (!unset.has(id)) throw new UnexpectedArchive('a block no entry waits for');
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
      if (error instanceof UnexpectedArchive) return 0;
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
