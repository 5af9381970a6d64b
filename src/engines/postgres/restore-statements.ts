import { TOKEN_TEXT_LIMIT, type ScanToken } from './sql-scanner.js';

/**
 * What a restore does with one top-level statement of a plain SQL dump,
 * decided from its tokens (see SqlScanner): the rules in one place, pure.
 *
 * - Transaction control must never end the restore's own transaction.
 *   `BEGIN`/`START TRANSACTION` and `COMMIT`/`END` (pg_dump writes a pair
 *   around large-object data; hand-written scripts wrap themselves in one)
 *   are left out: the restore's one transaction already holds everything,
 *   and in it `BEGIN` would only warn while `COMMIT` would commit a partial
 *   restore. `ROLLBACK`, `ABORT`, `PREPARE TRANSACTION` and the two-phase
 *   `COMMIT/ROLLBACK PREPARED` cannot be made safe: refused.
 * - `SET lock_timeout` is left out so that the restore's own lock timeout
 *   holds (pg_dump sets it to 0, wait forever).
 * - `DISCARD TEMP`/`ALL` would drop the restore's commit guard (see
 *   PsqlSession): refused. `SET CONSTRAINTS` passes with the guard set
 *   aside around it, so that `ALL IMMEDIATE` does not check it.
 * - `ALTER TABLE … DROP CONSTRAINT …` runs in a block (RestoreSqlFilter)
 *   that first asks the catalog whether PostgreSQL would refuse the drop:
 *   pg_dump's `--clean` drops each partition's key with `ALTER TABLE ONLY
 *   <partition>`, which PostgreSQL refuses for a constraint the partition
 *   inherits (and, with ONLY, for a partitioned table's own CHECK while it
 *   has partitions). Such a constraint is kept and noted: it goes with its
 *   table's DROP that follows, and one still there at the end fails the
 *   restore (PsqlSession.commit).
 * - With owners left out: `ALTER … OWNER TO …` and `SET/RESET SESSION
 *   AUTHORIZATION`; with privileges left out: `GRANT`, `REVOKE` and `ALTER
 *   DEFAULT PRIVILEGES` (pg_dump's ACL and DEFAULT ACL entries).
 */
export type StatementClass = 'transaction' | 'lock-timeout' | 'owner' | 'privileges';

export type Verdict =
  | { readonly action: 'undecided' }
  | {
      readonly action: 'pass';
      readonly kind?: StatementClass;
      /** lock-timeout: the restore's lock timeout again after it; guard: the commit guard around it. */
      readonly after?: 'lock-timeout' | 'guard';
    }
  | {
      readonly action: 'pass';
      readonly kind?: undefined;
      /** In a block that keeps a constraint PostgreSQL would refuse to drop (RestoreSqlFilter). */
      readonly after: 'constraint-drop';
      readonly drop: ConstraintDrop;
    }
  | { readonly action: 'drop'; readonly kind: StatementClass }
  | { readonly action: 'refuse'; readonly message: string };

export interface StatementPolicy {
  readonly dropOwners: boolean;
  readonly dropPrivileges: boolean;
}

const UNDECIDED: Verdict = { action: 'undecided' };
const PASS: Verdict = { action: 'pass' };

/** Owner statements longer than this many tokens do not exist (names are short; argument lists are one token). */
const OWNER_STATEMENT_TOKENS = 64;

function upper(token: ScanToken | undefined): string | undefined {
  return token?.kind === 'word' ? token.text.toUpperCase() : undefined;
}

/**
 * @param complete the statement's semicolon was reached (all its tokens are given)
 * @param truncated the statement grew too long to hold back any longer: decide now
 */
