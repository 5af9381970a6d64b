/**
 * Every setting, listed once. An option is an action input and a CLI flag of
 * the same kebab-case name (unless `input` or `flag` says one side has no use
 * for it), with environment variables as fallbacks and a default.
 * action.yml, `--help` and the README are checked against this table.
 */
export const COMMANDS = ['backup', 'restore', 'verify', 'list', 'prune'] as const;
export type CommandName = (typeof COMMANDS)[number];

export type OptionType = 'string' | 'integer' | 'boolean' | 'path';

export interface OptionSpec {
  readonly name: string;
  readonly description: string;
  readonly type: OptionType;
  readonly commands: readonly CommandName[];
  readonly env?: readonly string[];
  readonly default?: string;
  /** Holds or may hold a credential: masked in the runner's log. */
  readonly secret?: boolean;
  /** false: a CLI flag only. */
  readonly input?: boolean;
  /** false: an action input only. */
  readonly flag?: boolean;
  /** The flag may be given more than once (values are joined with newlines). */
  readonly repeatable?: boolean;
}

const ALL = COMMANDS;

export const OPTIONS: readonly OptionSpec[] = [
  {
    name: 'command',
    description: 'What to do: backup, restore, verify, list or prune.',
    type: 'string',
    commands: ALL,
    default: 'backup',
    flag: false,
  },
  {
    name: 'database-url',
    description:
      'The database: file:./app.db or sqlite:/abs/path.db for SQLite, postgres://user:password@host:5432/db for PostgreSQL. Pass it from a secret; any password is masked.',
    type: 'string',
    commands: ['backup', 'restore', 'verify', 'list', 'prune'],
    env: ['DATABASE_URL'],
    secret: true,
  },
  {
    name: 'backup-dir',
    description: 'Directory that holds the backups (created with mode 0700).',
    type: 'path',
    commands: ALL,
    env: ['BACKUP_DIR'],
    default: './backups',
  },
  {
    name: 'max-backups',
    description:
      'Rolling window: how many backups of this database kind to keep after a successful backup. 0 keeps all.',
    type: 'integer',
    commands: ['backup', 'prune'],
    env: ['MAX_BACKUPS'],
    default: '10',
  },
  {
    name: 'compression-level',
    description: 'gzip level, 1 (fastest) to 9 (smallest).',
    type: 'integer',
    commands: ['backup', 'restore'],
    env: ['COMPRESSION_LEVEL'],
    default: '6',
  },
  {
    name: 'pg-dump-path',
    description:
      "PostgreSQL: the pg_dump to use. Default: the newest pg_dump on PATH or under /usr/lib/postgresql/<N>/bin whose major version is at least the server's (on GitHub-hosted Linux runners a missing one is installed and cached).",
    type: 'path',
    commands: ['backup', 'restore'],
  },
  {
    name: 'keep-owner',
    description:
      'PostgreSQL: keep object ownership in the dump (pg_dump without --no-owner). Default false: the backup restores under any role.',
    type: 'boolean',
    commands: ['backup', 'restore'],
    default: 'false',
  },
  {
    name: 'keep-privileges',
    description:
      'PostgreSQL: keep GRANT/REVOKE in the dump (pg_dump without --no-privileges). Default false: grants to roles the target lacks cannot fail a restore.',
    type: 'boolean',
    commands: ['backup', 'restore'],
    default: 'false',
  },
  {
    name: 'schemas',
    description:
      'PostgreSQL: only these schemas (comma- or newline-separated pg_dump patterns, as --schema).',
    type: 'string',
    commands: ['backup', 'restore'],
    repeatable: true,
  },
  {
    name: 'exclude-schemas',
    description: 'PostgreSQL: leave out these schemas (pg_dump patterns, as --exclude-schema).',
    type: 'string',
    commands: ['backup', 'restore'],
    repeatable: true,
  },
  {
    name: 'tables',
    description:
      'PostgreSQL: only these tables (pg_dump patterns such as public.users or audit.*, as --table).',
    type: 'string',
    commands: ['backup', 'restore'],
    repeatable: true,
  },
  {
    name: 'exclude-tables',
    description: 'PostgreSQL: leave out these tables (pg_dump patterns, as --exclude-table).',
    type: 'string',
    commands: ['backup', 'restore'],
    repeatable: true,
  },
  {
    name: 'exclude-table-data',
    description:
      "PostgreSQL: keep these tables' definitions but not their rows (pg_dump patterns, as --exclude-table-data).",
    type: 'string',
    commands: ['backup', 'restore'],
    repeatable: true,
  },
  {
    name: 'backup',
    description:
      'The backup to restore or verify: a file path, a backup name such as sqlite_backup_20261126_020000.db.gz, or latest.',
    type: 'string',
    commands: ['restore', 'verify'],
    default: 'latest',
    flag: false,
  },
  {
    name: 'confirm',
    description:
      'Restore only: must equal the name of the database being overwritten (the SQLite file name, or the PostgreSQL database name).',
    type: 'string',
    commands: ['restore'],
    flag: false,
  },
  {
    name: 'yes',
    description: 'Confirm a restore that overwrites data, without asking.',
    type: 'boolean',
    commands: ['restore'],
    input: false,
  },
  {
    name: 'safety-backup',
    description:
      'Restore, PostgreSQL: first back up the target into backup-dir as postgres_before-restore_YYYYMMDD_HHMMSS.sql.gz (never pruned). Set false to skip.',
    type: 'boolean',
    commands: ['restore'],
    default: 'true',
  },
  {
    name: 'drop-database',
    description:
      'Restore, PostgreSQL: emergency recovery. Restore into a new database beside the target, then drop the target and rename the new one into its place; objects only in the target disappear.',
    type: 'boolean',
    commands: ['restore'],
    default: 'false',
  },
  {
    name: 'terminate-connections',
    description:
      'Restore with drop-database: end other sessions connected to the target instead of refusing.',
    type: 'boolean',
    commands: ['restore'],
    default: 'false',
  },
  {
    name: 'create-database',
    description: 'Restore, PostgreSQL: create the target database when it does not exist.',
    type: 'boolean',
    commands: ['restore'],
    default: 'false',
  },
  {
    name: 'verify-database-url',
    description:
      'Verify, PostgreSQL: a scratch server to restore into (a service container in GitHub); a uniquely named temporary database is created there and dropped afterwards. Pass it from a secret.',
    type: 'string',
    commands: ['verify'],
    env: ['VERIFY_DATABASE_URL'],
    secret: true,
  },
  {
    name: 'verify-sql',
    description:
      'Verify: a file of your own queries, separated by semicolons, each of which must return a true value on the restored data (for example select count(*) > 0 from users). An action input may give the SQL itself.',
    type: 'string',
    commands: ['verify'],
  },
  {
    name: 'quick',
    description:
      'Verify: only check the checksum and that the file decrypts and decompresses to its end; skip the test restore.',
    type: 'boolean',
    commands: ['verify'],
    default: 'false',
  },
  {
    name: 'dry-run',
    description: 'Prune: show what would be removed, remove nothing.',
    type: 'boolean',
    commands: ['prune'],
    default: 'false',
  },
  {
    name: 'json',
    description: 'Print the result as JSON.',
    type: 'boolean',
    commands: ALL,
    input: false,
  },
];

export function optionsFor(command: CommandName): OptionSpec[] {
  return OPTIONS.filter((option) => option.commands.includes(command));
}

export function findOption(name: string): OptionSpec | undefined {
  return OPTIONS.find((option) => option.name === name);
}

/** The action input's description in action.yml: the option's, plus its fallbacks. */
export function actionInputDescription(option: OptionSpec): string {
  const fallbacks = (option.env ?? []).map((name) => `the ${name} environment variable`);
  if (option.env && option.default) fallbacks.push(option.default);
  return fallbacks.length > 0
    ? `${option.description} Falls back to ${fallbacks.join(', then ')}.`
    : option.description;
}
