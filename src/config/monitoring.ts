import { UserError } from '../domain/errors.js';
import { HealthcheckPing } from '../notify/healthchecks.js';
import { parseWebhookFormat, parseWebhooks, type Webhook } from '../notify/webhook-url.js';
import { parseDuration } from './duration.js';
import type { CommandName } from './options.js';
import { text, type Settings } from './values.js';

/** Who hears how the job ended: webhooks and a healthchecks.io-style ping. */
export interface Monitoring {
  readonly webhooks: readonly Webhook[];
  readonly ping: HealthcheckPing | undefined;
  /** The time the notifications of one moment (the start, the end) may take together. */
  readonly timeoutMs: number;
  /** Things to tell the user before the job runs. */
  readonly warnings: readonly string[];
}

const MONITORED: readonly CommandName[] = ['backup', 'restore', 'verify', 'prune'];

/**
 * Read before the rest of the configuration, so that a job refused for its
 * settings (a secret that vanished from the scheduled job) still reports its
 * failure. The URLs are registered as secrets here, before anything prints.
 */
export function parseMonitoring(command: CommandName, settings: Settings): Monitoring {
  if (!MONITORED.includes(command)) {
    return { webhooks: [], ping: undefined, timeoutMs: 0, warnings: [] };
  }
  const urls = (settings['notify-url'] ?? '').split(/\s+/).filter(Boolean);
  const webhooks = parseWebhooks(
    urls,
    parseWebhookFormat(text(settings, 'notify-format') ?? 'generic'),
  );
  const pingUrl = text(settings, 'ping-url');
  const ping = pingUrl === undefined ? undefined : new HealthcheckPing(pingUrl);
  const warnings = [
    ...webhooks.filter((w) => plainHttp(w.url)).map((w) => w.label),
    ...(ping && plainHttp(ping.endpoint('')) ? [ping.label] : []),
  ].map(
    (label) =>
      `${label} is called over plain http: its token crosses the network readable; use https.`,
  );
  return { webhooks, ping, timeoutMs: notifyTimeout(settings), warnings };
}

/** Node's timers hold 24.8 days at most: a longer one fires at once, and every notification would fail unsent. */
const MAX_NOTIFY_TIMEOUT = { text: '24d', ms: 24 * 86_400_000 };

function notifyTimeout(settings: Settings): number {
  const given = text(settings, 'notify-timeout') ?? '10s';
  const ms = parseDuration(given, 'notify-timeout');
  if (ms > MAX_NOTIFY_TIMEOUT.ms) {
    throw new UserError(
      `notify-timeout must be at most ${MAX_NOTIFY_TIMEOUT.text} (got "${given}"); a few seconds are enough for a webhook.`,
    );
  }
  return ms;
}

function plainHttp(url: URL): boolean {
  return url.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}
