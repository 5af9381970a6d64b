/**
 * What a finished job tells a webhook: the generic JSON payload as is, and
 * what the Slack, Discord and Teams formats are made from. It never holds a
 * credential: the database is described without its password, errors are
 * redacted before they get here.
 */
export interface Notification {
  readonly formatVersion: 1;
  readonly event: 'success' | 'failure';
  readonly command: 'backup' | 'restore' | 'verify' | 'prune';
  /** One line a person reads first. */
  readonly summary: string;
  /** `sqlite:/srv/app.db` or `postgres://app@db:5432/app`, never a password; null when the job stopped before it was known. */
  readonly database: string | null;
  /** The backup made, restored or verified. */
  readonly backup: string | null;
  readonly sizeBytes: number | null;
  readonly durationMs: number;
  readonly tables: number | null;
  readonly rows: number | null;
  readonly targets: readonly NotifiedTarget[];
  /** backup and prune: the backups the rolling window removed. */
  readonly pruned: readonly string[];
  /** Why the job failed, in one line; null on success. */
  readonly error: string | null;
  readonly warnings: readonly string[];
  readonly host: string;
  /** The GitHub Actions run, when the job ran in one. */
  readonly runUrl: string | null;
  readonly tool: { readonly name: string; readonly version: string };
  /** When the job ended (UTC, ISO-8601). */
  readonly time: string;
}

export interface NotifiedTarget {
  readonly target: string;
  readonly location: string;
  readonly stored: boolean;
  readonly error?: string;
}
