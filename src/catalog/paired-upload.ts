import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { pipeline, type Readable } from 'node:stream';
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
 * Puts a backup and then its manifest at a target (in that order: until its
 * manifest is there, the backup is nobody's and no window removes it), and checks that the target
 * lists the backup at its full size: only then may its rolling window run.
 */
export async function uploadBackup(
  storage: Storage,
  backup: PairedFiles,
  progress: Progress = NO_PROGRESS,
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
        return counted(createReadStream(backup.file), (bytes) => {
          sent += bytes;
          bytesMoved(bytes);
        });
      },
      size,
    });
  } finally {
    task.end();
  }
  const manifestSize = (await fs.stat(backup.manifestFile)).size;
  await storage.put(manifestNameOf(backup.name), {
    open: () => createReadStream(backup.manifestFile),
    size: manifestSize,
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
