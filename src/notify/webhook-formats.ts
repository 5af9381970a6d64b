import { counted, formatBytes, formatDuration } from '../domain/format.js';
import type { Notification } from './notification.js';
import type { WebhookFormat } from './webhook-url.js';

/**
 * The request body for each service, from its documented incoming-webhook
 * format, kept inside the limits each one enforces (a message over a limit is
 * refused whole, so every text is cut to fit):
 * - generic: the Notification itself;
 * - Slack: `text` (the notification fallback) plus Block Kit blocks (a header
 *   ≤ 150 characters, a section of ≤ 10 fields of ≤ 2000, a text ≤ 3000);
 * - Discord: `content` (≤ 2000) plus one embed (title ≤ 256, description
 *   ≤ 4096, ≤ 25 fields of ≤ 1024), mentions disabled;
 * - Teams: a message with one Adaptive Card attachment, which both the
 *   Workflows webhook trigger and the older incoming webhooks accept.
 */
export function payloadFor(format: WebhookFormat, notification: Notification): unknown {
  switch (format) {
    case 'generic':
      return notification;
    case 'slack':
      return slackPayload(notification);
    case 'discord':
      return discordPayload(notification);
    case 'teams':
      return teamsPayload(notification);
  }
}

const VERB: Record<Notification['command'], string> = {
  backup: 'Backup',
  restore: 'Restore',
  verify: 'Verification',
  prune: 'Prune',
};

export function titleOf(notification: Notification): string {
  const outcome = notification.event === 'success' ? 'succeeded' : 'FAILED';
  const icon = notification.event === 'success' ? '✅' : '❌';
  const where = notification.database ? ` of ${notification.database}` : '';
  return `${icon} ${VERB[notification.command]}${where} ${outcome}`;
}

/** Label and value pairs shown as fields by every chat format. */
export function factsOf(notification: Notification): [string, string][] {
  const facts: [string, string][] = [];
  if (notification.database) facts.push(['Database', notification.database]);
  if (notification.backup) facts.push(['Backup', notification.backup]);
  if (notification.sizeBytes !== null) facts.push(['Size', formatBytes(notification.sizeBytes)]);
  if (notification.rows !== null) {
    facts.push([
      'Rows',
      `${notification.rows}${notification.tables !== null ? ` in ${counted(notification.tables, 'table')}` : ''}`,
    ]);
  }
  facts.push(['Duration', formatDuration(notification.durationMs)]);
  if (notification.targets.length > 0) {
    facts.push([
      'Stored at',
      notification.targets.map((t) => `${t.target}${t.stored ? '' : ' (NOT STORED)'}`).join(', '),
    ]);
  }
  if (notification.pruned.length > 0) facts.push(['Removed', notification.pruned.join(', ')]);
  facts.push(['Host', notification.host]);
  return facts;
}

/** Cuts `text` to `max` characters (code points), marking the cut. */
export function fit(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function footerOf(notification: Notification): string {
  return `${notification.tool.name} ${notification.tool.version} · ${notification.time}`;
}

/** Slack's mrkdwn gives &, < and > a meaning: they are escaped in anything we did not write. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function slackPayload(n: Notification): unknown {
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: fit(titleOf(n), 150), emoji: true } },
    {
      type: 'section',
      fields: factsOf(n)
        .slice(0, 10)
        .map(([label, value]) => ({
          type: 'mrkdwn',
          text: fit(`*${label}*\n${slackEscape(value)}`, 2000),
        })),
    },
  ];
  if (n.error) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: fit(`*Error*\n${slackEscape(n.error)}`, 3000) },
    });
  }
  if (n.warnings.length > 0) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: fit(`*Warnings*\n${n.warnings.map((w) => `• ${slackEscape(w)}`).join('\n')}`, 3000),
      },
    });
  }
  const context = [{ type: 'mrkdwn', text: slackEscape(footerOf(n)) }];
  if (n.runUrl) context.push({ type: 'mrkdwn', text: `<${n.runUrl}|Open the run>` });
  blocks.push({ type: 'context', elements: context });
  // `text` is what notifications and screen readers show.
  return { text: fit(slackEscape(n.summary), 3000), blocks };
}

function discordPayload(n: Notification): unknown {
  const fields = factsOf(n)
    .slice(0, 25)
    .map(([name, value]) => ({
      name: fit(name, 256),
      value: fit(value, 1024),
      inline: value.length <= 40,
    }));
  const description = [n.error ? `**Error:** ${n.error}` : '', ...n.warnings.map((w) => `⚠️ ${w}`)]
    .filter(Boolean)
    .join('\n');
  return {
    content: fit(n.summary, 2000),
    embeds: [
      {
        title: fit(titleOf(n), 256),
        ...(description ? { description: fit(description, 4096) } : {}),
        ...(n.runUrl ? { url: n.runUrl } : {}),
        color: n.event === 'success' ? 0x2eb67d : 0xe01e5a,
        fields,
        footer: { text: fit(footerOf(n), 2048) },
        timestamp: n.time,
      },
    ],
    // A database or backup name is never read as @everyone or a role mention.
    allowed_mentions: { parse: [] },
  };
}

function teamsPayload(n: Notification): unknown {
  const body: unknown[] = [
    {
      type: 'TextBlock',
      text: titleOf(n),
      size: 'Medium',
      weight: 'Bolder',
      color: n.event === 'success' ? 'Good' : 'Attention',
      wrap: true,
    },
    {
      type: 'FactSet',
      facts: factsOf(n).map(([title, value]) => ({ title, value })),
    },
  ];
  if (n.error) {
    body.push({ type: 'TextBlock', text: n.error, color: 'Attention', wrap: true });
  }
  for (const warning of n.warnings) {
    body.push({ type: 'TextBlock', text: `⚠️ ${warning}`, color: 'Warning', wrap: true });
  }
  body.push({ type: 'TextBlock', text: footerOf(n), isSubtle: true, size: 'Small', wrap: true });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          ...(n.runUrl
            ? { actions: [{ type: 'Action.OpenUrl', title: 'Open the run', url: n.runUrl }] }
            : {}),
        },
      },
    ],
  };
}
