import { lstatSync, readFileSync, rmSync } from 'node:fs';

/**
 * Temporary files and directories of this run, removed even when the process
 * is interrupted. Apart from the rest of the toolkit so that the signal
 * handlers, set up before anything else, load nothing more than `node:fs`.
 */
const liveTemps = new Set<string>();

/** Set by the first sweep: every path of the run is then swept, and the process is on its way out. */
let swept = false;

/**
 * A path of this run that must not outlive it unless let go. Tracked after a
 * signal's sweep (the run's work goes on while the process stops), it is
 * removed at once: a backup's manifest written then must not stand without
 * the backup the sweep removed.
 */
export function trackTemp(temp: string): void {
  liveTemps.add(temp);
  if (swept) removeSync(temp);
}

export function untrackTemp(temp: string): void {
  liveTemps.delete(temp);
}

/** Files of this run that a peer may take over (a lock): swept only while they still hold what this run wrote. */
const ownedFiles = new Map<string, string>();

/**
 * A file this run wrote with `content`, removed by a signal's sweep only if
 * it is still a file holding exactly that: a lock a peer took over since (its
 * holder judged gone) is the peer's, and stays.
 */
export function trackOwnedFile(file: string, content: string): void {
  ownedFiles.set(file, content);
  if (swept) removeIfOwned(file, content);
}

export function untrackOwnedFile(file: string): void {
  ownedFiles.delete(file);
}

function removeIfOwned(file: string, content: string): void {
  try {
    if (lstatSync(file).isFile() && readFileSync(file, 'utf8') === content) rmSync(file);
  } catch {
    // Gone already, or not readable: not ours to remove.
  }
}

/**
 * On SIGINT/SIGTERM (a cron timeout, a cancelled CI job): temporary files
 * hold whole, possibly unencrypted copies of the database; none may stay.
 * The paths stay known: an open already on its way when the signal came can
 * create its file after this ran, and the sweep before the process exits
 * removes that one too.
 */
export function removeLiveTempsSync(): void {
  swept = true;
  for (const temp of liveTemps) removeSync(temp);
  for (const [file, content] of ownedFiles) removeIfOwned(file, content);
}

function removeSync(temp: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm'])
    rmSync(`${temp}${suffix}`, { force: true, recursive: true });
}
