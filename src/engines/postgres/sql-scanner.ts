/**
 * A streaming lexer for the SQL scripts psql runs, built to split them into
 * statements exactly where psql does (psql's rules: src/fe_utils/psqlscan.l
 * and src/bin/psql/mainloop.c), whatever the chunk boundaries:
 *
 * - psql reads its input a line at a time and sends a statement at a
 *   semicolon outside quotes, comments, parentheses and `BEGIN ATOMIC … END`
 *   function bodies;
 * - a backslash outside quotes and comments starts a psql meta-command;
 * - after `COPY … FROM stdin;` the lines up to `\.` are data, not SQL.
 *
 * It keeps a few bytes of state, never a statement, a string or COPY data, so
 * memory does not grow with the dump. It tells a listener what a restore
 * filter needs (where statements start and end, their first tokens,
 * meta-commands, psql variables) and refuses input that psql and the server
 * could read differently, or that psql cannot read (SqlScanError).
 */

/** A token at parenthesis depth 0 of a statement (a parenthesised group shows as `(` and `)`). */
export interface ScanToken {
  readonly kind: 'word' | 'quoted' | 'string' | 'dollar' | 'number' | 'symbol';
  /**
   * word: as written; quoted: the identifier without its quotes (`""` as `"`);
   * string: the literal's raw text between its quotes; dollar and number: '';
   * symbol: the character(s). Text is cut at TOKEN_TEXT_LIMIT bytes, read as
   * Latin-1 (one character per byte).
   */
  readonly text: string;
  /** quoted: written `U&"…"`, its escapes (`\0061`) as written in `text`. */
  readonly unicode?: true;
}

export interface ScanListener {
  /** The current statement's first byte that is not whitespace or a comment is at `at` (negative: that many bytes before the current chunk). */
  statementStart(at: number): void;
  /** A token at depth 0 of the current statement; called only while `scanner.listening`. */
  token(token: ScanToken): void;
  /** The statement ended just before `end` (after its semicolon); `copy` when COPY data follows its line. */
  statementEnd(end: number, copy: boolean): void;
  /** The COPY data ended with its `\.` line, just before `end`. */
  copyEnd(end: number): void;
  /** A backslash outside quotes and comments, at `at`: a psql meta-command. */
  metaStart(at: number, atLineStart: boolean): void;
  /** The meta-command's line (from its backslash, without the line end) ended just before `end` (-1: at the end of input). */
  metaEnd(text: string, end: number): void;
  /** `:name`, `:'name'`, `:"name"` or `:{?name}` outside quotes: psql substitutes these when the variable exists. */
  variable(name: string): void;
}

/** Input psql would read differently from the server or from this scanner, or cannot read at all. */
export class SqlScanError extends Error {
  override readonly name = 'SqlScanError';
  constructor(
    message: string,
    /** 1-based line of the input where it was found. */
    readonly line: number,
  ) {
    super(message);
  }
}

/** Longest token text kept (identifiers are at most 63 bytes; longer text only needs telling apart). */
export const TOKEN_TEXT_LIMIT = 256;
/** Longest meta-command line kept (a `\restrict` key is 64 characters). */
const META_TEXT_LIMIT = 1024;
/** Longest $tag$ accepted; psql has no limit, but no real dump comes near it. */
const DOLLAR_TAG_LIMIT = 4096;

// Lexer modes, after psql's flex states where it has one.
const INITIAL = 0;
const LINE_COMMENT = 1;
const BLOCK_COMMENT = 2; // xc
const QUOTE = 3; // xq, and xus (U&'…'), which follows the same rules
const ESCAPE_QUOTE = 4; // xe
const BIT_QUOTE = 5; // xb, xh: no '' inside
const QUOTE_STOP = 6; // xqs: after a closing quote
const DOUBLE_QUOTE = 7; // xd, xui
const DOUBLE_QUOTE_STOP = 8; // after a closing `"`: `""` continues the identifier
const DOLLAR_BODY = 9; // xdolq
const DOLLAR_CLOSE = 10; // xdolq at a `$` that may close the body
const WORD = 11;
const UNICODE_PREFIX = 12; // after `U&`
const NUMBER = 13;
const PARAM = 14;
const JUNK = 15; // a number or parameter followed by identifier characters: one token
const DOLLAR_OPEN = 16; // after `$` in INITIAL
const COLON = 17; // after `:` in INITIAL
const COLON_NAME = 18; // :name, :'name', :"name", :{?name}
const META = 19;
const COPY_REST = 20; // the rest of the line that holds `COPY … FROM stdin;`
const COPY_LINE_START = 21;
const COPY_LINE = 22;

