/**
 * Every setting, listed once. An option is an action input and a CLI flag of
 * the same kebab-case name (unless `input` or `flag` says one side has no use
 * for it), with environment variables as fallbacks and a default.
 * action.yml, `--help` and the README are checked against this table.
 */
import type { EngineKind } from '../domain/database-location.js';

export const COMMANDS = ['backup', 'restore', 'verify', 'list', 'prune', 'status'] as const;
export type CommandName = (typeof COMMANDS)[number];

/** `duration`: 30m, 26h, 7d (see config/duration.ts). */
export type OptionType = 'string' | 'integer' | 'boolean' | 'path' | 'duration';

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
  /** action.yml's default when it differs from the CLI's (an expression such as the workflow token). */
  readonly actionDefault?: string;
  /** Only these engines use it: given for another, it is refused rather than ignored. */
  readonly engines?: readonly EngineKind[];
  /** integer options: the range accepted (min defaults to 0). */
  readonly min?: number;
  readonly max?: number;
}

const ALL = COMMANDS;

export const OPTIONS: readonly OptionSpec[] = [
  {
    name: 'command',
    description: 'What to do: backup, restore, verify, list, prune or status.',
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
    commands: ALL,
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
      'Rolling window: how many of the newest backups of this database to keep after a successful backup (each database in a shared place has its own window); 0 keeps all. Default 10 when no keep-* rule is given; given with keep-* rules, its newest N are kept as one more rule.',
    type: 'integer',
    commands: ['backup', 'prune'],
    env: ['MAX_BACKUPS'],
    min: 0,
  },
  {
    name: 'keep-last',
    description:
      'Calendar retention: keep the newest N backups, whatever their dates (one more rule beside keep-daily and the others; a backup is kept when any rule keeps it).',
    type: 'integer',
    commands: ['backup', 'prune'],
    env: ['KEEP_LAST'],
    min: 0,
  },
  {
    name: 'keep-daily',
    description:
      'Calendar retention: for the last N days (UTC) that have a backup, keep the newest backup of each day. Days without a backup do not count.',
    type: 'integer',
    commands: ['backup', 'prune'],
    env: ['KEEP_DAILY'],
    min: 0,
  },
  {
    name: 'keep-weekly',
    description:
      'Calendar retention: for the last N ISO weeks (Monday to Sunday, UTC) that have a backup, keep the newest backup of each week.',
    type: 'integer',
    commands: ['backup', 'prune'],
    env: ['KEEP_WEEKLY'],
    min: 0,
  },
  {
    name: 'keep-monthly',
    description:
      'Calendar retention: for the last N months (UTC) that have a backup, keep the newest backup of each month.',
    type: 'integer',
    commands: ['backup', 'prune'],
    env: ['KEEP_MONTHLY'],
    min: 0,
  },
  {
    name: 'keep-yearly',
    description:
      'Calendar retention: for the last N years (UTC) that have a backup, keep the newest backup of each year.',
    type: 'integer',
    commands: ['backup', 'prune'],
    env: ['KEEP_YEARLY'],
    min: 0,
  },
  {
    name: 'name',
    description:
      "A name for the database (letters, digits, dashes), recorded in each backup's manifest and put in its file name (postgres_NAME_backup_20261130_020000.sql.gz): give each database its own when several share one backup place. latest, list and the rolling window go by it; backups of one name stay together when the database's address changes.",
    type: 'string',
    commands: ALL,
    env: ['BACKUP_NAME'],
  },
  {
    name: 'all',
    description:
      "List: every database's backups, with whose each is (by default, with a database given, only that database's).",
    type: 'boolean',
    commands: ['list'],
    default: 'false',
  },
  {
    name: 'all-databases',
    description:
      'PostgreSQL backup: every database of the server the URL points at (the URL may name any of them, postgres for example), each in its own backup with its own manifest, window and latest, its name in the file name (postgres_DATABASE_backup_...). Templates and databases that allow no connections are left out; databases the user may not CONNECT to are skipped, and said. A failing database fails the run (exit 1) without stopping the others.',
    type: 'boolean',
    commands: ['backup'],
    default: 'false',
    engines: ['postgres'],
  },
  {
    name: 'databases',
    description:
      'PostgreSQL backup: these databases of the server the URL points at (comma- or newline-separated names, spaces around each dropped), each backed up as with all-databases. Every name must exist and be open to the user, once, or nothing runs.',
    type: 'string',
    commands: ['backup'],
    engines: ['postgres'],
  },
  {
    name: 'compression',
    description:
      'How to compress backups: gzip (files .gz, any gunzip opens them), zstd (.zst: several times faster and a little smaller; zstd -d opens them) or none (plain .sql / .db). Restore tells them apart by content.',
    type: 'string',
    commands: ['backup', 'restore'],
    env: ['BACKUP_COMPRESSION'],
    default: 'gzip',
  },
  {
    name: 'compression-level',
    description:
      'The compression level: gzip 1 (fastest) to 9 (smallest), default 6; zstd 1 to 19, default 3. Not with compression none.',
    type: 'integer',
    commands: ['backup', 'restore'],
    env: ['COMPRESSION_LEVEL'],
    // The widest range (zstd's); each algorithm's own is checked with the compression.
    min: 1,
    max: 19,
  },
  {
    name: 'encryption',
    description:
      'How to encrypt: passphrase, public-key, none, or auto (use what is given). Name the mode in scheduled jobs: then an empty secret fails the run instead of producing a plain backup.',
    type: 'string',
    commands: ['backup', 'restore'],
    env: ['BACKUP_ENCRYPTION'],
    default: 'auto',
  },
  {
    name: 'encryption-passphrase',
    description:
      'Encrypt backups with this passphrase (OpenPGP, AES-256, as gpg --symmetric --cipher-algo AES256), at least 12 characters and at most 8192 bytes; also decrypts them for restore and verify. Pass it from a secret.',
    type: 'string',
    commands: ['backup', 'restore', 'verify'],
    env: ['BACKUP_PASSPHRASE'],
    secret: true,
    flag: false,
  },
  {
    name: 'passphrase-file',
    description:
      'A file holding the encryption passphrase, read as gpg --passphrase-file reads it (one trailing newline is not part of it); a file gpg would read differently (a CR, a NUL, more than one line, not UTF-8) is refused. The environment variable BACKUP_PASSPHRASE works too.',
    type: 'path',
    commands: ['backup', 'restore', 'verify'],
    input: false,
  },
  {
    name: 'encryption-public-keys',
    description:
      "Encrypt backups to these recipients' armored OpenPGP public keys (one or more blocks). A job that holds only public keys can write backups it cannot read.",
    type: 'string',
    commands: ['backup', 'restore'],
    flag: false,
  },
  {
    name: 'recipient-key-file',
    description:
      "A file with a recipient's armored OpenPGP public key; repeat for several recipients.",
    type: 'path',
    commands: ['backup', 'restore'],
    input: false,
    repeatable: true,
  },
  {
    name: 'decryption-private-key',
    description:
      'An armored OpenPGP private key that opens backups encrypted to its public key (restore, verify). Pass it from a secret.',
    type: 'string',
    commands: ['restore', 'verify'],
    secret: true,
    flag: false,
  },
  {
    name: 'private-key-file',
    description: 'A file with an armored OpenPGP private key that opens backups encrypted to it.',
    type: 'path',
    commands: ['restore', 'verify'],
    input: false,
  },
  {
    name: 'private-key-passphrase',
    description: "The private key's own passphrase, if it has one. Pass it from a secret.",
    type: 'string',
    commands: ['restore', 'verify'],
    env: ['BACKUP_PRIVATE_KEY_PASSPHRASE'],
    secret: true,
    flag: false,
  },
  {
    name: 'private-key-passphrase-file',
    description:
      "A file holding the private key's passphrase, read as passphrase-file is (or set BACKUP_PRIVATE_KEY_PASSPHRASE).",
    type: 'path',
    commands: ['restore', 'verify'],
    input: false,
  },
  {
    name: 'storage',
    description:
      'Where backups are stored, comma-separated: local (backup-dir), artifact (GitHub artifacts), s3, gcs, azure. For example local,s3. Every target gets the backup and its manifest.',
    type: 'string',
    commands: ['backup'],
    env: ['BACKUP_STORAGE'],
    default: 'local',
  },
  {
    name: 'from',
    description:
      'restore, verify, list, prune and status: the storage target to read from (local, artifact, s3, gcs or azure); latest resolves there.',
    type: 'string',
    commands: ['restore', 'verify', 'list', 'prune', 'status'],
    default: 'local',
  },
  {
    name: 'retention-days',
    description:
      "artifact: days GitHub keeps each backup artifact, 1 to 400 and no more than the repository's own limit (90 for public repositories). Default: the repository's setting.",
    type: 'integer',
    commands: ['backup'],
    min: 1,
    max: 400,
  },
  {
    name: 'github-token',
    description:
      "artifact: the token for GitHub's REST API (listing, downloading and deleting artifacts across runs). Default: the workflow's token.",
    type: 'string',
    commands: ALL,
    env: ['GITHUB_TOKEN'],
    secret: true,
    flag: false,
    actionDefault: '${{ github.token }}',
  },
  {
    name: 'artifact-prefix',
    description:
      'artifact: a prefix for the artifact names (for example app- gives app-postgres_backup_...), so that several databases can keep backups in one repository with windows of their own.',
    type: 'string',
    commands: ALL,
  },
  {
    name: 'repository',
    description:
      "artifact: the repository whose artifacts hold the backups, owner/name. Default: the workflow's repository (GITHUB_REPOSITORY).",
    type: 'string',
    commands: ALL,
    env: ['GITHUB_REPOSITORY'],
  },
  {
    name: 'github-api-url',
    description:
      "artifact: GitHub's REST API (GitHub Enterprise Cloud with data residency: https://api.SUBDOMAIN.ghe.com; GitHub Enterprise Server's artifact service is not supported).",
    type: 'string',
    commands: ALL,
    env: ['GITHUB_API_URL'],
    default: 'https://api.github.com',
  },
  {
    name: 's3-bucket',
    description: 's3: the bucket.',
    type: 'string',
    commands: ALL,
    env: ['S3_BUCKET'],
  },
  {
    name: 's3-prefix',
    description:
      's3: the key prefix backups live under (for example backups/app). Retention never touches objects outside it.',
    type: 'string',
    commands: ALL,
    env: ['S3_PREFIX'],
  },
  {
    name: 's3-region',
    description: "s3: the region (default: the AWS SDK's, from AWS_REGION).",
    type: 'string',
    commands: ALL,
    env: ['AWS_REGION', 'AWS_DEFAULT_REGION'],
  },
  {
    name: 's3-endpoint',
    description:
      's3: the endpoint of an S3-compatible service (Cloudflare R2, MinIO, Backblaze B2, Google Cloud Storage XML API, ...).',
    type: 'string',
    commands: ALL,
    env: ['S3_ENDPOINT', 'AWS_ENDPOINT_URL_S3'],
  },
  {
    name: 's3-force-path-style',
    description:
      's3: address the bucket in the path (https://endpoint/bucket/key), as MinIO and some others need.',
    type: 'boolean',
    commands: ALL,
    default: 'false',
  },
  {
    name: 's3-server-side-encryption',
    description: 's3: server-side encryption, AES256 or aws:kms.',
    type: 'string',
    commands: ['backup'],
  },
  {
    name: 's3-kms-key-id',
    description: 's3: the KMS key for server-side encryption aws:kms.',
    type: 'string',
    commands: ['backup'],
  },
  {
    name: 's3-storage-class',
    description:
      "s3: the storage class of new objects (STANDARD_IA, GLACIER_IR, ...). Default: the bucket's.",
    type: 'string',
    commands: ['backup'],
  },
  {
    name: 'gcs-bucket',
    description:
      'gcs: the Google Cloud Storage bucket (credentials from Application Default Credentials).',
    type: 'string',
    commands: ALL,
    env: ['GCS_BUCKET'],
  },
  {
    name: 'gcs-prefix',
    description: 'gcs: the object prefix backups live under.',
    type: 'string',
    commands: ALL,
    env: ['GCS_PREFIX'],
  },
  {
    name: 'azure-container',
    description: 'azure: the Blob Storage container.',
    type: 'string',
    commands: ALL,
    env: ['AZURE_STORAGE_CONTAINER'],
  },
  {
    name: 'azure-prefix',
    description: 'azure: the blob name prefix backups live under.',
    type: 'string',
    commands: ALL,
    env: ['AZURE_STORAGE_PREFIX'],
  },
  {
    name: 'azure-account-url',
    description:
      'azure: the account URL (https://ACCOUNT.blob.core.windows.net), used with the default Azure credential (what azure/login sets up).',
    type: 'string',
    commands: ALL,
    env: ['AZURE_STORAGE_ACCOUNT_URL'],
  },
  {
    name: 'azure-connection-string',
    description:
      'azure: a storage connection string instead of the account URL. Pass it from a secret.',
    type: 'string',
    commands: ALL,
    env: ['AZURE_STORAGE_CONNECTION_STRING'],
    secret: true,
    flag: false,
  },
  {
    name: 'pg-dump-path',
    description:
      "PostgreSQL: the pg_dump to use. Default: the newest pg_dump on PATH or under /usr/lib/postgresql/<N>/bin whose major version is at least the server's (on GitHub-hosted Linux runners a missing one is installed and cached).",
    type: 'path',
    commands: ['backup', 'restore'],
    engines: ['postgres'],
  },
  {
    name: 'keep-owner',
    description:
      'Obsolete, still accepted: owners are always in a PostgreSQL backup now; leave them out at restore time with --no-owner.',
    type: 'boolean',
    commands: ['backup'],
    default: 'false',
    engines: ['postgres'],
  },
  {
    name: 'keep-privileges',
    description:
      'Obsolete, still accepted: GRANTs are always in a PostgreSQL backup now; leave them out at restore time with --no-privileges.',
    type: 'boolean',
    commands: ['backup'],
    default: 'false',
  },
  {
    name: 'include-roles',
    description:
      "PostgreSQL: put the cluster's role definitions (pg_dumpall --roles-only --no-role-passwords) at the head of the backup, so that a restore onto a fresh server creates the roles its owners and grants name. Roles that exist are left exactly as they are; no password is ever included.",
    type: 'boolean',
    commands: ['backup'],
    default: 'false',
    engines: ['postgres'],
  },
  {
    name: 'format',
    description:
      'PostgreSQL: plain (SQL that gunzip -c | psql restores), custom (one pg_dump -Fc archive, .dump) or directory (pg_dump -Fd, made with --jobs, stored as one tar file, .dir.tar). custom and directory restore with pg_restore --jobs and pick tables at restore time.',
    type: 'string',
    commands: ['backup'],
    default: 'plain',
    engines: ['postgres'],
  },
  {
    name: 'jobs',
    description:
      'PostgreSQL custom and directory backups: parallel pg_dump (directory) and pg_restore jobs. Above 1 a restore fills a new database and then swaps it in (needs drop-database or create-database); a full verify restores into its scratch database with pg_restore --jobs.',
    type: 'integer',
    commands: ['backup', 'restore', 'verify'],
    default: '1',
    min: 1,
    max: 64,
    engines: ['postgres'],
  },
  {
    name: 'schemas',
    description:
      'PostgreSQL: only these schemas (comma- or newline-separated pg_dump patterns, as --schema). At restore, from a custom or directory backup: only what these schemas hold, by exact name (pg_restore --schema); refused for a plain backup.',
    type: 'string',
    commands: ['backup', 'restore'],
    repeatable: true,
    engines: ['postgres'],
  },
  {
    name: 'exclude-schemas',
    description: 'PostgreSQL: leave out these schemas (pg_dump patterns, as --exclude-schema).',
    type: 'string',
    commands: ['backup'],
    repeatable: true,
    engines: ['postgres'],
  },
  {
    name: 'tables',
    description:
      'PostgreSQL: only these tables (pg_dump patterns such as public.users or audit.*, as --table). At restore, from a custom or directory backup: only these tables, by exact name, each whole: its rows, keys, indexes, constraints, defaults, sequences, triggers, comments, grants and partitions; refused for a plain backup.',
    type: 'string',
    commands: ['backup', 'restore'],
    repeatable: true,
    engines: ['postgres'],
  },
  {
    name: 'exclude-tables',
    description: 'PostgreSQL: leave out these tables (pg_dump patterns, as --exclude-table).',
    type: 'string',
    commands: ['backup'],
    repeatable: true,
    engines: ['postgres'],
  },
  {
    name: 'exclude-table-data',
    description:
      "PostgreSQL: keep these tables' definitions but not their rows (pg_dump patterns, as --exclude-table-data).",
    type: 'string',
    commands: ['backup'],
    repeatable: true,
    engines: ['postgres'],
  },
  {
    name: 'sanitize',
    description:
      'A rules file (YAML or JSON, see schema/sanitize-rules.schema.json) that makes this a sanitized copy for development: the columns it names masked, the tables it names emptied, named postgres_sanitized_... or sqlite_sanitized_... With sanitize-storage the regular backup is made too, and the sanitized copy goes there.',
    type: 'path',
    commands: ['backup'],
  },
  {
    name: 'sanitize-salt',
    description:
      'With sanitize: the secret key every masked value is derived from (HMAC-SHA256), at least 16 characters; the same salt gives the same copy every night. Pass it from a secret.',
    type: 'string',
    commands: ['backup'],
    env: ['SANITIZE_SALT'],
    secret: true,
    flag: false,
  },
  {
    name: 'sanitize-salt-file',
    description:
      'A file holding the sanitize salt (one trailing newline is ignored). The environment variable SANITIZE_SALT works too.',
    type: 'path',
    commands: ['backup'],
    input: false,
  },
  {
    name: 'sanitize-strict',
    description:
      'With sanitize: refuse to run while a column whose name looks personal (email, phone, name, address, ip, token, password, ...) has no rule. Give such a column keep when it is not personal.',
    type: 'boolean',
    commands: ['backup'],
    default: 'false',
  },
  {
    name: 'sanitize-storage',
    description:
      'With sanitize: the regular backup goes to storage as usual and the sanitized copy, made beside it, to these targets, each in a place of its own: local:DIR, artifact:PREFIX, s3://BUCKET/PREFIX, gcs://BUCKET/PREFIX, azure://CONTAINER/PREFIX (comma-separated; credentials and endpoints as for storage).',
    type: 'string',
    commands: ['backup'],
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
      'Restore, PostgreSQL: first back up the target into backup-dir as postgres_before-restore_YYYYMMDD_HHMMSS.sql.gz (never pruned). Set false to skip. (A SQLite restore always keeps the replaced file as DB.before-restore.)',
    type: 'boolean',
    commands: ['restore'],
    default: 'true',
  },
  {
    name: 'drop-database',
    description:
      "Restore, PostgreSQL: emergency recovery. Restore into a new database beside the target, then put it in the target's place (both renames in one transaction) and drop the old one; objects only in the target disappear.",
    type: 'boolean',
    commands: ['restore'],
    default: 'false',
    engines: ['postgres'],
  },
  {
    name: 'terminate-connections',
    description:
      'Restore with drop-database: end other sessions connected to the target instead of refusing.',
    type: 'boolean',
    commands: ['restore'],
    default: 'false',
    engines: ['postgres'],
  },
  {
    name: 'create-database',
    description:
      'Restore, PostgreSQL: create the target database when it does not exist (restored under a temporary name, and given the name only once complete).',
    type: 'boolean',
    commands: ['restore'],
    default: 'false',
    engines: ['postgres'],
  },
  {
    name: 'lock-timeout',
    description:
      "Restore, PostgreSQL: how long to wait for each lock on the target (another session using a table the restore replaces) before giving up, rolling back and naming the sessions that hold it: a duration such as 30s or 2min; 0 waits as long as it takes. Also the safety backup's pg_dump --lock-wait-timeout.",
    type: 'string',
    commands: ['restore'],
    default: '30s',
    engines: ['postgres'],
  },
  {
    name: 'owner',
    description:
      "Restore and verify, PostgreSQL: apply the backup's object owners (ALTER … OWNER TO). --no-owner (input owner: false) leaves them out, as pg_restore --no-owner: objects then belong to the user who restores. verify leaves them out by itself when the scratch server lacks the owners' roles, and says so.",
    type: 'boolean',
    commands: ['restore', 'verify'],
    default: 'true',
    engines: ['postgres'],
  },
  {
    name: 'privileges',
    description:
      "Restore and verify, PostgreSQL: apply the backup's privileges (GRANT, REVOKE, ALTER DEFAULT PRIVILEGES). --no-privileges (input privileges: false) leaves them out, as pg_restore --no-privileges. verify leaves them out by itself when the scratch server lacks the grantees' roles, and says so.",
    type: 'boolean',
    commands: ['restore', 'verify'],
    default: 'true',
    engines: ['postgres'],
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
    name: 'max-age',
    description:
      'Status: the newest backup may be at most this old (30m, 26h, 7d); an older one exits 1. 26h suits a nightly backup.',
    type: 'duration',
    commands: ['status'],
    default: '26h',
  },
  {
    name: 'verified-within',
    description:
      'Status: a backup still held must have passed a test restore (db-backup verify) within this time (for example 35d); otherwise exit 1. Not checked when empty.',
    type: 'duration',
    commands: ['status'],
  },
  {
    name: 'notify-url',
    description:
      'A webhook to tell how the job ended (JSON POST on success and on failure); repeat, or separate several by newlines or spaces. Slack, Discord and Microsoft Teams (incoming webhook or Workflows) URLs get their own message format; others the generic JSON. The URL holds a token: pass it from a secret.',
    type: 'string',
    commands: ['backup', 'restore', 'verify', 'prune'],
    env: ['NOTIFY_URL'],
    secret: true,
    repeatable: true,
  },
  {
    name: 'notify-format',
    description:
      'The message format for notify-url webhooks whose address does not say: generic, slack, discord or teams (a Mattermost or Rocket.Chat hook takes slack). Slack, Discord and Teams addresses always get their own.',
    type: 'string',
    commands: ['backup', 'restore', 'verify', 'prune'],
    env: ['NOTIFY_FORMAT'],
    default: 'generic',
  },
  {
    name: 'ping-url',
    description:
      'A healthchecks.io-style ping URL: URL/start when the job starts, URL when it succeeds, URL/fail (with the last lines of the log) when it fails. Pass it from a secret.',
    type: 'string',
    commands: ['backup', 'restore', 'verify', 'prune'],
    env: ['PING_URL'],
    secret: true,
  },
  {
    name: 'notify-timeout',
    description:
      'How long notifications and pings may take, at the start and at the end of the job (all sent at once, one retry each): a notification that fails or times out is reported, and never fails the job. At most 24d.',
    type: 'duration',
    commands: ['backup', 'restore', 'verify', 'prune'],
    default: '10s',
  },
  {
    name: 'log-file',
    description:
      'Append the log to this file, one timestamped line per message (UTC), never a secret, for example logs/backup.log (created with mode 0600, its directory 0700). A log that cannot be written is reported once and never fails the job.',
    type: 'path',
    commands: ALL,
    env: ['BACKUP_LOG_FILE'],
    input: false,
  },
  {
    name: 'job-summary',
    description: 'Write the job summary (set false to leave the summary page to other steps).',
    type: 'boolean',
    commands: ALL,
    default: 'true',
    flag: false,
  },
  {
    name: 'json',
    description: 'Print the result as JSON.',
    type: 'boolean',
    commands: ALL,
    input: false,
  },
  {
    name: 'quiet',
    description:
      'No progress lines. Without it, long work shows bytes, rate, elapsed time and a percentage on stderr: at a terminal one line updated in place, in logs a line every 15 seconds (none for shorter work).',
    type: 'boolean',
    commands: ALL,
    default: 'false',
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
