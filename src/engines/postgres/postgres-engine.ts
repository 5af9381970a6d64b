import { once } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import type { PostgresLocation } from '../../config/database-url.js';
import { JobFailure, UserError } from '../../errors.js';
import type {
  DatabaseInfo,
  Dump,
  Engine,
  RestoreHooks,
  RestoreOutcome,
  RestoreSource,
} from '../engine.js';
import { spawnOutputStream, runWithInput } from './child-process.js';
import { resolveClient, type ClientTool } from './client-tools.js';
import { libpqEnvironment } from './connection.js';
import {
  connectMaintenance,
  createDatabase,
  databaseExists,
  databaseSettings,
  databaseShape,
  dropDatabase,
  otherSessions,
  temporaryDatabaseName,
} from './databases.js';
import {
  countSelectedRows,
  namesInEncoding,
  readDumpCatalog,
  readFilterMatches,
} from './dump-catalog.js';
import { checkDumpCompleteness, type ExpectedTable } from './dump-completeness.js';
import { selectDumpedTables, type DumpCatalog, type SelectedTable } from './dump-selection.js';
import { PlainDumpScanner } from './dump-tables.js';
import { rolesBlock, type RolesBlock } from './roles-block.js';
import type { TableCount } from '../../manifest.js';
import { dumpFilters, pgDumpArguments, PSQL_ARGUMENTS, type PostgresOptions } from './options.js';
import {
  assertTablesReadable,
  connect,
  countTables,
  endpoint,
  foldIntoRoots,
  partitionsCountedAtRoot,
  quoteIdent,
  serverVersion,
  tableCounts,
  withClient,
  type PgClient,
} from './server.js';

export class PostgresEngine implements Engine {
  readonly kind = 'postgres' as const;
  readonly keepsOwnSafetyCopy = false;

  constructor(
    readonly location: PostgresLocation,
    private readonly options: PostgresOptions,
  ) {}

  private get database(): string {
    return this.location.database;
  }

  async exists(): Promise<boolean> {
    return databaseExists(this.location);
  }

  /** An existing database with any table, view, sequence, function or type of its own. */
  async holdsData(): Promise<boolean> {
    if (!(await this.exists())) return false;
    return withClient(this.location, this.database, async (client) => {
      const result = await client.query(`
        SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'
        UNION ALL
        SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
        LIMIT 1`);
      return (result.rowCount ?? 0) > 0;
    });
  }

  /**
   * pg_dump in plain SQL, reading the snapshot exported by a transaction that
   * stays open until the dump is done. In that snapshot this tool works out,
   * with pg_dump's own rules, which tables the dump must hold data for, and
   * counts their rows; the stream is read as it goes by, and `finish` accepts
   * it only when it ends with pg_dump's closing line and holds every one of
   * those tables' COPY blocks, complete, with the rows the snapshot counted.
   */
  async dump(): Promise<Dump> {
    const client = await connect(this.location);
    let child: ReturnType<typeof spawnOutputStream>['child'] | undefined;
    const dispose = async (): Promise<void> => {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end().catch(() => undefined);
    };
    try {
      const version = await serverVersion(client);
      const pgDump = await this.pgDump(version.major);
      const roles = this.options.includeRoles
        ? await this.dumpRoles(client, version.major, pgDump)
        : undefined;
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const snapshot = (
        await client.query<{ id: string }>('SELECT pg_catalog.pg_export_snapshot() AS id')
      ).rows[0]?.id;
      const catalog = await readDumpCatalog(client);
      const selected = selectDumpedTables(
        catalog,
        await readFilterMatches(client, this.options, version.num),
      );
      // A table the user may not read is named now, with the missing GRANT, before pg_dump starts.
      await assertTablesReadable(
        client,
        this.location.user,
        selected.filter((entry) => entry.listed).map((entry) => entry.table),
      );
      const spawned = spawnOutputStream(
        'pg_dump',
        pgDump.path,
        pgDumpArguments(this.options, snapshot),
        {
          ...libpqEnvironment(this.location),
          ...pgDump.env,
        },
      );
      child = spawned.child;
      const scanner = new PlainDumpScanner();
      spawned.stream.on('error', (error) => scanner.destroy(error));
      scanner.on('close', () => spawned.stream.destroy());
      spawned.stream.pipe(scanner);
      // Counted while pg_dump runs, in the same snapshot.
      const counting = countSelectedRows(client, selected);
      counting.catch(() => undefined);
      return {
        stream: roles ? prepend(roles.sql, scanner) : scanner,
        finish: async () => ({
          serverVersion: version.text,
          dumpTool: `pg_dump ${pgDump.version}`,
          filters: dumpFilters(this.options),
          tables: await this.checkComplete(client, catalog, selected, await counting, scanner),
          ...(roles ? { roles: { tool: roles.tool, names: roles.names } } : {}),
        }),
        dispose,
      };
    } catch (error) {
      await dispose();
      throw error;
    }
  }

