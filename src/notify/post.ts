import {
  connectionErrorText,
  isConnectionError,
  isTransientStatus,
} from '../net/network-errors.js';
import { retryAfterMs } from '../net/retry.js';
import { TOOL_NAME, TOOL_VERSION } from '../domain/version.js';

export interface PostOutcome {
  readonly ok: boolean;
  /** What happened, for a warning when not ok: `502 Bad Gateway: rollup_error`, `no answer within 10 s`. */
  readonly detail: string;
  readonly attempts: number;
}

export interface PostBody {
  readonly contentType: string;
  readonly text: string;
}

/**
 * fetch refuses a URL with `user:password@`: those go as HTTP Basic
 * authentication, as curl sends them. Returns the URL without them and the headers to add.
 */
export function withoutCredentials(url: URL): { href: string; headers: Record<string, string> } {
  if (!url.username && !url.password) return { href: url.href, headers: {} };
  const bare = new URL(url.href);
  bare.username = '';
  bare.password = '';
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  return {
    href: bare.href,
    headers: { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
  };
}

/** The pause before the one retry when the server does not say (a few seconds at most are added to a job). */
const RETRY_PAUSE_MS = 1000;
/** A retry is not started when less than this is left before the deadline. */
const MIN_ATTEMPT_MS = 500;
/** How much of an error response is kept for the message. */
const MAX_DETAIL = 200;

/**
 * POSTs `body` to `url` by `deadline` (epoch ms), retrying once on a 5xx, a
 * 429 or a broken connection when time is left. Never throws: the outcome
 * says what happened. The caller redacts `detail` (a service may echo the URL).
 */
export async function postWithRetry(
  url: URL,
  body: PostBody | undefined,
  deadline: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<PostOutcome> {
  let detail = '';
  const target = withoutCredentials(url);
  for (let attempt = 1; attempt <= 2; attempt += 1) {
    const remaining = deadline - Date.now();
    if (remaining <= (attempt === 1 ? 0 : MIN_ATTEMPT_MS)) break;
    let retryAfter: number | undefined;
    const started = Date.now();
    try {
      const response = await fetch(target.href, {
        method: 'POST',
        headers: {
          ...target.headers,
          'User-Agent': `${TOOL_NAME}/${TOOL_VERSION}`,
          ...(body ? { 'Content-Type': body.contentType } : {}),
        },
        ...(body ? { body: body.text } : {}),
        signal: AbortSignal.timeout(remaining),
      });
      if (response.ok) {
        // The answer's body says nothing more ("ok", "OK", 1); it is not waited for.
        await response.body?.cancel().catch(() => undefined);
        return { ok: true, detail: `${response.status}`, attempts: attempt };
      }
      const text = await firstCharacters(response, MAX_DETAIL);
      detail = `${response.status} ${response.statusText}${text ? `: ${text}` : ''}`.trim();
      if (!isTransientStatus(response.status)) return { ok: false, detail, attempts: attempt };
      retryAfter = retryAfterMs(response.headers.get('retry-after'), Date.now());
    } catch (error) {
      const name = (error as { name?: unknown }).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        const seconds = Math.max(1, Math.round((Date.now() - started) / 1000));
        return { ok: false, detail: `no answer within ${seconds} s`, attempts: attempt };
      }
      detail = connectionErrorText(error);
      // Only a connection that failed is worth another try; anything else would fail the same way.
      if (!isConnectionError(error)) return { ok: false, detail, attempts: attempt };
    }
    if (attempt === 2) return { ok: false, detail, attempts: attempt };
    const pause = retryAfter ?? RETRY_PAUSE_MS;
    if (Date.now() + pause > deadline - MIN_ATTEMPT_MS) {
      return { ok: false, detail: `${detail} (no time left to retry)`, attempts: attempt };
    }
    await sleep(pause);
  }
  return { ok: false, detail: detail || 'no time left to send it', attempts: 0 };
}

/** Up to `max` characters of the response body on one line; the rest is not read. */
async function firstCharacters(response: Response, max: number): Promise<string> {
  if (!response.body) return '';
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < max) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, max);
}
