import type { ChildProcess } from 'node:child_process';
import { startChild } from '../../process/child-processes.js';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { JobFailure, UserError } from '../../domain/errors.js';
import { redact } from '../../domain/secrets.js';
import { describeExit } from './child-process.js';
import { PLPGSQL_USABLE_BY_ALL } from './plpgsql.js';
import { RefusedSql, RESTORE_VARIABLE_PREFIX } from './restore-filter.js';

/** The server session psql restores in: its backend's pid and its transaction's id. */
export interface RestoreBackend {
  readonly pid: number;
  /** txid_current() of the restore's transaction (64-bit, with epoch). */
  readonly xid: string;
  /** standard_conforming_strings in that session. */
  readonly standardConformingStrings: boolean;
}

/** Where the session is when something goes wrong: what can be said about the target. */
export type SessionStage = 'starting' | 'applying' | 'committing' | 'committed';

const STDERR_LIMIT = 8 * 1024;
const STDOUT_LINE_LIMIT = 4 * 1024;

/**
 * psql with stdin, stdout and stderr as pipes: query results go nowhere, so
 * stdout carries only the restore's own markers. ON_ERROR_STOP stops at the
 * first error; VERBOSITY=verbose gives its SQLSTATE.
 */
export function psqlArguments(): string[] {
  return [
    '--no-psqlrc',
    '--quiet',
    '--no-password',
    '--set=ON_ERROR_STOP=1',
    // A transaction end the filter did not see (psql read the SQL otherwise) starts a new
    // transaction at once rather than letting what follows commit statement by statement.
    '--set=AUTOCOMMIT=off',
    '--set=VERBOSITY=verbose',
    `--output=${os.devNull}`,
    '--file=-',
  ];
}

/**
 * One restore transaction run by psql, with a commit protocol that holds
 * however this process ends:
 *
 * 1. `BEGIN`, a guard that makes any COMMIT but the restore's own fail
 *    (below), then psql reports the backend's pid and the transaction's id
 *    on stdout, marked with a nonce no backup can know.
 * 2. The (filtered) backup's SQL streams in.
 * 3. psql reports "ready" once it has run every statement before that line;
 *    only then, and only if the transaction is still the one that began, is
 *    `COMMIT` written. Until that moment psql's input holds no COMMIT: if this
 *    process dies (SIGKILL included), psql reads to the end of its input
 *    without one, and the server rolls the transaction back.
 * 4. psql reports "committed" after COMMIT succeeded.
 *
 * The guard: a temporary table holding two equal keys under a deferred
 * unique constraint, which the restore empties just before its own COMMIT.
 * A COMMIT psql runs before that — one the restore filter did not see,
 * because psql came to read the SQL differently (a DO block or set_config()
 * changing standard_conforming_strings under psql's lexer) — fails the
 * unique check and rolls the whole restore back instead of committing part
 * of it. With AUTOCOMMIT off, a ROLLBACK it did not see leaves what follows
 * in a new transaction that never commits (the "ready" check sees it).
 */
export class PsqlSession {
  readonly nonce = randomBytes(16).toString('hex');
  private readonly child: ChildProcess;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitStatus: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** The process itself ended (its pipes may stay open a while, held by a child of a wrapper). */
  private readonly ended: Promise<void>;
  private processEnded = false;
  private stderrText = '';
  private stdoutCarry = '';
  private readonly waiters = new Map<string, (words: string[] | undefined) => void>();
  private readonly seen = new Map<string, string[]>();
  private spawnError: Error | undefined;
  stage: SessionStage = 'starting';
  backend: RestoreBackend | undefined;
  /** The commit guard is in place (the user may create temporary tables in the database). */
  guarded = false;
  /** Every role may run PL/pgSQL here (DO blocks), for the restore filter's constraint-drop blocks. */
  plpgsql = false;
  /** Some table of the database inherits from another (partitions among them) at the start. */
  inherits = false;