  /** The manifest's tables, once the whole dump was read and found complete; otherwise the job fails. */
  private async checkComplete(
    client: PgClient,
    catalog: DumpCatalog,
    selected: readonly SelectedTable[],
    counts: ReadonlyMap<string, number>,
    scanner: PlainDumpScanner,
  ): Promise<TableCount[]> {
    const chosen = new Map(selected.map((entry) => [entry.table.oid, entry]));
    const tables = catalog.tables.filter((table) => table.relkind === 'r');
    const roots = new Set(
      tables.flatMap((table) => (table.partitionRootOid ? [table.partitionRootOid] : [])),
    );
    const names = await namesInEncoding(
      client,
      [...tables.map((table) => table.oid), ...roots],
      scanner.encoding,
    );
    const expected: ExpectedTable[] = [];
    for (const table of tables) {
      const spelled = names.get(table.oid);
      if (!spelled) continue;
      const entry = chosen.get(table.oid);
      const root = table.partitionRootOid ? names.get(table.partitionRootOid) : undefined;
      expected.push({
        oid: table.oid,
        label: `${table.schema}.${table.name}`,
        schema: spelled.schema,
        name: spelled.name,
        data: entry?.data ?? false,
        listed: entry?.listed ?? false,
        ordinary: table.extensionOid === undefined,
        snapshotRows: counts.get(table.oid),
        partitionRoot: root,
      });
    }
    const result = checkDumpCompleteness(expected, scanner);
    if (result.problems.length > 0) {
      const shown = result.problems.slice(0, 5).join('; ');
      const more = result.problems.length > 5 ? ` (and ${result.problems.length - 5} more)` : '';
      throw new JobFailure(
        `The dump is incomplete: ${shown}${more}. The backup was discarded and nothing was pruned.`,
      );
    }
    if (result.unexpected.length > 0) {
      this.options.log.warn(
        `pg_dump wrote data this tool did not expect from the filters, kept in the backup and its manifest: ${result.unexpected.join(', ')}`,
      );
    }
    return foldIntoRoots(result.tables, await partitionsCountedAtRoot(client));
  }

  async evaluate(sql: string): Promise<unknown> {
    return withClient(this.location, this.database, async (client) => {
      const result = await client.query({ text: sql, rowMode: 'array' });
      return (result.rows[0] as unknown[] | undefined)?.[0];
    });
  }

  async inspect(): Promise<DatabaseInfo> {
    return withClient(this.location, this.database, async (client) => {
      const version = await serverVersion(client);
      const tables = tableCounts(await countTables(client));
      return {
        serverVersion: version.text,
        tables: foldIntoRoots(tables, await partitionsCountedAtRoot(client)),
      };
    });
  }

