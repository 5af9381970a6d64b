import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { JobFailure } from '../domain/errors.js';
import { FILE_MODE } from '../fs/files.js';
import { trackOwnedFile, untrackOwnedFile } from '../fs/live-temps.js';
import { finishedBeforeExit } from '../process/interruptions.js';
import { isLocalPlace, type Storage } from '../storage/storage.js';

/** The lock file in a backup directory. It is not a backup name: no window or listing counts it. */
export const LOCK_NAME = '.db-backup.lock';

/** A lock of another machine (a shared directory) whose holder cannot be asked is stale after this. */
const FOREIGN_STALE_MS = 15 * 60_000;
/** How long a run waits for a lock held by a live peer. */
const WAIT_MS = 10 * 60_000;

interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly time: string;
}

/**
 * Runs `work` while holding the backup directory's lock: a file created with
 * O_EXCL holding the holder's pid, host and time. Peers wait. A lock whose
 * holder is gone (same host, no such process; another host, older than 15
 * minutes; unreadable content) is stale: it is taken over. The lock covers
 * only the short steps that change what the directory holds: giving a backup
 * its name and manifest, and the rolling window.
 */
export async function withDirectoryLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const file = path.join(dir, LOCK_NAME);
  const me: Holder = { pid: process.pid, host: os.hostname(), time: new Date().toISOString() };
  const mine = JSON.stringify(me);
  const deadline = Date.now() + WAIT_MS;
  let pause = 20;
  for (;;) {
    // A signal's sweep takes the lock with the run's temporary files (peers on other hosts would
    // otherwise wait out FOREIGN_STALE_MS), but only while it still holds what this run wrote: a
    // peer that judged this run gone and took the lock over keeps it. Known to the sweep before
    // it is made, and the exit waits for the write: a signal while it is being written finds
    // it whole (not yet holding what this run wrote, it would stay).
    trackOwnedFile(file, mine);
    try {
      await finishedBeforeExit(fs.writeFile(file, mine, { flag: 'wx', mode: FILE_MODE }));
      // Taken after a signal's sweep: let go at once, as the process is on its way out.
      trackOwnedFile(file, mine);
      break;
    } catch (error) {
      untrackOwnedFile(file);
      const code = (error as NodeJS.ErrnoException).code;
      // No directory yet: nothing to protect, nothing to lock. A directory this run cannot
      // write to (a read-only mount for list or a dry run) cannot be changed by it either.
      // A backup directory that is a file: the work's own listing says so in its words.
      if (
        code === 'ENOENT' ||
        code === 'ENOTDIR' ||
        code === 'EACCES' ||
        code === 'EROFS' ||
        code === 'EPERM'
      )
        return work();
      if (code !== 'EEXIST') throw error;
    }
    const holder = await readHolder(file);
    if (holder === 'gone') continue;
    if (holder && isStale(holder)) {
      await breakStaleLock(file, holder);
      continue;
    }
    if (Date.now() > deadline) {
      const who = holder ? `process ${holder.pid} on ${holder.host} since ${holder.time}` : 'a run';
      throw new JobFailure(
        `${dir} is locked by ${who}: another backup is changing it. If no such run is alive, remove ${file}.`,
      );
    }
    await sleep(pause);
    pause = Math.min(pause * 2, 500);
  }
  try {
    return await work();
  } finally {
    // Known to the sweep until it is gone: a signal while it is being released takes it too.
    await releaseIfMine(file, me);
    untrackOwnedFile(file);
  }
}

/** What the lock's path holds when it is not a file: this tool never makes such a thing there. */
function notAFile(stat: Stats): string | undefined {
  if (stat.isFile()) return undefined;
  if (stat.isDirectory()) return 'a directory';
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isFIFO()) return 'a named pipe';
  return 'not a file';
}

/** The holder; undefined for a lock being written or unreadable; `gone` when it vanished. */
async function readHolder(file: string): Promise<Holder | undefined | 'gone'> {
  // Never read through what is not a plain file: a named pipe would block, a link lead elsewhere.
  const found = await fs.lstat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!found) return 'gone';
  const what = notAFile(found);
  if (what) {
    throw new JobFailure(
      `${file} is ${what}, not this tool's lock file: remove it (rm ${what === 'a directory' ? '-r ' : ''}${file}) and run again. Nothing was changed in ${path.dirname(file)}.`,
    );
  }
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'gone';
    if (code === 'EACCES' || code === 'EPERM') {
      throw new JobFailure(
        `${file} cannot be read by this user (permission denied): a run of another user holds ${path.dirname(file)}, or the file's mode was changed. Run every backup into it as one user; remove the file once no run is alive. Nothing was changed in ${path.dirname(file)}.`,
      );
    }
    throw error;
  }
  try {
    const data = JSON.parse(text) as Partial<Holder>;
    if (
      typeof data.pid === 'number' &&
      typeof data.host === 'string' &&
      typeof data.time === 'string'
    )
      return { pid: data.pid, host: data.host, time: data.time };
  } catch {
    // Half-written by a peer this instant, or damaged: judged by the file's age below.
  }
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat) return 'gone';
  return { pid: -1, host: '', time: stat.mtime.toISOString() };
}

function isStale(holder: Holder): boolean {
  const age = Date.now() - Date.parse(holder.time);
  if (holder.host === os.hostname() && holder.pid > 0) return !isAlive(holder.pid);
  // Unreadable content gets a few seconds to be completed by its writer.
  if (holder.pid === -1) return age > 5_000;
  return age > FOREIGN_STALE_MS;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes a stale lock only if it is still the stale one: renamed aside first
 * (atomic), checked, then removed, so that two runs breaking the same stale
 * lock cannot remove a fresh lock one of them just took.
 */
async function breakStaleLock(file: string, holder: Holder): Promise<void> {
  const aside = `${file}.stale-${process.pid}-${Date.now()}`;
  try {
    await fs.rename(file, aside);
  } catch {
    return;
  }
  const moved = await readHolder(aside);
  if (
    moved !== 'gone' &&
    moved !== undefined &&
    (moved.pid !== holder.pid || moved.host !== holder.host || moved.time !== holder.time)
  ) {
    // A fresh lock was renamed by mistake: put it back unless a new one is there.
    await fs.link(aside, file).catch(() => undefined);
  }
  await fs.rm(aside, { force: true });
}

async function releaseIfMine(file: string, me: Holder): Promise<void> {
  const holder = await readHolder(file).catch(() => undefined);
  if (
    holder !== 'gone' &&
    holder !== undefined &&
    holder.pid === me.pid &&
    holder.host === me.host &&
    holder.time === me.time
  )
    await fs.rm(file, { force: true });
}

/** Runs `work` under the place's lock: the directory's for a local place; object storage has none (see README: Catalog). */
export async function withPlaceLock<T>(storage: Storage, work: () => Promise<T>): Promise<T> {
  return isLocalPlace(storage) ? withDirectoryLock(storage.localDirectory, work) : work();
}
