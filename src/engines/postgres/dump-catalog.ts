import { LOCK_WAIT_TIMEOUT_MS, type PostgresDumpOptions } from './options.js';
import { MATCH_ANYTHING, schemaPatternRegexes, tablePatternRegexes } from './name-patterns.js';
import { PARTITION_ANCESTORS } from './partition-ancestors.js';
import type {
  CatalogExtension,
  CatalogNamespace,
  CatalogTable,
  DumpCatalog,
  FilterMatches,
  SelectedTable,
} from './dump-selection.js';
import { errorMessage, JobFailure } from '../../domain/errors.js';
import { redact } from '../../domain/secrets.js';
import type { PgClient } from './server.js';

/**
 * Catalog reads for a dump, made in the dump's own snapshot (the exported
 * transaction pg_dump joins), so they describe exactly what pg_dump sees.
 */

/** Initdb's objects have OIDs below FirstNormalObjectId (16384): pg_dump's g_last_builtin_oid. */
const LAST_BUILTIN_OID = 16383;

/**
 * The dump's own session waits as long as pg_dump runs, idle in its
 * transaction after the count: it must not be ended by the timeouts a role or
 * database may set (statement_timeout, idle_in_transaction_session_timeout,
 * transaction_timeout from PostgreSQL 17), which pg_dump turns off for its
 * session as well. Lock waits end as pg_dump's do.
 */
export async function disableSessionTimeouts(client: PgClient): Promise<void> {
  // First and alone: the statements after it may take longer than a short statement_timeout.
  await client.query('SET statement_timeout = 0');
  await client.query(
    `SELECT pg_catalog.set_config(name, '0', false) FROM pg_catalog.pg_settings
     WHERE name IN ('idle_in_transaction_session_timeout', 'transaction_timeout')`,
  );
  await client.query(`SET lock_timeout = ${LOCK_WAIT_TIMEOUT_MS}`);
}

/**
 * A SQL_ASCII database holds names as raw bytes, not always valid UTF-8,
 * which the server refuses to send to a UTF-8 client: read them unconverted,
 * as pg_dump does (its client encoding is the database's). Such a name then
 * shows in messages and the manifest with U+FFFD for the bytes that are not
 * UTF-8; it is compared with the dump byte for byte all the same.
 */
export async function readNamesUnconvertedFromSqlAscii(client: PgClient): Promise<void> {
  const result = await client.query<{ encoding: string }>(
    "SELECT pg_catalog.current_setting('server_encoding') AS encoding",
  );
  if (result.rows[0]?.encoding === 'SQL_ASCII')
    await client.query("SET client_encoding = 'SQL_ASCII'");
}

/**
 * Ordinary, partitioned and foreign tables and sequences (with the table that
 * owns each, as pg_dump's getTables reads it), their schemas, and the
 * extensions that own any of them.
 */
export async function readDumpCatalog(client: PgClient): Promise<DumpCatalog> {
  const namespaces = await client.query<{ oid: string; name: string; member: boolean }>(`
    SELECT n.oid::pg_catalog.text AS oid, n.nspname AS name,
      EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
              WHERE d.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND d.objid = n.oid
                AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e') AS member
    FROM pg_catalog.pg_namespace n`);
  const tables = await client.query<{
    oid: string;
    nsoid: string;
    schema: string;
    name: string;
    relkind: string;
    extension: string | null;
    root: string | null;
    owner: string | null;
    identity: boolean | null;
  }>(`
    WITH RECURSIVE ${PARTITION_ANCESTORS}, roots AS (
      SELECT up.child, up.ancestor FROM up JOIN pg_catalog.pg_class a ON a.oid = up.ancestor
      WHERE NOT a.relispartition
    )
    SELECT c.oid::pg_catalog.text AS oid, c.relnamespace::pg_catalog.text AS nsoid,
      n.nspname AS schema, c.relname AS name, c.relkind::pg_catalog.text AS relkind,
      (SELECT d.refobjid::pg_catalog.text FROM pg_catalog.pg_depend d
        WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
          AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e'
        LIMIT 1) AS extension,
      (SELECT r.ancestor::pg_catalog.text FROM roots r WHERE r.child = c.oid LIMIT 1) AS root,
      o.refobjid::pg_catalog.text AS owner, o.deptype OPERATOR(pg_catalog.=) 'i' AS identity
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_catalog.pg_depend o ON c.relkind OPERATOR(pg_catalog.=) 'S'
        AND o.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND o.objid = c.oid AND o.objsubid = 0
        AND o.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND o.deptype IN ('a', 'i')
    WHERE c.relkind IN ('r', 'p', 'f', 'S')
    ORDER BY n.nspname, c.relname`);
  const extensions = await client.query<{
    oid: string;
    config: string[] | null;
    conditions: string[] | null;
  }>(`
    SELECT e.oid::pg_catalog.text AS oid, e.extconfig::pg_catalog.text[] AS config,
      e.extcondition AS conditions
    FROM pg_catalog.pg_extension e`);
  return {
    namespaces: namespaces.rows.map((row): CatalogNamespace => ({
      oid: row.oid,
      name: row.name,
      extensionMember: row.member,
    })),
    tables: tables.rows.map((row): CatalogTable => ({
      oid: row.oid,
      namespaceOid: row.nsoid,
      schema: row.schema,
      name: row.name,
      relkind: row.relkind,
      extensionOid: row.extension ?? undefined,
      partitionRootOid: row.root ?? undefined,
      ownerTableOid: row.owner ?? undefined,
      identity: row.identity ?? undefined,
    })),
    extensions: extensions.rows.map((row): CatalogExtension => ({
      oid: row.oid,
      builtin: Number(row.oid) <= LAST_BUILTIN_OID,
      config: (row.config ?? []).map((tableOid, index) => ({
        tableOid,
        condition: row.conditions?.[index] ?? '',
      })),
    })),
  };
}