  /**
   * Reads a backup without a matching manifest once (integrity) before anything changes, then
   * either restores in place in one transaction, or (drop-database) restores
   * into a new database beside the target and swaps it in.
   */
  async restore(source: RestoreSource, hooks: RestoreHooks = {}): Promise<RestoreOutcome> {
    // A file that matched its manifest is the file that was written; any other is read through
    // once first. Either way nothing commits before the whole file was read without error.
    if (!source.checksumVerified) await source.check();
    const exists = await this.exists();
    if (!exists && !this.options.createDatabase) {
      throw new UserError(
        `The database "${this.database}" does not exist on ${endpoint(this.location)}: pass --create-database (input create-database: true) to create it.`,
      );
    }
    const psql = await this.psql();
    const maintenance =
      exists && this.options.dropDatabase ? await connectMaintenance(this.location) : undefined;
    try {
      if (maintenance) await this.assertNoOtherSessions(maintenance);
      await hooks.beforeChange?.();
      if (!exists) {
        await withMaintenance(this.location, (client) => createDatabase(client, this.database));
        await this.applySql(this.database, source, psql).catch(async (error: unknown) => {
          // Created for this restore: a failed restore takes it away again.
          await withMaintenance(this.location, (client) =>
            dropDatabase(client, this.database, true),
          ).catch(() => undefined);
          if (!(error instanceof UserError)) throw error;
          const Failure = error instanceof JobFailure ? JobFailure : UserError;
          throw new Failure(
            `${error.message} The database "${this.database}", created for this restore, was dropped again.`,
          );
        });
      } else if (maintenance) {
        await this.replaceDatabase(maintenance, source, psql);
      } else {
        await this.applySql(this.database, source, psql);
      }
    } finally {
      await maintenance?.end().catch(() => undefined);
    }
    return { info: await this.inspect() };
  }

  /** The emergency path: a fresh database beside the target, restored, then swapped in. */
  private async replaceDatabase(
    client: PgClient,
    source: RestoreSource,
    psql: ClientTool,
  ): Promise<void> {
    await this.assertNoOtherSessions(client);
    const shape = await databaseShape(client, this.database);
    const settings = await databaseSettings(client, this.database);
    if (settings.length > 0) {
      this.options.log.warn(
        `"${this.database}" has settings made with ALTER DATABASE/ROLE … SET, which no pg_dump holds; set them again after the swap: ${settings.join('; ')}`,
      );
    }
    const fresh = temporaryDatabaseName(this.database, 'restore');
    this.options.log.info(`Restoring into a new database ${fresh}, to replace ${this.database}`);
    await createDatabase(client, fresh, shape);
    try {
      await this.applySql(fresh, source, psql);
      await this.assertNoOtherSessions(client);
      await dropDatabase(client, this.database, this.options.terminateConnections);
    } catch (error) {
      await dropDatabase(client, fresh, true).catch(() => undefined);
      throw error;
    }
    await client.query(
      `ALTER DATABASE ${quoteIdent(fresh)} RENAME TO ${quoteIdent(this.database)}`,
    );
    if (shape?.owner) {
      await client
        .query(`ALTER DATABASE ${quoteIdent(this.database)} OWNER TO ${quoteIdent(shape.owner)}`)
        .catch((error: unknown) => {
          this.options.log.warn(
            `The restored database could not be given to its previous owner ${shape.owner}: ${(error as Error).message}`,
          );
        });
    }
  }

  private async assertNoOtherSessions(client: PgClient): Promise<void> {
    if (this.options.terminateConnections) return;
    const sessions = await otherSessions(client, this.database);
    if (sessions > 0) {
      throw new UserError(
        `${sessions} other session(s) are connected to "${this.database}": stop the application, or pass --terminate-connections. Nothing was changed.`,
      );
    }
  }

  /**
   * Feeds the backup to psql between our own BEGIN and COMMIT. COMMIT is sent
   * only after the backup was read to its end without error; on any failure
   * psql is killed first, so the server rolls the transaction back.
   */
  private async applySql(database: string, source: RestoreSource, psql: ClientTool): Promise<void> {
    const env = { ...libpqEnvironment(this.location, database), ...psql.env };
    try {
      await runWithInput('psql', psql.path, PSQL_ARGUMENTS, env, async (stdin) => {
        await write(stdin, 'BEGIN;\n');
        await source.decodeInto(async (chunks) => {
          for await (const chunk of chunks) await write(stdin, chunk);
        });
        await write(stdin, '\nCOMMIT;\n');
      });
    } catch (error) {
      if (error instanceof UserError && error.message.startsWith('psql')) {
        throw new JobFailure(
          `The restore stopped at an error and was rolled back; "${database}" is as it was. ${error.message}`,
        );
      }
      throw error;
    }
  }

