import {
  compareNewestFirst,
  parseBackupName,
  type BackupKind,
  type BackupName,
} from '../backup-name.js';
import type { EngineKind } from '../config/database-url.js';

export interface RetentionPolicy {
  readonly engine: EngineKind;
  /** How many regular backups to keep; 0 keeps all. */
  readonly maxBackups: number;
  /** Names that must survive whatever their age, such as the backup just written. */
  readonly protect?: readonly string[];
  /**
   * What each backup's manifest says: true when it held rows, false when the
   * database was empty; a name not in the map is unknown (no readable manifest).
   */
  readonly heldRows?: ReadonlyMap<string, boolean>;
  /** The window's kind: regular backups (default) or sanitized copies, never both together. */
  readonly kind?: Exclude<BackupKind, 'before-restore'>;
}

export interface RetentionPlan {
  /** Our backups of this engine, newest first. */
  readonly keep: readonly BackupName[];
  /** Oldest beyond the window, newest first. */
  readonly remove: readonly BackupName[];
  /** Beyond the window but kept: the newest backup known to hold rows, when every newer one is empty. */
  readonly keptForData?: BackupName;
  /**
   * Beyond the window but kept: backups without a readable manifest that are
   * older than a backup of an empty database and newer than any backup known
   * to hold rows. Each may be the last copy of the data (the old scripts'
   * backups have no manifest), so none is removed.
   */
  readonly keptUnread?: readonly BackupName[];
}

/** Our regular backups of the policy's engine, newest first, each name once. */
export function retentionCandidates(
  names: readonly string[],
  engine: EngineKind,
  kind: Exclude<BackupKind, 'before-restore'> = 'backup',
): BackupName[] {
  const candidates = names
    .map(parseBackupName)
    .filter((parsed): parsed is BackupName => parsed !== undefined)
    .filter((parsed) => parsed.kind === kind && parsed.engine === engine)
    .sort(compareNewestFirst);
  return candidates.filter(
    (item, index) => candidates.findIndex((other) => other.name === item.name) === index,
  );
}

/**
 * The newest backup known to hold rows: the one an emptied database must
 * never push out. `heldRows` answers for one backup (from its manifest), or
 * undefined when it cannot tell; backups are asked newest first, and the
 * asking stops at the first that held rows.
 */
export async function newestWithRows(
  newestFirst: readonly BackupName[],
  heldRows: (backup: BackupName) => Promise<boolean | undefined>,
): Promise<Map<string, boolean>> {
  const known = new Map<string, boolean>();
  for (const backup of newestFirst) {
    const held = await heldRows(backup);
    if (held !== undefined) known.set(backup.name, held);
    if (held === true) break;
  }
  return known;
}

/**
 * The rolling window. Only names this tool writes for regular backups of the
 * given engine are candidates: foreign files, manifests, other engines and
 * before-restore safety copies are never removed. The newest is always kept,
 * and so is the newest backup that held rows: backups of an emptied database
 * (a 0-byte SQLite file, a PostgreSQL database whose tables or rows are gone)
 * count in the window but never push out the last copy of the data. A
 * backup whose manifest cannot tell (none, or unreadable), older than a backup
 * of an empty database and newer than the newest backup known to hold rows,
 * may be that copy: it is kept too. Without `heldRows`, the plain window.
 */
export function planRetention(names: readonly string[], policy: RetentionPolicy): RetentionPlan {
  const unique = retentionCandidates(names, policy.engine, policy.kind);
  if (policy.maxBackups <= 0) return { keep: unique, remove: [] };
  const protect = new Set(policy.protect ?? []);
  const withRows = unique.find((backup) => policy.heldRows?.get(backup.name) === true);
  // Unread backups older than a known empty one, and newer than the newest known to hold rows.
  const mayHoldRows = new Set<BackupName>();
  let emptied = false;
  for (const backup of policy.heldRows ? unique : []) {
    if (backup === withRows) break;
    const held = policy.heldRows?.get(backup.name);
    if (held === false) emptied = true;
    else if (held === undefined && emptied) mayHoldRows.add(backup);
  }
  const keep: BackupName[] = [];
  const remove: BackupName[] = [];
  const keptUnread: BackupName[] = [];
  let keptForData: BackupName | undefined;
  for (const [index, backup] of unique.entries()) {
    if (index < policy.maxBackups || protect.has(backup.name)) keep.push(backup);
    else if (backup === withRows) {
      keep.push(backup);
      keptForData = backup;
    } else if (mayHoldRows.has(backup)) {
      keep.push(backup);
      keptUnread.push(backup);
    } else remove.push(backup);
  }
  return {
    keep,
    remove,
    ...(keptForData ? { keptForData } : {}),
    ...(keptUnread.length > 0 ? { keptUnread } : {}),
  };
}
