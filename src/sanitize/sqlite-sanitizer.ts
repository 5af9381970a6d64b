import { existsSync } from 'node:fs';
import { JobFailure } from '../domain/errors.js';
import { loadSqlite, type SqliteDatabase } from '../engines/sqlite-driver.js';
import { withStandIns } from '../engines/sqlite-integrity.js';
import type { Catalog, CatalogColumn, CatalogTable, ForeignKey, UniqueKey } from './catalog.js';
import { planSanitizing, type ColumnPlan, type SanitizePlan } from './plan.js';
import type { SanitizeRules } from './rules.js';
import {
  addNoise,
  noisePpm,
  shiftDateText,
  shiftDays,
  UnreadableValueError,
  type ColumnCategory,
  type Masker,
} from './transformers.js';

/** Reads a SQLite database's tables, columns, keys and references (read-only). */
export async function readSqliteCatalog(file: string): Promise<Catalog> {
  const Database = await loadSqlite();
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return catalogOf(db);
  } finally {
    db.close();
  }
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

interface TableListRow {
  name: string;
  type: string;
  schema: string;
}

function catalogOf(db: SqliteDatabase): Catalog {
  const listed = (db.prepare('PRAGMA table_list').all() as TableListRow[]).filter(
    (row) =>
      row.schema === 'main' &&
      (row.type === 'table' || row.type === 'virtual') &&
      !row.name.startsWith('sqlite_'),
  );
  const tables = new Map<string, CatalogTable>();
  const uniqueKeys: UniqueKey[] = [];
  const foreignKeys: ForeignKey[] = [];
  for (const { name } of listed) {
    let columns: { name: string; type: string; notnull: number; pk: number; hidden: number }[];
    try {
      columns = db.prepare(`PRAGMA table_xinfo(${quote(name)})`).all() as typeof columns;
    } catch {
      continue; // A virtual table whose module this build lacks.
    }
    tables.set(name, {
      name,
      columns: columns
        .filter((c) => c.hidden !== 1)
        .map((c) =>
          sqliteColumn(c.name, c.type, c.notnull === 1, c.hidden === 2 || c.hidden === 3),
        ),
    });
    const primary = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
    if (primary.length > 0) uniqueKeys.push({ table: name, columns: primary.map((c) => c.name) });
    const indexes = db.prepare(`PRAGMA index_list(${quote(name)})`).all() as {
      name: string;
      unique: number;
    }[];
    for (const index of indexes.filter((i) => i.unique === 1)) {
      const keyColumns = (
        db.prepare(`PRAGMA index_info(${quote(index.name)})`).all() as { name: string | null }[]
      ).flatMap((c) => (c.name === null ? [] : [c.name]));
      if (keyColumns.length > 0) uniqueKeys.push({ table: name, columns: keyColumns });
    }
    const references = db.prepare(`PRAGMA foreign_key_list(${quote(name)})`).all() as {
      id: number;
      table: string;
      from: string;
      to: string | null;
    }[];
    const byId = new Map<number, typeof references>();
    for (const reference of references)
      byId.set(reference.id, [...(byId.get(reference.id) ?? []), reference]);
    for (const parts of byId.values()) {
      const target = parts[0]!.table;
      // A reference without columns points at the primary key.
      const targetKey = (
        db.prepare(`PRAGMA table_info(${quote(target)})`).all() as { name: string; pk: number }[]
      )
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => c.name);
      foreignKeys.push({
        table: name,
        columns: parts.map((p) => p.from),
        references: target,
        referencedColumns: parts.map((p, i) => p.to ?? targetKey[i] ?? ''),
      });
    }
  }
  return { engine: 'sqlite', tables, uniqueKeys, foreignKeys, utf8: true };
}

/** SQLite's type affinity rules (https://sqlite.org/datatype3.html, 3.1), plus dates by name. */
function sqliteColumn(
  name: string,
  declared: string,
  notNull: boolean,
  generated: boolean,
): CatalogColumn {
  const type = declared.toUpperCase();
  let category: ColumnCategory;
  if (type.includes('INT')) category = 'integer';
  else if (/CHAR|CLOB|TEXT/.test(type)) category = 'text';
  else if (type === '' || type.includes('BLOB')) category = 'any';
  else if (/REAL|FLOA|DOUB/.test(type)) category = 'float';
  else if (/DATE|TIME/.test(type)) category = 'date';
  else category = 'decimal';
  return {
    name,
    typeName: declared || 'no declared type',
    category,
    notNull,
    generated,
    loose: true,
    ...(category === 'integer'
      ? { integerRange: [-9223372036854775808n, 9223372036854775807n] as const }
      : {}),
  };
}