  /**
   * The cluster's roles for the head of the dump (include-roles): read with
   * pg_dumpall chosen like pg_dump (the one beside an explicit pg-dump-path
   * first), without passwords, and made safe to run on any server.
   */
  private async dumpRoles(
    client: PgClient,
    serverMajor: number,
    pgDump: ClientTool,
  ): Promise<{ sql: Buffer; names: readonly string[]; tool: string }> {
    const beside = this.options.pgDumpPath
      ? path.join(path.dirname(this.options.pgDumpPath), 'pg_dumpall')
      : undefined;
    const tool = await resolveClient('pg_dumpall', serverMajor, {
      ...(beside && (await isExecutable(beside)) ? { explicitPath: beside } : {}),
      ...(!beside && pgDump.path.includes('/') ? { preferDir: path.dirname(pgDump.path) } : {}),
      ...(this.options.installer ? { installer: this.options.installer } : {}),
    });
    const bootstrap =
      (
        await client.query<{ name: string }>(
          'SELECT rolname AS name FROM pg_catalog.pg_roles WHERE oid = 10',
        )
      ).rows[0]?.name ?? '';
    const output = await readAll(
      spawnOutputStream(
        'pg_dumpall',
        tool.path,
        ['--roles-only', '--no-role-passwords', '--no-password', `--database=${this.database}`],
        { ...libpqEnvironment(this.location), ...tool.env, PGCLIENTENCODING: 'UTF8' },
      ).stream,
      ROLES_OUTPUT_LIMIT,
    );
    let block: RolesBlock;
    try {
      block = rolesBlock(output.toString('utf8'), bootstrap, `pg_dumpall ${tool.version}`);
    } catch (error) {
      throw new JobFailure(
        `${(error as Error).message}: no backup was kept and nothing was pruned.`,
      );
    }
    for (const statement of block.skipped) {
      this.options.log.warn(
        `include-roles leaves out a statement it does not carry over: ${statement}`,
      );
    }
    this.options.log.info(
      `Including ${block.names.length} roles from pg_dumpall ${tool.version} (${tool.path})`,
    );
    return {
      sql: Buffer.from(block.sql, 'utf8'),
      names: block.names,
      tool: `pg_dumpall ${tool.version}`,
    };
  }

  private async pgDump(serverMajor: number): Promise<ClientTool> {
    const tool = await resolveClient('pg_dump', serverMajor, {
      ...(this.options.pgDumpPath ? { explicitPath: this.options.pgDumpPath } : {}),
      ...(this.options.installer ? { installer: this.options.installer } : {}),
    });
    this.options.log.info(
      `Using pg_dump ${tool.version} (${tool.path}) for a PostgreSQL ${serverMajor} server`,
    );
    return tool;
  }

  private async psql(): Promise<ClientTool> {
    const major = await withMaintenanceOrTarget(
      this.location,
      async (client) => (await serverVersion(client)).major,
    );
    return resolveClient('psql', major, {
      requireFit: false,
      ...(this.options.installer ? { installer: this.options.installer } : {}),
    });
  }
}

/** pg_dumpall's role list is small; a larger output than this is not one. */
const ROLES_OUTPUT_LIMIT = 64 * 1024 * 1024;

async function readAll(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      stream.destroy();
      throw new JobFailure(
        `pg_dumpall --roles-only wrote more than ${limit} bytes: not a role list.`,
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** `head` first, then everything `rest` yields; an error of `rest` is the stream's error. */
function prepend(head: Buffer, rest: Readable): Readable {
  return Readable.from(
    (async function* () {
      yield head;
      for await (const chunk of rest as AsyncIterable<Buffer>) yield chunk;
    })(),
    { objectMode: false },
  );
}

async function isExecutable(file: string): Promise<boolean> {
  return fs.access(file, fs.constants.X_OK).then(
    () => true,
    () => false,
  );
}

async function write(stream: Writable, chunk: string | Buffer): Promise<void> {
  if (stream.destroyed) throw new Error('psql stopped reading its input');
  if (!stream.write(chunk)) await once(stream, 'drain');
}

async function withMaintenance<T>(
  location: PostgresLocation,
  use: (client: PgClient) => Promise<T>,
): Promise<T> {
  const client = await connectMaintenance(location);
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function withMaintenanceOrTarget<T>(
  location: PostgresLocation,
  use: (client: PgClient) => Promise<T>,
): Promise<T> {
  try {
    return await withMaintenance(location, use);
  } catch {
    return withClient(location, location.database, use);
  }
}
