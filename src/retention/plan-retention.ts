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
  /** The window's kind: regular backups (default) or sanitized copies, never both together. */
  readonly kind?: Exclude<BackupKind, 'before-restore'>;
}

export interface RetentionPlan {
  /** Our backups of this engine, newest first. */
  readonly keep: readonly BackupName[];
  /** Oldest beyond the window, newest first. */
  readonly remove: readonly BackupName[];
}

/**
 * The rolling window. Only names this tool writes for regular backups of the
 * given engine are candidates: foreign files, manifests, other engines and
 * before-restore safety copies are never removed. The newest is always kept.
 */
export function planRetention(names: readonly string[], policy: RetentionPolicy): RetentionPlan {
  const candidates = names
    .map(parseBackupName)
    .filter((parsed): parsed is BackupName => parsed !== undefined)
    .filter(
      (parsed) => parsed.kind === (policy.kind ?? 'backup') && parsed.engine === policy.engine,
    )
    .sort(compareNewestFirst);
  const unique = candidates.filter(
    (item, index) => candidates.findIndex((other) => other.name === item.name) === index,
  );
  if (policy.maxBackups <= 0) return { keep: unique, remove: [] };
  const protect = new Set(policy.protect ?? []);
  const keep: BackupName[] = [];
  const remove: BackupName[] = [];
  for (const [index, backup] of unique.entries()) {
    if (index < policy.maxBackups || protect.has(backup.name)) keep.push(backup);
    else remove.push(backup);
  }
  return { keep, remove };
}
