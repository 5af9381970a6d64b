import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../../domain/logger.js';
import type { PostgresLocation } from '../../domain/database-location.js';
import { isWorded, JobFailure } from '../../domain/errors.js';
import { onInterrupt } from '../../process/interruptions.js';
import type { RestoreSource } from '../engine.js';
import type { ClientTool } from './client-tools.js';
import { libpqEnvironment } from './connection.js';
import {
  describeSessions,
  formatMs,
  LockMonitor,
  sessionsHoldingLocks,
  type BlockingSession,
} from './lock-monitor.js';
import {
  ALREADY_EXISTS,
  INVALID_TABLE_DEFINITION,
  LOCK_NOT_AVAILABLE,
  OUT_OF_MEMORY,
  parsePsqlError,
  UNDEFINED_OBJECT,
} from './psql-errors.js';
import { PsqlSession, type RestoreBackend } from './psql-session.js';
import { RefusedSql, RestoreSqlFilter, type FilterReport } from './restore-filter.js';
import type { StatementPolicy } from './restore-statements.js';
import { connect, type PgClient } from './server.js';
import { transactionOutcome, type TransactionOutcome } from './transaction-outcome.js';

export interface ApplyOptions {
  readonly location: PostgresLocation;
  /** The database psql restores into (the target, or a new one beside it). */
  readonly database: string;
  /** How the target is named in messages (the database the user asked to restore). */
  readonly target: string;
  readonly psql: ClientTool;
  readonly policy: StatementPolicy;
  readonly lockTimeoutMs: number;
  readonly log: Logger;
  /** What becomes of the target when the transaction did not commit (the default: "is as it was"). */
  readonly unchanged?: string;
  /** Told which psql to stop when a signal comes. */
  readonly interruption?: RestoreInterruption;
  /** The backup runs over what the existing target holds (not into a new database beside it). */
  readonly inPlace?: boolean;
  /** A restore the user asked for (not verify's test restore into a scratch database): its failures may name restore options. */
  readonly advise?: boolean;
}

/** Stopping psql and learning the outcome must end before `docker stop` sends SIGKILL (10 s). */
const INTERRUPT_OUTCOME_MS = 5000;
/** The signal handler waits this long for the restore's own checked account. */
const INTERRUPT_ANSWER_MS = 7000;

/**
 * Runs the backup's SQL in one transaction (PsqlSession's protocol), through
 * the restore filter. On any failure psql is stopped, the server is asked
 * what became of the transaction, and the error says that — never more.
 */
export async function applyInTransaction(
  source: RestoreSource,
  options: ApplyOptions,
): Promise<FilterReport> {
  const { location, database, psql } = options;
  const env = { ...libpqEnvironment(location, database), ...psql.env };
  const session = new PsqlSession('psql', psql.path, env);
  let backend: RestoreBackend;
  try {
    backend = await session.begin(options.lockTimeoutMs);
  } catch (error) {
    await session.abort();
    throw startFailure(error, session, options);
  }
  const monitorClient = await connect(location, database).catch(() => undefined);
  const monitor = monitorClient
    ? new LockMonitor(monitorClient, backend.pid, options.log, options.lockTimeoutMs)
    : undefined;
  monitor?.start();
  options.interruption?.attach(session);
  const filter = new RestoreSqlFilter({
    ...options.policy,
    standardConformingStrings: backend.standardConformingStrings,
    lockTimeoutStatement: `SET lock_timeout = ${options.lockTimeoutMs};`,
    ...(session.keptConstraintsTable ? { keptConstraintsTable: session.keptConstraintsTable } : {}),
    ...(session.guarded ? { guardStatements: session.guardStatements() } : {}),
  });
  if (!session.guarded) {
    options.log.warn(
      `The restoring user may not create temporary tables in "${database}", so the restore runs without its commit guard: a COMMIT hidden in SQL that psql reads otherwise than the restore filter could commit part of the backup. GRANT TEMPORARY ON DATABASE to the restoring user to have it.`,
    );
  }
  try {
    const sink = new Writable({
      highWaterMark: 1024 * 1024,
      write: (chunk: Buffer, _encoding, callback) => {
        session.write(chunk).then(() => callback(), callback);
      },
    });
    await source.decodeInto(async (chunks) => {
      await pipeline(chunks, filter, sink);
    });
    await session.commit(
      monitorClient ? () => waitsForInput(monitorClient, backend.pid) : undefined,
    );
    return filter.report;
  } catch (error) {
    const interrupted = options.interruption?.signal;
    // Interrupted: psql is already stopped, and the time left is for asking the server.
    await session.abort(!interrupted);
    await monitor?.stop();
    const blockers = await lockBlockers(session, monitor, monitorClient, database, backend);
    const outcome = await transactionOutcome(() => connect(location, database), backend, {
      timeoutMs: interrupted ? INTERRUPT_OUTCOME_MS : 60_000,
    });
    if (outcome.status === 'committed' && session.stage === 'committing' && !interrupted) {
      // Everything ran before COMMIT was sent, and COMMIT went through: psql only failed to say so.
      options.log.warn(
        `psql ended without confirming COMMIT, and the server reports transaction ${backend.xid} committed: the restore is complete.`,
      );
      return filter.report;
    }
    throw describeFailure(error, session, outcome, backend, blockers, options, interrupted);
  } finally {
    options.interruption?.detach();
    await monitor?.stop();
    await monitorClient?.end().catch(() => undefined);
  }
}

