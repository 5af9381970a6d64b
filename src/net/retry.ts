/**
 * Retrying remote calls that failed for a passing reason: a 5xx, a 429, a
 * connection reset. Exponential backoff with jitter, so that many jobs hit by
 * the same outage do not come back in step; a server's Retry-After wins.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** The first pause; each next one doubles, up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** The longest wait a server may ask for (Retry-After, a rate limit's reset) before we give up instead. */
  readonly maxServerWaitMs: number;
}

export type RetryAdvice =
  | { readonly retry: false }
  /** `afterMs`: the server said how long to wait. */
  | { readonly retry: true; readonly afterMs?: number };

/** The pause before attempt `attempt + 1` (attempt counts from 1): base·2^(n-1), capped, then scaled by a random 50–100 %. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exponential * (0.5 + random() / 2));
}

/** Retry-After: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const attemptsMade = new WeakMap<object, number>();

/** How many attempts were made before `error` was given up on (1 when it was not retried). */
export function attemptsOf(error: unknown): number {
  return typeof error === 'object' && error !== null ? (attemptsMade.get(error) ?? 1) : 1;
}

/**
 * Runs `operation` until it succeeds, `advise` says the error is not worth
 * another try, the attempts run out, or a server asks for a longer wait than
 * the policy allows. The last error is thrown (attemptsOf tells how many).
 */
export async function withRetries<T>(
  operation: (attempt: number) => Promise<T>,
  advise: (error: unknown) => RetryAdvice,
  policy: RetryPolicy,
  options: { sleep?: (ms: number) => Promise<void>; random?: () => number } = {},
): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation(attempt);
    } catch (error) {
      const advice = advise(error);
      const wait = advice.retry ? (advice.afterMs ?? backoffDelay(attempt, policy, random)) : 0;
      if (!advice.retry || attempt >= policy.attempts || wait > policy.maxServerWaitMs) {
        if (typeof error === 'object' && error !== null) attemptsMade.set(error, attempt);
        throw error;
      }
      await sleep(wait);
    }
  }
}
