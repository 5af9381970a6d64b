import { UserError } from '../domain/errors.js';
import type { Progress, ProgressOptions, ProgressTask } from '../domain/progress.js';
import { formatBytes, formatDuration } from '../domain/format.js';

/** Where progress goes. */
export interface ProgressOutput {
  /** A terminal: one line, redrawn in place. Otherwise a log, which gets a line now and then. */
  readonly terminal: boolean;
  /** At a terminal: make `text` the current line (an empty text clears it). In a log: print it. */
  write(text: string): void;
}

/** Time, as the reporter sees it; tests drive a fake one. */
export interface ProgressClock {
  now(): number;
  /** Calls `tick` every `ms` until the returned function is called. */
  every(ms: number, tick: () => void): () => void;
}

export const REAL_CLOCK: ProgressClock = {
  now: () => Date.now(),
  every: (ms, tick) => {
    const timer = setInterval(tick, ms);
    // Progress never keeps the process alive.
    timer.unref();
    return () => clearInterval(timer);
  },
};

/** How often the line at a terminal is redrawn. */
export const TERMINAL_REDRAW_MS = 500;
/** How often a log gets a line: often enough to see a job is alive, rarely enough not to flood it. */
export const LOG_INTERVAL_MS = 15_000;

export interface ProgressLineOptions {
  readonly output: ProgressOutput;
  /** Between two lines in a log (not at a terminal). */
  readonly logIntervalMs?: number;
  readonly clock?: ProgressClock;
}

/**
 * Progress as people read it: at a terminal one line updated in place twice
 * a second; in a log (GitHub Actions, cron mail) a line every
 * `logIntervalMs`, the first only once that much time has passed, so short
 * work prints nothing at all.
 */
export function progressLine(options: ProgressLineOptions): Progress {
  const { output, clock = REAL_CLOCK, logIntervalMs = LOG_INTERVAL_MS } = options;
  return {
    start(label: string, task: ProgressOptions = {}): ProgressTask {
      const started = clock.now();
      let counted = 0;
      let ended = false;
      let shown = false;
      const stop = clock.every(output.terminal ? TERMINAL_REDRAW_MS : logIntervalMs, () => {
        if (ended) return;
        const done = task.poll ? polled(task.poll, counted) : counted;
        output.write(describeProgress(label, done, clock.now() - started, task));
        shown = true;
      });
      return {
        advance: (bytes) => {
          counted += bytes;
        },
        end: () => {
          if (ended) return;
          ended = true;
          stop();
          if (output.terminal && shown) output.write('');
        },
      };
    },
  };
}

function polled(poll: () => number, fallback: number): number {
  try {
    return poll();
  } catch {
    // The file being counted may not exist yet.
    return fallback;
  }
}

/** `backing up app.db: 412.3 MiB of 1.00 GiB (41%), 35.2 MiB/s, 12.0 s` */
export function describeProgress(
  label: string,
  bytes: number,
  elapsedMs: number,
  task: Pick<ProgressOptions, 'total' | 'estimate' | 'uncounted'> = {},
): string {
  if (task.uncounted) return `${label}: ${formatDuration(elapsedMs)}`;
  const parts = [formatBytes(bytes)];
  const total = task.total;
  if (total !== undefined && total > 0) {
    const percent = Math.floor((bytes / total) * 100);
    if (!task.estimate) parts[0] += ` of ${formatBytes(total)} (${Math.min(100, percent)}%)`;
    else if (bytes <= total) parts[0] += ` of ~${formatBytes(total)} (~${Math.min(99, percent)}%)`;
  }
  if (elapsedMs >= 1000) parts.push(`${formatBytes(Math.round(bytes / (elapsedMs / 1000)))}/s`);
  parts.push(formatDuration(elapsedMs));
  return `${label}: ${parts.join(', ')}`;
}

/**
 * stderr at a terminal, shared by the progress line and log lines: a log
 * line first clears the progress line, which is drawn again below it. The
 * progress line is cut to the terminal's width, so that it never wraps
 * (a wrapped line cannot be redrawn in place).
 */
export function terminalStderr(
  write: (raw: string) => void,
  columns: () => number | undefined,
): { readonly progress: ProgressOutput; line(text: string): void } {
  let current = '';
  return {
    progress: {
      terminal: true,
      write: (text) => {
        const width = columns();
        current = width !== undefined && width > 1 ? text.slice(0, width - 1) : text;
        write(`\r${current}\x1b[K`);
      },
    },
    line: (text) => {
      if (current) write('\r\x1b[K');
      write(`${text}\n`);
      if (current) write(current);
    },
  };
}

/**
 * DB_BACKUP_PROGRESS_INTERVAL: seconds between progress lines in a log
 * (default 15); a value that is not 1 to 3600 is refused in one line.
 */
export function logIntervalFrom(env: Readonly<Record<string, string | undefined>>): number {
  const value = env.DB_BACKUP_PROGRESS_INTERVAL?.trim();
  if (!value) return LOG_INTERVAL_MS;
  const seconds = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(seconds >= 1 && seconds <= 3600)) {
    throw new UserError(
      `DB_BACKUP_PROGRESS_INTERVAL must be a whole number of seconds, 1 to 3600 (got "${value}").`,
    );
  }
  return seconds * 1000;
}
