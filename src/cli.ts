import { createInterface } from 'node:readline/promises';
import { failureSummary, runCommand, succeeded } from './commands/run.js';
import { parseCommandName, parseConfig } from './config/config.js';
import { COMMANDS, optionsFor, type CommandName } from './config/options.js';
import { settingsFromArgv } from './config/settings.js';
import { errorMessage, isUserError, JobFailure } from './errors.js';
import { logIntervalFrom, progressLine, type ProgressOutput } from './report/progress-line.js';
import { renderText } from './report/text.js';
import { redact } from './secrets.js';
import { TOOL_VERSION } from './version.js';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Where progress goes (stderr, at a terminal or not); absent: no progress. */
  readonly progress?: ProgressOutput;
  /** Present only when a person can answer at a terminal. */
  readonly prompt?: (question: string) => Promise<string>;
  readonly cwd: string;
}

const USAGE: Record<CommandName, string> = {
  backup: 'db-backup backup [--database-url URL] [--backup-dir DIR] [--max-backups N]',
  restore: 'db-backup restore [file|name|latest] [--database-url URL] [--from TARGET] [--yes]',
  verify:
    'db-backup verify [file|name|latest] [--from TARGET] [--verify-database-url URL] [--quick]',
  list: 'db-backup list [--backup-dir DIR] [--json]',
  prune: 'db-backup prune [--backup-dir DIR] [--max-backups N] [--dry-run]',
};

const SUMMARY: Record<CommandName, string> = {
  backup: 'Back up the database into the backup directory, then apply the rolling window.',
  restore: 'Replace the database with a backup (asks for confirmation).',
  verify: 'Prove a backup restores: checksum, readability, a test restore and row counts.',
  list: 'List backups, newest first, with size, age and checksum status.',
  prune: 'Apply the rolling window now: keep the newest max-backups backups of each kind.',
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

export function commandHelp(command: CommandName): string {
  const lines = [`Usage: ${USAGE[command]}`, '', SUMMARY[command], '', 'Options:'];
  for (const spec of optionsFor(command)) {
    if (spec.flag === false) continue;
    const value =
      spec.type === 'boolean' ? '' : ` ${spec.name === 'database-url' ? 'URL' : 'VALUE'}`;
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
  try {
    const command = parseCommandName(first);
    const parsed = settingsFromArgv(command, rest, env);
    if (parsed.help) {
      io.stdout(commandHelp(command));
      return 0;
    }
    for (const warning of parsed.warnings) io.stderr(`warning: ${warning}`);
    const config = parseConfig(command, parsed.settings, io.cwd);
    const progressOutput = io.progress;
    const progress =
      progressOutput && !config.quiet
        ? progressLine({
            output: {
              terminal: progressOutput.terminal,
              write: (t) => progressOutput.write(redact(t)),
            },
            logIntervalMs: logIntervalFrom(env),
          })
        : undefined;
    const result = await runCommand(config, {
      ...(progress ? { progress } : {}),
      log: {
        // Our own words: outside text in them (a child's stderr, a server's error) was masked where it came in.
        info: (message) => io.stderr(message),
        warn: (message) => io.stderr(`warning: ${message}`),
      },
      cwd: io.cwd,
      ...(io.prompt ? { prompt: io.prompt } : {}),
    });
    io.stdout(config.json ? JSON.stringify(result, null, 2) : renderText(result));
    if (succeeded(result)) return 0;
    io.stderr(`db-backup: ${failureSummary(result)}`);
    return 1;
  } catch (error) {
    if (isUserError(error)) {
      io.stderr(`db-backup: ${error.message}`);
      return error instanceof JobFailure ? 1 : 2;
    }
    // Not one of ours: its text comes from a library and may quote anything.
    const detail =
      error instanceof Error && env.DB_BACKUP_DEBUG
        ? (error.stack ?? error.message)
        : errorMessage(error);
    io.stderr(`db-backup: ${redact(detail)}`);
    return 1;
  }
}

/** Reads a typed answer from the terminal (the prompt goes to stderr). */
export async function terminalPrompt(question: string): Promise<string> {
  const reader = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await reader.question(question);
  } finally {
    reader.close();
  }
}
