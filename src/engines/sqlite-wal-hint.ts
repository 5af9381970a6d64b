import { accessSync, closeSync, constants, existsSync, openSync, readSync } from 'node:fs';
import path from 'node:path';

/** Bytes 18 and 19 of a SQLite header are 2 in WAL mode (1 for a rollback journal). */
export function inWalMode(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const versions = Buffer.alloc(2);
    return readSync(fd, versions, 0, 2, 18) === 2 && versions[0] === 2 && versions[1] === 2;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function writable(target: string): boolean {
  try {
    accessSync(target, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Even a read-only connection to a WAL database needs the `-shm` file beside
 * it, and SQLite creates it when it is missing: a backup user who may read the
 * database but not write its directory gets "attempt to write a readonly
 * database". Says what to change, or nothing when that is not the cause.
 */
export function walDirectoryHint(file: string): string | undefined {
  if (!inWalMode(file)) return undefined;
  const name = path.basename(file);
  const dir = path.dirname(file);
  const who = typeof process.getuid === 'function' ? ` (uid ${process.getuid()})` : '';
  if (!existsSync(`${file}-shm`) && !writable(dir)) {
    return `${name} is a WAL-mode database and SQLite must create ${name}-shm beside it to read it, but this user${who} cannot write ${dir}: run the backup as the user that owns the database, or give this user write access to that directory (a group with write permission works). Nothing was changed.`;
  }
  return undefined;
}
