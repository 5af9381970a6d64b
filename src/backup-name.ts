import type { EngineKind } from './config/database-url.js';

/**
 * A regular backup, the safety copy taken just before a restore (never
 * pruned), or a sanitized copy for development (its own window and latest).
 */
export type BackupKind = 'backup' | 'before-restore' | 'sanitized';

export interface BackupName {
  readonly name: string;
  readonly engine: EngineKind;
  readonly kind: BackupKind;
  /** The UTC second in the name. */
  readonly time: Date;
  /** 0 for the first backup of a second, then 1, 2, ... */
  readonly sequence: number;
  readonly encrypted: boolean;
}

const EXTENSION: Record<EngineKind, string> = { sqlite: 'db', postgres: 'sql' };

const PATTERN =
  /^(sqlite|postgres)_(backup|before-restore|sanitized)_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})(?:_(\d{1,6}))?\.(db|sql)\.gz(\.gpg)?$/;

export const MANIFEST_SUFFIX = '.json';

export function manifestNameOf(backupName: string): string {
  return `${backupName}${MANIFEST_SUFFIX}`;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** `postgres_backup_20261126_020000.sql.gz`, with `_N` for the N-th extra backup of that second. */
export function formatBackupName(parts: {
  engine: EngineKind;
  kind: BackupKind;
  time: Date;
  sequence: number;
  encrypted: boolean;
}): string {
  const t = parts.time;
  const stamp =
    `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}_` +
    `${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}${pad(t.getUTCSeconds())}`;
  const sequence = parts.sequence > 0 ? `_${parts.sequence}` : '';
  const gpg = parts.encrypted ? '.gpg' : '';
  return `${parts.engine}_${parts.kind}_${stamp}${sequence}.${EXTENSION[parts.engine]}.gz${gpg}`;
}

/** Our backup names only; anything else (a manifest, a foreign file) gives undefined. */
export function parseBackupName(name: string): BackupName | undefined {
  const match = PATTERN.exec(name);
  if (!match) return undefined;
  const [, engine, kind, year, month, day, hour, minute, second, sequence, extension, gpg] = match;
  if (engine === undefined || kind === undefined || EXTENSION[engine as EngineKind] !== extension) {
    return undefined;
  }
  const time = new Date(
    Date.UTC(
      Number(year),
      Number(month) - 1,
      Number(day),
      Number(hour),
      Number(minute),
      Number(second),
    ),
  );
  // Reject impossible dates such as 20261340 rather than letting Date roll them over.
  if (
    formatBackupName({
      engine: engine as EngineKind,
      kind: kind as BackupKind,
      time,
      sequence: Number(sequence ?? 0),
      encrypted: gpg !== undefined,
    }) !== name
  ) {
    return undefined;
  }
  return {
    name,
    engine: engine as EngineKind,
    kind: kind as BackupKind,
    time,
    sequence: Number(sequence ?? 0),
    encrypted: gpg !== undefined,
  };
}

/** Newest first: by time, then by sequence within the same second. */
export function compareNewestFirst(a: BackupName, b: BackupName): number {
  return b.time.getTime() - a.time.getTime() || b.sequence - a.sequence;
}
