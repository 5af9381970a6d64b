import path from 'node:path';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { Readable, pipeline } from 'node:stream';
import { manifestNameOf } from '../domain/backup-name.js';
import { JobFailure } from '../domain/errors.js';
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
    const manifestBytes = await fs.readFile(backup.manifestFile);
    const { size } = await body.stat();
    const expected = backup.manifest.file;
    if (size !== expected.size)
      throw new BackupFilesChanged(
        backup,
        `${size} bytes, its manifest says ${expected.size}`,
        storage.location,
      );
    if (!describesSameFile(manifestBytes, backup.manifest))
      throw new BackupFilesChanged(backup, `its manifest no longer describes it`, storage.location);
    return { body, manifestBytes };
  } catch (error) {
    await body?.close();
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BackupFilesGone(backup);
    throw error;
  }
}

/** The manifest file as read still records the file this run wrote. */
function describesSameFile(bytes: Buffer, manifest: Manifest): boolean {
  try {
    const file = (JSON.parse(bytes.toString('utf8')) as Partial<Manifest>).file;
    return file?.size === manifest.file.size && file.sha256 === manifest.file.sha256;
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
  let read: { bytes: number; sha256: string } | undefined;
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
        const body = readFromStart(opened.body, (whole) => (read = whole));
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
  if (read?.bytes !== size || read.sha256 !== backup.manifest.file.sha256) {
    // Stored without its manifest, it is nobody's: no peer counts or removes it meanwhile.
    await storage.delete(backup.name);
    const what = read
      ? `${read.bytes} bytes with sha256 ${read.sha256} were read, its manifest says ${size} bytes with sha256 ${backup.manifest.file.sha256}`
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

/** Bytes read from the opened file at a time. */
const CHUNK = 256 * 1024;

/**
 * The opened file from its first byte, read at explicit positions, hashed on
 * the way: each stream has its own position, and neither its end nor its
 * destruction closes the handle (its opener does), so a backend can give up
 * on one stream and open another (a retry), even alongside the first.
 */
function readFromStart(
  handle: fs.FileHandle,
  atEnd: (whole: { bytes: number; sha256: string }) => void,
): Readable {
  let position = 0;
  const hash = createHash('sha256');
  return new Readable({
    highWaterMark: CHUNK,
    read(this: Readable) {
      const buffer = Buffer.allocUnsafe(CHUNK);
      handle.read(buffer, 0, CHUNK, position).then(
        ({ bytesRead }) => {
          if (this.destroyed) return;
          if (bytesRead === 0) {
            atEnd({ bytes: position, sha256: hash.digest('hex') });
            this.push(null);
            return;
          }
          const chunk = buffer.subarray(0, bytesRead);
          position += bytesRead;
          hash.update(chunk);
          this.push(chunk);
        },
        (error: unknown) => this.destroy(error as Error),
      );
    },
  });
}

/** The file's bytes, counted on their way; a read error still reaches whoever reads. */
function counted(source: Readable, count: (bytes: number) => void): Readable {
  const counter = new ProgressCounter({ advance: count, end: () => undefined });
  return pipeline(source, counter, () => undefined);
}
