import type { TargetId, TargetSettings } from './targets.js';
import { LocalStorage } from './local.js';
import { PrefixedStorage } from './prefixed.js';
import type { Storage } from './storage.js';

/**
 * The backend for a target id; its settings are checked here, when it is used.
 * Each cloud backend (and its SDK, tens of megabytes of code) is imported only
 * when a run uses it: `--help` or a local backup never loads them.
 */
export async function createStorage(id: TargetId, settings: TargetSettings): Promise<Storage> {
  switch (id) {
    case 'local':
      return new LocalStorage(settings.backupDir);
    case 's3': {
      const options = settings.s3();
      const { S3Storage } = await import('./s3.js');
      return new S3Storage(options);
    }
    case 'gcs': {
      const options = settings.gcs();
      const { GcsStorage } = await import('./gcs.js');
      return new GcsStorage(options);
    }
    case 'azure': {
      const options = settings.azure();
      const { AzureBlobStorage } = await import('./azure.js');
      return new AzureBlobStorage(options);
    }
    case 'artifact': {
      const { prefix, ...options } = settings.artifact();
      const { ArtifactStorage } = await import('./artifact.js');
      const storage = new ArtifactStorage(options);
      return prefix ? new PrefixedStorage(storage, prefix) : storage;
    }
  }
}
