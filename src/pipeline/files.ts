import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;
/** Temporary files start with this, so nothing mistakes them for backups. */
export const TEMP_PREFIX = '.db-backup-tmp-';

/** Creates the directory (and missing parents) with mode 0700. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true, mode: DIR_MODE });
  } catch (error) {
    throw new UserError(`Cannot create the backup directory ${dir}: ${(error as Error).message}`);
  }
  const stat = await fs.stat(dir);
  if (!stat.isDirectory()) throw new UserError(`${dir} exists and is not a directory.`);
}

export function tempPathIn(dir: string, hint = ''): string {
  return path.join(dir, `${TEMP_PREFIX}${hint}${randomBytes(6).toString('hex')}`);
}

export async function fsyncFile(file: string): Promise<void> {
  const handle = await fs.open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a rename or link in `dir` durable. Some file systems refuse fsync on directories. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Not supported here (some network and Windows file systems): the rename stands anyway.
  } finally {
    await handle?.close();
  }
}

export async function removeQuietly(file: string): Promise<void> {
  await fs.rm(file, { force: true }).catch(() => undefined);
}

export async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/**
 * Gives a finished temporary file its final name without ever replacing an
 * existing file: a hard link fails when the name is taken, and the next name
 * from `nameFor(sequence)` is tried. Returns the name used.
 */
export async function publishWithoutOverwrite(
  tempPath: string,
  dir: string,
  nameFor: (sequence: number) => string,
): Promise<string> {
  for (let sequence = 0; sequence < 1000; sequence += 1) {
    const name = nameFor(sequence);
    const target = path.join(dir, name);
    try {
      await linkOrExclusiveCopy(tempPath, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    await fs.unlink(tempPath);
    await fsyncDir(dir);
    return name;
  }
  throw new Error(`No free backup name in ${dir} after 1000 attempts.`);
}

async function linkOrExclusiveCopy(from: string, to: string): Promise<void> {
  try {
    await fs.link(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EXDEV')
      throw error;
    // File systems without hard links: an exclusive copy also fails on an existing name.
    await fs.copyFile(from, to, constants.COPYFILE_EXCL);
    await fsyncFile(to);
  }
}

/** Writes a small text file (a manifest) under a final name that must not exist yet. */
export async function writeNewTextFile(dir: string, name: string, text: string): Promise<string> {
  const temp = tempPathIn(dir);
  try {
    await fs.writeFile(temp, text, { mode: FILE_MODE, flag: 'wx' });
    await fsyncFile(temp);
    const published = await publishWithoutOverwrite(temp, dir, (sequence) => {
      if (sequence > 0)
        throw new UserError(`${path.join(dir, name)} already exists; it was left as it is.`);
      return name;
    });
    return path.join(dir, published);
  } finally {
    await removeQuietly(temp);
  }
}
