import type { Progress } from '../domain/progress.js';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  /**
   * Runs `work` as one phase of the job (the dump, the upload to one target,
   * a test restore): a collapsible group in the GitHub Actions log. Absent
   * where phases need no frame (a terminal, a log file).
   */
  section?<T>(title: string, work: () => Promise<T>): Promise<T>;
}

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

/** `work` as a phase of the log, when the log has phases. */
export function inSection<T>(log: Logger, title: string, work: () => Promise<T>): Promise<T> {
  return log.section ? log.section(title, work) : work();
}
