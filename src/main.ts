import { realpathSync } from 'node:fs';
import path from 'node:path';
import { isatty } from 'node:tty';
import { fileURLToPath } from 'node:url';
import { runCli, terminalPrompt } from './cli.js';
import {
  announceInterruption,
  finishedCode,
  interruptionMessage,
  runInterruptHandlers,
} from './process/interruptions.js';
import { removeLiveTempsSync } from './fs/live-temps.js';
import { redact } from './domain/secrets.js';
import { terminalStderr } from './report/progress-line.js';
import { RunLog } from './report/run-log.js';
import { COMMANDS, type CommandName } from './config/options.js';

/** The exit code of the first signal, once one came. */
let stopping: number | undefined;
/** Where the signal handlers write: the latest run's (a harness may call `run` more than once). */
let signalLines: ((text: string) => void) | undefined;

/**
 * A cron timeout or a cancelled job sends SIGTERM (a person, SIGINT): the
 * temporary files of the run — whole copies of the database — go first, then
 * work in progress stops in a known way (a restore rolls back and checks that
 * it did) and says so. A second signal ends the process at once.
 */
function removeTemporaryFilesOnSignal(writeLine: (text: string) => void): void {
  // Once per process: a second pair of listeners would stop the run twice on one signal.
  const listening = signalLines !== undefined;
  signalLines = writeLine;
  if (listening) return;
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    // `on`, never `once`: a signal nobody listens for takes its default action and kills the
    // process outright, and `once` takes its listener off before running it, so a second
    // signal a moment after the first would end the run with no sweep, no word and no exit code.
    process.on(signal, () => {
      const write = (text: string): void => signalLines?.(text);
      if (stopping !== undefined) {
        removeLiveTempsSync();
        process.exit(stopping);
      }
      stopping = code;
      removeLiveTempsSync();
      const finished = finishedCode();
      if (finished !== undefined) {
        // The backup is made (and pruned): "nothing was pruned" and exit 143 would both be false.
        write(
          `db-backup: stopped by ${signal} while sending the notifications; the job had finished (exit ${finished}).\n`,
        );
        announceInterruption(signal);
        process.exit(finished);
      }
      void runInterruptHandlers(signal, INTERRUPT_TIMEOUT_MS).then((messages) => {
        // At a terminal a progress line may stand where these messages go: clear it first.
        const clear = process.stderr.isTTY ? '\r\x1b[K' : '';
        for (const message of messages) write(`${clear}db-backup: ${redact(message)}\n`);
        write(`${clear}db-backup: ${interruptionMessage(signal)}\n`);
        // The log file's last line and the failure notifications, before the process goes.
        announceInterruption(signal);
        removeLiveTempsSync();
        process.exit(code);
      });
    });
  }
}

/**
 * When the event loop runs dry while the command still waits, the command can
 * never finish: a stream neither ended nor failed (OpenPGP.js does this with
 * some files gpg made without compression, opened with a wrong passphrase).
 * Node would exit with code 13 and no word; say so instead, remove the
 * temporary files, and exit 1. Returns what turns this watch off.
 */
function failWhenStalled(report: (message: string) => void): () => void {
  const stalled = (): void => {
    removeLiveTempsSync();
    report(
      'the job stalled: a stream stopped without ending or failing (with an encrypted backup: check the passphrase). Temporary files were removed, nothing was pruned.',
    );
    process.exit(1);
  };
  process.once('beforeExit', stalled);
  return () => process.removeListener('beforeExit', stalled);
}

/** package.json's engines says the same; better-sqlite3 13 and zlib's zstd need it. */
export const MINIMUM_NODE = { major: 22, minor: 15 } as const;

/** What stopping may take: `docker stop` waits 10 s before SIGKILL. */
const INTERRUPT_TIMEOUT_MS = 8000;

/**
 * Node's own warnings still print, but not the MaxListenersExceededWarning
 * that @google-cloud/storage triggers on every download (a known, harmless
 * upstream issue): a person reading a restore's output should not worry.
 */
function quietKnownWarnings(writeLine: (text: string) => void): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name !== 'MaxListenersExceededWarning')
      writeLine(`${warning.name}: ${warning.message}\n`);
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

/**
 * A refusal before the command runs (a Node.js too old) still reaches the log
 * file: a cron job sends the output elsewhere and points the user at the log.
 */
function logEarlyRefusal(args: readonly string[], message: string): void {
  const file = logFileOf(args) ?? process.env.BACKUP_LOG_FILE;
  if (!file) return;
  // Only a command's name: anything else in that place (a URL with its password) stays out.
  const command = COMMANDS.includes(args[0] as CommandName) ? args[0]! : 'db-backup';
  const log = new RunLog(command);
  log.attachFile(path.resolve(file), () => undefined);
  log.record('ERROR', `failed (exit 2): ${message}`);
  log.close();
}

/** `--log-file FILE` or `--log-file=FILE`, read before the arguments are parsed. */
function logFileOf(args: readonly string[]): string | undefined {
  for (const [index, arg] of args.entries()) {
    if (arg === '--log-file') {
      const value = args[index + 1];
      return value === undefined || value.startsWith('-') ? undefined : value;
    }
    if (arg.startsWith('--log-file=')) return arg.slice('--log-file='.length);
  }
  return undefined;
}

/** The `db-backup` command (dist/cli/index.js imports this bundle and calls it). */
export async function cliMain(): Promise<void> {
  const writeLine = (text: string): void => void process.stderr.write(text);
  removeTemporaryFilesOnSignal(writeLine);
  quietKnownWarnings(writeLine);
  const tooOld = nodeTooOld();
  if (tooOld) {
    process.stderr.write(`db-backup: ${tooOld}\n`);
    logEarlyRefusal(process.argv.slice(2), tooOld);
    process.exitCode = 2;
    return;
  }
  // isatty, not process.stdin.isTTY: reading stdin's stream would set it up (and load its modules) for every command.
  const interactive = process.stderr.isTTY && isatty(0);
  const stderr = process.stderr.isTTY
    ? terminalStderr(
        (raw) => process.stderr.write(raw),
        () => process.stderr.columns,
      )
    : {
        progress: { terminal: false, write: (text: string) => process.stderr.write(`${text}\n`) },
        line: (text: string) => process.stderr.write(`${text}\n`),
      };
  const finished = failWhenStalled((message) => stderr.line(`db-backup: ${message}`));
  try {
    process.exitCode = await runCli(process.argv.slice(2), process.env, {
      stdout: (text) => process.stdout.write(`${text}\n`),
      stderr: (text) => stderr.line(text),
      progress: stderr.progress,
      cwd: process.cwd(),
      ...(interactive ? { prompt: terminalPrompt } : {}),
    });
  } finally {
    finished();
  }
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
  // Loaded here, as the action's code below: the CLI, which shares this bundle, never needs them.
  const runner = await import('./runner-commands.js');
  const tooOld = nodeTooOld();
  if (tooOld) {
    runner.fail(tooOld);
    return;
  }
  // The runner reads stderr for workflow commands too.
  const writeLine = (text: string): void => void process.stderr.write(runner.shownNotRun(text));
  removeTemporaryFilesOnSignal(writeLine);
  quietKnownWarnings(writeLine);
  const { runAction } = await import('./action.js');
  const finished = failWhenStalled(runner.fail);
  try {
    await runAction();
  } finally {
    finished();
  }
}

if (startedDirectly()) await run();
