import pg from 'pg';
import type { PostgresLocation } from '../../domain/database-location.js';
import { JobFailure, UserError } from '../../domain/errors.js';
import type { TableCount } from '../../domain/manifest.js';
import { isUnreachableCode, networkCodeOf } from '../../net/network-errors.js';
import { redact } from '../../domain/secrets.js';
import { serverMajorFromVersionNum } from './choose-client.js';
import { clientConfig, NoPasswordGiven, prefersTls } from './connection.js';
import { PARTITION_ANCESTORS } from './partition-ancestors.js';
import { PLPGSQL_USABLE } from './plpgsql.js';
import { SQLSTATE, sqlstateOf } from './sql-states.js';

export type PgClient = pg.Client;

/** Where the connection went, for messages: never the password. */
export function endpoint(location: PostgresLocation): string {
  return `${location.host}:${location.port}`;
}

/** One line that says what went wrong and what to do, without any secret. */
export function describeConnectError(
  error: unknown,
  location: PostgresLocation,
  database: string,
): Error {
  const err = error as { code?: string; message?: string };
  const where = endpoint(location);
  const message = redact(err.message ?? String(error));
  const network = networkCodeOf(error);
  if (error instanceof NoPasswordGiven) {
    return new UserError(
      `PostgreSQL at ${where} asks for a password for user "${location.user}", and none was given: put it in the URL (postgres://${location.user}:PASSWORD@${where}/${database}, special characters percent-encoded), set PGPASSWORD, or add a line to ~/.pgpass (or to the file PGPASSFILE names).`,
    );
  }
  // The server's error stays the cause: decisions read its SQLSTATE (sqlstateOf), not these words.
  const cause = { cause: error };
  switch (err.code) {
    case SQLSTATE.invalidPassword:
      return new UserError(
        `PostgreSQL at ${where} rejected the password for user "${location.user}": check the password ${location.password ? 'in the database URL' : 'in PGPASSWORD or ~/.pgpass (PGPASSFILE)'}.`,
        cause,
      );
    case SQLSTATE.invalidAuthorizationSpecification:
      return new UserError(
        `PostgreSQL at ${where} refused user "${location.user}": ${message}`,
        cause,
      );
    case SQLSTATE.invalidCatalogName:
      return new UserError(`The database "${database}" does not exist on ${where}.`, cause);
    default:
      if (network !== undefined && isUnreachableCode(network)) {
        return new JobFailure(
          `Cannot reach PostgreSQL at ${where} (${network}): check the host and port, and that the server accepts connections from here.`,
        );
      }
      // A connection that broke (ECONNRESET, EPIPE), or node-postgres's words for one.
      if (
        network !== undefined ||
        /terminated unexpectedly|ECONNRESET|socket hang up/i.test(message)
      ) {
        return new JobFailure(
          `Cannot reach PostgreSQL at ${where}: the connection was closed before the server answered; check the host, port and firewall.`,
        );
      }
      if (/timeout/i.test(message)) {
        return new JobFailure(
          `Cannot reach PostgreSQL at ${where}: no answer within the connect timeout; check the host, port and firewall.`,
        );
      }
      if (/does not support SSL/i.test(message)) {
        return new UserError(
          `PostgreSQL at ${where} does not accept TLS: remove sslmode=require from the URL, or enable SSL on the server.`,
        );
      }
      return new UserError(`Cannot connect to PostgreSQL at ${where}: ${message}`, cause);
  }
}

