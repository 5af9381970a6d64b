import { setTimeout as sleep } from 'node:timers/promises';
import type { RestoreBackend } from './psql-session.js';
import type { PgClient } from './server.js';

/** What the server says became of a restore's transaction. */
export type TransactionOutcome =
  | { readonly status: 'aborted' }
  | { readonly status: 'committed' }
  | { readonly status: 'unknown'; readonly reason: string };

export interface OutcomeOptions {
  /** How long to wait for the transaction to end after its backend was told to stop. */
  readonly timeoutMs?: number;
}

/**
 * Asks the server what became of the restore's transaction (txid_status),
 * once psql is gone. A backend busy with a long statement (an index build)
 * only notices that psql went away when the statement ends, so a
 * transaction still in progress has its backend terminated — only that
 * backend, recognised by its pid and its transaction — and is asked again
 * until it is over.
 */
export async function transactionOutcome(
  connect: () => Promise<PgClient>,
  backend: RestoreBackend,
  options: OutcomeOptions = {},
): Promise<TransactionOutcome> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let client: PgClient;
  try {
    client = await connect();
  } catch (error) {
    return {
      status: 'unknown',
      reason: `the server could not be asked (${(error as Error).message})`,
    };
  }
  try {
    let terminated = false;
    for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
      const result = await client.query<{ status: string | null }>(
        'SELECT pg_catalog.txid_status($1::bigint) AS status',
        [backend.xid],
      );
      const status = result.rows[0]?.status ?? null;
      if (status === 'aborted') return { status: 'aborted' };
      if (status === 'committed') return { status: 'committed' };
      if (status === null) {
        return {
          status: 'unknown',
          reason: `the server no longer knows transaction ${backend.xid}`,
        };
      }
      if (!terminated) {
        terminated = true;
        // Without the right to signal it (another role's backend), waiting is all that is left.
        await client
          .query(
            `SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity
             WHERE pid = $1 AND backend_xid::text = ($2::bigint % 4294967296)::text`,
            [backend.pid, backend.xid],
          )
          .catch(() => undefined);
      }
      if (Date.now() > deadline) {
        return {
          status: 'unknown',
          reason: `transaction ${backend.xid} (backend ${backend.pid}) was still in progress after psql stopped`,
        };
      }
      await sleep(wait);
    }
  } catch (error) {
    return {
      status: 'unknown',
      reason: `the server could not be asked (${(error as Error).message})`,
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}
