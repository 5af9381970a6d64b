import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PostgresLocation } from '../../domain/database-location.js';
import {
  CannotCreateDatabases,
  SCRATCH_ROLE_CANNOT_CREATE,
  UserError,
} from '../../domain/errors.js';
import {
  connect,
  endpoint,
  quoteIdent,
  serverVersion,
  withClient,
  type PgClient,
  type ServerVersion,
} from './server.js';
import { SQLSTATE, sqlstateOf } from './sql-states.js';

/** Databases to connect to for CREATE/DROP DATABASE, in order of preference. */
const MAINTENANCE_DATABASES = ['postgres', 'template1'];

/**
 * Why a maintenance database turns us away where another database may not:
 * it does not exist, pg_hba.conf has no line for it, or CONNECT on it is
 * revoked (as on some managed services).
 */
const NOT_FOR_US: ReadonlySet<string | undefined> = new Set([
  SQLSTATE.invalidCatalogName,
  SQLSTATE.invalidAuthorizationSpecification,
  SQLSTATE.insufficientPrivilege,
]);

/** A connection to the server's maintenance database (never the target itself). */
export async function connectMaintenance(location: PostgresLocation): Promise<PgClient> {
  let lastError: unknown;
  for (const database of MAINTENANCE_DATABASES) {
    if (database === location.database) continue;
    try {
      return await connect(location, database);
    } catch (error) {
      lastError = error;
      if (!NOT_FOR_US.has(sqlstateOf(error))) throw error;
    }
  }
  throw lastError instanceof Error
    ? lastError
    : new UserError(`Cannot connect to a maintenance database on ${endpoint(location)}.`);
}

async function existsOn(client: PgClient, database: string): Promise<boolean> {
  const result = await client.query('SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1', [
    database,
  ]);
  return result.rowCount === 1;
}

export async function databaseExists(
  location: PostgresLocation,
  database = location.database,
): Promise<boolean> {
  try {
    const client = await connectMaintenance(location);
    try {
      return await existsOn(client, database);
    } finally {
      await client.end().catch(() => undefined);
    }
  } catch (error) {
    // No access to a maintenance database (some managed services): try the database itself.
    if (!NOT_FOR_US.has(sqlstateOf(error))) throw error;
    return withClient(location, database, () => Promise.resolve(true)).catch((inner: unknown) => {
      if (sqlstateOf(inner) === SQLSTATE.invalidCatalogName) return false;
      throw inner;
    });
  }
}

/**
 * Whether the location's database exists, and the server's version, asked on
 * one connection to a maintenance database. Where the server gives us none,
 * existence is asked as `databaseExists` asks it, and the version is not known.
 */
