import { rmSync } from 'node:fs';

/**
 * Temporary files and directories of this run, removed even when the process
 * is interrupted. Apart from the rest of the toolkit so that the signal
 * handlers, set up before anything else, load nothing more than `node:fs`.
 */
const liveTemps = new Set<string>();

export function trackTemp(temp: string): void {
  liveTemps.add(temp);
}

export function untrackTemp(temp: string): void {
  liveTemps.delete(temp);
}

/**
 * On SIGINT/SIGTERM (a cron timeout, a cancelled CI job): temporary files
 * hold whole, possibly unencrypted copies of the database; none may stay.
 * The paths stay known: an open already on its way when the signal came can
 * create its file after this ran, and the sweep before the process exits
 * removes that one too.
 */
export function removeLiveTempsSync(): void {
  for (const temp of liveTemps) {
    for (const suffix of ['', '-journal', '-wal', '-shm'])
      rmSync(`${temp}${suffix}`, { force: true, recursive: true });
  }
}
