import { redact } from '../domain/secrets.js';
import type { Notification } from './notification.js';
import { postWithRetry } from './post.js';
import { payloadFor } from './webhook-formats.js';
import type { Webhook } from './webhook-url.js';

/**
 * Sends the notification to every webhook at once, each in its own format,
 * by `deadline`. Returns one line per webhook that did not take it; nothing
 * here throws, so a failing receiver can never fail the job.
 */
export async function notifyWebhooks(
  webhooks: readonly Webhook[],
  notification: Notification,
  deadline: number,
): Promise<string[]> {
  const outcomes = await Promise.all(
    webhooks.map(async (webhook) => {
      const text = JSON.stringify(payloadFor(webhook.format, notification));
      const outcome = await postWithRetry(
        webhook.url,
        { contentType: 'application/json', text },
        deadline,
      );
      return outcome.ok
        ? undefined
        : `the ${webhook.format} notification to ${webhook.label} failed: ${redact(outcome.detail)}${outcome.attempts > 1 ? ` (${outcome.attempts} attempts)` : ''}`;
    }),
  );
  return outcomes.filter((problem): problem is string => problem !== undefined);
}