export function classifyStatement(
  tokens: readonly ScanToken[],
  complete: boolean,
  policy: StatementPolicy,
  truncated = false,
): Verdict {
  const w = (i: number): string | undefined => upper(tokens[i]);
  const needs = (count: number): boolean => !complete && tokens.length < count;
  const first = w(0);
  if (tokens.length === 0) return complete ? PASS : UNDECIDED;
  if (first === undefined) return PASS;
  const verdict = classifyWord(first, tokens, w, needs, complete, policy);
  if (verdict.action !== 'undecided' || !truncated) return verdict;
  // Held back too long to wait for the rest: refuse what could end the transaction.
  return ['COMMIT', 'END', 'ROLLBACK', 'ABORT', 'PREPARE'].includes(first)
    ? refuse(`a ${first} statement longer than the restore can hold back`)
    : PASS;
}

function classifyWord(
  first: string,
  tokens: readonly ScanToken[],
  w: (i: number) => string | undefined,
  needs: (count: number) => boolean,
  complete: boolean,
  policy: StatementPolicy,
): Verdict {
  const owners = (): Verdict =>
    policy.dropOwners ? { action: 'drop', kind: 'owner' } : { action: 'pass', kind: 'owner' };
  const privileges = (): Verdict =>
    policy.dropPrivileges
      ? { action: 'drop', kind: 'privileges' }
      : { action: 'pass', kind: 'privileges' };
  switch (first) {
    case 'BEGIN':
      return { action: 'drop', kind: 'transaction' };
    case 'START':
      if (needs(2)) return UNDECIDED;
      return w(1) === 'TRANSACTION' ? { action: 'drop', kind: 'transaction' } : PASS;
    case 'COMMIT':
    case 'END':
      if (needs(2)) return UNDECIDED;
      if (w(1) === 'PREPARED') return refusePrepared(`${first} PREPARED`);
      return { action: 'drop', kind: 'transaction' };
    case 'ROLLBACK': {
      const k = w(1) === 'WORK' || w(1) === 'TRANSACTION' ? 2 : 1;
      if (needs(k + 1)) return UNDECIDED;
      // ROLLBACK TO SAVEPOINT stays inside the transaction.
      if (w(k) === 'TO') return PASS;
      if (w(1) === 'PREPARED') return refusePrepared('ROLLBACK PREPARED');
      return refuseRollback('ROLLBACK');
    }
    case 'ABORT':
      return refuseRollback('ABORT');
    case 'PREPARE':
      if (needs(2)) return UNDECIDED;
      return w(1) === 'TRANSACTION' ? refusePrepared('PREPARE TRANSACTION') : PASS;
    case 'SET': {
      if (needs(2)) return UNDECIDED;
      let k = 1;
      if (w(1) === 'SESSION' || w(1) === 'LOCAL') {
        if (needs(3)) return UNDECIDED;
        if (w(1) === 'SESSION' && w(2) === 'AUTHORIZATION') return owners();
        k = 2;
      }
      // SET CONSTRAINTS ALL IMMEDIATE would check the restore's commit guard at once.
      if (w(1) === 'CONSTRAINTS') return { action: 'pass', after: 'guard' };
      return w(k) === 'LOCK_TIMEOUT' ? { action: 'drop', kind: 'lock-timeout' } : PASS;
    }
    case 'RESET':
      if (needs(2)) return UNDECIDED;
      if (w(1) === 'SESSION') {
        if (needs(3)) return UNDECIDED;
        return w(2) === 'AUTHORIZATION' ? owners() : PASS;
      }
      if (w(1) === 'LOCK_TIMEOUT') return { action: 'drop', kind: 'lock-timeout' };
      return w(1) === 'ALL' ? { action: 'pass', after: 'lock-timeout' } : PASS;
    case 'DISCARD':
      if (needs(2)) return UNDECIDED;
      return w(1) === 'TEMP' || w(1) === 'TEMPORARY' || w(1) === 'ALL'
        ? refuse(
            `DISCARD ${w(1) ?? ''} would drop the restore's commit guard (a temporary table); it is refused`,
          )
        : PASS;
    case 'GRANT':
    case 'REVOKE':
      return privileges();
    case 'ALTER':
      if (needs(2)) return UNDECIDED;
      if (w(1) === 'DEFAULT') {
        if (needs(3)) return UNDECIDED;
        return w(2) === 'PRIVILEGES' ? privileges() : PASS;
      }
      if (!complete) {
        const impossible =
          tokens.length > OWNER_STATEMENT_TOKENS ||
          tokens.some((token) => token.kind === 'string' || token.kind === 'dollar');
        return impossible ? PASS : UNDECIDED;
      }
      if (ownerChange(tokens)) return owners();
      {
        const drop = constraintDrop(tokens);
        return drop === undefined ? PASS : { action: 'pass', after: 'constraint-drop', drop };
      }
    default:
      return PASS;
  }
}

