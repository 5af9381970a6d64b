import type { StatusConfig } from './command-config.js';
import type { EngineKind } from '../domain/database-location.js';
import type { DatabaseIdentity } from '../domain/manifest.js';
import { createStorage } from '../storage/factory.js';
import { withCatalog, type Catalog } from '../catalog/catalog.js';
import { describeIdentity, ownDatabase, type OwnDatabase } from '../catalog/identity.js';
import {
  ageText,
  judgeStatus,
  worstState,
  type StatusState,
  type StatusVerdict,
} from '../status/status-verdict.js';
import type { RunContext } from './context.js';

/** What status says of one database's backups. */
export interface DatabaseStatus {
  /** Whose backups ("SQLite /srv/app.db"); null when no database was given or told apart. */
  readonly database: string | null;
  readonly ok: boolean;
  readonly state: StatusState;
  readonly problems: readonly string[];
  readonly newest: {
    readonly name: string;
    readonly createdAt: string;
    readonly ageSeconds: number;
  } | null;
  /** The newest passed test restore of a backup still held, that no later failure took back. */
  readonly lastVerified: {
    readonly backup: string;
    readonly at: string;
    readonly ageSeconds: number;
  } | null;
  /** The newest verification (a full one, or a failed quick one), when it failed. */
  readonly lastFailedVerification: { readonly backup: string; readonly at: string } | null;
}

export interface StatusResult extends Omit<DatabaseStatus, 'database'> {
  readonly command: 'status';
  readonly location: string;
  readonly engine: EngineKind | null;
  /** One line for people and for monitoring systems that show the first line. */
  readonly summary: string;
  readonly maxAge: string;
  readonly maxAgeSeconds: number;
  readonly verifiedWithin: string | null;
  readonly verifiedWithinSeconds: number | null;
  /** Backups dated ahead of the clock, not counted. */
  readonly future: readonly string[];
  /**
   * With no database given and backups of several at the place: each one's
   * own status (the fields above are those of the one that decides).
   */
  readonly databases?: readonly DatabaseStatus[];
}

const LABEL: Record<StatusState, string> = {
  ok: 'OK',
  'no-backup': 'NO BACKUP',
  stale: 'STALE',
  'verification-failed': 'VERIFICATION FAILED',
  unverified: 'UNVERIFIED',
};

/** The backups of one database at the place, and how to name them. */
interface Judged {
  readonly database: DatabaseIdentity | undefined;
  readonly what: string | undefined;
  readonly verdict: StatusVerdict;
}

/**
 * Whether backups are still being made (and proven to restore), for cron
 * checks, Nagios-style monitors and scheduled workflows: the target's listing
 * alone decides, nothing is downloaded but the manifests that tell whose
 * backups are whose. Without a database, a place that holds the backups of
 * several is judged database by database, and the worst decides: one
 * database's fresh backup never hides another's stale one.
 */
export async function runStatus(config: StatusConfig, context: RunContext): Promise<StatusResult> {
  const storage = await createStorage(config.from, config.targets);
  const own = config.database ? await ownDatabase(config.database, config.name) : undefined;
  const now = context.now?.() ?? new Date();
  const judge = (names: string[], only: ReadonlySet<string> | undefined, what?: string) =>
    judgeStatus({
      names,
      engine: config.engine,
      only,
      what,
      now,
      maxAgeMs: config.maxAge.ms,
      verifiedWithinMs: config.verifiedWithin?.ms,
    });
  const { judged, absence } = await withCatalog(storage, async (catalog) => ({
    judged: await judgeDatabases(catalog, own, config.engine, judge),
    absence: catalog.absenceNote,
  }));
  const state = worstState(judged.map((j) => j.verdict.state));
  const deciding = judged.find((j) => j.verdict.state === state) ?? judged[0]!;
  const fallback = config.engine ? `${config.engine} backup` : 'backup';
  const goodOf = ({ what, verdict }: Judged): string => {
    const good: string[] = [];
    if (verdict.newest && verdict.state !== 'stale') {
      good.push(
        `newest ${what ?? fallback} ${verdict.newest.name} is ${ageText(verdict.newest.ageMs)} old (max ${config.maxAge.text})`,
      );
    }
    if (verdict.lastVerified && verdict.state !== 'unverified') {
      good.push(
        `last passed test restore ${ageText(verdict.lastVerified.ageMs)} ago${config.verifiedWithin ? ` (max ${config.verifiedWithin.text})` : ''}`,
      );
    }
    return good.join('; ');
  };
  const several = judged.length > 1;
  const summary =
    state === 'ok'
      ? `OK: ${several ? `${judged.length} databases: ` : ''}${judged.map(goodOf).join('; ')} at ${storage.location}`
      : `${LABEL[state]}: ${judged.flatMap((j) => j.verdict.problems).join('; ')} at ${storage.location}${absence ? ` (${absence})` : ''}`;
  const decided = statusOf(deciding);
  return {
    command: 'status',
    location: storage.location,
    engine: config.engine ?? null,
    newest: decided.newest,
    lastVerified: decided.lastVerified,
    lastFailedVerification: decided.lastFailedVerification,
    ok: state === 'ok',
    state,
    summary,
    problems: judged.flatMap((j) => j.verdict.problems),
    maxAge: config.maxAge.text,
    maxAgeSeconds: seconds(config.maxAge.ms),
    verifiedWithin: config.verifiedWithin?.text ?? null,
    verifiedWithinSeconds: config.verifiedWithin ? seconds(config.verifiedWithin.ms) : null,
    future: [...new Set(judged.flatMap((j) => j.verdict.future))],
    ...(several ? { databases: judged.map(statusOf) } : {}),
  };
}