/**
 * What a restore does when SIGINT/SIGTERM comes while psql runs: psql is
 * stopped before it could see COMMIT (once COMMIT was sent, it is left to
 * finish), and the signal handler waits for the restore's own account of the
 * outcome — checked with the server, after its cleanup — and prints that.
 * Create one per restore; `dispose` when the restore ends.
 */
export class RestoreInterruption {
  signal: NodeJS.Signals | undefined;
  private session: PsqlSession | undefined;
  private resolveAnswer: (message: string) => void = () => undefined;
  private readonly answered = new Promise<string>((resolve) => {
    this.resolveAnswer = resolve;
  });
  private readonly remove = onInterrupt((signal) => this.request(signal));

  /** The swap that puts a restored database in the target's place, once begun: its outcome. */
  private swap: Promise<string> | undefined;
  private stopSwap: (() => Promise<void>) | undefined;
  /** A signal came while the swap ran: its handler is waiting for the swap's outcome. */
  stopping = false;
  /** pg_restore --jobs is filling the new database. */
  private filling = false;

  attach(session: PsqlSession): void {
    this.session = session;
  }

  /** pg_restore --jobs fills the new database: a signal from now on gets the cleanup's account. */
  fillingInParallel(): () => void {
    this.filling = true;
    return () => {
      this.filling = false;
    };
  }

  /**
   * The restored database is taking the target's place: a signal from now on
   * waits for the swap (one short transaction) to end and says what it did,
   * so "nothing changed" is never said of a target that was replaced.
   */
  swapping(outcome: Promise<string>, stop: () => Promise<void>): void {
    this.swap = outcome;
    this.stopSwap = stop;
  }

  detach(): void {
    this.session = undefined;
  }

  /** Hands the final message to the waiting signal handler (which ends the process); never returns. */
  async answer(message: string): Promise<never> {
    this.resolveAnswer(message);
    return new Promise<never>(() => undefined);
  }

  dispose(): void {
    this.remove();
  }

  private async request(signal: NodeJS.Signals): Promise<string | undefined> {
    const session = this.session;
    // No psql running: nothing of this restore can commit; the process may end at once,
    // unless the swap has begun: then what it did is the last word.
    if (!session) {
      if (this.filling) {
        // pg_restore is stopped by its own handler; the restore then drops the new database
        // and hands its account here. The target is untouched either way.
        this.signal = signal;
        return this.answerOr(
          `Stopped by ${signal} while pg_restore filled the new database beside the target, which was never touched; the new database, marked as this tool's, is dropped by the next restore if this one could not.`,
        );
      }
      if (!this.swap) return undefined;
      this.stopping = true;
      await this.stopSwap?.();
      return `${signal} came ${await this.swap}`;
    }
    this.signal = signal;
    if (session.stage === 'starting' || session.stage === 'applying') await session.abort(false);
    return this.answerOr(
      session.stage === 'committing'
        ? `Stopped by ${signal} while COMMIT was under way; whether it committed could not be checked in time: check the database.`
        : `Stopped by ${signal}. psql was stopped before it received COMMIT, so the server rolls the restore back; the check did not finish in time: check the database before using it.`,
    );
  }

