import { Transform, type TransformCallback } from 'node:stream';
import { JobFailure } from '../errors.js';
import { decodeCopyField, encodeCopyField, isNullField, NULL_FIELD } from './copy-text.js';
import type { ColumnPlan, SanitizePlan, TablePlan } from './plan.js';
import { UnreadableValueError, type Masker } from './transformers.js';

const NEWLINE = 0x0a;
const TAB = 0x09;
const BACKSLASH = 0x5c;
const DOT = 0x2e;
const EMPTY = Buffer.alloc(0);
const END_MARKER = Buffer.from('\\.', 'latin1');
const COPY_PREFIX = Buffer.from('COPY ', 'latin1');
/**
 * pg_dump 18 can write optimizer statistics, whose most-common-value lists
 * are samples of the data itself: a sanitized dump leaves them out (a
 * restored database gathers its own with ANALYZE).
 */
const STATISTICS_PREFIX = Buffer.from('SELECT * FROM pg_catalog.pg_restore_', 'latin1');
/** Longer than any COPY header pg_dump writes (1600 columns of 63-byte quoted names). */
const HEADER_LIMIT = 4 * 1024 * 1024;
/** A masked value is held whole while it is read; larger ones need null or fixed. */
const VALUE_LIMIT = 64 * 1024 * 1024;
const CACHE_LIMIT = 50_000;
const CACHEABLE = 256;

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[^\s."(]+)`;
const COPY_HEADER = new RegExp(
  String.raw`^COPY (${IDENT}\.${IDENT})(?: \((.*)\))? FROM stdin;$`,
  's',
);
const ANY_COPY_HEADER = /^COPY .* FROM stdin;$/s;

/** `public."Odd ""name"""` is `public.Odd "name"`: the way manifests and rules name tables. */
export function qualifiedName(quoted: string): string {
  return [...quoted.matchAll(new RegExp(IDENT, 'g'))]
    .map(([part]) => (part.startsWith('"') ? part.slice(1, -1).replace(/""/g, '"') : part))
    .join('.');
}

/** The columns of a COPY header, unquoted, in order. */
export function copyHeaderColumns(list: string): string[] {
  return [...list.matchAll(/"((?:[^"]|"")*)"|([^\s,"]+)/g)].map((m) =>
    m[1] !== undefined ? m[1].replace(/""/g, '"') : (m[2] ?? ''),
  );
}

interface ActiveCopy {
  readonly table: string;
  /** Undefined: rows pass as they are. */
  readonly plan: TablePlan | undefined;
  /** The masked column at each field position (undefined: passes as it is). */
  readonly fields: readonly (ColumnPlan | undefined)[];
  readonly lastMasked: number;
}

/**
 * Rewrites the COPY blocks of a plain pg_dump stream as it flows: rows of
 * truncated tables are dropped (the table, its sequences and constraints
 * stay), named columns are decoded, masked and re-encoded, and every other
 * byte passes through unchanged. Memory is bounded by one masked value and
 * one COPY header, whatever the size of the dump.
 */
export class CopySanitizer extends Transform {
  private mode: 'sql' | 'copy' | 'statistics' = 'sql';
  /** SQL mode: the start of the current line, kept while it may be a COPY header or a statistics call. */
  private pendingLine: Buffer[] | undefined;
  private pendingLength = 0;
  /** SQL mode: the current line is neither, and passes through to its end. */
  private passLine = false;
  private atLineStart = true;
  /** Statistics mode: inside a quoted literal. */
  private quoted = false;
  private statisticsEnded = false;
  private copy: ActiveCopy | undefined;
  /** Copy mode: the field of the current row, and the first bytes of the row. */
  private field = 0;
  private rowStart: number[] = [];
  private rowLength = 0;
  /** The masked field being read: its raw (escaped) pieces. */
  private value: Buffer[] = [];
  private valueLength = 0;
  /** Masked values by raw field, per column; null once a column's values proved not to repeat. */
  private readonly caches = new Map<
    ColumnPlan,
    { values: Map<string, Buffer>; hits: number } | null
  >();
  /** Statistics statements left out of the dump. */
  droppedStatistics = 0;
  /** Rows written per masked or truncated table. */
  readonly rows = new Map<string, number>();

