import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { BUNDLED_CLI, bundledCliAsync, cli } from './support/cli.js';
import {
  jsonOf,
  startReceiver,
  type Answer,
  type Json,
  type Received,
  type Receiver,
} from './support/receivers.js';
import { createSampleDatabase } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

/** A token as webhook URLs carry them: it must never be printed or logged. */
const TOKEN = 'T0kenInTheUrl9Zq8sLk2Pq9Xw7Vb3';
const PASSPHRASE = 'correct horse battery staple';

const receivers: Receiver[] = [];
async function receiver(answer?: (request: Received, index: number) => Answer): Promise<Receiver> {
  const started = await startReceiver(answer);
  receivers.push(started);
  return started;
}
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
});

function project(rows = 25): string {
  const dir = tempDir('notify');
  createSampleDatabase(path.join(dir, 'app.db'), { rows });
  return dir;
}

const hook = (r: Receiver, name = 'hook'): string => `${r.url}/${name}/${TOKEN}`;

function expectNoSecret(...texts: string[]): void {
  for (const text of texts) {
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(PASSPHRASE);
  }
}

describe('notifications (--notify-url / NOTIFY_URL)', () => {
  test('a backup that succeeds posts the generic JSON: event, database, backup, size, rows, targets', async () => {
    const dir = project(25);
    const r = await receiver();
    const run = await cli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: { NOTIFY_URL: hook(r), BACKUP_PASSPHRASE: PASSPHRASE },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(r.received).toHaveLength(1);
    const [request] = r.received;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe(`/hook/${TOKEN}`);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['user-agent']).toMatch(/^db-backup-action\/\d+\.\d+\.\d+$/);
    const body = jsonOf(request);
    const name = fs.readdirSync(path.join(dir, 'backups')).find((n) => n.endsWith('.gpg'))!;
    expect(body).toMatchObject({
      formatVersion: 1,
      event: 'success',
      command: 'backup',
      database: `sqlite:${path.join(dir, 'app.db')}`,
      backup: name,
      sizeBytes: fs.statSync(path.join(dir, 'backups', name)).size,
      tables: 3,
      rows: 51,
      targets: [{ target: 'local', location: path.join(dir, 'backups'), stored: true }],
      pruned: [],
      error: null,
      runUrl: null,
      tool: { name: 'db-backup-action' },
    });
    expect(body.summary).toMatch(
      new RegExp(`^Backup of sqlite:.* succeeded: ${name.replace(/\./g, '\\.')} \\(`),
    );
    expect(body.durationMs).toBeGreaterThanOrEqual(0);
    expect(body.host).toEqual(expect.any(String));
    expect(Date.parse(body.time)).not.toBeNaN();
    expectNoSecret(run.stdout, run.stderr, request!.body);
  });

  test('a refused backup posts a failure with the error line and still exits 2', async () => {
    const dir = project();
    const r = await receiver();
    const run = await cli(['backup', '--database-url', 'file:missing.db'], {
      cwd: dir,
      env: { NOTIFY_URL: hook(r) },
    });
    expect(run.status).toBe(2);
    const body = jsonOf(r.received[0]);
    expect(body).toMatchObject({ event: 'failure', command: 'backup', backup: null });
    expect(body.error).toMatch(/missing\.db does not exist/);
    expect(body.summary).toMatch(/^Backup of sqlite:.*missing\.db FAILED: /);
  });

  test('a secret that vanished from the environment (encryption: passphrase) is a failure notification, not silence', async () => {
    const dir = project();
    const r = await receiver();
    const run = await cli(
      ['backup', '--database-url', 'file:app.db', '--encryption', 'passphrase'],
      {
        cwd: dir,
        env: { NOTIFY_URL: hook(r) },
      },
    );
    expect(run.status).toBe(2);
    expect(jsonOf(r.received[0])).toMatchObject({
      event: 'failure',
      error: expect.stringMatching(/^encryption is passphrase, but the passphrase is empty/),
    });
  });

  test('a backup that a target did not get posts a failure naming the target, and exits 1', async () => {
    const dir = project();
    const r = await receiver();
    // The AWS SDK reads its credentials from this process's environment.
    const aws = {
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'y',
      AWS_REGION: 'us-east-1',
      AWS_MAX_ATTEMPTS: '1',
    };
    const saved = Object.fromEntries(Object.keys(aws).map((k) => [k, process.env[k]]));
    Object.assign(process.env, aws);
    const run = await cli(
      [
        'backup',
        '--database-url',
        'file:app.db',
        '--storage',
        'local,s3',
        '--s3-bucket',
        'b',
        '--s3-endpoint',
        'http://127.0.0.1:9',
        '--s3-force-path-style',
      ],
      { cwd: dir, env: { NOTIFY_URL: hook(r) } },
    ).finally(() => {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    });
    expect(run.status).toBe(1);
    const body = jsonOf(r.received[0]);
    expect(body.event).toBe('failure');
    expect(body.error).toMatch(/was not stored at s3/);
    expect(body.targets).toEqual([
      expect.objectContaining({ target: 'local', stored: true }),
      expect.objectContaining({ target: 's3', stored: false, error: expect.any(String) }),
    ]);
  });

  test.each([
    ['slack', (body: Json) => expect(body.blocks[0].type).toBe('header')],
    ['discord', (body: Json) => expect(body.embeds[0].title).toMatch(/^✅ Backup of /)],
    [
      'teams',
      (body: Json) =>
        expect(body.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive'),
    ],
  ])('--notify-format %s posts that service’s payload', async (format, check) => {
    const dir = project();
    const r = await receiver();
    const run = await cli(['backup', '--database-url', 'file:app.db', '--notify-format', format], {
      cwd: dir,
      env: { NOTIFY_URL: hook(r) },
    });
    expect(run.status, run.stderr).toBe(0);
    check(jsonOf(r.received[0]));
  });

  test('several webhooks (repeated flag, or spaces and newlines in NOTIFY_URL) each get one', async () => {
    const dir = project();
    const [a, b, c] = [await receiver(), await receiver(), await receiver()];
    const flags = await cli(
      ['backup', '--database-url', 'file:app.db', '--notify-url', hook(a), '--notify-url', hook(b)],
      { cwd: dir },
    );
    expect(flags.status, flags.stderr).toBe(0);
    // On a shared machine the process list shows flags: said once per flag.
    expect(flags.stderr).toMatch(/--notify-url holds the URL's token, .* prefer NOTIFY_URL=/);
    expectNoSecret(flags.stdout, flags.stderr);
    const env = await cli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: { NOTIFY_URL: `${hook(a)}\n  ${hook(c)} ` },
    });
    expect(env.status, env.stderr).toBe(0);
    expect(env.stderr).not.toMatch(/process list/);
    expect([a.received.length, b.received.length, c.received.length]).toEqual([2, 1, 1]);
  });

  test('a receiver failing with 500 gets one retry; the job still succeeds, with a warning that names the host only', async () => {
    const dir = project();
    const r = await receiver(() => ({ status: 500, body: `boom at ${'/hook/' + TOKEN}` }));
    const logFile = path.join(dir, 'logs/backup.log');
    const run = await cli(['backup', '--database-url', 'file:app.db', '--log-file', logFile], {
      cwd: dir,
      env: { NOTIFY_URL: hook(r) },
    });
    expect(run.status).toBe(0);
    expect(r.received).toHaveLength(2);
    const port = new URL(r.url).port;
    expect(run.stderr).toContain(
      `warning: the generic notification to http://127.0.0.1:${port}/… failed: 500 Internal Server Error: boom at *** (2 attempts)`,
    );
    const log = fs.readFileSync(logFile, 'utf8');
    expect(log).toMatch(/ WARN backup\[\d+\]: the generic notification to .* failed: 500/);
    expectNoSecret(run.stdout, run.stderr, log);
  });

  test('user:password in the URL goes as Basic authentication, and is never printed', async () => {
    const dir = project();
    const r = await receiver();
    const password = 'Basic-Auth-Pa55word';
    const url = `${r.url.replace('http://', `http://notifier:${password}@`)}/hook`;
    const run = await cli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: { NOTIFY_URL: url },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(r.received[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from(`notifier:${password}`).toString('base64')}`,
    );
    expect(run.stdout + run.stderr).not.toContain(password);
  });

  test('a 4xx is not retried (the payload will not change)', async () => {
    const dir = project();
    const r = await receiver(() => ({ status: 400, body: 'invalid_payload' }));
    const run = await cli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: { NOTIFY_URL: hook(r) },
    });
    expect(run.status).toBe(0);
    expect(r.received).toHaveLength(1);
    expect(run.stderr).toMatch(/failed: 400 Bad Request: invalid_payload$/m);
  });

  test('a connection reset, then an answer: the retry delivers it without a warning', async () => {
    const dir = project();
    const r = await receiver((_request, index) => (index === 0 ? 'reset' : { status: 204 }));
    const run = await cli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: { NOTIFY_URL: hook(r) },
    });
    expect(run.status).toBe(0);
    expect(r.received).toHaveLength(2);
    expect(run.stderr).not.toMatch(/warning: .*notification/);
    expect(jsonOf(r.received[1]).event).toBe('success');
  });

  test('a 429 with Retry-After is retried after the wait it asks for', async () => {
    const dir = project();
    const arrivals: number[] = [];
    const r = await receiver((_request, index) => {
      arrivals.push(Date.now());
      return index === 0 ? { status: 429, headers: { 'Retry-After': '1' } } : { status: 200 };
    });
    const run = await cli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: { NOTIFY_URL: hook(r) },
    });
    expect(run.status).toBe(0);
    expect(r.received).toHaveLength(2);
    // Not a timing assertion: a retry before the asked second would break the server's rule.
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(990);
  });

  test('a receiver that never answers is given up on within notify-timeout; the backup succeeds', async () => {
    const dir = project();
    const r = await receiver(() => 'hang');
    const run = await cli(['backup', '--database-url', 'file:app.db', '--notify-timeout', '1s'], {
      cwd: dir,
      env: { NOTIFY_URL: hook(r) },
    });
    expect(run.status).toBe(0);
    expect(r.received).toHaveLength(1);
    expect(run.stderr).toMatch(
      /warning: the generic notification to .* failed: no answer within 1 s/,
    );
  });

  test('verify and prune notify too; list and status never do', async () => {
    const dir = project();
    const r = await receiver();
    const env = { NOTIFY_URL: hook(r) };
    expect((await cli(['backup', '--database-url', 'file:app.db'], { cwd: dir })).status).toBe(0);
    expect((await cli(['verify', 'latest'], { cwd: dir, env })).status).toBe(0);
    expect((await cli(['prune', '--max-backups', '1'], { cwd: dir, env })).status).toBe(0);
    expect((await cli(['list'], { cwd: dir, env })).status).toBe(0);
    expect((await cli(['status'], { cwd: dir, env })).status).toBe(0);
    const verify = jsonOf(r.received[0]);
    const prune = jsonOf(r.received[1]);
    expect(r.received).toHaveLength(2);
    expect(verify).toMatchObject({ command: 'verify', event: 'success', tables: 3 });
    expect(verify.backup).toMatch(/^sqlite_backup_/);
    expect(prune).toMatchObject({ command: 'prune', event: 'success', pruned: [] });
  });

  test('a failed verification is a failure notification', async () => {
    const dir = project();
    const r = await receiver();
    expect((await cli(['backup', '--database-url', 'file:app.db'], { cwd: dir })).status).toBe(0);
    const name = fs.readdirSync(path.join(dir, 'backups')).find((n) => n.endsWith('.gz'))!;
    fs.appendFileSync(path.join(dir, 'backups', name), 'damage');
    const run = await cli(['verify', name], { cwd: dir, env: { NOTIFY_URL: hook(r) } });
    expect(run.status).toBe(1);
    expect(jsonOf(r.received[0])).toMatchObject({
      command: 'verify',
      event: 'failure',
      backup: name,
      error: expect.stringMatching(
        /^Verification of .* failed: the file does not match the sha256/,
      ),
    });
  });

  test('a URL that is not one is refused before anything runs', async () => {
    const dir = project();
    const run = await cli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: { NOTIFY_URL: 'hooks.slack.com/services/T/B/x' },
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /^db-backup: notify-url: not a URL \(it must start with https:\/\/\)\.$/m,
    );
    expect(fs.existsSync(path.join(dir, 'backups'))).toBe(false);
  });
});

describe('healthchecks.io-style pings (--ping-url / PING_URL)', () => {
  test('start, then success with the last lines of the log; one run id for both', async () => {
    const dir = project();
    const r = await receiver(() => ({ status: 200, body: 'OK' }));
    const run = await cli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: { PING_URL: `${r.url}/ping/${TOKEN}`, BACKUP_PASSPHRASE: PASSPHRASE },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(r.received.map((q) => `${q.method} ${q.path}`)).toEqual([
      `POST /ping/${TOKEN}/start`,
      `POST /ping/${TOKEN}`,
    ]);
    const [start, done] = r.received;
    expect(start!.query.get('rid')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(done!.query.get('rid')).toBe(start!.query.get('rid'));
    expect(done!.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(done!.body).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z INFO backup\[\d+\]: db-backup .* backup started$/m,
    );
    expect(done!.body).toMatch(/INFO backup\[\d+\]: Wrote sqlite_backup_/);
    expect(done!.body).toMatch(/finished \(exit 0\)/);
    expectNoSecret(done!.body, run.stdout, run.stderr);
  });

  test('a failed job pings /fail with the error in the body', async () => {
    const dir = project();
    const r = await receiver();
    const run = await cli(['backup', '--database-url', 'file:missing.db'], {
      cwd: dir,
      env: { PING_URL: `${r.url}/ping/${TOKEN}` },
    });
    expect(run.status).toBe(2);
    expect(r.received.map((q) => q.path)).toEqual([`/ping/${TOKEN}/start`, `/ping/${TOKEN}/fail`]);
    expect(r.received[1]!.body).toMatch(
      /ERROR backup\[\d+\]: failed \(exit 2\): .*missing\.db does not exist/,
    );
  });

  test('the body is bounded: at most 50 lines, at most 10 000 bytes', async () => {
    const dir = project();
    // Many stale temporary files: one log line each.
    fs.mkdirSync(path.join(dir, 'backups'), { mode: 0o700 });
    const old = new Date(Date.now() - 3 * 86_400_000);
    for (let i = 0; i < 120; i += 1) {
      const file = path.join(dir, 'backups', `.db-backup-tmp-${'x'.repeat(150)}${i}`);
      fs.writeFileSync(file, 'x');
      fs.utimesSync(file, old, old);
    }
    const r = await receiver();
    const run = await cli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: { PING_URL: `${r.url}/ping/${TOKEN}` },
    });
    expect(run.status, run.stderr).toBe(0);
    const body = r.received[1]!.body;
    expect(body.trimEnd().split('\n').length).toBeLessThanOrEqual(50);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(10_000);
    expect(body).toMatch(/finished \(exit 0\)\n$/);
  });

  test('a ping that fails (404: no such check) is a warning; the exit status stays', async () => {
    const dir = project();
    const r = await receiver(() => ({ status: 404, body: 'not found' }));
    const run = await cli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: { PING_URL: `${r.url}/ping/${TOKEN}` },
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(
      /warning: the start ping to http:\/\/127\.0\.0\.1:\d+\/… failed: 404 Not Found: not found/,
    );
    expect(run.stderr).toMatch(/warning: the success ping to .* failed: 404/);
    expectNoSecret(run.stderr);
  });

  test('a ping URL that already names an event is refused', async () => {
    const dir = project();
    const run = await cli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: { PING_URL: `https://hc-ping.com/${TOKEN}/start` },
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/ping-url: give the check’s own URL, without \/start/);
  });

  test('the bundled CLI, a separate process: webhook and ping together, nothing secret printed', async () => {
    const dir = project();
    const hookReceiver = await receiver();
    const pingReceiver = await receiver();
    const run = await bundledCliAsync(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: { NOTIFY_URL: hook(hookReceiver), PING_URL: `${pingReceiver.url}/ping/${TOKEN}` },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(jsonOf(hookReceiver.received[0]).event).toBe('success');
    expect(pingReceiver.received.map((q) => q.path)).toEqual([
      `/ping/${TOKEN}/start`,
      `/ping/${TOKEN}`,
    ]);
    expectNoSecret(run.stdout, run.stderr);
  });
});

