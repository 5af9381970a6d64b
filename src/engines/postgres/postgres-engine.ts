import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PostgresLocation } from '../../domain/database-location.js';
import { errorMessage, JobFailure, UserError } from '../../domain/errors.js';
import type {
  DatabaseInfo,
  Dump,
  Engine,
  RestoreHooks,
  RestoreOutcome,
  RestoreSource,
} from '../engine.js';
import { tarDirectory } from '../../fs/tar.js';
import {
  checkArchiveCompleteness,
  parseArchiveListing,
  type ArchiveListing,
  type ArchiveTable,
} from './archive-listing.js';
import {
  ARCHIVE_TOP,
  archiveAsSql,
  contentFormat,
  restoreInParallel,
  chooseArchiveReader,
  unpackArchive,
} from './archive-restore.js';
import { describeCompanions, describeEntry } from './archive-companions.js';
import {
  assertSelectionInArchive,
  createsPublicSchema,
  isSelective,
  pickEntries,
} from './archive-selection.js';
import { writeDataOffsets } from './archive-offsets.js';
import { onInterrupt } from '../../process/interruptions.js';
import { removeQuietly, temporaryDirectory } from '../../fs/files.js';
import { runToEnd, spawnOutputStream } from './child-process.js';
import {
  clientBeside,
  findClientCandidates,
  installedClient,
  isExecutable,
  resolveClient,
  type ClientTool,
} from './client-tools.js';
import { newestFirst } from './choose-client.js';
import { libpqEnvironment } from './connection.js';
import { SQLSTATE, sqlstateOf } from './sql-states.js';
import {
  connectMaintenance,
  assertMayCreateDatabases,
  assertMayReplaceDatabase,
  createTemporaryDatabase,
  databaseExists,
  existenceAndVersion,
  databaseSettings,
  databaseShape,
  type DatabaseShape,
  dropDatabase,
  leftoverDatabases,
  sessionsThatStay,
  swapDatabases,
  backendPid,
  cancelDatabaseCommand,
  temporaryDatabaseName,
  terminateSessions,
} from './databases.js';
import {
  countSelectedRows,
  disableSessionTimeouts,
  namesInEncoding,
  readDumpCatalog,
  readFilterMatches,
  readNamesUnconvertedFromSqlAscii,
} from './dump-catalog.js';
import { checkDumpCompleteness, type ExpectedTable } from './dump-completeness.js';
import {
  refuseUnmatchedPatterns,
  selectDumpReads,
  selectDumpedTables,
  type DumpCatalog,
  type SelectedTable,
} from './dump-selection.js';
import { PlainDumpScanner } from './dump-tables.js';
import { listAsItStreams } from './streamed-listing.js';
import { rolesBlock, type RolesBlock } from './roles-block.js';
import type { TableCount } from '../../domain/manifest.js';
import {
  DEFAULT_LOCK_TIMEOUT_MS,
  dumpFilters,
  pgDumpArguments,
  type PostgresOptions,
} from './options.js';
import { RefusedSql, RestoreSqlFilter, type FilterReport } from './restore-filter.js';
import type { StatementPolicy } from './restore-statements.js';
import { applyInTransaction, RestoreInterruption } from './restore-transaction.js';
import { describeSessions, formatMs, type BlockingSession } from './lock-monitor.js';
import { LOCK_NOT_AVAILABLE } from './psql-errors.js';
import {
  assertTablesReadable,
  connect,
  countTables,
  endpoint,
  foldIntoRoots,
  partitionsCountedAtRoot,
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
    // Asked of the database itself: one that does not exist holds nothing.
    return withClient(this.location, this.database, async (client) => {
      const result = await client.query(`
        SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'
        UNION ALL
        SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
        LIMIT 1`);
      return (result.rowCount ?? 0) > 0;
    }).catch((error: unknown) => {
      if (sqlstateOf(error) === SQLSTATE.invalidCatalogName) return false;
      throw error;
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
  async dump(workDir: string): Promise<Dump> {
    const client = await connect(this.location);
    const children: ChildProcess[] = [];
    const dispose = async (): Promise<void> => {
      for (const child of children)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end().catch(() => undefined);
    };
    try {
      await disableSessionTimeouts(client);
      const version = await serverVersion(client);
      await readNamesUnconvertedFromSqlAscii(client);
      const pgDump = await this.pgDump(version.major);
      const roles = this.options.includeRoles
        ? await this.dumpRoles(client, version.major, pgDump)
        : undefined;
      // For progress only, asked outside the snapshot's transaction so that it can never
      // disturb it: the database's size on disk, roughly what the SQL will be.
      const size = await client
        .query<{ bytes: string }>(
          'SELECT pg_catalog.pg_database_size(pg_catalog.current_database())::text AS bytes',
        )
        .then((result) => Number(result.rows[0]?.bytes))
        .catch(() => Number.NaN);
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const snapshot = (
        await client.query<{ id: string }>('SELECT pg_catalog.pg_export_snapshot() AS id')
      ).rows[0]?.id;
      const catalog = await readDumpCatalog(client);
      const filters = await readFilterMatches(client, this.options, version.num);
      refuseUnmatchedPatterns(filters, this.options, this.database);
      const selected = selectDumpedTables(catalog, filters);
      // What the user may not read is named now, with the GRANT it needs, before pg_dump starts.
      await assertTablesReadable(
        client,
        this.location.user,
        selectDumpReads(catalog, filters, selected),
      );
      if (this.options.format !== 'plain') {
        // Counted while pg_dump runs, in the same snapshot; the archive's listing is checked against it.
        const counting = countSelectedRows(client, selected);
        counting.catch(() => undefined);
        const archive = await this.dumpArchive(this.options.format, {
          client,
          pgDump,
          snapshot,
          catalog,
          selected,
          counting,
          workDir,
          onChild: (started) => {
            children.push(started);
          },
        });
        return {
          stream: archive.stream,
          ...(size > 0 ? { expectedSize: { bytes: size, estimate: true } } : {}),
          format: this.options.format,
          finish: async () => ({
            serverVersion: version.text,
            dumpTool: `pg_dump ${pgDump.version}`,
            filters: dumpFilters(this.options),
            tables: await archive.tables(),
          }),
          dispose,
        };
      }
      const spawned = spawnOutputStream(
        'pg_dump',
        pgDump.path,
        pgDumpArguments(this.options, snapshot, this.options.lockTimeoutMs),
        {
          ...libpqEnvironment(this.location),
          ...pgDump.env,
        },
      );
      children.push(spawned.child);
      const scanner = new PlainDumpScanner();
      spawned.stream.on('error', (error) => scanner.destroy(error));
      scanner.on('close', () => spawned.stream.destroy());
      spawned.stream.pipe(scanner);
      // Counted while pg_dump runs, in the same snapshot.
      const counting = countSelectedRows(client, selected);
      counting.catch(() => undefined);
      return {
        stream: roles ? prepend(roles.sql, scanner) : scanner,
        format: 'plain' as const,
        ...(size > 0 ? { expectedSize: { bytes: size, estimate: true } } : {}),
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

  /**
   * pg_dump -Fc / -Fd in the snapshot, uncompressed. Either way the backup is
   * kept only when pg_dump exited 0 and `pg_restore --list` reads the archive
   * as the format asked for, with a TABLE DATA entry for every table whose
   * rows the dump must hold (see checkArchiveCompleteness); the manifest's
   * rows are the snapshot's counts.
   *
   * A custom archive streams from pg_dump's stdout as plain SQL does, and
   * pg_restore --list reads its table of contents from the same bytes as they
   * pass (see streamed-listing.ts): a missing table stops the dump at once.
   * A directory archive is written by pg_dump (with --jobs) into the scratch
   * directory, which it must be: it is a directory of files, written in
   * parallel; it is listed, then goes on as one tar stream.
   */
  private async dumpArchive(
    format: 'custom' | 'directory',
    run: ArchiveRun,
  ): Promise<{ stream: Readable; tables: () => Promise<TableCount[]> }> {
    const pgRestore = await this.archiveReader(run.pgDump);
    if (format === 'custom') return this.streamCustomArchive(run, pgRestore);
    const target = path.join(run.workDir, ARCHIVE_TOP);
    let tables: TableCount[] | undefined;
    const produce = async (): Promise<void> => {
      await runToEnd(
        'pg_dump',
        run.pgDump.path,
        pgDumpArguments(this.options, run.snapshot, this.options.lockTimeoutMs, {
          format,
          file: target,
          jobs: this.options.jobs,
        }),
        { ...libpqEnvironment(this.location), ...run.pgDump.env },
        run.onChild,
      );
      const listing = parseArchiveListing(
        await runToEnd('pg_restore', pgRestore.path, ['--list', target], pgRestore.env),
      );
      tables = await this.checkArchive(run, listing, format);
    };
    const stream = Readable.from(
      (async function* (): AsyncGenerator<Buffer> {
        await produce();
        for await (const chunk of tarDirectory(target, ARCHIVE_TOP) as AsyncIterable<Buffer>)
          yield chunk;
      })(),
      { objectMode: false },
    );
    return {
      stream,
      tables: () => {
        if (!tables) throw new JobFailure('The archive was not read to its end.');
        return Promise.resolve(tables);
      },
    };
  }

  /**
   * The pg_restore that reads what pg_dump wrote: the one beside pg_dump when
   * it is of pg_dump's major or newer, else one found as for pg_dump. An
   * older pg_restore cannot read the archive ("unsupported version in file
   * header"): that is the machine's setup, said as such (exit 2), not a dump
   * found incomplete.
   */
  private async archiveReader(pgDump: ClientTool): Promise<ClientTool> {
    const besideTool = pgDump.path.includes('/')
      ? await clientBeside(pgDump.path, 'pg_restore')
      : undefined;
    if (besideTool && besideTool.major >= pgDump.major) return besideTool;
    const options = this.options.installer ? { installer: this.options.installer } : {};
    const found = resolveClient('pg_restore', pgDump.major, options);
    if (!besideTool) return found;
    return found.catch(() => {
      throw new UserError(
        `pg_restore ${besideTool.version} at ${besideTool.path} is older than pg_dump ${pgDump.version} beside it and cannot read its archives: install pg_restore ${pgDump.major} or newer there, or set pg-dump-path to a matching client.`,
      );
    });
  }

  /**
   * pg_dump -Fc to stdout, through pg_restore --list as it passes. The stream
   * fails when pg_dump exits non-zero or is killed (as plain SQL's does), and
   * as soon as the listing shows the archive incomplete or pg_restore cannot
   * read its data; `tables` waits for the listing's check and for pg_restore
   * to have read the archive to its end, so an archive cut short fails the
   * backup even when pg_dump exited 0.
   */
  private streamCustomArchive(
    run: ArchiveRun,
    pgRestore: ClientTool,
  ): { stream: Readable; tables: () => Promise<TableCount[]> } {
    const spawned = spawnOutputStream(
      'pg_dump',
      run.pgDump.path,
      pgDumpArguments(this.options, run.snapshot, this.options.lockTimeoutMs, {
        format: 'custom',
        jobs: 1,
      }),
      { ...libpqEnvironment(this.location), ...run.pgDump.env },
    );
    run.onChild(spawned.child);
    const head = listAsItStreams(pgRestore);
    for (const child of head.children) run.onChild(child);
    spawned.stream.on('error', (error) => head.tee.destroy(error));
    head.tee.on('close', () => spawned.stream.destroy());
    spawned.stream.pipe(head.tee);
    const checked = head.listing.then(
      (listing) => this.checkArchive(run, listing, 'custom'),
      (error: unknown) => {
        throw new JobFailure(
          `The dump is incomplete: pg_restore --list could not read the archive's table of contents (${errorMessage(error)}). The backup was discarded and nothing was pruned.`,
        );
      },
    );
    const read = head.read.catch((error: unknown) => {
      throw new JobFailure(
        `The dump is incomplete: pg_restore could not read the archive to its end (${errorMessage(error)}). The backup was discarded and nothing was pruned.`,
      );
    });
    const verdict = Promise.all([checked, read]).then(([tables]) => tables);
    verdict.catch((error: unknown) => head.tee.destroy(error as Error));
    return { stream: head.tee, tables: () => verdict };
  }

  private async checkArchive(
    run: ArchiveRun,
    listing: ArchiveListing,
    format: 'custom' | 'directory',
  ): Promise<TableCount[]> {
    const counts = await run.counting;
    const chosen = new Map(run.selected.map((entry) => [entry.table.oid, entry]));
    const catalogTables = run.catalog.tables.filter((table) => table.relkind === 'r');
    const expected: ArchiveTable[] = catalogTables.map((table) => ({
      oid: table.oid,
      label: `${table.schema}.${table.name}`,
      data: chosen.get(table.oid)?.data ?? false,
      listed: chosen.get(table.oid)?.listed ?? false,
      ordinary: table.extensionOid === undefined,
      snapshotRows: counts.get(table.oid),
    }));
    const result = checkArchiveCompleteness(expected, listing);
    if (listing.format !== format.toUpperCase()) {
      result.problems.unshift(
        `pg_restore --list reads it as format ${listing.format ?? 'unknown'}, not ${format}`,
      );
    }
    if (result.problems.length > 0) {
      const shown = result.problems.slice(0, 5).join('; ');
      const more = result.problems.length > 5 ? ` (and ${result.problems.length - 5} more)` : '';
      throw new JobFailure(
        `The dump is incomplete: ${shown}${more}. The backup was discarded and nothing was pruned.`,
      );
    }
    let tables = result.tables;
    if (result.unexpected.length > 0) {
      this.options.log.warn(
        `pg_dump wrote data this tool did not expect from the filters, kept in the backup and its manifest: ${result.unexpected.map((table) => table.label).join(', ')}`,
      );
      const byOid = new Map(catalogTables.map((table) => [table.oid, table]));
      const extra = await countSelectedRows(
        run.client,
        result.unexpected.flatMap((table) => {
          const found = byOid.get(table.oid);
          return found ? [{ table: found, data: true, listed: false }] : [];
        }),
      );
      const labels = new Map(result.unexpected.map((table) => [table.label, table.oid]));
      tables = tables.map((table) => {
        const oid = labels.get(table.name);
        return oid === undefined ? table : { name: table.name, rows: extra.get(oid) ?? 0 };
      });
    }
    return foldIntoRoots(tables, await partitionsCountedAtRoot(run.client));
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
   * Reads a backup without a matching manifest once (integrity, and SQL a
   * restore refuses) before anything changes, then either restores in place
   * in one transaction, or (drop-database, or a database that does not exist
   * yet) restores into a new database beside the target and puts it in the
   * target's place.
   */
  /**
   * Plain SQL goes through psql in one transaction. A custom or directory
   * archive (told by its content) is unpacked into a private scratch
   * directory first, whole, and listed by pg_restore; then with one job its
   * SQL (pg_restore --file=-) takes the same one-transaction path, and with
   * several, pg_restore --jobs fills a new database beside the target, which
   * replaces the target only once it is complete.
   */
  async restore(source: RestoreSource, hooks: RestoreHooks = {}): Promise<RestoreOutcome> {
    const format = await contentFormat(source);
    const selection = { tables: this.options.restoreTables, schemas: this.options.restoreSchemas };
    if (format === 'plain') {
      if (isSelective(selection)) {
        throw new UserError(
          `--tables and --schemas pick from a custom or directory backup, and ${source.name} is plain SQL: restore it whole, or make backups with --format custom. Nothing was changed.`,
        );
      }
      if (this.options.jobs > 1) {
        this.options.log.info(
          `${source.name} is plain SQL: psql restores it in one session (--jobs applies to custom and directory backups).`,
        );
      }
      return this.restoreSql(source, hooks);
    }
    const parallel = this.options.jobs > 1;
    if (parallel && !this.options.dropDatabase && (await this.exists())) {
      throw new UserError(
        `--jobs ${this.options.jobs} restores into a new database and then puts it in the place of "${this.database}": pass --drop-database to replace it so, or restore with --jobs 1 (one transaction into the existing database). Nothing was changed.`,
      );
    }
    const workDir = await temporaryDirectory('restore');
    try {
      this.options.log.info(`${source.name} is a ${format} archive: unpacking it`);
      const archive = await unpackArchive(source, format, workDir);
      const pgRestore = await chooseArchiveReader(
        source,
        archive,
        format,
        await this.archiveReaders(),
        this.options.installer
          ? (major) => installedClient(this.options.installer, 'pg_restore', major)
          : undefined,
      );
      await assertSelectionInArchive(source, archive, format, pgRestore, selection);
      // A new database has no schema but public: what is picked brings its own along.
      const intoNew = this.options.dropDatabase || !(await this.exists());
      const picked = await pickEntries(
        archive,
        format,
        pgRestore,
        selection,
        workDir,
        intoNew ? 'new' : 'existing',
      );
      if (picked.schemas.length > 0) {
        this.options.log.info(
          // Names as JSON strings: a newline in one never starts a line of its own in the log.
          `The new database gets ${picked.schemas.map((name) => JSON.stringify(name)).join(', ')} from the backup too: the schema(s) that hold what was picked`,
        );
      }
      if (picked.unclear.length > 0) {
        throw new UserError(
          `${source.name}: which table ${picked.unclear.map(describeEntry).join(', ')} belongs to cannot be told (it depends on a table picked and on one not picked), so replacing what was picked in place could drop it or rewrite the other table's: pick both tables, or restore into a new database (--create-database, --drop-database). Nothing was changed.`,
        );
      }
      const along = describeCompanions(picked.companions);
      if (along) this.options.log.info(`What belongs to what was picked comes with it: ${along}`);
      if (picked.leftOut.length > 0) {
        this.options.log.warn(
          `Left out of the new database, as each needs something that is not restored with it: ${picked.leftOut.map(describeEntry).join(', ')}. Pick what they need too, or restore in place.`,
        );
      }
      // pg_restore --jobs seeks to each table's data where the archive says it is.
      if (parallel && format === 'custom') await writeDataOffsets(archive);
      this.options.log.info(
        `Restoring it with pg_restore ${pgRestore.version}${parallel ? ` and ${this.options.jobs} jobs` : ''}`,
      );
      const pick = picked.arguments;
      const sql = archiveAsSql(source, archive, pgRestore, pick, source.checksumVerified);
      return await this.restoreSql(
        sql,
        hooks,
        parallel
          ? {
              archive,
              pgRestore,
              jobs: this.options.jobs,
              pick,
              createsPublic: await createsPublicSchema(archive, format, picked),
            }
          : undefined,
      );
    } finally {
      await removeQuietly(workDir);
    }
  }

  /**
   * The pg_restore programs that may read a backup's archive, in the order
   * they are tried: the one beside pg-dump-path (the user's choice) first, then
   * every other on this machine, newest first (a newer pg_restore reads older
   * archives; an older one cannot read a newer pg_dump's).
   */
  private async archiveReaders(): Promise<ClientTool[]> {
    const besideTool = this.options.pgDumpPath
      ? await clientBeside(this.options.pgDumpPath, 'pg_restore')
      : undefined;
    const others = newestFirst(await findClientCandidates('pg_restore')).filter(
      (tool) => tool.path !== besideTool?.path,
    );
    return besideTool ? [besideTool, ...others] : others;
  }

  private async restoreSql(
    source: RestoreSource,
    hooks: RestoreHooks,
    parallel?: ParallelRestore,
  ): Promise<RestoreOutcome> {
    let policy: StatementPolicy = {
      dropOwners: !this.options.owner,
      dropPrivileges: !this.options.privileges,
    };
    // A file that matched its manifest is the file that was written; any other is read through
    // once first. Either way nothing commits before the whole file was read without error.
    const survey =
      !source.checksumVerified || this.options.leaveOutMissingRoles
        ? await this.survey(source, policy)
        : undefined;
    // One connection asks both: whether the target exists, and the version psql must fit.
    const { exists, version } = await existenceAndVersion(this.location);
    if (!exists && !this.options.createDatabase) {
      throw new UserError(
        `The database "${this.database}" does not exist on ${endpoint(this.location)}: pass --create-database (input create-database: true) to create it.`,
      );
    }
    const psql = await this.psql(version?.major);
    const notes: string[] = [];
    if (survey) policy = await this.checkRoles(survey, policy, notes);
    const maintenance =
      !exists || this.options.dropDatabase ? await connectMaintenance(this.location) : undefined;
    const interruption = new RestoreInterruption();
    let info: DatabaseInfo;
    try {
      if (maintenance) await assertMayCreateDatabases(maintenance, this.database);
      if (maintenance && exists) await assertMayReplaceDatabase(maintenance, this.database);
      if (maintenance && exists) await this.assertNoOtherSessions(maintenance);
      await hooks.beforeChange?.();
      await this.dropLeftovers(maintenance);
      const report = maintenance
        ? await this.restoreBeside(
            maintenance,
            source,
            psql,
            policy,
            exists,
            interruption,
            parallel,
          )
        : await this.apply(this.database, source, psql, policy, { interruption, inPlace: true });
      this.logLeftOut(report);
      if (interruption.signal) {
        await interruption.answer(
          `${interruption.signal} came after the restore had sent COMMIT: it finished, and "${this.database}" holds the backup.`,
        );
      }
      // Counted while a signal still gets the swap's account: counting a large database takes a while.
      info = await this.inspect();
    } catch (error) {
      // The signal handler prints the restore's own, checked account (after the cleanup above).
      if (interruption.signal) await interruption.answer(errorMessage(error));
      throw error;
    } finally {
      interruption.dispose();
      await maintenance?.end().catch(() => undefined);
    }
    return { info, notes };
  }

  /** The whole backup through the restore filter, into nothing: refusals and roles before any change. */
  private async survey(source: RestoreSource, policy: StatementPolicy): Promise<FilterReport> {
    const filter = new RestoreSqlFilter(policy);
    const nowhere = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    try {
      await source.decodeInto(async (chunks) => {
        await pipeline(chunks, filter, nowhere);
      });
    } catch (error) {
      if (error instanceof RefusedSql)
        throw new RefusedSql(`${error.message} Nothing was changed.`);
      throw error;
    }
    return filter.report;
  }

  /**
   * Roles the kept owner and privilege statements name must exist. A restore
   * refuses before any change; verify (leaveOutMissingRoles) leaves those
   * statements out and says which roles were missing.
   */
  private async checkRoles(
    survey: FilterReport,
    policy: StatementPolicy,
    notes: string[],
  ): Promise<StatementPolicy> {
    const named = new Set([
      ...(policy.dropOwners ? [] : survey.ownerRoles),
      ...(policy.dropPrivileges ? [] : survey.privilegeRoles),
    ]);
    if (named.size === 0) return policy;
    const existing = await withMaintenanceOrTarget(this.location, async (client) => {
      const result = await client.query<{ name: string }>(
        'SELECT rolname AS name FROM pg_catalog.pg_roles WHERE rolname = ANY ($1::text[])',
        [[...named]],
      );
      return new Set(result.rows.map((row) => row.name));
    });
    const missing = (roles: ReadonlySet<string>): string[] =>
      [...roles].filter((role) => !existing.has(role)).sort();
    const missingOwners = policy.dropOwners ? [] : missing(survey.ownerRoles);
    const missingGrantees = policy.dropPrivileges ? [] : missing(survey.privilegeRoles);
    if (missingOwners.length === 0 && missingGrantees.length === 0) return policy;
    const all = [...new Set([...missingOwners, ...missingGrantees])].sort();
    if (!this.options.leaveOutMissingRoles) {
      throw new UserError(
        `The backup names roles that do not exist on ${endpoint(this.location)}: ${all.join(', ')}. Nothing was changed. Create them first, or restore with --no-owner --no-privileges (objects then belong to the user who restores, without the backup's grants).`,
      );
    }
    const what = [
      missingOwners.length > 0 ? 'owners' : undefined,
      missingGrantees.length > 0 ? 'privileges' : undefined,
    ]
      .filter(Boolean)
      .join(' and ');
    notes.push(
      `${what} not checked: the scratch server lacks the role(s) ${all.join(', ')}, so the backup's ${what === 'owners' ? 'ALTER … OWNER TO statements were' : what === 'privileges' ? 'GRANT/REVOKE statements were' : 'owner and privilege statements were'} left out of the test restore`,
    );
    return {
      dropOwners: policy.dropOwners || missingOwners.length > 0,
      dropPrivileges: policy.dropPrivileges || missingGrantees.length > 0,
    };
  }

  /** Temporary databases a killed restore of this target left behind go first, with a log line. */
  private async dropLeftovers(maintenance: PgClient | undefined): Promise<void> {
    const client = maintenance ?? (await connectMaintenance(this.location).catch(() => undefined));
    if (!client) return;
    try {
      for (const name of await leftoverDatabases(client, this.database)) {
        try {
          await dropDatabase(client, name, false);
          this.options.log.info(
            `Dropped ${name}, a temporary database an interrupted restore of "${this.database}" left behind.`,
          );
        } catch (error) {
          this.options.log.warn(
            `${name}, left behind by an interrupted restore of "${this.database}", could not be dropped: ${(error as Error).message}`,
          );
        }
      }
    } finally {
      if (!maintenance) await client.end().catch(() => undefined);
    }
  }

  /**
   * A fresh database beside the target, restored, then put in the target's
   * place in one transaction (drop-database, or a database that did not exist).
   * Until that moment the target is untouched; a killed run leaves only a
   * marked temporary database, which the next restore drops.
   */
  private async restoreBeside(
    client: PgClient,
    source: RestoreSource,
    psql: ClientTool,
    policy: StatementPolicy,
    replace: boolean,
    interruption: RestoreInterruption,
    parallel?: ParallelRestore,
  ): Promise<FilterReport> {
    const shape = replace ? await databaseShape(client, this.database) : undefined;
    if (replace) {
      const settings = await databaseSettings(client, this.database);
      if (settings.length > 0) {
        this.options.log.warn(
          `"${this.database}" has settings made with ALTER DATABASE/ROLE … SET, which no pg_dump holds; set them again after the swap: ${settings.join('; ')}`,
        );
      }
    }
    const fresh = await this.createBeside(client, shape, replace);
    this.options.log.info(
      replace
        ? `Restoring into a new database ${fresh}, to replace ${this.database}`
        : `Restoring into a new database ${fresh}, to become ${this.database}`,
    );
    let report: FilterReport;
    try {
      const unchanged = replace
        ? `"${this.database}" was never touched, and ${fresh} was dropped`
        : `"${this.database}" was not created, and ${fresh} was dropped`;
      report = parallel
        ? await this.applyInParallel(fresh, parallel, policy, unchanged, interruption)
        : await this.apply(fresh, source, psql, policy, { interruption, unchanged });
      const replaced = replace ? temporaryDatabaseName(this.database, 'replaced') : undefined;
      if (replace) {
        await this.assertNoOtherSessions(client);
        if (this.options.terminateConnections) await terminateSessions(client, this.database);
      }
      const lockTimeoutMs = this.options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
      // A signal from here on waits for the swap and says what it did. Before COMMIT is sent it
      // stops the swap (a wait for another session's lock can be long), which then rolls back.
      const swapPid = await backendPid(client);
      let committing = false;
      let swapOutcome: (message: string) => void = () => undefined;
      interruption.swapping(new Promise<string>((resolve) => (swapOutcome = resolve)), async () => {
        if (!committing) {
          await cancelDatabaseCommand(this.location, swapPid, 'ALTER DATABASE').catch(
            () => undefined,
          );
        }
      });
      let swapped: { ownerError?: Error };
      try {
        swapped = await swapDatabases(client, this.database, fresh, replaced, {
          lockTimeoutMs,
          owner: shape?.owner,
          committing: () => {
            committing = true;
          },
        });
      } catch (error) {
        const failure = new JobFailure(
          await this.swapFailure(client, error, fresh, lockTimeoutMs, interruption.stopping),
        );
        swapOutcome(
          `as the restored database was to take the place of "${this.database}", and it did not: ${failure.message}`,
        );
        // A signal is being answered: its handler ends the process with the line above.
        if (interruption.stopping) await new Promise<never>(() => undefined);
        throw failure;
      }
      if (swapped.ownerError) {
        this.options.log.warn(
          `The restored database could not be given to its previous owner ${shape?.owner}: ${swapped.ownerError.message}`,
        );
      }
      swapOutcome(
        `as the restored database took the place of "${this.database}": that finished, so the restore did, and "${this.database}" holds the backup${
          replaced
            ? `; the previous "${this.database}", renamed ${replaced}, is dropped now, or by the next restore if this one ends first`
            : ''
        }.`,
      );
      if (replaced) {
        await dropDatabase(client, replaced, true).catch((error: unknown) => {
          this.options.log.warn(
            `The previous "${this.database}", renamed ${replaced}, could not be dropped (${(error as Error).message}); the next restore drops it.`,
          );
        });
      }
    } catch (error) {
      await dropDatabase(client, fresh, true).catch(() => undefined);
      throw error;
    }
    return report;
  }

  /**
   * Why the swap failed, and what became of the target, checked: the new
   * database still under its temporary name means neither rename happened.
   * A lock wait names the session whose open transaction holds the target's
   * pg_database row (an ALTER DATABASE, GRANT or COMMENT ON DATABASE not yet
   * committed): its transaction id is the row's xmax.
   */
  private async swapFailure(
    client: PgClient,
    error: unknown,
    fresh: string,
    lockTimeoutMs: number,
    stopped: boolean,
  ): Promise<string> {
    const target = `"${this.database}"`;
    let reason = (error as Error).message;
    if (!stopped && (error as { code?: string }).code === LOCK_NOT_AVAILABLE) {
      const holders = await client
        .query<BlockingSession>(
          `SELECT a.pid, a.usename AS user, a.application_name AS application, a.state
           FROM pg_catalog.pg_stat_activity a
           WHERE a.backend_xid = (SELECT xmax FROM pg_catalog.pg_database WHERE datname = $1)`,
          [this.database],
        )
        .then((result) => result.rows)
        .catch(() => []);
      const held = holders.length > 0 ? ` held by ${describeSessions(holders)}` : '';
      reason = `it waited longer than --lock-timeout (${formatMs(lockTimeoutMs)}) for the database's own row in pg_database${held}, which another session's transaction changed and has not committed (ALTER DATABASE, GRANT … ON DATABASE, COMMENT ON DATABASE)`;
    }
    const what = stopped
      ? 'The swap was stopped before it committed'
      : `The restored database could not take the place of ${target} (${reason})`;
    const untouched = await client
      .query('SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1', [fresh])
      .then((result) => result.rows.length === 1)
      .catch(() => undefined);
    if (!untouched) {
      return `${what}, and whether it did could not be checked: look at ${target} and ${fresh} before using them.`;
    }
    // Said only once it is so: a drop that fails leaves a marked database the next restore drops.
    const fate = await dropDatabase(client, fresh, true).then(
      () => `${fresh} was dropped`,
      () => `${fresh} is left for the next restore to drop`,
    );
    return `${what}: ${target} is as it was, and ${fate}.`;
  }

  /**
   * The new, marked database beside the target. A signal while CREATE
   * DATABASE runs cancels it (a wait for a lock on template0 can be long), or,
   * if it has just returned, waits the moment its mark takes: an unmarked
   * database is one no later restore would drop. Nothing else starts after
   * the signal; the last word says what was left.
   */
  private async createBeside(
    client: PgClient,
    shape: DatabaseShape | undefined,
    replace: boolean,
  ): Promise<string> {
    const fresh = temporaryDatabaseName(this.database, 'restore');
    const untouched = replace
      ? `"${this.database}" was never touched`
      : `"${this.database}" was not created`;
    const pid = await backendPid(client);
    // A process killed outright (SIGKILL, or a second signal) never cancels: the server then
    // notices the lost connection itself within a second (PostgreSQL 14+), and a CREATE
    // DATABASE still waiting is abandoned rather than finished, unmarked, for nobody.
    await client.query("SET client_connection_check_interval = '1s'").catch(() => undefined);
    const creating = createTemporaryDatabase(client, fresh, this.database, shape);
    let stopped = false;
    const remove = onInterrupt(async (signal) => {
      stopped = true;
      await cancelDatabaseCommand(this.location, pid, 'CREATE DATABASE').catch(() => undefined);
      return creating.then(
        () =>
          `${signal} came as ${fresh} was created for the restore: ${untouched}, and ${fresh}, marked as this tool's, is dropped by the next restore of "${this.database}".`,
        () =>
          `${signal} came as the database for the restore was being created, which was stopped: ${untouched}.`,
      );
    });
    try {
      await creating;
    } catch (error) {
      if (stopped) await new Promise<never>(() => undefined);
      throw error;
    } finally {
      remove();
    }
    // The signal's handler ends the process with its line: nothing more is to begin.
    if (stopped) await new Promise<never>(() => undefined);
    return fresh;
  }

  /** pg_restore --jobs into the new database; its failure names what stays as it was. */
  private async applyInParallel(
    database: string,
    parallel: ParallelRestore,
    policy: StatementPolicy,
    unchanged: string,
    interruption: RestoreInterruption,
  ): Promise<FilterReport> {
    const filled = interruption.fillingInParallel();
    try {
      // The new database's public schema is template0's, empty: the backup's own takes its place.
      if (parallel.createsPublic)
        await withClient(this.location, database, (client) => client.query('DROP SCHEMA public'));
      await restoreInParallel({
        location: this.location,
        database,
        archive: parallel.archive,
        pgRestore: parallel.pgRestore,
        jobs: parallel.jobs,
        pick: parallel.pick,
        owner: !policy.dropOwners,
        privileges: !policy.dropPrivileges,
      });
    } catch (error) {
      throw new JobFailure(`The restore failed: ${errorMessage(error)}. ${unchanged}.`);
    } finally {
      filled();
    }
    return {
      dropped: { transaction: 0, 'lock-timeout': 0, owner: 0, privileges: 0 },
      ownerRoles: new Set(),
      privilegeRoles: new Set(),
      restrictLines: 0,
    };
  }

  private async assertNoOtherSessions(client: PgClient): Promise<void> {
    if (this.options.terminateConnections) return;
    const sessions = await sessionsThatStay(client, this.database);
    if (sessions > 0) {
      throw new UserError(
        `${sessions} other session(s) are connected to "${this.database}": stop the application, or pass --terminate-connections. Nothing was changed.`,
      );
    }
  }

  /** The backup's SQL in one transaction in `database` (see applyInTransaction). */
  private async apply(
    database: string,
    source: RestoreSource,
    psql: ClientTool,
    policy: StatementPolicy,
    messages: { unchanged?: string; interruption?: RestoreInterruption; inPlace?: boolean } = {},
  ): Promise<FilterReport> {
    return applyInTransaction(source, {
      // Verify's test restore is into a scratch database: restore's options are no answer there.
      advise: !this.options.leaveOutMissingRoles,
      location: this.location,
      database,
      target: this.database,
      psql,
      policy,
      lockTimeoutMs: this.options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
      log: this.options.log,
      ...messages,
    });
  }

  private logLeftOut(report: FilterReport): void {
    const { transaction, owner, privileges } = report.dropped;
    if (transaction > 0) {
      this.options.log.info(
        `Left out ${transaction} BEGIN/COMMIT statement(s) of the backup (pg_dump writes them around large objects): one transaction holds the whole restore.`,
      );
    }
    if (owner > 0) this.options.log.info(`Left out ${owner} owner statement(s) (--no-owner).`);
    if (privileges > 0)
      this.options.log.info(`Left out ${privileges} privilege statement(s) (--no-privileges).`);
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
    const output = await runToEnd(
      'pg_dumpall',
      tool.path,
      ['--roles-only', '--no-role-passwords', '--no-password', `--database=${this.database}`],
      { ...libpqEnvironment(this.location), ...tool.env, PGCLIENTENCODING: 'UTF8' },
      undefined,
      ROLES_OUTPUT_LIMIT,
    );
    let block: RolesBlock;
    try {
      block = rolesBlock(output, bootstrap, `pg_dumpall ${tool.version}`);
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

  private async psql(serverMajor?: number): Promise<ClientTool> {
    const major =
      serverMajor ??
      (await withMaintenanceOrTarget(
        this.location,
        async (client) => (await serverVersion(client)).major,
      ));
    return resolveClient('psql', major, {
      requireFit: false,
      ...(this.options.installer ? { installer: this.options.installer } : {}),
    });
  }
}

/** What an archive dump runs with: the snapshot's session and catalog, and where pg_dump may write. */
interface ArchiveRun {
  readonly client: PgClient;
  readonly pgDump: ClientTool;
  readonly snapshot: string | undefined;
  readonly catalog: DumpCatalog;
  readonly selected: readonly SelectedTable[];
  readonly counting: Promise<Map<string, number>>;
  readonly workDir: string;
  readonly onChild: (child: ChildProcess) => void;
}

/** An archive restored by pg_restore --jobs (into a new database, then swapped). */
interface ParallelRestore {
  readonly archive: string;
  readonly pgRestore: ClientTool;
  readonly jobs: number;
  /** pg_restore's arguments that pick entries (none: all of them). */
  readonly pick: readonly string[];
  /** The archive makes the public schema (see createsPublicSchema): the new database's goes first. */
  readonly createsPublic: boolean;
}

/** pg_dumpall's role list is small; a larger output than this is not one. */
const ROLES_OUTPUT_LIMIT = 64 * 1024 * 1024;

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
