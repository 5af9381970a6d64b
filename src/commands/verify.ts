import path from 'node:path';
import { removeQuietly, temporaryDirectory } from '../fs/files.js';
import type { VerifyConfig } from './command-config.js';
import {
  describeDatabase,
  type EngineKind,
  type PostgresLocation,
} from '../domain/database-location.js';
import { engineSettings } from './engine-settings.js';
import type { Engine } from '../engines/engine.js';
import { createEngine, createScratchDatabase } from '../engines/index.js';
import {
  CannotCreateDatabases,
  CredentialsDoNotFit,
  IntegrityError,
  isWorded,
  SCRATCH_ROLE_CANNOT_CREATE,
  UserError,
} from '../domain/errors.js';
import { compareTables, type TableComparison } from '../verification/compare-tables.js';
import { redact } from '../domain/secrets.js';
import { warnAboutShortPassphrase } from '../pipeline/passphrase-rules.js';
import { inSection } from '../domain/logger.js';
import type { RunContext } from './context.js';
import {
  checksumStatus,
  findBackup,
  latestName,
  openBackup,
  type ChecksumStatus,
  type LocatedBackup,
} from './locate-backup.js';
import { createStorage } from '../storage/factory.js';
import { isLocalPlace } from '../storage/storage.js';
import { recordVerification } from './record-verification.js';
import { ownDatabase } from '../catalog/identity.js';
import { onInterruptCleanup } from '../process/interruptions.js';

export interface VerifyResult {
  readonly command: 'verify';
  readonly name: string;
  readonly level: 'quick' | 'full';
  readonly verified: boolean;
  readonly checksum: ChecksumStatus;
  readonly contentSize: number;
  readonly tables: readonly TableComparison[];
  readonly checks: readonly SqlCheck[];
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
  readonly durationMs: number;
  /** The record this verification left beside the backup (see verification-record.ts), if any. */
  readonly record?: string;
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
    const dir = await temporaryDirectory('verify');
    return {
      engine: await createEngine(
        { engine: 'sqlite', path: path.join(dir, 'restored.db') },
        engineSettings(context),
      ),
      dispose: () => removeQuietly(dir),
    };
  }
  const server = scratchServer(config);
  // pg_restore --jobs cannot run in one transaction: as restore --jobs does, the engine fills a
  // new database and renames it to the scratch name, which therefore must not exist yet.
  const parallel = config.postgres.jobs > 1;
  // A signal stops the test restore where it is (its own handler); the copy it made goes after,
  // from the moment the scratch database has its name.
  let stopCleanup = (): void => undefined;
  const scratch = await createScratchDatabase(server, 'verify', !parallel, (named) => {
    const database = named.location.database;
    stopCleanup = onInterruptCleanup(
      async () =>
        (await named.drop()) ? `The temporary database ${database} was dropped.` : undefined,
      `The temporary database ${database} could not be dropped in time: drop it on the scratch server (DROP DATABASE "${database.replace(/"/g, '""')}").`,
    );
  });
  context.log.info(
    parallel
      ? `The restore creates the temporary database ${scratch.location.database} on ${describeDatabase(server)} (--jobs ${config.postgres.jobs})`
      : `Created the temporary database ${scratch.location.database} on ${describeDatabase(server)}`,
  );
  return {
    engine: await createEngine(
      scratch.location,
      engineSettings(context, {
        ...config.postgres,
        leaveOutMissingRoles: true,
        createDatabase: parallel,
      }),
    ),
    dispose: async () => {
      stopCleanup();
      if (await scratch.drop())
        context.log.info(`Dropped the temporary database ${scratch.location.database}`);
    },
  };
}

/** The outcome of one of the user's own checks (`verify-sql`). */
export interface SqlCheck {
  readonly sql: string;
  readonly passed: boolean;
  /** What the query returned, or the error it raised. */
  readonly result: string;
}

/** A query's first value counts as true when it is true, 't', 'true' or a non-zero number. */
export function isTruthy(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value) !== 0;
  if (typeof value === 'string')
    return (
      ['t', 'true', '1', 'yes', 'on'].includes(value.trim().toLowerCase()) ||
      /^[1-9]\d*$/.test(value.trim())
    );
  return false;
}

async function runSqlChecks(engine: Engine, queries: readonly string[]): Promise<SqlCheck[]> {
  const checks: SqlCheck[] = [];
  for (const sql of queries) {
    try {
      const value = await engine.evaluate(sql);
      checks.push({ sql, passed: isTruthy(value), result: String(value) });
    } catch (error) {
      checks.push({ sql, passed: false, result: `error: ${redact((error as Error).message)}` });
    }
  }
  return checks;
}

/**
 * Proves a backup restores: its checksum, that it decodes to its end, and
 * (full level) a real restore into a scratch place compared with the
 * manifest, plus the user's own queries. Problems are collected, not thrown:
 * the result says what failed.
 */
export async function runVerify(config: VerifyConfig, context: RunContext): Promise<VerifyResult> {
  const started = Date.now();
  warnAboutShortPassphrase(config.decryption.passphrase, context.log);
  const expected = config.database?.engine ?? config.verifyDatabase?.engine;
  // Said before any download: a full check of a PostgreSQL backup needs somewhere to restore.
  if (expected) assertScratchServer(expected, config);
  const scope = {
    own: config.database ? await ownDatabase(config.database, config.name) : undefined,
    engine: expected,
    now: context.now?.() ?? new Date(),
  };
  // A remote `latest` is named first, so that a download that arrives damaged is recorded against it.
  const place = await createStorage(config.from, config.targets);
  const reference =
    config.backup === 'latest' && !isLocalPlace(place)
      ? await latestName(place, scope)
      : config.backup;
  let handle;
  try {
    handle = await inSection(context.log, `Fetch ${reference} from ${config.from}`, () =>
      findBackup(reference, config.from, config.targets, context.cwd, scope, context.progress),
    );
  } catch (error) {
    if (!(error instanceof IntegrityError)) throw error;
    const failed = failedBeforeReading(config, reference, error.message, started);
    return withRecord(failed, undefined, config, context);
  }
  try {
    const result = await verifyBackup(handle.backup, config, context, started);
    return await withRecord(result, handle.backup, config, context);
  } finally {
    await handle.release();
  }
}