describe('a job stopped by a signal', () => {
  test.each(['SIGTERM', 'SIGINT'] as const)(
    '%s mid-backup: the failure is notified and pinged, the log file has the last word',
    async (signal) => {
      const dir = tempDir('notify-signal');
      createSampleDatabase(path.join(dir, 'app.db'), { rows: 200_000 });
      const hookReceiver = await receiver();
      const pingReceiver = await receiver();
      const child = spawn(
        process.execPath,
        [
          BUNDLED_CLI,
          'backup',
          '--database-url',
          'file:app.db',
          '--compression-level',
          '9',
          '--log-file',
          'backup.log',
        ],
        {
          cwd: dir,
          env: {
            PATH: process.env.PATH,
            NOTIFY_URL: hook(hookReceiver),
            PING_URL: `${pingReceiver.url}/ping/${TOKEN}`,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      // Interrupt once the dump is under way (its temporary file exists).
      const backups = path.join(dir, 'backups');
      await pingReceiver.waitFor(1);
      for (
        let i = 0;
        i < 500 &&
        !(
          fs.existsSync(backups) &&
          fs.readdirSync(backups).some((n) => n.startsWith('.db-backup-tmp-'))
        );
        i += 1
      )
        await new Promise((resolve) => setTimeout(resolve, 10));
      child.kill(signal);
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe(signal === 'SIGTERM' ? 143 : 130);
      expect(fs.readdirSync(backups)).toEqual([]);
      const body = jsonOf(hookReceiver.received[0]);
      expect(body).toMatchObject({ event: 'failure', command: 'backup' });
      expect(body.error).toBe(`stopped by ${signal}; temporary files removed, nothing was pruned.`);
      expect(pingReceiver.received.map((q) => q.path)).toEqual([
        `/ping/${TOKEN}/start`,
        `/ping/${TOKEN}/fail`,
      ]);
      expect(pingReceiver.received[1]!.query.get('rid')).toBe(
        pingReceiver.received[0]!.query.get('rid'),
      );
      expect(pingReceiver.received[1]!.body).toMatch(
        new RegExp(`ERROR backup\\[\\d+\\]: stopped by ${signal}`),
      );
      const log = fs.readFileSync(path.join(dir, 'backup.log'), 'utf8').trimEnd().split('\n');
      expect(log.at(-1)).toMatch(
        new RegExp(` ERROR backup\\[\\d+\\]: stopped by ${signal}; temporary files removed`),
      );
      expectNoSecret(stderr);
    },
  );
});
