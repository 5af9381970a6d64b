import fs from 'node:fs/promises';
import path from 'node:path';
import type { BackupName } from '../domain/backup-name.js';
import {
  confirmationName,
  type DatabaseLocation,
  type EngineKind,
} from '../domain/database-location.js';
import type { DatabaseIdentity, Manifest } from '../domain/manifest.js';

export type { DatabaseIdentity } from '../domain/manifest.js';

/**
 * The database a command works on, as the catalog tells backups apart: its
 * identity, and the description old manifests (written before identities)
 * carry, which is only ever a hint.
 */
export interface OwnDatabase {
  readonly identity: DatabaseIdentity;
  /** What a manifest without identity says: the SQLite file's name or the PostgreSQL database's name. */
  readonly legacyName: string;
  /**
   * Only backups of exactly this identity (a `prune` over every database,
   * one identity at a time); old manifests never match.
   */
  readonly exact?: boolean;
}

/**
 * How a backup relates to a database:
 * - `ours`: its manifest's identity is this database's;
 * - `old-match`: its manifest predates identities and names the same engine
 *   and database name (counted by this database's window, never `latest`);
 * - `other`: another database's (by manifest or by the name in its file name);
 * - `unknown`: no readable manifest: nobody's window counts or removes it.
 */
export type Ownership = 'ours' | 'old-match' | 'other' | 'unknown';

/** The identity of a database: its real path for SQLite, host:port/database for PostgreSQL. */
export async function identityOf(
  location: DatabaseLocation,
  name?: string,
): Promise<DatabaseIdentity> {
  const database =
    location.engine === 'sqlite'
      ? await realPath(location.path)
      : `${location.host.includes(':') ? `[${location.host.toLowerCase()}]` : location.host.toLowerCase()}:${location.port}/${location.database}`;
  return { engine: location.engine, database, ...(name !== undefined ? { name } : {}) };
}

export async function ownDatabase(location: DatabaseLocation, name?: string): Promise<OwnDatabase> {
  return { identity: await identityOf(location, name), legacyName: confirmationName(location) };
}

/** A file that does not exist yet (a restore's target) resolves through its directory. */
async function realPath(file: string): Promise<string> {
  try {
    return await fs.realpath(file);
  } catch {
    try {
      return path.join(await fs.realpath(path.dirname(file)), path.basename(file));
    } catch {
      return path.resolve(file);
    }
  }
}

/**
 * Two identities are one database when their engines agree and either both
 * carry a user-given name and the names are equal (a name survives a moved
 * file or a renamed host), or otherwise their addresses are equal. Two
 * different names on one address are two databases (two partial backups of
 * one server, for example).
 */
export function sameDatabase(a: DatabaseIdentity, b: DatabaseIdentity): boolean {
  if (a.engine !== b.engine) return false;
  if (a.name !== undefined && b.name !== undefined) return a.name === b.name;
  return a.database === b.database;
}

/** Whose a backup is, from its name and its manifest (undefined: none, or unreadable). */
export function ownershipOf(
  backup: BackupName,
  manifest: Manifest | undefined,
  own: OwnDatabase,
): Ownership {
  if (backup.engine !== own.identity.engine) return 'other';
  // The name in the file name is as good as the manifest's.
  if (
    backup.label !== undefined &&
    own.identity.name !== undefined &&
    backup.label !== own.identity.name
  )
    return 'other';
  if (!manifest) return 'unknown';
  if (manifest.engine !== own.identity.engine) return 'other';
  if (manifest.identity) {
    const match = own.exact
      ? identityKey(manifest.identity) === identityKey(own.identity)
      : sameDatabase(manifest.identity, own.identity);
    return match ? 'ours' : 'other';
  }
  if (own.exact) return 'other';
  return manifest.database.name === own.legacyName ? 'old-match' : 'other';
}

/** One string per identity, to group backups by exactly their identity. */
export function identityKey(identity: DatabaseIdentity): string {
  return JSON.stringify([identity.engine, identity.name ?? null, identity.database]);
}

const ENGINE_LABEL: Record<EngineKind, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/** For people: `"app" (PostgreSQL db:5432/app)`, `SQLite /srv/app.db`. */
export function describeIdentity(identity: DatabaseIdentity): string {
  const address = `${ENGINE_LABEL[identity.engine]} ${identity.database}`;
  return identity.name !== undefined ? `"${identity.name}" (${address})` : address;
}

/** A manifest's database for people, with or without an identity. */
export function describeBackupDatabase(manifest: Manifest): string {
  return manifest.identity
    ? describeIdentity(manifest.identity)
    : `${ENGINE_LABEL[manifest.engine]} ${manifest.database.name}`;
}
