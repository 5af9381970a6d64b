import { Transform, type TransformCallback } from 'node:stream';
import { UserError } from '../../domain/errors.js';
import {
  classifyStatement,
  rolesNamed,
  type ConstraintDrop,
  type StatementClass,
  type StatementPolicy,
  type Verdict,
} from './restore-statements.js';
import {
  countNewlines,
  SqlScanError,
  SqlScanner,
  type ScanListener,
  type ScanToken,
} from './sql-scanner.js';

/** The SQL of a backup that a restore refuses to run (exit 2: nothing was changed). */
export class RefusedSql extends UserError {
  override readonly name = 'RefusedSql';
}

export interface RestoreFilterOptions extends StatementPolicy {
  /** standard_conforming_strings of the server at the start of the restore. */
  readonly standardConformingStrings?: boolean;
  /** The statement that sets the restore's own lock timeout again after a `RESET ALL`. */
  readonly lockTimeoutStatement?: string;
  /**
   * Constraint drops run in a DO block that keeps one PostgreSQL would refuse
   * (an inherited constraint) and notes its OID in this table (see
   * PsqlSession.commit); none without it (no PL/pgSQL for every role, no
   * commit guard, or no table that inherits from another).
   */
  readonly keptConstraintsTable?: string;
  /** The restore's commit guard, set aside before and armed again after `SET CONSTRAINTS` (one line each, no newline). */
  readonly guardStatements?: { readonly disarm: string; readonly rearm: string };
}

/** What the filter left out and what the SQL asks of the server. */
export interface FilterReport {
  readonly dropped: Readonly<Record<StatementClass, number>>;
  /** Roles named by owner statements (ALTER … OWNER TO, SET SESSION AUTHORIZATION), kept or left out. */
  readonly ownerRoles: ReadonlySet<string>;
  /** Roles named by privilege statements (GRANT, REVOKE, ALTER DEFAULT PRIVILEGES), kept or left out. */
  readonly privilegeRoles: ReadonlySet<string>;
  /** pg_dump ≥ 17.6/16.10/15.14 writes `\restrict KEY` / `\unrestrict KEY`; they were left out. */
  readonly restrictLines: number;
}

/**
 * psql's own variables (all versions): a backup that names one would have
 * psql paste its value into the SQL. The restore's own variables start with
 * RESTORE_VARIABLE_PREFIX.
 */
const PSQL_VARIABLES = new Set([
  'AUTOCOMMIT',
  'COMP_KEYWORD_CASE',
  'DBNAME',
  'ECHO',
  'ECHO_HIDDEN',
  'ENCODING',
  'ERROR',
  'FETCH_COUNT',
  'HIDE_TABLEAM',
  'HIDE_TOAST_COMPRESSION',
  'HISTCONTROL',
  'HISTFILE',
  'HISTSIZE',
  'HOST',
  'HOSTADDR',
  'IGNOREEOF',
  'LASTOID',
  'LAST_ERROR_MESSAGE',
  'LAST_ERROR_SQLSTATE',
  'ON_ERROR_ROLLBACK',
  'ON_ERROR_STOP',
  'PIPELINE_COMMAND_COUNT',
  'PIPELINE_RESULT_COUNT',
  'PIPELINE_SYNC_COUNT',
  'PORT',
  'PROMPT1',
  'PROMPT2',
  'PROMPT3',
  'QUIET',
  'ROW_COUNT',
  'SERVER_VERSION_NAME',
  'SERVER_VERSION_NUM',
  'SERVICE',
  'SHELL_ERROR',
  'SHELL_EXIT_CODE',
  'SHOW_ALL_RESULTS',
  'SHOW_CONTEXT',
  'SINGLELINE',
  'SINGLESTEP',
  'SQLSTATE',
  'USER',
  'VERBOSITY',
  'VERSION',
  'VERSION_NAME',
  'VERSION_NUM',
  'WATCH_INTERVAL',
]);

export const RESTORE_VARIABLE_PREFIX = 'db_backup_';

/** How much of one statement may be held back while its fate is undecided. */
export const HOLD_LIMIT = 1024 * 1024;

const RESTRICT_LINE = /^\\(restrict|unrestrict)[ \t]+[A-Za-z0-9]+[ \t\r]*$/;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const LF = 0x0a;
const SEMICOLON = 0x3b;

type Unit = 'between' | 'statement' | 'meta' | 'copy';

