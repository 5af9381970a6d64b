import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { manifestNameOf } from '../backup-name.js';
import type { Storage, StoredReceipt } from '../storage/storage.js';
import type { CreatedBackup } from './create-backup.js';

/**
 * Puts a backup and then its manifest at a target, and checks that the target
 * lists the backup at its full size: only then may its rolling window run.
 */
export async function uploadBackup(
  storage: Storage,
  backup: CreatedBackup,
): Promise<StoredReceipt> {
  const receipt = await storage.put(backup.name, {
    open: () => createReadStream(backup.file),
    size: backup.manifest.file.size,
  });
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