/** `name OPERATOR(~) $n COLLATE default`, as pg_dump writes it (no COLLATE before PostgreSQL 12). */
function regexCondition(column: string, parameter: number, serverVersionNum: number): string {
  const collate = serverVersionNum >= 120000 ? ' COLLATE pg_catalog.default' : '';
  return `${column} OPERATOR(pg_catalog.~) $${parameter}::pg_catalog.text${collate}`;
}

async function schemaMatches(
  client: PgClient,
  patterns: readonly string[],
  serverVersionNum: number,
): Promise<Set<string>> {
  const oids = new Set<string>();
  for (const pattern of patterns) {
    const { name } = schemaPatternRegexes(pattern);
    const where =
      name === MATCH_ANYTHING ? '' : `WHERE ${regexCondition('n.nspname', 1, serverVersionNum)}`;
    const result = await client.query<{ oid: string }>(
      `SELECT n.oid::pg_catalog.text AS oid FROM pg_catalog.pg_namespace n ${where}`,
      name === MATCH_ANYTHING ? [] : [name],
    );
    for (const row of result.rows) oids.add(row.oid);
  }
  return oids;
}

/**
 * pg_dump's expand_table_name_patterns: tables, sequences, views,
 * materialized views, foreign and partitioned tables whose names match; a
 * pattern without a schema matches only tables visible on the search path.
 */
async function tableMatches(
  client: PgClient,
  patterns: readonly string[],
  serverVersionNum: number,
): Promise<Set<string>> {
  const oids = new Set<string>();
  for (const pattern of patterns) {
    const regexes = tablePatternRegexes(pattern);
    const conditions: string[] = [];
    const parameters: string[] = [];
    if (regexes.name !== MATCH_ANYTHING) {
      parameters.push(regexes.name);
      conditions.push(regexCondition('c.relname', parameters.length, serverVersionNum));
    }
    if (regexes.schema === undefined) {
      conditions.push('pg_catalog.pg_table_is_visible(c.oid)');
    } else if (regexes.schema !== MATCH_ANYTHING) {
      parameters.push(regexes.schema);
      conditions.push(regexCondition('n.nspname', parameters.length, serverVersionNum));
    }
    // pg_dump matches with the session's own search_path, not the empty one it dumps with.
    await client.query('RESET search_path');
    const result = await client.query<{ oid: string }>(
      `SELECT c.oid::pg_catalog.text AS oid
       FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'S', 'v', 'm', 'f', 'p']::pg_catalog."char"[])
       ${conditions.map((condition) => `AND ${condition}`).join('\n')}`,
      parameters,
    );
    for (const row of result.rows) oids.add(row.oid);
  }
  return oids;
}

