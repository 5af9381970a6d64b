import { compareNewestFirst, parseBackupName, type BackupKind } from '../domain/backup-name.js';
import type { Storage } from '../storage/storage.js';
import { withCatalog } from './catalog.js';
import type { OwnDatabase } from './identity.js';
import { backupsOf } from './retention.js';

/** Listings of a place to take at most while peers' windows change it. */
const MAX_LISTINGS = 5;

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
  // A newer backup listed here, then removed by a still newer one's window before its
  // manifest was read, leaves this listing with neither; the next listing has the still
  // newer one. So the place is listed again while its listing changes.
  let previous: string | undefined;
  for (let listing = 0; listing < MAX_LISTINGS; listing += 1) {
    const { newer, names } = await withCatalog(storage, async (catalog) => {
      const { ours } = await backupsOf(catalog, own, kind);
      return {
        newer: ours.find((entry) => compareNewestFirst(entry.backup, mine) < 0)?.backup.name,
        names: catalog
          .entries({ engine: own.identity.engine, kind })
          .map((entry) => entry.backup.name)
          .join('\n'),
      };
    });
    if (newer) return newer;
    if (names === previous) return undefined;
    previous = names;
  }
  return undefined;
}
