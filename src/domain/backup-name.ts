import { COMPRESSION_SUFFIX, type CompressionAlgorithm } from './compression.js';
import type { EngineKind } from './database-location.js';
import { FORMAT_EXTENSION, type DumpFormat } from './dump-format.js';

/**
 * A regular backup, the safety copy taken just before a restore (never
 * pruned), or a sanitized copy for development (its own window and latest).
 */
export type BackupKind = 'backup' | 'before-restore' | 'sanitized';

export interface BackupName {
  readonly name: string;
  readonly engine: EngineKind;
  /** The user-given database name (`--name`) the file name carries, if any. */
  readonly label?: string | undefined;
  readonly kind: BackupKind;
  /** The UTC second in the name. */
  readonly time: Date;
  /** 0 for the first backup of a second, then 1, 2, ... */
  readonly sequence: number;
  /** What the name says: `.gz`, `.zst` or nothing. The content decides on restore. */
  readonly compression: CompressionAlgorithm;
  readonly encrypted: boolean;
  /** PostgreSQL: `.dump` is a custom archive, `.dir.tar` a directory archive; otherwise plain. */
  readonly format: DumpFormat;
}

/** The parts a name is made of; `compression` defaults to gzip, the seed's names. */
export interface BackupNameParts {
  readonly engine: EngineKind;
  /** `--name`: `postgres_app_backup_...`; absent, the seed's names. */
  readonly label?: string | undefined;
  readonly kind: BackupKind;
  readonly time: Date;
  readonly sequence: number;
  readonly compression?: CompressionAlgorithm;
  readonly encrypted: boolean;
  /** Defaults to plain (`.sql` / `.db`). */
  readonly format?: DumpFormat;
}

const EXTENSION: Record<EngineKind, string> = { sqlite: 'db', postgres: 'sql' };
const KINDS: readonly BackupKind[] = ['backup', 'before-restore', 'sanitized'];

/**
 * A database name in a file name: letters, digits and `-`, no `_` or `.`
 * (they separate the name's parts), and never a kind's word.
 */
export const LABEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/;

/** Why `label` cannot be part of a backup's name, or undefined when it can. */
export function labelProblem(label: string): string | undefined {
  if (!LABEL_PATTERN.test(label))
    return 'use 1 to 63 letters, digits and dashes, starting with a letter or digit (no _ . / or spaces)';
  if ((KINDS as readonly string[]).includes(label.toLowerCase()))
    return `"${label}" is a word backup names already use`;
  return undefined;
}

/**
 * A database's own name (a PostgreSQL database of a server backed up whole)
 * as a label: what a label cannot hold becomes a dash, a kind's word gets
 * `-db`; undefined when nothing usable is left. Only for people reading the
 * place: the manifest says whose a backup is.
 */
export function labelOf(databaseName: string): string | undefined {
  const label = databaseName
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  if (label === '') return undefined;
  const usable = labelProblem(label) === undefined ? label : `${label}-db`;
  return labelProblem(usable) === undefined ? usable : undefined;
}

function alternatives(values: readonly string[]): string {
  return values.map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
}

const COMPRESSION_BY_SUFFIX = new Map(
  Object.entries(COMPRESSION_SUFFIX).map(([algorithm, suffix]) => [
    suffix,
    algorithm as CompressionAlgorithm,
  ]),
);

const FORMAT_BY_EXTENSION = new Map(
  Object.entries(FORMAT_EXTENSION).map(([format, extension]) => [extension, format as DumpFormat]),
);

/**
 * One named group per part, in the order of the name. A new part (say, a
 * database name) is one group here and one piece in `formatBackupName`; the
 * round trip in `parseBackupName` keeps the two in step.
 */
const PATTERN = new RegExp(
  [
    '^',
    `(?<engine>${alternatives(Object.keys(EXTENSION))})`,
    String.raw`(?:_(?<label>[A-Za-z0-9][A-Za-z0-9-]{0,62}))?`,
    `_(?<kind>${alternatives(KINDS)})`,
    String.raw`_(?<date>\d{8})_(?<clock>\d{6})`,
    String.raw`(?:_(?<sequence>\d{1,6}))?`,
    String.raw`\.(?:(?<extension>${alternatives(Object.values(EXTENSION))})|(?<format>${alternatives(Object.values(FORMAT_EXTENSION))}))`,
    `(?<compression>${alternatives(Object.values(COMPRESSION_SUFFIX).filter(Boolean))})?`,
    String.raw`(?<gpg>\.gpg)?`,
    '$',
  ].join(''),
);

export const MANIFEST_SUFFIX = '.json';

export function manifestNameOf(backupName: string): string {
  return `${backupName}${MANIFEST_SUFFIX}`;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/**
 * `postgres_backup_20261126_020000.sql.gz` (`postgres_app_backup_...` with
 * the name app): `_N` for the N-th extra backup of that second, `.dump` /
 * `.dir.tar` instead of `.sql` for a custom / directory archive, `.zst` for
 * zstd, no suffix for an uncompressed one, `.gpg` when
 * encrypted.
 */
export function formatBackupName(parts: BackupNameParts): string {
  const t = parts.time;
  const stamp =
    `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}_` +
    `${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}${pad(t.getUTCSeconds())}`;
  const sequence = parts.sequence > 0 ? `_${parts.sequence}` : '';
  const compression = COMPRESSION_SUFFIX[parts.compression ?? 'gzip'];
  const gpg = parts.encrypted ? '.gpg' : '';
  const format = parts.format ?? 'plain';
  const extension = format === 'plain' ? EXTENSION[parts.engine] : FORMAT_EXTENSION[format];
  const label = parts.label !== undefined ? `_${parts.label}` : '';
  return `${parts.engine}${label}_${parts.kind}_${stamp}${sequence}.${extension}${compression}${gpg}`;
}

/** Our backup names only; anything else (a manifest, a foreign file) gives undefined. */
export function parseBackupName(name: string): BackupName | undefined {
  const groups = PATTERN.exec(name)?.groups;
  if (!groups) return undefined;
  const { date = '', clock = '' } = groups;
  const parts = {
    engine: groups.engine as EngineKind,
    ...(groups.label !== undefined ? { label: groups.label } : {}),
    kind: groups.kind as BackupKind,
    time: new Date(
      Date.UTC(
        Number(date.slice(0, 4)),
        Number(date.slice(4, 6)) - 1,
        Number(date.slice(6, 8)),
        Number(clock.slice(0, 2)),
        Number(clock.slice(2, 4)),
        Number(clock.slice(4, 6)),
      ),
    ),
    sequence: Number(groups.sequence ?? 0),
    compression: COMPRESSION_BY_SUFFIX.get(groups.compression ?? '') ?? 'none',
    encrypted: groups.gpg !== undefined,
    format: FORMAT_BY_EXTENSION.get(groups.format ?? '') ?? 'plain',
  };
  // Archives are pg_dump's: a SQLite name with one is not ours.
  if (parts.format !== 'plain' && parts.engine !== 'postgres') return undefined;
  // The round trip refuses what the pattern alone lets through: an engine with the other's
  // extension, impossible dates such as 20261340 (Date would roll them over), `_0` or `_01`.
  if (formatBackupName(parts) !== name) return undefined;
  if (parts.label !== undefined && labelProblem(parts.label) !== undefined) return undefined;
  return { name, ...parts };
}

/** Newest first: by time, then by sequence within the same second. */
export function compareNewestFirst(a: BackupName, b: BackupName): number {
  return b.time.getTime() - a.time.getTime() || b.sequence - a.sequence;
}