/** What the user's --schema, --table, ... patterns match in the snapshot. */
export async function readFilterMatches(
  client: PgClient,
  options: PostgresDumpOptions,
  serverVersionNum: number,
): Promise<FilterMatches> {
  return {
    schemaInclude:
      options.schemas.length > 0
        ? await schemaMatches(client, options.schemas, serverVersionNum)
        : undefined,
    schemaExclude: await schemaMatches(client, options.excludeSchemas, serverVersionNum),
    tableInclude:
      options.tables.length > 0
        ? await tableMatches(client, options.tables, serverVersionNum)
        : undefined,
    tableExclude: await tableMatches(client, options.excludeTables, serverVersionNum),
    tableDataExclude: await tableMatches(client, options.excludeTableData, serverVersionNum),
  };
}

/** Tables counted per statement; each batch's locks are let go before the next one is taken. */
const COUNT_BATCH = 100;

/**
 * Rows of every table whose data is dumped, counted in the snapshot (for an
 * extension's configuration table, with the extension's own filter, as pg_dump
 * applies it). Keyed by table OID.
 *
 * Counted as pg_dump reads: with row security off, so a role that a policy
 * hides rows from fails here as pg_dump does, instead of counting only what
 * it may see. Each batch runs in a savepoint that is rolled back, which lets
 * go of its table locks: pg_dump holds a lock on every table already, and
 * holding a second set would need twice the server's lock table (out of
 * shared memory with many tables) and would queue pg_dump behind any DDL
 * waiting for ours. Tables are named by OID on the server (format %I), so a
 * name in any encoding, SQL_ASCII's raw bytes included, is counted exactly.
 */
export async function countSelectedRows(
  client: PgClient,
  selected: readonly SelectedTable[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const tables = selected.filter((entry) => entry.data);
  for (let from = 0; from < tables.length; from += COUNT_BATCH) {
    const batch = tables.slice(from, from + COUNT_BATCH);
    let result;
    try {
      await client.query('SAVEPOINT db_backup_count; SET LOCAL row_security = off');
      result = await client.query<{ oid: string; counted: string }>(
        `SELECT t.oid::pg_catalog.text AS oid,
           pg_catalog.query_to_xml(pg_catalog.format(
             'SELECT pg_catalog.count(*) AS n FROM ONLY %I.%I %s', n.nspname, c.relname, t.condition),
             false, true, '')::pg_catalog.text AS counted
         FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.oid[]), pg_catalog.unnest($2::pg_catalog.text[]))
             AS t(oid, condition)
           JOIN pg_catalog.pg_class c ON c.oid = t.oid
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace`,
        [batch.map((entry) => entry.table.oid), batch.map((entry) => entry.condition ?? '')],
      );
      await client.query('ROLLBACK TO SAVEPOINT db_backup_count');
    } catch (error) {
      throw countingFailure(error);
    }
    for (const row of result.rows) {
      const rows = /<n>(\d+)<\/n>/.exec(row.counted)?.[1];
      if (rows === undefined) throw new JobFailure(`Cannot read a row count: ${row.counted}`);
      counts.set(row.oid, Number(rows));
    }
  }
  return counts;
}

function countingFailure(error: unknown): Error {
  const message = redact(errorMessage(error));
  const hint = /row-level security/i.test(message)
    ? ": pg_dump reads every row, so back up as the tables' owner, a superuser or a role with BYPASSRLS"
    : '';
  return new JobFailure(
    `Cannot count the rows of the tables in the dump's snapshot (${message})${hint}. The backup was discarded and nothing was pruned.`,
  );
}

/** Schema and name of each relation as bytes in `encoding`: how the dump spells them. */
export async function namesInEncoding(
  client: PgClient,
  oids: readonly string[],
  encoding: string | undefined,
): Promise<Map<string, { schema: Buffer; name: Buffer }>> {
  const result = await client.query<{ oid: string; schema: Buffer; name: Buffer }>(
    `SELECT c.oid::pg_catalog.text AS oid,
       pg_catalog.convert_to(n.nspname::pg_catalog.text, e.encoding) AS schema,
       pg_catalog.convert_to(c.relname::pg_catalog.text, e.encoding) AS name
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace,
       (SELECT COALESCE($2::pg_catalog.text, pg_catalog.current_setting('server_encoding')) AS encoding) e
     WHERE c.oid = ANY ($1::pg_catalog.oid[])`,
    [oids, encoding ?? null],
  );
  return new Map(result.rows.map((row) => [row.oid, { schema: row.schema, name: row.name }]));
}
