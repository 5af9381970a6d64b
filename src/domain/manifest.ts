import type { BackupKind } from './backup-name.js';
import type { CompressionSettings } from './compression.js';
import type { EngineKind } from './database-location.js';
import { DUMP_FORMATS, type DumpFormat } from './dump-format.js';
import { UserError } from './errors.js';

export const MANIFEST_FORMAT_VERSION = 1;

export interface TableCount {
  /** Schema-qualified for PostgreSQL (`public.users`), bare for SQLite. */
  readonly name: string;
  readonly rows: number;
}

export interface EncryptionInfo {
  readonly mode: 'passphrase' | 'public-key';
  readonly cipher: 'AES256';
  /** Fingerprints of the recipients' keys (public-key mode). */
  readonly recipients: readonly string[];
}

/** How a sanitized copy was made: never the salt, never a value. */
export interface SanitizedInfo {
  /** sha256 of the rules file as read. */
  readonly rulesSha256: string;
  /** `table.column`, masked. */
  readonly maskedColumns: readonly string[];
  /** Tables whose rows were left out (the tables themselves are there). */
  readonly truncatedTables: readonly string[];
  /** Columns whose names look personal and that no rule named. */
  readonly unruledPersonalColumns: readonly string[];
}

/** What lies beside every backup as `NAME.json`. It never holds a secret. */
export interface Manifest {
  readonly formatVersion: number;
  readonly tool: { readonly name: string; readonly version: string };
  readonly name: string;
  readonly engine: EngineKind;
  readonly kind: BackupKind;
  readonly createdAt: string;
  readonly durationMs: number;
  readonly database: {
    /** The SQLite file's name or the PostgreSQL database's name. */
    readonly name: string;
    readonly serverVersion: string;
    /** The dump tool, for PostgreSQL (pg_dump 17.2). */
    readonly dumpTool?: string;
    /** A partial dump says so: the pg_dump options that narrowed it (--schema=app, ...). */
    readonly filters?: readonly string[];
  };
  /**
   * Which database this is a backup of (see catalog/identity.ts): `latest`,
   * `list` and retention go by it. Absent in manifests written before it was
   * added; such backups fall under the rule for old backups.
   */
  readonly identity?: DatabaseIdentity;
  readonly file: { readonly size: number; readonly sha256: string };
  /** Size of the dump before compression (the SQLite file, or the SQL text). */
  readonly contentSize: number;
  /**
   * How the content was compressed before encryption. Manifests written before
   * zstd existed say `{ "algorithm": "gzip", "level": N }`, which still reads as is.
   */
  readonly compression: CompressionSettings;
  /**
   * PostgreSQL: plain SQL, or a custom or directory archive (pg_restore).
   * Absent in manifests written before archives existed: plain.
   */
  readonly format?: DumpFormat;
  readonly encryption: EncryptionInfo | null;
  readonly tables: readonly TableCount[];
  /**
   * The database held no rows at all (no table, or only empty ones). Written
   * by every backup since it was added; absent in older manifests, whose
   * tables say the same.
   */
  readonly empty?: boolean;
  /** PostgreSQL with include-roles: the roles at the head of the dump (never a password). */
  readonly roles?: RolesInfo;
  /** Present on sanitized copies only: personal data was masked by these rules. */
  readonly sanitized?: SanitizedInfo;
}

/** Which database a backup is of. Never holds a user name or a password. */
export interface DatabaseIdentity {
  readonly engine: EngineKind;
  /** PostgreSQL: `host:port/database` as the URL gives them; SQLite: the file's real path. */
  readonly database: string;
  /** The user-given name (`--name`), also in the backup's file name. */
  readonly name?: string;
}

/** The cluster roles a PostgreSQL backup carries (include-roles). */
export interface RolesInfo {
  /** The program that listed them (pg_dumpall 17.2). */
  readonly tool: string;
  /** The roles a restore creates where they are missing. */
  readonly names: readonly string[];
}

/** Whether the backup held any row: its `empty` flag, or (older manifests) its tables. */
export function heldRows(manifest: Pick<Manifest, 'empty' | 'tables'>): boolean {
  if (manifest.empty !== undefined) return !manifest.empty;
  return manifest.tables.some((table) => table.rows > 0);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a manifest, refusing anything that does not have the fields restore and verify rely on. */
export function parseManifest(text: string, source: string): Manifest {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UserError(
      `The manifest ${source} is not valid JSON: restore the backup without it by removing the file, or fetch it again.`,
    );
  }
  const problem = manifestProblem(data);
  if (problem) throw new UserError(`The manifest ${source} is not usable (${problem}).`);
  return data as Manifest;
}

function manifestProblem(data: unknown): string | undefined {
  if (!isObject(data)) return 'not an object';
  if (typeof data.formatVersion !== 'number' || data.formatVersion > MANIFEST_FORMAT_VERSION) {
    return `format version ${String(data.formatVersion)} is not one this tool reads; upgrade db-backup`;
  }
  if (data.engine !== 'sqlite' && data.engine !== 'postgres') return 'unknown engine';
  const file = data.file;
  if (
    !isObject(file) ||
    typeof file.size !== 'number' ||
    typeof file.sha256 !== 'string' ||
    !/^[0-9a-f]{64}$/.test(file.sha256)
  ) {
    return 'missing file size or sha256';
  }
  if (!Array.isArray(data.tables)) return 'missing tables';
  if (data.format !== undefined && !(DUMP_FORMATS as readonly unknown[]).includes(data.format))
    return `unknown format ${JSON.stringify(data.format)}; upgrade db-backup`;
  if (data.identity !== undefined) {
    const identity = data.identity;
    if (
      !isObject(identity) ||
      identity.engine !== data.engine ||
      typeof identity.database !== 'string' ||
      (identity.name !== undefined && typeof identity.name !== 'string')
    )
      return 'an identity without engine or database';
  }
  if (data.empty !== undefined && typeof data.empty !== 'boolean')
    return 'empty is not true or false';
  for (const table of data.tables as unknown[]) {
    if (!isObject(table) || typeof table.name !== 'string' || typeof table.rows !== 'number') {
      return 'a table entry without name or rows';
    }
  }
  return undefined;
}

export function serializeManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
