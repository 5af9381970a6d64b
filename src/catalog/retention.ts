import { manifestNameOf, type BackupKind } from '../domain/backup-name.js';
import { heldRows } from '../domain/manifest.js';
import { describeRules, hasCalendarRules } from '../retention/calendar-retention.js';
import {
  describeRetentionReason,
  planRetention,
  type RetentionPolicy,
} from '../retention/plan-retention.js';
import { noteRemoving } from '../process/interruptions.js';
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
  /** Why it is kept: each rule that keeps it (`daily 2026-11-30`), or the guard that does. */
  readonly reasons: readonly string[];
}

export interface RetentionOutcome {
  readonly kept: readonly string[];
  readonly removed: readonly string[];
  /** The backups kept, oldest first, with their sizes (the summary's chart). */
  readonly keptBackups: readonly KeptBackup[];
  /** Kept beyond the window as the newest backup that held rows (every newer one was empty). */
  readonly keptForData?: string;
  /** Kept beyond every rule as the newest backup that passed a test restore. */
  readonly keptVerified?: string;
  /** Kept beyond every rule as the backup whose test restore passed most recently. */
  readonly keptFreshestProof?: string;
  /** Kept beyond every rule as the newest backup with a verification, which failed. */
  readonly keptFailure?: string;
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
  // Only the plan's own settings go to the plan (the calendar rules pass through as they are).
  const planPolicy: Omit<RetentionPolicy, 'engine' | 'heldRows'> = Object.fromEntries(
    Object.entries(policy).filter(([key]) => key !== 'dryRun' && key !== 'known'),
  ) as Omit<RetentionPolicy, 'engine' | 'heldRows'>;
  // The backups' verification records go with them: the newest verified backup is never removed.
  const plan = planRetention(
    ours.flatMap((entry) => [entry.backup.name, ...recordsOf(entry.backup.name, catalog.names)]),
    { ...planPolicy, engine: own.identity.engine, heldRows: held },
  );
  const rules = describeRules(policy.keep, policy.maxBackups);
  const reasonsOf = (name: string): string[] =>
    (plan.reasons.get(name) ?? []).map(describeRetentionReason);
  if (plan.keptForData) {
    log.info(
      `Keeping ${plan.keptForData.name} at ${where} beyond ${rules}: it is the newest backup known to hold rows, and no newer one is`,
    );
  }
  for (const backup of plan.keptUnread ?? []) {
    log.info(
      `Keeping ${backup.name} at ${where} beyond ${rules}: it has no readable manifest, a newer backup is of an empty database and none is known to hold rows, so it may be the last copy of the data`,
    );
  }
  if (plan.keptVerified) {
    log.info(
      `Keeping ${plan.keptVerified.name} at ${where} beyond ${rules}: it is the newest backup that passed a test restore (db-backup verify)`,
    );
  }
  if (plan.keptFreshestProof) {
    log.info(
      `Keeping ${plan.keptFreshestProof.name} at ${where} beyond ${rules}: its test restore passed most recently (db-backup verify)`,
    );
  }
  if (plan.keptFailure) {
    log.info(
      `Keeping ${plan.keptFailure.name} at ${where} beyond ${rules}: its verification failed and no newer backup has passed one since; it goes once one does (until then status says VERIFICATION FAILED)`,
    );
  }
  if (unknown.length > 0) {
    log.info(
      `Left alone at ${where}: ${unknown.map((e) => e.backup.name).join(', ')} (no readable manifest says whose backup it is; the window of ${describeIdentity(own.identity)} neither counts nor removes it — delete it by hand when it is no longer needed)`,
    );
  }
  // Which rule keeps what: a calendar policy is only trusted when it can be read.
  if (policy.maxBackups !== 0) {
    for (const backup of plan.keep) {
      log.info(`Kept ${backup.name} at ${where}: ${reasonsOf(backup.name).join(', ')}`);
    }
  }
  const names = catalog.names;
  for (const backup of plan.remove) {
    const verb = policy.dryRun ? 'Would remove' : 'Removing';
    const why = hasCalendarRules(policy.keep) ? `no rule keeps it: ${rules}` : `beyond ${rules}`;
    log.info(`${verb} ${backup.name} from ${where} (${why})`);
    if (policy.dryRun) continue;
    const removed = noteRemoving(backup.name, where);
    await catalog.storage.delete(backup.name);
    removed();
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
      reasons: reasonsOf(b.name),
    })),
    ...(plan.keptForData ? { keptForData: plan.keptForData.name } : {}),
    ...(plan.keptVerified ? { keptVerified: plan.keptVerified.name } : {}),
    ...(plan.keptFreshestProof ? { keptFreshestProof: plan.keptFreshestProof.name } : {}),
    ...(plan.keptFailure ? { keptFailure: plan.keptFailure.name } : {}),
    leftAlone: unknown.map((e) => e.backup.name),
  };
}