  constructor(program: string, file: string, env: NodeJS.ProcessEnv) {
    this.child = startChild('libpq-client', file, psqlArguments(), {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderrText = (this.stderrText + chunk).slice(-STDERR_LIMIT);
    });
    this.child.stdout?.setEncoding('utf8');
    this.child.stdout?.on('data', (chunk: string) => this.readStdout(chunk));
    // A psql that dies closes its stdin: writes then fail with EPIPE, and its exit says why.
    this.child.stdin?.on('error', () => undefined);
    this.ended = new Promise((resolve) => {
      this.child.on('exit', () => {
        this.processEnded = true;
        resolve();
      });
      this.child.on('error', () => {
        this.processEnded = true;
        resolve();
      });
    });
    this.exited = new Promise((resolve) => {
      this.child.on('error', (error: NodeJS.ErrnoException) => {
        this.spawnError =
          error.code === 'ENOENT'
            ? new UserError(`Cannot run ${program}: ${file} does not exist.`)
            : new UserError(`Cannot run ${program} (${file}): ${error.message}`);
      });
      this.child.on('close', (code, signal) => {
        this.exitStatus = { code, signal };
        this.releaseWaiters();
        resolve({ code, signal });
      });
    });
  }

  private get prefix(): string {
    return `${RESTORE_VARIABLE_PREFIX}${this.nonce}_`;
  }

  /** The guard table: pg_temp, named with the nonce. */
  get guardName(): string {
    return `${this.prefix}guard`;
  }

  /** The guard's deferred unique constraint: a COMMIT that fails on it was not the restore's. */
  get guardConstraint(): string {
    return `${this.prefix}unique`;
  }

  /** What the restore filter writes around `SET CONSTRAINTS` (undefined without a guard). */
  guardStatements(): { disarm: string; rearm: string } | undefined {
    if (!this.guarded) return undefined;
    const table = `pg_temp.${this.guardName}`;
    return {
      disarm: `DELETE FROM ${table};`,
      rearm: `SET CONSTRAINTS pg_temp.${this.guardConstraint} DEFERRED; INSERT INTO ${table} VALUES (1), (1);`,
    };
  }

  /** psql's process id (for tests and logs). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The last few KiB psql wrote to stderr, secrets masked. */
  stderr(): string {
    return redact(this.stderrText.trim());
  }

  get running(): boolean {
    return !this.processEnded && this.exitStatus === undefined;
  }

  /** Opens the transaction and learns its backend and id; fails with psql's own error when it cannot connect. */
  async begin(lockTimeoutMs: number): Promise<RestoreBackend> {
    await this.write(
      this.prologue(lockTimeoutMs)
        .map((line) => `${line}\n`)
        .join(''),
    );
    const words = await this.waitFor('start');
    const [pid, xid, std, guard, plpgsql, inherits] = words;
    if (!pid || !xid || !/^\d+$/.test(pid) || !/^\d+$/.test(xid)) {
      throw this.failure('psql did not start the restore');
    }
    this.backend = { pid: Number(pid), xid, standardConformingStrings: std !== 'off' };
    this.guarded = guard === 't';
    this.plpgsql = plpgsql === 't';
    this.inherits = inherits === 't';
    this.stage = 'applying';
    return this.backend;
  }

  /**
   * What psql reads before the backup: the transaction, the restore's lock
   * timeout, no statement or transaction time limit (as pg_dump's own output
   * sets, for SQL that does not), and the report of backend and transaction.
   */
  private prologue(lockTimeoutMs: number): string[] {
    const p = this.prefix;
    return [
      'BEGIN;',
      // Without the TEMPORARY privilege there is no guard; the restore says so (guarded).
      `SELECT pg_catalog.has_database_privilege(pg_catalog.current_database(), 'TEMPORARY') AS ${p}guard \\gset`,
      `\\if :${p}guard`,
      `CREATE TEMPORARY TABLE ${this.guardName} (k integer CONSTRAINT ${this.guardConstraint} UNIQUE DEFERRABLE INITIALLY DEFERRED) ON COMMIT DROP;`,
      `INSERT INTO pg_temp.${this.guardName} VALUES (1), (1);`,
      // The backup may end under another role (SET SESSION AUTHORIZATION, SET ROLE): it must still disarm it.
      `GRANT INSERT, DELETE ON pg_temp.${this.guardName} TO PUBLIC;`,
      `CREATE TEMPORARY TABLE ${this.keptName} (con oid) ON COMMIT DROP;`,
      `GRANT INSERT, SELECT ON pg_temp.${this.keptName} TO PUBLIC;`,
      '\\endif',
      `SET lock_timeout = ${lockTimeoutMs};`,
      'SET statement_timeout = 0;',
      'SET idle_in_transaction_session_timeout = 0;',
      "SELECT pg_catalog.set_config('transaction_timeout', '0', false) WHERE pg_catalog.current_setting('server_version_num')::integer >= 170000;",
      `SELECT pg_catalog.pg_backend_pid() AS ${p}pid, pg_catalog.txid_current() AS ${p}xid, pg_catalog.current_setting('standard_conforming_strings') AS ${p}std \\gset`,
      `SELECT ${PLPGSQL_USABLE_BY_ALL} AS ${p}plpgsql, EXISTS (SELECT FROM pg_catalog.pg_inherits) AS ${p}inherits \\gset`,
      `\\echo ${this.marker('start')} :${p}pid :${p}xid :${p}std :${p}guard :${p}plpgsql :${p}inherits`,
      `\\unset ${p}guard`,
      `\\unset ${p}pid`,
      `\\unset ${p}xid`,
      `\\unset ${p}std`,
      `\\unset ${p}plpgsql`,
      `\\unset ${p}inherits`,
    ];
  }

