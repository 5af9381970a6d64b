import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../domain/errors.js';
import { readAtMost, SilentPipe } from '../fs/read-at-most.js';
import {
  parseDatabaseUrl,
  type DatabaseLocation,
  type EngineKind,
} from '../domain/database-location.js';
import { DUMP_FORMATS, type DumpFormat } from '../domain/dump-format.js';
import type { PostgresDumpOptions } from '../engines/index.js';
import type { DecryptionKeys, EncryptionRequest } from '../pipeline/encryption.js';
import {
  assertPassphraseForNewBackups,
  givenPassphrase,
  passphraseFromFile,
} from '../pipeline/passphrase-rules.js';
import { parseDuration } from './duration.js';
import { splitStatements } from './split-sql.js';
import { sanitizeConfig } from './sanitize-config.js';
import { compressionSettings } from './compression-config.js';
import { retentionSettings } from './retention-config.js';
import { COMMANDS, type CommandName } from './options.js';
import { labelProblem } from '../domain/backup-name.js';
import { assertCombinations, assertNumbersInRange, assertOptionsApply } from './option-checks.js';
import {
  bool,
  durationMs,
  integer,
  list,
  patternList,
  required,
  text,
  type Settings,
} from './values.js';
import { parseTargetId, parseTargetList, targetSettings } from './storage-config.js';
import type { Common, Config } from '../commands/command-config.js';

export type { Settings } from './values.js';
export type {
  BackupConfig,
  Config,
  Confirmation,
  ListConfig,
  PruneConfig,
  RestoreConfig,
  StatusConfig,
  VerifyConfig,
} from '../commands/command-config.js';

export function parseCommandName(value: string | undefined): CommandName {
  const name = (value ?? '').trim().toLowerCase();
  const found = COMMANDS.find((command) => command === name);
  if (!found) {
    throw new UserError(`Unknown command "${value ?? ''}": use one of ${COMMANDS.join(', ')}.`);
  }
  return found;
}

/** Turns raw settings into one validated Config; throws UserError on a bad value. */
export function parseConfig(command: CommandName, settings: Settings, cwd: string): Config {
  assertNumbersInRange(command, settings);
  assertCombinations(command, settings);
  const backupDir = path.resolve(cwd, required(settings, 'backup-dir'));
  const common: Common = {
    backupDir,
    json: bool(settings, 'json'),
    quiet: bool(settings, 'quiet'),
    targets: targetSettings(settings, backupDir),
    name: databaseName(settings),
  };
  const from = parseTargetId(text(settings, 'from') ?? 'local', 'from');
  switch (command) {
    case 'backup':
      return {
        ...common,
        command,
        database: database(settings, cwd, command),
        serverDatabases: serverDatabases(settings, common.name),
        ...retentionSettings(settings),
        compression: compressionSettings(settings),
        encryption: newBackupEncryption(settings, cwd),
        postgres: postgresDump(settings),
        storage: parseTargetList(text(settings, 'storage') ?? 'local', 'storage'),
        notices: obsoleteDumpSettings(settings),
        sanitize: sanitizeConfig(settings, cwd, backupDir, () =>
          secret(settings, 'sanitize-salt-file', 'sanitize-salt', cwd),
        ),
      };
    case 'restore': {
      const target = database(settings, cwd, command);
      const keys = decryption(settings, cwd);
      // The passphrase file is read once: a pipe (--passphrase-file <(…), a FIFO) has nothing for a second read.
      const readOnce: Settings = {
        ...settings,
        'passphrase-file': undefined,
        'encryption-passphrase': keys.passphrase,
      };
      return {
        ...common,
        command,
        from,
        database: target,
        backup: required(settings, 'backup'),
        confirmation: { yes: bool(settings, 'yes'), typed: text(settings, 'confirm') },
        compression: compressionSettings(settings),
        safetyBackup: bool(settings, 'safety-backup'),
        decryption: keys,
        encryption: encryption(readOnce, cwd),
        postgres: {
          pgDumpPath: text(settings, 'pg-dump-path'),
          dropDatabase: bool(settings, 'drop-database'),
          terminateConnections: bool(settings, 'terminate-connections'),
          createDatabase: bool(settings, 'create-database'),
          owner: bool(settings, 'owner'),
          privileges: bool(settings, 'privileges'),
          leaveOutMissingRoles: false,
          lockTimeoutMs: durationMs(settings, 'lock-timeout'),
          jobs: jobs(settings),
          restoreTables: restoreNames(settings, 'tables'),
          restoreSchemas: restoreNames(settings, 'schemas'),
        },
      };
    }
    case 'verify': {
      const own = databaseOfPlace(settings, cwd, command, common.name).database;
      if (own) assertOptionsApply(command, settings, own.engine);
      return {
        ...common,
        command,
        from,
        database: own,
        backup: required(settings, 'backup'),
        quick: bool(settings, 'quick'),
        decryption: decryption(settings, cwd),
        verifyDatabase: optionalUrl(settings, 'verify-database-url', cwd),
        postgres: {
          owner: bool(settings, 'owner'),
          privileges: bool(settings, 'privileges'),
          jobs: jobs(settings),
        },
        verifySql: verifyQueries(settings, cwd),
      };
    }
    case 'list':
      return {
        ...common,
        command,
        from,
        ...databaseOfPlace(settings, cwd, command, common.name),
        all: bool(settings, 'all'),
      };
    case 'prune':
      return {
        ...common,
        command,
        from,
        ...databaseOfPlace(settings, cwd, command, common.name),
        ...retentionSettings(settings),
        dryRun: bool(settings, 'dry-run'),
      };
    case 'status':
      return {
        ...common,
        command,
        from,
        ...databaseOfPlace(settings, cwd, command, common.name),
        maxAge: duration(settings, 'max-age') ?? { text: '26h', ms: 26 * 3_600_000 },
        verifiedWithin: duration(settings, 'verified-within'),
      };
  }
}