/** A connected client; with sslmode=prefer it falls back to plain TCP as libpq does. */
export async function connect(
  location: PostgresLocation,
  database: string = location.database,
): Promise<PgClient> {
  const attempt = async (config: pg.ClientConfig): Promise<PgClient> => {
    const client = new pg.Client(config);
    client.on('error', () => undefined);
    try {
      await client.connect();
      return client;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  };
  const config = clientConfig(location, database);
  try {
    if (prefersTls(location)) {
      try {
        return await attempt({ ...config, ssl: { rejectUnauthorized: false } });
      } catch (error) {
        if (!/does not support SSL/i.test((error as Error).message)) throw error;
      }
    }
    return await attempt(config);
  } catch (error) {
    throw describeConnectError(error, location, database);
  }
}

export async function withClient<T>(
  location: PostgresLocation,
  database: string,
  use: (client: PgClient) => Promise<T>,
): Promise<T> {
  const client = await connect(location, database);
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface ServerVersion {
  readonly text: string;
  readonly major: number;
  readonly num: number;
}

export async function serverVersion(client: PgClient): Promise<ServerVersion> {
  const result = await client.query<{ num: string; text: string }>(
    "SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS text",
  );
  const row = result.rows[0];
  const num = Number(row?.num ?? 0);
  return { num, text: row?.text ?? 'unknown', major: serverMajorFromVersionNum(num) };
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Ordinary tables that pg_dump dumps data for: not system schemas, not
 * members of an extension. Partitioned parents hold no rows of their own
 * (their partitions are counted), and `ONLY` keeps inheritance children apart,
 * as pg_dump's COPY does.
 */
export async function countTables(client: PgClient): Promise<Map<string, number>> {
  const tables = await client.query<{ schema: string; name: string }>(DUMPED_TABLES);
  const counts = new Map<string, number>();
  for (const { schema, name } of tables.rows) {
    const result = await client.query<{ rows: string }>(
      `SELECT count(*) AS rows FROM ONLY ${quoteIdent(schema)}.${quoteIdent(name)}`,
    );
    counts.set(`${schema}.${name}`, Number(result.rows[0]?.rows ?? 0));
  }
  return counts;
}

/** An identifier as a person would type it in a GRANT: quoted only when it must be. */
function sqlName(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : quoteIdent(name);
}

/**
 * Every table the dump reads must be readable by the user: checked in the
 * dump's own transaction, before pg_dump starts, by reading no row of each
 * (the privilege check happens all the same). A missing privilege is found by
 * its SQLSTATE and named with the GRANT that is missing — pg_dump would
 * otherwise fail on the first such table, or on a snapshot our transaction
 * could no longer export.
 */
export async function assertTablesReadable(
  client: PgClient,
  user: string,
  dumped?: readonly { schema: string; name: string; oid?: string }[],
): Promise<void> {
  const tables =
    dumped ?? (await client.query<{ schema: string; name: string }>(DUMPED_TABLES)).rows;
  if (tables.length === 0) return;
  // By OID where it is known, and the name resolved on the server: in a SQL_ASCII database a
  // name need not be UTF-8, and the text the client reads back would not name the table. That
  // takes a DO block: by name where PL/pgSQL cannot run (its extension dropped).
  const plpgsql = (await client.query<{ usable: boolean }>(`SELECT ${PLPGSQL_USABLE} AS usable`))
    .rows[0]?.usable;
  const probe = (table: { schema: string; name: string; oid?: string }): string =>
    plpgsql === true && table.oid !== undefined && /^\d+$/.test(table.oid)
      ? `DO $db_backup_probe$ BEGIN EXECUTE pg_catalog.format('SELECT FROM ONLY %s LIMIT 0', ${table.oid}::pg_catalog.oid::pg_catalog.regclass); END $db_backup_probe$`
      : `SELECT FROM ONLY ${quoteIdent(table.schema)}.${quoteIdent(table.name)} LIMIT 0`;
  await client.query('SAVEPOINT db_backup_read_check');
  try {
    await client.query(tables.map(probe).join(';\n'));
    await client.query('RELEASE SAVEPOINT db_backup_read_check');
    return;
  } catch (error) {
    if (sqlstateOf(error) !== SQLSTATE.insufficientPrivilege) throw error;
    await client.query('ROLLBACK TO SAVEPOINT db_backup_read_check');
  }
  // Rare: find every table that is not readable, to name all the grants at once.
  const unreadable: { schema: string; name: string }[] = [];
  for (const table of tables) {
    try {
      await client.query(probe(table));
      await client.query('RELEASE SAVEPOINT db_backup_read_check');
      await client.query('SAVEPOINT db_backup_read_check');
    } catch (error) {
      if (sqlstateOf(error) !== SQLSTATE.insufficientPrivilege) throw error;
      await client.query('ROLLBACK TO SAVEPOINT db_backup_read_check');
      unreadable.push(table);
    }
  }
  throw new UserError(await describeMissingGrants(client, unreadable, user));
}

/** The GRANTs that let the user read them: USAGE on a schema it cannot enter, and SELECT on the tables. */
async function describeMissingGrants(
  client: PgClient,
  unreadable: readonly { schema: string; name: string }[],
  user: string,
): Promise<string> {
  const schemas = [...new Set(unreadable.map((table) => table.schema))];
  const closed = new Set(
    (
      await client.query<{ schema: string }>(
        "SELECT s AS schema FROM unnest($1::text[]) AS s WHERE NOT pg_catalog.has_schema_privilege(s, 'USAGE')",
        [schemas],
      )
    ).rows.map((row) => row.schema),
  );
  const tables = unreadable
    .slice(0, 5)
    .map((table) => `${sqlName(table.schema)}.${sqlName(table.name)}`);
  const grants = [
    ...[...closed].map((schema) => `GRANT USAGE ON SCHEMA ${sqlName(schema)} TO ${sqlName(user)}`),
    `GRANT SELECT ON ${tables.join(', ')} TO ${sqlName(user)}`,
  ];
  const more = unreadable.length > 5 ? ` and ${unreadable.length - 5} more` : '';
  return `Permission denied for table ${tables.join(', ')}${more}: the user ${sqlName(user)} must be able to read every table it backs up (${grants.join('; ')}), or back up as a role that can read them all. Nothing was kept or pruned.`;
}

/**
 * Ordinary tables that pg_dump dumps data for: not system schemas, not
 * members of an extension.
 */
const DUMPED_TABLES = `
    SELECT n.nspname AS schema, c.relname AS name
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r'
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname !~ '^pg_(toast|temp_)'
      AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend d
        WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
    ORDER BY 1, 2`;

export function tableCounts(counts: ReadonlyMap<string, number>): TableCount[] {
  return [...counts].map(([name, rows]) => ({ name, rows }));
}

/**
 * Partitions whose rows pg_dump loads through the top of their tree (hash
 * partitioning on an enum somewhere above them: enum OIDs, and so the hash,
 * change with every restore), as `schema.name` of the partition → of the
 * root. Which partition a row lands in is not kept by a restore, only the
 * tree's total: counts are compared for the root.
 */
export async function partitionsCountedAtRoot(client: PgClient): Promise<Map<string, string>> {
  const result = await client.query<{ child: string; root: string }>(`
    WITH RECURSIVE ${PARTITION_ANCESTORS}, unsafe AS (
      SELECT p.partrelid FROM pg_catalog.pg_partitioned_table p
      WHERE (SELECT c.oid FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_am a ON c.opcmethod = a.oid
             WHERE c.opcname = 'enum_ops' AND c.opcnamespace = 'pg_catalog'::pg_catalog.regnamespace
               AND a.amname = 'hash') = ANY (p.partclass)
    )
    SELECT pg_catalog.format('%s.%s', cn.nspname, c.relname) AS child,
           pg_catalog.format('%s.%s', rn.nspname, r.relname) AS root
    FROM up
    JOIN pg_catalog.pg_class c ON c.oid = up.child AND c.relkind = 'r'
    JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace
    JOIN pg_catalog.pg_class r ON r.oid = up.ancestor AND NOT r.relispartition
    JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
    WHERE EXISTS (SELECT 1 FROM up u2 WHERE u2.child = up.child AND u2.ancestor IN (SELECT partrelid FROM unsafe))`);
  return new Map(result.rows.map((row) => [row.child, row.root]));
}

/** Counts of partitions counted at their root, summed into one entry for the root. */
export function foldIntoRoots(
  tables: readonly TableCount[],
  atRoot: ReadonlyMap<string, string>,
): TableCount[] {
  const folded = new Map<string, number>();
  for (const table of tables) {
    const name = atRoot.get(table.name) ?? table.name;
    folded.set(name, (folded.get(name) ?? 0) + table.rows);
  }
  return [...folded]
    .map(([name, rows]) => ({ name, rows }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
