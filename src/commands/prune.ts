import type { PruneConfig } from '../config/config.js';
import type { EngineKind } from '../config/database-url.js';
import { createStorage } from '../storage/factory.js';
import type { RunContext } from './context.js';
import { applyRetention } from './retention.js';

export interface PruneResult {
  readonly command: 'prune';
  readonly dryRun: boolean;
  readonly removed: readonly string[];
  readonly kept: readonly string[];
  /** Kept beyond the window as the newest backup that held rows (every newer one was empty). */
  readonly keptForData: readonly string[];
}

const ENGINES: readonly EngineKind[] = ['sqlite', 'postgres'];

/** The rolling window on demand: for the URL's engine, or for each engine when no URL is given. */
export async function runPrune(config: PruneConfig, context: RunContext): Promise<PruneResult> {
  const storage = createStorage(config.from, config.targets);
  const removed: string[] = [];
  const kept: string[] = [];
  const keptForData: string[] = [];
  for (const engine of config.engine ? [config.engine] : ENGINES) {
    const outcome = await applyRetention(
      storage,
      { engine, maxBackups: config.maxBackups, dryRun: config.dryRun },
      context.log,
    );
    removed.push(...outcome.removed);
    kept.push(...outcome.kept);
    if (outcome.keptForData) keptForData.push(outcome.keptForData);
  }
  return { command: 'prune', dryRun: config.dryRun, removed, kept, keptForData };
}
