import os from 'node:os';
import {
  failureSummary,
  isServerBackup,
  succeeded,
  type CommandResult,
} from '../commands/command-result.js';
import type { Config } from '../config/config.js';
import { describeDatabase } from '../domain/database-location.js';
import type { Monitoring } from '../config/monitoring.js';
import type { Notification } from '../notify/notification.js';
import type { sendBeforeExit } from '../notify/send-before-exit.js';
import { payloadFor } from '../notify/webhook-formats.js';
import { notifyWebhooks } from '../notify/webhooks.js';
import { TOOL_NAME, TOOL_VERSION } from '../domain/version.js';
import { formatBytes, formatDuration } from '../domain/format.js';

type Monitored = Notification['command'];

const MONITORED: readonly string[] = ['backup', 'restore', 'verify', 'prune'];

/** The commands that notify and ping (list and status only read). */
export function isMonitoredCommand(command: string): command is Monitored {
  return MONITORED.includes(command);
}

/** The database a configuration names, described without its password. */
export function databaseOf(config: Config | undefined): string | undefined {
  if (!config || !('database' in config) || !config.database) return undefined;
  return describeDatabase(config.database);
}

/** The GitHub Actions run this process belongs to, from the runner's variables. */
export function runUrlOf(env: Readonly<Record<string, string | undefined>>): string | null {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env;
  if (!server || !repository || !runId) return null;
  return `${server.replace(/\/+$/, '')}/${repository}/actions/runs/${runId}`;
}

/** How a monitored job ended: with a result (which may still be a failure), or with an error. */
export type RunOutcome =
  | { readonly result: CommandResult }
  | { readonly error: string; readonly database?: string | undefined };

export interface NotificationContext {
  readonly command: Monitored;
  readonly durationMs: number;
  readonly runUrl: string | null;
  readonly time: Date;
  readonly warnings: readonly string[];
  readonly host?: string;
}

/**
 * What the webhooks are told about a finished job. Never a credential: the
 * texts are our own words, and outside text in them was masked where it came in.
 */
export function notificationOf(outcome: RunOutcome, context: NotificationContext): Notification {
  const base = {
    formatVersion: 1 as const,
    command: context.command,
    database: null as string | null,
    backup: null as string | null,
    sizeBytes: null as number | null,
    durationMs: context.durationMs,
    tables: null as number | null,
    rows: null as number | null,
    targets: [] as Notification['targets'],
    pruned: [] as readonly string[],
    warnings: context.warnings,
    host: context.host ?? os.hostname(),
    runUrl: context.runUrl,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    time: context.time.toISOString(),
  };
  if ('error' in outcome) {
    const error = outcome.error;
    const database = outcome.database ?? null;
    return {
      ...base,
      database,
      event: 'failure',
      error,
      summary: `${verb(context.command)}${database ? ` of ${database}` : ''} FAILED: ${error}`,
    };
  }
  const details = detailsOf(outcome.result);
  const ok = succeeded(outcome.result);
  const error = ok ? null : failureSummary(outcome.result);
  const notification = { ...base, ...details, event: ok ? 'success' : 'failure', error } as const;
  return { ...notification, summary: summaryOf(notification) };
}

function verb(command: Monitored): string {
  return { backup: 'Backup', restore: 'Restore', verify: 'Verification', prune: 'Prune' }[command];
}

type Details = Partial<
  Pick<
    Notification,
    'database' | 'backup' | 'sizeBytes' | 'durationMs' | 'tables' | 'rows' | 'targets' | 'pruned'
  >
>;

function detailsOf(result: CommandResult): Details {
  const sum = (tables: readonly { rows: number }[]): number =>
    tables.reduce((total, t) => total + t.rows, 0);
  switch (result.command) {
    case 'backup': {
      if (isServerBackup(result)) {
        const made = result.databases.flatMap((outcome) =>
          outcome.backup ? [{ database: outcome.database, backup: outcome.backup }] : [],
        );
        return {
          database: `${result.server} (${result.databases.map((d) => d.database).join(', ')})`,
          backup: made.map((m) => m.backup.name).join(', ') || null,
          sizeBytes: made.reduce((total, m) => total + m.backup.manifest.file.size, 0),
          durationMs: result.durationMs,
          tables: made.reduce((total, m) => total + m.backup.manifest.tables.length, 0),
          rows: made.reduce((total, m) => total + sum(m.backup.manifest.tables), 0),
          targets: made.flatMap(({ database, backup }) =>
            backup.targets.map((t) => ({
              target: t.target,
              location: `${t.location} (database ${database})`,
              stored: t.stored,
              ...(t.error ? { error: t.error } : t.pruneError ? { error: t.pruneError } : {}),
            })),
          ),
          pruned: made.flatMap((m) => m.backup.pruned),
        };
      }
      return {
        database: result.database,
        backup: result.name,
        sizeBytes: result.manifest.file.size,
        durationMs: result.durationMs,
        tables: result.manifest.tables.length,
        rows: sum(result.manifest.tables),
        targets: result.targets.map((t) => ({
          target: t.target,
          location: t.location,
          stored: t.stored,
          ...(t.error ? { error: t.error } : t.pruneError ? { error: t.pruneError } : {}),
        })),
        pruned: result.pruned,
      };
    }
    case 'restore':
      return {
        database: result.database,
        backup: result.name,
        durationMs: result.durationMs,
        tables: result.info.tables.length,
        rows: sum(result.info.tables),
      };
    case 'verify':
      return {
        backup: result.name,
        durationMs: result.durationMs,
        tables: result.tables.length,
        rows: result.tables.reduce((total, t) => total + (t.restored ?? 0), 0),
      };
    case 'prune':
      return { pruned: result.removed };
    default:
      return {};
  }
}

