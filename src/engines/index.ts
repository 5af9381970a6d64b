import type { DatabaseLocation } from '../config/database-url.js';
import type { Engine } from './engine.js';
import { SqliteEngine } from './sqlite.js';

export function createEngine(location: DatabaseLocation): Engine {
  switch (location.engine) {
    case 'sqlite':
      return new SqliteEngine(location);
    case 'postgres':
      throw new Error('PostgreSQL support is not built yet.');
  }
}
