/**
 * Every secret the run knows about (passwords in URLs, passphrases, keys) is
 * registered here once. The action hands each to the runner, which masks it
 * in the whole log. `redact` masks them in text that comes from outside —
 * a child's stderr, a server's or an SDK's error, a URL — before it becomes
 * part of a message. Our own messages are written without secrets and are
 * never passed through it, so no ordinary word of ours turns into `***`.
 */
const secrets = new Set<string>();
const listeners: ((secret: string) => void)[] = [];

/** Shorter values are not secrets worth masking: masking them would blank out ordinary text. */
const SHORTEST_MASKED = 3;
/**
 * Secrets shorter than this are masked only as whole tokens (not inside a
 * longer word), so that a short password does not blank out every word that
 * contains it; longer ones wherever they occur.
 */
const WHOLE_TOKEN_BELOW = 8;

export function registerSecret(secret: string | undefined): void {
  if (!secret || secret.length < SHORTEST_MASKED || secrets.has(secret)) return;
  secrets.add(secret);
  const encoded = encodeURIComponent(secret);
  if (encoded !== secret) secrets.add(encoded);
  for (const listener of listeners) {
    listener(secret);
    if (encoded !== secret) listener(encoded);
  }
}

/** Called for every secret, past and future (the action masks them in the runner's log). */
export function onSecret(listener: (secret: string) => void): void {
  listeners.push(listener);
  for (const secret of secrets) listener(secret);
}

const WORD_CHARACTER = /[\p{L}\p{N}_]/u;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A pattern for one secret: anywhere when long, else where it is not part of a longer word. */
function patternFor(secret: string): RegExp {
  const body = escapeRegExp(secret);
  const characters = [...secret];
  if (characters.length >= WHOLE_TOKEN_BELOW) return new RegExp(body, 'gu');
  const before = WORD_CHARACTER.test(characters[0] ?? '') ? '(?<![\\p{L}\\p{N}_])' : '';
  const after = WORD_CHARACTER.test(characters.at(-1) ?? '') ? '(?![\\p{L}\\p{N}_])' : '';
  return new RegExp(`${before}${body}${after}`, 'gu');
}

/** Masks every registered secret in text that comes from outside this tool. */
export function redact(text: string): string {
  let result = text;
  // Longest first, so that a secret containing another is replaced whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    result = result.replace(patternFor(secret), '***');
  }
  return result;
}

/** `scheme://user:password@` (up to the last `@` of the word) and `password=` in a query. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:)[^\s]*@/gi;
const QUERY_PASSWORD = /([?&](?:ssl)?password=)[^&#\s]*/gi;

/**
 * Text the user typed, quoted back in a message (an argument that is not
 * where it belongs may be a database URL with its password, not yet known as
 * a secret): shown with any password of a URL in it replaced by `***`.
 */
export function withoutCredentials(text: string): string {
  return text.replace(URL_PASSWORD, '$1***@').replace(QUERY_PASSWORD, '$1***');
}
