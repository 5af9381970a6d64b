import fs from 'node:fs/promises';
import path from 'node:path';
import { manifestNameOf, type BackupKind } from '../backup-name.js';
import type { EngineKind } from '../config/database-url.js';
import { errorMessage } from '../errors.js';
import { heldRows, parseManifest } from '../manifest.js';
import { removeQuietly, temporaryDirectory } from '../pipeline/files.js';
import {
  describeRules,
  hasCalendarRules,
  type CalendarRules,
} from '../retention/calendar-retention.js';
import {
  describeRetentionReason,
  newestWithRows,
  planRetention,
  retentionCandidates,
} from '../retention/plan-retention.js';
import { LocalStorage } from '../storage/local.js';
import type { Storage } from '../storage/storage.js';
import { recordsOf } from '../verification/verification-record.js';
import type { Logger } from './context.js';

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
}

/**
 * Applies the rolling window and the calendar rules at one storage target:
 * backups with their manifests and verification records. Each kept backup
 * carries the rules that keep it. When the window would remove anything,
 * manifests are read newest first until one shows a backup that held rows,
 * and that backup is never removed, nor any newer one whose manifest cannot
 * be read when a backup newer than it is of an empty database (`known`
 * answers for backups already at hand, such as the one just written, without
 * reading).
 */
export async function applyRetention(
  storage: Storage,
  policy: {
    engine: EngineKind;
    maxBackups: number | undefined;
    keep?: CalendarRules;
    protect?: readonly string[];
    dryRun?: boolean;
    known?: ReadonlyMap<string, boolean>;
    kind?: Exclude<BackupKind, 'before-restore'>;
  },
  log: Logger,
): Promise<RetentionOutcome> {
  const objects = await storage.list();
  const names = new Set(objects.map((object) => object.name));
  let plan = planRetention([...names], policy);
  if (plan.remove.length > 0) {
    const reader = manifestReader(storage, names, log);
    try {
      const held = await newestWithRows(
        retentionCandidates([...names], policy.engine, policy.kind),
        async (backup) => policy.known?.get(backup.name) ?? reader.heldRows(backup.name),
      );
      plan = planRetention([...names], { ...policy, heldRows: held });
    } finally {
      await reader.release();
    }
  }
  const rules = describeRules(policy.keep, policy.maxBackups);
  const reasonsOf = (name: string): string[] =>
    (plan.reasons.get(name) ?? []).map(describeRetentionReason);
  if (plan.keptForData) {
    log.info(
      `Keeping ${plan.keptForData.name} at ${storage.id} beyond ${rules}: it is the newest backup known to hold rows, and no newer one is`,
    );
  }
  for (const backup of plan.keptUnread ?? []) {
    log.info(
      `Keeping ${backup.name} at ${storage.id} beyond ${rules}: it has no readable manifest, a newer backup is of an empty database and none is known to hold rows, so it may be the last copy of the data`,
    );
  }
  if (plan.keptVerified) {
    log.info(
      `Keeping ${plan.keptVerified.name} at ${storage.id} beyond ${rules}: it is the newest backup that passed a test restore (db-backup verify)`,
    );
  }
  // Which rule keeps what: a calendar policy is only trusted when it can be read.
  if (policy.maxBackups !== 0) {
    for (const backup of plan.keep) {
      log.info(`Kept ${backup.name} at ${storage.id}: ${reasonsOf(backup.name).join(', ')}`);
    }
  }
  for (const backup of plan.remove) {
    const verb = policy.dryRun ? 'Would remove' : 'Removing';
    const why = hasCalendarRules(policy.keep) ? `no rule keeps it: ${rules}` : `beyond ${rules}`;
    log.info(`${verb} ${backup.name} from ${storage.id} (${why})`);
    if (policy.dryRun) continue;
    await storage.delete(backup.name);
    // What belongs to the backup goes with it: a record never outlives it as a stray file.
    const manifest = manifestNameOf(backup.name);
    for (const companion of [manifest, ...recordsOf(backup.name, names)]) {
      if (names.has(companion)) await storage.delete(companion);
    }
  }
  const sizes = new Map(objects.map((object) => [object.name, object.size]));
  return {
    kept: plan.keep.map((b) => b.name),
    removed: plan.remove.map((b) => b.name),
    keptBackups: [...plan.keep].reverse().map((b) => ({
      name: b.name,
      size: sizes.get(b.name) ?? 0,
      time: b.time.toISOString(),
      reasons: reasonsOf(b.name),
    })),
    ...(plan.keptForData ? { keptForData: plan.keptForData.name } : {}),
    ...(plan.keptVerified ? { keptVerified: plan.keptVerified.name } : {}),
  };
}

/** Reads backups' manifests at a target (remote ones into a private temporary directory). */
function manifestReader(
  storage: Storage,
  names: ReadonlySet<string>,
  log: Logger,
): { heldRows(name: string): Promise<boolean | undefined>; release(): Promise<void> } {
  let dir: string | undefined;
  return {
    heldRows: async (name) => {
      const manifestName = manifestNameOf(name);
      if (!names.has(manifestName)) return undefined;
      try {
        let file: string;
        if (storage instanceof LocalStorage) file = storage.pathOf(manifestName);
        else {
          dir ??= await temporaryDirectory('retention');
          file = path.join(dir, manifestName);
          await removeQuietly(file);
          await storage.get(manifestName, file);
        }
        return heldRows(parseManifest(await fs.readFile(file, 'utf8'), manifestName));
      } catch (error) {
        log.info(
          `Cannot tell whether ${name} held rows (${errorMessage(error)}); looking further back`,
        );
        return undefined;
      }
    },
    release: async () => {
      if (dir) await removeQuietly(dir);
    },
  };
}
