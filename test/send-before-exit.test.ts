import { afterEach, describe, expect, test } from 'vitest';
import { inheritedEnvironment } from '../src/process/child-processes.js';
import { sendBeforeExit } from '../src/notify/send-before-exit.js';
import { startReceiver, type Receiver } from './support/receivers.js';

const receivers: Receiver[] = [];
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
});

describe('the last notifications of a stopped run', () => {
  test('the sending child inherits no secret: only paths, locale, a CA file and proxies', () => {
    const env = inheritedEnvironment('notifier', {
      PATH: '/usr/bin',
      LANG: 'C.UTF-8',
      HTTPS_PROXY: 'http://proxy:3128',
      NODE_EXTRA_CA_CERTS: '/etc/ssl/company.pem',
      DATABASE_URL: 'postgres://app:secret@db/app',
      BACKUP_PASSPHRASE: 'a long passphrase',
      NOTIFY_URL: 'https://hooks.slack.com/services/T/B/token',
      PING_URL: 'https://hc-ping.com/uuid',
      GITHUB_TOKEN: 'ghs_token',
      AWS_SECRET_ACCESS_KEY: 'aws',
      PGPASSWORD: 'pg',
      NODE_OPTIONS: '--require /tmp/evil.js',
    });
    expect(env).toEqual({
      PATH: '/usr/bin',
      LANG: 'C.UTF-8',
      HTTPS_PROXY: 'http://proxy:3128',
      NODE_EXTRA_CA_CERTS: '/etc/ssl/company.pem',
    });
  });

  test('are posted while this process waits; a user:password URL goes as Basic authentication', async () => {
    const hook = await startReceiver();
    const hanging = await startReceiver(() => 'hang');
    receivers.push(hook, hanging);
    const url = new URL(`${hook.url}/hook/abc`);
    url.username = 'user';
    url.password = 'pw';
    sendBeforeExit(
      [
        { url, contentType: 'application/json', body: '{"event":"failure"}' },
        { url: new URL(`${hanging.url}/ping/fail`), contentType: 'text/plain', body: 'log' },
      ],
      1000,
    );
    // The receivers live in this process: they read what the child sent once it is unblocked.
    await hook.waitFor(1);
    await hanging.waitFor(1);
    expect(hook.received[0]).toMatchObject({
      method: 'POST',
      path: '/hook/abc',
      body: '{"event":"failure"}',
    });
    expect(hook.received[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('user:pw').toString('base64')}`,
    );
    expect(hook.received[0]!.headers['user-agent']).toMatch(/^db-backup-action\//);
    expect(hanging.received[0]!.body).toBe('log');
  });
});