const LF = 0x0a;
const CR = 0x0d;
const SINGLE_QUOTE = 0x27;
const DOUBLE_QUOTE_CHAR = 0x22;
const BACKSLASH = 0x5c;
const DOLLAR = 0x24;
const DASH = 0x2d;
const SLASH = 0x2f;
const STAR = 0x2a;
const DOT = 0x2e;

/** [ \t\n\r\f\v]: psql's {space}. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** Whitespace that is not a newline: [ \t\f\v]. */
function isLineSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0b || c === 0x0c;
}

/** {ident_start} (also {dolq_start}): [A-Za-z\200-\377_]. */
function isIdentStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c >= 0x80;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** {ident_cont}: [A-Za-z\200-\377_0-9\$]. */
function isIdentCont(c: number): boolean {
  return isIdentStart(c) || isDigit(c) || c === DOLLAR;
}

/** {dolq_cont} and {variable_char}: [A-Za-z\200-\377_0-9]. */
function isNameChar(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}

/** Client encodings in which a multibyte character can hold a quote or backslash byte (psql lexes them differently). */
const UNSAFE_CLIENT_ENCODINGS = new Set([
  'sjis',
  'shiftjis',
  'mskanji',
  'win932',
  'windows932',
  'shiftjis2004',
  'big5',
  'win950',
  'windows950',
  'gbk',
  'win936',
  'windows936',
  'uhc',
  'win949',
  'windows949',
  'gb18030',
  'johab',
]);

/** PostgreSQL's boolean input: unique prefixes of true/false/yes/no, on/off, 1/0. */
export function parseSqlBoolean(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  if (!v) return undefined;
  if ('true'.startsWith(v) || 'yes'.startsWith(v) || v === 'on' || v === '1') return true;
  if ('false'.startsWith(v) || 'no'.startsWith(v) || v === 'of' || v === 'off' || v === '0')
    return false;
  return undefined;
}

export interface ScannerOptions {
  /** standard_conforming_strings at the start: the server's setting (on since PostgreSQL 9.1). */
  readonly standardConformingStrings?: boolean;
}

/**
 * Feed it chunks with `scan`, then call `finish`. Offsets in events refer to
 * the chunk being scanned.
 */
export class SqlScanner {
  /** Whether `token` events are wanted for the current statement; true again at each statement's start. */
  listening = true;

  private mode = INITIAL;
  private line = 1;
  private atLineStart = true;
  private readonly defaultStdStrings: boolean;
  private stdStrings: boolean;
  /** A setting psql takes up only from the next line it reads (it sets up its lexer per line). */
  private nextStdStrings: { value: boolean; after: number } | undefined;

  // INITIAL: a `-` or `/` whose next byte decides between an operator and a comment.
  private pendingDash = false;
  private pendingSlash = false;

  // The statement: psql's paren_depth, begin_depth, identifier_count and identifiers[].
  private inStatement = false;
  private parenDepth = 0;
  private beginDepth = 0;
  private identifierCount = 0;
  private readonly identifiers = [0, 0, 0, 0];
  private head: ScanToken[] = [];
  private isCopy = false;
  private copyFromStdin = false;
  private copyBinary = false;
  private lastWordWasFrom = false;
  /** The quoted identifier being read was written `U&"…"`. */
  private unicodeQuoted = false;
  // A string just closed and only whitespace and -- comments followed, maybe across a newline.
  private closedString = false;
  private closedEscapes = false;
  private closedNewline = false;

  // The token being read, and how much of its text to keep (see startText).
  private text = '';
  private textCut = false;
  private textLimit = TOKEN_TEXT_LIMIT;
  private commentDepth = 0;
  private commentAfterSlash = false;
  private commentAfterStar = false;
  private escapeNext = false;
  private quoteKind = QUOTE;
  private stopSawSpace = false;
  private stopNewline = false;
  private stopDash = false;
  private stopComment = false;
  private dollarTag = '';
  private candidate = '';
  private candidateTooLong = false;
  private colonOpener = 0;
  private metaText = '';
  private copyMarker = 0;

  constructor(
    private readonly listener: ScanListener,
    options: ScannerOptions = {},
  ) {
    this.defaultStdStrings = options.standardConformingStrings ?? true;
    this.stdStrings = this.defaultStdStrings;
  }

  /** The 1-based line being scanned. */
  get currentLine(): number {
    return this.line;
  }

  /** Scans the next chunk; throws SqlScanError for input it refuses. */
  scan(chunk: Uint8Array): void {
    const nul = chunk.indexOf(0);
    if (nul !== -1) {
      throw new SqlScanError(
        'the SQL holds a NUL byte, which psql cannot read: the file is damaged',
        this.line + countNewlines(chunk, 0, nul),
      );
    }
    this.run(chunk, 0, chunk.length);
  }

