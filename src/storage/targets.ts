import type { ArtifactOptions } from './artifact.js';
import type { AzureOptions } from './azure.js';
import type { GcsOptions } from './gcs.js';
import type { S3Options } from './s3.js';

export const TARGET_IDS = ['local', 'artifact', 's3', 'gcs', 'azure'] as const;
export type TargetId = (typeof TARGET_IDS)[number];

/**
 * Every target's settings, checked when the target is used: a run that only
 * uses `local` does not need a bucket.
 */
export interface TargetSettings {
  readonly backupDir: string;
  s3(): S3Options;
  gcs(): GcsOptions;
  azure(): AzureOptions;
  artifact(): ArtifactOptions & { readonly prefix: string };
}
