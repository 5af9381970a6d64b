import { UserError } from '../../domain/errors.js';

/**
 * Which tables a plain pg_dump holds, and which of them it writes a COPY
 * block for, given the catalog and what the user's filters matched. This
 * follows pg_dump's own rules (selectDumpableNamespace, selectDumpableTable,
 * selectDumpableExtension, processExtensionTables, makeTableDataInfo):
 *
 * - a schema's contents are dumped unless it is a system schema (`pg_*`,
 *   `information_schema`), or --schema names others, or --table is given, or
 *   --exclude-schema names it;
 * - with --table, exactly the matching tables (minus --exclude-table);
 * - members of an extension are never dumped as tables, but an extension's
 *   configuration tables have their data dumped (with the extension's row
 *   filter) when the extension, the table or its schema is dumped;
 * - data is written for ordinary tables only (views, materialized views,
 *   sequences, partitioned parents and foreign tables get none), minus
 *   --exclude-table-data.
 */

/** A relation of the snapshot's catalog. */
export interface CatalogTable {
  readonly oid: string;
  readonly namespaceOid: string;
  readonly schema: string;
  readonly name: string;
  /** pg_class.relkind: r ordinary, p partitioned, f foreign, v view, m materialized view, S sequence. */
  readonly relkind: string;
  /** The extension it belongs to, if any. */
  readonly extensionOid?: string | undefined;
  /** For a partition: the top of its partition tree (where pg_dump may load its rows through). */
  readonly partitionRootOid?: string | undefined;
}

export interface CatalogNamespace {
  readonly oid: string;
  readonly name: string;
  /** The schema itself belongs to an extension. */
  readonly extensionMember: boolean;
}

export interface CatalogExtension {
  readonly oid: string;
  /** Created by initdb (plpgsql): only its ACLs are ever dumped. */
  readonly builtin: boolean;
  /** Its configuration tables (pg_extension_config_dump), with their row filters ('' for all rows). */
  readonly config: readonly { readonly tableOid: string; readonly condition: string }[];
}

export interface DumpCatalog {
  readonly namespaces: readonly CatalogNamespace[];
  readonly tables: readonly CatalogTable[];
  readonly extensions: readonly CatalogExtension[];
}

/**
 * The OIDs the user's patterns matched. `schemaInclude` / `tableInclude` are
 * undefined when no such pattern was given (pg_dump stops when a given one
 * matches nothing).
 */
export interface FilterMatches {
  readonly schemaInclude: ReadonlySet<string> | undefined;
  readonly schemaExclude: ReadonlySet<string>;
  readonly tableInclude: ReadonlySet<string> | undefined;
  readonly tableExclude: ReadonlySet<string>;
  readonly tableDataExclude: ReadonlySet<string>;
}

export interface SelectedTable {
  readonly table: CatalogTable;
  /** pg_dump writes a COPY block for it. */
  readonly data: boolean;
  /** Listed in the manifest (an ordinary table of the user's, not an extension's). */
  readonly listed: boolean;
  /** The extension's row filter of a configuration table (`WHERE …`), when it has one. */
  readonly condition?: string;
}

/**
 * pg_dump stops when --table or --schema patterns match nothing ("no
 * matching tables were found"): refused here first, with what to check.
 */
export function refuseUnmatchedPatterns(
  filters: FilterMatches,
  patterns: { readonly tables: readonly string[]; readonly schemas: readonly string[] },
  database: string,
): void {
  const advice =
    'nothing was backed up. Check the pattern (pg_dump\'s rules: unquoted letters fold to lower case, * and ? are wildcards, "Name" keeps its case).';
  if (filters.tableInclude?.size === 0) {
    throw new UserError(
      `--tables ${patterns.tables.join(', ')} matches no table, view or sequence of "${database}": ${advice}`,
    );
  }
  if (filters.schemaInclude?.size === 0) {
    throw new UserError(
      `--schemas ${patterns.schemas.join(', ')} matches no schema of "${database}": ${advice}`,
    );
  }
}

type Contents = 'all' | 'acl' | 'none';

function namespaceContents(namespace: CatalogNamespace, filters: FilterMatches): Contents {
  let contents: Contents;
  if (filters.tableInclude !== undefined) contents = 'none';
  else if (filters.schemaInclude !== undefined)
    contents = filters.schemaInclude.has(namespace.oid) ? 'all' : 'none';
  else if (namespace.name === 'pg_catalog') contents = 'acl';
  else if (namespace.name.startsWith('pg_') || namespace.name === 'information_schema')
    contents = 'none';
  else contents = 'all';
  if (contents !== 'none' && filters.schemaExclude.has(namespace.oid)) contents = 'none';
  return contents;
}

/** Whether pg_dump writes the data of a table it considers (its makeTableDataInfo). */
function writesData(table: CatalogTable, filters: FilterMatches): boolean {
  return table.relkind === 'r' && !filters.tableDataExclude.has(table.oid);
}

/** The tables of the dump, ordinary tables first, each with whether its rows are in it. */
export function selectDumpedTables(catalog: DumpCatalog, filters: FilterMatches): SelectedTable[] {
  const namespaces = new Map(catalog.namespaces.map((n) => [n.oid, n]));
  const contents = new Map(
    catalog.namespaces.map((n) => [n.oid, namespaceContents(n, filters)] as const),
  );
  const selected: SelectedTable[] = [];
  for (const table of catalog.tables) {
    if (table.extensionOid !== undefined || table.relkind !== 'r') continue;
    const dumped =
      filters.tableInclude !== undefined
        ? filters.tableInclude.has(table.oid)
        : contents.get(table.namespaceOid) === 'all';
    if (!dumped || filters.tableExclude.has(table.oid)) continue;
    selected.push({ table, data: writesData(table, filters), listed: true });
  }
  const includeEverything =
    filters.schemaInclude === undefined && filters.tableInclude === undefined;
  const tables = new Map(catalog.tables.map((t) => [t.oid, t]));
  for (const extension of catalog.extensions) {
    const extensionDumped = !extension.builtin && includeEverything;
    for (const { tableOid, condition } of extension.config) {
      const table = tables.get(tableOid);
      if (!table) continue;
      let dump = extensionDumped;
      if (!extensionDumped) {
        if (filters.tableInclude?.has(tableOid)) dump = true;
        // The schema itself is dumped (not merely its contents): an extension's own schema is not.
        const namespace = namespaces.get(table.namespaceOid);
        if (namespace && !namespace.extensionMember && contents.get(namespace.oid) === 'all')
          dump = true;
      }
      if (filters.tableExclude.has(tableOid)) dump = false;
      if (filters.schemaExclude.has(table.namespaceOid)) dump = false;
      if (!dump || !writesData(table, filters)) continue;
      selected.push({
        table,
        data: true,
        listed: false,
        ...(condition ? { condition } : {}),
      });
    }
  }
  return selected;
}
