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

export function onInterruption(fn: Notice | undefined): void {
  notice = fn;
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