function summaryOf(n: Omit<Notification, 'summary'>): string {
  const what = `${verb(n.command)}${n.database ? ` of ${n.database}` : ''}`;
  if (n.event === 'failure') return `${what} FAILED: ${n.error ?? 'unknown error'}`;
  const facts = [
    n.sizeBytes !== null ? formatBytes(n.sizeBytes) : '',
    n.rows !== null ? `${n.rows} rows` : '',
  ].filter(Boolean);
  const backup = n.backup ? `: ${n.backup}${facts.length > 0 ? ` (${facts.join(', ')})` : ''}` : '';
  const stored =
    n.targets.length > 0 ? ` stored at ${n.targets.map((t) => t.target).join(', ')}` : '';
  const pruned = n.command === 'prune' ? `: ${n.pruned.length} backups removed` : '';
  return `${what} succeeded${backup}${pruned}${stored} in ${formatDuration(n.durationMs)}`;
}

/** After a signal, the notifications may hold the exit this long at most (a runner kills a cancelled step soon after). */
const INTERRUPTED_BUDGET_MS = 3000;

/**
 * The notifications of one run: the start ping before the job, then the
 * webhooks and the end ping together. Every problem is logged as a warning
 * and returned for the job summary; none is ever thrown.
 */
export class RunMonitor {
  private readonly problems: string[] = [];

  private constructor(
    private readonly monitoring: Monitoring,
    private readonly warn: (message: string) => void,
    private readonly send: typeof sendBeforeExit | undefined,
  ) {}

  /**
   * What sends on a signal (it starts a child process) is loaded here, before
   * the run sets up what a signal does with it, and only when there is
   * something to send.
   */
  static async of(monitoring: Monitoring, warn: (message: string) => void): Promise<RunMonitor> {
    const sends = monitoring.webhooks.length > 0 || monitoring.ping !== undefined;
    const send = sends ? (await import('../notify/send-before-exit.js')).sendBeforeExit : undefined;
    return new RunMonitor(monitoring, warn, send);
  }

  get active(): boolean {
    return this.send !== undefined;
  }

  async start(): Promise<void> {
    const ping = this.monitoring.ping;
    if (!ping) return;
    this.report(await ping.start(Date.now() + this.monitoring.timeoutMs));
  }

  /** Sends the end of the run; `logTail` is the body of the ping (the last lines of the log). */
  async finish(notification: Notification, logTail: string): Promise<readonly string[]> {
    const deadline = Date.now() + this.monitoring.timeoutMs;
    const [webhookProblems, pingProblem] = await Promise.all([
      notifyWebhooks(this.monitoring.webhooks, notification, deadline),
      this.monitoring.ping?.finish(notification.event === 'success', logTail, deadline),
    ]);
    for (const problem of webhookProblems) this.report(problem);
    this.report(pingProblem);
    return this.problems;
  }

  /**
   * The run was stopped by a signal: the failure goes out now, while this
   * process waits (see interruption.ts), in at most a few seconds.
   */
  interrupted(notification: Notification, logTail: string): void {
    const requests = this.monitoring.webhooks.map((webhook) => ({
      url: webhook.url,
      contentType: 'application/json',
      body: JSON.stringify(payloadFor(webhook.format, notification)),
    }));
    const ping = this.monitoring.ping;
    if (ping) {
      requests.push({
        url: ping.endpoint('/fail'),
        contentType: 'text/plain; charset=utf-8',
        body: logTail,
      });
    }
    this.send?.(requests, Math.min(this.monitoring.timeoutMs, INTERRUPTED_BUDGET_MS));
  }

  private report(problem: string | undefined): void {
    if (problem === undefined) return;
    this.problems.push(problem);
    this.warn(problem);
  }
}