  /**
   * Ends the input as psql does at its end. `unfinished` describes a
   * construct left open (a string, a comment, COPY data…); `incomplete` says
   * the last statement lacks its semicolon (psql would still run it).
   */
  finish(): { unfinished: string | undefined; incomplete: boolean } {
    switch (this.mode) {
      case WORD:
      case UNICODE_PREFIX:
      case NUMBER:
      case PARAM:
      case JUNK:
      case DOLLAR_OPEN:
      case COLON:
      case COLON_NAME:
      case QUOTE_STOP:
      case DOUBLE_QUOTE_STOP: {
        // A token cut by the end of the input is complete: a line end closes it.
        const line = this.line;
        this.run(Uint8Array.of(LF), 0, 1);
        this.line = line;
        break;
      }
      case META:
        this.mode = INITIAL;
        this.listener.metaEnd(this.metaText.replace(/\r$/, ''), -1);
        break;
      default:
        break;
    }
    if (this.pendingDash || this.pendingSlash) {
      // A lone `-` or `/` at the very end: content, one byte before the (empty) end.
      this.pendingDash = false;
      this.pendingSlash = false;
      this.beginContent(-1);
    }
    const unfinished = this.unfinishedConstruct();
    return { unfinished, incomplete: unfinished === undefined && this.inStatement };
  }

  private unfinishedConstruct(): string | undefined {
    switch (this.mode) {
      case BLOCK_COMMENT:
        return 'inside a /* comment */';
      case QUOTE:
      case ESCAPE_QUOTE:
      case BIT_QUOTE:
        return 'inside a quoted string';
      case DOUBLE_QUOTE:
        return 'inside a quoted identifier';
      case DOLLAR_BODY:
      case DOLLAR_CLOSE:
        return 'inside a dollar-quoted body';
      case COPY_REST:
      case COPY_LINE_START:
      case COPY_LINE:
        return 'inside the data of a COPY statement, without its closing \\. line';
      default:
        break;
    }
    if (this.parenDepth > 0) return 'inside parentheses';
    if (this.beginDepth > 0) return 'inside the BEGIN ATOMIC body of a function';
    return undefined;
  }

  private run(chunk: Uint8Array, from: number, to: number): void {
    let i = from;
    while (i < to) {
      switch (this.mode) {
        case INITIAL:
          i = this.initial(chunk, i, to);
          break;
        case LINE_COMMENT: {
          // `--` runs to the end of the line, \n or \r (which INITIAL then reads).
          let j = i;
          while (j < to && chunk[j] !== LF && chunk[j] !== CR) j += 1;
          if (j < to) this.mode = INITIAL;
          i = j;
          break;
        }
        case BLOCK_COMMENT:
          i = this.blockComment(chunk, i, to);
          break;
        case QUOTE:
        case BIT_QUOTE: {
          const close = indexIn(chunk, SINGLE_QUOTE, i, to);
          const end = close === -1 ? to : close;
          this.line += countNewlines(chunk, i, end);
          this.keep(chunk, i, end);
          if (close === -1) return;
          this.quoteStop();
          i = close + 1;
          break;
        }
        case ESCAPE_QUOTE:
          i = this.escapeQuote(chunk, i, to);
          break;
        case QUOTE_STOP:
          i = this.quoteStopByte(chunk, i);
          break;
        case DOUBLE_QUOTE: {
          const close = indexIn(chunk, DOUBLE_QUOTE_CHAR, i, to);
          const end = close === -1 ? to : close;
          this.line += countNewlines(chunk, i, end);
          this.keep(chunk, i, end);
          if (close === -1) return;
          this.mode = DOUBLE_QUOTE_STOP;
          i = close + 1;
          break;
        }
        case DOUBLE_QUOTE_STOP:
          if (chunk[i] === DOUBLE_QUOTE_CHAR) {
            // `""` is one quote character inside the identifier.
            this.keep(chunk, i, i + 1);
            this.mode = DOUBLE_QUOTE;
            i += 1;
          } else {
            this.mode = INITIAL;
            this.endToken('quoted', this.text);
          }
          break;
        case DOLLAR_BODY: {
          const dollar = indexIn(chunk, DOLLAR, i, to);
          const end = dollar === -1 ? to : dollar;
          this.line += countNewlines(chunk, i, end);
          if (dollar === -1) return;
          this.mode = DOLLAR_CLOSE;
          this.candidate = '';
          this.candidateTooLong = false;
          i = dollar + 1;
          break;
        }
        case DOLLAR_CLOSE:
          i = this.dollarClose(chunk, i);
          break;
        case WORD:
          i = this.word(chunk, i, to);
          break;
        case UNICODE_PREFIX:
          i = this.unicodePrefix(chunk, i);
          break;
        case NUMBER:
        case PARAM:
        case JUNK:
          i = this.number(chunk, i, to);
          break;
        case DOLLAR_OPEN:
          i = this.dollarOpen(chunk, i);
          break;
        case COLON:
          i = this.colon(chunk, i);
          break;
        case COLON_NAME:
          i = this.colonName(chunk, i);
          break;
        case META: {
          const newline = indexIn(chunk, LF, i, to);
          const end = newline === -1 ? to : newline;
          if (this.metaText.length < META_TEXT_LIMIT)
            this.metaText += latin1(chunk, i, Math.min(end, i + META_TEXT_LIMIT));
          if (newline === -1) return;
          this.mode = INITIAL;
          this.line += 1;
          this.atLineStart = true;
          this.listener.metaEnd(this.metaText.replace(/\r$/, ''), newline + 1);
          i = newline + 1;
          break;
        }
        case COPY_REST: {
          const c = chunk[i] as number;
          if (c === LF) {
            this.line += 1;
            this.mode = COPY_LINE_START;
            this.copyMarker = 0;
          } else if (!isSpace(c)) {
            throw new SqlScanError(
              'text follows "COPY … FROM stdin;" on its line, which psql would run only after the COPY data',
              this.line,
            );
          }
          i += 1;
          break;
        }
        case COPY_LINE_START:
          i = this.copyLineStart(chunk, i);
          break;
        case COPY_LINE: {
          const newline = indexIn(chunk, LF, i, to);
          if (newline === -1) return;
          this.line += 1;
          this.mode = COPY_LINE_START;
          this.copyMarker = 0;
          i = newline + 1;
          break;
        }
        default:
          throw new Error(`unknown scanner mode ${this.mode}`);
      }
    }
  }

