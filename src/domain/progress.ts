/**
 * How long work shows it is alive: the stages that move a backup's bytes
 * report them to a task; the entry decides how (and whether) that is shown
 * (see report/progress-line.ts).
 */
export interface ProgressTask {
  /** More bytes done. */
  advance(bytes: number): void;
  /** The work is over, done or failed: a line drawn in place goes away. */
  end(): void;
}

export interface ProgressOptions {
  /** The size the work will reach, for a percentage. */
  readonly total?: number | undefined;
  /** `total` is only an estimate (pg_database_size): shown with a "~", never as 100 %. */
  readonly estimate?: boolean;
  /** For work no stage of ours sees (a download writing a file): asked for the bytes at each update. */
  readonly poll?: () => number;
  /** Work whose bytes nobody counts (a snapshot taken in one step): only the time is shown. */
  readonly uncounted?: boolean;
}

export interface Progress {
  start(label: string, options?: ProgressOptions): ProgressTask;
}

const IDLE_TASK: ProgressTask = { advance: () => undefined, end: () => undefined };

/** Shows nothing: `--quiet`, tests, and callers that were given no progress. */
export const NO_PROGRESS: Progress = { start: () => IDLE_TASK };