function refuse(message: string): Verdict {
  return { action: 'refuse', message };
}

function refuseRollback(what: string): Verdict {
  return refuse(
    `${what} would undo the restore so far and let the rest run outside its transaction; a restore is all or nothing, so it is refused`,
  );
}

function refusePrepared(what: string): Verdict {
  return refuse(`${what} (two-phase commit) would end the restore's transaction; it is refused`);
}

/**
 * Object types whose `ALTER <type> <name> OWNER TO <role>` pg_dump writes
 * (tables, sequences and views go through ALTER TABLE), longest first.
 */
const OWNED_TYPES: readonly (readonly string[])[] = [
  ['TEXT', 'SEARCH', 'CONFIGURATION'],
  ['TEXT', 'SEARCH', 'DICTIONARY'],
  ['FOREIGN', 'DATA', 'WRAPPER'],
  ['MATERIALIZED', 'VIEW'],
  ['FOREIGN', 'TABLE'],
  ['LARGE', 'OBJECT'],
  ['OPERATOR', 'CLASS'],
  ['OPERATOR', 'FAMILY'],
  ['PROCEDURAL', 'LANGUAGE'],
  ['EVENT', 'TRIGGER'],
  ['AGGREGATE'],
  ['COLLATION'],
  ['CONVERSION'],
  ['DATABASE'],
  ['DOMAIN'],
  ['FUNCTION'],
  ['LANGUAGE'],
  ['OPERATOR'],
  ['PROCEDURE'],
  ['PUBLICATION'],
  ['ROUTINE'],
  ['SCHEMA'],
  ['SEQUENCE'],
  ['SERVER'],
  ['STATISTICS'],
  ['SUBSCRIPTION'],
  ['TABLE'],
  ['TABLESPACE'],
  ['TYPE'],
  ['VIEW'],
];

/**
 * `ALTER <type> [IF EXISTS] [ONLY] <qualified name> [(<arguments>)] [USING
 * <method>] OWNER TO <role>` and nothing else: `ALTER TABLE t RENAME owner TO
 * x` ends the same way and is not an owner change.
 */
export function ownerChange(tokens: readonly ScanToken[]): boolean {
  const n = tokens.length;
  if (n < 5 || upper(tokens[0]) !== 'ALTER') return false;
  if (upper(tokens[n - 3]) !== 'OWNER' || upper(tokens[n - 2]) !== 'TO') return false;
  const role = tokens[n - 1];
  if (role?.kind !== 'word' && role?.kind !== 'quoted') return false;
  const type = OWNED_TYPES.find((words) => words.every((word, k) => upper(tokens[1 + k]) === word));
  if (!type) return false;
  let i = 1 + type.length;
  const end = n - 3;
  i = afterIfExists(tokens, i);
  if (upper(tokens[i]) === 'ONLY') i += 1;
  // The name: parts joined by dots; an operator's name is a run of symbols, a large object's a number.
  const part = (at: number): number => {
    const token = tokens[at];
    if (at >= end || !token || !isNamePart(token)) return -1;
    let next = at + 1;
    if (token.kind === 'symbol') {
      while (next < end && isOperatorSymbol(tokens[next] as ScanToken)) next += 1;
    }
    return next;
  };
  i = part(i);
  while (i !== -1 && i < end && tokens[i]?.kind === 'symbol' && tokens[i]?.text === '.') {
    i = part(i + 1);
  }
  if (i === -1) return false;
  const symbolAt = (at: number, text: string): boolean =>
    tokens[at]?.kind === 'symbol' && tokens[at]?.text === text;
  if (i < end && symbolAt(i, '(')) {
    if (!symbolAt(i + 1, ')')) return false;
    i += 2;
  }
  if (i < end && upper(tokens[i]) === 'USING') {
    if (tokens[i + 1]?.kind !== 'word' && tokens[i + 1]?.kind !== 'quoted') return false;
    i += 2;
  }
  return i === end;
}

