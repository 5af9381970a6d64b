import type { PostgresLocation } from '../domain/database-location.js';
import { withClient, type PgClient } from '../engines/postgres/server.js';
import type { Catalog, CatalogColumn, CatalogTable, ForeignKey, UniqueKey } from './catalog.js';
import type { SanitizePlan } from './plan.js';
import type { ColumnCategory } from './transformers.js';

/** Tables, columns and their types, keys and references of a PostgreSQL database (extension tables left out). */
export async function readPostgresCatalog(location: PostgresLocation): Promise<Catalog> {
  return withClient(location, location.database, (client) => readCatalog(client));
}

interface TableRow {
  oid: number;
  name: string;
  root: string | null;
  leaves: string[] | null;
  heirs: string[] | null;
  depth: number;
}

interface ColumnRow {
  relid: number;
  name: string;
  type_name: string;
  not_null: boolean;
  generated: boolean;
  base: string;
  category: string;
  typmod: number;
  checks: string[];
}

async function readCatalog(client: PgClient): Promise<Catalog> {
  const tables = (
    await client.query<TableRow>(`
      SELECT c.oid::int AS oid, n.nspname || '.' || c.relname AS name,
        CASE WHEN c.relispartition THEN (
          SELECT rn.nspname || '.' || r.relname FROM pg_catalog.pg_class r
          JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
          WHERE r.oid = pg_catalog.pg_partition_root(c.oid)) END AS root,
        CASE WHEN c.relkind = 'p' THEN ARRAY(
          SELECT ln.nspname || '.' || l.relname FROM pg_catalog.pg_partition_tree(c.oid) t
          JOIN pg_catalog.pg_class l ON l.oid = t.relid JOIN pg_catalog.pg_namespace ln ON ln.oid = l.relnamespace
          WHERE t.isleaf AND t.relid <> c.oid) END AS leaves,
        CASE WHEN c.relkind = 'r' THEN ARRAY(
          WITH RECURSIVE heirs(oid) AS (
            SELECT i.inhrelid FROM pg_catalog.pg_inherits i WHERE i.inhparent = c.oid
            UNION SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN heirs h ON i.inhparent = h.oid)
          SELECT hn.nspname || '.' || hc.relname FROM heirs h
          JOIN pg_catalog.pg_class hc ON hc.oid = h.oid JOIN pg_catalog.pg_namespace hn ON hn.oid = hc.relnamespace) END AS heirs,
        CASE WHEN c.relkind = 'r' THEN (
          WITH RECURSIVE ancestors(oid) AS (
            SELECT i.inhparent FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid
            UNION SELECT i.inhparent FROM pg_catalog.pg_inherits i JOIN ancestors a ON i.inhrelid = a.oid)
          SELECT count(*)::int FROM ancestors) ELSE 0 END AS depth
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname !~ '^pg_(toast|temp_)'
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
          WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')`)
  ).rows;
  const oids = tables.map((t) => t.oid);
  const names = new Map(tables.map((t) => [t.oid, t.name]));
  const columns = (
    await client.query<ColumnRow>(
      `SELECT a.attrelid::int AS relid, a.attname AS name,
         pg_catalog.format_type(a.atttypid, a.atttypmod) AS type_name,
         a.attnotnull AS not_null, a.attgenerated <> '' AS generated,
         b.typname AS base, b.typcategory AS category,
         CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS typmod,
         ARRAY(SELECT c.conname::text FROM pg_catalog.pg_constraint c
           WHERE (c.contype = 'c' AND c.conrelid = a.attrelid AND a.attnum = ANY(c.conkey))
             OR (c.contype = 'c' AND c.contypid = a.atttypid)
           ORDER BY 1) AS checks
       FROM pg_catalog.pg_attribute a
       JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
       JOIN pg_catalog.pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
       WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
       ORDER BY a.attrelid, a.attnum`,
      [oids],
    )
  ).rows;
  const byTable = new Map<number, CatalogColumn[]>();
  for (const row of columns) {
    const list = byTable.get(row.relid) ?? [];
    list.push(columnOf(row));
    byTable.set(row.relid, list);
  }
  const catalogTables = new Map<string, CatalogTable>();
  for (const table of tables) {
    catalogTables.set(table.name, {
      name: table.name,
      columns: byTable.get(table.oid) ?? [],
      ...(table.leaves ? { partitions: table.leaves } : {}),
      ...(table.root ? { partitionOf: table.root } : {}),
      ...(table.heirs && table.heirs.length > 0 ? { inheritedBy: table.heirs } : {}),
      ...(table.depth > 0 ? { inheritanceDepth: table.depth } : {}),
    });
  }
  const uniqueKeys: UniqueKey[] = (
    await client.query<{ relid: number; columns: string[] }>(
      `SELECT i.indrelid::int AS relid, ARRAY(
         SELECT a.attname::text FROM pg_catalog.pg_attribute a
         WHERE a.attrelid = i.indrelid AND a.attnum > 0 AND (
           a.attnum = ANY((i.indkey::int2[])[0:i.indnkeyatts - 1])
           OR (i.indexprs IS NOT NULL AND a.attnum IN (
             SELECT d.refobjsubid FROM pg_catalog.pg_depend d
             WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = i.indexrelid
               AND d.refobjid = i.indrelid)))) AS columns
       FROM pg_catalog.pg_index i WHERE i.indisunique AND i.indrelid = ANY($1::oid[])`,
      [oids],
    )
  ).rows.flatMap((row) => {
    const table = names.get(row.relid);
    return table ? [{ table, columns: row.columns }] : [];
  });
  const foreignKeys: ForeignKey[] = (
    await client.query<{ relid: number; refid: number; columns: string[]; referenced: string[] }>(
      `SELECT c.conrelid::int AS relid, c.confrelid::int AS refid,
         ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(num, ord)
           JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num ORDER BY k.ord) AS columns,
         ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(num, ord)
           JOIN pg_catalog.pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.num ORDER BY k.ord) AS referenced
       FROM pg_catalog.pg_constraint c WHERE c.contype = 'f' AND c.conrelid = ANY($1::oid[])`,
      [oids],
    )
  ).rows.flatMap((row) => {
    const table = names.get(row.relid);
    const references = names.get(row.refid);
    return table && references
      ? [{ table, columns: row.columns, references, referencedColumns: row.referenced }]
      : [];
  });
  const encoding = (
    await client.query<{ encoding: string }>(
      'SELECT pg_catalog.pg_encoding_to_char(encoding) AS encoding FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()',
    )
  ).rows[0]?.encoding;
  return {
    engine: 'postgres',
    tables: catalogTables,
    uniqueKeys,
    foreignKeys,
    utf8: encoding === 'UTF8',
  };
}

