import pg from 'pg';
import type { PostgresLocation } from '../../domain/database-location.js';
import { JobFailure, UserError } from '../../domain/errors.js';
import type { TableCount } from '../../domain/manifest.js';
import { isUnreachableCode, networkCodeOf } from '../../net/network-errors.js';
import { redact } from '../../domain/secrets.js';
import { serverMajorFromVersionNum } from './choose-client.js';
import { clientConfig, NoPasswordGiven, prefersTls } from './connection.js';
import type { DumpReads } from './dump-selection.js';
import { PARTITION_ANCESTORS } from './partition-ancestors.js';
import { SQLSTATE } from './sql-states.js';
import { typedName } from './sql-keywords.js';

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

/** An identifier as a person would type it in a GRANT: quoted only when it must be (a keyword too). */
function sqlName(name: string): string {
  return typedName(name, quoteIdent);
}

/** How many of each kind a message names. */
const SHOWN = 5;

/** Something pg_dump reads that the user may not, as the read check finds it. */
export interface Unreadable {
  readonly kind: 'table' | 'sequence' | 'large object';
  /** The schema of a table or sequence. */
  readonly schema: string | null;
  /** A table's or sequence's name, a large object's OID. */
  readonly name: string;
  /** No USAGE on its schema. */
  readonly closed: boolean;
  /** No SELECT on it (for a table: on the whole table, whatever its columns' grants). */
  readonly denied: boolean;
  /** Its rows are copied, and row security applies to the user (pg_dump turns it off, and fails). */
  readonly rowSecurity: boolean;
  /** Row security applies to its owner too (FORCE ROW LEVEL SECURITY). */
  readonly forced: boolean;
  /** The role that owns it. */
  readonly owner: string | null;
  /** Of large objects: how many the user may not read (only the first few are rows). */
  readonly total: string | null;
}

/**
 * Everything pg_dump will read that the user may not: decided from the
 * catalog the way the server decides when pg_dump asks, by OID (a name in
 * SQL_ASCII need not be UTF-8), in one statement that takes no lock.
 *
 * - A table needs SELECT on the whole table, for pg_dump's LOCK TABLE … IN
 *   ACCESS SHARE MODE: has_table_privilege, like LOCK, counts no column grant.
 * - Rows are copied with row_security off, which fails where a policy would
 *   apply: RLS on, and the user neither superuser nor BYPASSRLS nor the owner
 *   (or the owner too, with FORCE ROW LEVEL SECURITY).
 * - A sequence's state is read with SELECT.
 * - A large object is opened for reading, which lo_compat_privileges allows
 *   to all; else superusers may, and its ACL decides (none: its owner only),
 *   read as the server reads it (has_largeobject_privilege exists from
 *   PostgreSQL 17 only).
 */
