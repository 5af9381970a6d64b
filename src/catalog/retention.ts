import { manifestNameOf, type BackupKind } from '../backup-name.js';
import { heldRows } from '../manifest.js';
import { planRetention, type RetentionPolicy } from '../retention/plan-retention.js';
import { recordsOf } from '../verification/verification-record.js';
import type { Catalog, CatalogEntry } from './catalog.js';
import { describeIdentity, type OwnDatabase } from './identity.js';

/** Logging as the commands' logger does it (structurally the same). */
interface RetentionLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface KeptBackup {
  readonly name: string;
  readonly size: number;
  readonly time: string;
}

export interface RetentionOutcome {
  readonly kept: readonly string[];
  readonly removed: readonly string[];
  /** The backups kept, oldest first, with their sizes (the summary's chart). */
  readonly keptBackups: readonly KeptBackup[];
  /** Kept beyond the window as the newest backup that held rows (every newer one was empty). */
  readonly keptForData?: string;
  /** Backups of the engine and kind whose database cannot be told: left alone. */
  readonly leftAlone: readonly string[];
}

/** The plan's policy without what the catalog supplies (engine, what each backup held), plus how to apply it. */
export type DatabaseRetentionPolicy = Omit<RetentionPolicy, 'engine' | 'heldRows'> & {
  readonly dryRun?: boolean;
  /** What is known without reading (the backup just written: whether it held rows). */
  readonly known?: ReadonlyMap<string, boolean>;
};

/**
 * The backups a database's window counts: those whose manifest proves they
 * are of it, and old ones (manifest from before identities) whose manifest
 * names the same engine and database name. A backup without a readable
 * manifest is nobody's: it is left alone (and said).
 */
export async function backupsOf(
  catalog: Catalog,
  own: OwnDatabase,
  kind: BackupKind,
): Promise<{ ours: CatalogEntry[]; unknown: CatalogEntry[] }> {
  const ours: CatalogEntry[] = [];
  const unknown: CatalogEntry[] = [];
  for (const entry of catalog.entries({ engine: own.identity.engine, kind })) {
    const ownership = await catalog.ownership(entry, own);
    if (ownership === 'ours' || ownership === 'old-match') ours.push(entry);
    else if (ownership === 'unknown') unknown.push(entry);
  }
  return { ours, unknown };
}

/**
 * Applies one database's rolling window at one place. Only that database's
 * backups are candidates (see `backupsOf`); the plan itself is the pure
 * `planRetention`. A backup goes first, then its manifest and verification
 * records, so that a run stopped in between leaves at most an orphan manifest
 * (which `prune` removes), never a backup without its manifest. The place is
 * listed again before the outcome is reported: a peer may have pruned too.
 */
export async function applyDatabaseRetention(
  catalog: Catalog,
  own: OwnDatabase,
  policy: DatabaseRetentionPolicy,
  log: RetentionLog,
): Promise<RetentionOutcome> {
  const where = catalog.storage.id;
  const { ours, unknown } = await backupsOf(catalog, own, policy.kind ?? 'backup');
  const held = new Map<string, boolean>();
  for (const entry of ours) {
    const known = policy.known?.get(entry.backup.name);
    const manifest = (await catalog.manifestOf(entry.backup.name)).manifest;
    if (known !== undefined) held.set(entry.backup.name, known);
    else if (manifest) held.set(entry.backup.name, heldRows(manifest));
  }
  // Only the plan's own settings go to the plan (the GFS rules, when added, pass through as they are).
  const planPolicy: Omit<RetentionPolicy, 'engine' | 'heldRows'> = Object.fromEntries(
    Object.entries(policy).filter(([key]) => key !== 'dryRun' && key !== 'known'),
  ) as Omit<RetentionPolicy, 'engine' | 'heldRows'>;
  const plan = planRetention(
    ours.map((entry) => entry.backup.name),
    { ...planPolicy, engine: own.identity.engine, heldRows: held },
  );
  if (plan.keptForData) {
    log.info(
      `Keeping ${plan.keptForData.name} at ${where} beyond max-backups=${policy.maxBackups}: it is the newest backup known to hold rows, and no newer one is`,
    );
  }
  if (unknown.length > 0) {
    log.info(
      `Left alone at ${where}: ${unknown.map((e) => e.backup.name).join(', ')} (no readable manifest says whose backup it is; the window of ${describeIdentity(own.identity)} neither counts nor removes it — delete it by hand when it is no longer needed)`,
    );
  }
  const names = catalog.names;
  for (const backup of plan.remove) {
    const verb = policy.dryRun ? 'Would remove' : 'Removing';
    log.info(`${verb} ${backup.name} from ${where} (beyond max-backups=${policy.maxBackups})`);
    if (policy.dryRun) continue;
    await catalog.storage.delete(backup.name);
    // What belongs to the backup goes with it: a record never outlives it as a stray file.
    const manifest = manifestNameOf(backup.name);
    for (const companion of [manifest, ...recordsOf(backup.name, names)]) {
      if (names.has(companion)) await catalog.storage.delete(companion);
    }
  }
  let stillThere = (name: string): boolean => names.has(name);
  if (!policy.dryRun) {
    await catalog.refresh();
    const now = catalog.names;
    stillThere = (name) => now.has(name);
  }
  const kept = plan.keep.filter((backup) => stillThere(backup.name));
  return {
    kept: kept.map((b) => b.name),
    removed: plan.remove.map((b) => b.name),
    keptBackups: [...kept].reverse().map((b) => ({
      name: b.name,
      size: catalog.sizeOf(b.name) ?? 0,
      time: b.time.toISOString(),
    })),
    ...(plan.keptForData ? { keptForData: plan.keptForData.name } : {}),
    leftAlone: unknown.map((e) => e.backup.name),
  };
}