export async function existenceAndVersion(
  location: PostgresLocation,
): Promise<{ exists: boolean; version?: ServerVersion }> {
  let client: PgClient;
  try {
    client = await connectMaintenance(location);
  } catch (error) {
    if (!NOT_FOR_US.has(sqlstateOf(error))) throw error;
    return { exists: await databaseExists(location) };
  }
  try {
    return {
      exists: await existsOn(client, location.database),
      version: await serverVersion(client),
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Sessions other than ours connected to `database`. Autovacuum's workers are
 * not counted: DROP DATABASE and ALTER DATABASE … RENAME end them themselves.
 */
async function otherSessions(client: PgClient, database: string): Promise<number> {
  const result = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_catalog.pg_stat_activity
     WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type IS DISTINCT FROM 'autovacuum worker'`,
    [database],
  );
  return Number(result.rows[0]?.n ?? 0);
}

/** What DROP DATABASE itself gives other sessions to leave before it fails. */
const SESSIONS_LEAVING_MS = 5000;

/**
 * Other sessions connected to `database` that are still there after up to 5 s:
 * a session that has just closed stays in pg_stat_activity until its process
 * has exited, and DROP DATABASE waits as long for such sessions.
 */
export async function sessionsThatStay(client: PgClient, database: string): Promise<number> {
  const deadline = Date.now() + SESSIONS_LEAVING_MS;
  let sessions = await otherSessions(client, database);
  while (sessions > 0 && Date.now() < deadline) {
    await sleep(100);
    sessions = await otherSessions(client, database);
  }
  return sessions;
}

export async function terminateSessions(client: PgClient, database: string): Promise<void> {
  await client.query(
    'SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [database],
  );
}

export interface DatabaseShape {
  readonly encoding: string;
  readonly collate: string;
  readonly ctype: string;
  readonly owner: string;
}

export async function databaseShape(
  client: PgClient,
  database: string,
): Promise<DatabaseShape | undefined> {
  const result = await client.query<DatabaseShape>(
    `SELECT pg_catalog.pg_encoding_to_char(d.encoding) AS encoding, d.datcollate AS collate, d.datctype AS ctype,
            pg_catalog.pg_get_userbyid(d.datdba) AS owner
     FROM pg_catalog.pg_database d WHERE d.datname = $1`,
    [database],
  );
  return result.rows[0];
}

/** `ALTER DATABASE … SET` / `ALTER ROLE … IN DATABASE … SET` settings, as "role: name=value" lines. */
export async function databaseSettings(client: PgClient, database: string): Promise<string[]> {
  const result = await client.query<{ role: string | null; setting: string }>(
    `SELECT CASE WHEN s.setrole = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(s.setrole) END AS role, unnest(s.setconfig) AS setting
     FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase
     WHERE d.datname = $1 ORDER BY 1, 2`,
    [database],
  );
  return result.rows.map((row) => (row.role ? `${row.role}: ${row.setting}` : row.setting));
}

/** Whether the connected role may create databases (CREATEDB, or a superuser); undefined when that cannot be read. */
async function mayCreateDatabases(client: PgClient): Promise<boolean | undefined> {
  const result = await client
    .query<{ may: boolean }>(
      'SELECT rolcreatedb OR rolsuper AS may FROM pg_catalog.pg_roles WHERE rolname = current_user',
    )
    .catch(() => undefined);
  return result?.rows[0]?.may;
}

/**
 * Whether `error` from CREATE DATABASE is the role's missing CREATEDB: the
 * same SQLSTATE (42501) also comes for other refusals (template0 that may not
 * be copied), which pass through as they are.
 */
async function lacksCreatedb(client: PgClient, error: unknown): Promise<boolean> {
  if (sqlstateOf(error) !== SQLSTATE.insufficientPrivilege) return false;
  return (await mayCreateDatabases(client)) === false;
}

function restoreCannotCreate(target: string): CannotCreateDatabases {
  return new CannotCreateDatabases(
    `The role in the database URL may not create databases, and this restore makes a new one first (with --create-database, --drop-database, or --jobs above 1): give the role CREATEDB, or restore in place into a database that exists, without those options. Nothing was changed in "${target}".`,
  );
}

/**
 * A restore that makes a new database refuses before any work (the safety
 * backup among it) when the role may not: CREATE DATABASE would refuse later.
 */
export async function assertMayCreateDatabases(client: PgClient, target: string): Promise<void> {
  if ((await mayCreateDatabases(client)) === false) throw restoreCannotCreate(target);
}

/**
 * The owner of `database` when the connected role may not rename or drop it,
 * as the swap must: only the owner, a member that inherits the owner's
 * privileges, or a superuser may (pg_has_role … 'USAGE' is true for all of
 * them, and false for a NOINHERIT member, whom the server refuses too).
 * Undefined when it may, or when that cannot be read.
 */
async function ownerWeMayNotReplace(
  client: PgClient,
  database: string,
): Promise<string | undefined> {
  const result = await client
    .query<{ owner: string; may: boolean }>(
      `SELECT pg_catalog.pg_get_userbyid(datdba) AS owner, pg_catalog.pg_has_role(current_user, datdba, 'USAGE') AS may
       FROM pg_catalog.pg_database WHERE datname = $1`,
      [database],
    )
    .catch(() => undefined);
  const row = result?.rows[0];
  return row && row.may === false ? row.owner : undefined;
}

/**
 * A restore that replaces `target` refuses before any work (the safety
 * backup among it) when the role may not rename it: the swap would fail
 * after the whole restore was done.
 */
export async function assertMayReplaceDatabase(client: PgClient, target: string): Promise<void> {
  const owner = await ownerWeMayNotReplace(client, target);
  if (owner === undefined) return;
  throw new UserError(
    `The role in the database URL does not own "${target}" (its owner is "${owner}"), and --drop-database replaces it by renaming and dropping it, which only the owner, a role that inherits the owner's privileges, or a superuser may do: restore as the database's owner, or in place without --drop-database. Nothing was changed in "${target}".`,
  );
}

/** CREATE DATABASE from template0 (what pg_dump's documentation asks for), shaped like `like` when given. */
export async function createDatabase(
  client: PgClient,
  database: string,
  like?: DatabaseShape,
): Promise<void> {
  const shape = like
    ? ` ENCODING ${literal(like.encoding)} LC_COLLATE ${literal(like.collate)} LC_CTYPE ${literal(like.ctype)}`
    : '';
  await client.query(`CREATE DATABASE ${quoteIdent(database)} WITH TEMPLATE template0${shape}`);
}

export async function dropDatabase(
  client: PgClient,
  database: string,
  force: boolean,
): Promise<void> {
  const version = Number(
    (await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]
      ?.v ?? 0,
  );
  if (force && version >= 130000) {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
    return;
  }
  if (force) await terminateSessions(client, database);
  await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)}`);
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A name for a temporary database beside `base`, within PostgreSQL's 63-byte limit. */
export function temporaryDatabaseName(base: string, purpose: string): string {
  const suffix = `_${purpose}_${randomBytes(4).toString('hex')}`;
  return `${Buffer.from(base)
    .subarray(0, 63 - suffix.length)
    .toString('utf8')
    .replace(/\uFFFD$/, '')}${suffix}`;
}

/** A scratch database for a test restore, and how to drop it. */
export interface ScratchDatabase {
  readonly location: PostgresLocation;
  /**
   * Drops it (ending any session still in it), once its CREATE DATABASE has
   * ended, with any database a stopped restore was filling to become it;
   * says whether there was one to drop.
   */
  drop(): Promise<boolean>;
}

/**
 * A uniquely named empty database on the server of `server`, for a test
 * restore. `named` hears of it before CREATE DATABASE is sent, so that a
 * signal from then on can drop it. With `create: false` only the name is
 * chosen: the restore creates it, or fails before it does.
 */
export async function createScratchDatabase(
  server: PostgresLocation,
  purpose: string,
  create = true,
  named?: (scratch: ScratchDatabase) => void,
): Promise<ScratchDatabase> {
  const name = temporaryDatabaseName('db_backup', purpose);
  // Settled once CREATE DATABASE has ended, whichever way: a drop before that would find nothing.
  let created = (): void => undefined;
  const creation = new Promise<void>((resolve) => {
    created = resolve;
  });
  const scratch: ScratchDatabase = {
    location: { ...server, database: name },
    drop: async () => {
      await creation;
      const maintenance = await connectMaintenance(server);
      try {
        // A parallel restore fills a database of its own, marked, before renaming it to this name.
        for (const filling of await leftoverDatabases(maintenance, name))
          await dropDatabase(maintenance, filling, true);
        if (!(await existsOn(maintenance, name))) return false;
        await dropDatabase(maintenance, name, true);
        return true;
      } finally {
        await maintenance.end().catch(() => undefined);
      }
    },
  };
  named?.(scratch);
  try {
    if (create) await createOn(server, name);
  } finally {
    created();
  }
  return scratch;
}

async function createOn(server: PostgresLocation, name: string): Promise<void> {
  const client = await connectMaintenance(server);
  try {
    await createDatabase(client, name);
  } catch (error) {
    if (!(await lacksCreatedb(client, error))) throw error;
    throw new CannotCreateDatabases(SCRATCH_ROLE_CANNOT_CREATE);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The comment that marks a database this tool created beside `target` for a
 * restore: only databases with exactly this comment are ever dropped as
 * leftovers of a killed run.
 */
export function temporaryMark(target: string): string {
  return `db-backup: temporary database of a restore of "${target}"; a later restore of "${target}" drops it`;
}

/**
 * The new empty database `name` beside `target` (same encoding and locale
 * when `like` is given), marked as temporary. CREATE DATABASE cannot share a
 * transaction with the mark: if the mark fails, the database goes at once,
 * since no later restore would know it for a leftover.
 */
export async function createTemporaryDatabase(
  client: PgClient,
  name: string,
  target: string,
  like?: DatabaseShape,
): Promise<void> {
  try {
    await createDatabase(client, name, like);
  } catch (error) {
    if (!(await lacksCreatedb(client, error))) throw error;
    throw restoreCannotCreate(target);
  }
  try {
    await client.query(
      `COMMENT ON DATABASE ${quoteIdent(name)} IS ${literal(temporaryMark(target))}`,
    );
  } catch (error) {
    await dropDatabase(client, name, true).catch(() => undefined);
    throw error;
  }
}

/** Databases a killed restore of `target` left behind (marked by temporaryMark). */
export async function leftoverDatabases(client: PgClient, target: string): Promise<string[]> {
  const result = await client.query<{ name: string }>(
    `SELECT d.datname AS name FROM pg_catalog.pg_database d
     JOIN pg_catalog.pg_shdescription s ON s.objoid = d.oid AND s.classoid = 'pg_catalog.pg_database'::regclass
     WHERE s.description = $1 ORDER BY 1`,
    [temporaryMark(target)],
  );
  return result.rows.map((row) => row.name);
}

/**
 * Puts `fresh` in the place of `target` in one transaction: the target (when
 * it exists) becomes `replaced`, marked as temporary, and `fresh` takes the
 * target's name and comment. Either both renames happen or neither does, so a
 * killed run never leaves the target's name empty or on a half-restored
 * database.
 */
export async function swapDatabases(
  client: PgClient,
  target: string,
  fresh: string,
  replaced: string | undefined,
  options: {
    readonly lockTimeoutMs?: number | undefined;
    /** The owner the restored database takes, in the same transaction. */
    readonly owner?: string | undefined;
    /** Told just before COMMIT is sent: from then on the swap is no longer stopped. */
    readonly committing?: () => void;
  } = {},
): Promise<{ ownerError?: Error }> {
  const comment = replaced
    ? ((
        await client.query<{ description: string | null }>(
          `SELECT pg_catalog.shobj_description(oid, 'pg_database') AS description
           FROM pg_catalog.pg_database WHERE datname = $1`,
          [target],
        )
      ).rows[0]?.description ?? null)
    : null;
  let ownerError: Error | undefined;
  await client.query('BEGIN');
  try {
    // Another session's open change to either database's row would make the renames wait, silently.
    if (options.lockTimeoutMs !== undefined)
      await client.query(`SET LOCAL lock_timeout = ${options.lockTimeoutMs}`);
    if (replaced) {
      await client.query(`ALTER DATABASE ${quoteIdent(target)} RENAME TO ${quoteIdent(replaced)}`);
      await client.query(
        `COMMENT ON DATABASE ${quoteIdent(replaced)} IS ${literal(temporaryMark(target))}`,
      );
    }
    await client.query(`ALTER DATABASE ${quoteIdent(fresh)} RENAME TO ${quoteIdent(target)}`);
    await client.query(
      `COMMENT ON DATABASE ${quoteIdent(target)} IS ${comment === null ? 'NULL' : literal(comment)}`,
    );
    if (options.owner) {
      // A role that may not take it leaves the database with the restoring role, and a warning.
      await client.query('SAVEPOINT owner');
      try {
        await client.query(
          `ALTER DATABASE ${quoteIdent(target)} OWNER TO ${quoteIdent(options.owner)}`,
        );
      } catch (error) {
        await client.query('ROLLBACK TO SAVEPOINT owner');
        ownerError = error as Error;
      }
    }
    options.committing?.();
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return ownerError ? { ownerError } : {};
}

/** The server process of `client`'s session: what another session cancels it by. */
export async function backendPid(client: PgClient): Promise<number> {
  const result = await client.query<{ pid: number }>('SELECT pg_catalog.pg_backend_pid() AS pid');
  return Number(result.rows[0]?.pid);
}

/**
 * Cancels the `command` (`ALTER DATABASE`, `CREATE DATABASE`) that `pid` is
 * running, if it still is, from a session of its own (pg_cancel_backend): a
 * cancel that arrives late must not land on whatever statement came next,
 * such as the DROP that cleans up or the mark of a new database.
 */
export async function cancelDatabaseCommand(
  location: PostgresLocation,
  pid: number,
  command: 'ALTER DATABASE' | 'CREATE DATABASE',
): Promise<void> {
  const client = await connectMaintenance(location);
  try {
    await client.query(
      `SELECT pg_catalog.pg_cancel_backend(pid) FROM pg_catalog.pg_stat_activity
       WHERE pid = $1 AND state = 'active' AND query LIKE $2`,
      [pid, `${command} %`],
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