/**
 * The plain SQL of a backup on its way to psql: statements that could end
 * the restore's transaction, psql meta-commands, and (when asked) owners and
 * privileges are left out or refused, one statement at a time, with bounded
 * memory. Left-out statements become as many empty lines, so psql's line
 * numbers are the backup's. The output ends with a newline and a complete
 * statement, so the restore can add its own commands after it.
 */
export class RestoreSqlFilter extends Transform implements ScanListener {
  private readonly scanner: SqlScanner;
  private readonly counts: Record<StatementClass, number> = {
    transaction: 0,
    'lock-timeout': 0,
    owner: 0,
    privileges: 0,
  };
  private readonly ownerRoles = new Set<string>();
  private readonly privilegeRoles = new Set<string>();
  private restricts = 0;

  private chunk: Buffer = Buffer.alloc(0);
  private segmentStart = 0;
  private unit: Unit = 'between';
  private verdict: Verdict = { action: 'undecided' };
  private tokens: ScanToken[] = [];
  /** The statement is an owner or privilege statement: its roles are wanted. */
  private roleKind: 'owner' | 'privileges' | undefined;
  private held: Buffer[] = [];
  private heldBytes = 0;
  private lastByte = LF;
  /** Passed bytes of the current chunk not pushed yet: one push for a run of statements. */
  private runStart = -1;
  private runEnd = -1;
  private head: Buffer | undefined = Buffer.alloc(0);
  /** The end of the block the current statement runs in, if it runs in one. */
  private blockEnd: Buffer | undefined;

  constructor(private readonly options: RestoreFilterOptions) {
    super();
    this.scanner = new SqlScanner(this, {
      standardConformingStrings: options.standardConformingStrings ?? true,
    });
  }

