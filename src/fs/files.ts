import { randomBytes } from 'node:crypto';
import { constants, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../domain/errors.js';
import { trackTemp, untrackTemp } from './live-temps.js';

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;
/** Temporary files start with this, so nothing mistakes them for backups. */
export const TEMP_PREFIX = '.db-backup-tmp-';

/** Which setting names a directory, for the words of a refusal. */
export interface DirectoryRole {
  /** "The backup directory …" */
  readonly what: string;
  /** "… choose another backup-dir" */
  readonly option: string;
}

const BACKUP_DIR: DirectoryRole = { what: 'backup directory', option: 'backup-dir' };

/** Creates the directory (and missing parents) with mode 0700. */
export async function ensurePrivateDir(dir: string, role = BACKUP_DIR): Promise<void> {
  const { what, option } = role;
  const notADirectory = new UserError(
    `The ${what} ${dir} is a file, not a directory: choose another ${option}.`,
  );
  try {
    await fs.mkdir(dir, { recursive: true, mode: DIR_MODE });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw notADirectory;
    // mkdir -p makes every missing directory, so ENOENT means a symbolic link that leads nowhere;
    // ENOTDIR, a file or such a link on the way (which of them, only the path itself tells).
    const blocked = code === 'ENOTDIR' ? await whatBlocks(dir) : code;
    if (blocked === 'ENOTDIR') {
      throw new UserError(
        `The ${what} ${dir} cannot be made: a directory in its path is a file. Choose another ${option}.`,
      );
    }
    if (blocked === 'ENOENT' || blocked === 'ELOOP') {
      throw new UserError(
        `The ${what} ${dir} cannot be made: a symbolic link in its path leads ${blocked === 'ELOOP' ? 'round in a loop' : 'nowhere'}. Fix the link, or choose another ${option}.`,
      );
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new UserError(
        `Cannot create the ${what} ${dir}: permission denied; choose another ${option} or fix its permissions.`,
      );
    }
    throw new UserError(`Cannot create the ${what} ${dir}: ${(error as Error).message}`);
  }
  const stat = await fs.stat(dir);
  if (!stat.isDirectory()) throw notADirectory;
  await fs.access(dir, constants.W_OK).catch(() => {
    throw new UserError(
      `Cannot write to ${dir}: permission denied; choose another ${option} or fix its permissions.`,
    );
  });
}

/** Of the entries on the way to `dir`, the first that is no directory: a file, or a link that leads nowhere or round. */
async function whatBlocks(dir: string): Promise<'ENOTDIR' | 'ENOENT' | 'ELOOP'> {
  const parts = path.resolve(dir).split(path.sep).filter(Boolean);
  for (let depth = 1; depth <= parts.length; depth += 1) {
    const entry = path.join(path.sep, ...parts.slice(0, depth));
    const link = await fs.lstat(entry).catch(() => undefined);
    if (!link) break;
    if (link.isDirectory()) continue;
    if (!link.isSymbolicLink()) return 'ENOTDIR';
    const code = await fs.stat(entry).then(
      (target) => (target.isDirectory() ? undefined : 'ENOTDIR'),
      (error: NodeJS.ErrnoException) => (error.code === 'ELOOP' ? 'ELOOP' : 'ENOENT'),
    );
    if (code) return code;
  }
  return 'ENOTDIR';
}

export function tempPathIn(dir: string, hint = ''): string {
  const temp = path.join(dir, `${TEMP_PREFIX}${hint}${randomBytes(6).toString('hex')}`);
  trackTemp(temp);
  return temp;
}

const STALE_TEMP_MS = 24 * 60 * 60 * 1000;

/**
 * Temporary files a killed run (SIGKILL, power loss) left in `dir` a day or more
 * ago, removed; one this user may not remove is left where it is.
 */
export async function removeStaleTemps(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const entry of entries) {
    if (!entry.startsWith(TEMP_PREFIX)) continue;
    const file = path.join(dir, entry);
    const stat = await fs.stat(file).catch(() => undefined);
    if (!stat?.isFile() || Date.now() - stat.mtimeMs <= STALE_TEMP_MS) continue;
    try {
      // unlink, not rm: rm takes a refusal (EPERM) for a directory and answers ENOTDIR.
      await fs.unlink(file);
      removed.push(entry);
    } catch (error) {
      // Gone meanwhile, or another user's in a sticky directory (as /tmp): theirs to remove.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'EPERM' && code !== 'EACCES') throw error;
    }
  }
  return removed;
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
  await fs.rm(file, { force: true, recursive: true }).catch(() => undefined);
  untrackTemp(file);
}

/** Temporary directories of this tool start with this, under the system's temporary directory. */
export const TEMP_DIR_PREFIX = 'db-backup-';
/** Inside each: who made it, so that a later run can tell a killed run's leftovers from a live one's. */
const OWNER_MARKER = '.db-backup-owner.json';

