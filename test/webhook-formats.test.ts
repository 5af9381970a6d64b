import { describe, expect, test } from 'vitest';
import type { Notification } from '../src/notify/notification.js';
import { fit, payloadFor } from '../src/notify/webhook-formats.js';
import { formatOf, parseWebhooks } from '../src/notify/webhook-url.js';
import { redact } from '../src/domain/secrets.js';

type Json = ReturnType<typeof JSON.parse>;

const success: Notification = {
  formatVersion: 1,
  event: 'success',
  command: 'backup',
  summary:
    'Backup of sqlite:/srv/app.db succeeded: sqlite_backup_20261201_020000.db.gz (20.0 KiB, 75 rows) stored at local, s3 in 1.2 s',
  database: 'sqlite:/srv/app.db',
  backup: 'sqlite_backup_20261201_020000.db.gz',
  sizeBytes: 20_480,
  durationMs: 1200,
  tables: 3,
  rows: 75,
  targets: [
    { target: 'local', location: '/srv/backups', stored: true },
    { target: 's3', location: 's3://bucket/app', stored: true },
  ],
  pruned: [],
  error: null,
  warnings: [],
  host: 'db1',
  runUrl: 'https://github.com/octo/app/actions/runs/42',
  tool: { name: 'db-backup-action', version: '0.1.0' },
  time: '2026-12-01T02:00:01.200Z',
};
const failure: Notification = {
  ...success,
  event: 'failure',
  summary: 'Backup of sqlite:/srv/app.db FAILED: <@everyone> & pg_dump died',
  error: `<@everyone> & pg_dump died: ${'x'.repeat(5000)}`,
  warnings: ['the s3 target was slow'],
};

describe('webhook payloads', () => {
  test('generic: the notification itself', () => {
    expect(payloadFor('generic', success)).toBe(success);
  });

  test('slack: fallback text, a header, fields, a context with the run link', () => {
    const payload = payloadFor('slack', success) as Json;
    expect(payload.text).toBe(success.summary);
    expect(payload.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: '✅ Backup of sqlite:/srv/app.db succeeded', emoji: true },
    });
    expect(payload.blocks[1].fields).toContainEqual({
      type: 'mrkdwn',
      text: '*Backup*\nsqlite_backup_20261201_020000.db.gz',
    });
    expect(payload.blocks.at(-1).elements).toContainEqual({
      type: 'mrkdwn',
      text: '<https://github.com/octo/app/actions/runs/42|Open the run>',
    });
  });

  test('slack: our texts are escaped and cut to the block limits', () => {
    const payload = payloadFor('slack', failure) as Json;
    const error = payload.blocks.find((b: Json) => Boolean(b.text?.text?.startsWith('*Error*')));
    expect(error.text.text).toMatch(/^\*Error\*\n&lt;@everyone&gt; &amp; pg_dump died/);
    expect([...error.text.text].length).toBeLessThanOrEqual(3000);
    expect(payload.blocks[0].text.text.length).toBeLessThanOrEqual(150);
    expect(payload.blocks[1].fields.length).toBeLessThanOrEqual(10);
    expect(payload.text).not.toContain('<@everyone>');
  });

  test('discord: content, one embed within the limits, no mentions', () => {
    const payload = payloadFor('discord', failure) as Json;
    expect(payload.allowed_mentions).toEqual({ parse: [] });
    expect(payload.content.length).toBeLessThanOrEqual(2000);
    const [embed] = payload.embeds;
    expect(embed.title).toBe('❌ Backup of sqlite:/srv/app.db FAILED');
    expect(embed.color).toBe(0xe01e5a);
    expect([...embed.description].length).toBeLessThanOrEqual(4096);
    expect(embed.description).toMatch(/^\*\*Error:\*\* <@everyone> & pg_dump died/);
    expect(embed.url).toBe(success.runUrl);
    expect(embed.timestamp).toBe(success.time);
    for (const field of embed.fields) expect(field.value.length).toBeLessThanOrEqual(1024);
    expect(JSON.stringify(payload).length).toBeLessThan(6000 + 2000 + 500);
  });

  test('teams: a message with one Adaptive Card attachment', () => {
    const payload = payloadFor('teams', success) as Json;
    expect(payload.type).toBe('message');
    expect(payload.attachments).toHaveLength(1);
    const [attachment] = payload.attachments;
    expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(attachment.content.type).toBe('AdaptiveCard');
    expect(attachment.content.body[0]).toMatchObject({ type: 'TextBlock', color: 'Good' });
    expect(attachment.content.body[1].facts).toContainEqual({
      title: 'Rows',
      value: '75 in 3 tables',
    });
    expect(attachment.content.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Open the run', url: success.runUrl },
    ]);
  });

  test('fit cuts by characters, not bytes or UTF-16 units', () => {
    expect(fit('😀😀😀', 2)).toBe('😀…');
    expect(fit('abc', 3)).toBe('abc');
  });
});

describe('which format a URL calls for', () => {
  test.each([
    ['https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX', 'slack'],
    ['https://hooks.slack.com/triggers/T000/123/abc', undefined],
    ['https://discord.com/api/webhooks/123456/tokentokentoken', 'discord'],
    ['https://discordapp.com/api/webhooks/123456/tokentokentoken', 'discord'],
    ['https://ptb.discord.com/api/v10/webhooks/123456/token', 'discord'],
    ['https://discord.com/api/webhooks/123456/tokentokentoken/slack', 'slack'],
    ['https://contoso.webhook.office.com/webhookb2/a@b/IncomingWebhook/c/d', 'teams'],
    [
      'https://prod-01.westus.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=s',
      'teams',
    ],
    [
      'https://default123.0a.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/abc/triggers/manual/paths/invoke?sig=s',
      'teams',
    ],
    ['https://example.com/hooks/slack', undefined],
    ['https://hooks.slack.com.evil.example/services/x', undefined],
  ])('%s → %s', (url, format) => {
    expect(formatOf(new URL(url))).toBe(format);
  });

  test('the option chooses only for addresses that do not say; a known service keeps its own', () => {
    const [slack, other] = parseWebhooks(
      [
        'https://hooks.slack.com/services/T1/B1/tokentokentokentokentoke',
        'https://chat.example/hooks/abc',
      ],
      'slack',
    );
    expect(slack?.format).toBe('slack');
    expect(other?.format).toBe('slack');
    expect(parseWebhooks(['https://chat.example/hooks/abc'], 'generic')[0]?.format).toBe('generic');
  });

  test('a webhook URL is masked whole and in pieces; messages name its host only', () => {
    const token = 'Zq8sLk2Pq9Xw7Vb3Nm4Rt6Yh';
    const [hook] = parseWebhooks([`https://hooks.slack.com/services/T01/B02/${token}`], 'generic');
    expect(hook?.label).toBe('https://hooks.slack.com/…');
    expect(
      redact(`posting to https://hooks.slack.com/services/T01/B02/${token} failed`),
    ).not.toContain(token);
    expect(redact(`token=${token}`)).toBe('token=***');
  });

  test.each(['not a url', 'ftp://example.com/x', 'file:///etc/passwd'])(
    '%s is refused with one line',
    (url) => {
      expect(() => parseWebhooks([url], 'generic')).toThrow(/^notify-url: /);
    },
  );
});
