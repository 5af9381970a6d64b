import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runAction } from './action.js';
import { runCli, terminalPrompt } from './cli.js';
import { announceInterruption } from './interruption.js';
import { removeLiveTempsSync } from './pipeline/files.js';

/**
 * A cron timeout or a cancelled job sends SIGTERM (a person, SIGINT): the
 * temporary files of the run — whole copies of the database — go first.
 * Child processes (pg_dump, psql) get the signal from the same process group;
 * an open PostgreSQL transaction rolls back when its connection drops.
 */
function removeTemporaryFilesOnSignal(): void {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      removeLiveTempsSync();
      process.stderr.write(
        `db-backup: stopped by ${signal}; temporary files removed, nothing was pruned.\n`,
      );
      // The log file's last line and the failure notifications, before the process goes.
      announceInterruption(signal);
      process.exit(code);
    });
  }
}

/** package.json's engines says the same; better-sqlite3 13 and zlib's zstd need it. */
export const MINIMUM_NODE = { major: 22, minor: 15 } as const;

/**
 * Node's own warnings still print, but not the MaxListenersExceededWarning
 * that @google-cloud/storage triggers on every download (a known, harmless
 * upstream issue): a person reading a restore's output should not worry.
 */
function quietKnownWarnings(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name !== 'MaxListenersExceededWarning')
      process.stderr.write(`${warning.name}: ${warning.message}\n`);
  });
}

/** better-sqlite3's binaries crash older Node.js versions: say so, and how to get a newer one. */
export function nodeTooOld(version: string = process.versions.node): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const supported =
    major > MINIMUM_NODE.major || (major === MINIMUM_NODE.major && minor >= MINIMUM_NODE.minor);
  return supported
    ? undefined
    : `db-backup needs Node.js ${MINIMUM_NODE.major}.${MINIMUM_NODE.minor} or newer (24 recommended); this is Node.js ${version}. Install Node.js 24 (nvm install 24, or https://nodejs.org/en/download) and run db-backup with it.`;
}

/** The `db-backup` command (dist/cli/index.js imports this bundle and calls it). */
export async function cliMain(): Promise<void> {
  removeTemporaryFilesOnSignal();
  quietKnownWarnings();
  const tooOld = nodeTooOld();
  if (tooOld) {
    process.stderr.write(`db-backup: ${tooOld}\n`);
    process.exitCode = 2;
    return;
  }
  const interactive = process.stdin.isTTY && process.stderr.isTTY;
  process.exitCode = await runCli(process.argv.slice(2), process.env, {
    stdout: (text) => process.stdout.write(`${text}\n`),
    stderr: (text) => process.stderr.write(`${text}\n`),
    cwd: process.cwd(),
    ...(interactive ? { prompt: terminalPrompt } : {}),
  });
}

function startedDirectly(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/**
 * The GitHub Action. The runner starts `node dist/index.js`, which calls this
 * once; `@github/local-action` and other harnesses import the bundle (or this
 * file) and call it themselves, so importing alone runs nothing.
 */
export async function run(): Promise<void> {
  const tooOld = nodeTooOld();
  if (tooOld) {
    process.stdout.write(`::error::${tooOld}\n`);
    process.exitCode = 1;
    return;
  }
  removeTemporaryFilesOnSignal();
  quietKnownWarnings();
  await runAction();
}

if (startedDirectly()) await run();
