import { runChildSync } from '../process/child-processes.js';
import { TOOL_NAME, TOOL_VERSION } from '../domain/version.js';
import { withoutCredentials } from './post.js';

export interface PendingRequest {
  readonly url: URL;
  readonly contentType: string;
  readonly body: string;
}

/**
 * Run by a child Node.js: POSTs every request at once and exits when all are
 * answered or the time is up. The requests (whose URLs are secrets) arrive on
 * stdin, never in the argument list.
 */
const SENDER = `
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c)).on('end', async () => {
  const { requests, budgetMs, agent } = JSON.parse(Buffer.concat(chunks).toString());
  const signal = AbortSignal.timeout(budgetMs);
  await Promise.allSettled(requests.map((r) =>
    fetch(r.url, { method: 'POST', headers: { ...r.headers, 'Content-Type': r.contentType, 'User-Agent': agent }, body: r.body, signal })
      .then((res) => res.body?.cancel())));
  process.exit(0);
});`;

/**
 * Sends `requests` while this process waits, blocked: used when a signal
 * stops the run, so that the interrupted job cannot move on meanwhile. At
 * most `budgetMs` (plus a second for the child to start); no retry, no
 * report — the process exits right after.
 */
export function sendBeforeExit(requests: readonly PendingRequest[], budgetMs: number): void {
  if (requests.length === 0) return;
  const sent = requests.map(({ url, contentType, body }) => {
    const { href, headers } = withoutCredentials(url);
    return { url: href, headers, contentType, body };
  });
  // The child's environment is the notifier's allow-list: no secret of ours travels with it.
  runChildSync('notifier', process.execPath, ['-e', SENDER], {
    input: JSON.stringify({ requests: sent, budgetMs, agent: `${TOOL_NAME}/${TOOL_VERSION}` }),
    timeoutMs: budgetMs + 1000,
  });
}
