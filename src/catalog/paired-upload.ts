import path from 'node:path';
import fs from 'node:fs/promises';
import { Readable, pipeline } from 'node:stream';
import { manifestNameOf } from '../domain/backup-name.js';
import { JobFailure } from '../domain/errors.js';
import { bytesMoved } from '../process/memory-guard.js';
import { DigestStream, type FileDigest } from '../pipeline/digest.js';
import { ProgressCounter } from '../pipeline/progress-counter.js';
import { NO_PROGRESS, type Progress } from '../domain/progress.js';
import type { Storage, StoredReceipt } from '../storage/storage.js';
import { parseManifest, type Manifest } from '../domain/manifest.js';

/** A backup and its manifest as files, ready to go to a place together. */
export interface PairedFiles {
  readonly name: string;
  readonly file: string;
  readonly manifestFile: string;
  readonly manifest: Manifest;
}

/**
 * The backup or its manifest was removed before this upload could open it
 * (a concurrent run's window, a person): nothing of it was sent.
 */
export class BackupFilesGone extends JobFailure {
  constructor(backup: PairedFiles, gone: 'backup' | 'manifest') {
    const what = gone === 'backup' ? backup.name : `the manifest of ${backup.name}`;
    super(`${what} was removed from ${path.dirname(backup.file)} before it could be stored`);
  }
}

/**
 * The backup's files are not what this run wrote (its size and sha256 as
 * the manifest records them): something replaced or changed them after.
 */
export class BackupFilesChanged extends JobFailure {
  constructor(backup: PairedFiles, what: string, where: string) {
    super(
      `${backup.name} in ${path.dirname(backup.file)} changed after it was written (${what}): nothing of it was stored at ${where}.`,
    );
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
 * sent and {@link BackupFilesGone} says so. What is sent must be what the run
 * wrote (the size and sha256 in its manifest): a file replaced or changed
 * since is sent nowhere, or removed from the target before its manifest goes
 * there ({@link BackupFilesChanged}).
 */
export async function uploadBackup(
  storage: Storage,
  backup: PairedFiles,
  progress: Progress = NO_PROGRESS,
): Promise<StoredReceipt> {
  const opened = await openPair(storage, backup);
  try {
    return await uploadOpened(storage, backup, opened, progress);
  } finally {
    await opened.body.close();
  }
}

async function openPair(
  storage: Storage,
  backup: PairedFiles,
): Promise<{ body: fs.FileHandle; manifestBytes: Buffer }> {
  let body: fs.FileHandle | undefined;
  try {
    body = await fs.open(backup.file, 'r');
    const manifestBytes = await fs.readFile(backup.manifestFile).catch((error: unknown) => {
      throw gone(error) ? new BackupFilesGone(backup, 'manifest') : error;
    });
    const { size } = await body.stat();
    const expected = backup.manifest.file;
    if (size !== expected.size)
      throw new BackupFilesChanged(
        backup,
        `${size} bytes, its manifest says ${expected.size}`,
        storage.location,
      );
    if (!describesSameFile(manifestBytes, backup))
      throw new BackupFilesChanged(backup, `its manifest no longer describes it`, storage.location);
    return { body, manifestBytes };
  } catch (error) {
    await body?.close();
    throw gone(error) ? new BackupFilesGone(backup, 'backup') : error;
  }
}

function gone(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** The manifest file as read still records the file this run wrote. */
function describesSameFile(bytes: Buffer, backup: PairedFiles): boolean {
  const { manifest } = backup;
  try {
    const { file } = parseManifest(bytes.toString('utf8'), manifestNameOf(backup.name));
    return file.size === manifest.file.size && file.sha256 === manifest.file.sha256;
  } catch {
    return false;
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
  /** What the last body read to its end held: what the target was given. */
  let read: FileDigest | undefined;
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
        return readFromStart(
          opened.body,
          (bytes) => {
            sent += bytes;
            bytesMoved(bytes);
          },
          (whole) => (read = whole),
        );
      },
      size,
    });
  } finally {
    task.end();
  }
  if (read?.size !== size || read.sha256 !== backup.manifest.file.sha256) {
    // Stored without its manifest, it is nobody's: no peer counts or removes it meanwhile.
    await storage.delete(backup.name);
    const what = read
      ? `${read.size} bytes with sha256 ${read.sha256} were read, its manifest says ${size} bytes with sha256 ${backup.manifest.file.sha256}`
      : 'the upload did not read it to its end';
    throw new BackupFilesChanged(backup, what, storage.location);
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

/**
 * The opened file from its first byte, counted and hashed on its way; a read
 * error still reaches whoever reads.
 */
function readFromStart(
  handle: fs.FileHandle,
  count: (bytes: number) => void,
  atEnd: (whole: FileDigest) => void,
): Readable {
  const digest = new DigestStream();
  digest.once('finish', () => atEnd(digest.digest()));
  const counter = new ProgressCounter({ advance: count, end: () => undefined });
  return pipeline(positionalReader(handle), digest, counter, () => undefined);
}

/** Bytes read from the opened file at a time. */
const CHUNK = 256 * 1024;

/**
 * The file read at explicit positions from byte 0: each stream has its own
 * position, and neither its end nor its destruction closes the handle (its
 * opener does; a FileHandle's own read stream closes it when destroyed), so a
 * backend can give up on one stream and open another (a retry), even
 * alongside the first.
 */
function positionalReader(handle: fs.FileHandle): Readable {
  let position = 0;
  return new Readable({
    highWaterMark: CHUNK,
    read(this: Readable) {
      const buffer = Buffer.allocUnsafe(CHUNK);
      handle.read(buffer, 0, CHUNK, position).then(
        ({ bytesRead }) => {
          if (this.destroyed) return;
          position += bytesRead;
          this.push(bytesRead === 0 ? null : buffer.subarray(0, bytesRead));
        },
        (error: unknown) => this.destroy(error as Error),
      );
    },
  });
}