  constructor(
    private readonly plan: SanitizePlan,
    private readonly masker: Masker,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const out: Buffer[] = [];
    try {
      let at = 0;
      while (at < chunk.length) {
        if (this.mode === 'sql') at = this.sql(chunk, at, out);
        else if (this.mode === 'statistics') at = this.statistics(chunk, at);
        else if (this.copy?.plan && !this.copy.plan.truncate) at = this.maskedRows(chunk, at, out);
        else at = this.plainRows(chunk, at, out);
      }
    } catch (error) {
      callback(describe(error, this.copy));
      return;
    }
    callback(null, out.length === 1 ? out[0] : Buffer.concat(out));
  }

  override _flush(callback: TransformCallback): void {
    const out: Buffer[] = [];
    if (this.pendingLine) out.push(...this.pendingLine);
    if (this.value.length > 0) out.push(...this.value);
    callback(null, Buffer.concat(out));
  }

  /** Outside COPY data: SQL passes, lines are watched for COPY headers and statistics calls. */
  private sql(chunk: Buffer, from: number, out: Buffer[]): number {
    const newline = chunk.indexOf(NEWLINE, from);
    const end = newline === -1 ? chunk.length : newline + 1;
    if (this.atLineStart) {
      this.atLineStart = false;
      const first = chunk[from];
      this.passLine = first !== COPY_PREFIX[0] && first !== STATISTICS_PREFIX[0];
      this.pendingLine = this.passLine ? undefined : [];
      this.pendingLength = 0;
    }
    if (newline !== -1) this.atLineStart = true;
    if (this.passLine) {
      out.push(chunk.subarray(from, end));
      return end;
    }
    this.pendingLine!.push(chunk.subarray(from, end));
    this.pendingLength += end - from;
    const head = Buffer.concat(this.pendingLine!);
    this.pendingLine = [head];
    if (startsWith(head, STATISTICS_PREFIX)) {
      this.pendingLine = undefined;
      this.mode = 'statistics';
      this.quoted = false;
      this.statisticsEnded = false;
      this.atLineStart = false;
      this.droppedStatistics += 1;
      this.statistics(head, 0);
      return end;
    }
    if (newline !== -1) {
      this.pendingLine = undefined;
      this.copyHeader(head, out);
      return end;
    }
    const stillPossible =
      (startsWith(head, COPY_PREFIX) && this.pendingLength <= HEADER_LIMIT) ||
      isPrefixOf(head, COPY_PREFIX) ||
      isPrefixOf(head, STATISTICS_PREFIX);
    if (!stillPossible) {
      out.push(head);
      this.pendingLine = undefined;
      this.passLine = true;
    }
    return end;
  }

  /** A whole SQL line: a COPY header switches to its data. */
  private copyHeader(line: Buffer, out: Buffer[]): void {
    out.push(line);
    const text = line.toString('utf8', 0, line.length - 1);
    if (!ANY_COPY_HEADER.test(text)) return;
    const match = COPY_HEADER.exec(text);
    const table = match?.[1] ? qualifiedName(match[1]) : '';
    const plan = this.plan.tables.get(table);
    const columns = match?.[2] !== undefined ? copyHeaderColumns(match[2]) : [];
    if (plan) {
      for (const column of plan.columns.keys()) {
        if (!columns.includes(column))
          throw new JobFailure(
            `pg_dump's COPY of ${table} has no column ${column}, which the rules mask (was the table altered during the backup?): nothing was kept.`,
          );
      }
    }
    const fields = columns.map((column) => plan?.columns.get(column));
    this.copy = {
      table,
      plan,
      fields,
      lastMasked: fields.reduce((last, field, index) => (field ? index : last), -1),
    };
    this.mode = 'copy';
    this.field = 0;
    this.rowStart = [];
    this.rowLength = 0;
  }

