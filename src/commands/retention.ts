import { manifestNameOf } from '../backup-name.js';
import type { EngineKind } from '../config/database-url.js';
import { planRetention } from '../retention/plan-retention.js';
import type { Storage } from '../storage/storage.js';
import { recordsOf } from '../verification/verification-record.js';
import type { Logger } from './context.js';

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
}

/** Applies the rolling window at one storage target: backups with their manifests and verification records. */
export async function applyRetention(
  storage: Storage,
  policy: { engine: EngineKind; maxBackups: number; protect?: readonly string[]; dryRun?: boolean },
  log: Logger,
): Promise<RetentionOutcome> {
  const objects = await storage.list();
  const names = new Set(objects.map((object) => object.name));
  const plan = planRetention([...names], policy);
  for (const backup of plan.remove) {
    const verb = policy.dryRun ? 'Would remove' : 'Removing';
    log.info(`${verb} ${backup.name} from ${storage.id} (beyond max-backups=${policy.maxBackups})`);
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
    keptBackups: [...plan.keep]
      .reverse()
      .map((b) => ({ name: b.name, size: sizes.get(b.name) ?? 0, time: b.time.toISOString() })),
  };
}