/**
 * The database whose backups list, prune and status look at (none: every
 * database at the place). `--name` says which database's backups, so it goes
 * with the database it names.
 */
function databaseOfPlace(
  settings: Settings,
  cwd: string,
  command: CommandName,
  name: string | undefined,
): { engine: EngineKind | undefined; database: DatabaseLocation | undefined } {
  const database = optionalDatabase(settings, cwd);
  if (name !== undefined && database === undefined)
    throw new UserError(
      `${command}: --name (BACKUP_NAME) goes with the database it names: give --database-url (DATABASE_URL) too.`,
    );
  return { engine: database?.engine, database };
}

/**
 * all-databases / databases: several databases of one server, each its own
 * backup. What names or selects within one database cannot go with them.
 */
function serverDatabases(
  settings: Settings,
  name: string | undefined,
): 'all' | readonly string[] | undefined {
  const all = bool(settings, 'all-databases');
  const names = databaseNames(settings);
  if (!all && names.length === 0) return undefined;
  const given = all ? 'all-databases' : 'databases';
  if (all && names.length > 0)
    throw new UserError(
      'Give all-databases (every database of the server) or databases (these), not both. Nothing was changed.',
    );
  if (name !== undefined)
    throw new UserError(
      `name (--name, BACKUP_NAME) names one database, and ${given} backs up several: each backup carries its own database's name. Remove name. Nothing was changed.`,
    );
  const oneDatabase = ['sanitize', 'tables', 'schemas'].filter(
    (option) => text(settings, option) !== undefined,
  );
  if (oneDatabase.length > 0)
    throw new UserError(
      `${oneDatabase.join(', ')} ${oneDatabase.length === 1 ? 'works' : 'work'} on one database's tables, and ${given} backs up several: back that database up on its own. Nothing was changed.`,
    );
  return all ? 'all' : names;
}

/**
 * `databases`: names split at commas and line breaks, the spaces around each
 * dropped. An empty item or a name given twice is a typo whose meaning
 * nobody can tell: refused rather than guessed.
 */
