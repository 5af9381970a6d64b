import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';

export type SqliteDatabase = BetterSqlite3.Database;
type SqliteConstructor = typeof BetterSqlite3;

let driver: SqliteConstructor | undefined;

/**
 * better-sqlite3, loaded on first use. Its loader finds its prebuilt binary
 * through `__dirname`, which an ESM bundle lacks: define it first (the bundle
 * keeps the binaries in dist/prebuilds/, beside this code).
 */
export async function loadSqlite(): Promise<SqliteConstructor> {
  if (driver) return driver;
  const scope = globalThis as { __dirname?: string };
  scope.__dirname ??= path.dirname(fileURLToPath(import.meta.url));
  const loaded = (await import('better-sqlite3')) as unknown as { default: SqliteConstructor };
  driver = loaded.default;
  return driver;
}