interface OwnerMarker {
  readonly tool: 'db-backup';
  readonly pid: number;
  readonly host: string;
  /** Linux: the kernel's boot id (a reboot ends every run). */
  readonly boot?: string;
  /** Linux: when the process started, in clock ticks since boot (tells a reused pid apart). */
  readonly started?: string;
  /** Linux: the PID namespace the pid belongs to (containers sharing a temporary directory). */
  readonly pidNamespace?: string;
  readonly createdAt: string;
}

function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function pidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat (after the command name, which may hold spaces and parentheses). */
function processStartTime(pid: number | 'self'): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * A private (0700) temporary directory under the system's temporary
 * directory (TMPDIR), never in the backup directory: it may hold whole,
 * unencrypted copies of the database, and a synced or uploaded backup
 * directory must never see them. Removed by `removeQuietly` or on
 * SIGINT/SIGTERM; after a SIGKILL, by the next run (see
 * `removeStaleTemporaryDirectories`).
 */
export async function temporaryDirectory(purpose: string): Promise<string> {
  let dir: string;
  try {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), `${TEMP_DIR_PREFIX}${purpose}-`));
  } catch (error) {
    throw new UserError(
      `Cannot create a private directory in the temporary directory ${os.tmpdir()} (${(error as NodeJS.ErrnoException).code ?? 'error'}): set TMPDIR to a writable directory.`,
    );
  }
  trackTemp(dir);
  await fs.chmod(dir, DIR_MODE);
  const boot = bootId();
  const started = processStartTime('self');
  const namespace = pidNamespace();
  const marker: OwnerMarker = {
    tool: 'db-backup',
    pid: process.pid,
    host: os.hostname(),
    ...(boot ? { boot } : {}),
    ...(started ? { started } : {}),
    ...(namespace ? { pidNamespace: namespace } : {}),
    createdAt: new Date().toISOString(),
  };
  try {
    await fs.writeFile(path.join(dir, OWNER_MARKER), JSON.stringify(marker), {
      mode: FILE_MODE,
      flag: 'wx',
    });
  } catch (error) {
    // Unmarked, no later run would know it for ours.
    await removeQuietly(dir);
    throw new UserError(
      `Cannot write in the temporary directory ${os.tmpdir()} (${(error as NodeJS.ErrnoException).code ?? 'error'}): set TMPDIR to a writable directory on a disk with room.`,
    );
  }
  return dir;
}

function isAlive(pid: number, started: string | undefined): boolean {
  // A pid taken over by another process (or seen from another PID namespace) is not the run.
  const now = started === undefined ? undefined : processStartTime(pid);
  if (now !== undefined) return now === started;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes `dir` when it holds nothing, or nothing but an empty owner marker;
 * anything else in it, and it stays as it is. rmdir takes only an empty one.
 */
async function removeUnmarked(dir: string): Promise<boolean> {
  const entries = await fs.readdir(dir).catch(() => undefined);
  if (entries === undefined || entries.some((entry) => entry !== OWNER_MARKER)) return false;
  const marker = path.join(dir, OWNER_MARKER);
  if (entries.length > 0) {
    const stat = await fs.lstat(marker).catch(() => undefined);
    if (!stat?.isFile() || stat.size > 0) return false;
    await fs.unlink(marker).catch(() => undefined);
  }
  return fs.rmdir(dir).then(
    () => true,
    () => false,
  );
}

async function readOwnerMarker(dir: string): Promise<OwnerMarker | undefined> {
  try {
    const marker = JSON.parse(
      await fs.readFile(path.join(dir, OWNER_MARKER), 'utf8'),
    ) as Partial<OwnerMarker>;
    if (
      marker.tool !== 'db-backup' ||
      typeof marker.pid !== 'number' ||
      typeof marker.host !== 'string'
    )
      return undefined;
    return marker as OwnerMarker;
  } catch {
    return undefined;
  }
}

/**
 * A directory is a killed run's leftover when this machine made it and its
 * process is gone (or the machine rebooted since); one made on another
 * machine, or in another container, sharing the temporary directory, when
 * it is a day old (its process cannot be seen from here).
 */
function isLeftover(marker: OwnerMarker, now: number): boolean {
  const sameHost = marker.host === os.hostname();
  const boot = bootId();
  if (sameHost && marker.boot !== undefined && boot !== undefined && marker.boot !== boot)
    return true;
  if (sameHost && marker.pidNamespace === pidNamespace()) {
    return marker.pid !== process.pid && !isAlive(marker.pid, marker.started);
  }
  const created = Date.parse(marker.createdAt);
  return Number.isFinite(created) && now - created > STALE_TEMP_MS;
}

/** The real path of `dir`, or of its nearest existing parent with the rest appended (a directory not yet created). */
function realPathSoFar(dir: string): string {
  const absolute = path.resolve(dir);
  try {
    return realpathSync.native(absolute);
  } catch {
    const parent = path.dirname(absolute);
    return parent === absolute
      ? absolute
      : path.join(realPathSoFar(parent), path.basename(absolute));
  }
}

/**
 * The system's temporary directory must not lie inside the backup directory:
 * the unencrypted scratch copies would then sit where backups are synced.
 */
export function assertTemporaryDirectoryOutside(backupDir: string): void {
  // Compared where the links lead: a TMPDIR or backup directory reached through a symbolic link is no way around it.
  const relative = path.relative(realPathSoFar(backupDir), realPathSoFar(os.tmpdir()));
  if (relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))) {
    throw new UserError(
      `The temporary directory ${os.tmpdir()} (TMPDIR) lies inside the backup directory ${backupDir}, where unencrypted scratch copies must never be: point TMPDIR elsewhere.`,
    );
  }
}

