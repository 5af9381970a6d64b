import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runAction } from './action.js';
import { runCli, terminalPrompt } from './cli.js';

const MINIMUM_NODE = 22;

/** better-sqlite3's binaries crash older Node.js versions: say so instead. */
function nodeTooOld(): string | undefined {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= MINIMUM_NODE
    ? undefined
    : `db-backup needs Node.js 24 (at least ${MINIMUM_NODE}); this is Node.js ${process.versions.node}.`;
}

/** The `db-backup` command (dist/cli/index.js imports this bundle and calls it). */
export async function cliMain(): Promise<void> {
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

// The runner starts the action as `node dist/index.js`.
if (startedDirectly()) {
  const tooOld = nodeTooOld();
  if (tooOld) {
    process.stdout.write(`::error::${tooOld}\n`);
    process.exitCode = 1;
  } else {
    await runAction();
  }
}
