import type { Logger } from '../../domain/logger.js';
import type { DumpFormat } from '../../domain/dump-format.js';
import type { ClientInstaller } from './client-tools.js';

/** What users of pg_dump ask for. Patterns are pg_dump's (psql-style wildcards). */
export interface PostgresDumpOptions {
  readonly pgDumpPath: string | undefined;
  /** Put the cluster's roles (pg_dumpall --roles-only) at the head of the dump. */
  readonly includeRoles: boolean;
  readonly schemas: readonly string[];
  readonly excludeSchemas: readonly string[];
  readonly tables: readonly string[];
  readonly excludeTables: readonly string[];
  readonly excludeTableData: readonly string[];
  /** plain SQL (psql), or an archive for pg_restore: custom (one file) or directory (as one tar file). */
  readonly format: DumpFormat;
  /** pg_dump --jobs for a directory archive; pg_restore --jobs at restore. */
  readonly jobs: number;
}

export interface PostgresRestoreOptions {
  /** Restore into a new database beside the target, then drop the target and rename the new one. */
  readonly dropDatabase: boolean;
  /** Terminate other sessions connected to the target instead of refusing. */
  readonly terminateConnections: boolean;
  /** Create the target when it does not exist. */
  readonly createDatabase: boolean;
  /** Apply the backup's `ALTER … OWNER TO` (false: objects belong to the restoring user, as pg_restore --no-owner). */
  readonly owner: boolean;
  /** Apply the backup's GRANT/REVOKE and default privileges (false: as pg_restore --no-privileges). */
  readonly privileges: boolean;
  /**
   * Verify: owners and privileges that name roles the server lacks are left
   * out (and reported) instead of failing the test restore.
   */
  readonly leaveOutMissingRoles: boolean;
  /**
   * How long the restore waits for each lock, in ms (0: as long as it
   * takes; undefined: DEFAULT_LOCK_TIMEOUT_MS); also the safety backup's
   * pg_dump --lock-wait-timeout.
   */
  readonly lockTimeoutMs: number | undefined;
  /** Archives: pg_restore --jobs (above 1 the restore goes into a new database, then swaps). */
  readonly jobs: number;
  /** Archives: only these tables (pg_restore -t) and schemas (pg_restore -n). Refused for plain SQL. */
  readonly restoreTables: readonly string[];
  readonly restoreSchemas: readonly string[];
}

export interface PostgresOptions extends PostgresDumpOptions, PostgresRestoreOptions {
  readonly installer: ClientInstaller | undefined;
  readonly log: Logger;
}

export const DEFAULT_POSTGRES_OPTIONS: Omit<PostgresOptions, 'log'> = {
  pgDumpPath: undefined,
  includeRoles: false,
  schemas: [],
  excludeSchemas: [],
  tables: [],
  excludeTables: [],
  excludeTableData: [],
  format: 'plain',
  jobs: 1,
  restoreTables: [],
  restoreSchemas: [],
  dropDatabase: false,
  terminateConnections: false,
  createDatabase: false,
  owner: true,
  privileges: true,
  leaveOutMissingRoles: false,
  lockTimeoutMs: undefined,
  installer: undefined,
};

/** A restore gives up waiting for a lock after this long unless told otherwise (--lock-timeout). */
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

/** How long pg_dump (--lock-wait-timeout) and the dump's own session wait for a table lock. */
export const LOCK_WAIT_TIMEOUT_MS = 300_000;

/** The options that make a dump partial, as pg_dump arguments (recorded in the manifest). */
export function dumpFilters(options: PostgresDumpOptions): string[] {
  return [
    ...options.schemas.map((pattern) => `--schema=${pattern}`),
    ...options.excludeSchemas.map((pattern) => `--exclude-schema=${pattern}`),
    ...options.tables.map((pattern) => `--table=${pattern}`),
    ...options.excludeTables.map((pattern) => `--exclude-table=${pattern}`),
    ...options.excludeTableData.map((pattern) => `--exclude-table-data=${pattern}`),
  ];
}

/**
 * pg_dump's arguments: plain SQL that replaces what it contains (--clean
 * --if-exists), with owners and privileges, as pg_dump makes a complete copy
 * (what a restore leaves out is chosen at restore time). An archive goes to
 * `archive.file` (a custom one without it: to stdout) uncompressed
 * (--compress=0: this tool's gzip or zstd stage compresses it, in parallel,
 * as it does SQL); pg_restore adds --clean.
 */
export function pgDumpArguments(
  options: PostgresDumpOptions,
  snapshot: string | undefined,
  lockWaitTimeoutMs = LOCK_WAIT_TIMEOUT_MS,
  archive?: {
    readonly format: 'custom' | 'directory';
    readonly file?: string;
    readonly jobs: number;
  },
): string[] {
  const args = archive
    ? [
        `--format=${archive.format}`,
        '--compress=0',
        ...(archive.file === undefined ? [] : [`--file=${archive.file}`]),
        '--no-password',
      ]
    : ['--format=plain', '--no-password', '--clean', '--if-exists'];
  if (archive?.format === 'directory' && archive.jobs > 1) args.push(`--jobs=${archive.jobs}`);
  if (lockWaitTimeoutMs > 0) args.push(`--lock-wait-timeout=${lockWaitTimeoutMs}`);
  if (snapshot) args.push(`--snapshot=${snapshot}`);
  args.push(...dumpFilters(options));
  return args;
}
