import { UserError } from '../domain/errors.js';
import type { Manifest } from '../domain/manifest.js';
import { digestFile } from '../pipeline/digest.js';

/** A backup's file at hand, with the manifest that lies beside it (if any). */
export interface BackupFile {
  readonly name: string;
  readonly file: string;
  readonly manifest: Manifest | undefined;
}

export type ChecksumStatus = 'ok' | 'mismatch' | 'no-manifest';

export async function checksumStatus(backup: BackupFile): Promise<ChecksumStatus> {
  if (!backup.manifest) return 'no-manifest';
  const actual = await digestFile(backup.file);
  return actual.sha256 === backup.manifest.file.sha256 && actual.size === backup.manifest.file.size
    ? 'ok'
    : 'mismatch';
}

/** The stored file must be exactly what its manifest describes. */
export async function assertChecksum(backup: BackupFile): Promise<void> {
  if ((await checksumStatus(backup)) === 'mismatch') {
    throw new UserError(
      `${backup.name} does not match the sha256 and size in its manifest: the file is damaged or was changed. Nothing was changed; use another backup.`,
    );
  }
}