  /** INITIAL: whitespace, comments, and the first byte of every token. */
  private initial(chunk: Uint8Array, start: number, to: number): number {
    let i = start;
    while (i < to) {
      const c = chunk[i] as number;
      if (this.pendingDash) {
        this.pendingDash = false;
        if (c === DASH) {
          this.mode = LINE_COMMENT;
          return i + 1;
        }
        this.beginContent(i - 1);
        this.symbol('-');
      } else if (this.pendingSlash) {
        this.pendingSlash = false;
        if (c === STAR) {
          this.mode = BLOCK_COMMENT;
          this.commentDepth = 0;
          this.commentAfterSlash = false;
          this.commentAfterStar = false;
          // A /* comment */ stops the server from joining strings across lines.
          this.closedString = false;
          return i + 1;
        }
        this.beginContent(i - 1);
        this.symbol('/');
      }
      if (c === LF) {
        this.line += 1;
        this.atLineStart = true;
        if (this.closedString) this.closedNewline = true;
        i += 1;
        continue;
      }
      if (isSpace(c)) {
        i += 1;
        continue;
      }
      const lineStart = this.atLineStart;
      this.atLineStart = false;
      if (c === DASH) {
        this.pendingDash = true;
        i += 1;
        continue;
      }
      if (c === SLASH) {
        this.pendingSlash = true;
        i += 1;
        continue;
      }
      if (c === BACKSLASH) {
        // Also `\;` and `\:`, which psql handles itself: all are meta-commands here.
        this.closedString = false;
        this.mode = META;
        this.metaText = '';
        this.listener.metaStart(i, lineStart);
        return i;
      }
      this.beginContent(i);
      if (c === SINGLE_QUOTE) {
        this.openString(this.standardStrings() ? QUOTE : ESCAPE_QUOTE, true);
        return i + 1;
      }
      this.closedString = false;
      if (c === DOUBLE_QUOTE_CHAR) {
        this.openQuoted();
        return i + 1;
      }
      if (isIdentStart(c)) {
        this.mode = WORD;
        // Keywords that matter here are at most 9 bytes (procedure); 10 tells a longer word apart.
        this.startText(10);
        return i;
      }
      if (isDigit(c)) {
        this.mode = NUMBER;
        return i;
      }
      if (c === DOLLAR) {
        this.mode = DOLLAR_OPEN;
        this.candidate = '';
        return i + 1;
      }
      if (c === 0x3a) {
        this.mode = COLON;
        return i + 1;
      }
      i += 1;
      if (c === 0x28) {
        if (this.parenDepth === 0) this.symbol('(');
        this.parenDepth += 1;
      } else if (c === 0x29) {
        if (this.parenDepth > 0) this.parenDepth -= 1;
        if (this.parenDepth === 0) this.symbol(')');
      } else if (c === 0x3b && this.parenDepth === 0 && this.beginDepth === 0) {
        this.endStatement(i);
        // COPY data may follow: the mode changed.
        if (this.mode !== INITIAL) return i;
      } else {
        this.symbol(String.fromCharCode(c));
      }
    }
    return i;
  }

  /** The statement's first byte of content. */
  private beginContent(at: number): void {
    if (this.inStatement) return;
    this.inStatement = true;
    this.listening = true;
    this.listener.statementStart(at);
  }

