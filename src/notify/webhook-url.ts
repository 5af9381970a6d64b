import { UserError } from '../domain/errors.js';
import { registerSecret } from '../domain/secrets.js';

export const WEBHOOK_FORMATS = ['generic', 'slack', 'discord', 'teams'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export interface Webhook {
  readonly url: URL;
  /** For messages: the scheme and host only (the path and query hold the token). */
  readonly label: string;
  readonly format: WebhookFormat;
}

/**
 * A webhook or ping URL carries its own credential (Slack's and Discord's
 * tokens are in the path, Teams Workflows' signature in the query,
 * healthchecks.io's check id in the path). It is masked whole, and so are its
 * path, its query and every long part of them, so that no message, log line
 * or summary shows it even in pieces; messages name the host alone.
 */
export function parseSecretUrl(text: string, option: string): { url: URL; label: string } {
  registerSecret(text);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError(`${option}: not a URL (it must start with https://).`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UserError(
      `${option}: only http:// and https:// URLs can be called (got ${url.protocol}).`,
    );
  }
  registerSecret(url.href);
  registerSecret(`${url.pathname}${url.search}`);
  registerSecret(url.password);
  for (const part of [...url.pathname.split('/'), ...url.searchParams.values()]) {
    // Long parts are tokens, ids and signatures; short ones (api, webhooks) are words.
    if (part.length >= 16) registerSecret(part);
  }
  return { url, label: `${url.protocol}//${url.host}/…` };
}

/** Parses the list of notify-url values (repeated, or separated by newlines or spaces). */
export function parseWebhooks(values: readonly string[], fallback: WebhookFormat): Webhook[] {
  return values.map((text) => {
    const { url, label } = parseSecretUrl(text, 'notify-url');
    return { url, label, format: formatOf(url) ?? fallback };
  });
}

export function parseWebhookFormat(text: string): WebhookFormat {
  const value = text.trim().toLowerCase();
  const found = WEBHOOK_FORMATS.find((format) => format === value);
  if (!found) {
    throw new UserError(
      `notify-format must be one of ${WEBHOOK_FORMATS.join(', ')} (got "${text}").`,
    );
  }
  return found;
}

const DISCORD_HOSTS = new Set([
  'discord.com',
  'discordapp.com',
  'ptb.discord.com',
  'canary.discord.com',
]);

/**
 * The format a service's own address calls for; undefined for any other
 * address (then notify-format decides). These services refuse any other
 * payload, so their format never depends on the option.
 */
export function formatOf(url: URL): WebhookFormat | undefined {
  const host = url.hostname.toLowerCase();
  const path = url.pathname;
  if (host === 'hooks.slack.com' && path.startsWith('/services/')) return 'slack';
  if (DISCORD_HOSTS.has(host) && /^\/api\/(v\d+\/)?webhooks\//.test(path)) {
    // Discord's Slack-compatible endpoint takes Slack's format.
    return /\/slack\/?$/.test(path) ? 'slack' : 'discord';
  }
  // Teams: the retiring Office 365 connector webhooks, and Workflows (Power Automate) URLs.
  if (host.endsWith('.webhook.office.com')) return 'teams';
  if (host.endsWith('.logic.azure.com') && path.includes('/workflows/')) return 'teams';
  if (host.endsWith('.powerplatform.com') && /\/(powerautomate|workflows)\//.test(path))
    return 'teams';
  return undefined;
}
