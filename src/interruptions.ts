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
 * Runs every registered handler, each at most `timeoutMs`, and returns their
 * messages (one line each) in registration order.
 */
export async function runInterruptHandlers(
  signal: NodeJS.Signals,
  timeoutMs: number,
): Promise<string[]> {
  const running = [...handlers].map((handler) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(
        () => resolve('an interrupted task did not finish stopping in time'),
        timeoutMs,
      );
    });
    return Promise.race([
      handler(signal).catch((error: unknown) => String(error)),
      timeout,
    ]).finally(() => clearTimeout(timer));
  });
  handlers.clear();
  return (await Promise.all(running)).filter((message): message is string => Boolean(message));
}