function databaseNames(settings: Settings): string[] {
  const value = settings.databases ?? '';
  if (value === '') return [];
  // A comma with a line break after it (a YAML block, one name a line) is one separator.
  const names = value.trim().split(/\s*[,\n]\s*/);
  if (names.length === 1 && names[0] === '')
    throw new UserError(
      'databases names no database: give their names, comma-separated (databases: app,billing), or leave it out. Nothing was changed.',
    );
  if (names.includes(''))
    throw new UserError(
      'databases: an empty name between commas (or before or after one): give each name once, comma-separated (databases: app,billing). Nothing was changed.',
    );
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined)
    throw new UserError(
      `databases: "${twice}" is named twice: name each database once. Nothing was changed.`,
    );
  return names;
}

/** `--name`: it becomes part of file names, so only what a name can safely hold. */
function databaseName(settings: Settings): string | undefined {
  const name = text(settings, 'name')?.trim();
  if (name === undefined || name === '') return undefined;
  const problem = labelProblem(name);
  if (problem) throw new UserError(`name "${name}" cannot be used: ${problem}.`);
  return name;
}

function duration(settings: Settings, name: string): { text: string; ms: number } | undefined {
  const value = text(settings, name);
  return value === undefined ? undefined : { text: value, ms: parseDuration(value, name) };
}

/** The database a backup or restore works on; options of the other engine are refused. */
function database(settings: Settings, cwd: string, command: CommandName): DatabaseLocation {
  const location = parseDatabaseUrl(settings['database-url'] ?? '', cwd);
  assertOptionsApply(command, settings, location.engine);
  return location;
}

function optionalDatabase(settings: Settings, cwd: string): DatabaseLocation | undefined {
  return optionalUrl(settings, 'database-url', cwd);
}

function optionalUrl(settings: Settings, name: string, cwd: string): DatabaseLocation | undefined {
  const url = text(settings, name);
  return url === undefined ? undefined : parseDatabaseUrl(url, cwd);
}

function postgresDump(settings: Settings): PostgresDumpOptions {
  return {
    pgDumpPath: text(settings, 'pg-dump-path'),
    includeRoles: bool(settings, 'include-roles'),
    schemas: patternList(settings, 'schemas'),
    excludeSchemas: patternList(settings, 'exclude-schemas'),
    tables: patternList(settings, 'tables'),
    excludeTables: patternList(settings, 'exclude-tables'),
    excludeTableData: patternList(settings, 'exclude-table-data'),
    format: dumpFormat(settings),
    jobs: jobs(settings),
  };
}

function dumpFormat(settings: Settings): DumpFormat {
  const name = (text(settings, 'format') ?? 'plain').toLowerCase();
  const format = DUMP_FORMATS.find((known) => known === name);
  if (format === undefined) {
    throw new UserError(`format must be plain, custom or directory (got "${name}").`);
  }
  if (format !== 'plain' && bool(settings, 'include-roles')) {
    throw new UserError(
      `include-roles puts the roles at the head of a plain SQL backup: use format plain with it, or leave it out. Nothing was changed.`,
    );
  }
  if (format !== 'plain' && text(settings, 'sanitize') !== undefined) {
    throw new UserError(
      `sanitize rewrites plain SQL: use format plain for sanitized copies. Nothing was changed.`,
    );
  }
  if (format !== 'directory' && jobs(settings) > 1) {
    throw new UserError(
      `jobs at backup time parallelizes pg_dump's directory format only: add --format directory, or leave jobs out (a custom backup still restores with --jobs). Nothing was changed.`,
    );
  }
  return format;
}

/** `jobs`, 1 unless given. */
function jobs(settings: Settings): number {
  return text(settings, 'jobs') === undefined ? 1 : integer(settings, 'jobs', 1, 64);
}

/**
 * --tables / --schemas at restore: exact names, as pg_restore takes them. A
 * name in double quotes (to hold a comma) is the name inside, with `""` as
 * one quote; each name counts once. Given but naming nothing (`--tables ,`)
 * is refused: it would restore everything.
 */
function restoreNames(settings: Settings, name: string): string[] {
  const names = [...new Set(patternList(settings, name).map(unquotedName))];
  if (text(settings, name) !== undefined && names.length === 0) {
    throw new UserError(
      `${name} names nothing: give one or more names, separated by commas, or leave it out to restore everything.`,
    );
  }
  return names;
}