  /** Drops a statistics call: up to the semicolon outside quotes, and the rest of that line. */
  private statistics(chunk: Buffer, from: number): number {
    for (let i = from; i < chunk.length; i += 1) {
      const byte = chunk[i]!;
      if (this.statisticsEnded) {
        if (byte === NEWLINE) {
          this.endStatistics();
          return i + 1;
        }
      } else if (byte === 0x27) this.quoted = !this.quoted;
      else if (byte === 0x3b && !this.quoted) this.statisticsEnded = true;
    }
    return chunk.length;
  }

  private endStatistics(): void {
    this.mode = 'sql';
    this.atLineStart = true;
  }

  /** Rows of a table without rules pass whole (or, truncated, not at all) until `\.`. */
  private plainRows(chunk: Buffer, from: number, out: Buffer[]): number {
    const truncate = this.copy?.plan?.truncate ?? false;
    let at = from;
    const passFrom = from;
    while (at < chunk.length) {
      // Only a row's first bytes matter here: `\.` alone ends the block.
      if (chunk[at] === NEWLINE) {
        if (this.isEndMarker()) {
          if (!truncate) out.push(chunk.subarray(passFrom, at + 1));
          else out.push(Buffer.from('\\.\n', 'latin1'));
          this.endCopy();
          return at + 1;
        }
        this.countRow();
        this.rowStart = [];
        this.rowLength = 0;
        at += 1;
        continue;
      }
      if (this.rowLength < 2) {
        this.rowStart.push(chunk[at]!);
        this.rowLength += 1;
        at += 1;
        continue;
      }
      const newline = chunk.indexOf(NEWLINE, at);
      if (newline === -1) {
        this.rowLength += chunk.length - at;
        at = chunk.length;
        break;
      }
      this.rowLength += newline - at;
      at = newline;
    }
    if (!truncate) out.push(chunk.subarray(passFrom, at));
    return at;
  }

  /**
   * Rows with masked columns: field by field, masked fields decoded, masked
   * and re-encoded; the bytes between them pass in as few pieces as possible.
   */
  private maskedRows(chunk: Buffer, from: number, out: Buffer[]): number {
    const copy = this.copy!;
    let at = from;
    /** Where the bytes not yet passed on start. */
    let run = from;
    while (at < chunk.length) {
      const masked = copy.fields[this.field];
      // Past the last masked field the rest of the row passes in one piece.
      const delimiter =
        this.field > copy.lastMasked || this.field >= copy.fields.length - 1
          ? chunk.indexOf(NEWLINE, at)
          : nextDelimiter(chunk, at);
      const end = delimiter === -1 ? chunk.length : delimiter;
      this.noteRowStart(chunk, at, end);
      if (masked) {
        if (at > run) out.push(chunk.subarray(run, at));
        this.keepValue(chunk.subarray(at, end));
        run = end;
      }
      if (delimiter === -1) break;
      if (masked) out.push(this.maskValue(masked));
      if (chunk[delimiter] === NEWLINE) {
        if (this.field === 0 && this.isEndMarker()) {
          if (masked) out.push(END_MARKER);
          out.push(chunk.subarray(run, delimiter + 1));
          this.endCopy();
          return delimiter + 1;
        }
        if (this.field < copy.fields.length - 1 && this.field <= copy.lastMasked)
          throw new JobFailure(
            `a row of ${copy.table} in pg_dump's output has fewer fields than its COPY header: nothing was kept.`,
          );
        this.countRow();
        this.field = 0;
        this.rowStart = [];
        this.rowLength = 0;
      } else {
        this.field += 1;
      }
      at = delimiter + 1;
    }
    if (chunk.length > run) out.push(chunk.subarray(run));
    return chunk.length;
  }

  private noteRowStart(chunk: Buffer, from: number, end: number): void {
    for (let i = from; i < end && this.rowLength < 2; i += 1) this.rowStart.push(chunk[i]!);
    this.rowLength += end - from;
  }

