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
 *   --exclude-table-data;
 * - a sequence's state is read when the sequence is dumped, or the table
 *   that owns it (getOwnedSeqs), minus --exclude-table-data.
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
  /** For a sequence: the table whose column owns it (serial, identity, OWNED BY). */
  readonly ownerTableOid?: string | undefined;
  /** For a sequence: an identity column's. */
  readonly identity?: boolean | undefined;
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

/** pg_dump's choice of relations and extensions, with the catalog at hand. */
class DumpRules {
  private readonly namespaces: ReadonlyMap<string, CatalogNamespace>;
  private readonly contents: ReadonlyMap<string, Contents>;
  readonly relations: ReadonlyMap<string, CatalogTable>;
  readonly includeEverything: boolean;

  constructor(
    readonly catalog: DumpCatalog,
    readonly filters: FilterMatches,
  ) {
    this.namespaces = new Map(catalog.namespaces.map((n) => [n.oid, n]));
    this.contents = new Map(
      catalog.namespaces.map((n) => [n.oid, namespaceContents(n, filters)] as const),
    );
    this.relations = new Map(catalog.tables.map((t) => [t.oid, t]));
    this.includeEverything =
      filters.schemaInclude === undefined && filters.tableInclude === undefined;
  }

  /** A relation of the user's that pg_dump dumps (its selectDumpableTable): never an extension's. */
  dumps(relation: CatalogTable): boolean {
    if (relation.extensionOid !== undefined) return false;
    const dumped =
      this.filters.tableInclude !== undefined
        ? this.filters.tableInclude.has(relation.oid)
        : this.contents.get(relation.namespaceOid) === 'all';
    return dumped && !this.filters.tableExclude.has(relation.oid);
  }

  /** An extension's configuration table or sequence pg_dump dumps data for (processExtensionTables). */
  dumpsConfiguration(extension: CatalogExtension, relation: CatalogTable): boolean {
    let dump = !extension.builtin && this.includeEverything;
    if (!dump) {
      if (this.filters.tableInclude?.has(relation.oid)) dump = true;
      // The schema itself is dumped (not merely its contents): an extension's own schema is not.
      const namespace = this.namespaces.get(relation.namespaceOid);
      if (namespace && !namespace.extensionMember && this.contents.get(namespace.oid) === 'all')
        dump = true;
    }
    if (this.filters.tableExclude.has(relation.oid)) dump = false;
    if (this.filters.schemaExclude.has(relation.namespaceOid)) dump = false;
    return dump;
  }

  /** Every extension configuration relation pg_dump dumps, with its row filter. */
  *configurations(): Generator<{ relation: CatalogTable; condition: string }> {
    for (const extension of this.catalog.extensions) {
      for (const { tableOid, condition } of extension.config) {
        const relation = this.relations.get(tableOid);
        if (relation && this.dumpsConfiguration(extension, relation)) yield { relation, condition };
      }
    }
  }
}

/** The tables of the dump, ordinary tables first, each with whether its rows are in it. */
export function selectDumpedTables(catalog: DumpCatalog, filters: FilterMatches): SelectedTable[] {
  const rules = new DumpRules(catalog, filters);
  const selected: SelectedTable[] = [];
  for (const table of catalog.tables) {
    if (table.relkind !== 'r' || !rules.dumps(table)) continue;
    selected.push({ table, data: writesData(table, filters), listed: true });
  }
  for (const { relation: table, condition } of rules.configurations()) {
    if (!writesData(table, filters)) continue;
    selected.push({
      table,
      data: true,
      listed: false,
      ...(condition ? { condition } : {}),
    });
  }
  return selected;
}

/** What pg_dump reads, and so what the user must be allowed to read, as OIDs. */
export interface DumpReads {
  /** Tables it locks (every table it dumps, partitioned ones too) or copies: SELECT on each. */
  readonly tables: readonly string[];
  /** Tables whose rows it copies, with row security off. */
  readonly rows: readonly string[];
  /** Sequences whose state it reads (`SELECT last_value, is_called`): SELECT on each. */
  readonly sequences: readonly string[];
  /** Every large object: read in a dump with neither --schema nor --table. */
  readonly largeObjects: boolean;
}

/**
 * A sequence whose state pg_dump reads (getOwnedSeqs, makeTableDataInfo): one
 * owned by a table it dumps, or one it dumps itself, unless it belongs to an
 * identity column of a table it does not dump; never one --exclude-table-data
 * names.
 */
function readsSequence(rules: DumpRules, sequence: CatalogTable, configured: boolean): boolean {
  if (rules.filters.tableDataExclude.has(sequence.oid)) return false;
  const owner =
    sequence.ownerTableOid === undefined ? undefined : rules.relations.get(sequence.ownerTableOid);
  if (owner && rules.dumps(owner)) return true;
  if (owner && sequence.identity) return false;
  return configured || rules.dumps(sequence);
}

/** The tables, rows, sequences and large objects a pg_dump with these filters reads. */
export function selectDumpReads(
  catalog: DumpCatalog,
  filters: FilterMatches,
  selected: readonly SelectedTable[],
): DumpReads {
  const rules = new DumpRules(catalog, filters);
  const configured = new Set([...rules.configurations()].map(({ relation }) => relation.oid));
  const partitioned = catalog.tables.filter((table) => table.relkind === 'p' && rules.dumps(table));
  return {
    tables: [...selected.map((entry) => entry.table), ...partitioned].map((table) => table.oid),
    rows: selected.filter((entry) => entry.data).map((entry) => entry.table.oid),
    sequences: catalog.tables
      .filter((table) => table.relkind === 'S')
      .filter((sequence) => readsSequence(rules, sequence, configured.has(sequence.oid)))
      .map((sequence) => sequence.oid),
    largeObjects: rules.includeEverything,
  };
}
