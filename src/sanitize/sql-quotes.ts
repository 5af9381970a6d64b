const QUOTE = 0x27;
const DOUBLE_QUOTE = 0x22;
const DOLLAR = 0x24;
const DASH = 0x2d;
const NEWLINE = 0x0a;

type State = 'code' | 'single' | 'double' | 'comment' | 'dollarOpen' | 'dollar' | 'dollarClose';

function isTagByte(byte: number, first: boolean): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    byte === 0x5f ||
    byte >= 0x80 ||
    (!first && byte >= 0x30 && byte <= 0x39)
  );
}

/**
 * Follows string literals, quoted identifiers, dollar-quoted bodies and line
 * comments through the SQL of a plain dump, across chunks: a line that starts
 * inside one (a comment's text, a function body) is never a COPY header,
 * whatever it says.
 */
export class SqlQuotes {
  private state: State = 'code';
  private tag: number[] = [];
  private matched = 0;
  private previous = NEWLINE;

  /** True while the bytes fed so far end inside a literal, an identifier or a body. */
  get inside(): boolean {
    return this.state !== 'code' && this.state !== 'comment';
  }

  feed(chunk: Buffer, from: number, end: number): void {
    for (let i = from; i < end; i += 1) this.step(chunk[i]!);
  }

  private step(byte: number): void {
    const previous = this.previous;
    this.previous = byte;
    switch (this.state) {
      case 'code':
        if (byte === QUOTE) this.state = 'single';
        else if (byte === DOUBLE_QUOTE) this.state = 'double';
        else if (byte === DASH && previous === DASH) this.state = 'comment';
        else if (byte === DOLLAR && !isTagByte(previous, false) && previous !== DOLLAR) {
          this.state = 'dollarOpen';
          this.tag = [];
        }
        return;
      case 'single':
        if (byte === QUOTE) this.state = 'code';
        return;
      case 'double':
        if (byte === DOUBLE_QUOTE) this.state = 'code';
        return;
      case 'comment':
        if (byte === NEWLINE) this.state = 'code';
        return;
      case 'dollarOpen':
        if (byte === DOLLAR) this.state = 'dollar';
        else if (isTagByte(byte, this.tag.length === 0)) this.tag.push(byte);
        else {
          // `$1` and the like: not a dollar quote.
          this.state = 'code';
          this.previous = previous;
          this.step(byte);
        }
        return;
      case 'dollar':
        if (byte === DOLLAR) {
          this.state = 'dollarClose';
          this.matched = 0;
        }
        return;
      case 'dollarClose':
        if (this.matched === this.tag.length && byte === DOLLAR) this.state = 'code';
        else if (this.matched < this.tag.length && byte === this.tag[this.matched])
          this.matched += 1;
        else if (byte === DOLLAR) this.matched = 0;
        else this.state = 'dollar';
        return;
    }
  }
}
