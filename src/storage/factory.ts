import type { TargetId, TargetSettings } from '../config/storage-config.js';
import { ArtifactStorage } from './artifact.js';
import { AzureBlobStorage } from './azure.js';
import { GcsStorage } from './gcs.js';
import { LocalStorage } from './local.js';
import { PrefixedStorage } from './prefixed.js';
import { S3Storage } from './s3.js';
import type { Storage } from './storage.js';

/** The backend for a target id; its settings are checked here, when it is used. */
export function createStorage(id: TargetId, settings: TargetSettings): Storage {
  switch (id) {
    case 'local':
      return new LocalStorage(settings.backupDir);
    case 's3':
      return new S3Storage(settings.s3());
    case 'gcs':
      return new GcsStorage(settings.gcs());
    case 'azure':
      return new AzureBlobStorage(settings.azure());
    case 'artifact': {
      const { prefix, ...options } = settings.artifact();
      const storage = new ArtifactStorage(options);
      return prefix ? new PrefixedStorage(storage, prefix) : storage;
    }
  }
}