  private endStatement(end: number): void {
    const copy = this.copyFromStdin;
    if (copy && this.copyBinary) {
      throw new SqlScanError(
        'binary COPY data inside an SQL script cannot be read line by line: restore it with pg_restore, or make a plain-text dump',
        this.line,
      );
    }
    this.applySettings();
    this.inStatement = false;
    this.identifierCount = 0;
    this.head = [];
    this.isCopy = false;
    this.copyFromStdin = false;
    this.copyBinary = false;
    this.lastWordWasFrom = false;
    this.closedString = false;
    if (copy) this.mode = COPY_REST;
    this.listener.statementEnd(end, copy);
  }

  /** standard_conforming_strings as psql's lexer has it on the current line. */
  private standardStrings(): boolean {
    if (this.nextStdStrings && this.line > this.nextStdStrings.after) {
      this.stdStrings = this.nextStdStrings.value;
      this.nextStdStrings = undefined;
    }
    return this.stdStrings;
  }

  private setStdStrings(value: boolean): void {
    this.standardStrings();
    this.nextStdStrings = { value, after: this.line };
  }

  /** SET standard_conforming_strings changes how psql reads quotes from the next line on. */
  private applySettings(): void {
    const upper = (token: ScanToken | undefined): string | undefined =>
      token?.kind === 'word' ? token.text.toUpperCase() : token?.text;
    const command = upper(this.head[0]);
    if (command !== 'SET' && command !== 'RESET') return;
    let k = 1;
    if (upper(this.head[k]) === 'SESSION' || upper(this.head[k]) === 'LOCAL') k += 1;
    const name = upper(this.head[k]);
    if (command === 'RESET') {
      if (name === 'STANDARD_CONFORMING_STRINGS' || name === 'ALL')
        this.setStdStrings(this.defaultStdStrings);
      return;
    }
    if (name === 'NAMES') this.checkEncoding(this.head[k + 1]);
    const operator = upper(this.head[k + 1]);
    const value = operator === '=' || operator === 'TO' ? this.head[k + 2] : undefined;
    if (!value) return;
    if (name === 'CLIENT_ENCODING') this.checkEncoding(value);
    if (name === 'STANDARD_CONFORMING_STRINGS') {
      const setting =
        upper(value) === 'DEFAULT' ? this.defaultStdStrings : parseSqlBoolean(value.text);
      if (setting !== undefined) this.setStdStrings(setting);
    }
  }

  private checkEncoding(token: ScanToken | undefined): void {
    if (!token) return;
    if (UNSAFE_CLIENT_ENCODINGS.has(token.text.toLowerCase().replace(/[^a-z0-9]/g, ''))) {
      throw new SqlScanError(
        `the SQL sets the client encoding ${token.text}, whose characters can hold quote and backslash bytes: restore it by hand with psql, or make the dump in UTF8`,
        this.line,
      );
    }
  }

  /** A complete token: kept in the statement's head, and told to a listener at depth 0. */
  private endToken(kind: ScanToken['kind'], text: string): void {
    if (kind !== 'word') this.lastWordWasFrom = false;
    const unicode = kind === 'quoted' && this.unicodeQuoted;
    this.unicodeQuoted = false;
    if (this.parenDepth > 0 || (this.head.length >= 8 && !this.listening)) return;
    const token: ScanToken = unicode ? { kind, text, unicode } : { kind, text };
    if (this.head.length < 8) this.head.push(token);
    if (this.listening) this.listener.token(token);
  }

  private symbol(text: string): void {
    this.closedString = false;
    this.endToken('symbol', text);
  }

  /**
   * A new token's text is kept whole only when someone will read it: a
   * listener, the statement's head (the first 8 tokens), a COPY statement.
   * Otherwise only `keywordBytes` (enough to tell keywords) — most of a
   * dump's tokens are values nobody reads.
   */
  private startText(keywordBytes: number): void {
    this.text = '';
    this.textCut = false;
    const read = (this.listening || this.head.length < 8) && this.parenDepth === 0;
    this.textLimit = read || this.isCopy ? TOKEN_TEXT_LIMIT : keywordBytes;
  }

  private keep(chunk: Uint8Array, from: number, to: number): void {
    if (this.textCut || to <= from) return;
    const room = this.textLimit - this.text.length;
    if (to - from > room) {
      if (room > 0) this.text += latin1(chunk, from, from + room);
      this.textCut = true;
    } else {
      this.text += latin1(chunk, from, to);
    }
  }

  private openString(mode: number, plainQuote: boolean): void {
    if (plainQuote) this.checkContinuation();
    this.closedString = false;
    this.mode = mode;
    this.quoteKind = mode;
    // 'binary' in COPY … (FORMAT 'binary') is read; other strings only when someone listens.
    this.startText(0);
    this.escapeNext = false;
  }

