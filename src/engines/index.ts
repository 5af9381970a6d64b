import type { Logger } from '../commands/context.js';
import type { DatabaseLocation } from '../domain/database-location.js';
import type { Engine } from './engine.js';
import type { ClientInstaller } from './postgres/client-tools.js';
import {
  DEFAULT_POSTGRES_OPTIONS,
  type PostgresDumpOptions,
  type PostgresRestoreOptions,
} from './postgres/options.js';
import { SqliteEngine } from './sqlite.js';

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
      return new SqliteEngine(location);
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
