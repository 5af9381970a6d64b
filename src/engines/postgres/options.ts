import type { Logger } from '../../commands/context.js';
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
}

export interface PostgresRestoreOptions {
  /** Restore into a new database beside the target, then drop the target and rename the new one. */
  readonly dropDatabase: boolean;
  /** Terminate other sessions connected to the target instead of refusing. */
  readonly terminateConnections: boolean;
  /** Create the target when it does not exist. */
  readonly createDatabase: boolean;
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
  dropDatabase: false,
  terminateConnections: false,
  createDatabase: false,
  installer: undefined,
};

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
 * (what a restore leaves out is chosen at restore time).
 */
export function pgDumpArguments(
  options: PostgresDumpOptions,
  snapshot: string | undefined,
): string[] {
  const args = [
    '--format=plain',
    '--no-password',
    '--clean',
    '--if-exists',
    '--lock-wait-timeout=300000',
  ];
  if (snapshot) args.push(`--snapshot=${snapshot}`);
  args.push(...dumpFilters(options));
  return args;
}

/** psql reading SQL from stdin: stop at the first error, no ~/.psqlrc, never prompt. */
export const PSQL_ARGUMENTS = [
  '--no-psqlrc',
  '--quiet',
  '--no-password',
  '--set=ON_ERROR_STOP=1',
  '--file=-',
];
