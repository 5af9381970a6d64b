import type { PostgresDumpOptions } from './options.js';
import { MATCH_ANYTHING, schemaPatternRegexes, tablePatternRegexes } from './name-patterns.js';
import type {
  CatalogExtension,
  CatalogNamespace,
  CatalogTable,
  DumpCatalog,
  FilterMatches,
  SelectedTable,
} from './dump-selection.js';
import { quoteIdent, type PgClient } from './server.js';

/**
 * Catalog reads for a dump, made in the dump's own snapshot (the exported
 * transaction pg_dump joins), so they describe exactly what pg_dump sees.
 */

/** Initdb's objects have OIDs below FirstNormalObjectId (16384): pg_dump's g_last_builtin_oid. */
const LAST_BUILTIN_OID = 16383;

/** Ordinary and partitioned tables, their schemas, and the extensions that own any of them. */
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
  }>(`
    WITH RECURSIVE up(child, ancestor) AS (
      SELECT c.oid, i.inhparent FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_inherits i ON i.inhrelid = c.oid WHERE c.relispartition
      UNION ALL
      SELECT up.child, i.inhparent FROM up
        JOIN pg_catalog.pg_class a ON a.oid = up.ancestor
        JOIN pg_catalog.pg_inherits i ON i.inhrelid = a.oid WHERE a.relispartition
    ), roots AS (
      SELECT up.child, up.ancestor FROM up JOIN pg_catalog.pg_class a ON a.oid = up.ancestor
      WHERE NOT a.relispartition
    )
    SELECT c.oid::pg_catalog.text AS oid, c.relnamespace::pg_catalog.text AS nsoid,
      n.nspname AS schema, c.relname AS name, c.relkind::pg_catalog.text AS relkind,
      (SELECT d.refobjid::pg_catalog.text FROM pg_catalog.pg_depend d
        WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
          AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e'
        LIMIT 1) AS extension,
      (SELECT r.ancestor::pg_catalog.text FROM roots r WHERE r.child = c.oid LIMIT 1) AS root
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p')
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

/**
 * Rows of every table whose data is dumped, counted in the snapshot (for an
 * extension's configuration table, with the extension's own filter, as pg_dump
 * applies it). Keyed by table OID.
 */
export async function countSelectedRows(
  client: PgClient,
  selected: readonly SelectedTable[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const { table, data, condition } of selected) {
    if (!data) continue;
    const result = await client.query<{ rows: string }>(
      `SELECT pg_catalog.count(*) AS rows FROM ONLY ${quoteIdent(table.schema)}.${quoteIdent(table.name)} ${condition ?? ''}`,
    );
    counts.set(table.oid, Number(result.rows[0]?.rows ?? 0));
  }
  return counts;
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
