import type { ColumnShape } from './transformers.js';

/** One column, as the rules need to know it. */
export interface CatalogColumn extends ColumnShape {
  readonly name: string;
  readonly notNull: boolean;
  /** Computed from other columns: never in a dump's data, never masked directly. */
  readonly generated: boolean;
  /**
   * PostgreSQL: CHECK constraints that test this column, on the table or on
   * its domain. Masked values may fail them, and then the copy does not restore.
   */
  readonly checks?: readonly string[];
}

export interface CatalogTable {
  /** Schema-qualified for PostgreSQL (`public.users`, unquoted), bare for SQLite. */
  readonly name: string;
  readonly columns: readonly CatalogColumn[];
  /** A partitioned table's data lives in these (leaf) partitions: its rules apply to them. */
  readonly partitions?: readonly string[];
  /** The partitioned table this one is a partition of. */
  readonly partitionOf?: string;
  /**
   * Tables that inherit from this one (`INHERITS`, at any depth): pg_dump
   * writes their rows in COPY blocks of their own, so its rules apply to them.
   */
  readonly inheritedBy?: readonly string[];
  /** How many tables this one inherits from, directly or not: deeper rules are more specific. */
  readonly inheritanceDepth?: number;
}

/** Columns whose values must stay unique together (primary keys, unique constraints and indexes). */
export interface UniqueKey {
  readonly table: string;
  readonly columns: readonly string[];
}

export interface ForeignKey {
  readonly table: string;
  readonly columns: readonly string[];
  readonly references: string;
  readonly referencedColumns: readonly string[];
}

/** What the database holds, read before anything is dumped (and again, for SQLite, on the snapshot). */
export interface Catalog {
  readonly engine: 'sqlite' | 'postgres';
  readonly tables: ReadonlyMap<string, CatalogTable>;
  readonly uniqueKeys: readonly UniqueKey[];
  readonly foreignKeys: readonly ForeignKey[];
  /** Characters are counted in UTF-8 (else in bytes: single-byte server encodings). */
  readonly utf8: boolean;
}
