/**
 * Every secret the run knows about (passwords in URLs, passphrases, keys) is
 * registered here once, so that any text leaving the process — a log line, an
 * error, a summary — can be passed through `redact` first.
 */
const secrets = new Set<string>();
const listeners: ((secret: string) => void)[] = [];

export function registerSecret(secret: string | undefined): void {
  if (!secret || secret.length < 3 || secrets.has(secret)) return;
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

export function redact(text: string): string {
  let result = text;
  // Longest first, so that a secret containing another is replaced whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    result = result.split(secret).join('***');
  }
  return result;
}
