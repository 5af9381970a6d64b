import { compareNewestFirst, parseBackupName, type BackupKind } from '../domain/backup-name.js';
import type { Storage } from '../storage/storage.js';
import { withCatalog } from './catalog.js';
import type { OwnDatabase } from './identity.js';
import { backupsOf } from './retention.js';

/**
 * A backup of the same database and kind at the place, newer than `name`:
 * what a rolling window removes `name` for. A window keeps the newest backup
 * of each database, so when `name` is gone and none is newer, no window
 * removed it (a person or another tool did). Undefined when none is there.
 */
export async function newerBackupOf(
  storage: Storage,
  own: OwnDatabase,
  name: string,
  kind: BackupKind,
): Promise<string | undefined> {
  const mine = parseBackupName(name);
  if (!mine) return undefined;
  return withCatalog(storage, async (catalog) => {
    const { ours } = await backupsOf(catalog, own, kind);
    return ours.find((entry) => compareNewestFirst(entry.backup, mine) < 0)?.backup.name;
  });
}
