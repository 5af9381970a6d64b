import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../domain/errors.js';
import { inWalMode } from './sqlite-wal-hint.js';

/**
 * Reading a WAL-mode database that no connection has open makes SQLite create
 * its `-wal` and `-shm` beside it, with the database's mode but owned by the
 * reading user. Read by a backup user that does not own the database, they
 * stay so after the backup: the application, the owner, then opens them
 * read-only and every write fails ("attempt to write a readonly database")
 * until they are gone. Root is spared: SQLite gives them the database's owner.
 */
const SIDE_FILES = ['-wal', '-shm'] as const;

interface Reader {
  readonly uid: number;
  readonly groups: readonly number[];
}

function reader(): Reader | undefined {
  const uid = process.getuid?.();
  if (uid === undefined || uid === 0) return undefined;
  const groups = new Set([process.getegid?.() ?? -1, ...(process.getgroups?.() ?? [])]);
  return { uid, groups: [...groups] };
}

/**
 * Whether side files this user makes can be handed to the database's group:
 * this user is in that group, and the directory is that group's to write in
 * (so the group may already replace the database; write access to the side
 * files gives it nothing more).
 */
function groupTakesOver(database: Stats, dir: Stats, user: Reader): boolean {
  return user.groups.includes(database.gid) && dir.gid === database.gid && (dir.mode & 0o020) !== 0;
}

/**
 * Refuses, before the database is opened, to read it when SQLite would make
 * side files its owner then cannot write and this user cannot hand over: a
 * WAL-mode database with no `-shm` (nothing has it open), read by a user that
 * neither owns it nor shares a group-writable directory with it.
 */
export async function assertSideFilesHandOver(file: string): Promise<void> {
  const user = reader();
  if (!user) return;
  const database = await fs.stat(file).catch(() => undefined);
  // Root, the owner, writes whatever the side files' modes say.
  if (!database || database.uid === user.uid || database.uid === 0 || !inWalMode(file)) return;
  if (await exists(`${file}-shm`)) return;
  const dir = await fs.stat(path.dirname(file));
  if (groupTakesOver(database, dir, user)) return;
  const name = path.basename(file);
  throw new UserError(
    `Cannot back up ${name} as this user (uid ${user.uid}) now: it is in WAL mode and nothing has it open, so SQLite would create ${name}-wal and ${name}-shm owned by this user, and its owner (uid ${database.uid}) could no longer write to it. Run the backup as the owner of ${name}, or add this user to the database's group (gid ${database.gid}) and make ${path.dirname(file)} writable by that group. Nothing was changed.`,
  );
}

/**
 * After a read: side files this user made (or an earlier run left) go to the
 * database's group with write access, so its owner can write again. Files of
 * anyone else are left as they are.
 */
export async function handOverSideFiles(file: string): Promise<void> {
  const user = reader();
  if (!user) return;
  const database = await fs.stat(file).catch(() => undefined);
  if (!database || database.uid === user.uid || database.uid === 0) return;
  const dir = await fs.stat(path.dirname(file));
  if (!groupTakesOver(database, dir, user)) return;
  for (const suffix of SIDE_FILES) {
    const side = `${file}${suffix}`;
    const stat = await fs.lstat(side).catch(() => undefined);
    if (!stat?.isFile() || stat.uid !== user.uid) continue;
    await fs.chown(side, user.uid, database.gid);
    await fs.chmod(side, (stat.mode & 0o707) | 0o060);
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.lstat(file).then(
    () => true,
    () => false,
  );
}