  private isEndMarker(): boolean {
    return this.rowLength === 2 && this.rowStart[0] === BACKSLASH && this.rowStart[1] === DOT;
  }

  private keepValue(piece: Buffer): void {
    if (piece.length === 0) return;
    this.valueLength += piece.length;
    if (this.valueLength > VALUE_LIMIT) {
      throw new JobFailure(
        `a value of ${this.copy?.table} is larger than ${VALUE_LIMIT / 1024 / 1024} MiB, more than masking holds at once: mask that column with null or fixed.`,
      );
    }
    this.value.push(piece);
  }

  private maskValue(column: ColumnPlan): Buffer {
    const raw = this.value.length === 1 ? this.value[0]! : Buffer.concat(this.value);
    this.value = [];
    this.valueLength = 0;
    if (this.field === 0 && raw.length === 2 && raw[0] === BACKSLASH && raw[1] === DOT)
      return EMPTY;
    if (isNullField(raw)) return raw;
    const cache = this.cacheFor(column, raw.length);
    const key = cache ? raw.toString('latin1') : '';
    const cached = cache?.values.get(key);
    if (cache && cached) {
      cache.hits += 1;
      return cached;
    }
    const value = decodeCopyField(raw);
    const output = this.masker.mask(
      column.spec,
      column.column,
      this.masker.factsOf(value, this.plan.utf8),
    );
    // Generated values are plain ASCII without tabs, newlines or backslashes: only a fixed value needs escaping.
    const masked = column.spec.kind === 'fixed' ? encodeCopyField(output) : (output ?? NULL_FIELD);
    cache?.values.set(key, masked);
    return masked;
  }

  /**
   * Repeated values (statuses, dates, blank fillers) are masked once. A
   * column whose values hardly repeat stops being cached: building keys for
   * unique values only costs time.
   */
  private cacheFor(
    column: ColumnPlan,
    length: number,
  ): { values: Map<string, Buffer>; hits: number } | undefined {
    if (length > CACHEABLE) return undefined;
    let cache = this.caches.get(column);
    if (cache === null) return undefined;
    if (!cache || cache.values.size >= CACHE_LIMIT) {
      if (cache && cache.hits < CACHE_LIMIT / 10) {
        this.caches.set(column, null);
        return undefined;
      }
      cache = { values: new Map(), hits: 0 };
      this.caches.set(column, cache);
    }
    return cache;
  }

  private countRow(): void {
    const copy = this.copy;
    if (copy?.plan && !copy.plan.truncate)
      this.rows.set(copy.table, (this.rows.get(copy.table) ?? 0) + 1);
  }

  private endCopy(): void {
    const copy = this.copy;
    if (copy?.plan && !this.rows.has(copy.table)) this.rows.set(copy.table, 0);
    this.copy = undefined;
    this.mode = 'sql';
    this.atLineStart = true;
    this.field = 0;
    this.rowStart = [];
    this.rowLength = 0;
  }
}

/** The next tab or newline; the newline is looked for only up to the tab, never across a long row. */
function nextDelimiter(chunk: Buffer, from: number): number {
  const tab = chunk.indexOf(TAB, from);
  if (tab === -1) return chunk.indexOf(NEWLINE, from);
  const newline = chunk.subarray(from, tab).indexOf(NEWLINE);
  return newline === -1 ? tab : from + newline;
}

/** `head` is the beginning of `prefix` (shorter than it). */
function isPrefixOf(head: Buffer, prefix: Buffer): boolean {
  return head.length < prefix.length && prefix.subarray(0, head.length).equals(head);
}

function startsWith(buffer: Buffer, prefix: Buffer): boolean {
  return buffer.length >= prefix.length && buffer.subarray(0, prefix.length).equals(prefix);
}

function describe(error: unknown, copy: ActiveCopy | undefined): Error {
  if (error instanceof UnreadableValueError) {
    return new JobFailure(
      `Sanitizing ${copy?.table ?? 'the dump'} met ${error.message}: nothing was kept; fix the rule or the data.`,
    );
  }
  return error as Error;
}
