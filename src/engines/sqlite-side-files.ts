import fs from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../domain/errors.js';
import { inWalMode } from './sqlite-wal-hint.js';

/**
 * Reading a WAL-mode database makes SQLite create its `-wal` and `-shm` beside
 * it when they are not there (nothing has the database open), with the
 * database's mode but owned by the reading user. Made by a backup user that is
 * not the database's owner, they stay so after the backup, and the
 * application then opens them read-only: every write fails ("attempt to write
 * a readonly database") until they are gone. Root is spared: SQLite gives
 * them the database's owner.
 *
 * Handing them over afterwards cannot be made safe (a group member can swap a
 * link in, ACLs hide the group's rights, an application that connected
 * meanwhile stays read-only), so such a read is refused instead, before
 * SQLite opens anything.
 */
export async function assertSideFilesStayTheOwners(file: string): Promise<void> {
  const uid = process.getuid?.();
  if (uid === undefined || uid === 0) return;
  // SQLite makes them beside the file a link leads to.
  const real = await fs.realpath(file).catch(() => undefined);
  if (real === undefined) return;
  const database = await fs.stat(real).catch(() => undefined);
  if (!database || database.uid === uid || !inWalMode(real)) return;
  const missing = [];
  for (const suffix of ['-wal', '-shm']) {
    if (!(await fs.lstat(`${real}${suffix}`).catch(() => undefined))) missing.push(suffix);
  }
  if (missing.length === 0) return;
  const name = path.basename(real);
  const made = missing.map((suffix) => `${name}${suffix}`).join(' and ');
  throw new UserError(
    `Cannot read ${name} as this user (uid ${uid}) now: it is in WAL mode and ${made} ${missing.length > 1 ? 'are' : 'is'} not there (nothing has it open), so SQLite would create ${missing.length > 1 ? 'them' : 'it'} owned by this user, and the database's owner (uid ${database.uid}) could no longer write to it. Run the backup as the owner of ${name} (or as root). Nothing was changed.`,
  );
}