/** What an `ALTER TABLE … DROP CONSTRAINT …` drops, its names as SQL (Latin-1 text, see ScanToken). */
export interface ConstraintDrop {
  /** The table's name, its parts quoted as written. */
  readonly table: string;
  /** The constraint's name, quoted as written. */
  readonly constraint: string;
  /** ONLY this table, not its partitions or children. */
  readonly only: boolean;
}

/** An identifier as SQL: a quoted one quoted again. */
const asSql = (token: ScanToken): string =>
  token.kind === 'quoted' ? `"${token.text.replace(/"/g, '""')}"` : token.text;

/**
 * `ALTER TABLE [IF EXISTS] [ONLY] <qualified name> DROP CONSTRAINT [IF
 * EXISTS] <name> [CASCADE | RESTRICT]` and nothing else (what pg_dump's
 * `--clean` writes for a constraint); undefined for any other statement, or
 * a name too long for its token to hold whole.
 */
export function constraintDrop(tokens: readonly ScanToken[]): ConstraintDrop | undefined {
  const word = (at: number): string | undefined => upper(tokens[at]);
  // Not a U&"…" name: its escapes would have to be decoded as the server does.
  const isName = (at: number): boolean =>
    (tokens[at]?.kind === 'word' || tokens[at]?.kind === 'quoted') &&
    tokens[at]?.unicode === undefined &&
    (tokens[at]?.text.length ?? 0) < TOKEN_TEXT_LIMIT;
  if (word(0) !== 'ALTER' || word(1) !== 'TABLE') return undefined;
  let i = 2;
  i = afterIfExists(tokens, i);
  const only = word(i) === 'ONLY';
  if (only) i += 1;
  if (!isName(i)) return undefined;
  const parts = [tokens[i]!];
  i += 1;
  while (tokens[i]?.kind === 'symbol' && tokens[i]?.text === '.' && isName(i + 1)) {
    parts.push(tokens[i + 1]!);
    i += 2;
  }
  if (word(i) !== 'DROP' || word(i + 1) !== 'CONSTRAINT') return undefined;
  i = afterIfExists(tokens, i + 2);
  if (!isName(i)) return undefined;
  const constraint = asSql(tokens[i]!);
  i += 1;
  if (word(i) === 'CASCADE' || word(i) === 'RESTRICT') i += 1;
  if (i !== tokens.length) return undefined;
  return { table: parts.map(asSql).join('.'), constraint, only };
}

/** Where what follows an optional `IF EXISTS` at `at` starts. */
function afterIfExists(tokens: readonly ScanToken[], at: number): number {
  return upper(tokens[at]) === 'IF' && upper(tokens[at + 1]) === 'EXISTS' ? at + 2 : at;
}

function isNamePart(token: ScanToken): boolean {
  return (
    token.kind === 'word' ||
    token.kind === 'quoted' ||
    token.kind === 'number' ||
    (token.kind === 'symbol' && isOperatorSymbol(token))
  );
}