function unquotedName(item: string): string {
  const quoted = /^"(.*)"$/s.exec(item);
  return quoted ? (quoted[1] ?? '').replace(/""/g, '"') : item;
}

/** keep-owner / keep-privileges, from before backups always held owners and privileges. */
function obsoleteDumpSettings(settings: Settings): string[] {
  const given = ['keep-owner', 'keep-privileges'].filter((name) => bool(settings, name));
  if (given.length === 0) return [];
  return [
    `${given.join(' and ')} no longer change anything: owners and privileges are always in a PostgreSQL backup now; restore with --no-owner / --no-privileges to leave them out.`,
  ];
}

/**
 * verify-sql: a file of queries separated by semicolons, or (when no such file
 * exists and the text holds a space) the SQL itself, as an action input may.
 */
function verifyQueries(settings: Settings, cwd: string): string[] {
  const value = text(settings, 'verify-sql');
  if (value === undefined) return [];
  const file = path.resolve(cwd, value);
  let sql: string;
  if (existsSync(file)) sql = readFileSync(file, 'utf8');
  else if (/\s/.test(value)) sql = value;
  else throw new UserError(`verify-sql: the file ${file} does not exist.`);
  const queries = splitStatements(sql);
  if (queries.length === 0) throw new UserError('verify-sql holds no query.');
  return queries;
}

/** A passphrase file is one line; a key file a few armored keys. Anything longer is not what the option names. */
const PASSPHRASE_FILE_LIMIT = 1024 * 1024;
const KEY_FILE_LIMIT = 16 * 1024 * 1024;

/**
 * Why the file an option names could not be opened. The value is not repeated: a
 * passphrase or key put where its path belongs would otherwise reach the log file,
 * the job summary and the webhooks.
 */
function unreadableOptionFile(option: string, holds: string, cwd: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? `there is no file at the path it gives (a relative path is read from ${cwd})`
      : code === 'EACCES' || code === 'EPERM'
        ? 'the file it names may not be read by this user'
        : code === 'EISDIR'
          ? 'it names a directory'
          : code === 'ENOTDIR'
            ? 'a part of its path is not a directory'
            : `the file it names cannot be read (${code ?? (error as Error).message})`;
  return `${option}: ${why}. Give the path of the file that holds the ${holds}; the value is not repeated here, in case it is the ${holds} itself.`;
}

/** The bytes of a file named by an option (a passphrase or key file): it must exist, not be empty, and not be huge. */
function readOptionBytes(
  option: string,
  value: string,
  cwd: string,
  limit: number,
): { file: string; bytes: Buffer } {
  const file = path.resolve(cwd, value);
  const holds = limit === KEY_FILE_LIMIT ? 'key' : 'passphrase';
  let bytes: Buffer | undefined;
  try {
    bytes = readAtMost(file, limit);
  } catch (error) {
    if (error instanceof SilentPipe) {
      throw new UserError(
        `${option}: ${error.message}: start what writes the ${holds} into it first, or give a file.`,
      );
    }
    throw new UserError(unreadableOptionFile(option, holds, cwd, error));
  }
  if (bytes === undefined) {
    throw new UserError(
      `${option}: ${file} holds more than ${limit / (1024 * 1024)} MiB, which no ${holds} file does: name the right file.`,
    );
  }
  if (!bytes.toString('utf8').trim()) throw new UserError(`${option}: ${file} is empty.`);
  return { file, bytes };
}

function readOptionFile(option: string, value: string, cwd: string): string {
  return readOptionBytes(option, value, cwd, KEY_FILE_LIMIT).bytes.toString('utf8');
}

function fileOption(settings: Settings, option: string, cwd: string): string | undefined {
  const value = text(settings, option);
  return value === undefined ? undefined : readOptionFile(option, value, cwd);
}