  private openQuoted(): void {
    this.mode = DOUBLE_QUOTE;
    this.startText(0);
  }

  /**
   * The server joins 'a' and 'b' on the next line into one string (SQL's
   * rule); psql, reading line by line, sees two strings. They split
   * statements alike only if both parts treat backslashes the same way.
   */
  private checkContinuation(): void {
    if (!this.closedString || !this.closedNewline) return;
    if (this.closedEscapes !== !this.standardStrings()) {
      throw new SqlScanError(
        'a quoted string goes on in a second quoted string on the next line, with other backslash rules than the first: psql and the server would split the SQL differently',
        this.line,
      );
    }
  }

  private escapeQuote(chunk: Uint8Array, start: number, to: number): number {
    let i = start;
    if (this.escapeNext) {
      // The byte after a backslash is taken as is, a quote or another backslash included.
      this.escapeNext = false;
      if (chunk[i] === LF) this.line += 1;
      this.keep(chunk, i, i + 1);
      i += 1;
    }
    for (;;) {
      const quote = indexIn(chunk, SINGLE_QUOTE, i, to);
      const backslash = indexIn(chunk, BACKSLASH, i, quote === -1 ? to : quote);
      const stop = backslash !== -1 ? backslash : quote;
      const end = stop === -1 ? to : stop;
      this.line += countNewlines(chunk, i, end);
      this.keep(chunk, i, end);
      if (stop === -1) return to;
      if (stop === quote) {
        this.quoteStop();
        return quote + 1;
      }
      this.keep(chunk, backslash, backslash + 1);
      if (backslash + 1 >= to) {
        this.escapeNext = true;
        return to;
      }
      if (chunk[backslash + 1] === LF) this.line += 1;
      this.keep(chunk, backslash + 1, backslash + 2);
      i = backslash + 2;
    }
  }

  /** A closing quote: psql's xqs state tells `''`, a continuation and the string's end apart. */
  private quoteStop(): void {
    this.mode = QUOTE_STOP;
    this.stopSawSpace = false;
    this.stopNewline = false;
    this.stopDash = false;
    this.stopComment = false;
  }

  private quoteStopByte(chunk: Uint8Array, i: number): number {
    const c = chunk[i] as number;
    if (this.stopComment) {
      // A -- comment inside the whitespace between string parts: to the end of the line.
      if (c === LF) return this.endString(i);
      if (c === CR) {
        this.stopComment = false;
        this.stopNewline = true;
      }
      return i + 1;
    }
    if (this.stopDash) {
      this.stopDash = false;
      if (c === DASH) {
        this.stopComment = true;
        this.stopSawSpace = true;
        return i + 1;
      }
      // A lone `-` after the string: INITIAL reads it as an operator, then this byte.
      this.endString(i);
      this.pendingDash = true;
      return i;
    }
    if (c === SINGLE_QUOTE) {
      if (!this.stopSawSpace && this.quoteKind !== BIT_QUOTE) {
        // `''` is one quote character inside the string.
        this.mode = this.quoteKind;
        this.keep(chunk, i, i + 1);
        return i + 1;
      }
      if (this.stopNewline) {
        // Whitespace with a bare \r between the parts, within one of psql's lines: one string.
        this.mode = this.quoteKind;
        return i + 1;
      }
      return this.endString(i);
    }
    // psql reads a line at a time without its \n, so a string never goes on past one.
    if (c === LF) return this.endString(i);
    if (c === CR) {
      this.stopNewline = true;
      this.stopSawSpace = true;
      return i + 1;
    }
    if (isLineSpace(c)) {
      this.stopSawSpace = true;
      return i + 1;
    }
    if (c === DASH) {
      this.stopDash = true;
      return i + 1;
    }
    return this.endString(i);
  }

  /** The string is complete; the byte at `i` is read again in INITIAL. */
  private endString(i: number): number {
    this.mode = INITIAL;
    if (this.isCopy && this.text.toLowerCase() === 'binary') this.copyBinary = true;
    this.endToken('string', this.text);
    this.closedString = true;
    this.closedEscapes = this.quoteKind === ESCAPE_QUOTE;
    this.closedNewline = false;
    return i;
  }

  private blockComment(chunk: Uint8Array, start: number, to: number): number {
    let i = start;
    while (i < to) {
      const c = chunk[i] as number;
      i += 1;
      if (c === LF) this.line += 1;
      if (this.commentAfterSlash && c === STAR) {
        // A nested /*: its star cannot also end a comment.
        this.commentDepth += 1;
        this.commentAfterSlash = false;
        this.commentAfterStar = false;
        continue;
      }
      if (this.commentAfterStar && c === SLASH) {
        this.commentAfterSlash = false;
        this.commentAfterStar = false;
        if (this.commentDepth === 0) {
          this.mode = INITIAL;
          return i;
        }
        this.commentDepth -= 1;
        continue;
      }
      this.commentAfterSlash = c === SLASH;
      this.commentAfterStar = c === STAR;
    }
    return i;
  }