  /** The restore's own account, or `late` when it does not come in the time a stop may take. */
  private async answerOr(late: string): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(late), INTERRUPT_ANSWER_MS);
    });
    return Promise.race([this.answered, timedOut]).finally(() => clearTimeout(timer));
  }
}

/**
 * How long psql's session may sit idle in the transaction, with all the
 * backup written, before psql is taken to wait for input it will never get.
 * Between statements psql reads on at once; only a huge result it formats
 * (to nowhere) keeps it busy that long, which a restore's SQL does not ask.
 */
const STALL_SECONDS = 30;

async function waitsForInput(client: PgClient, pid: number): Promise<boolean> {
  const result = await client.query<{ stalled: boolean }>(
    `SELECT state = 'idle in transaction'
            AND pg_catalog.clock_timestamp() - state_change > pg_catalog.make_interval(secs => $2) AS stalled
     FROM pg_catalog.pg_stat_activity WHERE pid = $1`,
    [pid, STALL_SECONDS],
  );
  return result.rows[0]?.stalled === true;
}

function startFailure(error: unknown, session: PsqlSession, options: ApplyOptions): Error {
  if (isWorded(error) && error.kind === 'refused') return error;
  const psqlError = parsePsqlError(session.stderr());
  const reason = psqlError?.message ?? (error as Error).message;
  return new JobFailure(
    `psql could not start the restore into "${options.database}": ${reason}. Nothing of the backup was sent.`,
  );
}

async function lockBlockers(
  session: PsqlSession,
  monitor: LockMonitor | undefined,
  client: PgClient | undefined,
  database: string,
  backend: RestoreBackend,
): Promise<readonly BlockingSession[]> {
  if (parsePsqlError(session.stderr())?.sqlstate !== LOCK_NOT_AVAILABLE) return [];
  if (monitor && monitor.blockers.length > 0) return monitor.blockers;
  if (!client) return [];
  return sessionsHoldingLocks(client, database, backend.pid).catch(() => []);
}

function describeFailure(
  error: unknown,
  session: PsqlSession,
  outcome: TransactionOutcome,
  backend: RestoreBackend,
  blockers: readonly BlockingSession[],
  options: ApplyOptions,
  interrupted: NodeJS.Signals | undefined,
): Error {
  const target = `"${options.target}"`;
  const cause = describeCause(error, session, blockers, options, interrupted);
  const unchanged = options.unchanged ?? `${target} is as it was`;
  switch (outcome.status) {
    case 'aborted': {
      const text = `${cause.text} The restore was rolled back (the server reports its transaction ${backend.xid} aborted): ${unchanged}.${cause.advice}`;
      return cause.refused && !interrupted ? new RefusedSql(text) : new JobFailure(text);
    }
    case 'committed':
      return new JobFailure(
        `${cause.text} The server reports the restore's transaction ${backend.xid} COMMITTED although the restore did not finish: ${target} may hold part of the backup. Restore the safety backup, or this backup again, before using it.`,
      );
    case 'unknown': {
      const sent =
        session.stage === 'committing'
          ? 'COMMIT had been sent, so it may have committed'
          : 'psql never received COMMIT, so the server rolls it back';
      return new JobFailure(
        `${cause.text} Whether the restore was rolled back could not be checked: ${outcome.reason}. ${sent}; check ${target} before using it.`,
      );
    }
  }
}

