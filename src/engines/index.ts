import type { Logger } from '../domain/logger.js';
import type { DatabaseLocation } from '../domain/database-location.js';
import type { Engine } from './engine.js';
import type { ClientInstaller } from './postgres/client-tools.js';
import type { PostgresLocation } from '../domain/database-location.js';
import {
  DEFAULT_POSTGRES_OPTIONS,
  type PostgresDumpOptions,
  type PostgresRestoreOptions,
} from './postgres/options.js';
import { SqliteEngine } from './sqlite.js';

export type { Engine } from './engine.js';
export type { ClientInstaller } from './postgres/client-tools.js';
export { githubRunnerInstaller } from './postgres/install-client.js';
export type { PostgresDumpOptions, PostgresRestoreOptions } from './postgres/options.js';
export type { DatabaseChoice } from './postgres/server-databases.js';
import type { DatabaseChoice } from './postgres/server-databases.js';

export interface EngineSettings {
  readonly log: Logger;
  readonly postgres?: Partial<PostgresDumpOptions & PostgresRestoreOptions>;
  /** Installs a missing PostgreSQL client (the action, on GitHub-hosted runners). */
  readonly installer?: ClientInstaller;
}

/**
 * The engine for a database. The PostgreSQL engine (and the `pg` client under
 * it) is imported only when a PostgreSQL database is used.
 */
export async function createEngine(
  location: DatabaseLocation,
  settings: EngineSettings,
): Promise<Engine> {
  switch (location.engine) {
    case 'sqlite':
      return new SqliteEngine(location, settings.log);
    case 'postgres': {
      const { PostgresEngine } = await import('./postgres/postgres-engine.js');
      return new PostgresEngine(location, {
        ...DEFAULT_POSTGRES_OPTIONS,
        ...settings.postgres,
        installer: settings.installer,
        log: settings.log,
      });
    }
  }
}

/**
 * A new, empty PostgreSQL database on `server` for a test restore, and how to
 * drop it, which says whether it was there (with `create: false` only its
 * name: the restore creates it); `named` hears of it before it is created.
 * The PostgreSQL client loads only when one is made.
 */
export async function createScratchDatabase(
  server: PostgresLocation,
  purpose: string,
  create = true,
  named?: (scratch: { location: PostgresLocation; drop(): Promise<boolean> }) => void,
): Promise<{ location: PostgresLocation; drop(): Promise<boolean> }> {
  const { createScratchDatabase: scratch } = await import('./postgres/databases.js');
  return scratch(server, purpose, create, named);
}

/**
 * The databases of the PostgreSQL server `location` points at that a run over
 * several takes (`all`, or these names), and those it leaves out with why.
 * The PostgreSQL client loads only when asked.
 */
export async function chooseServerDatabases(
  location: PostgresLocation,
  wanted: 'all' | readonly string[],
): Promise<DatabaseChoice> {
  const { chooseDatabases, listServerDatabases } = await import('./postgres/server-databases.js');
  return chooseDatabases(await listServerDatabases(location), wanted, location);
}