  private word(chunk: Uint8Array, start: number, to: number): number {
    let i = start;
    while (i < to && isIdentCont(chunk[i] as number)) i += 1;
    this.keep(chunk, start, i);
    if (i === to) return i;
    const c = chunk[i] as number;
    const single = this.text.length === 1 ? this.text : '';
    if (c === SINGLE_QUOTE && single && 'bBxXeEnN'.includes(single)) {
      // B'…', X'…', E'…', N'…': a string with a prefix, not an identifier.
      const kind = 'eE'.includes(single)
        ? ESCAPE_QUOTE
        : 'nN'.includes(single)
          ? this.standardStrings()
            ? QUOTE
            : ESCAPE_QUOTE
          : BIT_QUOTE;
      this.openString(kind, 'nN'.includes(single));
      return i + 1;
    }
    if (c === 0x26 && single && 'uU'.includes(single)) {
      this.mode = UNICODE_PREFIX;
      return i + 1;
    }
    this.mode = INITIAL;
    this.endWord();
    return i;
  }

  /** After `U&`: U&'…' is a string, U&"…" an identifier; anything else leaves `U` and `&`. */
  private unicodePrefix(chunk: Uint8Array, i: number): number {
    const c = chunk[i] as number;
    if (c === SINGLE_QUOTE) {
      this.openString(QUOTE, false);
      return i + 1;
    }
    if (c === DOUBLE_QUOTE_CHAR) {
      this.openQuoted();
      this.unicodeQuoted = true;
      return i + 1;
    }
    this.mode = INITIAL;
    this.endWord();
    this.symbol('&');
    return i;
  }

  /** A complete identifier or keyword: psql's BEGIN … END tracking, COPY, and the token. */
  private endWord(): void {
    const word = this.text;
    const lower = word.toLowerCase();
    if (this.identifierCount === 0) this.identifiers.fill(0);
    if (
      lower === 'create' ||
      lower === 'function' ||
      lower === 'procedure' ||
      lower === 'or' ||
      lower === 'replace'
    ) {
      if (this.identifierCount < this.identifiers.length)
        this.identifiers[this.identifierCount] = lower.charCodeAt(0);
    }
    this.identifierCount += 1;
    const [first, second, third, fourth] = this.identifiers;
    const isRoutine = (letter: number | undefined): boolean => letter === 0x66 || letter === 0x70;
    const inRoutine =
      first === 0x63 &&
      (isRoutine(second) || (second === 0x6f && third === 0x72 && isRoutine(fourth)));
    if (inRoutine && this.parenDepth === 0) {
      if (lower === 'begin') this.beginDepth += 1;
      else if (lower === 'case') {
        // CASE also ends with END; it only matters inside a BEGIN.
        if (this.beginDepth >= 1) this.beginDepth += 1;
      } else if (lower === 'end' && this.beginDepth > 0) this.beginDepth -= 1;
    }
    if (this.identifierCount === 1 && this.parenDepth === 0 && lower === 'copy') this.isCopy = true;
    if (this.isCopy) {
      if (lower === 'binary') this.copyBinary = true;
      if (this.parenDepth === 0) {
        if (this.lastWordWasFrom && lower === 'stdin') this.copyFromStdin = true;
        this.lastWordWasFrom = lower === 'from';
      }
    }
    this.closedString = false;
    this.endToken('word', word);
  }

  private number(chunk: Uint8Array, start: number, to: number): number {
    let i = start;
    for (; i < to; i += 1) {
      const c = chunk[i] as number;
      if (this.mode === JUNK) {
        if (!isIdentCont(c)) break;
      } else if (isDigit(c) || (this.mode === NUMBER && (c === 0x5f || c === DOT))) {
        continue;
      } else if (isIdentStart(c)) {
        this.mode = JUNK;
      } else {
        break;
      }
    }
    if (i === to) return i;
    this.mode = INITIAL;
    this.endToken('number', '');
    return i;
  }

  private dollarOpen(chunk: Uint8Array, i: number): number {
    const c = chunk[i] as number;
    if (c === DOLLAR) {
      this.dollarTag = this.candidate;
      this.mode = DOLLAR_BODY;
      this.endToken('dollar', '');
      return i + 1;
    }
    if (this.candidate === '' && isDigit(c)) {
      this.mode = PARAM;
      return i;
    }
    if (this.candidate === '' ? isIdentStart(c) : isNameChar(c)) {
      if (this.candidate.length >= DOLLAR_TAG_LIMIT)
        throw new SqlScanError('a $tag$ longer than 4 KiB', this.line);
      this.candidate += String.fromCharCode(c);
      return i + 1;
    }
    // Not a delimiter: the `$` stands alone, and what followed it is read again.
    this.mode = INITIAL;
    this.symbol('$');
    this.replay(this.candidate);
    return i;
  }

