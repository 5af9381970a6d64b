import path from 'node:path';
import fs from 'node:fs/promises';
import { Readable, pipeline } from 'node:stream';
import { manifestNameOf } from '../domain/backup-name.js';
import { bytesMoved } from '../process/memory-guard.js';
import { ProgressCounter } from '../pipeline/progress-counter.js';
import { NO_PROGRESS, type Progress } from '../domain/progress.js';
import type { Storage, StoredReceipt } from '../storage/storage.js';
import type { Manifest } from '../domain/manifest.js';

/** A backup and its manifest as files, ready to go to a place together. */
export interface PairedFiles {
  readonly name: string;
  readonly file: string;
  readonly manifestFile: string;
  readonly manifest: Manifest;
}

/**
 * The backup's files were removed before this upload could open them: in a
 * directory where a rolling window runs, a concurrent run's window did it for
 * a newer backup of the same database.
 */
export class BackupFilesGone extends Error {
  constructor(backup: PairedFiles) {
    super(`${backup.name} was removed from ${path.dirname(backup.file)} before it could be stored`);
  }
}

/**
 * Puts a backup and then its manifest at a target (in that order: until its
 * manifest is there, the backup is nobody's and no window removes it), and checks that the target
 * lists the backup at its full size: only then may its rolling window run.
 *
 * Both files are opened before anything is sent, and sent from what was opened:
 * a peer's window that removes them in the meantime cannot leave a backup
 * without its manifest at the target. When they are already gone, nothing is
 * sent and {@link BackupFilesGone} says so.
 */
export async function uploadBackup(
  storage: Storage,
  backup: PairedFiles,
  progress: Progress = NO_PROGRESS,
): Promise<StoredReceipt> {
  const opened = await openPair(backup);
  try {
    return await uploadOpened(storage, backup, opened, progress);
  } finally {
    await opened.body.close();
  }
}

async function openPair(
  backup: PairedFiles,
): Promise<{ body: fs.FileHandle; manifestBytes: Buffer }> {
  let body: fs.FileHandle | undefined;
  try {
    body = await fs.open(backup.file, 'r');
    return { body, manifestBytes: await fs.readFile(backup.manifestFile) };
  } catch (error) {
    await body?.close();
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BackupFilesGone(backup);
    throw error;
  }
}

async function uploadOpened(
  storage: Storage,
  backup: PairedFiles,
  opened: { body: fs.FileHandle; manifestBytes: Buffer },
  progress: Progress,
): Promise<StoredReceipt> {
  const size = backup.manifest.file.size;
  let sent = 0;
  const task = progress.start(`uploading ${backup.name} to ${storage.location}`, {
    total: size,
    poll: () => sent,
  });
  let receipt: StoredReceipt | void;
  try {
    receipt = await storage.put(backup.name, {
      // A backend may open the body again to retry: the count starts over with it.
      open: () => {
        sent = 0;
        // From the start of the opened file each time; the handle stays open for a retry.
        const body = opened.body.createReadStream({ start: 0, autoClose: false });
        return counted(body, (bytes) => {
          sent += bytes;
          bytesMoved(bytes);
        });
      },
      size,
    });
  } finally {
    task.end();
  }
  await storage.put(manifestNameOf(backup.name), {
    open: () => Readable.from([opened.manifestBytes], { objectMode: false }),
    size: opened.manifestBytes.length,
  });
  const listed = (await storage.list()).find((object) => object.name === backup.name);
  if (!listed)
    throw new Error(`${backup.name} is not listed at ${storage.location} after the upload.`);
  if (listed.size !== backup.manifest.file.size) {
    throw new Error(
      `${backup.name} is ${listed.size} bytes at ${storage.location}, ${backup.manifest.file.size} were sent.`,
    );
  }
  return receipt ?? {};
}

/** The file's bytes, counted on their way; a read error still reaches whoever reads. */
function counted(source: Readable, count: (bytes: number) => void): Readable {
  const counter = new ProgressCounter({ advance: count, end: () => undefined });
  return pipeline(source, counter, () => undefined);
}