/** Characters of operator names (psql's op_chars), never a dot or a parenthesis. */
function isOperatorSymbol(token: ScanToken): boolean {
  return token.kind === 'symbol' && /^[~!@#^&|`?+\-*/%<>=]+$/.test(token.text);
}

const NOT_ROLES = new Set(['PUBLIC', 'CURRENT_USER', 'SESSION_USER', 'CURRENT_ROLE', 'DEFAULT']);

/** A role named by a token, as the server stores it: unquoted names fold to lower case. */
function roleOf(token: ScanToken | undefined): string | undefined {
  if (!token) return undefined;
  if (token.kind === 'quoted') return utf8(token.text);
  if (token.kind === 'string') return utf8(token.text.replace(/''/g, "'"));
  if (token.kind !== 'word' || NOT_ROLES.has(token.text.toUpperCase())) return undefined;
  return utf8(token.text).toLowerCase();
}

/** Token text is Latin-1, one character per byte: back to the UTF-8 the dump holds. */
function utf8(latin1: string): string {
  return Buffer.from(latin1, 'latin1').toString('utf8');
}

/** Comma-separated roles from `from`, up to a word in `stop` or the end. */
function roleList(tokens: readonly ScanToken[], from: number, stop: ReadonlySet<string>): string[] {
  const roles: string[] = [];
  for (let i = from; i < tokens.length; i += 1) {
    const token = tokens[i];
    const word = upper(token);
    if (word !== undefined && stop.has(word)) break;
    if (word === 'GROUP' || word === 'USER') continue;
    if (token?.kind === 'symbol') continue;
    const role = roleOf(token);
    if (role !== undefined) roles.push(role);
  }
  return roles;
}

const GRANTEE_END = new Set(['WITH', 'GRANTED', 'CASCADE', 'RESTRICT']);

/**
 * The roles an owner or privilege statement names: the ones a server must
 * have for the statement to run.
 */
export function rolesNamed(tokens: readonly ScanToken[]): string[] {
  const words = tokens.map(upper);
  const first = words[0];
  const roles: string[] = [];
  const lastIndex = (word: string): number => words.lastIndexOf(word);
  if (first === 'ALTER' && ownerChange(tokens)) {
    const role = roleOf(tokens[tokens.length - 1]);
    return role === undefined ? [] : [role];
  }
  if ((first === 'SET' || first === 'RESET') && words.includes('AUTHORIZATION')) {
    const role = roleOf(tokens[words.indexOf('AUTHORIZATION') + 1]);
    return role === undefined ? [] : [role];
  }
  let body = 0;
  if (first === 'ALTER' && words[1] === 'DEFAULT') {
    const forIndex = words.indexOf('FOR');
    if (forIndex !== -1)
      roles.push(...roleList(tokens, forIndex + 2, new Set(['IN', 'GRANT', 'REVOKE'])));
    body = Math.max(words.indexOf('GRANT'), words.indexOf('REVOKE'));
    if (body === -1) return roles;
  } else if (first !== 'GRANT' && first !== 'REVOKE') {
    return roles;
  }
  const granting = words[body] === 'GRANT';
  const to = lastIndex(granting ? 'TO' : 'FROM');
  if (to === -1) return roles;
  roles.push(...roleList(tokens, to + 1, GRANTEE_END));
  const grantedBy = words.indexOf('GRANTED', to);
  if (grantedBy !== -1 && words[grantedBy + 1] === 'BY') {
    const role = roleOf(tokens[grantedBy + 2]);
    if (role !== undefined) roles.push(role);
  }
  // GRANT role TO role (membership, no ON): the granted roles are roles too.
  if (!words.slice(body, to).includes('ON')) {
    let from = body + 1;
    // ADMIN OPTION FOR, INHERIT OPTION FOR, SET OPTION FOR (a role may be named admin).
    if (words[from + 1] === 'OPTION' && words[from + 2] === 'FOR') from += 3;
    roles.push(...roleList(tokens.slice(0, to), from, new Set()));
  }
  return [...new Set(roles)];
}
