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