/** Leaves the verification's record at the target; a record that cannot be written is a warning, not a failed verification. */
async function withRecord(
  result: VerifyResult,
  backup: LocatedBackup | undefined,
  config: VerifyConfig,
  context: RunContext,
): Promise<VerifyResult> {
  const recorded = await inSection(context.log, 'Record the verification', () =>
    recordVerification(result, backup, config, context),
  );
  if (recorded.warning) return { ...result, warnings: [...result.warnings, recorded.warning] };
  return recorded.record ? { ...result, record: recorded.record } : result;
}

/** A backup that did not arrive as its manifest describes is a failed verification, not a usage error. */
function failedBeforeReading(
  config: VerifyConfig,
  name: string,
  problem: string,
  started: number,
): VerifyResult {
  return {
    command: 'verify',
    name,
    level: config.quick ? 'quick' : 'full',
    verified: false,
    checksum: 'mismatch',
    contentSize: 0,
    tables: [],
    checks: [],
    problems: [problem],
    warnings: [],
    durationMs: Date.now() - started,
  };
}

function assertScratchServer(kind: EngineKind, config: VerifyConfig): void {
  if (!config.quick && kind === 'postgres') scratchServer(config);
}

function scratchServer(config: VerifyConfig): PostgresLocation {
  const server = config.verifyDatabase;
  if (server?.engine === 'postgres') return server;
  throw new UserError(
    'Verifying a PostgreSQL backup needs a scratch PostgreSQL server to restore into: set VERIFY_DATABASE_URL or --verify-database-url (the input verify-database-url in the action), for example postgres://postgres:postgres@localhost:5432/postgres or a service container; or check only the checksum and readability with --quick (input quick).',
  );
}

async function verifyBackup(
  backup: LocatedBackup,
  config: VerifyConfig,
  context: RunContext,
  started: number,
): Promise<VerifyResult> {
  const level = config.quick ? 'quick' : 'full';
  const problems: string[] = [];
  const warnings: string[] = [];
  let contentSize = 0;
  let tables: TableComparison[] = [];
  let checks: SqlCheck[] = [];
  const engineKind =
    backup.engine ?? config.database?.engine ?? config.verifyDatabase?.engine ?? 'sqlite';
  if (engineKind === 'sqlite' && config.postgres.jobs > 1) {
    throw new UserError(
      `jobs applies to PostgreSQL backups only, and ${backup.name} is a SQLite backup: remove it. Nothing was changed.`,
    );
  }
  // Set once the file is known to be the one its manifest describes.
  let asWritten = false;
  const attempt = async (step: () => Promise<void>): Promise<boolean> => {
    try {
      await step();
      return true;
    } catch (error) {
      if (!isWorded(error)) throw error;
      // A wrong passphrase or key says nothing about a file that is as it was written: refused, not recorded as failed.
      if (error instanceof CredentialsDoNotFit && asWritten) throw error;
      // Nor does a scratch server whose role may not make the test restore's database.
      if (error instanceof CannotCreateDatabases) {
        throw new CannotCreateDatabases(SCRATCH_ROLE_CANNOT_CREATE);
      }
      problems.push(error.message);
      return false;
    }
  };
  const { checksum, readable, source } = await inSection(
    context.log,
    `Check ${backup.name}: checksum, decryption and decompression`,
    async () => {
      const checksum = await checksumStatus(backup);
      asWritten = checksum === 'ok';
      if (checksum === 'mismatch')
        problems.push('the file does not match the sha256 and size in its manifest');
      if (checksum === 'no-manifest') {
        warnings.push('no manifest: row counts cannot be compared, only integrity is checked');
      }
      assertScratchServer(engineKind, config);
      const source = await openBackup(
        backup,
        config.decryption,
        checksum === 'ok',
        context.log,
        context.progress,
      );
      const readable =
        problems.length === 0 &&
        (await attempt(async () => {
          contentSize = await source.check();
        }));
      return { checksum, readable, source };
    },
  );
  if (readable && level === 'full') {
    await inSection(context.log, `Test restore into a scratch ${engineKind} database`, async () => {
      context.log.info(`Restoring ${backup.name} into a scratch ${engineKind} database`);
      const scratch = await scratchFor(engineKind, config, context);
      try {
        await attempt(async () => {
          const restored = await scratch.engine.restore(source);
          warnings.push(...(restored.notes ?? []));
          tables = compareTables(backup.manifest?.tables, restored.info.tables);
          for (const table of tables)
            if (table.status !== 'ok') problems.push(`table ${table.name}: ${table.status}`);
          checks = await runSqlChecks(scratch.engine, config.verifySql);
          for (const check of checks)
            if (!check.passed) problems.push(`check failed: ${check.sql} → ${check.result}`);
        });
      } finally {
        await scratch.dispose().catch((error: unknown) => {
          warnings.push(
            `the scratch database could not be removed: ${redact((error as Error).message)}`,
          );
        });
      }
    });
  }
  return {
    command: 'verify',
    name: backup.name,
    level,
    verified: problems.length === 0,
    checksum,
    contentSize,
    tables,
    checks,
    problems,
    warnings,
    durationMs: Date.now() - started,
  };
}
