import type { StatusConfig } from './command-config.js';
import type { EngineKind } from '../domain/database-location.js';
import { createStorage } from '../storage/factory.js';
import { withCatalog } from '../catalog/catalog.js';
import { describeIdentity, ownDatabase } from '../catalog/identity.js';
import { ageText, judgeStatus, type StatusState } from '../status/status-verdict.js';
import type { RunContext } from './context.js';

export interface StatusResult {
  readonly command: 'status';
  readonly location: string;
  readonly engine: EngineKind | null;
  /** true: fresh (and verified, when asked); the CLI exits 0. */
  readonly ok: boolean;
  readonly state: StatusState;
  /** One line for people and for monitoring systems that show the first line. */
  readonly summary: string;
  readonly problems: readonly string[];
  readonly newest: {
    readonly name: string;
    readonly createdAt: string;
    readonly ageSeconds: number;
  } | null;
  readonly maxAge: string;
  readonly maxAgeSeconds: number;
  readonly verifiedWithin: string | null;
  readonly verifiedWithinSeconds: number | null;
  /** The newest passed test restore of a backup still held. */
  readonly lastVerified: {
    readonly backup: string;
    readonly at: string;
    readonly ageSeconds: number;
  } | null;
  /** The newest verification, when it failed. */
  readonly lastFailedVerification: { readonly backup: string; readonly at: string } | null;
  /** Backups dated ahead of the clock, not counted. */
  readonly future: readonly string[];
}

const LABEL: Record<StatusState, string> = {
  ok: 'OK',
  'no-backup': 'NO BACKUP',
  stale: 'STALE',
  'verification-failed': 'VERIFICATION FAILED',
  unverified: 'UNVERIFIED',
};

/**
 * Whether backups are still being made (and proven to restore), for cron
 * checks, Nagios-style monitors and scheduled workflows: the target's listing
 * alone decides, nothing is downloaded.
 */
export async function runStatus(config: StatusConfig, context: RunContext): Promise<StatusResult> {
  const storage = await createStorage(config.from, config.targets);
  const own = config.database ? await ownDatabase(config.database, config.name) : undefined;
  // With a database, only backups whose manifest proves they are its own count (as for latest).
  const { names, only } = await withCatalog(storage, async (catalog) => {
    if (!own) return { names: [...catalog.names], only: undefined };
    const ours = new Set<string>();
    for (const entry of catalog.entries({ engine: own.identity.engine, kind: 'backup' }))
      if ((await catalog.ownership(entry, own)) === 'ours') ours.add(entry.backup.name);
    return { names: [...catalog.names], only: ours };
  });
  const now = context.now?.() ?? new Date();
  const verdict = judgeStatus({
    names,
    engine: config.engine,
    only,
    what: own ? `backup of ${describeIdentity(own.identity)}` : undefined,
    now,
    maxAgeMs: config.maxAge.ms,
    verifiedWithinMs: config.verifiedWithin?.ms,
  });
  const seconds = (ms: number): number => Math.round(ms / 1000);
  const what = own
    ? `backup of ${describeIdentity(own.identity)}`
    : config.engine
      ? `${config.engine} backup`
      : 'backup';
  const good: string[] = [];
  if (verdict.newest && verdict.state !== 'stale') {
    good.push(
      `newest ${what} ${verdict.newest.name} is ${ageText(verdict.newest.ageMs)} old (max ${config.maxAge.text})`,
    );
  }
  if (verdict.lastVerified && verdict.state !== 'unverified') {
    good.push(
      `last passed test restore ${ageText(verdict.lastVerified.ageMs)} ago${config.verifiedWithin ? ` (max ${config.verifiedWithin.text})` : ''}`,
    );
  }
  const summary =
    verdict.state === 'ok'
      ? `OK: ${good.join('; ')} at ${storage.location}`
      : `${LABEL[verdict.state]}: ${verdict.problems.join('; ')} at ${storage.location}`;
  return {
    command: 'status',
    location: storage.location,
    engine: config.engine ?? null,
    ok: verdict.state === 'ok',
    state: verdict.state,
    summary,
    problems: verdict.problems,
    newest: verdict.newest
      ? {
          name: verdict.newest.name,
          createdAt: verdict.newest.time.toISOString(),
          ageSeconds: seconds(verdict.newest.ageMs),
        }
      : null,
    maxAge: config.maxAge.text,
    maxAgeSeconds: seconds(config.maxAge.ms),
    verifiedWithin: config.verifiedWithin?.text ?? null,
    verifiedWithinSeconds: config.verifiedWithin ? seconds(config.verifiedWithin.ms) : null,
    lastVerified: verdict.lastVerified
      ? {
          backup: verdict.lastVerified.backup,
          at: verdict.lastVerified.time.toISOString(),
          ageSeconds: seconds(verdict.lastVerified.ageMs),
        }
      : null,
    lastFailedVerification: verdict.lastFailure
      ? { backup: verdict.lastFailure.backup, at: verdict.lastFailure.time.toISOString() }
      : null,
    future: verdict.future,
  };
}
