import { statSync } from 'node:fs';
import path from 'node:path';
import fs from 'node:fs/promises';
import { manifestNameOf } from '../domain/backup-name.js';
import { IntegrityError, UserError } from '../domain/errors.js';
import { parseManifest, type Manifest } from '../domain/manifest.js';
import { digestFile } from '../pipeline/digest.js';
import { removeQuietly } from '../fs/files.js';
import { NO_PROGRESS, type Progress } from '../domain/progress.js';
import type { Storage } from '../storage/storage.js';

export interface FetchedBackup {
  /** The downloaded backup, `dir/name`. */
  readonly file: string;
  /** The downloaded manifest, `dir/name.json`, when the target has one. */
  readonly manifestFile: string | undefined;
  readonly manifest: Manifest | undefined;
}

/**
 * Downloads a backup and its manifest (when the target has one) into `dir`,
 * and checks the file's size and sha256 against the manifest, whatever the
 * backend checked on its own. On a mismatch nothing downloaded is left.
 */
export async function fetchVerified(
  storage: Storage,
  name: string,
  dir: string,
  progress: Progress = NO_PROGRESS,
): Promise<FetchedBackup> {
  const manifestName = manifestNameOf(name);
  const objects = await storage.list();
  const names = new Set(objects.map((object) => object.name));
  if (!names.has(name)) {
    throw new UserError(
      `${name} is not at ${storage.location}: run \`db-backup list\` to see the backups there.`,
    );
  }
  const file = path.join(dir, name);
  const size = objects.find((object) => object.name === name)?.size;
  // Backends write the file as it arrives: its size on disk is the progress.
  const download = async (): Promise<void> => {
    const task = progress.start(`downloading ${name} from ${storage.location}`, {
      total: size,
      poll: () => statSync(file).size,
    });
    try {
      await storage.get(name, file);
    } finally {
      task.end();
    }
  };
  if (!names.has(manifestName)) {
    await download();
    return { file, manifestFile: undefined, manifest: undefined };
  }
  // The manifest first: a bad one fails before a large download starts.
  const manifestFile = path.join(dir, manifestName);
  await storage.get(manifestName, manifestFile);
  let manifest: Manifest;
  try {
    manifest = parseManifest(await fs.readFile(manifestFile, 'utf8'), manifestFile);
    await download();
  } catch (error) {
    await removeQuietly(manifestFile);
    throw error;
  }
  await checkAgainstManifest(file, manifestFile, manifest, storage.location);
  return { file, manifestFile, manifest };
}

async function checkAgainstManifest(
  file: string,
  manifestFile: string,
  manifest: Manifest,
  location: string,
): Promise<void> {
  const actual = await digestFile(file);
  if (actual.size === manifest.file.size && actual.sha256 === manifest.file.sha256) return;
  await removeQuietly(file);
  await removeQuietly(manifestFile);
  throw new IntegrityError(
    `${path.basename(file)} from ${location} does not match its manifest: the download or the stored object is damaged ` +
      `(${actual.size} bytes, sha256 ${actual.sha256}; expected ${manifest.file.size} bytes, sha256 ${manifest.file.sha256}). ` +
      'Try again; if it persists, restore an older backup.',
  );
}
