import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { VerifyConfig } from '../config/config.js';
import { describeDatabase, type EngineKind } from '../config/database-url.js';
import { createScratchDatabase } from '../engines/postgres/databases.js';
import { engineSettings } from './engine-settings.js';
import type { Engine } from '../engines/engine.js';
import { createEngine } from '../engines/index.js';
import { UserError } from '../errors.js';
import { LocalStorage } from '../storage/local.js';
import { compareTables, type TableComparison } from '../verification/compare-tables.js';
import type { RunContext } from './context.js';
import {
  checksumStatus,
  locateBackup,
  restoreSourceFor,
  type ChecksumStatus,
} from './locate-backup.js';

export interface VerifyResult {
  readonly command: 'verify';
  readonly name: string;
  readonly level: 'quick' | 'full';
  readonly verified: boolean;
  readonly checksum: ChecksumStatus;
  readonly contentSize: number;
  readonly tables: readonly TableComparison[];
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
  readonly durationMs: number;
}

interface Scratch {
  readonly engine: Engine;
  dispose(): Promise<void>;
}

/** A place to restore into for the test: never the database in DATABASE_URL. */
async function scratchFor(
  kind: EngineKind,
  config: VerifyConfig,
  context: RunContext,
): Promise<Scratch> {
  if (kind === 'sqlite') {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'db-backup-verify-'));
    return {
      engine: createEngine(
        { engine: 'sqlite', path: path.join(dir, 'restored.db') },
        engineSettings(context),
      ),
      dispose: () => fs.rm(dir, { recursive: true, force: true }),
    };
  }
  const server = config.verifyDatabase;
  if (server?.engine !== 'postgres') {
    throw new UserError(
      'Verifying a PostgreSQL backup needs a scratch PostgreSQL server: give verify-database-url (for example a service container, postgres://postgres:postgres@localhost:5432/postgres).',
    );
  }
  const scratch = await createScratchDatabase(server, 'verify');
  context.log.info(
    `Created the temporary database ${scratch.location.database} on ${describeDatabase(server)}`,
  );
  return {
    engine: createEngine(scratch.location, engineSettings(context)),
    dispose: async () => {
      await scratch.drop();
      context.log.info(`Dropped the temporary database ${scratch.location.database}`);
    },
  };
}

/**
 * Proves a backup restores: its checksum, that it decodes to its end, and
 * (full level) a real restore into a scratch place compared with the manifest.
 */
export async function runVerify(config: VerifyConfig, context: RunContext): Promise<VerifyResult> {
  const started = Date.now();
  const backup = await locateBackup(
    config.backup,
    new LocalStorage(config.backupDir),
    context.cwd,
    config.database?.engine,
  );
  const problems: string[] = [];
  const warnings: string[] = [];
  const checksum = await checksumStatus(backup);
  if (checksum === 'mismatch')
    problems.push('the file does not match the sha256 and size in its manifest');
  if (checksum === 'no-manifest')
    warnings.push('no manifest: row counts cannot be compared, only integrity is checked');
  const source = restoreSourceFor(backup);
  const result = (
    level: 'quick' | 'full',
    contentSize: number,
    tables: TableComparison[],
  ): VerifyResult => ({
    command: 'verify',
    name: backup.name,
    level,
    verified: problems.length === 0,
    checksum,
    contentSize,
    tables,
    problems,
    warnings,
    durationMs: Date.now() - started,
  });
  if (problems.length > 0) return result(config.quick ? 'quick' : 'full', 0, []);
  let contentSize: number;
  try {
    contentSize = await source.check();
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    problems.push(error.message);
    return result(config.quick ? 'quick' : 'full', 0, []);
  }
  if (config.quick) return result('quick', contentSize, []);
  const engineKind = backup.engine ?? config.database?.engine ?? 'sqlite';
  context.log.info(`Restoring ${backup.name} into a scratch ${engineKind} database`);
  const scratch = await scratchFor(engineKind, config, context);
  try {
    const restored = await scratch.engine.restore(source);
    const tables = compareTables(backup.manifest?.tables, restored.info.tables);
    for (const table of tables)
      if (table.status !== 'ok') problems.push(`table ${table.name}: ${table.status}`);
    return result('full', contentSize, tables);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    problems.push(error.message);
    return result('full', contentSize, []);
  } finally {
    await scratch.dispose();
  }
}