/** A passphrase file, read as `gpg --passphrase-file` reads it (or refused, when gpg would read it differently). */
function passphraseFileOption(settings: Settings, option: string, cwd: string): string | undefined {
  const value = text(settings, option);
  if (value === undefined) return undefined;
  const { file, bytes } = readOptionBytes(option, value, cwd, PASSPHRASE_FILE_LIMIT);
  return passphraseFromFile(bytes, `${option} ${file}`);
}

/** A secret from its file option, or else its value option / environment. */
function secret(
  settings: Settings,
  fileName: string,
  valueName: string,
  cwd: string,
): string | undefined {
  const fromFile = passphraseFileOption(settings, fileName, cwd);
  return givenPassphrase(fromFile !== undefined ? fromFile : settings[valueName]);
}

function passphrase(settings: Settings, cwd: string): string | undefined {
  return secret(settings, 'passphrase-file', 'encryption-passphrase', cwd);
}

function publicKeys(settings: Settings, cwd: string): string[] {
  const files = list(settings, 'recipient-key-file').map((file) =>
    readOptionFile('recipient-key-file', file, cwd),
  );
  const inline = text(settings, 'encryption-public-keys');
  return inline === undefined ? files : [...files, inline];
}

const ENCRYPTION_MODES = ['auto', 'none', 'passphrase', 'public-key'] as const;

/**
 * What to encrypt with. `encryption: passphrase` or `public-key` states the
 * intent, so that an empty secret (a GitHub secret that does not exist is an
 * empty string) fails the run instead of producing a plain backup; `auto`
 * uses whatever is given.
 */
export function encryption(settings: Settings, cwd: string): EncryptionRequest {
  const mode = (text(settings, 'encryption') ?? 'auto').toLowerCase();
  const given = passphrase(settings, cwd);
  const keys = publicKeys(settings, cwd);
  if (given !== undefined && keys.length > 0) {
    throw new UserError('Give either an encryption passphrase or public keys, not both.');
  }
  switch (mode) {
    case 'auto':
      if (given !== undefined) return { mode: 'passphrase', passphrase: given };
      if (keys.length > 0) return { mode: 'public-key', armoredPublicKeys: keys };
      return { mode: 'none' };
    case 'none':
      if (given !== undefined || keys.length > 0) {
        throw new UserError(
          'encryption is none, but a passphrase or public keys were given: remove them or choose a mode.',
        );
      }
      return { mode: 'none' };
    case 'passphrase':
      if (given === undefined) {
        throw new UserError(
          'encryption is passphrase, but the passphrase is empty or missing (a GitHub secret that does not exist is empty): set encryption-passphrase, --passphrase-file or BACKUP_PASSPHRASE. Nothing was backed up.',
        );
      }
      return { mode: 'passphrase', passphrase: given };
    case 'public-key':
      if (keys.length === 0) {
        throw new UserError(
          'encryption is public-key, but no public key was given: set encryption-public-keys or --recipient-key-file. Nothing was backed up.',
        );
      }
      return { mode: 'public-key', armoredPublicKeys: keys };
    default:
      throw new UserError(
        `encryption must be one of ${ENCRYPTION_MODES.join(', ')} (got "${mode}").`,
      );
  }
}

/** A new backup's encryption: as `encryption`, and a passphrase long enough to protect it. */
function newBackupEncryption(settings: Settings, cwd: string): EncryptionRequest {
  const request = encryption(settings, cwd);
  if (request.mode === 'passphrase') assertPassphraseForNewBackups(request.passphrase);
  return request;
}

/** What opens encrypted backups: the passphrase and/or a private key (with its own passphrase). */
export function decryption(settings: Settings, cwd: string): DecryptionKeys {
  const passphraseValue = passphrase(settings, cwd);
  const armored =
    fileOption(settings, 'private-key-file', cwd) ?? text(settings, 'decryption-private-key');
  const keyPassphrase = secret(
    settings,
    'private-key-passphrase-file',
    'private-key-passphrase',
    cwd,
  );
  return {
    ...(passphraseValue !== undefined ? { passphrase: passphraseValue } : {}),
    ...(armored !== undefined
      ? {
          privateKeys: [
            { armored, ...(keyPassphrase !== undefined ? { passphrase: keyPassphrase } : {}) },
          ],
        }
      : {}),
  };
}
