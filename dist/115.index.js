export const id = 115;
export const ids = [115];
export const modules = {

/***/ 15115:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $: () => (/* binding */ parseCopyFromStdin),
/* harmony export */   B: () => (/* binding */ PlainDumpScanner)
/* harmony export */ });
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(57075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_0__);

var State;
(function (State) {
    State[State["Normal"] = 0] = "Normal";
    State[State["LineComment"] = 1] = "LineComment";
    State[State["BlockComment"] = 2] = "BlockComment";
    State[State["Quote"] = 3] = "Quote";
    State[State["EscapeQuote"] = 4] = "EscapeQuote";
    State[State["Identifier"] = 5] = "Identifier";
    State[State["Dollar"] = 6] = "Dollar";
    State[State["Meta"] = 7] = "Meta";
    State[State["CopyLineEnd"] = 8] = "CopyLineEnd";
    State[State["CopyData"] = 9] = "CopyData";
})(State || (State = {}));
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const FORM_FEED = 0x0c;
const VERTICAL_TAB = 0x0b;
const QUOTE = 0x27;
const DOUBLE_QUOTE = 0x22;
const DOLLAR = 0x24;
const BACKSLASH = 0x5c;
const DASH = 0x2d;
const SLASH = 0x2f;
const STAR = 0x2a;
const SEMICOLON = 0x3b;
const DOT = 0x2e;
/** Enough of a statement to know whether it is one we read (COPY, SET client_encoding). */
const HEAD_BYTES = 24;
/** A COPY statement names one table and its columns (at most 1600 quoted 63-byte names). */
const STATEMENT_LIMIT = 1024 * 1024;
/** Longer dollar-quote tags than pg_dump ever writes are not looked for across chunks. */
const TAG_LIMIT = 1024;
/** A meta-command line is kept this far: `\restrict` and its key. */
const META_LIMIT = 256;
/** TOC comment lines name an object, its schema and its owner. */
const COMMENT_LIMIT = 4096;
const CLOSING_COMMENT = Buffer.from(' PostgreSQL database dump complete');
const DATA_HEADER = Buffer.from(' Data for Name: ');
const TOC_HEADER = Buffer.from(' Name: ');
const UNRESTRICT = Buffer.from('\\unrestrict');
const RESTRICT = Buffer.from('\\restrict');
const COPY_PREFIX = Buffer.from('COPY ');
const SET_ENCODING = /^SET client_encoding = '([^']*)';$/;
function isSpace(byte) {
    return (byte === SPACE ||
        byte === NEWLINE ||
        byte === TAB ||
        byte === CARRIAGE_RETURN ||
        byte === FORM_FEED ||
        byte === VERTICAL_TAB);
}
/** Bytes that continue an identifier (and so keep `$` and `'` from starting a quote after them). */
function isIdentifierByte(byte) {
    return ((byte >= 0x61 && byte <= 0x7a) ||
        (byte >= 0x41 && byte <= 0x5a) ||
        (byte >= 0x30 && byte <= 0x39) ||
        byte === 0x5f ||
        byte === DOLLAR ||
        byte >= 0x80);
}
function isTagStart(byte) {
    return ((byte >= 0x61 && byte <= 0x7a) ||
        (byte >= 0x41 && byte <= 0x5a) ||
        byte === 0x5f ||
        byte >= 0x80);
}
function isTagByte(byte) {
    return isTagStart(byte) || (byte >= 0x30 && byte <= 0x39);
}
class PlainDumpScanner extends node_stream__WEBPACK_IMPORTED_MODULE_0__.Transform {
    /** Every COPY block, in the order of the dump. */
    blocks = [];
    /** The encoding pg_dump wrote the dump in (its `SET client_encoding`). */
    encoding;
    /** What could not be read as pg_dump's plain format. */
    anomalies = [];
    state = State.Normal;
    carry;
    atStatementStart = true;
    /** The closing comment, and since then nothing but comments, blank space and `\unrestrict`. */
    endSeen = false;
    prev = 0;
    prevPrev = 0;
    commentDepth = 0;
    dollarTag = Buffer.alloc(0);
    /** The current statement's captured bytes (its head, or all of a COPY). */
    statement;
    statementLength = 0;
    statementKept = false;
    comment = [];
    commentLength = 0;
    meta = [];
    metaLength = 0;
    /** The last TOC comment seen, to tell which table a COPY block belongs to. */
    tocHeader;
    pendingCopy;
    block;
    /** Bytes of the current data line so far (only 0 to 3 or "more" matter), and its first three. */
    lineLength = 0;
    lineHead = [0, 0, 0];
    /** pg_dump 17.6, 16.10, 15.14 and later open the dump with `\restrict KEY` and close it with `\unrestrict KEY`. */
    restricted = false;
    unrestricted = false;
    /** The key of the `\restrict`: only an `\unrestrict` with the same key is pg_dump's own. */
    restrictKey;
    /**
     * The stream ended with pg_dump's closing comment (and, after a
     * `\restrict`, its `\unrestrict`), outside any statement or data block.
     */
    get finished() {
        return (this.endSeen &&
            (!this.restricted || this.unrestricted) &&
            this.state !== State.CopyData &&
            this.anomalies.length === 0);
    }
    _transform(chunk, _encoding, callback) {
        try {
            const data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
            this.carry = undefined;
            this.scan(data, false);
            callback(null, chunk);
        }
        catch (error) {
            callback(error);
        }
    }
    _flush(callback) {
        try {
            if (this.carry) {
                const data = this.carry;
                this.carry = undefined;
                this.scan(data, true);
            }
            this.endOfStream();
            callback();
        }
        catch (error) {
            callback(error);
        }
    }
    endOfStream() {
        switch (this.state) {
            case State.LineComment:
                this.endComment();
                break;
            case State.Meta:
                this.endMeta();
                break;
            case State.CopyData:
                // The block's last line without its newline is still a row, but the block never ended.
                if (this.lineLength > 0)
                    this.endDataLine();
                break;
            case State.Normal:
                break;
            default:
                this.significant();
                this.anomalies.push('the dump ends inside a quoted string, comment or statement');
        }
        if (this.statement && !this.atStatementStart)
            this.endSeen = false;
    }
    /** Processes `data`; an unfinished token at the end is carried to the next chunk (unless last). */
    scan(data, last) {
        let i = 0;
        const length = data.length;
        let captureFrom = this.statement ? 0 : -1;
        const flushCapture = (end) => {
            if (captureFrom >= 0 && end > captureFrom)
                this.capture(data.subarray(captureFrom, end));
            captureFrom = this.statement ? end : -1;
        };
        const need = (at) => {
            if (last)
                return false;
            flushCapture(at);
            this.carry = data.subarray(at);
            return true;
        };
        while (i < length) {
            switch (this.state) {
                case State.CopyData: {
                    const newline = data.indexOf(NEWLINE, i);
                    const end = newline === -1 ? length : newline;
                    for (let k = this.lineLength; k < 3 && i + k - this.lineLength < end; k += 1) {
                        this.lineHead[k] = data[i + k - this.lineLength];
                    }
                    this.lineLength += end - i;
                    if (newline === -1) {
                        i = length;
                        break;
                    }
                    i = newline + 1;
                    this.endDataLine();
                    break;
                }
                case State.CopyLineEnd: {
                    const newline = data.indexOf(NEWLINE, i);
                    const end = newline === -1 ? length : newline;
                    for (let j = i; j < end; j += 1) {
                        if (!isSpace(data[j])) {
                            this.anomalies.push('text after a COPY … FROM stdin statement on its line');
                            break;
                        }
                    }
                    if (newline === -1) {
                        i = length;
                        break;
                    }
                    i = newline + 1;
                    this.startCopyData();
                    break;
                }
                case State.LineComment: {
                    const newline = data.indexOf(NEWLINE, i);
                    const end = newline === -1 ? length : newline;
                    this.keepComment(data.subarray(i, end));
                    if (newline === -1) {
                        i = length;
                        break;
                    }
                    i = newline;
                    this.endComment();
                    this.state = State.Normal;
                    break;
                }
                case State.Meta: {
                    const newline = data.indexOf(NEWLINE, i);
                    const end = newline === -1 ? length : newline;
                    this.keepMeta(data.subarray(i, end));
                    if (newline === -1) {
                        i = length;
                        break;
                    }
                    i = newline;
                    this.endMeta();
                    this.state = State.Normal;
                    break;
                }
                case State.Quote:
                case State.Identifier: {
                    const close = this.state === State.Quote ? QUOTE : DOUBLE_QUOTE;
                    const at = data.indexOf(close, i);
                    if (at === -1) {
                        i = length;
                        break;
                    }
                    if (at + 1 >= length) {
                        if (need(at))
                            return;
                        i = at + 1;
                        this.state = State.Normal;
                        this.setPrev(close);
                        break;
                    }
                    if (data[at + 1] === close) {
                        i = at + 2;
                        break;
                    }
                    i = at + 1;
                    this.state = State.Normal;
                    this.setPrev(close);
                    break;
                }
                case State.EscapeQuote: {
                    let j = i;
                    while (j < length && data[j] !== QUOTE && data[j] !== BACKSLASH)
                        j += 1;
                    if (j >= length) {
                        i = length;
                        break;
                    }
                    if (j + 1 >= length) {
                        if (need(j))
                            return;
                        i = j + 1;
                        if (data[j] === QUOTE) {
                            this.state = State.Normal;
                            this.setPrev(QUOTE);
                        }
                        break;
                    }
                    if (data[j] === BACKSLASH || data[j + 1] === QUOTE) {
                        i = j + 2;
                        break;
                    }
                    i = j + 1;
                    this.state = State.Normal;
                    this.setPrev(QUOTE);
                    break;
                }
                case State.Dollar: {
                    const tag = this.dollarTag;
                    const at = data.indexOf(DOLLAR, i);
                    if (at === -1) {
                        i = length;
                        break;
                    }
                    if (at + tag.length > length) {
                        if (need(at))
                            return;
                        i = length;
                        break;
                    }
                    if (data.compare(tag, 0, tag.length, at, at + tag.length) === 0) {
                        i = at + tag.length;
                        this.state = State.Normal;
                        this.setPrev(DOLLAR);
                    }
                    else {
                        i = at + 1;
                    }
                    break;
                }
                case State.BlockComment: {
                    const byte = data[i];
                    if (byte === STAR || byte === SLASH) {
                        if (i + 1 >= length) {
                            if (need(i))
                                return;
                            i += 1;
                            break;
                        }
                        const next = data[i + 1];
                        if (byte === STAR && next === SLASH) {
                            this.commentDepth -= 1;
                            i += 2;
                            if (this.commentDepth === 0)
                                this.state = State.Normal;
                            break;
                        }
                        if (byte === SLASH && next === STAR) {
                            this.commentDepth += 1;
                            i += 2;
                            break;
                        }
                    }
                    i += 1;
                    break;
                }
                case State.Normal: {
                    const byte = data[i];
                    if (isSpace(byte)) {
                        this.setPrev(byte);
                        i += 1;
                        break;
                    }
                    if (byte === DASH || byte === SLASH) {
                        if (i + 1 >= length) {
                            if (need(i))
                                return;
                        }
                        else if (byte === DASH && data[i + 1] === DASH) {
                            this.state = State.LineComment;
                            this.comment = [];
                            this.commentLength = 0;
                            i += 2;
                            break;
                        }
                        else if (byte === SLASH && data[i + 1] === STAR) {
                            this.state = State.BlockComment;
                            this.commentDepth = 1;
                            i += 2;
                            break;
                        }
                    }
                    if (byte === BACKSLASH) {
                        // A psql meta-command (\connect, \restrict, \unrestrict) runs to the end of its line.
                        flushCapture(i);
                        this.state = State.Meta;
                        this.meta = [];
                        this.metaLength = 0;
                        continue;
                    }
                    if (this.atStatementStart) {
                        this.significant();
                        this.atStatementStart = false;
                        this.statement = [];
                        this.statementLength = 0;
                        this.statementKept = false;
                        captureFrom = i;
                    }
                    if (byte === SEMICOLON) {
                        flushCapture(i + 1);
                        i += 1;
                        this.endStatement();
                        captureFrom = -1;
                        this.setPrev(byte);
                        break;
                    }
                    if (byte === QUOTE) {
                        const escape = (this.prev === 0x45 || this.prev === 0x65) && !isIdentifierByte(this.prevPrev);
                        this.state = escape ? State.EscapeQuote : State.Quote;
                        i += 1;
                        break;
                    }
                    if (byte === DOUBLE_QUOTE) {
                        this.state = State.Identifier;
                        i += 1;
                        break;
                    }
                    if (byte === DOLLAR && !isIdentifierByte(this.prev)) {
                        let j = i + 1;
                        while (j < length && j - i <= TAG_LIMIT && isTagByte(data[j]))
                            j += 1;
                        if (j >= length && j - i <= TAG_LIMIT) {
                            if (need(i))
                                return;
                        }
                        else if (data[j] === DOLLAR && (j === i + 1 || isTagStart(data[i + 1]))) {
                            this.dollarTag = Buffer.from(data.subarray(i, j + 1));
                            this.state = State.Dollar;
                            i = j + 1;
                            break;
                        }
                    }
                    this.setPrev(byte);
                    i += 1;
                    break;
                }
            }
        }
        flushCapture(length);
    }
    setPrev(byte) {
        this.prevPrev = this.prev;
        this.prev = byte;
    }
    /** Something other than blank space or a comment: the closing comment is no longer the end. */
    significant() {
        this.endSeen = false;
    }
    capture(bytes) {
        if (!this.statement)
            return;
        if (this.statementKept || this.statementLength < HEAD_BYTES) {
            const room = STATEMENT_LIMIT - this.statementLength;
            const kept = bytes.length > room ? bytes.subarray(0, room) : bytes;
            this.statement.push(Buffer.from(kept));
            this.statementLength += kept.length;
            if (!this.statementKept && this.statementLength >= HEAD_BYTES)
                this.classifyStatement();
            if (this.statementKept && bytes.length > room) {
                this.anomalies.push('a COPY statement longer than any pg_dump writes');
                this.statementKept = false;
                this.statement = [];
            }
        }
    }
    /** Only COPY and SET client_encoding statements are kept whole; the rest are counted as gone by. */
    classifyStatement() {
        const head = Buffer.concat(this.statement ?? []);
        if (head.subarray(0, COPY_PREFIX.length).equals(COPY_PREFIX))
            this.statementKept = true;
        else if (head.toString('latin1').startsWith('SET client_encoding'))
            this.statementKept = true;
        else
            this.statement = [];
    }
    endStatement() {
        const text = this.statement ? Buffer.concat(this.statement) : Buffer.alloc(0);
        this.statement = undefined;
        this.atStatementStart = true;
        if (text.subarray(0, COPY_PREFIX.length).equals(COPY_PREFIX)) {
            const target = parseCopyFromStdin(text);
            if (target === 'not-from-stdin')
                return;
            if (target === undefined) {
                this.anomalies.push(`a COPY statement this tool cannot read: ${printable(text)}`);
                return;
            }
            this.pendingCopy = target;
            this.state = State.CopyLineEnd;
            return;
        }
        const encoding = SET_ENCODING.exec(text.toString('latin1'));
        if (encoding?.[1] !== undefined && this.encoding === undefined)
            this.encoding = encoding[1];
    }
    startCopyData() {
        const target = this.pendingCopy;
        this.pendingCopy = undefined;
        if (!target) {
            this.state = State.Normal;
            return;
        }
        const header = this.tocHeader?.subarray(0, DATA_HEADER.length).equals(DATA_HEADER)
            ? this.tocHeader.subarray(DATA_HEADER.length)
            : undefined;
        this.tocHeader = undefined;
        this.block = { ...target, header, rows: 0, complete: false };
        this.blocks.push(this.block);
        this.lineLength = 0;
        this.state = State.CopyData;
    }
    endDataLine() {
        const block = this.block;
        // psql ends a COPY at `\.` alone on a line, or followed by a carriage return.
        const marker = this.lineHead[0] === BACKSLASH &&
            this.lineHead[1] === DOT &&
            (this.lineLength === 2 || (this.lineLength === 3 && this.lineHead[2] === CARRIAGE_RETURN));
        if (marker) {
            if (block)
                block.complete = true;
            this.block = undefined;
            this.state = State.Normal;
            this.atStatementStart = true;
        }
        else if (block) {
            block.rows += 1;
        }
        this.lineLength = 0;
    }
    keepComment(bytes) {
        const room = COMMENT_LIMIT - this.commentLength;
        if (room <= 0 || bytes.length === 0)
            return;
        const kept = bytes.length > room ? bytes.subarray(0, room) : bytes;
        this.comment.push(Buffer.from(kept));
        this.commentLength += kept.length;
    }
    endComment() {
        const text = Buffer.concat(this.comment);
        this.comment = [];
        if (!this.atStatementStart)
            return;
        if (text.equals(CLOSING_COMMENT)) {
            this.endSeen = true;
            return;
        }
        if (text.subarray(0, DATA_HEADER.length).equals(DATA_HEADER) ||
            text.subarray(0, TOC_HEADER.length).equals(TOC_HEADER)) {
            this.tocHeader = text;
        }
    }
    keepMeta(bytes) {
        const room = META_LIMIT - this.metaLength;
        if (room <= 0 || bytes.length === 0)
            return;
        const kept = bytes.length > room ? bytes.subarray(0, room) : bytes;
        this.meta.push(Buffer.from(kept));
        this.metaLength += kept.length;
    }
    endMeta() {
        const text = Buffer.concat(this.meta);
        this.meta = [];
        const command = (prefix) => text.subarray(0, prefix.length).equals(prefix) &&
            (text.length === prefix.length || isSpace(text[prefix.length]));
        const argument = (prefix) => trimSpace(text.subarray(prefix.length));
        const unrestrict = command(UNRESTRICT);
        const keyMatches = !this.restricted || (this.restrictKey?.equals(argument(UNRESTRICT)) ?? false);
        if (unrestrict && this.endSeen && keyMatches)
            this.unrestricted = true;
        else
            this.significant();
        if (unrestrict && !keyMatches) {
            this.anomalies.push("an \\unrestrict line that does not name the key of the dump's \\restrict");
        }
        if (command(RESTRICT) && !this.restricted) {
            this.restricted = true;
            this.restrictKey = argument(RESTRICT);
        }
        this.atStatementStart = true;
    }
}
function trimSpace(bytes) {
    let from = 0;
    let to = bytes.length;
    while (from < to && isSpace(bytes[from]))
        from += 1;
    while (to > from && isSpace(bytes[to - 1]))
        to -= 1;
    return bytes.subarray(from, to);
}
/** A statement for a message: printable, and short. */
function printable(text) {
    const shown = text
        .subarray(0, 120)
        .toString('utf8')
        .replace(/[\r\n\t]/g, ' ');
    return text.length > 120 ? `${shown}…` : shown;
}
function skipSpace(text, at) {
    while (at < text.length && isSpace(text[at]))
        at += 1;
    return at;
}
/** One identifier at `at`: `"…"` (with `""`) or a plain name. */
function readIdentifier(text, at) {
    if (text[at] === DOUBLE_QUOTE) {
        const parts = [];
        let from = at + 1;
        for (;;) {
            const close = text.indexOf(DOUBLE_QUOTE, from);
            if (close === -1)
                return undefined;
            parts.push(text.subarray(from, close));
            if (text[close + 1] === DOUBLE_QUOTE) {
                parts.push(Buffer.from('"'));
                from = close + 2;
                continue;
            }
            return { value: Buffer.concat(parts), end: close + 1 };
        }
    }
    let end = at;
    while (end < text.length && isIdentifierByte(text[end]))
        end += 1;
    return end === at ? undefined : { value: text.subarray(at, end), end };
}
/**
 * `COPY schema.table [(columns)] FROM stdin;` as pg_dump writes it → the
 * table and its columns, unquoted; another COPY form → 'not-from-stdin';
 * anything unreadable → undefined.
 */
function parseCopyFromStdin(text) {
    let at = COPY_PREFIX.length;
    const schema = readIdentifier(text, at);
    if (!schema || text[schema.end] !== DOT)
        return undefined;
    const name = readIdentifier(text, schema.end + 1);
    if (!name)
        return undefined;
    at = skipSpace(text, name.end);
    const columns = [];
    if (text[at] === 0x28) {
        // The column list: names separated by commas (quoted ones may hold anything).
        for (;;) {
            const column = readIdentifier(text, skipSpace(text, at + 1));
            if (!column)
                return undefined;
            columns.push(Buffer.from(column.value));
            at = skipSpace(text, column.end);
            if (text[at] === 0x29)
                break;
            if (text[at] !== 0x2c)
                return undefined;
        }
        at += 1;
    }
    const rest = text.subarray(at).toString('latin1').trim();
    if (/^FROM stdin\s*;$/i.test(rest)) {
        return { schema: Buffer.from(schema.value), name: Buffer.from(name.value), columns };
    }
    return /\bstdin\b/i.test(rest) ? undefined : 'not-from-stdin';
}


/***/ })

};
