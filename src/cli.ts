import path from 'node:path';
import type { Logger } from './domain/logger.js';
import { failureSummary, succeeded } from './commands/command-result.js';
import { parseCommandName, parseConfig, type Config } from './config/config.js';
import { parseMonitoring } from './config/monitoring.js';
import { COMMANDS, optionsFor, type CommandName, type OptionSpec } from './config/options.js';
import { settingsFromArgv, type CliArguments } from './config/settings.js';
import { errorMessage, exitCodeOf, isWorded } from './domain/errors.js';
import { logIntervalFrom, progressLine, type ProgressOutput } from './report/progress-line.js';
import {
  databaseOf,
  isMonitoredCommand,
  notificationOf,
  RunMonitor,
  runUrlOf,
  type RunOutcome,
} from './report/notification.js';
import { interruptionMessage, jobFinished, onInterruption } from './process/interruptions.js';
import type { Notification } from './notify/notification.js';
import { RunLog } from './report/run-log.js';
import { renderText } from './report/text.js';
import { redact } from './domain/secrets.js';
import { TOOL_VERSION } from './domain/version.js';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Where progress goes (stderr, at a terminal or not); absent: no progress. */
  readonly progress?: ProgressOutput;
  /** Present only when a person can answer at a terminal. */
  readonly prompt?: (question: string) => Promise<string>;
  readonly cwd: string;
  /** The tool's clock (backup names, ages); tests fix it. */
  readonly now?: () => Date;
}

const USAGE: Record<CommandName, string> = {
  backup: 'db-backup backup [--database-url URL] [--backup-dir DIR] [--max-backups N]',
  restore: 'db-backup restore [file|name|latest] [--database-url URL] [--from TARGET] [--yes]',
  verify:
    'db-backup verify [file|name|latest] [--from TARGET] [--verify-database-url URL] [--quick]',
  list: 'db-backup list [--backup-dir DIR] [--json]',
  prune: 'db-backup prune [--backup-dir DIR] [--max-backups N] [--keep-daily N ...] [--dry-run]',
  status: 'db-backup status [--from TARGET] [--max-age 26h] [--verified-within 35d] [--json]',
};

const SUMMARY: Record<CommandName, string> = {
  backup: 'Back up the database into the backup directory, then apply the rolling window.',
  restore: 'Replace the database with a backup (asks for confirmation).',
  verify: 'Prove a backup restores: checksum, readability, a test restore and row counts.',
  list: 'List backups, newest first, with size, age and checksum status.',
  prune:
    'Apply retention now: the rolling window (the newest max-backups of each kind) or the keep-* calendar rules, saying which rule keeps each backup.',
  status:
    'Check that backups are fresh (and proven to restore): exit 0 when healthy, 1 when stale, missing or unverified.',
};

export function generalHelp(): string {
  return [
    'db-backup: back up, restore and verify SQLite and PostgreSQL databases.',
    '',
    'Usage:',
    ...COMMANDS.map((command) => `  ${USAGE[command]}`),
    '',
    'Commands:',
    ...COMMANDS.map((command) => `  ${command.padEnd(8)} ${SUMMARY[command]}`),
    '',
    'The backup to restore or verify defaults to latest.',
    'Run db-backup <command> --help for its options. Exit status: 0 success, 1 the job failed, 2 refused (bad input, nothing changed).',
  ].join('\n');
}

function valueName(spec: OptionSpec): string {
  if (spec.name.endsWith('-url')) return 'URL';
  if (spec.type === 'duration') return 'DURATION';
  if (spec.type === 'integer') return 'N';
  return spec.type === 'path' ? 'PATH' : 'VALUE';
}