type SqliteValue = string | number | bigint | Buffer | null;

/**
 * Sanitizes the private snapshot of a SQLite database in place (never the
 * live database): truncated tables emptied, masked columns rewritten by the
 * transformers registered as a SQL function, triggers kept from firing,
 * full-text indexes and statistics rebuilt from the masked data, then
 * VACUUM so that no original value is left in a free page or a page's
 * unused space, and no journal or WAL beside the file.
 */
export async function sanitizeSqliteFile(
  file: string,
  rules: SanitizeRules,
  masker: Masker,
): Promise<SanitizePlan> {
  const Database = await loadSqlite();
  const db = new Database(file, { fileMustExist: true });
  let plan: SanitizePlan;
  try {
    // Checked again on the snapshot itself: the schema may have changed since the first check.
    plan = planSanitizing(rules, catalogOf(db));
    db.pragma('secure_delete = ON');
    db.pragma('foreign_keys = OFF');
    const columns: ColumnPlan[] = [];
    db.function(
      'db_backup_mask',
      { deterministic: true, safeIntegers: true },
      (id: unknown, value: unknown) => {
        const column = columns[Number(id)];
        if (!column) throw new Error('unknown masked column');
        return maskSqliteValue(masker, column, value as SqliteValue);
      },
    );
    const triggers = db
      .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND sql IS NOT NULL")
      .all() as { name: string; sql: string }[];
    const virtual = new Set(
      (db.prepare('PRAGMA table_list').all() as TableListRow[])
        .filter((t) => t.type === 'virtual')
        .map((t) => t.name),
    );
    const masking = db.transaction(() => {
      columns.length = 0;
      // Triggers could copy old values elsewhere (an audit table): none fires while masking.
      for (const trigger of triggers) db.exec(`DROP TRIGGER ${quote(trigger.name)}`);
      for (const table of plan.tables.values()) {
        if (table.truncate) {
          emptyTable(db, table.name, virtual.has(table.name));
          continue;
        }
        const sets = [...table.columns.values()].map((column) => {
          columns.push(column);
          return `${quote(column.name)} = db_backup_mask(${columns.length - 1}, ${quote(column.name)})`;
        });
        db.exec(`UPDATE ${quote(table.name)} SET ${sets.join(', ')}`);
      }
      for (const trigger of triggers) db.exec(trigger.sql);
      rebuildFullTextIndexes(db, virtual, plan);
    });
    // Each step leaves nothing of itself when it fails (masking is one transaction): it may run again.
    const appFunctions = new Set<string>();
    const withRefusingStandIns = (work: () => void): void =>
      withStandIns(db, appFunctions, refusingStandIn, work);
    withRefusingStandIns(() => masking());
    if (db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1'").get())
      withRefusingStandIns(() => db.exec('ANALYZE'));
    withRefusingStandIns(() => db.exec('VACUUM'));
    if (String(db.pragma('journal_mode', { simple: true })) === 'wal')
      db.pragma('wal_checkpoint(TRUNCATE)');
  } catch (error) {
    db.close();
    throw describe(error);
  }
  db.close();
  for (const suffix of ['-wal', '-journal']) {
    if (existsSync(`${file}${suffix}`))
      throw new JobFailure(
        `The sanitized snapshot kept a ${suffix.slice(1)} file: nothing was kept.`,
      );
  }
  return plan;
}

/**
 * Empties a table for a truncate rule. A contentless or external-content
 * FTS5 table takes its 'delete-all' command. Any other virtual table (an
 * FTS5 or FTS4 table with its own content, a contentless FTS4 one) is made
 * again, empty, from its own definition: DELETE would leave the words of the
 * deleted rows in its index until a merge.
 */
function emptyTable(db: SqliteDatabase, name: string, isVirtual: boolean): void {
  if (!isVirtual) {
    db.exec(`DELETE FROM ${quote(name)}`);
    return;
  }
  try {
    db.exec(`INSERT INTO ${quote(name)}(${quote(name)}) VALUES ('delete-all')`);
  } catch (error) {
    const { sql } = db.prepare('SELECT sql FROM sqlite_schema WHERE name = ?').get(name) as {
      sql: string;
    };
    try {
      db.exec(`DROP TABLE ${quote(name)}`);
    } catch {
      // Neither way empties it (a module missing here): what 'delete-all' said is the reason.
      throw error;
    }
    db.exec(sql);
  }
}

/** FTS tables keep their own copy of indexed words: rebuilt from the masked rows (or emptied by a truncate rule). */
function rebuildFullTextIndexes(
  db: SqliteDatabase,
  virtual: ReadonlySet<string>,
  plan: SanitizePlan,
): void {
  for (const name of virtual) {
    const sql =
      (
        db.prepare('SELECT sql FROM sqlite_schema WHERE name = ?').get(name) as
          { sql: string } | undefined
      )?.sql ?? '';
    if (!/USING\s+fts[345]/i.test(sql) || plan.tables.get(name)?.truncate) continue;
    try {
      db.exec(`INSERT INTO ${quote(name)}(${quote(name)}) VALUES ('rebuild')`);
    } catch {
      throw new JobFailure(
        `The full-text table ${name} cannot be rebuilt from the masked data (it keeps no content) and may hold original words: give it rows: truncate in the rules.`,
      );
    }
  }
}

const EPOCH_MS_THRESHOLD = 100_000_000_000;
const DAY_SECONDS = 86_400;

/** One SQLite value through its column's transformer; the value's storage class is kept where it can be. */
export function maskSqliteValue(
  masker: Masker,
  column: ColumnPlan,
  value: SqliteValue,
): SqliteValue {
  if (value === null) return null;
  const spec = column.spec;
  if (spec.kind === 'null') return null;
  if (spec.kind === 'fixed') return spec.value;
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'utf8');
  const facts = masker.factsOf(bytes);
  if (spec.kind === 'date_shift' && typeof value !== 'string' && !Buffer.isBuffer(value)) {
    const shift = shiftDays(facts.digest('date_shift'), spec.days);
    const number = Number(value);
    // Julian day numbers (REAL), else Unix time in milliseconds or seconds.
    const step =
      !Number.isInteger(number) && number > 1_721_425 && number < 5_373_484
        ? 1
        : Math.abs(number) >= EPOCH_MS_THRESHOLD
          ? DAY_SECONDS * 1000
          : DAY_SECONDS;
    return typeof value === 'bigint' ? value + BigInt(shift * step) : number + shift * step;
  }
  if (spec.kind === 'number_noise' && typeof value !== 'string' && !Buffer.isBuffer(value)) {
    const ppm = noisePpm(facts.digest('number_noise'), spec.percent);
    if (typeof value === 'bigint')
      return BigInt(addNoise(value.toString(), ppm, { ...column.column, category: 'integer' }));
    return Number(
      addNoise(String(value), ppm, {
        ...column.column,
        category: Number.isInteger(value) ? 'integer' : 'float',
        integerRange: undefined,
      }),
    );
  }
  if (spec.kind === 'date_shift')
    return shiftDateText(bytes.toString('utf8'), shiftDays(facts.digest('date_shift'), spec.days));
  const masked = masker.mask(spec, column.column, facts);
  return masked === null ? null : masked.toString('latin1');
}

/**
 * A stand-in for a function only the application defines: SQLite needs it to
 * prepare statements on the tables whose CHECK constraints or indexes call
 * it (VACUUM's copy included), though it never calls it there. One that is
 * called stops the sanitizing with a line that says why: the rules rewrite
 * rows it covers, which cannot be checked here.
 */
function refusingStandIn(name: string): () => never {
  return () => {
    throw new JobFailure(
      `The sanitize rules rewrite rows that a CHECK constraint or an index calling ${name}() covers, and ${name}() is the application's own function, which SQLite here does not have: nothing was kept. Leave those columns out of the rules, or make the constraint or index without ${name}().`,
    );
  };
}

function describe(error: unknown): unknown {
  if (error instanceof UnreadableValueError) {
    return new JobFailure(
      `Sanitizing the SQLite snapshot met ${error.message}: nothing was kept; fix the rule or the data.`,
    );
  }
  return error;
}
