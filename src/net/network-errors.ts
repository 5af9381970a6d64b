/**
 * Which errors of a remote call mean "the network or the service had
 * trouble" rather than "the request was wrong": one table for every backend
 * (S3, Azure, GCS, GitHub's artifacts, webhooks) and the PostgreSQL
 * connection, so that they all agree on what is retried and what is said.
 */

/** Node's and undici's codes for a connection that could not be made: no route, no name, refused, no answer. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Codes for a connection that was made and then broke or stalled. */
const BROKEN_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** A name that does not resolve now will not resolve a second later: said, not retried. */
const NOT_RETRIED_CODES = new Set(['ENOTFOUND']);

/** How libraries say "the connection broke" without a code (fetch's `terminated`, undici, Node's http). */
const BROKEN_MESSAGE = /socket hang up|other side closed|terminated/i;

/** How deep to look through `cause` and AggregateError's `errors`: SDKs wrap the socket's error a few times. */
const MAX_DEPTH = 5;

/** The error and what it wraps (its `cause`, an AggregateError's `errors`), nearest first. */
function* causesOf(error: unknown, depth = 0): Generator<object> {
  if (typeof error !== 'object' || error === null || depth >= MAX_DEPTH) return;
  yield error;
  const { cause, errors } = error as { cause?: unknown; errors?: unknown };
  if (Array.isArray(errors)) for (const inner of errors) yield* causesOf(inner, depth + 1);
  yield* causesOf(cause, depth + 1);
}

/** The network code (ECONNRESET, EAI_AGAIN, UND_ERR_SOCKET, ...) the error or anything it wraps carries. */
export function networkCodeOf(error: unknown): string | undefined {
  for (const inner of causesOf(error)) {
    const code = (inner as { code?: unknown }).code;
    if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || BROKEN_CODES.has(code)))
      return code;
  }
  return undefined;
}

/** A code of a connection that could not be made at all (as opposed to one that broke once made). */
export function isUnreachableCode(code: string): boolean {
  return UNREACHABLE_CODES.has(code);
}

/** A connection that broke, was refused or timed out, whatever library wrapped the error: worth another try. */
export function isConnectionError(error: unknown): boolean {
  const code = networkCodeOf(error);
  if (code !== undefined) return !NOT_RETRIED_CODES.has(code);
  for (const inner of causesOf(error)) {
    const message = (inner as { message?: unknown }).message;
    if (typeof message === 'string' && BROKEN_MESSAGE.test(message)) return true;
  }
  return false;
}

/** An HTTP status that says "later" rather than "no": 408 Request Timeout, 429 Too Many Requests, any 5xx. */
export function isTransientStatus(status: number | undefined): boolean {
  return (
    status === 408 || status === 429 || (status !== undefined && status >= 500 && status < 600)
  );
}

/** A short description of a connection error: its code and message, without a stack. */
export function connectionErrorText(error: unknown): string {
  const parts: string[] = [];
  for (let cause = error, depth = 0; cause && depth < MAX_DEPTH; depth += 1) {
    const { code, message } = cause as { code?: unknown; message?: unknown };
    const text = [typeof code === 'string' ? code : '', typeof message === 'string' ? message : '']
      .filter(Boolean)
      .join(' ');
    if (text && !parts.some((part) => part.includes(text))) parts.push(text);
    cause = (cause as { cause?: unknown }).cause;
  }
  return parts.join(': ') || String(error);
}
