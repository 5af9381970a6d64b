import type { Logger } from '../domain/logger.js';
import type { Progress } from '../domain/progress.js';

/** What a command may use from its surroundings; the entries provide it. */
export interface RunContext {
  readonly log: Logger;
  /** Asks a person at a terminal; absent when nobody can answer. */
  readonly prompt?: (question: string) => Promise<string>;
  readonly cwd: string;
  /** The time a backup is named after; tests fix it. */
  readonly now?: () => Date;
  /** Shows long work is alive; absent with --quiet (and in tests). */
  readonly progress?: Progress;
}
