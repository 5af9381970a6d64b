/**
 * Attacks on the promises made to server and cron users: notifications that
 * must never fail a good backup nor leak a secret, `status` as a monitoring
 * check, and `--log-file` on hostile paths.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { cli, startCli } from './support/cli.js';
import {
  jsonOf,
  startReceiver,
  type Answer,
  type Received,
  type Receiver,
} from './support/receivers.js';
import { createSampleDatabase } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

const TOKEN = 'AttackT0kenInPath9Zq8sLk2Pq9Xw7';
const QUERY_SIG = 'QuerySignature7Hh3Kk9Ll2Mm5Nn8';

const receivers: Receiver[] = [];
const servers: http.Server[] = [];
async function receiver(answer?: (request: Received, index: number) => Answer): Promise<Receiver> {
  const started = await startReceiver(answer);
  receivers.push(started);
  return started;
}
/** A raw server for answers the receiver helper cannot give (redirects to a host, endless bodies, half answers). */
async function rawServer(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

function project(rows = 10): string {
  const dir = tempDir('monitoring-attack');
  createSampleDatabase(path.join(dir, 'app.db'), { rows });
  return dir;
}

/** The CLI from source as its own process (as cron runs it), which a test can kill if it hangs. */
function sourceCli(args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  const run = startCli(args, { ...options, fromSource: true });
  return {
    kill: (signal: NodeJS.Signals) => run.child.kill(signal),
    pid: run.child.pid!,
    done: run.exited.then(({ code, signal }) => ({
      status: code,
      signal,
      stdout: run.stdout(),
      stderr: run.stderr(),
    })),
  };
}

function expectNone(secrets: readonly string[], ...texts: string[]): void {
  for (const text of texts) for (const secret of secrets) expect(text).not.toContain(secret);
}

describe('webhooks and pings against hostile receivers', () => {
  test('a 307 redirect to another host: the token and the Basic password never reach it', async () => {
    const password = 'Redirect-Basic-Pa55word';
    const other = await receiver();
    const first = await receiver(() => ({
      status: 307,
      headers: { Location: `${other.url}/elsewhere` },
    }));
    const dir = project();
    const url = `${first.url.replace('http://', `http://notifier:${password}@`)}/hook/${TOKEN}?sig=${QUERY_SIG}`;
    const run = await cli(
      ['backup', '--database-url', 'file:app.db', '--ping-url', `${first.url}/ping/${TOKEN}`],
      {
        cwd: dir,
        env: { NOTIFY_URL: url },
      },
    );
    expect(run.status, run.stderr).toBe(0);
    for (const request of other.received) {
      expectNone(
        [TOKEN, QUERY_SIG, password, Buffer.from(`notifier:${password}`).toString('base64')],
        JSON.stringify(request.headers),
        request.path,
        request.query.toString(),
        request.body,
      );
    }
    expectNone([TOKEN, QUERY_SIG, password], run.stdout, run.stderr);
  });

  test('a receiver that answers 500 forever with an endless body: the backup exits 0 and says so', async () => {
    let requests = 0;
    const url = await rawServer((req, res) => {
      requests += 1;
      req.resume();
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      const chunk = `${TOKEN} `.repeat(2000);
      const pump = (): void => {
        while (res.write(chunk)) {
          /* fill the socket until it pushes back */
        }
      };
      res.on('drain', pump);
      pump();
    });
    const dir = project();
    const run = await cli(['backup', '--database-url', 'file:app.db', '--notify-timeout', '5s'], {
      cwd: dir,
      env: { NOTIFY_URL: `${url}/hook/${TOKEN}` },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(requests).toBe(2);
    expect(run.stderr).toMatch(
      /warning: the generic notification to http:\/\/127\.0\.0\.1:\d+\/… failed: 500 /,
    );
    expectNone([TOKEN], run.stdout, run.stderr);
    // The echoed text is cut short, not copied whole into the warning.
    expect(run.stderr.length).toBeLessThan(5000);
  });

  test('a 200 with a huge body is taken as delivered without reading it', async () => {
    let served = 0;
    const url = await rawServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = (): void => {
        while (served < 2 * 1024 ** 3 && res.write(chunk)) served += chunk.length;
      };
      res.on('drain', pump);
      pump();
    });
    const dir = project();
    const run = await cli(['backup', '--database-url', 'file:app.db'], {
      cwd: dir,
      env: { NOTIFY_URL: `${url}/hook/${TOKEN}` },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/warning: .*notification/);
    expect(served).toBeLessThan(2 * 1024 ** 3);
  });

  test('a receiver that closes mid-response (headers, half a body, then the socket): exit 0, reported', async () => {
    let requests = 0;
    const url = await rawServer((req, res) => {
      requests += 1;
      req.resume();
      req.on('end', () => {
        res.writeHead(502, { 'Content-Type': 'text/plain', 'Content-Length': '1000' });
        res.write('partial answer');
        setTimeout(() => res.socket?.destroy(), 50);
      });
    });
    const dir = project();
    const run = await cli(['backup', '--database-url', 'file:app.db', '--notify-timeout', '5s'], {
      cwd: dir,
      env: { NOTIFY_URL: `${url}/hook/${TOKEN}` },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(requests).toBeGreaterThanOrEqual(1);
    expect(run.stderr).toMatch(
      /warning: the generic notification to http:\/\/127\.0\.0\.1:\d+\/… failed: /,
    );
    expectNone([TOKEN], run.stdout, run.stderr);
  });

  test('an error answer that echoes the token, the query signature and the URL is masked in the warning and the log', async () => {
    const dir = project();
    const r = await receiver((request) => ({
      status: 400,
      body: `bad token ${TOKEN} sig=${QUERY_SIG} at http://127.0.0.1${request.path}`,
    }));
    const logFile = path.join(dir, 'logs/backup.log');
    const run = await cli(['backup', '--database-url', 'file:app.db', '--log-file', logFile], {
      cwd: dir,
      env: { NOTIFY_URL: `${r.url}/hook/${TOKEN}?sig=${QUERY_SIG}` },
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/failed: 400 Bad Request: bad token \*\*\*/);
    expectNone([TOKEN, QUERY_SIG], run.stdout, run.stderr, fs.readFileSync(logFile, 'utf8'));
  });

  test('a start ping and a webhook that both hang: each waits notify-timeout at most, the backup exits 0', async () => {
    const dir = project();
    const ping = await receiver(() => 'hang');
    const hook = await receiver(() => 'hang');
    const run = await cli(
      [
        'backup',
        '--database-url',
        'file:app.db',
        '--notify-timeout',
        '1s',
        '--ping-url',
        `${ping.url}/${TOKEN}`,
      ],
      { cwd: dir, env: { NOTIFY_URL: `${hook.url}/hook/${TOKEN}` } },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(ping.received.map((r) => r.path)).toEqual([`/${TOKEN}/start`, `/${TOKEN}`]);
    expect(hook.received).toHaveLength(1);
    expect(run.stderr).toMatch(/the start ping to .* failed: no answer within 1 s/);
    expect(run.stderr).toMatch(/the success ping to .* failed: no answer within 1 s/);
    expect(run.stderr).toMatch(/the generic notification to .* failed: no answer within 1 s/);
    expect(fs.readdirSync(path.join(dir, 'backups')).some((n) => n.endsWith('.db.gz'))).toBe(true);
  });

  test('a 500 whose body drips a byte a second is given up on within notify-timeout', async () => {
    const url = await rawServer((req, res) => {
      req.resume();
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      const timer = setInterval(() => res.write('x'), 1000);
      res.on('close', () => clearInterval(timer));
    });
    const dir = project();
    const run = await cli(['backup', '--database-url', 'file:app.db', '--notify-timeout', '3s'], {
      cwd: dir,
      env: { NOTIFY_URL: `${url}/hook/${TOKEN}` },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /warning: the generic notification to .* failed: no answer within \d+ s/,
    );
  });

  test('a notify-timeout longer than a timer can hold is refused, not turned into an instant abort', async () => {
    const dir = project();
    const r = await receiver();
    const refused = await cli(
      ['backup', '--database-url', 'file:app.db', '--notify-timeout', '30d'],
      {
        cwd: dir,
        env: { NOTIFY_URL: `${r.url}/hook/${TOKEN}` },
      },
    );
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/^db-backup: notify-timeout must be at most 24d \(got "30d"\)/);
    expect(fs.existsSync(path.join(dir, 'backups'))).toBe(false);
    const longest = await cli(
      ['backup', '--database-url', 'file:app.db', '--notify-timeout', '24d'],
      {
        cwd: dir,
        env: { NOTIFY_URL: `${r.url}/hook/${TOKEN}` },
      },
    );
    expect(longest.status, longest.stderr).toBe(0);
    expect(longest.stderr).not.toMatch(/warning/);
    expect(jsonOf(r.received.at(-1)).event).toBe('success');
  });

  test('a PostgreSQL password in DATABASE_URL never reaches the webhook, the /fail body, the log or stderr', async () => {
    const dir = project();
    const password = 'PgPa55wordInTheUrl-Xq7';
    const hook = await receiver();
    const ping = await receiver();
    const logFile = path.join(dir, 'backup.log');
    const run = await cli(['backup', '--log-file', logFile, '--ping-url', `${ping.url}/${TOKEN}`], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: `postgresql://app:${password}@127.0.0.1:9/appdb?sslmode=disable`,
        NOTIFY_URL: `${hook.url}/hook/${TOKEN}`,
      },
    });
    expect(run.status).not.toBe(0);
    const failure = jsonOf(hook.received[0]);
    expect(failure.event).toBe('failure');
    const fail = ping.received.find((r) => r.path.endsWith('/fail'));
    expect(fail, JSON.stringify(ping.received.map((r) => r.path))).toBeDefined();
    expect(fail!.body).toMatch(/ERROR backup\[\d+\]: /);
    expectNone(
      [password, encodeURIComponent(password)],
      hook.received[0]!.body,
      fail!.body,
      fs.readFileSync(logFile, 'utf8'),
      run.stdout,
      run.stderr,
    );
  });
});

describe('--log-file on hostile paths', () => {
  const LINE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z (INFO|WARN|ERROR) [a-z]+\[\d+\]: .*$/;

  test('a missing directory is made; a read-only path is reported once and the backup exits 0', async () => {
    const dir = project();
    const made = await cli(
      ['backup', '--database-url', 'file:app.db', '--log-file', 'var/log/db-backup/backup.log'],
      { cwd: dir },
    );
    expect(made.status, made.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'var/log/db-backup/backup.log'), 'utf8')).toMatch(
      /finished \(exit 0\)\n$/,
    );
    // /proc/version cannot be written even by root: a read-only file system stands in.
    const readOnly = await cli(
      ['backup', '--database-url', 'file:app.db', '--log-file', '/proc/version'],
      {
        cwd: dir,
      },
    );
    expect(readOnly.status, readOnly.stderr).toBe(0);
    expect(readOnly.stderr.match(/cannot write the log file \/proc\/version/g)).toHaveLength(1);
  });

  test('a FIFO that nobody reads does not hang the backup', async () => {
    const dir = project();
    const fifo = path.join(dir, 'backup.log');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const child = sourceCli(['backup', '--database-url', 'file:app.db', '--log-file', fifo], {
      cwd: dir,
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const run = await child.done;
    clearTimeout(killer);
    expect(run.signal, 'the backup hung opening the log file').toBeNull();
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/cannot write the log file .*backup\.log/);
  }, 60_000);

  test('a log path that is a symlink to a file of another user is not written through', async () => {
    const dir = project();
    const victim = path.join(dir, 'passwd');
    fs.writeFileSync(victim, 'root:x:0:0:root:/root:/bin/bash\n');
    fs.chownSync(victim, 65534, 65534);
    fs.symlinkSync(victim, path.join(dir, 'backup.log'));
    const run = await cli(['backup', '--database-url', 'file:app.db', '--log-file', 'backup.log'], {
      cwd: dir,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(fs.readFileSync(victim, 'utf8')).toBe('root:x:0:0:root:/root:/bin/bash\n');
    expect(run.stderr.match(/cannot write the log file .*backup\.log .*owned by/g)).toHaveLength(1);
    // A symlink to a file of one's own (logs kept under /var/log, linked from the app) is written through.
    const own = path.join(dir, 'own.log');
    fs.writeFileSync(own, '');
    fs.symlinkSync(own, path.join(dir, 'linked.log'));
    const linked = await cli(
      ['backup', '--database-url', 'file:app.db', '--log-file', 'linked.log'],
      {
        cwd: dir,
      },
    );
    expect(linked.status, linked.stderr).toBe(0);
    expect(linked.stderr).not.toMatch(/log file/);
    expect(fs.readFileSync(own, 'utf8')).toMatch(/finished \(exit 0\)\n$/);
  });

  test('two runs at once append whole lines to one log, never a line cut by the other', async () => {
    const dir = project(200);
    const file = path.join(dir, 'backup.log');
    const runs = await Promise.all(
      ['a', 'b', 'c'].map(
        (name) =>
          sourceCli(
            ['backup', '--database-url', 'file:app.db', '--name', name, '--log-file', file],
            { cwd: dir },
          ).done,
      ),
    );
    for (const run of runs) expect(run.status, run.stderr).toBe(0);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    for (const line of lines) expect(line).toMatch(LINE);
    const pids = new Set(lines.map((l) => /\[(\d+)\]/.exec(l)![1]));
    expect(pids.size).toBe(3);
    expect(lines.filter((l) => /finished \(exit 0\)$/.test(l))).toHaveLength(3);
  });

  test('a log moved away while the job runs (logrotate without copytruncate): the rest goes to a new file at the path', async () => {
    const dir = project();
    const file = path.join(dir, 'backup.log');
    const rotated = `${file}.1`;
    const ping = await receiver((request) => {
      // The start ping comes after the first lines and before the backup: rotate then.
      if (request.path.endsWith('/start')) fs.renameSync(file, rotated);
      return { status: 200 };
    });
    const run = await cli(
      [
        'backup',
        '--database-url',
        'file:app.db',
        '--log-file',
        file,
        '--ping-url',
        `${ping.url}/${TOKEN}`,
      ],
      { cwd: dir },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(fs.readFileSync(rotated, 'utf8')).toMatch(/ backup started\n/);
    expect(fs.existsSync(file)).toBe(true);
    const after = fs.readFileSync(file, 'utf8');
    expect(after).toMatch(/ Wrote sqlite_backup_\d{8}_\d{6}\.db\.gz /);
    expect(after).toMatch(/finished \(exit 0\)\n$/);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe('status as a monitoring check', () => {
  const T0 = Date.UTC(2026, 10, 1, 2, 0, 0);
  const H = 3_600_000;
  const at = (ms: number) => () => new Date(T0 + ms);
  const status = (dir: string, args: string[], ms: number) =>
    cli(['status', ...args], { cwd: dir, now: at(ms) });

  test('an empty or missing backup directory: NO BACKUP, exit 1 (not 0, not a crash)', async () => {
    const dir = project();
    const missing = await status(dir, ['--database-url', 'file:app.db'], 0);
    expect(missing.status, missing.stderr).toBe(1);
    expect(missing.stdout).toMatch(/^NO BACKUP: /);
    fs.mkdirSync(path.join(dir, 'backups'));
    const json = await status(dir, ['--json'], 0);
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, state: 'no-backup', newest: null });
  });

  test('a backup dated in the future is never the fresh one: exit 1, and named', async () => {
    const dir = project();
    expect(
      (await cli(['backup', '--database-url', 'file:app.db'], { cwd: dir, now: at(30 * 24 * H) }))
        .status,
    ).toBe(0);
    const run = await status(dir, ['--database-url', 'file:app.db', '--json'], 0);
    expect(run.status).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.state).toBe('no-backup');
    expect(result.future).toEqual([
      expect.stringMatching(/^sqlite_backup_20261201_020000\.db\.gz$/),
    ]);
  });

  test('only sanitized copies: they are not backups, exit 1', async () => {
    const dir = project();
    const rules = path.join(dir, 'rules.yml');
    fs.writeFileSync(rules, 'tables:\n  orders: { rows: truncate }\n');
    const made = await cli(['backup', '--database-url', 'file:app.db', '--sanitize', rules], {
      cwd: dir,
      now: at(0),
      env: { SANITIZE_SALT: 'a-salt-of-at-least-16-characters' },
    });
    expect(made.status, made.stderr).toBe(0);
    expect(
      fs.readdirSync(path.join(dir, 'backups')).some((n) => n.startsWith('sqlite_sanitized_')),
    ).toBe(true);
    for (const args of [[], ['--database-url', 'file:app.db']]) {
      const run = await status(dir, args, H);
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(/^NO BACKUP: /);
    }
  });

  test('a corrupt manifest: the backup cannot be proven ours, so it does not count (exit 1, one line, no stack)', async () => {
    const dir = project();
    expect(
      (await cli(['backup', '--database-url', 'file:app.db'], { cwd: dir, now: at(0) })).status,
    ).toBe(0);
    const manifest = fs.readdirSync(path.join(dir, 'backups')).find((n) => n.endsWith('.json'))!;
    fs.writeFileSync(path.join(dir, 'backups', manifest), '{"formatVersion": 1, "engine": ');
    const run = await status(dir, ['--database-url', 'file:app.db'], H);
    expect(run.status, run.stdout + run.stderr).not.toBe(0);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout + run.stderr).not.toMatch(/^OK/m);
  });

  test('fresh backups of another database in the same directory do not make this one fresh', async () => {
    const dir = project();
    createSampleDatabase(path.join(dir, 'other.db'), { rows: 3 });
    expect(
      (await cli(['backup', '--database-url', 'file:app.db'], { cwd: dir, now: at(0) })).status,
    ).toBe(0);
    expect(
      (await cli(['backup', '--database-url', 'file:other.db'], { cwd: dir, now: at(47 * H) }))
        .status,
    ).toBe(0);
    // By flag and by DATABASE_URL, as a cron job's environment file gives it.
    const byFlag = await status(dir, ['--database-url', 'file:app.db', '--max-age', '26h'], 48 * H);
    expect(byFlag.status).toBe(1);
    expect(byFlag.stdout).toMatch(
      /^STALE: the newest backup of SQLite \/.*\/app\.db, sqlite_backup_20261101_020000\.db\.gz, is 2d old/,
    );
    const byEnv = await cli(['status', '--max-age', '26h'], {
      cwd: dir,
      now: at(48 * H),
      env: { DATABASE_URL: 'file:app.db' },
    });
    expect(byEnv.status).toBe(1);
    expect(byEnv.stdout).toMatch(/^STALE: /);
  });

  test('--max-age edges: exactly the age is fresh, a second more is stale, 0 and sub-second refused, huge accepted', async () => {
    const dir = project();
    expect(
      (await cli(['backup', '--database-url', 'file:app.db'], { cwd: dir, now: at(0) })).status,
    ).toBe(0);
    expect((await status(dir, ['--max-age', '1s'], 1000)).status).toBe(0);
    expect((await status(dir, ['--max-age', '1s'], 2000)).status).toBe(1);
    for (const bad of [
      '0',
      '0s',
      '0.0001s',
      '-1h',
      '1e3s',
      '99999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999w',
    ]) {
      const refused = await status(dir, [`--max-age=${bad}`], 0);
      expect(refused.status, `${bad}: ${refused.stdout}`).toBe(2);
      expect(refused.stderr).toMatch(/^db-backup: max-age must be /);
    }
    const huge = await status(dir, ['--max-age', '1000000w', '--json'], 365 * 24 * H);
    expect(huge.status, huge.stderr).toBe(0);
    expect(JSON.parse(huge.stdout).maxAgeSeconds).toBe(1000000 * 7 * 86400);
  });
});

describe('signals while the notifications are on their way', () => {
  test('SIGTERM while the success webhook hangs: the process ends within the interrupted budget, and the log and the receiver tell the truth', async () => {
    const dir = project();
    const file = path.join(dir, 'backup.log');
    const hook = await receiver(() => 'hang');
    const child = sourceCli(
      ['backup', '--database-url', 'file:app.db', '--log-file', file, '--notify-timeout', '10m'],
      { cwd: dir, env: { NOTIFY_URL: `${hook.url}/hook/${TOKEN}` } },
    );
    await hook.waitFor(1, 60_000);
    expect(jsonOf(hook.received[0]).event).toBe('success');
    process.kill(child.pid, 'SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const run = await child.done;
    clearTimeout(killer);
    expect(run.signal, 'killed: the process did not end after SIGTERM').toBeNull();
    // The backup was made and the window applied: the job's own status stands, and nothing claims otherwise.
    expect(run.status).toBe(0);
    expect(run.stderr).not.toMatch(/nothing was pruned/);
    expect(run.stderr).toMatch(
      /^db-backup: stopped by SIGTERM while sending the notifications; the job had finished \(exit 0\)\.$/m,
    );
    const log = fs.readFileSync(file, 'utf8');
    expect(log).toMatch(
      / INFO backup\[\d+\]: finished \(exit 0\)\n.* WARN backup\[\d+\]: stopped by SIGTERM while sending the notifications; the job had finished \(exit 0\)\.\n$/,
    );
    // No failure was sent after the success: the receiver has the one true event.
    expect(hook.received.map((r): unknown => jsonOf(r).event)).toEqual(['success']);
    const backups = fs.readdirSync(path.join(dir, 'backups')).filter((n) => n.endsWith('.db.gz'));
    expect(backups).toHaveLength(1);
    expectNone([TOKEN], run.stdout, run.stderr, fs.readFileSync(file, 'utf8'));
  }, 120_000);
});

describe('the process that sends after a signal', () => {
  test('SIGTERM mid-backup: the notifier child carries no secret in its environment or argument list', async () => {
    const dir = tempDir('monitoring-attack-signal');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 200_000 });
    const passphrase = 'Passphrase-Of-The-Cron-Env-File-42';
    const seen: { cmdline: string; environ: string }[] = [];
    let cliPid = 0;
    const childrenOf = (pid: number): number[] =>
      fs
        .readdirSync('/proc')
        .filter((name) => /^\d+$/.test(name))
        .map(Number)
        .filter((p) => {
          try {
            return (
              Number(fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) ===
              pid
            );
          } catch {
            return false;
          }
        });
    const hook = await receiver((request) => {
      // Answered while the notifier child waits for it: look at that child now.
      if (jsonOf(request).event === 'failure') {
        const parentCmdline = fs.readFileSync(`/proc/${cliPid}/cmdline`, 'utf8');
        for (const pid of childrenOf(cliPid)) {
          try {
            const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
            // Two processes here are not the tool's children: one forked but not yet exec'd (still
            // the parent's image and environment), and the esbuild service that tsx starts to
            // compile the sources when its cache is cold (the bundle has none). Every other child,
            // the notifier (`node -e …`) among them, must hold no secret.
            if (cmdline === parentCmdline || cmdline.includes('/@esbuild/')) continue;
            seen.push({
              cmdline,
              environ: fs.readFileSync(`/proc/${pid}/environ`, 'utf8'),
            });
          } catch {
            // It may have exited meanwhile.
          }
        }
      }
      return { status: 200 };
    });
    const ping = await receiver();
    const child = sourceCli(
      [
        'backup',
        '--database-url',
        'file:app.db',
        '--encryption',
        'passphrase',
        '--compression-level',
        '9',
      ],
      {
        cwd: dir,
        env: {
          BACKUP_PASSPHRASE: passphrase,
          NOTIFY_URL: `${hook.url.replace('http://', 'http://notifier:Basic-Pa55-In-Url@')}/hook/${TOKEN}`,
          PING_URL: `${ping.url}/ping/${TOKEN}`,
        },
      },
    );
    cliPid = child.pid;
    await ping.waitFor(1, 60_000);
    const backups = path.join(dir, 'backups');
    for (
      let i = 0;
      i < 1000 &&
      !(
        fs.existsSync(backups) &&
        fs.readdirSync(backups).some((n) => n.startsWith('.db-backup-tmp-'))
      );
      i += 1
    )
      await new Promise((resolve) => setTimeout(resolve, 10));
    process.kill(child.pid, 'SIGTERM');
    const run = await child.done;
    expect(run.status, run.stderr).toBe(143);
    expect(jsonOf(hook.received.at(-1)).event).toBe('failure');
    expect(
      seen.filter((process) => process.cmdline.includes('\0-e\0')).length,
      `the notifier child was not found among the children of ${cliPid}`,
    ).toBeGreaterThan(0);
    for (const { cmdline, environ } of seen) {
      expectNone(
        [passphrase, TOKEN, 'Basic-Pa55-In-Url', 'BACKUP_PASSPHRASE', 'NOTIFY_URL', 'PING_URL'],
        cmdline,
        environ,
      );
    }
    expectNone([passphrase, TOKEN, 'Basic-Pa55-In-Url'], run.stdout, run.stderr);
  }, 120_000);
});

describe('a signal while the start ping hangs', () => {
  test('SIGTERM during /start: the failure webhook and the /fail ping still go out, exit 143', async () => {
    const dir = project();
    const hook = await receiver();
    const ping = await receiver((request) =>
      request.path.endsWith('/start') ? 'hang' : { status: 200 },
    );
    const child = sourceCli(
      [
        'backup',
        '--database-url',
        'file:app.db',
        '--notify-timeout',
        '10m',
        '--log-file',
        'backup.log',
      ],
      {
        cwd: dir,
        env: { NOTIFY_URL: `${hook.url}/hook/${TOKEN}`, PING_URL: `${ping.url}/ping/${TOKEN}` },
      },
    );
    await ping.waitFor(1, 60_000);
    process.kill(child.pid, 'SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const run = await child.done;
    clearTimeout(killer);
    expect(run.signal).toBeNull();
    expect(run.status, run.stderr).toBe(143);
    expect(hook.received.map((r): unknown => jsonOf(r).event)).toEqual(['failure']);
    expect(jsonOf(hook.received[0]).error).toBe(
      'stopped by SIGTERM; temporary files removed, nothing was pruned.',
    );
    expect(ping.received.map((r) => r.path)).toEqual([
      `/ping/${TOKEN}/start`,
      `/ping/${TOKEN}/fail`,
    ]);
    expect(fs.readFileSync(path.join(dir, 'backup.log'), 'utf8')).toMatch(
      / ERROR backup\[\d+\]: stopped by SIGTERM; [^\n]*\n$/,
    );
    expect(
      fs.existsSync(path.join(dir, 'backups')) ? fs.readdirSync(path.join(dir, 'backups')) : [],
    ).toEqual([]);
  }, 120_000);
});

describe('refusals that quote what they were given', () => {
  test.each([
    ['a port that is not one', 'postgres://app:PwInBadUrl-93kq@db.example:notaport/app'],
    ['an unencoded @ in the password', 'postgres://app:Pw@InBadUrl-93kq@db.example/app'],
    ['an unknown scheme', 'mysql://app:PwInBadUrl-93kq@db.example/app'],
    ['spaces around it', '  postgresql://app:PwInBadUrl-93kq@db.example:99999/app  '],
  ])(
    'a malformed DATABASE_URL (%s): the password is in no message, log line or notification',
    async (_what, url) => {
      const dir = project();
      const hook = await receiver();
      const ping = await receiver();
      const run = await cli(
        ['backup', '--log-file', 'backup.log', '--ping-url', `${ping.url}/${TOKEN}`],
        {
          cwd: dir,
          env: {
            PATH: process.env.PATH,
            DATABASE_URL: url,
            NOTIFY_URL: `${hook.url}/hook/${TOKEN}`,
          },
        },
      );
      expect(run.status).not.toBe(0);
      const secrets = ['PwInBadUrl-93kq', 'InBadUrl-93kq', encodeURIComponent('Pw@InBadUrl-93kq')];
      expectNone(
        secrets,
        run.stdout,
        run.stderr,
        fs.readFileSync(path.join(dir, 'backup.log'), 'utf8'),
        ...hook.received.map((r) => r.body),
        ...ping.received.map((r) => r.body),
      );
      expect(jsonOf(hook.received[0]).event).toBe('failure');
    },
  );
});

describe('status when the target cannot be read', () => {
  test('an unreachable S3 endpoint: non-zero, one line, never OK', async () => {
    const dir = project();
    const aws = {
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'SecretKeyOfTheMonitor-77',
      AWS_REGION: 'us-east-1',
      AWS_MAX_ATTEMPTS: '1',
    };
    const saved = Object.fromEntries(Object.keys(aws).map((k) => [k, process.env[k]]));
    Object.assign(process.env, aws);
    try {
      const run = await cli(
        [
          'status',
          '--from',
          's3',
          '--s3-bucket',
          'b',
          '--s3-endpoint',
          'http://127.0.0.1:9',
          '--json',
        ],
        {
          cwd: dir,
          env: { PATH: process.env.PATH },
        },
      );
      expect(run.status, run.stderr).not.toBe(0);
      expect(run.stdout).not.toMatch(/"ok": ?true/);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expectNone(['SecretKeyOfTheMonitor-77'], run.stdout, run.stderr);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
