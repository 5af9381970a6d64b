import type { DatabaseLocation, EngineKind } from '../domain/database-location.js';
import type { CompressionSettings } from '../domain/compression.js';
import type { PostgresDumpOptions, PostgresRestoreOptions } from '../engines/index.js';
import type { DecryptionKeys, EncryptionRequest } from '../pipeline/encryption.js';
import type { CalendarRules } from '../retention/calendar-retention.js';
import type { TargetId, TargetSettings } from '../storage/targets.js';

/**
 * What each command is given: the validated settings of one run. The config
 * layer builds them from inputs, flags and environment (src/config/config.ts).
 */

/** A target of the sanitized copy, with the place it has there. */
export interface SanitizeTarget {
  readonly id: TargetId;
  /** As written (`s3://dev-snapshots/app`), for messages. */
  readonly spec: string;
  readonly settings: TargetSettings;
}

export interface SanitizeConfig {
  readonly rulesFile: string;
  readonly salt: string;
  readonly strict: boolean;
  /** Empty: the run makes only the sanitized copy, for `storage`. */
  readonly storage: readonly SanitizeTarget[];
}

export interface Common {
  readonly backupDir: string;
  readonly json: boolean;
  /** No progress lines. */
  readonly quiet: boolean;
  /** Settings of every storage target, checked when a target is used. */
  readonly targets: TargetSettings;
  /** The user-given database name (`--name`): in manifests and file names. */
  readonly name: string | undefined;
}

export interface BackupConfig extends Common {
  readonly command: 'backup';
  readonly database: DatabaseLocation;
  /** The rolling window; undefined when calendar rules alone decide. */
  readonly maxBackups: number | undefined;
  /** Calendar retention rules (all 0: none). */
  readonly keep: CalendarRules;
  readonly compression: CompressionSettings;
  readonly encryption: EncryptionRequest;
  readonly postgres: PostgresDumpOptions;
  /** Where the backup goes: the local directory and/or remote targets. */
  readonly storage: readonly TargetId[];
  /** One-line notices about settings that no longer change anything (printed, never fatal). */
  readonly notices: readonly string[];
  /** A sanitized copy instead of (or, with its own targets, beside) the backup. */
  readonly sanitize: SanitizeConfig | undefined;
  /**
   * Several databases of the PostgreSQL server `database` points at, each
   * backed up on its own: every one (`all`) or these; undefined: `database` alone.
   */
  readonly serverDatabases: 'all' | readonly string[] | undefined;
}

export interface Confirmation {
  /** `--yes` at the CLI. */
  readonly yes: boolean;
  /** The action's `confirm` input: must equal the database's name. */
  readonly typed: string | undefined;
}

export interface RestoreConfig extends Common {
  /** The storage target to read from. */
  readonly from: TargetId;
  readonly command: 'restore';
  readonly database: DatabaseLocation;
  readonly backup: string;
  readonly confirmation: Confirmation;
  /** How the safety backup is compressed. */
  readonly compression: CompressionSettings;
  /** PostgreSQL: a before-restore backup into backupDir first. */
  readonly safetyBackup: boolean;
  readonly decryption: DecryptionKeys;
  /** How the safety backup is encrypted (as a backup would be). */
  readonly encryption: EncryptionRequest;
  /** pg_dump-path for the safety backup, and how to restore; the safety backup itself is never filtered. */
  readonly postgres: Pick<PostgresDumpOptions, 'pgDumpPath'> & PostgresRestoreOptions;
}

export interface VerifyConfig extends Common {
  /** The storage target to read from. */
  readonly from: TargetId;
  readonly command: 'verify';
  readonly database: DatabaseLocation | undefined;
  readonly backup: string;
  /** Checksum and readability only, no test restore. */
  readonly quick: boolean;
  readonly decryption: DecryptionKeys;
  /** PostgreSQL: the scratch server for the test restore. */
  readonly verifyDatabase: DatabaseLocation | undefined;
  /** The user's own queries, each of which must return a true value. */
  readonly verifySql: readonly string[];
  /** PostgreSQL: restore the backup's owners and privileges (when the scratch server has their roles); pg_restore --jobs for archives. */
  readonly postgres: Pick<PostgresRestoreOptions, 'owner' | 'privileges' | 'jobs'>;
}

export interface ListConfig extends Common {
  /** The storage target to read from. */
  readonly from: TargetId;
  readonly command: 'list';
  readonly engine: EngineKind | undefined;
  /** The database whose backups are listed; undefined lists every database's. */
  readonly database: DatabaseLocation | undefined;
  /** Every database's backups even when a database is given. */
  readonly all: boolean;
}

export interface PruneConfig extends Common {
  /** The storage target to read from. */
  readonly from: TargetId;
  readonly command: 'prune';
  readonly engine: EngineKind | undefined;
  /** The database whose window runs; undefined runs every database's own window. */
  readonly database: DatabaseLocation | undefined;
  /** The rolling window; undefined when calendar rules alone decide. */
  readonly maxBackups: number | undefined;
  /** Calendar retention rules (all 0: none). */
  readonly keep: CalendarRules;
  readonly dryRun: boolean;
}

export interface StatusConfig extends Common {
  /** The storage target to read from. */
  readonly from: TargetId;
  readonly command: 'status';
  readonly engine: EngineKind | undefined;
  /** The database whose backups are judged; undefined judges the newest of any. */
  readonly database: DatabaseLocation | undefined;
  /** As given (26h), for messages, and in milliseconds. */
  readonly maxAge: { readonly text: string; readonly ms: number };
  readonly verifiedWithin: { readonly text: string; readonly ms: number } | undefined;
}

export type Config =
  BackupConfig | RestoreConfig | VerifyConfig | ListConfig | PruneConfig | StatusConfig;