/**
 * Removes the temporary directories killed runs (SIGKILL, power loss) left
 * under the system's temporary directory: only directories of ours (name,
 * owner marker, our user) whose run is over, and, a day old, ours that were
 * never marked and hold nothing but an empty marker at most. Returns their paths.
 */
export async function removeStaleTemporaryDirectories(): Promise<string[]> {
  const root = os.tmpdir();
  const entries = await fs.readdir(root).catch(() => [] as string[]);
  const removed: string[] = [];
  const now = Date.now();
  for (const entry of entries) {
    if (!entry.startsWith(TEMP_DIR_PREFIX)) continue;
    const dir = path.join(root, entry);
    const stat = await fs.lstat(dir).catch(() => undefined);
    if (!stat?.isDirectory()) continue;
    if (process.getuid && stat.uid !== process.getuid()) continue;
    const marker = await readOwnerMarker(dir);
    if (!marker) {
      // Made and never marked: a run stopped between the two (or while writing the marker).
      // Old enough that no live run can still be about to mark it.
      if (now - stat.mtimeMs > STALE_TEMP_MS && (await removeUnmarked(dir))) removed.push(dir);
      continue;
    }
    if (!isLeftover(marker, now)) continue;
    await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
    removed.push(dir);
  }
  return removed;
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
 * from `nameFor(sequence)` is tried (undefined skips a sequence). Returns the
 * name used. `claimed` hears the final path the moment it is this run's,
 * before any other await: so a signal's sweep can take back a file that is
 * not complete yet (its manifest unwritten), and never one that is not ours.
 */
export async function publishWithoutOverwrite(
  tempPath: string,
  dir: string,
  nameFor: (sequence: number) => string | undefined,
  claimed?: (file: string) => void,
): Promise<string> {
  for (let sequence = 0; sequence < 1000; sequence += 1) {
    const name = nameFor(sequence);
    if (name === undefined) continue;
    const target = path.join(dir, name);
    try {
      await linkOrExclusiveCopy(tempPath, target, claimed);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    await removeQuietly(tempPath);
    await fsyncDir(dir);
    return name;
  }
  throw new Error(`No free backup name in ${dir} after 1000 attempts.`);
}

async function linkOrExclusiveCopy(
  from: string,
  to: string,
  claimed?: (file: string) => void,
): Promise<void> {
  try {
    await fs.link(from, to);
    claimed?.(to);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EXDEV')
      throw error;
  }
  // File systems without hard links: the name is taken first (exclusively, so never from
  // another run), then filled; a copy that fails part way leaves nothing under it.
  await (await fs.open(to, 'wx', FILE_MODE)).close();
  claimed?.(to);
  try {
    await fs.copyFile(from, to);
    await fsyncFile(to);
  } catch (error) {
    await fs.rm(to, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** Publishes under exactly `name`, refusing (and leaving the existing file) when it is taken. */
export async function publishAs(
  tempPath: string,
  dir: string,
  name: string,
  claimed?: (file: string) => void,
): Promise<void> {
  await publishWithoutOverwrite(
    tempPath,
    dir,
    (sequence) => {
      if (sequence > 0)
        throw new UserError(`${path.join(dir, name)} already exists; it was left as it is.`);
      return name;
    },
    claimed,
  );
}

/** Writes a small text file (a manifest) under a final name that must not exist yet. */
export async function writeNewTextFile(
  dir: string,
  name: string,
  text: string,
  claimed?: (file: string) => void,
): Promise<string> {
  const temp = tempPathIn(dir);
  try {
    await fs.writeFile(temp, text, { mode: FILE_MODE, flag: 'wx' });
    await fsyncFile(temp);
    await publishAs(temp, dir, name, claimed);
    return path.join(dir, name);
  } finally {
    await removeQuietly(temp);
  }
}
