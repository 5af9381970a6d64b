import type { Logger } from './domain/logger.js';
import {
  failureSummary,
  isServerBackup,
  succeeded,
  type CommandResult,
} from './commands/command-result.js';
import { parseCommandName, parseConfig, type Config } from './config/config.js';
import { parseMonitoring } from './config/monitoring.js';
import type { CommandName } from './config/options.js';
import { settingsFromInputs } from './config/settings.js';
import { bool, type Settings } from './config/values.js';
import { errorMessage, isWorded } from './domain/errors.js';
import { interruptionMessage, onInterruption } from './process/interruptions.js';
import { formatBytes } from './domain/format.js';
import {
  databaseOf,
  isMonitoredCommand,
  notificationOf,
  RunMonitor,
  runUrlOf,
  type RunOutcome,
} from './report/notification.js';
import { actionOutputs, artifactOutputs } from './report/outputs.js';
import { logIntervalFrom, progressLine } from './report/progress-line.js';
import { RecentLines, formatLogLine } from './report/run-log.js';
import { renderSummary } from './report/summary.js';
import { onSecret, redact } from './domain/secrets.js';
import * as runner from './runner-commands.js';

/**
 * The runner's log: each phase of the job (the dump, each target, the test
 * restore) is a collapsible group. Groups cannot nest in the Actions log, so
 * a phase inside a phase runs inside its parent's group.
 */
function actionLogger(recent: RecentLines, warnings: string[], command: string): Logger {
  let inGroup = false;
  const remember = (level: 'INFO' | 'WARN', message: string): void =>
    recent.push(formatLogLine(new Date(), level, command, process.pid, message));
  return {
    // Our own words (outside text in them was masked where it came in); the runner masks secrets too.
    info: (message) => {
      runner.info(message);
      remember('INFO', message);
    },
    warn: (message) => {
      runner.warning(message);
      remember('WARN', message);
      warnings.push(message);
    },
    section: async (title, work) => {
      if (inGroup) return work();
      inGroup = true;
      try {
        return await runner.group(title, work);
      } finally {
        inGroup = false;
      }
    },
  };
}

/** The action: inputs → config → command → outputs, job summary and notifications. */
export async function runAction(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  onSecret((secret) => runner.mask(secret));
  const started = Date.now();
  const recent = new RecentLines();
  const warnings: string[] = [];
  let command: CommandName | undefined;
  let settings: Settings | undefined;
  let log = actionLogger(recent, warnings, 'db-backup');
  let monitor: RunMonitor | undefined;
  let config: Config | undefined;
  let outcome: RunOutcome;
  let wantSummary = true;
  try {
    const inputs = settingsFromInputs((name) => runner.input(name, env), env);
    settings = inputs.settings;
    wantSummary = bool(settings, 'job-summary');
    command = parseCommandName(inputs.command);
    log = actionLogger(recent, warnings, command);
    const monitoring = parseMonitoring(command, settings);
    for (const warning of monitoring.warnings) log.warn(warning);
    monitor = await RunMonitor.of(monitoring, (m) => log.warn(m));
    const interrupted = monitor;
    const monitoredCommand = isMonitoredCommand(command) ? command : undefined;
    onInterruption((signal) => {
      const message = interruptionMessage(signal);
      recent.push(
        formatLogLine(new Date(), 'ERROR', monitoredCommand ?? 'db-backup', process.pid, message),
      );
      if (!monitoredCommand || !interrupted.active) return;
      interrupted.interrupted(
        notificationOf(
          { error: message, database: databaseOf(config) },
          {
            command: monitoredCommand,
            durationMs: Date.now() - started,
            runUrl: runUrlOf(env),
            time: new Date(),
            warnings: warnings.slice(0, 10),
          },
        ),
        recent.tail(),
      );
    });
    // After the notice above: a signal while the start ping hangs is still told as a failure.
    await monitor.start();
    config = parseConfig(command, settings, process.cwd());
    // The runner's log is no terminal: a progress line every so often, none for short work.
    const progress = config.quiet
      ? undefined
      : progressLine({
          output: { terminal: false, write: (text) => runner.info(redact(text)) },
          logIntervalMs: logIntervalFrom(env),
        });
    // Loaded only now: inputs the action refuses never load the commands' code.
    const { runCommand } = await import('./commands/run.js');
    const result = await runCommand(config, {
      log,
      cwd: process.cwd(),
      ...(progress ? { progress } : {}),
    });
    for (const [name, value] of Object.entries({
      ...actionOutputs(result),
      ...artifactOutputs(result, env),
    }))
      runner.setOutput(name, value, env);
    if (succeeded(result)) noticeOf(result);
    outcome = { result };
  } catch (error) {
    if (!isWorded(error) && error instanceof Error && error.stack)
      runner.debug(redact(error.stack));
    // A DbBackupError is worded by us; anything else carries a library's text, which may quote anything.
    const message = isWorded(error) ? error.message : redact(errorMessage(error));
    outcome = { error: message, database: databaseOf(config) };
  }
  // From here a signal adds nothing: the end is being told already.
  onInterruption(undefined);
  const monitored = command !== undefined && isMonitoredCommand(command) ? command : undefined;
  const problems =
    monitor?.active && monitored
      ? await log.section!('Notify', () =>
          monitor.finish(
            notificationOf(outcome, {
              command: monitored,
              durationMs: Date.now() - started,
              runUrl: runUrlOf(env),
              time: new Date(),
              warnings: warnings.slice(0, 10),
            }),
            recent.tail(),
          ),
        )
      : [];
  if (wantSummary) await writeSummary(outcome, problems, env);
  if ('error' in outcome) runner.fail(outcome.error);
  else if (!succeeded(outcome.result)) runner.fail(failureSummary(outcome.result));
}

/** A one-line annotation on the run's page for a finished job: what was made, restored or proven. */
function noticeOf(result: CommandResult): void {
  const title = 'db-backup';
  switch (result.command) {
    case 'backup':
      if (isServerBackup(result)) {
        runner.notice(
          `Backed up ${result.databases.length} databases of ${result.server}: ${result.databases.map((d) => `${d.database} (${d.backup?.name ?? 'failed'})`).join(', ')}`,
          title,
        );
        break;
      }
      runner.notice(
        `Backed up ${result.database}: ${result.name} (${formatBytes(result.manifest.file.size)}), stored at ${result.targets.map((t) => t.target).join(', ')}`,
        title,
      );
      break;
    case 'restore':
      runner.notice(`Restored ${result.name} into ${result.database}`, title);
      break;
    case 'verify':
      runner.notice(`Verified ${result.name} (${result.level} check)`, title);
      break;
    default:
      break;
  }
}

/** The job summary; failed notifications are said there too. */
async function writeSummary(
  outcome: RunOutcome,
  problems: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<void> {
  if (!env.GITHUB_STEP_SUMMARY) return;
  const body =
    'error' in outcome
      ? // The page people open first after a red run says why, too.
        `## db-backup failed\n\n> [!CAUTION]\n> ${outcome.error}\n`
      : renderSummary(outcome.result);
  const notes = problems.map((problem) => `> [!WARNING]\n> ${problem}`).join('\n\n');
  await runner.appendSummary(notes ? `${body}\n\n${notes}\n` : body, env).catch(() => undefined);
}