  /** How many lines begin() wrote before the backup's first line (psql's line numbers count them). */
  get prologueLines(): number {
    return this.prologue(0).length;
  }

  /** Writes to psql's stdin, waiting while its pipe is full; fails once psql is gone. */
  async write(chunk: string | Buffer): Promise<void> {
    const stdin = this.child.stdin;
    if (!stdin || stdin.destroyed || !this.running) throw this.failure('psql stopped reading');
    if (stdin.write(chunk)) return;
    await new Promise<void>((resolve, reject) => {
      const done = (): void => {
        stdin.off('drain', done);
        stdin.off('close', gone);
        resolve();
      };
      const gone = (): void => {
        stdin.off('drain', done);
        stdin.off('close', gone);
        reject(this.failure('psql stopped reading'));
      };
      stdin.on('drain', done);
      stdin.on('close', gone);
    });
  }

  /** The table, made with the guard's, of the constraints a constraint-drop block kept. */
  private get keptName(): string {
    return `${this.prefix}kept`;
  }

  /**
   * Where the restore filter's constraint-drop blocks note each constraint
   * they kept because PostgreSQL would refuse its drop (see
   * RestoreSqlFilter): a temporary table made with the commit guard, which
   * the backup's SQL cannot name. Undefined where no
   * table of the database inherits from another (pg_dump's drops come
   * before its tables: none can be refused so; the blocks would only cost
   * time), where PL/pgSQL cannot run for every role, or without the guard.
   */
  get keptConstraintsTable(): string | undefined {
    return this.inherits && this.constraintBlocksCanRun ? `pg_temp.${this.keptName}` : undefined;
  }

  /** The constraint-drop blocks can run: PL/pgSQL for every role, and the guard's temporary tables. */
  get constraintBlocksCanRun(): boolean {
    return this.plpgsql && this.guarded;
  }

  /**
   * After the whole backup: waits until psql has run all of it, checks that
   * the transaction is still the one that began and that every constraint a
   * constraint-drop block kept is gone since (with its table, most often),
   * then commits.
   */
  async commit(stalled?: () => Promise<boolean>): Promise<void> {
    const backend = this.backend;
    if (!backend) throw new Error('commit() before begin()');
    const p = this.prefix;
    const kept = this.keptConstraintsTable;
    await this.write(
      [
        '',
        `SELECT pg_catalog.txid_current() AS ${p}now \\gset`,
        // The notes go with a transaction the SQL ended (the check of `now` tells): asked only if there.
        ...(kept === undefined
          ? [`\\set ${p}kept 0`]
          : [
              `SELECT pg_catalog.to_regclass('${kept}') IS NOT NULL AS ${p}notes \\gset`,
              `\\if :${p}notes`,
              `SELECT pg_catalog.count(DISTINCT c.oid) AS ${p}kept FROM ${kept} k JOIN pg_catalog.pg_constraint c ON c.oid OPERATOR(pg_catalog.=) k.con \\gset`,
              '\\else',
              `\\set ${p}kept gone`,
              '\\endif',
            ]),
        `\\echo ${this.marker('ready')} :${p}now :${p}kept`,
        '',
      ].join('\n'),
    );
    const [now, stillThere] = await this.waitForReady(stalled);
    if (now !== backend.xid) {
      throw new JobFailure(
        `The backup's SQL ended the restore's transaction early (psql now runs in transaction ${now ?? '?'}, not ${backend.xid}).`,
      );
    }
    if (stillThere === 'gone') {
      throw new JobFailure(
        "The backup's SQL dropped the restore's own temporary table of the constraints it kept, so whether the database is what the SQL says cannot be checked.",
      );
    }
    if (stillThere !== '0') {
      throw new JobFailure(
        `The backup's SQL drops a constraint that PostgreSQL keeps (a partition's inherited one, or a partitioned table's own CHECK), and the constraint is still there at the end (${stillThere ?? '?'} such constraints; pg_dump's own SQL drops such a table after): restored so, the database would not be what the SQL says.`,
      );
    }
    this.stage = 'committing';
    await this.write(
      `${this.guarded ? `DELETE FROM pg_temp.${this.guardName};\n` : ''}COMMIT;\n\\echo ${this.marker('committed')}\n`,
    );
    this.child.stdin?.end();
    await this.waitFor('committed');
    const { code, signal } = await this.exited;
    if (code !== 0 || signal) throw this.failure('psql did not finish the restore');
    this.stage = 'committed';
  }

