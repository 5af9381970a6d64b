import { Transform, type TransformCallback } from 'node:stream';

/**
 * Watches a plain-format pg_dump stream go by and records which tables it
 * creates and how many rows each COPY block carries. These are the rows
 * really in the dump, whatever include/exclude options chose.
 */
export class DumpTableCounter extends Transform {
  /** Tables the dump creates, as "schema.table" (unquoted). */
  readonly created = new Set<string>();
  /** Rows per table, for tables whose data is in the dump. */
  readonly copied = new Map<string, number>();
  private copying: string | undefined;
  private rows = 0;
  private carry: Buffer = EMPTY;
  /** Part of the carried line was not kept (see keepCarry). */
  private carryDropped = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let from = 0;
    if (this.carry.length > 0 || this.carryDropped) {
      // Only the line cut by the last chunk's end is joined, never the whole chunk.
      const newline = chunk.indexOf(NEWLINE);
      if (newline === -1) {
        this.keepCarry(chunk);
        callback(null, chunk);
        return;
      }
      this.keepCarry(chunk.subarray(0, newline + 1));
      this.scan(this.carry, 0);
      this.carry = EMPTY;
      this.carryDropped = false;
      from = newline + 1;
    }
    const consumed = this.scan(chunk, from);
    this.keepCarry(chunk.subarray(consumed));
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.carry.length > 0) this.scan(Buffer.concat([this.carry, Buffer.from('\n')]), 0);
    this.carry = EMPTY;
    if (this.copying !== undefined) this.endCopy();
    callback();
  }

  /**
   * Keeps at most the first CARRY_LIMIT bytes of a line cut across chunks:
   * enough to tell `\.` or a CREATE/COPY statement, and never a whole long
   * row (a large bytea value) in memory. A longer line is never a statement
   * we look for, and counts as one row all the same.
   */
  private keepCarry(bytes: Buffer): void {
    if (bytes.length === 0) return;
    const room = CARRY_LIMIT - this.carry.length;
    if (room <= 0) {
      if (bytes.includes(NEWLINE)) this.carry = Buffer.concat([this.carry, Buffer.from('\n')]);
      this.carryDropped = true;
      return;
    }
    const kept = bytes.length > room ? bytes.subarray(0, room) : bytes;
    if (kept.length < bytes.length) {
      this.carryDropped = true;
      // The line's end may be in the part not kept: the newline still counts.
      if (bytes.indexOf(NEWLINE, room) !== -1) {
        this.carry = Buffer.concat([this.carry, kept, Buffer.from('\n')]);
        return;
      }
    }
    this.carry = Buffer.concat([this.carry, kept]);
  }

  /** Handles every complete line; returns how many bytes it consumed. */
  private scan(bytes: Buffer, from: number): number {
    let start = from;
    for (;;) {
      const newline = bytes.indexOf(NEWLINE, start);
      if (newline === -1) return start;
      if (this.copying !== undefined) {
        // Data lines never hold a raw newline (COPY escapes it), so lines are rows until "\.".
        if (newline === start + 2 && bytes[start] === BACKSLASH && bytes[start + 1] === DOT)
          this.endCopy();
        else this.rows += 1;
      } else if (bytes[start] === LETTER_C) {
        this.statement(bytes.toString('utf8', start, newline));
      }
      start = newline + 1;
    }
  }

  private statement(line: string): void {
    const created = CREATE_TABLE.exec(line);
    if (created?.[1]) {
      this.created.add(qualifiedName(created[1]));
      return;
    }
    const copy = COPY_FROM_STDIN.exec(line);
    if (copy?.[1]) {
      this.copying = qualifiedName(copy[1]);
      this.rows = 0;
    }
  }

  private endCopy(): void {
    if (this.copying === undefined) return;
    this.copied.set(this.copying, (this.copied.get(this.copying) ?? 0) + this.rows);
    this.copying = undefined;
  }
}

const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);
/** Longer than any CREATE TABLE or COPY line pg_dump writes for a table name (63-byte identifiers). */
const CARRY_LIMIT = 64 * 1024;
const BACKSLASH = 0x5c;
const DOT = 0x2e;
const LETTER_C = 0x43;
const IDENT = String.raw`(?:"(?:[^"]|"")+"|[^\s."(]+)`;
const QUALIFIED = String.raw`(${IDENT}\.${IDENT})`;
const CREATE_TABLE = new RegExp(String.raw`^CREATE (?:UNLOGGED )?TABLE ${QUALIFIED} \(`);
const COPY_FROM_STDIN = new RegExp(String.raw`^COPY ${QUALIFIED}(?: \(.*\))? FROM stdin;$`);

/** `public."Odd ""name"""` → `public.Odd "name"`. */
export function qualifiedName(quoted: string): string {
  const parts: string[] = [];
  const pattern = new RegExp(IDENT, 'g');
  for (const match of quoted.matchAll(pattern)) {
    const part = match[0];
    parts.push(part.startsWith('"') ? part.slice(1, -1).replace(/""/g, '"') : part);
  }
  return parts.join('.');
}
