import path from 'node:path';
import { UserError } from './errors.js';
import { registerSecret } from './secrets.js';

export type EngineKind = 'sqlite' | 'postgres';

export interface SqliteLocation {
  readonly engine: 'sqlite';
  /** Absolute path of the database file. */
  readonly path: string;
}

export interface PostgresLocation {
  readonly engine: 'postgres';
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** libpq connection parameters from the URL's query (sslmode, connect_timeout, ...). */
  readonly params: Readonly<Record<string, string>>;
}

export type DatabaseLocation = SqliteLocation | PostgresLocation;

const SUPPORTED = 'file:PATH, sqlite:PATH, sqlite3:PATH, postgres:// or postgresql://';

/** Query parameters of ORMs and poolers that libpq does not know; they are dropped. */
const NON_LIBPQ_PARAMS = new Set([
  'schema',
  'connection_limit',
  'pool_timeout',
  'pgbouncer',
  'socket_timeout',
  'statement_cache_size',
  'uselibpqcompat',
]);

/**
 * Parses DATABASE_URL. SQLite paths are taken as written (relative ones from
 * `cwd`); `file:///abs.db` and `sqlite:///abs.db` carry an empty authority and
 * an absolute path, as in RFC 8089.
 */
export function parseDatabaseUrl(url: string, cwd: string): DatabaseLocation {
  const trimmed = url.trim();
  if (!trimmed) {
    throw new UserError(
      'No database given: set DATABASE_URL, --database-url or the input database-url.',
    );
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === 'file' || scheme === 'sqlite' || scheme === 'sqlite3') {
    return { engine: 'sqlite', path: sqlitePath(trimmed.slice(scheme.length + 1), cwd) };
  }
  if (scheme === 'postgres' || scheme === 'postgresql') {
    return parsePostgresUrl(trimmed);
  }
  const shown = scheme ? `"${scheme}:"` : 'no scheme';
  throw new UserError(
    `Unsupported database URL (${shown}): use one of ${SUPPORTED}, for example file:./dev.db.`,
  );
}

function sqlitePath(rest: string, cwd: string): string {
  let pathPart = rest.replace(/[?#].*$/, '');
  if (pathPart.startsWith('//')) {
    const withoutSlashes = pathPart.slice(2);
    const slash = withoutSlashes.indexOf('/');
    const authority = slash === -1 ? withoutSlashes : withoutSlashes.slice(0, slash);
    if (authority !== '' && authority !== 'localhost') {
      throw new UserError(
        `A SQLite URL cannot name a host ("${authority}"): write file:./relative.db or file:///absolute/path.db.`,
      );
    }
    pathPart = slash === -1 ? '' : withoutSlashes.slice(slash);
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathPart);
  } catch {
    throw new UserError('The SQLite path in the database URL has a malformed %-escape.');
  }
  if (!decoded || decoded === ':memory:') {
    throw new UserError(
      'The database URL names no SQLite file: write file:./dev.db or file:/abs/path.db.',
    );
  }
  return path.resolve(cwd, decoded);
}

/** libpq allows an empty host (`postgres://user@/db?host=/var/run/postgresql`); WHATWG URLs do not. */
const EMPTY_HOST = /^(postgres(?:ql)?:\/\/(?:[^@/?#]*@)?)(?=[/?#]|$)/i;
const NO_HOST = 'no-host.invalid';

/**
 * An `@` anywhere but before the host means a user name or password that was
 * not percent-encoded. WHATWG URLs take the last `@` of the authority, libpq
 * (psql, pg_dump) the first, and a `/` in the password moves the rest into
 * the path: refuse rather than guess, and never echo the URL.
 */
function assertAtSignsEncoded(url: string): void {
  const rest = /^postgres(?:ql)?:\/\/(.*)$/is.exec(url)?.[1];
  if (rest === undefined) return;
  const beforeQuery = rest.split(/[?#]/)[0] ?? '';
  const authority = beforeQuery.split('/')[0] ?? '';
  const atSigns = (text: string): number => text.split('@').length - 1;
  if (atSigns(authority) > 1 || atSigns(beforeQuery.slice(authority.length)) > 0) {
    throw new UserError(
      'The PostgreSQL URL has an @ that is not the one before the host: percent-encode @ in the user name or password as %40 (and /, ?, #, : as %2F, %3F, %23, %3A), for example postgres://app:p%40ss@db.example.com:5432/app.',
    );
  }
}

function parsePostgresUrl(url: string): PostgresLocation {
  assertAtSignsEncoded(url);
  let parsed: URL;
  try {
    parsed = new URL(url.replace(EMPTY_HOST, `$1${NO_HOST}`));
  } catch {
    // Never echo the URL: it may hold a password.
    throw new UserError(
      'The PostgreSQL URL is malformed: expected postgres://user:password@host:5432/database (percent-encode special characters in the password).',
    );
  }
  const decode = (value: string): string => {
    try {
      return decodeURIComponent(value);
    } catch {
      throw new UserError('The PostgreSQL URL has a malformed %-escape in its user or password.');
    }
  };
  const params: Record<string, string> = {};
  for (const [key, value] of parsed.searchParams) {
    if (!NON_LIBPQ_PARAMS.has(key)) params[key] = value;
  }
  // libpq also takes the password as a query parameter.
  const password = decode(parsed.password) || params.password || '';
  delete params.password;
  registerSecret(password);
  const database = decode(parsed.pathname.replace(/^\//, ''));
  const hostParam = params.host;
  delete params.host;
  const portParam = params.port;
  delete params.port;
  const named = parsed.hostname === NO_HOST ? '' : decode(parsed.hostname).replace(/^\[|\]$/g, '');
  const host = named || hostParam || 'localhost';
  const port = Number(parsed.port || portParam || 5432);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new UserError('The PostgreSQL URL has an invalid port.');
  }
  const timeout = params.connect_timeout;
  if (timeout !== undefined && !/^\d{1,6}$/.test(timeout.trim())) {
    throw new UserError(
      `connect_timeout in the PostgreSQL URL must be a whole number of seconds (got "${timeout}"); 0 or none means 10 s.`,
    );
  }
  const user = decode(parsed.username) || params.user || 'postgres';
  delete params.user;
  if (!database) {
    throw new UserError(
      'The PostgreSQL URL names no database: expected postgres://user:password@host:5432/database.',
    );
  }
  return { engine: 'postgres', host, port, user, password, database, params };
}

/** The database as it may be shown: never with a password. */
export function describeDatabase(location: DatabaseLocation): string {
  if (location.engine === 'sqlite') return `sqlite:${location.path}`;
  return `${describeServer(location)}/${encodeURIComponent(location.database)}`;
}

/** The PostgreSQL server as it may be shown, without a password or a database: postgres://user@host:5432. */
export function describeServer(location: PostgresLocation): string {
  const host = location.host.includes(':') ? `[${location.host}]` : location.host;
  return `postgres://${encodeURIComponent(location.user)}@${host}:${location.port}`;
}

/** The name a person types to confirm a restore: the file name or the database name. */
export function confirmationName(location: DatabaseLocation): string {
  return location.engine === 'sqlite' ? path.basename(location.path) : location.database;
}
