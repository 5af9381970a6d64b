import { UserError } from '../domain/errors.js';

/**
 * A bucket prefix as the user may write it (`/backups//app/`, `backups/app`,
 * ``) reduced to its canonical form: segments joined by single slashes, no
 * leading or trailing slash; '' for the bucket's top level.
 */
export function normalizePrefix(prefix: string): string {
  const segments = prefix.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment === '.' || segment === '..')) {
    throw new UserError(`The prefix "${prefix}" may not contain "." or ".." segments.`);
  }
  return segments.join('/');
}

/** The full object key of a backup `name` under a normalized prefix. */
export function keyOf(prefix: string, name: string): string {
  assertPlainName(name);
  return prefix === '' ? name : `${prefix}/${name}`;
}

/** What to pass as the listing prefix so that only `prefix`'s own children match (not `prefix-old/`). */
export function listingPrefix(prefix: string): string {
  return prefix === '' ? '' : `${prefix}/`;
}

/**
 * The backup name of a listed key, or undefined for anything that is not a
 * direct child of the prefix (a nested key, or a `folder/` placeholder).
 */
export function nameOfKey(prefix: string, key: string): string | undefined {
  const start = listingPrefix(prefix);
  if (!key.startsWith(start)) return undefined;
  const name = key.slice(start.length);
  return name === '' || name.includes('/') ? undefined : name;
}

/** Names are plain file names; a slash would reach outside the prefix. */
function assertPlainName(name: string): void {
  if (name === '' || name.includes('/') || name === '.' || name === '..') {
    throw new Error(`Not a plain object name: "${name}"`);
  }
}
