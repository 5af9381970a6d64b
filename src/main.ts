import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runAction } from './action.js';
import { runCli, terminalPrompt } from './cli.js';

/** The `db-backup` command (dist/cli/index.js imports this bundle and calls it). */
export async function cliMain(): Promise<void> {
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
if (startedDirectly()) await runAction();
