import type { BackupKind } from '../domain/backup-name.js';
import { withCatalog } from '../catalog/catalog.js';
import type { OwnDatabase } from '../catalog/identity.js';
import type { CalendarRules } from '../retention/calendar-retention.js';
import { withPlaceLock } from '../catalog/lock.js';
import { applyDatabaseRetention, type RetentionOutcome } from '../catalog/retention.js';
import type { Storage } from '../storage/storage.js';
import type { Logger } from '../domain/logger.js';

export type { KeptBackup, RetentionOutcome } from '../catalog/retention.js';

/**
 * Applies one database's rolling window at one storage target; the catalog
 * decides which backups are that database's and what may go.
 */
export async function applyRetention(
  storage: Storage,
  policy: {
    own: OwnDatabase;
    maxBackups: number | undefined;
    keep?: CalendarRules;
    protect?: readonly string[];
    dryRun?: boolean;
    known?: ReadonlyMap<string, boolean>;
    kind?: Exclude<BackupKind, 'before-restore'>;
  },
  log: Logger,
): Promise<RetentionOutcome> {
  const { own, ...rest } = policy;
  // Under the place's lock: two windows at once never plan from a listing the other is changing.
  return withPlaceLock(storage, () =>
    withCatalog(storage, (catalog) => applyDatabaseRetention(catalog, own, rest, log)),
  );
}
