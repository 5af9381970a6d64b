import { Transform, type TransformCallback } from 'node:stream';
import { parseCopyFromStdin } from '../engines/postgres/dump-tables.js';
import { JobFailure } from '../domain/errors.js';
import { SqlQuotes } from './sql-quotes.js';
import { decodeCopyField, encodeCopyField, NULL_FIELD } from './copy-text.js';
import { LastValue, MaskCache, NumberCache, type CacheBudget } from './mask-cache.js';
import type { ColumnPlan, SanitizePlan, TablePlan } from './plan.js';
import { UnreadableValueError, type Masker } from './transformers.js';

const NEWLINE = 0x0a;
const TAB = 0x09;
const BACKSLASH = 0x5c;
const DOT = 0x2e;
const LETTER_N = 0x4e;
const EMPTY = Buffer.alloc(0);
const END_LINE = Buffer.from('\\.\n', 'latin1');
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
/** Stands for a field longer than `\N` under null and fixed, whose output ignores the value. */
const NOT_NULL_STAND_IN = Buffer.from('---', 'latin1');
/** Longer fields are not cached: their keys cost more than they save, and few repeat. */
const CACHEABLE = 256;
/** Pieces up to this long are copied byte by byte: cheaper than a call into native code. */
const SMALL_COPY = 48;

