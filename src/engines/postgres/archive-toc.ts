import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/**
 * Reading a pg_dump archive's header and table of contents, field by field,
 * as pg_restore does (src/bin/pg_dump/pg_backup_archiver.c, ReadHead and
 * ReadToc), archive versions 1.12 to 1.16. A custom archive holds them at its
 * start; a directory archive in its toc.dat. Anything unexpected throws
 * {@link UnexpectedArchive}: callers then leave the archive to pg_restore.
 */

const READ_SIZE = 1024 * 1024;

/**
 * pg_backup.h's ArchiveFormat, as the header's format byte gives it: a
 * directory archive's toc.dat says archTar (3), "the directory is compatible
 * with 'tar'" (pg_backup_directory.c, _CloseArchive).
 */
const FORMAT_BYTE = { custom: 1, directory: 3 } as const;

/** Archive versions whose layout this reads, as major * 1000 + minor: 1.12 (PostgreSQL 9.x) to 1.16 (17 and 18). */
const OLDEST = 1012;
const NEWEST = 1016;

export class UnexpectedArchive extends Error {}

/** Reads an archive front to back through a buffer; fields that straddle its end refill it. */
export class ArchiveReader {
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
    if (!(await this.ensure(count))) throw new UnexpectedArchive('the archive ends early');
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
      if (i >= 4 && byte !== 0) throw new UnexpectedArchive('an integer too large');
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

  /** A string's text (UTF-8, as pg_dump writes names); undefined for none. */
  async text(): Promise<string | undefined> {
    const length = await this.int();
    if (length < 0) return undefined;
    if (length === 0) return '';
    await this.need(length);
    const start = this.position - this.bufferStart;
    this.position += length;
    return this.buffer.toString('utf8', start, start + length);
  }
}

/** Reads the header, up to the table of contents; the format byte must be `format`'s. */
export async function readHeader(
  reader: ArchiveReader,
  format: 'custom' | 'directory',
): Promise<void> {
  const magic = [];
  for (let i = 0; i < 5; i += 1) magic.push(await reader.byte());
  if (Buffer.from(magic).toString('latin1') !== 'PGDMP') {
    throw new UnexpectedArchive('not an archive');
  }
  reader.version = (await reader.byte()) * 1000 + (await reader.byte());
  await reader.byte(); // revision
  if (reader.version < OLDEST || reader.version > NEWEST) {
    throw new UnexpectedArchive('an archive version this does not know');
  }
  reader.intSize = await reader.byte();
  reader.offSize = await reader.byte();
  if (reader.intSize < 1 || reader.intSize > 8 || reader.offSize < 1 || reader.offSize > 8) {
    throw new UnexpectedArchive('unusual integer sizes');
  }
  if ((await reader.byte()) !== FORMAT_BYTE[format]) {
    throw new UnexpectedArchive(`not a ${format} archive`);
  }
  // The compression: an algorithm byte since 1.15, a level before.
  if (reader.version >= 1015) await reader.byte();
  else await reader.int();
  for (let i = 0; i < 7; i += 1) await reader.int(); // the creation time
  await reader.skipString(); // database name
  await reader.skipString(); // server version
  await reader.skipString(); // pg_dump version
}

/** One entry of the table of contents: what `pg_restore --list` prints of it, field by field. */
export interface TocEntry {
  readonly id: number;
  /** SCHEMA, TABLE, TABLE DATA, COMMENT, ACL, … */
  readonly desc: string;
  /** The object's name (a comment's or grant's: "SCHEMA sales"). */
  readonly tag: string;
  /** The schema it is in; empty for objects outside any (a schema, its comment). */
  readonly namespace: string;
  /** The ids of the entries it depends on. */
  readonly dependencies: readonly number[];
  /**
   * A schema entry whose SQL makes it (CREATE SCHEMA). pg_dump's entry for
   * the public schema only says it is not made (initdb makes it), unless
   * `--schema` named public.
   */
  readonly createsSchema: boolean;
}

/**
 * Reads the entry's fields up to its format's own part (a custom archive's
 * data offset, a directory archive's file name), which is left unread.
 */
export async function readEntryFields(reader: ArchiveReader): Promise<TocEntry> {
  const id = await reader.int();
  await reader.int(); // had a data dumper
  await reader.skipString(); // table oid
  await reader.skipString(); // oid
  const tag = (await reader.text()) ?? '';
  const desc = (await reader.text()) ?? '';
  await reader.int(); // section
  // The definition: read for a schema (a line or two), skipped for the rest.
  let createsSchema = false;
  if (desc === 'SCHEMA') createsSchema = /^CREATE SCHEMA\b/m.test((await reader.text()) ?? '');
  else await reader.skipString();
  await reader.skipString(); // drop statement
  await reader.skipString(); // copy statement
  const namespace = (await reader.text()) ?? '';
  await reader.skipString(); // tablespace
  if (reader.version >= 1014) await reader.skipString(); // table access method
  if (reader.version >= 1016) await reader.int(); // relkind
  await reader.skipString(); // owner
  if ((await reader.text()) !== 'false') throw new UnexpectedArchive('an entry with OIDs');
  const dependencies: number[] = [];
  for (let dependency = await reader.text(); dependency !== undefined;) {
    const value = Number(dependency);
    if (!Number.isSafeInteger(value)) throw new UnexpectedArchive('a dependency that is no id');
    dependencies.push(value);
    dependency = await reader.text();
  }
  return { id, desc, tag, namespace, dependencies, createsSchema };
}

/**
 * Every entry of an archive's table of contents (a custom archive's file, or
 * a directory archive's directory); undefined when the archive is not laid
 * out as this expects.
 */
export async function readTableOfContents(
  archive: string,
  format: 'custom' | 'directory',
): Promise<TocEntry[] | undefined> {
  const file = format === 'directory' ? path.join(archive, 'toc.dat') : archive;
  const handle = await fs.open(file, 'r');
  try {
    const reader = new ArchiveReader(handle);
    await readHeader(reader, format);
    const count = await reader.int();
    const entries: TocEntry[] = [];
    for (let i = 0; i < count; i += 1) {
      entries.push(await readEntryFields(reader));
      // The format's own part: a custom archive's offset (a flag byte and offSize
      // bytes), a directory archive's data file name.
      if (format === 'custom') reader.position += 1 + reader.offSize;
      else await reader.skipString();
    }
    return entries;
  } catch (error) {
    if (error instanceof UnexpectedArchive) return undefined;
    throw error;
  } finally {
    await handle.close();
  }
}
