import type { PostgresLocation } from '../../domain/database-location.js';
import { UserError } from '../../domain/errors.js';
import { endpoint, withClient } from './server.js';

/** A database of the server as pg_database and the user's privileges describe it. */
export interface ServerDatabase {
  readonly name: string;
  readonly isTemplate: boolean;
  readonly allowsConnections: boolean;
  /** The connecting user holds CONNECT on it. */
  readonly canConnect: boolean;
}

/** Every database of the server the location points at, by name. */
export async function listServerDatabases(location: PostgresLocation): Promise<ServerDatabase[]> {
  return withClient(location, location.database, async (client) => {
    const result = await client.query<{
      datname: string;
      datistemplate: boolean;
      datallowconn: boolean;
      can_connect: boolean;
    }>(
      `SELECT datname, datistemplate, datallowconn, has_database_privilege(oid, 'CONNECT') AS can_connect
         FROM pg_catalog.pg_database ORDER BY datname`,
    );
    return result.rows.map((row) => ({
      name: row.datname,
      isTemplate: row.datistemplate,
      allowsConnections: row.datallowconn,
      canConnect: row.can_connect,
    }));
  });
}

/** Which databases a run takes, and the ones it leaves out that someone should hear of. */
export interface DatabaseChoice {
  readonly chosen: readonly string[];
  readonly skipped: readonly { readonly database: string; readonly reason: string }[];
}

/**
 * `all`: every database that takes connections and is no template; those
 * the user may not CONNECT to are skipped, with the reason. A list: each
 * name must be such a database the user may connect to, or nothing runs.
 */
export function chooseDatabases(
  found: readonly ServerDatabase[],
  wanted: 'all' | readonly string[],
  location: PostgresLocation,
): DatabaseChoice {
  const where = endpoint(location);
  if (wanted === 'all') {
    const open = found.filter((db) => db.allowsConnections && !db.isTemplate);
    return {
      chosen: open.filter((db) => db.canConnect).map((db) => db.name),
      skipped: open
        .filter((db) => !db.canConnect)
        .map((db) => ({
          database: db.name,
          reason: `user "${location.user}" has no CONNECT privilege on it`,
        })),
    };
  }
  const byName = new Map(found.map((db) => [db.name, db]));
  for (const name of wanted) {
    const db = byName.get(name);
    const problem =
      db === undefined
        ? 'does not exist'
        : db.isTemplate
          ? 'is a template'
          : !db.allowsConnections
            ? 'allows no connections'
            : !db.canConnect
              ? `is closed to user "${location.user}" (no CONNECT privilege)`
              : undefined;
    if (problem !== undefined)
      throw new UserError(
        `databases: "${name}" ${problem} on ${where}: name databases that can be backed up (db-backup backup --all-databases takes every one). Nothing was backed up.`,
      );
  }
  return { chosen: [...new Set(wanted)], skipped: [] };
}