const READ_CHECK = `
  WITH me AS (
    SELECT r.rolsuper AS super, r.rolsuper OR r.rolbypassrls AS bypass
    FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER
  ), relations AS (
    SELECT CASE c.relkind WHEN 'S' THEN 'sequence' ELSE 'table' END AS kind,
      n.nspname AS schema, c.relname::pg_catalog.text AS name,
      NOT pg_catalog.has_schema_privilege(c.relnamespace, 'USAGE') AS closed,
      NOT CASE c.relkind WHEN 'S' THEN pg_catalog.has_sequence_privilege(c.oid, 'SELECT')
        ELSE pg_catalog.has_table_privilege(c.oid, 'SELECT') END AS denied,
      c.oid = ANY ($2::pg_catalog.oid[]) AND c.relrowsecurity AND NOT me.bypass
        AND (c.relforcerowsecurity OR NOT pg_catalog.pg_has_role(c.relowner, 'USAGE')) AS row_security,
      c.relforcerowsecurity AS forced, pg_catalog.pg_get_userbyid(c.relowner)::pg_catalog.text AS owner,
      NULL::pg_catalog.oid AS lo, NULL::pg_catalog.int8 AS total
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace, me
    WHERE c.oid = ANY ($1::pg_catalog.oid[])
  ), large_objects AS (
    SELECT l.oid FROM pg_catalog.pg_largeobject_metadata l, me
    WHERE $3 AND NOT me.super AND NOT pg_catalog.current_setting('lo_compat_privileges')::pg_catalog.bool
      AND NOT CASE WHEN l.lomacl IS NULL THEN pg_catalog.pg_has_role(l.lomowner, 'USAGE')
        ELSE EXISTS (SELECT FROM pg_catalog.aclexplode(l.lomacl) a
                     WHERE a.privilege_type = 'SELECT'
                       AND CASE a.grantee WHEN 0 THEN true ELSE pg_catalog.pg_has_role(a.grantee, 'USAGE') END) END
  )
  SELECT kind, schema, name, closed, denied, row_security AS "rowSecurity", forced, owner, total
  FROM (
    SELECT * FROM relations WHERE closed OR denied OR row_security
    UNION ALL
    (SELECT 'large object', NULL, l.oid::pg_catalog.text, false, true, false, false, NULL, l.oid,
       pg_catalog.count(*) OVER ()
     FROM large_objects l ORDER BY l.oid LIMIT ${SHOWN})
  ) found
  ORDER BY kind DESC, schema, lo, name`;

/**
 * Everything the dump reads must be readable by the user, all of it: checked
 * in the dump's own snapshot before pg_dump starts, and named with what to do
 * — pg_dump would otherwise fail on the first such thing, part way through.
 */
export async function assertTablesReadable(
  client: PgClient,
  user: string,
  reads: DumpReads,
): Promise<void> {
  const found = await client.query<Unreadable>(READ_CHECK, [
    [...reads.tables, ...reads.sequences],
    reads.rows,
    reads.largeObjects,
  ]);
  if (found.rows.length > 0) throw new UserError(describeUnreadable(found.rows, user));
}

/** `a, b, c, d, e and 3 more` */
function someOf(names: readonly string[], total = names.length): string {
  const shown = names.slice(0, SHOWN).join(', ');
  return total > SHOWN ? `${shown} and ${total - SHOWN} more` : shown;
}

