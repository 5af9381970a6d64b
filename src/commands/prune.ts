import { withCatalog, type Catalog } from '../catalog/catalog.js';
import { identityKey, ownDatabase, type OwnDatabase } from '../catalog/identity.js';
import { withPlaceLock } from '../catalog/lock.js';
import { orphanManifestsOf } from '../catalog/orphans.js';
import { applyDatabaseRetention } from '../catalog/retention.js';
import type { PruneConfig } from './command-config.js';
import type { DatabaseIdentity } from '../domain/manifest.js';
import { createStorage } from '../storage/factory.js';
import type { RunContext } from './context.js';
import { describeRules } from '../retention/calendar-retention.js';

export interface PruneResult {
  readonly command: 'prune';
  readonly dryRun: boolean;
  readonly removed: readonly string[];
  readonly kept: readonly string[];
  /** Kept beyond the window as the newest backup that held rows (every newer one was empty). */
  readonly keptForData: readonly string[];
  /** Why each kept backup is kept: the rules that keep it (`daily 2026-11-30`), or the guard that does. */
  readonly keptBy: Readonly<Record<string, readonly string[]>>;
  /** The rules applied, as given: `max-backups=10` or `keep-daily=7, keep-weekly=4`. */
  readonly rules: string;
  /** Backups whose database cannot be told (no readable manifest, or one older than identities): never removed. */
  readonly leftAlone: readonly string[];
  /** Manifests of ours whose backup was gone: removed (or, with --dry-run, would be). */
  readonly orphanManifests: readonly string[];
}

const KINDS = ['backup', 'sanitized'] as const;

/**
 * The rolling window on demand: the given database's, or without one each
 * database's own window (grouped by the identity in the manifests). Orphan
 * manifests of ours go too.
 */
export async function runPrune(config: PruneConfig, context: RunContext): Promise<PruneResult> {
  const storage = await createStorage(config.from, config.targets);
  const given = config.database ? await ownDatabase(config.database, config.name) : undefined;
  return withPlaceLock(storage, () =>
    withCatalog(storage, async (catalog) => {
      catalog.assertThere('prune');
      const removed: string[] = [];
      const kept: string[] = [];
      const keptForData: string[] = [];
      const keptBy: Record<string, readonly string[]> = {};
      const counted = new Set<string>();
      for (const own of given ? [given] : await everyDatabase(catalog)) {
        // Regular backups and sanitized copies each have a window of their own.
        for (const kind of KINDS) {
          const outcome = await applyDatabaseRetention(
            catalog,
            own,
            { maxBackups: config.maxBackups, keep: config.keep, dryRun: config.dryRun, kind },
            quietAboutLeftAlone(context),
          );
          removed.push(...outcome.removed);
          kept.push(...outcome.kept);
          for (const name of [...outcome.removed, ...outcome.kept]) counted.add(name);
          if (outcome.keptForData) keptForData.push(outcome.keptForData);
          for (const backup of [...outcome.keptBackups].reverse())
            keptBy[backup.name] = backup.reasons;
        }
      }
      const leftAlone = catalog
        .entries({ engine: config.engine })
        .filter((entry) => entry.backup.kind !== 'before-restore')
        .map((entry) => entry.backup.name)
        .filter((name) => !counted.has(name) && !removed.includes(name));
      const unowned = given ? await unprovable(catalog, given, leftAlone) : leftAlone;
      if (unowned.length > 0) {
        context.log.info(
          `Left alone (no manifest says whose backup it is${given ? ', or it may be another database’s' : ''}): ${unowned.join(', ')}`,
        );
      }
      const orphanManifests = await orphanManifestsOf(catalog, given);
      for (const name of orphanManifests) {
        context.log.info(
          `${config.dryRun ? 'Would remove' : 'Removing'} ${name} from ${storage.id}: its backup is gone`,
        );
        if (!config.dryRun) await storage.delete(name);
      }
      return {
        command: 'prune',
        dryRun: config.dryRun,
        removed,
        kept,
        keptForData,
        keptBy,
        rules: describeRules(config.keep, config.maxBackups),
        leftAlone: unowned,
        orphanManifests,
      };
    }),
  );
}

/** Each database whose backups the place holds, by the identity in their manifests. */
async function everyDatabase(catalog: Catalog): Promise<OwnDatabase[]> {
  const seen = new Map<string, DatabaseIdentity>();
  for (const entry of catalog.entries()) {
    if (!entry.hasManifest) continue;
    const identity = (await catalog.manifestOf(entry.backup.name)).manifest?.identity;
    if (identity) seen.set(identityKey(identity), identity);
  }
  return [...seen.values()].map((identity) => ({ identity, legacyName: '', exact: true }));
}

/** With a database given, the backups not of it that cannot be shown to be another's. */
async function unprovable(
  catalog: Catalog,
  own: OwnDatabase,
  names: readonly string[],
): Promise<string[]> {
  const result: string[] = [];
  for (const entry of catalog.entries({ engine: own.identity.engine })) {
    if (!names.includes(entry.backup.name)) continue;
    if ((await catalog.ownership(entry, own)) === 'unknown') result.push(entry.backup.name);
  }
  return result;
}

/** The per-window note on backups left alone is said once, for the whole prune. */
function quietAboutLeftAlone(context: RunContext): RunContext['log'] {
  return {
    info: (message: string) => {
      if (!message.startsWith('Left alone')) context.log.info(message);
    },
    warn: (message: string) => context.log.warn(message),
  };
}
