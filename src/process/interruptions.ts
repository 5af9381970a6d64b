// What a run does when SIGINT or SIGTERM stops it: first the work in progress
// stops in a known way (interrupt handlers), then the last word is said (the
// interruption notice: log line, notifications). src/main.ts calls them in that order.

/**
 * Work in progress that must be stopped in a known way when the process is
 * told to stop (SIGTERM from a cron timeout or `docker stop`, SIGINT from a
 * person): a restore kills its psql and asks the server what became of its
 * transaction, so the last line the user reads is true. SIGKILL runs none of
 * this; the restore is built so that it cannot commit then either.
 */
export type InterruptHandler = (signal: NodeJS.Signals) => Promise<string | undefined>;

const handlers = new Set<InterruptHandler>();

/** Registers a handler for the next SIGINT/SIGTERM; the returned function removes it. */
export function onInterrupt(handler: InterruptHandler): () => void {
  handlers.add(handler);
  return () => {
    handlers.delete(handler);
  };
}

/**
 * Holds a signal's exit back until `step` has settled. For a step that makes a
 * file under a name (an exclusive open, a link, a write): on disk the file can
 * exist before the step returns and tells the sweep, and a sweep that ran
 * meanwhile would miss it. Told after the sweep, the file goes at once (see
 * fs/live-temps.ts). Only for short steps: the exit waits for it.
 */
export function finishedBeforeExit<T>(step: Promise<T>): Promise<T> {
  const stopWaiting = onInterrupt(() =>
    step.then(
      () => undefined,
      () => undefined,
    ),
  );
  return step.finally(stopWaiting);
}

/** Each cleanup, with what to say if it does not end in time (instead of its own word). */
const cleanups = new Map<InterruptHandler, string | undefined>();

/**
 * Registers what must happen once the work in progress has stopped (every
 * `onInterrupt` handler has answered), such as dropping the scratch database
 * a stopped test restore was filling, and what to say if it cannot finish in
 * time; the returned function removes it.
 */
export function onInterruptCleanup(handler: InterruptHandler, late?: string): () => void {
  cleanups.set(handler, late);
  return () => {
    cleanups.delete(handler);
  };
}

/**
 * Runs every registered handler, then every cleanup, all within `timeoutMs`
 * of the start, and returns their messages (one line each) in that order.
 */
export async function runInterruptHandlers(
  signal: NodeJS.Signals,
  timeoutMs: number,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  const stopping = [...handlers].map((handler) => [handler, undefined] as const);
  handlers.clear();
  const messages = await runUntil(stopping, signal, deadline);
  const cleaning = [...cleanups];
  cleanups.clear();
  return [...messages, ...(await runUntil(cleaning, signal, deadline))];
}

async function runUntil(
  running: readonly (readonly [InterruptHandler, string | undefined])[],
  signal: NodeJS.Signals,
  deadline: number,
): Promise<string[]> {
  const answers = running.map(([handler, late]) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(
        () => resolve(late ?? 'an interrupted task did not finish stopping in time'),
        Math.max(0, deadline - Date.now()),
      );
    });
    return Promise.race([
      handler(signal).catch((error: unknown) => String(error)),
      timeout,
    ]).finally(() => clearTimeout(timer));
  });
  return (await Promise.all(answers)).filter((message): message is string => Boolean(message));
}

/**
 * What must still happen, synchronously, when SIGINT or SIGTERM stops the
 * run (a cron timeout, a cancelled workflow): the log file's last line, the
 * failure notifications. The entry that knows them sets it; the signal
 * handler calls it just before the process exits. Synchronous on purpose:
 * while it runs, nothing of the interrupted job moves on (no upload
 * finishes, no rolling window runs, no restore commits).
 */
type Notice = (signal: NodeJS.Signals) => void;

let notice: Notice | undefined;

/** Backups a rolling window removed in this run and no finished work accounts for yet. */
const pruned: string[] = [];
/** Backups whose removal had begun and not ended. */
const removing = new Set<string>();

export function onInterruption(fn: Notice | undefined): void {
  notice = fn;
  // A run has ended: what it pruned is not the next run's (in this process) to tell.
  if (!fn) prunedAccountedFor();
}

/** Runs the notice once; a notice that fails is left at that (the process is about to exit). */
export function announceInterruption(signal: NodeJS.Signals): void {
  const fn = notice;
  notice = undefined;
  try {
    fn?.(signal);
  } catch {
    // Nothing more can be done for it.
  }
}

let finishedWith: number | undefined;

/**
 * The job has ended with exit status `code` and only its notifications are
 * still on their way (undefined: not, or no longer). A signal then stops the
 * sending alone: the job's work is done, and the status it earned stands.
 */
export function jobFinished(code: number | undefined): void {
  finishedWith = code;
}

export function finishedCode(): number | undefined {
  return finishedWith;
}

let finishedWork: (() => string | undefined) | undefined;

/**
 * A run over several databases says, as it goes, what it has finished (each
 * one stored and pruned by its own window): a signal afterwards must not
 * claim that nothing was pruned. Returns what turns it off.
 */
export function onFinishedWork(describe: () => string | undefined): () => void {
  finishedWork = describe;
  return () => {
    if (finishedWork === describe) finishedWork = undefined;
  };
}

/**
 * A rolling window is removing `name` (at `where`): a signal's last word must
 * not say nothing was pruned. Call the returned function once it is gone.
 */
export function noteRemoving(name: string, where: string): () => void {
  const entry = `${name} (${where})`;
  removing.add(entry);
  return () => {
    removing.delete(entry);
    pruned.push(entry);
  };
}

/** What was pruned so far is told by the finished work's own account from now on. */
export function prunedAccountedFor(): void {
  pruned.length = 0;
  removing.clear();
}

/** Up to five names, then how many more. */
function listed(names: readonly string[]): string {
  const shown = names.slice(0, 5).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

/** The last word of a run a signal stopped: what went, and what had been finished before. */
export function interruptionMessage(signal: NodeJS.Signals): string {
  const finished = finishedWork?.();
  const removed = [
    pruned.length > 0 ? `had removed ${listed(pruned)}` : undefined,
    removing.size > 0 ? `was removing ${listed([...removing])} as the signal came` : undefined,
  ]
    .filter(Boolean)
    .join(' and ');
  if (finished) {
    return removed
      ? `stopped by ${signal}; temporary files removed. Finished before it: ${finished}; the window of the one under way ${removed}; nothing else was pruned.`
      : `stopped by ${signal}; temporary files removed. Finished before it: ${finished}; nothing else was pruned.`;
  }
  return removed
    ? `stopped by ${signal}; temporary files removed. The rolling window ${removed}; nothing else was pruned.`
    : `stopped by ${signal}; temporary files removed, nothing was pruned.`;
}