/** `a`, `a and b`, `a, b and c` */
function inWords(words: readonly string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/** A table or sequence as a person would type it in a GRANT; a large object by its OID. */
function qualified(entry: Unreadable): string {
  return entry.schema === null ? entry.name : `${sqlName(entry.schema)}.${sqlName(entry.name)}`;
}

/** What the read check found, by kind. */
interface Findings {
  /** Not readable for want of SELECT, or of USAGE on their schema. */
  readonly tables: readonly Unreadable[];
  readonly sequences: readonly Unreadable[];
  readonly largeObjects: readonly Unreadable[];
  readonly largeObjectCount: number;
  /** Tables whose rows row security would keep from pg_dump. */
  readonly hidden: readonly Unreadable[];
  /** Of those, the ones it keeps from their owner too. */
  readonly forced: readonly Unreadable[];
}

function sortFindings(found: readonly Unreadable[]): Findings {
  const unreadable = (kind: Unreadable['kind']): Unreadable[] =>
    found.filter((entry) => entry.kind === kind && (entry.closed || entry.denied));
  const largeObjects = unreadable('large object');
  const hidden = found.filter((entry) => entry.rowSecurity);
  return {
    tables: unreadable('table'),
    sequences: unreadable('sequence'),
    largeObjects,
    largeObjectCount: Number(largeObjects[0]?.total ?? largeObjects.length),
    hidden,
    forced: hidden.filter((entry) => entry.forced),
  };
}

/** `Permission denied for table …; for sequence …; row-level security applies to table …` */
function whatIsMissing(found: Findings): string {
  const denials = [
    ...(found.tables.length > 0 ? [`table ${someOf(found.tables.map(qualified))}`] : []),
    ...(found.sequences.length > 0 ? [`sequence ${someOf(found.sequences.map(qualified))}`] : []),
    ...(found.largeObjects.length > 0
      ? [`large object ${someOf(found.largeObjects.map(qualified), found.largeObjectCount)}`]
      : []),
  ];
  const forced =
    found.forced.length > 0 ? ` (and to the owner of ${someOf(found.forced.map(qualified))})` : '';
  return [
    ...(denials.length > 0 ? [`Permission denied for ${denials.join('; for ')}`] : []),
    ...(found.hidden.length > 0
      ? [`row-level security applies to table ${someOf(found.hidden.map(qualified))}${forced}`]
      : []),
  ].join('; ');
}

/** The statements that give the user what it lacks, in the order they are needed. */
function whatToRun(found: Findings, role: string): string[] {
  const schemas = new Set(
    [...found.tables, ...found.sequences].flatMap((entry) =>
      entry.closed && entry.schema !== null ? [entry.schema] : [],
    ),
  );
  // Each statement runs as printed: more than a message names become every one of the kind in
  // their schemas, and the large objects not named are said after the statement.
  const grant = (
    what: string,
    every: string | undefined,
    entries: readonly Unreadable[],
    total?: number,
  ): string[] => {
    const denied = entries.filter((entry) => entry.denied);
    const count = total ?? denied.length;
    if (denied.length === 0) return [];
    if (count > SHOWN && every) {
      const inSchemas = [...new Set(denied.map((entry) => sqlName(entry.schema ?? '')))];
      return [`GRANT SELECT ON ALL ${every} IN SCHEMA ${inSchemas.join(', ')} TO ${role}`];
    }
    const named = `GRANT SELECT ON ${what}${denied.slice(0, SHOWN).map(qualified).join(', ')} TO ${role}`;
    return [count > SHOWN ? `${named}, and the same for ${count - SHOWN} more` : named];
  };
  return [
    ...[...schemas].map((schema) => `GRANT USAGE ON SCHEMA ${sqlName(schema)} TO ${role}`),
    ...grant('', 'TABLES', found.tables),
    ...grant('SEQUENCE ', 'SEQUENCES', found.sequences),
    ...grant('LARGE OBJECT ', undefined, found.largeObjects, found.largeObjectCount),
    ...(found.hidden.length > 0 ? [`ALTER ROLE ${role} BYPASSRLS`] : []),
  ];
}

/**
 * One line that names what the user may not read and what to do: the GRANTs
 * (USAGE on a schema it cannot enter, SELECT on tables, sequences and large
 * objects), and BYPASSRLS where row security would keep rows from pg_dump.
 */
export function describeUnreadable(found: readonly Unreadable[], user: string): string {
  const role = sqlName(user);
  const sorted = sortFindings(found);
  const kinds = inWords([
    ...(sorted.tables.length > 0 || sorted.hidden.length > 0 ? ['table'] : []),
    ...(sorted.sequences.length > 0 ? ['sequence'] : []),
    ...(sorted.largeObjects.length > 0 ? ['large object'] : []),
  ]);
  const every = sorted.hidden.length > 0 ? `every row of every ${kinds}` : `every ${kinds}`;
  // Row security does not apply to a table's owner unless forced: a way out worth naming.
  const owners = [...new Set(sorted.hidden.map((entry) => entry.owner ?? ''))];
  const owner =
    owners.length === 1 && sorted.forced.length === 0
      ? ` (row security does not apply to ${sqlName(owners[0] ?? '')}, the owner of ${sorted.hidden.length === 1 ? 'that table' : 'those tables'})`
      : '';
  const line = `${whatIsMissing(sorted)}: the user ${role} must be able to read ${every} it backs up (${whatToRun(sorted, role).join('; ')}), or back up as a role that can read them all${owner}. Nothing was kept or pruned.`;
  return line.charAt(0).toUpperCase() + line.slice(1);
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