function describeCause(
  error: unknown,
  session: PsqlSession,
  blockers: readonly BlockingSession[],
  options: ApplyOptions,
  interrupted: NodeJS.Signals | undefined,
): { text: string; advice: string; refused: boolean } {
  if (interrupted) return { text: `Stopped by ${interrupted}.`, advice: '', refused: false };
  if (error instanceof RefusedSql) return { text: error.message, advice: '', refused: true };
  const psqlError = parsePsqlError(session.stderr());
  if (!psqlError) {
    const text = error instanceof Error ? error.message : String(error);
    return {
      text: `The restore stopped: ${text.replace(/\.?$/, '.')}`,
      advice: '',
      refused: false,
    };
  }
  const line = psqlError.inputLine !== undefined ? psqlError.inputLine - session.prologueLines : 0;
  const where = line > 0 ? ` at line ${line} of the backup's SQL` : '';
  if (psqlError.message.includes(`"${session.guardConstraint}"`)) {
    return {
      text: `The backup's SQL ended the restore's transaction${where} with a COMMIT the restore filter did not see (psql came to read the SQL differently, for example after standard_conforming_strings was changed by set_config() or a DO block), and the restore's commit guard made that COMMIT fail.`,
      advice: '',
      refused: true,
    };
  }
  const state = psqlError.sqlstate ? ` (SQLSTATE ${psqlError.sqlstate})` : '';
  const details = psqlError.details.length > 0 ? ` ${psqlError.details.join(' ')}` : '';
  if (psqlError.sqlstate === LOCK_NOT_AVAILABLE) {
    const held = blockers.length > 0 ? ` held by ${describeSessions(blockers)}` : '';
    return {
      text: `The restore waited longer than --lock-timeout (${formatMs(options.lockTimeoutMs)}) for a lock on "${options.target}"${held}${where}.`,
      advice: ` End or finish ${blockers.length > 0 ? 'those sessions' : 'the sessions that hold locks on its tables'} (for example SELECT pg_terminate_backend(${blockers[0]?.pid ?? 'pid'})), or restore with a longer --lock-timeout (0 waits as long as it takes).`,
      refused: false,
    };
  }
  const roleHint =
    psqlError.sqlstate === UNDEFINED_OBJECT && /^role ".*" does not exist/.test(psqlError.message)
      ? ' Create the missing roles on this server first, or restore with --no-owner --no-privileges.'
      : '';
  // pg_dump's drop of a partition's inherited key, run as written (see RestoreSqlFilter).
  const partitionHint =
    psqlError.sqlstate === INVALID_TABLE_DEFINITION &&
    /^cannot (drop inherited constraint|remove constraint from only the partitioned table)/.test(
      psqlError.message,
    ) &&
    !session.constraintBlocksCanRun
      ? " A partition's inherited key is kept in place only where every role may run PL/pgSQL and the restoring user may create temporary tables, which is not so here: restore with --drop-database (into a new database, then swapped in)."
      : '';
  // One transaction locks every table, index and sequence it replaces or makes.
  const locksHint =
    psqlError.sqlstate === OUT_OF_MEMORY &&
    psqlError.details.some((line) => line.includes('max_locks_per_transaction'))
      ? ' The restore is one transaction, which holds a lock on every table, index and sequence it replaces or makes: raise max_locks_per_transaction on the server (then restart it), or restore a custom or directory backup into a new database with --jobs 2 or more.'
      : '';
  // Only in place: in a new database, what exists already was made by the backup itself.
  const exists =
    options.inPlace && psqlError.sqlstate !== undefined && ALREADY_EXISTS.has(psqlError.sqlstate);
  // pg_dump --schema public writes CREATE SCHEMA public, and every new database has public.
  const createsPublic = psqlError.message === 'schema "public" already exists';
  const cleanHint = !options.advise
    ? ''
    : createsPublic
      ? ` The backup creates the schema public (pg_dump --schema public writes CREATE SCHEMA public), which every new database has as well, so --drop-database and --create-database meet it too: create a new database (another name in the database URL), run DROP SCHEMA public in it, then restore into it.`
      : exists
        ? ` The backup creates objects "${options.target}" already has (a dump made without --clean, which would drop each one first): restore it with --drop-database to replace the database, or into a new one (another name in the database URL) with --create-database.`
        : '';
  return {
    text: `The restore stopped${where}: ERROR: ${psqlError.message}${state}.${details}`,
    advice: roleHint + partitionHint + locksHint + cleanHint,
    refused: false,
  };
}
