import { describe, expect, test } from 'vitest';
import { isConnectionError } from '../src/net/network-errors.js';
import { backoffDelay, retryAfterMs, withRetries, type RetryPolicy } from '../src/net/retry.js';

const POLICY: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 1000,
  maxDelayMs: 8000,
  maxServerWaitMs: 60_000,
};

describe('retry policy', () => {
  test.each([
    [1, 0, 500],
    [1, 1, 1000],
    [2, 1, 2000],
    [3, 1, 4000],
    [4, 1, 8000],
    [6, 1, 8000],
    [3, 0.5, 3000],
  ])('attempt %d, random %d: %d ms', (attempt, random, ms) => {
    expect(backoffDelay(attempt, POLICY, () => random)).toBe(ms);
  });

  test.each([
    ['3', 3000],
    ['0', 0],
    [' 12 ', 12_000],
    ['Tue, 01 Dec 2026 12:00:30 GMT', 30_000],
    ['Tue, 01 Dec 2026 11:00:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('Retry-After %s → %s ms', (header, ms) => {
    expect(retryAfterMs(header, Date.UTC(2026, 11, 1, 12, 0, 0))).toBe(ms);
  });

  test('connection errors are recognised through their causes', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(isConnectionError(new TypeError('fetch failed', { cause: reset }))).toBe(true);
    expect(isConnectionError(new TypeError('terminated'))).toBe(true);
    expect(isConnectionError(new Error('Not Found'))).toBe(false);
  });

  test('retries what it is told to, with the pauses of the policy, then gives the last error', async () => {
    const pauses: number[] = [];
    let calls = 0;
    const error = await withRetries(
      () => {
        calls += 1;
        return Promise.reject(new Error(`fail ${calls}`));
      },
      () => ({ retry: true }),
      POLICY,
      { sleep: (ms) => Promise.resolve(void pauses.push(ms)), random: () => 1 },
    ).catch((e: unknown) => e as Error);
    expect(calls).toBe(4);
    expect(pauses).toEqual([1000, 2000, 4000]);
    expect(error.message).toBe('fail 4');
  });

  test('a server-given wait is used; one longer than the policy allows stops at once', async () => {
    const pauses: number[] = [];
    let calls = 0;
    const sleep = (ms: number) => Promise.resolve(void pauses.push(ms));
    const result = await withRetries(
      () => {
        calls += 1;
        return calls < 2 ? Promise.reject(new Error('429')) : Promise.resolve('done');
      },
      () => ({ retry: true, afterMs: 7000 }),
      POLICY,
      { sleep },
    );
    expect(result).toBe('done');
    expect(pauses).toEqual([7000]);
    calls = 0;
    await expect(
      withRetries(
        () => {
          calls += 1;
          return Promise.reject(new Error('rate limited for an hour'));
        },
        () => ({ retry: true, afterMs: 3_600_000 }),
        POLICY,
        { sleep },
      ),
    ).rejects.toThrow('rate limited for an hour');
    expect(calls).toBe(1);
  });

  test('what is not worth a retry is thrown at once', async () => {
    let calls = 0;
    await expect(
      withRetries(
        () => {
          calls += 1;
          return Promise.reject(new Error('403'));
        },
        () => ({ retry: false }),
        POLICY,
      ),
    ).rejects.toThrow('403');
    expect(calls).toBe(1);
  });
});
