import type { Logger } from '../../domain/logger.js';
import type { PgClient } from './server.js';

/** A session that holds a lock the restore waits for. */
export interface BlockingSession {
  readonly pid: number;
  readonly user: string | null;
  readonly application: string | null;
  readonly state: string | null;
}

const POLL_MS = 500;

/**
 * Watches the restore's backend from a second connection: while it waits
 * for a lock (pg_blocking_pids), the sessions that hold it are logged once,
 * and remembered for the error if the wait ends at lock_timeout.
 */
export class LockMonitor {
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private lastPids = '';
  private observed: BlockingSession[] = [];
  private stopped = false;

  constructor(
    private readonly client: PgClient,
    private readonly backendPid: number,
    private readonly log: Logger,
    private readonly lockTimeoutMs: number,
  ) {}

  start(): void {
    const schedule = (): void => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        this.polling = this.poll().finally(schedule);
      }, POLL_MS);
      // Nothing to wait for once the restore is over.
      this.timer.unref();
    };
    schedule();
  }

  /** The sessions seen blocking the restore, most recent wait. */
  get blockers(): readonly BlockingSession[] {
    return this.observed;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.polling?.catch(() => undefined);
  }

  private async poll(): Promise<void> {
    try {
      const sessions = await blockingSessions(this.client, this.backendPid);
      const pids = sessions.map((session) => session.pid).join(',');
      if (sessions.length > 0) this.observed = sessions;
      if (pids && pids !== this.lastPids) {
        const limit =
          this.lockTimeoutMs > 0
            ? `it gives up after ${formatMs(this.lockTimeoutMs)} (--lock-timeout)`
            : 'it waits as long as it takes (--lock-timeout 0)';
        this.log.info(
          `The restore is waiting for a lock held by ${describeSessions(sessions)}; ${limit}.`,
        );
      }
      this.lastPids = pids;
    } catch {
      // A monitor that cannot ask is no reason to stop a restore.
    }
  }
}

/** The sessions that block `pid` (pg_blocking_pids), as pg_stat_activity shows them. */
export async function blockingSessions(client: PgClient, pid: number): Promise<BlockingSession[]> {
  const result = await client.query<BlockingSession>(
    `SELECT a.pid, a.usename AS user, a.application_name AS application, a.state
     FROM pg_catalog.pg_stat_activity a
     WHERE a.pid = ANY (pg_catalog.pg_blocking_pids($1)) ORDER BY a.pid`,
    [pid],
  );
  return result.rows;
}

/**
 * After a lock wait gave up, the waiter no longer waits: the sessions that
 * still hold locks on tables of the database are the likely blockers.
 */
export async function sessionsHoldingLocks(
  client: PgClient,
  database: string,
  exceptPid: number,
): Promise<BlockingSession[]> {
  const result = await client.query<BlockingSession>(
    `SELECT DISTINCT a.pid, a.usename AS user, a.application_name AS application, a.state
     FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
     WHERE l.granted AND l.locktype = 'relation'
       AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = $1)
       AND a.pid <> pg_catalog.pg_backend_pid() AND a.pid <> $2
     ORDER BY a.pid`,
    [database, exceptPid],
  );
  return result.rows;
}

export function describeSessions(sessions: readonly BlockingSession[]): string {
  return sessions
    .map((session) => {
      const parts = [
        session.user ? `user ${session.user}` : undefined,
        session.application ? `application "${session.application}"` : undefined,
        session.state ? `state ${session.state}` : undefined,
      ].filter(Boolean);
      return `pid ${session.pid}${parts.length ? ` (${parts.join(', ')})` : ''}`;
    })
    .join(', ');
}

export function formatMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}
