import type { PruneConfig } from '../config/config.js';
import type { EngineKind } from '../config/database-url.js';
import { createStorage } from '../storage/factory.js';
import type { RunContext } from './context.js';
import { describeRules } from '../retention/calendar-retention.js';
import { applyRetention } from './retention.js';

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
}

const ENGINES: readonly EngineKind[] = ['sqlite', 'postgres'];

/** The rolling window and calendar rules on demand: for the URL's engine, or for each engine when no URL is given. */
export async function runPrune(config: PruneConfig, context: RunContext): Promise<PruneResult> {
  const storage = await createStorage(config.from, config.targets);
  const removed: string[] = [];
  const kept: string[] = [];
  const keptForData: string[] = [];
  const keptBy: Record<string, readonly string[]> = {};
  for (const engine of config.engine ? [config.engine] : ENGINES) {
    // Regular backups and sanitized copies each have a window of their own.
    for (const kind of ['backup', 'sanitized'] as const) {
      const outcome = await applyRetention(
        storage,
        { engine, maxBackups: config.maxBackups, keep: config.keep, dryRun: config.dryRun, kind },
        context.log,
      );
      removed.push(...outcome.removed);
      kept.push(...outcome.kept);
      if (outcome.keptForData) keptForData.push(outcome.keptForData);
      for (const backup of [...outcome.keptBackups].reverse()) keptBy[backup.name] = backup.reasons;
    }
  }
  return {
    command: 'prune',
    dryRun: config.dryRun,
    removed,
    kept,
    keptForData,
    keptBy,
    rules: describeRules(config.keep, config.maxBackups),
  };
}