const ANY_COPY_HEADER = /^COPY .* FROM stdin;$/s;

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
  /** SQL mode: whether the text so far ends inside a literal, a quoted name or a body. */
  private readonly quotes = new SqlQuotes();
  /** Statistics mode: inside a quoted literal. */
  private quoted = false;
  private statisticsEnded = false;
  private copy: ActiveCopy | undefined;
  /** Copy mode: the field of the current row, and the first bytes of the row. */
  private field = 0;
  private rowStart: number[] = [];
  private rowLength = 0;
  /** The masked field being read, when it began in an earlier chunk: its raw (escaped) pieces. */
  private value: Buffer[] = [];
  private valueLength = 0;
  /** Rows of the current COPY block so far. */
  private blockRows = 0;
  /** Masked values by raw field, per column of the current COPY block (dropped when it ends). */
  private caches: (MaskCache | undefined)[] = [];
  /** The last value masked per field of the current COPY block. */
  private lastValues: (LastValue | undefined)[] = [];
  /** number_noise fields of the current COPY block: the noise of numbers seen. */
  private numberCaches: (NumberCache | undefined)[] = [];
  private readonly cacheBudget: CacheBudget = { entries: 0, bytes: 0 };
  /** The output of the chunk being transformed: written in place, handed on whole. */
  private output: Buffer = EMPTY;
  private written = 0;
  /** Scratch for the digits of a noised number. */
  private readonly digits = new Uint8Array(32);
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
    // Masked texts may be longer than the originals (up to their length class); the buffer grows if need be.
    this.output = Buffer.allocUnsafe(chunk.length + (chunk.length >> 3) + 256);
    this.written = 0;
    try {
      let at = 0;
      while (at < chunk.length) {
        if (this.mode === 'sql') at = this.sql(chunk, at);
        else if (this.mode === 'statistics') at = this.statistics(chunk, at);
        else if (this.copy?.plan && !this.copy.plan.truncate) at = this.maskedRows(chunk, at);
        else at = this.plainRows(chunk, at);
      }
    } catch (error) {
      this.output = EMPTY;
      callback(describe(error, this.copy));
      return;
    }
    const output = this.output.subarray(0, this.written);
    this.output = EMPTY;
    if (output.length > 0) callback(null, output);
    else callback();
  }

  /** Appends `source[from, to)` to the chunk's output. */
  private put(source: Buffer, from: number, to: number): void {
    const length = to - from;
    if (length <= 0) return;
    if (this.written + length > this.output.length) this.grow(length);
    const output = this.output;
    let at = this.written;
    if (length <= SMALL_COPY) {
      for (let i = from; i < to; i += 1) output[at++] = source[i]!;
    } else {
      source.copy(output, at, from, to);
      at += length;
    }
    this.written = at;
  }

  /** Appends a latin1 string (a cached masked value). */
  private putText(text: string): void {
    const length = text.length;
    if (this.written + length > this.output.length) this.grow(length);
    if (length <= SMALL_COPY) {
      const output = this.output;
      let at = this.written;
      for (let i = 0; i < length; i += 1) output[at++] = text.charCodeAt(i);
      this.written = at;
    } else {
      this.written += this.output.write(text, this.written, 'latin1');
    }
  }

  private putAll(source: Buffer): void {
    this.put(source, 0, source.length);
  }

  private grow(needed: number): void {
    const grown = Buffer.allocUnsafe(Math.max(this.output.length * 2, this.written + needed + 256));
    this.output.copy(grown, 0, 0, this.written);
    this.output = grown;
  }

  override _flush(callback: TransformCallback): void {
    const out: Buffer[] = [];
    if (this.pendingLine) out.push(...this.pendingLine);
    if (this.value.length > 0) out.push(...this.value);
    callback(null, Buffer.concat(out));
  }

  /** Outside COPY data: SQL passes, lines are watched for COPY headers and statistics calls. */
  private sql(chunk: Buffer, from: number): number {
    const newline = chunk.indexOf(NEWLINE, from);
    const end = newline === -1 ? chunk.length : newline + 1;
    if (this.atLineStart) {
      this.atLineStart = false;
      const first = chunk[from];
      // A line that starts inside a literal or a body is text, whatever it says.
      this.passLine =
        this.quotes.inside || (first !== COPY_PREFIX[0] && first !== STATISTICS_PREFIX[0]);
      this.pendingLine = this.passLine ? undefined : [];
      this.pendingLength = 0;
    }
    if (newline !== -1) this.atLineStart = true;
    if (this.passLine) {
      this.quotes.feed(chunk, from, end);
      this.put(chunk, from, end);
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
      this.copyHeader(head);
      return end;
    }
    const stillPossible =
      (startsWith(head, COPY_PREFIX) && this.pendingLength <= HEADER_LIMIT) ||
      isPrefixOf(head, COPY_PREFIX) ||
      isPrefixOf(head, STATISTICS_PREFIX);
    if (!stillPossible) {
      this.quotes.feed(head, 0, head.length);
      this.putAll(head);
      this.pendingLine = undefined;
      this.passLine = true;
    }
    return end;
  }

  /** A whole SQL line: a COPY header switches to its data. */
  private copyHeader(line: Buffer): void {
    this.putAll(line);
    const statement = line.subarray(0, line.length - 1);
    const parsed = parseCopyFromStdin(statement);
    if (typeof parsed !== 'object') {
      if (parsed === undefined && ANY_COPY_HEADER.test(statement.toString('utf8')))
        // Whose rows follow cannot be told, so neither can whether they must be masked.
        throw new JobFailure(
          `pg_dump wrote a COPY statement this tool cannot read (${statement.toString('utf8').slice(0, 120)}): nothing was kept.`,
        );
      this.quotes.feed(line, 0, line.length);
      return;
    }
    // Tables and columns as manifests and rules name them: unquoted, the schema first.
    const table = `${parsed.schema.toString('utf8')}.${parsed.name.toString('utf8')}`;
    const plan = this.plan.tables.get(table);
    const columns = parsed.columns.map((column) => column.toString('utf8'));
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
    const cached = (field: ColumnPlan | undefined): field is ColumnPlan =>
      field !== undefined && field.spec.kind !== 'null' && field.spec.kind !== 'fixed';
    this.caches = fields.map((field) =>
      cached(field) && field.spec.kind !== 'number_noise'
        ? new MaskCache(this.cacheBudget)
        : undefined,
    );
    this.numberCaches = fields.map((field) =>
      field?.spec.kind === 'number_noise' ? new NumberCache() : undefined,
    );
    this.lastValues = fields.map((field) => (cached(field) ? new LastValue(CACHEABLE) : undefined));
    this.mode = 'copy';
    this.field = 0;
    this.rowStart = [];
    this.rowLength = 0;
    this.blockRows = 0;
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
  private plainRows(chunk: Buffer, from: number): number {
    const truncate = this.copy?.plan?.truncate ?? false;
    let at = from;
    const passFrom = from;
    while (at < chunk.length) {
      // Only a row's first bytes matter here: `\.` alone ends the block.
      if (chunk[at] === NEWLINE) {
        if (this.isEndMarker()) {
          if (!truncate) this.put(chunk, passFrom, at + 1);
          else this.put(END_LINE, 0, END_LINE.length);
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
    if (!truncate) this.put(chunk, passFrom, at);
    return at;
  }

  /**
   * Rows with masked columns: field by field, masked fields decoded, masked
   * and re-encoded; the bytes between them are copied in runs.
   */
  private maskedRows(chunk: Buffer, from: number): number {
    const copy = this.copy!;
    const fields = copy.fields;
    const lastField = fields.length - 1;
    const length = chunk.length;
    let at = from;
    /** Where the bytes not yet copied start. */
    let run = from;
    while (at < length) {
      const field = this.field;
      const masked = fields[field];
      // Past the last masked field the rest of the row passes in one piece.
      const delimiter =
        field > copy.lastMasked || field >= lastField
          ? chunk.indexOf(NEWLINE, at)
          : nextDelimiter(chunk, at);
      const end = delimiter === -1 ? length : delimiter;
      if (field === 0) this.noteRowStart(chunk, at, end);
      if (delimiter === -1) {
        if (masked) {
          this.put(chunk, run, at);
          this.keepValue(chunk.subarray(at, end));
          run = end;
        }
        break;
      }
      const atNewline = chunk[delimiter] === NEWLINE;
      if (field === 0 && atNewline && this.isEndMarker()) {
        if (masked) {
          // The marker's first byte may have come in the previous chunk, held as a value.
          this.put(chunk, run, at);
          this.value = [];
          this.valueLength = 0;
          this.putAll(END_LINE);
        } else {
          this.put(chunk, run, delimiter + 1);
        }
        this.endCopy();
        return delimiter + 1;
      }
      if (masked) {
        this.put(chunk, run, at);
        if (this.valueLength > 0) {
          this.keepValue(chunk.subarray(at, end));
          const raw = Buffer.concat(this.value);
          this.value = [];
          this.valueLength = 0;
          this.maskField(masked, field, raw, 0, raw.length);
        } else {
          this.maskField(masked, field, chunk, at, end);
        }
        run = end;
      }
      if (atNewline) {
        if (field < lastField && field <= copy.lastMasked)
          throw new JobFailure(
            `a row of ${copy.table} in pg_dump's output has fewer fields than its COPY header: nothing was kept.`,
          );
        this.blockRows += 1;
        this.field = 0;
        this.rowLength = 0;
        this.rowStart.length = 0;
      } else {
        this.field = field + 1;
      }
      at = delimiter + 1;
    }
    this.put(chunk, run, length);
    return length;
  }

  /** The first bytes of a row's first field (only `\.` alone ends the block). */
  private noteRowStart(chunk: Buffer, from: number, end: number): void {
    for (let i = from; i < end && this.rowLength < 3; i += 1) {
      this.rowStart.push(chunk[i]!);
      this.rowLength += 1;
    }
  }

  private isEndMarker(): boolean {
    return this.rowLength === 2 && this.rowStart[0] === BACKSLASH && this.rowStart[1] === DOT;
  }

  private keepValue(piece: Buffer): void {
    if (piece.length === 0) return;
    this.valueLength += piece.length;
    const kind = this.copy?.fields[this.field]?.spec.kind;
    if (kind === 'null' || kind === 'fixed') {
      // The output depends only on whether the field is NULL (\N, two bytes):
      // a longer value, however large, is not held, only stood in for.
      if (this.valueLength > 2) this.value = [NOT_NULL_STAND_IN];
      else this.value.push(Buffer.from(piece));
      return;
    }
    if (this.valueLength > VALUE_LIMIT) {
      throw new JobFailure(
        `a value of ${this.copy?.table} is larger than ${VALUE_LIMIT / 1024 / 1024} MiB, more than masking holds at once: mask that column with null or fixed.`,
      );
    }
    // A piece of the chunk: copied, so the chunk itself is not held on to.
    this.value.push(Buffer.from(piece));
  }

  /** Writes the masked form of one raw (escaped) field, `source[start, end)`. */
  private maskField(
    column: ColumnPlan,
    field: number,
    source: Buffer,
    start: number,
    end: number,
  ): void {
    const length = end - start;
    if (length === 2 && source[start] === BACKSLASH && source[start + 1] === LETTER_N) {
      this.put(source, start, end);
      return;
    }
    const last = length <= CACHEABLE ? this.lastValues[field] : undefined;
    const same = last?.get(source, start, end);
    if (same !== undefined) {
      this.putAll(same);
      return;
    }
    const spec = column.spec;
    if (spec.kind === 'number_noise') {
      // Digits, a sign and a point need no COPY escaping either way.
      const noised = this.masker.noiseNumber(
        spec.percent,
        column.column,
        source,
        start,
        end,
        this.numberCaches[field],
      );
      if (noised !== undefined) {
        this.putScaled(noised, this.masker.noisedScale);
        return;
      }
    }
    const raw = source.subarray(start, end);
    const cache = last ? this.caches[field] : undefined;
    let key: string | undefined;
    if (cache && !cache.disabled) {
      key = raw.toString('latin1');
      const cached = cache.get(key);
      if (cached !== undefined) {
        this.putText(cached);
        return;
      }
    }
    const output = this.masker.maskValue(
      column.spec,
      column.column,
      decodeCopyField(raw),
      this.plan.utf8,
    );
    // Generated values are plain ASCII without tabs, newlines or backslashes: only a fixed value needs escaping.
    const masked = column.spec.kind === 'fixed' ? encodeCopyField(output) : (output ?? NULL_FIELD);
    if (key !== undefined) cache!.set(key, masked.toString('latin1'));
    last?.set(source, start, end, masked);
    this.putAll(masked);
  }

  /** An integer scaled down by 10^scale, written as formatScaledNumber writes it (without a string). */
  private putScaled(value: number, scale: number): void {
    if (this.written + 24 + scale > this.output.length) this.grow(24 + scale);
    const digits = this.digits;
    let count = 0;
    let rest = Math.abs(value);
    do {
      digits[count++] = 0x30 + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
    if (scale > 0) while (count < scale + 1) digits[count++] = 0x30;
    const output = this.output;
    let at = this.written;
    if (value < 0) output[at++] = 0x2d;
    for (let i = count - 1; i >= 0; i -= 1) {
      if (i === scale - 1) output[at++] = DOT;
      output[at++] = digits[i]!;
    }
    this.written = at;
  }

  private countRow(): void {
    this.blockRows += 1;
  }

  private endCopy(): void {
    const copy = this.copy;
    if (copy?.plan && !copy.plan.truncate)
      this.rows.set(copy.table, (this.rows.get(copy.table) ?? 0) + this.blockRows);
    else if (copy?.plan) this.rows.set(copy.table, this.rows.get(copy.table) ?? 0);
    for (const cache of this.caches) cache?.clear();
    this.caches = [];
    this.lastValues = [];
    this.numberCaches = [];
    this.blockRows = 0;
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
  // Most fields are short: looked at byte by byte before a native search is worth its call.
  const near = Math.min(chunk.length, from + SMALL_COPY);
  for (let i = from; i < near; i += 1) {
    const byte = chunk[i]!;
    if (byte === TAB || byte === NEWLINE) return i;
  }
  if (near === chunk.length) return -1;
  from = near;
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