const INTEGER_RANGES: Record<string, readonly [bigint, bigint]> = {
  int2: [-32768n, 32767n],
  int4: [-2147483648n, 2147483647n],
  int8: [-9223372036854775808n, 9223372036854775807n],
};

function columnOf(row: ColumnRow): CatalogColumn {
  const base = row.base;
  let category: ColumnCategory = 'other';
  let maxLength: number | undefined;
  let precision: number | undefined;
  if (row.category === 'S') {
    category = 'text';
    if ((base === 'varchar' || base === 'bpchar') && row.typmod > 4) maxLength = row.typmod - 4;
  } else if (base === 'uuid') category = 'uuid';
  else if (base === 'date' || base === 'timestamp' || base === 'timestamptz') category = 'date';
  else if (base in INTEGER_RANGES) category = 'integer';
  else if (base === 'numeric') {
    category = 'decimal';
    if (row.typmod > 4) precision = ((row.typmod - 4) >> 16) & 0xffff;
  } else if (base === 'float4' || base === 'float8') category = 'float';
  return {
    name: row.name,
    typeName: row.type_name,
    category,
    notNull: row.not_null,
    generated: row.generated,
    ...(row.checks.length > 0 ? { checks: row.checks } : {}),
    ...(maxLength !== undefined ? { maxLength } : {}),
    ...(precision !== undefined ? { precision } : {}),
    ...(category === 'integer' ? { integerRange: INTEGER_RANGES[base] } : {}),
  };
}

/** `fixed` values the column's type refuses, asked of the server itself (one line each). */
export async function checkFixedValues(
  location: PostgresLocation,
  plan: SanitizePlan,
  source: string,
): Promise<string[]> {
  const fixed = [...plan.tables.values()].flatMap((table) =>
    [...table.columns.values()].flatMap((column) =>
      column.spec.kind === 'fixed' ? [{ table: table.name, column, value: column.spec.value }] : [],
    ),
  );
  if (fixed.length === 0) return [];
  return withClient(location, location.database, async (client) => {
    const problems: string[] = [];
    for (const { table, column, value } of fixed) {
      try {
        await client.query(`SELECT CAST($1::text AS ${column.column.typeName})`, [value]);
      } catch (error) {
        problems.push(
          `${source}: table ${table}, column ${column.name}: the fixed value ${JSON.stringify(value)} is not a valid ${column.column.typeName} (${(error as Error).message})`,
        );
      }
    }
    return problems;
  });
}
