import type { Readable, Writable } from 'node:stream';
import type { DatabaseLocation, EngineKind } from '../domain/database-location.js';
import type { DumpFormat } from '../domain/dump-format.js';
import type { RolesInfo, TableCount } from '../domain/manifest.js';

export interface DatabaseInfo {
  /** sqlite_version() or the PostgreSQL server's version. */
  readonly serverVersion: string;
  /** The dump tool and its version, where one is used (pg_dump 17.2). */
  readonly dumpTool?: string;
  /** What narrowed the dump (pg_dump's --schema, --table, ... as given), when anything did. */
  readonly filters?: readonly string[];
  readonly tables: readonly TableCount[];
  /** PostgreSQL with include-roles: the roles at the head of the dump. */
  readonly roles?: RolesInfo;
}

/** A dump in progress: the raw bytes (SQLite file or SQL text) and what they hold. */
export interface Dump {
  readonly stream: Readable;
  /** PostgreSQL: what the stream is (plain SQL when absent); it names the backup. */
  readonly format?: DumpFormat;
  /**
   * How many bytes the stream will carry, for progress: exact (a SQLite
   * snapshot's size) or an estimate (pg_database_size).
   */
  readonly expectedSize?: { readonly bytes: number; readonly estimate: boolean };
  /**
   * Tables and row counts of the data in the stream (taken from the same
   * snapshot). Call once the stream has been read to its end; it fails if the
   * dump and the snapshot disagree.
   */
  finish(): Promise<DatabaseInfo>;
  /**
   * Fails when the database itself is damaged (SQLite: its integrity check).
   * Asked when writing the backup failed, since a damaged database explains
   * more than the write's own error; absent where `finish` already says it.
   */
  assertSourceSound?(): Promise<void>;
  /** Releases temporary files, connections and child processes, whatever happened. */
  dispose(): Promise<void>;
}

/**
 * A backup opened for restoring: `decodeInto` decrypts and decompresses the
 * stored file into a sink, reading it to its end (a damaged file fails there).
 */
export interface RestoreSource {
  readonly name: string;
  /** The stored bytes matched the sha256 of their manifest: exactly what was written at backup time. */
  readonly checksumVerified: boolean;
  decodeInto(sink: Writable | ((source: AsyncIterable<Buffer>) => Promise<void>)): Promise<number>;
  decodeToFile(target: string): Promise<number>;
  /** Reads the whole backup once without using it: integrity before anything changes. */
  check(): Promise<number>;
  /** Reads just its beginning: a wrong key or a file that is no backup fails here, at once. */
  probe(): Promise<void>;
}

/** Ways to change what a dump holds before it leaves the engine. */
export interface DumpHooks {
  /** SQLite: rewrites the private snapshot file (sanitizing) before it is inspected and read. */
  readonly rewriteSnapshot?: (file: string) => Promise<void>;
}

export interface RestoreHooks {
  readonly beforeChange?: () => Promise<void>;
}

export interface RestoreOutcome {
  readonly info: DatabaseInfo;
  /** Where the previous data was kept, if the engine keeps a copy itself. */
  readonly previousCopy?: string;
  /** What the restore left out or could not check, one sentence each (verify reports them). */
  readonly notes?: readonly string[];
}

export interface Engine {
  readonly kind: EngineKind;
  readonly location: DatabaseLocation;
  /**
   * True when `restore` itself keeps the previous data (SQLite's
   * `<db>.before-restore`); otherwise the restore command takes a
   * before-restore backup into the backup directory first.
   */
  readonly keepsOwnSafetyCopy: boolean;
  /** Whether the target database exists. */
  exists(): Promise<boolean>;
  /** Whether it holds anything a restore would overwrite (asks for confirmation, takes a safety copy). */
  holdsData(): Promise<boolean>;
  /**
   * Starts a consistent dump; `workDir` is a private (0700) temporary
   * directory for scratch files, outside the backup directory, removed after.
   */
  dump(workDir: string, hooks?: DumpHooks): Promise<Dump>;
  /**
   * Replaces the database with the backup's content, all or nothing. The
   * backup is checked first; `beforeChange` runs after those checks and just
   * before the target is first modified (the place for a safety backup).
   */
  restore(source: RestoreSource, hooks?: RestoreHooks): Promise<RestoreOutcome>;
  /** Tables and row counts as they are now. */
  inspect(): Promise<DatabaseInfo>;
  /** The first value of the first row a query returns (verify's own checks). */
  evaluate(sql: string): Promise<unknown>;
}
