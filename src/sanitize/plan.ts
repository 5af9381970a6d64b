import type { Catalog, CatalogColumn, CatalogTable } from './catalog.js';
import { looksPersonal } from './personal-columns.js';
import { RulesError, type SanitizeRules, type TableRule } from './rules.js';
import {
  describeSpec,
  isInjective,
  misfit,
  sameTransformer,
  type TransformerSpec,
} from './transformers.js';

export interface ColumnPlan {
  readonly name: string;
  readonly spec: TransformerSpec;
  readonly column: CatalogColumn;
}

/** What happens to one table's data: dropped, or some columns masked (the rest pass as they are). */
export interface TablePlan {
  readonly name: string;
  readonly truncate: boolean;
  /** Masked columns only: `keep` and unnamed columns are not here. */
  readonly columns: ReadonlyMap<string, ColumnPlan>;
}

export interface SanitizePlan {
  /** By table name as the dump names it (partitions included). */
  readonly tables: ReadonlyMap<string, TablePlan>;
  readonly maskedColumns: readonly string[];
  readonly truncatedTables: readonly string[];
  /** Columns whose names look personal and that no rule names (warnings; errors with --sanitize-strict). */
  readonly personalColumns: readonly string[];
  readonly utf8: boolean;
}

const KEEP: TransformerSpec = { kind: 'keep' };

/**
 * Checks rules against what the database holds, before anything is dumped:
 * every table and column exists, every transformer fits its column's type,
 * unique keys and foreign keys still hold after masking. All problems are
 * reported at once, one line each.
 */
