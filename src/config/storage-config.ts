import { TARGET_IDS, type TargetId, type TargetSettings } from '../storage/targets.js';
import { UserError } from '../domain/errors.js';
import { bool, integer, text, type Settings } from './values.js';

function needed(settings: Settings, name: string, target: TargetId): string {
  const value = text(settings, name);
  if (value === undefined)
    throw new UserError(`The ${target} target needs ${name} (--${name} or the input ${name}).`);
  return value;
}

export function parseTargetId(text: string, option: string): TargetId {
  const id = text.trim().toLowerCase();
  const found = TARGET_IDS.find((target) => target === id);
  if (!found)
    throw new UserError(
      `${option}: unknown storage target "${text}": use ${TARGET_IDS.join(', ')}.`,
    );
  return found;
}

/** `local,artifact,s3` → the distinct targets, in order. */
export function parseTargetList(text: string, option: string): TargetId[] {
  const ids = text
    .split(/[,\s]+/)
    .filter(Boolean)
    .map((item) => parseTargetId(item, option));
  if (ids.length === 0)
    throw new UserError(`${option} names no storage target: use ${TARGET_IDS.join(', ')}.`);
  return [...new Set(ids)];
}

export function targetSettings(settings: Settings, backupDir: string): TargetSettings {
  return {
    backupDir,
    s3: () => {
      const sse = text(settings, 's3-server-side-encryption');
      if (sse !== undefined && sse !== 'AES256' && sse !== 'aws:kms') {
        throw new UserError(`s3-server-side-encryption must be AES256 or aws:kms (got "${sse}").`);
      }
      const region = text(settings, 's3-region');
      const endpoint = text(settings, 's3-endpoint');
      const kmsKeyId = text(settings, 's3-kms-key-id');
      const storageClass = text(settings, 's3-storage-class');
      return {
        bucket: needed(settings, 's3-bucket', 's3'),
        prefix: text(settings, 's3-prefix') ?? '',
        forcePathStyle: bool(settings, 's3-force-path-style'),
        ...(region ? { region } : {}),
        ...(endpoint ? { endpoint } : {}),
        ...(sse ? { serverSideEncryption: sse } : {}),
        ...(kmsKeyId ? { kmsKeyId } : {}),
        ...(storageClass ? { storageClass } : {}),
      };
    },
    gcs: () => ({
      bucket: needed(settings, 'gcs-bucket', 'gcs'),
      prefix: text(settings, 'gcs-prefix') ?? '',
    }),
    azure: () => {
      const accountUrl = text(settings, 'azure-account-url');
      const connectionString = text(settings, 'azure-connection-string');
      if (!accountUrl && !connectionString) {
        throw new UserError(
          'The azure target needs azure-account-url (with azure/login) or azure-connection-string.',
        );
      }
      return {
        container: needed(settings, 'azure-container', 'azure'),
        prefix: text(settings, 'azure-prefix') ?? '',
        ...(connectionString ? { connectionString } : { accountUrl: accountUrl ?? '' }),
      };
    },
    artifact: () => {
      const retentionDays =
        text(settings, 'retention-days') === undefined
          ? undefined
          : integer(settings, 'retention-days', 1, 400);
      const repository = needed(settings, 'repository', 'artifact');
      if (!/^[^/\s]+\/[^/\s]+$/.test(repository)) {
        throw new UserError(`repository must be owner/name (got "${repository}").`);
      }
      const token = text(settings, 'github-token');
      if (!token) {
        throw new UserError(
          'The artifact target needs a GitHub token: the input github-token (default: the workflow token) or GITHUB_TOKEN.',
        );
      }
      const prefix = text(settings, 'artifact-prefix') ?? '';
      if (!/^[A-Za-z0-9._-]*$/.test(prefix)) {
        throw new UserError(
          `artifact-prefix may hold letters, digits, dot, dash and underscore only (got "${prefix}").`,
        );
      }
      return {
        prefix,
        token,
        repository,
        apiUrl: text(settings, 'github-api-url') ?? 'https://api.github.com',
        ...(retentionDays !== undefined ? { retentionDays } : {}),
      };
    },
  };
}
