import { readFileSync } from 'node:fs';
import type { ClientConfig } from 'pg';
import pgpass from 'pgpass';
import type { ConnectionOptions } from 'node:tls';
import type { PostgresLocation } from '../../domain/database-location.js';
import { inheritedEnvironment } from '../../process/child-processes.js';
import { UserError } from '../../domain/errors.js';

/** Seconds to wait for a connection, unless the URL's connect_timeout says otherwise. */
export const DEFAULT_CONNECT_TIMEOUT_S = 10;

/** libpq parameters from the URL's query that child processes receive as PG* variables. */
const LIBPQ_ENV: Readonly<Record<string, string>> = {
  sslmode: 'PGSSLMODE',
  sslrootcert: 'PGSSLROOTCERT',
  sslcert: 'PGSSLCERT',
  sslkey: 'PGSSLKEY',
  sslcrl: 'PGSSLCRL',
  sslnegotiation: 'PGSSLNEGOTIATION',
  connect_timeout: 'PGCONNECT_TIMEOUT',
  application_name: 'PGAPPNAME',
  options: 'PGOPTIONS',
  target_session_attrs: 'PGTARGETSESSIONATTRS',
  gssencmode: 'PGGSSENCMODE',
  channel_binding: 'PGCHANNELBINDING',
  krbsrvname: 'PGKRBSRVNAME',
  service: 'PGSERVICE',
  passfile: 'PGPASSFILE',
};

function connectTimeout(location: PostgresLocation): number {
  const value = Number(location.params.connect_timeout ?? DEFAULT_CONNECT_TIMEOUT_S);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_CONNECT_TIMEOUT_S;
}

/**
 * The environment for pg_dump and psql: everything libpq needs, the password
 * in PGPASSWORD (never an argument), and from ours only what the allow-list
 * of libpq clients names (paths, locale, HOME for ~/.pgpass) — no other
 * secret of the run, and nothing that could redirect the connection.
 * A URL without a password leaves libpq's own PGPASSWORD / PGPASSFILE in use.
 */
export function libpqEnvironment(
  location: PostgresLocation,
  database: string = location.database,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = inheritedEnvironment('libpq-client', base);
  env.PGHOST = location.host;
  env.PGPORT = String(location.port);
  env.PGUSER = location.user;
  env.PGDATABASE = database;
  env.PGCONNECT_TIMEOUT = String(connectTimeout(location));
  if (location.password) env.PGPASSWORD = location.password;
  else {
    if (base.PGPASSWORD) env.PGPASSWORD = base.PGPASSWORD;
    if (base.PGPASSFILE) env.PGPASSFILE = base.PGPASSFILE;
  }
  for (const [param, value] of Object.entries(location.params)) {
    const name = LIBPQ_ENV[param];
    if (name) env[name] = value;
  }
  return env;
}

/** libpq's sslmode semantics for node-postgres (which would otherwise verify for `require`). */
function sslFor(location: PostgresLocation): ClientConfig['ssl'] {
  const mode = location.params.sslmode ?? 'disable-or-prefer';
  if (mode === 'disable' || mode === 'disable-or-prefer' || mode === 'allow' || mode === 'prefer')
    return false;
  const ca = location.params.sslrootcert
    ? readFileSync(location.params.sslrootcert, 'utf8')
    : undefined;
  const tls: ConnectionOptions = {};
  if (ca) tls.ca = ca;
  if (location.params.sslcert) tls.cert = readFileSync(location.params.sslcert, 'utf8');
  if (location.params.sslkey) tls.key = readFileSync(location.params.sslkey, 'utf8');
  if (mode === 'require') return { ...tls, rejectUnauthorized: false };
  if (mode === 'verify-ca')
    return { ...tls, rejectUnauthorized: true, checkServerIdentity: () => undefined };
  if (mode === 'verify-full') return { ...tls, rejectUnauthorized: true };
  throw new UserError(
    `Unknown sslmode "${mode}": use disable, allow, prefer, require, verify-ca or verify-full.`,
  );
}

/** The server asked for a password, and neither the URL nor libpq's own sources had one. */
export class NoPasswordGiven extends Error {
  override readonly name = 'NoPasswordGiven';
}

/**
 * The password, asked for only when the server wants one, from libpq's
 * sources in libpq's order: the URL, PGPASSWORD, then ~/.pgpass (or the
 * file PGPASSFILE names). None at all is said as such, not as a SASL error.
 */
async function passwordFor(location: PostgresLocation, database: string): Promise<string> {
  if (location.password) return location.password;
  const fromEnvironment = process.env.PGPASSWORD;
  if (fromEnvironment !== undefined && fromEnvironment !== '') return fromEnvironment;
  const fromFile = await new Promise<string | undefined>((resolve) => {
    pgpass(
      {
        // libpq matches a Unix-domain socket as localhost.
        host: location.host.startsWith('/') ? 'localhost' : location.host,
        port: location.port,
        database,
        user: location.user,
      },
      resolve,
    );
  });
  if (fromFile !== undefined) return fromFile;
  throw new NoPasswordGiven('no password given');
}

/** node-postgres settings for the same connection. */
export function clientConfig(
  location: PostgresLocation,
  database: string = location.database,
): ClientConfig {
  return {
    host: location.host,
    port: location.port,
    user: location.user,
    password: () => passwordFor(location, database),
    database,
    ssl: sslFor(location),
    connectionTimeoutMillis: connectTimeout(location) * 1000,
    application_name: location.params.application_name ?? 'db-backup',
    keepAlive: true,
  };
}

/** `sslmode=prefer` (libpq's default) tries TLS first; node-postgres cannot fall back, so we retry without. */
export function prefersTls(location: PostgresLocation): boolean {
  const mode = location.params.sslmode;
  return mode === 'prefer' || mode === 'allow';
}