export function commandHelp(command: CommandName): string {
  const lines = [`Usage: ${USAGE[command]}`, '', SUMMARY[command], '', 'Options:'];
  for (const spec of optionsFor(command)) {
    if (spec.flag === false) continue;
    const value = spec.type === 'boolean' ? '' : ` ${valueName(spec)}`;
    const extra = [
      spec.env?.length ? `env ${spec.env.join(', ')}` : '',
      spec.default ? `default ${spec.default}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    const negation =
      spec.type === 'boolean' && spec.default === 'true' ? `, --no-${spec.name}` : '';
    lines.push(`  --${spec.name}${value}${negation}`);
    lines.push(`      ${spec.description}${extra ? ` (${extra})` : ''}`);
  }
  lines.push('  -h, --help', '      Show this help.');
  const environmentOnly = optionsFor(command).filter((spec) => spec.flag === false && spec.env);
  if (environmentOnly.length > 0) {
    lines.push(
      '',
      'Environment (secrets are never flags: an argument list is visible to every user):',
    );
    for (const spec of environmentOnly) {
      lines.push(`  ${(spec.env ?? []).join(', ')}`, `      ${spec.description}`);
    }
  }
  return lines.join('\n');
}

/** The command-line tool: argv and environment in, exit status out. */
export async function runCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CliIo,
): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.stdout(generalHelp());
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-V') {
    io.stdout(TOOL_VERSION);
    return 0;
  }
  let command: CommandName;
  try {
    command = parseCommandName(first);
  } catch (error) {
    io.stderr(`db-backup: ${errorText(error, false)}`);
    return exitCodeOf(error);
  }
  const started = Date.now();
  const runLog = new RunLog(command);
  const warnings: string[] = [];
  // Our own words: outside text in them (a child's stderr, a server's error) was masked where it came in.
  const log: Logger = {
    info: (message) => {
      io.stderr(message);
      runLog.record('INFO', message);
    },
    warn: (message) => {
      io.stderr(`warning: ${message}`);
      runLog.record('WARN', message);
      warnings.push(message);
    },
  };
  const fail = (message: string, code: number): number => {
    io.stderr(`db-backup: ${message}`);
    runLog.record('ERROR', `failed (exit ${code}): ${message}`);
    return code;
  };
  let parsed: CliArguments;
  try {
    parsed = settingsFromArgv(command, rest, env);
  } catch (error) {
    // The log file still hears of a refused command line: cron's mail is not the only record.
    const file = logFileOf(rest, env);
    if (file) runLog.attachFile(path.resolve(io.cwd, file), (m) => log.warn(m));
    const code = fail(errorText(error, false), exitCodeOf(error));
    runLog.close();
    return code;
  }
  if (parsed.help) {
    io.stdout(commandHelp(command));
    return 0;
  }
  const logFile = parsed.settings['log-file']?.trim();
  if (logFile) runLog.attachFile(path.resolve(io.cwd, logFile), (m) => log.warn(m));
  runLog.record('INFO', `db-backup ${TOOL_VERSION} ${command} started`);
  try {
    const debug = Boolean(env.DB_BACKUP_DEBUG);
    return await runMonitored(command, parsed, env, io, {
      env,
      debug,
      log,
      runLog,
      warnings,
      fail,
      started,
    });
  } finally {
    runLog.close();
  }
}

interface RunState {
  readonly env: NodeJS.ProcessEnv;
  readonly debug: boolean;
  readonly log: Logger;
  readonly runLog: RunLog;
  readonly warnings: readonly string[];
  readonly fail: (message: string, code: number) => number;
  readonly started: number;
}

/** Runs the command between its start and end notifications (for the commands that have them). */
async function runMonitored(
  command: CommandName,
  parsed: CliArguments,
  env: NodeJS.ProcessEnv,
  io: CliIo,
  state: RunState,
): Promise<number> {
  const { log, runLog, fail } = state;
  for (const warning of parsed.warnings) log.warn(warning);
  let monitor: RunMonitor;
  try {
    const monitoring = parseMonitoring(command, parsed.settings);
    for (const warning of monitoring.warnings) log.warn(warning);
    monitor = await RunMonitor.of(monitoring, (m) => log.warn(m));
  } catch (error) {
    return fail(errorText(error, state.debug), exitCodeOf(error));
  }
  let config: Config | undefined;
  const notification = (outcome: RunOutcome) =>
    isMonitoredCommand(command)
      ? notificationOf(outcome, {
          command,
          durationMs: Date.now() - state.started,
          runUrl: runUrlOf(env),
          time: new Date(),
          warnings: state.warnings.slice(0, 10),
        })
      : undefined;
  onInterruption((signal) => {
    const message = interruptionMessage(signal);
    runLog.record('ERROR', message);
    const stopped = notification({ error: message, database: databaseOf(config) });
    if (stopped && monitor.active) monitor.interrupted(stopped, runLog.recent.tail());
    runLog.close();
  });
  try {
    // After the notice above: a signal while the start ping hangs is still told as a failure.
    await monitor.start();
    return await runAndNotify(command, parsed, io, state, monitor, notification, (c) => {
      config = c;
    });
  } finally {
    onInterruption(undefined);
  }
}

/** Runs the command, prints its result, and tells the monitors how it ended. */
async function runAndNotify(
  command: CommandName,
  parsed: CliArguments,
  io: CliIo,
  state: RunState,
  monitor: RunMonitor,
  notification: (outcome: RunOutcome) => Notification | undefined,
  parsedConfig: (config: Config) => void,
): Promise<number> {
  const { log, runLog, fail } = state;
  let config: Config | undefined;
  let outcome: RunOutcome;
  let code: number;
  try {
    config = parseConfig(command, parsed.settings, io.cwd);
    parsedConfig(config);
    const progressOutput = io.progress;
    const progress =
      progressOutput && !config.quiet
        ? progressLine({
            output: {
              terminal: progressOutput.terminal,
              write: (t) => progressOutput.write(redact(t)),
            },
            logIntervalMs: logIntervalFrom(state.env),
          })
        : undefined;
    // Loaded only now: help and a refused command line never load the commands' code.
    const { runCommand } = await import('./commands/run.js');
    const result = await runCommand(config, {
      ...(progress ? { progress } : {}),
      log,
      cwd: io.cwd,
      ...(io.prompt ? { prompt: io.prompt } : {}),
      ...(io.now ? { now: io.now } : {}),
    });
    io.stdout(config.json ? JSON.stringify(result, null, 2) : renderText(result));
    outcome = { result };
    if (succeeded(result)) {
      code = 0;
      runLog.record(
        'INFO',
        `finished (exit 0)${result.command === 'status' ? `: ${result.summary}` : ''}`,
      );
    } else code = fail(failureSummary(result), 1);
  } catch (error) {
    const message = errorText(error, state.debug);
    code = fail(message, exitCodeOf(error));
    outcome = { error: errorText(error, false), database: databaseOf(config) };
  }
  const ended = notification(outcome);
  if (ended && monitor.active) {
    // From here a signal stops the sending alone: the end is being told already.
    onInterruption((signal) => {
      runLog.record(
        'WARN',
        `stopped by ${signal} while sending the notifications; the job had finished (exit ${code}).`,
      );
      runLog.close();
    });
    jobFinished(code);
    try {
      await monitor.finish(ended, runLog.recent.tail());
    } finally {
      jobFinished(undefined);
    }
  }
  return code;
}

/**
 * The one line an error is said in. A DbBackupError is worded by us; anything
 * else carries a library's text, which may quote anything, and is masked
 * (with its stack under DB_BACKUP_DEBUG).
 */
function errorText(error: unknown, debug: boolean): string {
  if (isWorded(error)) return error.message;
  const detail =
    error instanceof Error && debug ? (error.stack ?? error.message) : errorMessage(error);
  return redact(detail);
}

/** `--log-file X`, `--log-file=X` or BACKUP_LOG_FILE, read by hand when the command line itself was refused. */
function logFileOf(args: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  for (const [i, arg] of args.entries()) {
    if (arg === '--log-file') return args[i + 1];
    if (arg.startsWith('--log-file=')) return arg.slice('--log-file='.length);
  }
  return env.BACKUP_LOG_FILE?.trim() || undefined;
}

/** Reads a typed answer from the terminal (the prompt goes to stderr). */
export async function terminalPrompt(question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const reader = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await reader.question(question);
  } finally {
    reader.close();
  }
}