export function planSanitizing(rules: SanitizeRules, catalog: Catalog): SanitizePlan {
  const problems: string[] = [];
  const where = (table: string, column?: string): string =>
    `${rules.source}: table ${table}${column === undefined ? '' : `, column ${column}`}`;
  const resolved = new Map<string, { rule: TableRule; table: CatalogTable }>();
  for (const rule of rules.tables) {
    const name = tableKey(rule.name, catalog.engine);
    const table = catalog.tables.get(name);
    if (!table) {
      problems.push(
        `${where(rule.name)}: no such table in the database${closest(name, [...catalog.tables.keys()])}`,
      );
      continue;
    }
    if (resolved.has(name)) {
      problems.push(`${where(rule.name)}: named twice (also as ${resolved.get(name)?.rule.name})`);
      continue;
    }
    resolved.set(name, { rule, table });
    for (const [column, spec] of rule.columns) {
      const found = table.columns.find((c) => c.name === column);
      if (!found) {
        problems.push(
          `${where(rule.name, column)}: no such column${closest(
            column,
            table.columns.map((c) => c.name),
          )}`,
        );
        continue;
      }
      if (found.generated) {
        problems.push(
          `${where(rule.name, column)}: is generated from other columns and recomputed on restore; rule the columns it is computed from`,
        );
        continue;
      }
      const reason = misfit(spec, found);
      if (reason) problems.push(`${where(rule.name, column)}: ${reason}`);
      else if (spec.kind === 'null' && found.notNull)
        problems.push(
          `${where(rule.name, column)}: is NOT NULL, so null cannot apply; use fixed or another transformer`,
        );
    }
  }

  // Rules of a partitioned table reach its partitions, where pg_dump writes the rows.
  const effective = new Map<string, { truncate: boolean; columns: Map<string, TransformerSpec> }>();
  const apply = (name: string, rule: TableRule): void => {
    const current = effective.get(name) ?? { truncate: false, columns: new Map() };
    current.truncate ||= rule.rows === 'truncate';
    for (const [column, spec] of rule.columns) current.columns.set(column, spec);
    effective.set(name, current);
  };
  // Roots first, then partitions and inheriting tables (deepest last): the more
  // specific rule wins where both name a column.
  const depth = (table: CatalogTable): number =>
    (table.inheritanceDepth ?? 0) + Number(!!table.partitionOf);
  const ordered = [...resolved].sort(([, a], [, b]) => depth(a.table) - depth(b.table));
  for (const [name, { rule, table }] of ordered) {
    apply(name, rule);
    for (const partition of table.partitions ?? []) apply(partition, rule);
    // An inheriting table has every column of its parent: pg_dump writes its rows apart.
    for (const heir of table.inheritedBy ?? []) apply(heir, rule);
  }
  // pg_dump writes a COPY header on one line only when no name in it holds a
  // line break; a header split over two lines would let the rows pass unmasked.
  if (catalog.engine === 'postgres') {
    for (const name of effective.keys()) {
      const table = catalog.tables.get(name);
      const broken = [name, ...(table?.columns.map((c) => c.name) ?? [])].filter((n) =>
        n.includes('\n'),
      );
      if (broken.length > 0)
        problems.push(
          `${where(name)}: ${broken.map((n) => JSON.stringify(n)).join(', ')} holds a line break, which the masking cannot follow in pg_dump's output; rename it (ALTER TABLE … RENAME) before sanitizing`,
        );
    }
  }
  const specOf = (table: string, column: string): TransformerSpec =>
    effective.get(table)?.columns.get(column) ?? KEEP;
  const truncated = (table: string): boolean => effective.get(table)?.truncate ?? false;

  for (const key of catalog.uniqueKeys) {
    if (truncated(key.table)) continue;
    for (const column of key.columns) {
      const spec = specOf(key.table, column);
      if (!isInjective(spec)) {
        problems.push(
          `${where(key.table, column)}: ${describeSpec(spec)} can give different values the same result, and (${key.columns.join(', ')}) must stay unique; use email, hash, null or keep`,
        );
      }
    }
  }
  for (const fk of catalog.foreignKeys) {
    if (truncated(fk.table)) continue;
    if (truncated(fk.references)) {
      problems.push(
        `${where(fk.table)}: references ${fk.references}, whose rows are truncated; truncate ${fk.table} too, or keep the rows of ${fk.references}`,
      );
      continue;
    }
    fk.columns.forEach((column, index) => {
      const referenced = fk.referencedColumns[index];
      if (referenced === undefined) return;
      const mine = specOf(fk.table, column);
      const theirs = specOf(fk.references, referenced);
      if (mine.kind === 'null' || sameTransformer(mine, theirs)) return;
      problems.push(
        `${where(fk.table, column)}: references ${fk.references}.${referenced}, which is ${theirs.kind === 'keep' ? 'kept' : `masked with ${describeSpec(theirs)}`}; give both the same rule so the reference still holds`,
      );
    });
  }
  if (problems.length > 0) throw new RulesError(rules.source, problems);

  const tables = new Map<string, TablePlan>();
  const maskedColumns: string[] = [];
  for (const [name, { truncate, columns }] of effective) {
    const table = catalog.tables.get(name);
    if (!table) continue;
    const masked = new Map<string, ColumnPlan>();
    for (const [column, spec] of columns) {
      const found = table.columns.find((c) => c.name === column);
      if (!found || spec.kind === 'keep') continue;
      masked.set(column, { name: column, spec, column: found });
      if (!table.partitionOf || !effective.has(table.partitionOf))
        maskedColumns.push(`${name}.${column}`);
    }
    if (truncate || masked.size > 0)
      tables.set(name, { name, truncate, columns: truncate ? new Map() : masked });
  }
  const personalColumns: string[] = [];
  for (const table of catalog.tables.values()) {
    if (table.partitionOf || truncated(table.name)) continue;
    for (const column of table.columns) {
      if (effective.get(table.name)?.columns.has(column.name)) continue;
      if (looksPersonal(column)) personalColumns.push(`${table.name}.${column.name}`);
    }
  }
  return {
    tables,
    maskedColumns: maskedColumns.sort(),
    truncatedTables: [...tables.values()]
      .filter((t) => t.truncate && !catalog.tables.get(t.name)?.partitionOf)
      .map((t) => t.name)
      .sort(),
    personalColumns: personalColumns.sort(),
    utf8: catalog.utf8,
  };
}

/** `users` → `public.users` (PostgreSQL's default schema); `"My.Schema"."T"` → `My.Schema.T`; SQLite names are bare. */
export function tableKey(name: string, engine: 'sqlite' | 'postgres'): string {
  if (engine === 'sqlite') return name;
  if (name.includes('"')) {
    const parts = [...name.matchAll(/"((?:[^"]|"")*)"|([^."]+)/g)].map((m) =>
      m[1] !== undefined ? m[1].replace(/""/g, '"') : (m[2] ?? '').trim(),
    );
    return parts.length === 1 ? `public.${parts[0]}` : parts.join('.');
  }
  return name.includes('.') ? name : `public.${name}`;
}

function closest(name: string, candidates: readonly string[]): string {
  const lower = name.toLowerCase();
  const match = candidates.find((c) => c.toLowerCase() === lower);
  return match ? ` (did you mean ${match}?)` : '';
}