  private dollarClose(chunk: Uint8Array, i: number): number {
    const c = chunk[i] as number;
    if (c === DOLLAR) {
      if (!this.candidateTooLong && this.candidate === this.dollarTag) {
        this.mode = INITIAL;
        return i + 1;
      }
      // `$other$` is not the closing tag, but its last `$` may open it.
      this.candidate = '';
      this.candidateTooLong = false;
      return i + 1;
    }
    if (this.candidate === '' ? isIdentStart(c) : isNameChar(c)) {
      if (this.candidate.length < this.dollarTag.length) this.candidate += String.fromCharCode(c);
      else this.candidateTooLong = true;
      return i + 1;
    }
    this.mode = DOLLAR_BODY;
    return i;
  }

  private colon(chunk: Uint8Array, i: number): number {
    const c = chunk[i] as number;
    this.mode = INITIAL;
    if (c === 0x3a || c === 0x3d) {
      // `::` (a cast) and `:=`.
      this.symbol(c === 0x3a ? '::' : ':=');
      return i + 1;
    }
    if (isNameChar(c)) {
      this.mode = COLON_NAME;
      this.colonOpener = 0;
      this.candidate = '';
      return i;
    }
    if (c === SINGLE_QUOTE || c === DOUBLE_QUOTE_CHAR || c === 0x7b) {
      this.mode = COLON_NAME;
      this.colonOpener = c;
      this.candidate = '';
      return i + 1;
    }
    this.symbol(':');
    return i;
  }

  /** :name, :'name', :"name", :{?name}. */
  private colonName(chunk: Uint8Array, i: number): number {
    const c = chunk[i] as number;
    const braces = this.colonOpener === 0x7b;
    if (braces && this.candidate === '' && c === 0x3f) {
      this.candidate = '?';
      return i + 1;
    }
    if (isNameChar(c) && (!braces || this.candidate !== '')) {
      if (this.candidate.length < TOKEN_TEXT_LIMIT) this.candidate += String.fromCharCode(c);
      return i + 1;
    }
    this.mode = INITIAL;
    const name = braces ? this.candidate.slice(1) : this.candidate;
    if (this.colonOpener === 0) {
      this.listener.variable(name);
      this.symbol(`:${name}`);
      return i;
    }
    const closer = braces ? 0x7d : this.colonOpener;
    if (c === closer && name !== '') {
      this.listener.variable(name);
      this.symbol(`:${name}`);
      return i + 1;
    }
    // Not a variable: all after the colon is read again (a quote then opens a string).
    this.symbol(':');
    this.replay(`${String.fromCharCode(this.colonOpener)}${this.candidate}`);
    return i;
  }

  /** Reads a few bytes again in INITIAL (psql's yyless): never a statement end nor a meta-command. */
  private replay(text: string): void {
    if (!text) return;
    const bytes = Buffer.from(text, 'latin1');
    this.run(bytes, 0, bytes.length);
  }

  /** psql ends COPY data at a line that is exactly `\.`, ended by \n or \r\n. */
  private copyLineStart(chunk: Uint8Array, i: number): number {
    const c = chunk[i] as number;
    if (c === LF && this.copyMarker >= 2) {
      this.line += 1;
      this.mode = INITIAL;
      this.atLineStart = true;
      this.listener.copyEnd(i + 1);
      return i + 1;
    }
    if (this.copyMarker === 0 && c === BACKSLASH) this.copyMarker = 1;
    else if (this.copyMarker === 1 && c === DOT) this.copyMarker = 2;
    else if (this.copyMarker === 2 && c === CR) this.copyMarker = 3;
    else {
      // A data line (an empty one included): on to its end.
      this.mode = COPY_LINE;
      return i;
    }
    return i + 1;
  }
}

function indexIn(chunk: Uint8Array, byte: number, from: number, to: number): number {
  const found = chunk.indexOf(byte, from);
  return found === -1 || found >= to ? -1 : found;
}

export function countNewlines(chunk: Uint8Array, from: number, to: number): number {
  let count = 0;
  let i = chunk.indexOf(LF, from);
  while (i !== -1 && i < to) {
    count += 1;
    i = chunk.indexOf(LF, i + 1);
  }
  return count;
}

function latin1(chunk: Uint8Array, from: number, to: number): string {
  if (to - from <= 16) {
    // Short (keywords, names): cheaper than a Buffer view and a decoder.
    let text = '';
    for (let i = from; i < to; i += 1) text += String.fromCharCode(chunk[i] as number);
    return text;
  }
  return Buffer.from(chunk.buffer, chunk.byteOffset + from, Math.max(0, to - from)).toString(
    'latin1',
  );
}