const seconds = (ms: number): number => Math.round(ms / 1000);

function statusOf({ database, verdict }: Judged): DatabaseStatus {
  return {
    database: database ? describeIdentity(database) : null,
    ok: verdict.state === 'ok',
    state: verdict.state,
    problems: verdict.problems,
    newest: verdict.newest
      ? {
          name: verdict.newest.name,
          createdAt: verdict.newest.time.toISOString(),
          ageSeconds: seconds(verdict.newest.ageMs),
        }
      : null,
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
  };
}

/** Each database's verdict: the one given, or every one whose backups the place holds. */
async function judgeDatabases(
  catalog: Catalog,
  own: OwnDatabase | undefined,
  engine: EngineKind | undefined,
  judge: (names: string[], only: ReadonlySet<string> | undefined, what?: string) => StatusVerdict,
): Promise<Judged[]> {
  const names = [...catalog.names];
  if (own) {
    // Only backups whose manifest proves they are its own count (as for latest).
    const ours = new Set<string>();
    for (const entry of catalog.entries({ engine: own.identity.engine, kind: 'backup' }))
      if ((await catalog.ownership(entry, own)) === 'ours') ours.add(entry.backup.name);
    const what = `backup of ${describeIdentity(own.identity)}`;
    return [{ database: own.identity, what, verdict: judge(names, ours, what) }];
  }
  const databases = await databasesAt(catalog, engine);
  if (databases.length < 2)
    return [{ database: undefined, what: undefined, verdict: judge(names, undefined) }];
  return databases.map(({ identity, backups }) => {
    const what = `backup of ${describeIdentity(identity)}`;
    return { database: identity, what, verdict: judge(names, backups, what) };
  });
}

/**
 * The databases whose regular backups the place holds, told apart by the
 * identity their manifests record: by name where a backup has one, else by
 * address. Unnamed backups join the named database at their address only
 * when there is exactly one such; otherwise they are a database of their
 * own — never grouped by which backup came first. A backup without an
 * identity (made by another tool, or before identities) is nobody's here.
 */
async function databasesAt(
  catalog: Catalog,
  engine: EngineKind | undefined,
): Promise<{ identity: DatabaseIdentity; backups: Set<string> }[]> {
  const byKey = new Map<string, { identity: DatabaseIdentity; backups: Set<string> }>();
  for (const entry of catalog.entries({ engine, kind: 'backup' })) {
    if (!entry.hasManifest) continue;
    const identity = (await catalog.manifestOf(entry.backup.name)).manifest?.identity;
    if (!identity) continue;
    // A named database is its name wherever it was backed up from (it may have moved).
    const key = JSON.stringify(
      identity.name !== undefined
        ? [identity.engine, 'name', identity.name]
        : [identity.engine, 'address', identity.database],
    );
    const known = byKey.get(key) ?? { identity, backups: new Set<string>() };
    known.backups.add(entry.backup.name);
    byKey.set(key, known);
  }
  const groups = [...byKey.values()];
  const named = groups.filter((group) => group.identity.name !== undefined);
  const databases = named.slice();
  for (const unnamed of groups.filter((group) => group.identity.name === undefined)) {
    const at = named.filter(
      (group) =>
        group.identity.engine === unnamed.identity.engine &&
        group.identity.database === unnamed.identity.database,
    );
    if (at.length === 1) for (const name of unnamed.backups) at[0]!.backups.add(name);
    else databases.push(unnamed);
  }
  return databases;
}