  get report(): FilterReport {
    return {
      dropped: { ...this.counts },
      ownerRoles: this.ownerRoles,
      privilegeRoles: this.privilegeRoles,
      restrictLines: this.restricts,
    };
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      // psql drops a UTF-8 byte-order mark only at the very start of its input, which is no longer ours.
      if (this.head !== undefined) {
        this.head = Buffer.concat([this.head, chunk]);
        if (this.head.length < BOM.length && BOM.subarray(0, this.head.length).equals(this.head)) {
          callback();
          return;
        }
        chunk = this.head.subarray(0, 3).equals(BOM) ? this.head.subarray(3) : this.head;
        this.head = undefined;
      }
      this.process(chunk);
      callback();
    } catch (error) {
      callback(this.describe(error));
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      if (this.head !== undefined && this.head.length > 0) this.process(this.head);
      this.head = undefined;
      this.flushRun();
      this.chunk = Buffer.alloc(0);
      this.segmentStart = 0;
      const end = this.scanner.finish();
      if (end.unfinished) {
        throw new RefusedSql(
          `The backup's SQL ends ${end.unfinished}: the file is incomplete or damaged.`,
        );
      }
      if (this.unit === 'statement') {
        if (this.verdict.action === 'undecided')
          this.decide(classifyStatement(this.tokens, true, this.options));
        this.finishStatement(0);
        // psql runs a last statement without a semicolon at the end of its input; ours comes after it.
        if (end.incomplete && this.verdict.action === 'pass') this.output(Buffer.from('\n;'));
      }
      if (this.lastByte !== LF) this.output(Buffer.from('\n'));
      callback();
    } catch (error) {
      callback(this.describe(error));
    }
  }

  private describe(error: unknown): Error {
    if (error instanceof SqlScanError) {
      return new RefusedSql(
        `The backup's SQL cannot be restored safely (line ${error.line}): ${error.message}.`,
      );
    }
    return error instanceof Error ? error : new Error(String(error));
  }

  private process(chunk: Buffer): void {
    this.chunk = chunk;
    this.segmentStart = 0;
    this.scanner.scan(chunk);
    this.consume(chunk.length);
    this.flushRun();
  }

  /** Bytes of the current unit up to `end` of the current chunk, handled by what the unit is. */
  private consume(end: number): void {
    const start = this.segmentStart;
    this.segmentStart = end;
    if (end <= start) return;
    switch (this.unit) {
      case 'between':
      case 'copy':
        this.pass(start, end);
        return;
      case 'meta':
        // Replaced by the line end once the command is known to be harmless.
        return;
      case 'statement':
        break;
    }
    const bytes = this.chunk.subarray(start, end);
    switch (this.verdict.action) {
      case 'pass':
        this.pass(start, end);
        return;
      case 'drop':
        this.outputNewlines(countNewlines(bytes, 0, bytes.length));
        return;
      default:
        // Undecided: held back, a copy (the source may reuse its buffers).
        this.held.push(Buffer.from(bytes));
        this.heldBytes += bytes.length;
        if (this.heldBytes > HOLD_LIMIT) {
          this.decide(classifyStatement(this.tokens, false, this.options, true));
        }
    }
  }

  /** Bytes start…end of the current chunk go on as they are. */
  private pass(start: number, end: number): void {
    if (end <= start) return;
    if (this.runStart !== -1 && this.runEnd === start) {
      this.runEnd = end;
      return;
    }
    this.flushRun();
    this.runStart = start;
    this.runEnd = end;
  }

  private flushRun(): void {
    if (this.runStart === -1) return;
    const bytes = this.chunk.subarray(this.runStart, this.runEnd);
    this.runStart = -1;
    this.runEnd = -1;
    this.pushBytes(bytes);
  }

  /** Bytes of the restore's own (held back, or written in place of what was left out), after what passed. */
  private output(bytes: Buffer): void {
    this.flushRun();
    this.pushBytes(bytes);
  }

  private pushBytes(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.lastByte = bytes[bytes.length - 1] as number;
    this.push(bytes);
  }

  private outputNewlines(count: number): void {
    if (count > 0) this.output(Buffer.from('\n'.repeat(count)));
  }

  private decide(verdict: Verdict): void {
    if (verdict.action === 'undecided') return;
    if (verdict.action === 'refuse') {
      throw new RefusedSql(
        `The backup's SQL cannot be restored safely (line ${this.scanner.currentLine}): ${verdict.message}.`,
      );
    }
    this.verdict = verdict;
    if (verdict.kind === 'owner' || verdict.kind === 'privileges') this.roleKind = verdict.kind;
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    if (verdict.action === 'pass') {
      if (verdict.after === 'guard' && this.options.guardStatements)
        this.output(Buffer.from(`${this.options.guardStatements.disarm} `));
      if (verdict.after === 'constraint-drop') this.openBlock(held, verdict.drop);
      for (const bytes of held) this.output(bytes);
    } else {
      this.counts[verdict.kind] += 1;
      this.outputNewlines(held.reduce((n, bytes) => n + countNewlines(bytes, 0, bytes.length), 0));
    }
  }

  /**
   * A whole statement, held back, goes on inside a DO block that first asks
   * the catalog whether PostgreSQL would refuse the drop (a partition's
   * inherited constraint; with ONLY, a partitioned table's own CHECK while it
   * has partitions) where the current role could otherwise drop it: then the
   * constraint is kept and noted (see classifyStatement), else the statement
   * runs as written. No subtransaction, so none per constraint. Operators
   * are pg_catalog's whatever the search_path; the name is cast to `name`,
   * truncated as the server does. Written on the statement's own lines: line
   * numbers stay the backup's.
   */
  private openBlock(held: readonly Buffer[], drop: ConstraintDrop): void {
    const kept = this.options.keptConstraintsTable;
    if (kept === undefined) return;
    const statement = Buffer.concat(held);
    // Only a statement that ends with its semicolon (not one cut off by the end of the file).
    if (statement[statement.length - 1] !== SEMICOLON) return;
    let tag = '$db_backup$';
    for (let n = 1; statement.includes(tag); n += 1) tag = `$db_backup_${n}$`;
    // A name as the hex of its bytes, read in the client's encoding: no quote, backslash or
    // newline of its own in the block, whatever standard_conforming_strings and the encoding say.
    const text = (sql: string): string =>
      `pg_catalog.convert_from(pg_catalog.decode('${Buffer.from(sql, 'latin1').toString('hex')}', 'hex'), pg_catalog.pg_client_encoding())`;
    const eq = 'OPERATOR(pg_catalog.=)';
    const refused = drop.only
      ? `c.coninhcount OPERATOR(pg_catalog.>) 0 OR (r.relkind ${eq} 'p'::pg_catalog."char" AND c.contype ${eq} 'c'::pg_catalog."char" AND EXISTS (SELECT FROM pg_catalog.pg_inherits i WHERE i.inhparent ${eq} r.oid))`
      : 'c.coninhcount OPERATOR(pg_catalog.>) 0';
    this.output(
      Buffer.from(
        `DO ${tag}BEGIN INSERT INTO ${kept} SELECT c.oid FROM pg_catalog.pg_constraint c JOIN pg_catalog.pg_class r ON r.oid ${eq} c.conrelid` +
          ` WHERE c.conrelid ${eq} pg_catalog.to_regclass(${text(drop.table)})` +
          ` AND c.conname ${eq} (pg_catalog.parse_ident(${text(drop.constraint)}))[1]::pg_catalog.name` +
          ` AND pg_catalog.pg_has_role(r.relowner, 'USAGE') AND (${refused}); IF NOT FOUND THEN `,
      ),
    );
    this.blockEnd = Buffer.from(` END IF; END${tag};`);
  }

  private finishStatement(end: number): void {
    this.consume(end);
    if (this.roleKind) {
      const roles = this.roleKind === 'owner' ? this.ownerRoles : this.privilegeRoles;
      for (const role of rolesNamed(this.tokens)) roles.add(role);
    }
    if (this.verdict.action === 'pass' && this.verdict.after === 'lock-timeout') {
      if (this.options.lockTimeoutStatement)
        this.output(Buffer.from(` ${this.options.lockTimeoutStatement}`));
    }
    if (this.blockEnd !== undefined) {
      this.output(this.blockEnd);
      this.blockEnd = undefined;
    }
    if (this.verdict.action === 'pass' && this.verdict.after === 'guard') {
      if (this.options.guardStatements)
        this.output(Buffer.from(` ${this.options.guardStatements.rearm}`));
    }
  }

  statementStart(at: number): void {
    // A statement that began in an earlier chunk began with `-` or `/`: a symbol, never left out.
    this.consume(Math.max(at, 0));
    this.unit = 'statement';
    this.verdict = { action: 'undecided' };
    this.tokens = [];
    this.roleKind = undefined;
  }

  token(token: ScanToken): void {
    this.tokens.push(token);
    if (this.verdict.action === 'undecided') {
      this.decide(classifyStatement(this.tokens, false, this.options));
    }
    // Tokens stay wanted while undecided, and for the roles of owner and privilege statements.
    this.scanner.listening =
      (this.verdict.action === 'undecided' || this.roleKind !== undefined) &&
      this.tokens.length < 256;
  }

  statementEnd(end: number, copy: boolean): void {
    if (this.verdict.action === 'undecided') {
      // consume() first, so that the held bytes include the whole statement.
      const start = this.segmentStart;
      const bytes = this.chunk.subarray(start, end);
      this.held.push(Buffer.from(bytes));
      this.segmentStart = end;
      this.decide(classifyStatement(this.tokens, true, this.options));
    }
    this.finishStatement(end);
    this.unit = copy ? 'copy' : 'between';
  }

  copyEnd(end: number): void {
    this.consume(end);
    this.unit = 'between';
  }

  metaStart(at: number, atLineStart: boolean): void {
    if (this.unit === 'statement' || !atLineStart) {
      throw new RefusedSql(
        `The backup's SQL cannot be restored safely (line ${this.scanner.currentLine}): a psql meta-command (a backslash) inside an SQL statement.`,
      );
    }
    this.consume(at);
    this.unit = 'meta';
  }

  metaEnd(text: string, end: number): void {
    if (!RESTRICT_LINE.test(text)) {
      const command = /^\\([A-Za-z]+|.)/.exec(text)?.[0] ?? '\\';
      throw new RefusedSql(
        `The backup's SQL cannot be restored safely (line ${this.scanner.currentLine - (end === -1 ? 0 : 1)}): it holds the psql meta-command ${command}, and a restore runs no psql commands from a backup (they could run programs or read files on this machine, what pg_dump's \\restrict guards against)${command === '\\connect' || command === '\\c' ? '; a dump made with pg_dump --create switches databases with \\connect: make it without --create, and restore into the database you name' : ''}.`,
      );
    }
    this.restricts += 1;
    if (end !== -1) {
      this.segmentStart = end;
      this.outputNewlines(1);
    }
    this.unit = 'between';
  }

  variable(name: string): void {
    if (PSQL_VARIABLES.has(name) || name.startsWith(RESTORE_VARIABLE_PREFIX)) {
      throw new RefusedSql(
        `The backup's SQL cannot be restored safely (line ${this.scanner.currentLine}): it names the psql variable :${name}, whose value psql would paste into the SQL.`,
      );
    }
  }
}
