import path from 'node:path';
import { UserError } from '../domain/errors.js';
import type { SanitizeConfig, SanitizeTarget } from '../commands/command-config.js';
import { targetSettings } from './storage-config.js';
import { bool, text, type Settings } from './values.js';

/** An HMAC key shorter than this is guessable: refused. */
export const MIN_SALT_LENGTH = 16;

/**
 * `sanitize` and its companions. The salt is read (and registered as a
 * secret) by `readSalt`; a sanitized copy without one is refused.
 */
export function sanitizeConfig(
  settings: Settings,
  cwd: string,
  backupDir: string,
  readSalt: () => string | undefined,
): SanitizeConfig | undefined {
  const rules = text(settings, 'sanitize');
  const salt = readSalt();
  if (rules === undefined) {
    for (const companion of ['sanitize-storage', 'sanitize-strict'] as const) {
      if (companion === 'sanitize-strict' ? bool(settings, companion) : text(settings, companion))
        throw new UserError(`${companion} needs sanitize (the rules file).`);
    }
    return undefined;
  }
  if (salt === undefined) {
    throw new UserError(
      'sanitize needs a salt: set SANITIZE_SALT (action input sanitize-salt, from a secret) or --sanitize-salt-file, at least 16 characters (openssl rand -base64 32). Nothing was backed up.',
    );
  }
  if ([...salt].length < MIN_SALT_LENGTH) {
    throw new UserError(
      `The sanitize salt is shorter than ${MIN_SALT_LENGTH} characters: use a long random one (openssl rand -base64 32). Nothing was backed up.`,
    );
  }
  return {
    rulesFile: path.resolve(cwd, rules),
    salt,
    strict: bool(settings, 'sanitize-strict'),
    storage: parseSanitizeTargets(
      text(settings, 'sanitize-storage') ?? '',
      settings,
      cwd,
      backupDir,
    ),
  };
}

const FORMS =
  'local, local:DIR, artifact, artifact:PREFIX, s3://BUCKET/PREFIX, gcs://BUCKET/PREFIX, azure://CONTAINER/PREFIX';

/** `local:./dev,s3://dev-snapshots/app` → targets whose settings point at those places. */
export function parseSanitizeTargets(
  value: string,
  settings: Settings,
  cwd: string,
  backupDir: string,
): SanitizeTarget[] {
  const targets: SanitizeTarget[] = [];
  for (const spec of value
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    const local = /^local(?::(.+))?$/.exec(spec);
    const artifact = /^artifact(?::(.*))?$/.exec(spec);
    const bucket = /^(s3|gcs|azure)(?::\/\/([^/]+)(?:\/(.*))?)?$/.exec(spec);
    if (local) {
      const dir = local[1] ? path.resolve(cwd, local[1]) : backupDir;
      targets.push({ id: 'local', spec, settings: targetSettings(settings, dir) });
    } else if (artifact) {
      const overrides = artifact[1] !== undefined ? { 'artifact-prefix': artifact[1] } : {};
      targets.push({
        id: 'artifact',
        spec,
        settings: targetSettings({ ...settings, ...overrides }, backupDir),
      });
    } else if (bucket) {
      const id = bucket[1] as 's3' | 'gcs' | 'azure';
      const [bucketOption, prefixOption] =
        id === 'azure' ? ['azure-container', 'azure-prefix'] : [`${id}-bucket`, `${id}-prefix`];
      const overrides = bucket[2]
        ? { [bucketOption]: bucket[2], [prefixOption]: bucket[3] ?? '' }
        : {};
      targets.push({
        id,
        spec,
        settings: targetSettings({ ...settings, ...overrides }, backupDir),
      });
    } else {
      throw new UserError(`sanitize-storage: "${spec}" is not a target: use ${FORMS}.`);
    }
  }
  return targets;
}