  /**
   * Stops psql at once (it never saw COMMIT, so its transaction cannot
   * commit) and waits for it to end; with `forOutput`, also (briefly) for its
   * last words on stderr, which arrive when its pipes close.
   */
  async abort(forOutput = true): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    // Whatever else holds psql's input (a wrapper's own child) sees its end, without COMMIT.
    this.child.stdin?.destroy();
    await this.ended;
    this.releaseWaiters();
    if (!forOutput) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.exited,
      new Promise((resolve) => {
        timer = setTimeout(resolve, 2000);
      }),
    ]);
    clearTimeout(timer);
  }

  /** How psql ended, when it did so on its own terms (an exit code other than 0, or a signal). */
  exitDescription(): string | undefined {
    const status = this.exitStatus;
    if (!status || (status.code === 0 && !status.signal)) return undefined;
    return describeExit('psql', status.code, status.signal, this.stderr());
  }

  private releaseWaiters(): void {
    for (const waiter of this.waiters.values()) waiter(undefined);
    this.waiters.clear();
  }

  /** Ends psql's input without COMMIT: psql reaches its end, and the server rolls back. */
  async close(): Promise<void> {
    this.child.stdin?.end();
    await this.exited;
  }

  /** Resolves when psql exits. */
  async exit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exited;
  }

  private marker(name: string): string {
    return `db-backup-${this.nonce}-${name}`;
  }

  /**
   * The "ready" marker; `stalled` is asked every second meanwhile. psql that
   * waits for more input after all of it was written read the SQL otherwise
   * than the filter (an open quote where the filter saw it closed), and
   * would wait for ever: that is refused.
   */
  private async waitForReady(stalled?: () => Promise<boolean>): Promise<string[]> {
    if (!stalled) return this.waitFor('ready');
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const watch = new Promise<never>((_resolve, reject) => {
      const check = (): void => {
        timer = setTimeout(() => {
          stalled()
            .then((stuck) => {
              if (done) return;
              if (stuck) {
                reject(
                  new RefusedSql(
                    "psql kept waiting for the rest of a statement after the whole backup was sent, so it read the backup's SQL otherwise than the restore filter (for example after standard_conforming_strings was changed by set_config() or a DO block); such SQL cannot be restored safely",
                  ),
                );
              } else check();
            })
            .catch(() => {
              if (!done) check();
            });
        }, 1000);
      };
      check();
    });
    try {
      return await Promise.race([this.waitFor('ready'), watch]);
    } finally {
      done = true;
      clearTimeout(timer);
    }
  }

  /** Waits for a marker line; fails (with psql's error) if psql exits first. */
  private async waitFor(name: string): Promise<string[]> {
    const seen = this.seen.get(name);
    if (seen) return seen;
    if (!this.running) throw this.failure('psql stopped');
    const words = await new Promise<string[] | undefined>((resolve) => {
      this.waiters.set(name, resolve);
    });
    if (!words) throw this.failure('psql stopped');
    return words;
  }

  private readStdout(chunk: string): void {
    const text = this.stdoutCarry + chunk;
    const lines = text.split('\n');
    this.stdoutCarry = (lines.pop() ?? '').slice(-STDOUT_LINE_LIMIT);
    const start = `db-backup-${this.nonce}-`;
    for (const line of lines) {
      if (!line.startsWith(start)) continue;
      const [name = '', ...words] = line.slice(start.length).trim().split(/\s+/);
      this.seen.set(name, words);
      const waiter = this.waiters.get(name);
      this.waiters.delete(name);
      waiter?.(words);
    }
  }

  /** psql's exit and last error as a JobFailure (a spawn problem stays a UserError). */
  failure(what: string): Error {
    if (this.spawnError) return this.spawnError;
    const status = this.exitStatus;
    if (!status) return new JobFailure(`${what}.`);
    return new JobFailure(describeExit('psql', status.code, status.signal, this.stderr()));
  }
}
