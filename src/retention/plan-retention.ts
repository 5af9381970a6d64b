import { compareNewestFirst, parseBackupName, type BackupName } from '../backup-name.js';
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
}

export interface RetentionPlan {
  /** Our backups of this engine, newest first. */
  readonly keep: readonly BackupName[];
  /** Oldest beyond the window, newest first. */
  readonly remove: readonly BackupName[];
  /** Beyond the window but kept: the newest backup known to hold rows, when every newer one is empty. */
  readonly keptForData?: BackupName;
}

/** Our regular backups of the policy's engine, newest first, each name once. */
export function retentionCandidates(names: readonly string[], engine: EngineKind): BackupName[] {
  const candidates = names
    .map(parseBackupName)
    .filter((parsed): parsed is BackupName => parsed !== undefined)
    .filter((parsed) => parsed.kind === 'backup' && parsed.engine === engine)
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
 * count in the window but never push out the last copy of the data.
 */
export function planRetention(names: readonly string[], policy: RetentionPolicy): RetentionPlan {
  const unique = retentionCandidates(names, policy.engine);
  if (policy.maxBackups <= 0) return { keep: unique, remove: [] };
  const protect = new Set(policy.protect ?? []);
  const withRows = unique.find((backup) => policy.heldRows?.get(backup.name) === true);
  const keep: BackupName[] = [];
  const remove: BackupName[] = [];
  let keptForData: BackupName | undefined;
  for (const [index, backup] of unique.entries()) {
    if (index < policy.maxBackups || protect.has(backup.name)) keep.push(backup);
    else if (backup === withRows) {
      keep.push(backup);
      keptForData = backup;
    } else remove.push(backup);
  }
  return keptForData ? { keep, remove, keptForData } : { keep, remove };
}
