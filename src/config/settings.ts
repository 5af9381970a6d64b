import { parseArgs } from 'node:util';
import { editDistance } from '../domain/edit-distance.js';
import { UserError } from '../domain/errors.js';
import { redact, registerSecret, withoutCredentials } from '../domain/secrets.js';
import type { Settings } from './config.js';
import { optionsFor, OPTIONS, type CommandName, type OptionSpec } from './options.js';

type Environment = Readonly<Record<string, string | undefined>>;

/** Applies the fallbacks shared by both entries: given value, then environment, then default. */
function resolve(
  spec: OptionSpec,
  given: string | undefined,
  env: Environment,
): string | undefined {
  if (given !== undefined && given !== '') return given;
  for (const name of spec.env ?? []) {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
  }
  return spec.default;
}

/** Credentials that cloud SDKs read from the environment themselves: masked in anything we print. */
const CREDENTIAL_VARIABLES = [
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AZURE_CLIENT_SECRET',
  'AZURE_STORAGE_KEY',
  'PGPASSWORD',
];

export function maskEnvironmentCredentials(env: Environment): void {
  for (const name of CREDENTIAL_VARIABLES) maskSecret(env[name]);
}

/** The action's inputs, read the way the runner passes them (INPUT_<NAME>). */
export function settingsFromInputs(
  getInput: (name: string) => string,
  env: Environment,
): { command: string; settings: Settings } {
  maskEnvironmentCredentials(env);
  const settings: Record<string, string | undefined> = {};
  for (const spec of OPTIONS) {
    if (spec.input === false) continue;
    const value = resolve(spec, getInput(spec.name), env);
    // Masked at once, before anything can print them; URLs mask only their password (when parsed).
    if (spec.secret && !spec.name.endsWith('-url')) maskSecret(value);
    settings[spec.name] = value;
  }
  return { command: settings.command ?? 'backup', settings };
}

export interface CliArguments {
  readonly command: CommandName;
  readonly settings: Settings;
  readonly help: boolean;
  /** Things to tell the user before anything runs. */
  readonly warnings: readonly string[];
}

/** A URL flag with a password puts it in the process list, readable by every user of the machine. */
function passwordInFlag(name: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || withoutCredentials(value) === value) return undefined;
  const variable = name === 'database-url' ? 'DATABASE_URL' : 'VERIFY_DATABASE_URL';
  return `--${name} holds a password, which other users of this machine can read in the process list: prefer ${variable}=... in the environment.`;
}

/** A webhook or ping URL is its own credential: on the command line, every user can read it. */
function tokenInFlag(name: string, value: unknown): string | undefined {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return undefined;
  const variable = name === 'notify-url' ? 'NOTIFY_URL' : 'PING_URL';
  return `--${name} holds the URL's token, which other users of this machine can read in the process list: prefer ${variable}=... in the environment (an environment file of mode 0600 for cron).`;
}

const DATABASE_URL = /^(postgres(ql)?|file|sqlite3?):/i;

/** Variables the tool reads that are no option's: debugging and the log file. */
const OTHER_OWN_VARIABLES = ['DB_BACKUP_DEBUG', 'DB_BACKUP_PROGRESS_INTERVAL', 'BACKUP_LOG_FILE'];

/**
 * Variables named as Docker images name a secret's file (`*_FILE`): the tool
 * takes the secret itself from its variable, and the file from a flag.
 */
const FILE_VARIABLES: Readonly<Record<string, string>> = {
  BACKUP_PASSPHRASE_FILE: 'passphrase-file',
  BACKUP_PRIVATE_KEY_PASSPHRASE_FILE: 'private-key-passphrase-file',
  BACKUP_PRIVATE_KEY_FILE: 'private-key-file',
  BACKUP_RECIPIENT_KEY_FILE: 'recipient-key-file',
};

function fileVariableWarning(name: string): string {
  const why = name.includes('PASSPHRASE')
    ? ' (a variable holds the passphrase itself, never the path of its file)'
    : '';
  return `${name} is not a setting of db-backup and was ignored: give that file with --${FILE_VARIABLES[name]}${why}.`;
}

/**
 * BACKUP_PASSPHRASE_FILE or BACKUP_RECIPIENT_KEY_FILE where nothing else asks
 * for encryption would make a plain backup with only a warning said: refused
 * instead, before anything is read.
 */
function assertEncryptionNotLost(settings: Settings, env: Environment): void {
  const unread = ['BACKUP_PASSPHRASE_FILE', 'BACKUP_RECIPIENT_KEY_FILE'].find(
    (name) => env[name] !== undefined && env[name] !== '',
  );
  if (unread === undefined) return;
  const mode = settings.encryption;
  if (typeof mode === 'string' && mode.toLowerCase() !== 'auto') return;
  const given = [
    'passphrase-file',
    'encryption-passphrase',
    'recipient-key-file',
    'encryption-public-keys',
  ];
  if (given.some((name) => settings[name] !== undefined && settings[name] !== '')) return;
  const instead =
    unread === 'BACKUP_PASSPHRASE_FILE'
      ? 'give the file with --passphrase-file, or the passphrase itself in BACKUP_PASSPHRASE'
      : 'give the file with --recipient-key-file';
  throw new UserError(
    `${unread} is set, but db-backup does not read it, and nothing else asks for encryption: ${instead}. Nothing was backed up (it would not have been encrypted).`,
  );
}

/**
 * A variable that looks like one of the tool's but is not (MAX_BACKUP,
 * BACKUP_DIRECTORY, BACKUP_ENCRYPTON) would be ignored without a word, and
 * a nightly job would quietly run with the default: named, with the
 * setting it likely meant. A look-alike is a name one or two letters from
 * one of ours (one for short names), or any other BACKUP_ name.
 */
export function lookalikeVariables(env: Environment): string[] {
  const ours = [...new Set([...OPTIONS.flatMap((spec) => spec.env ?? []), ...OTHER_OWN_VARIABLES])];
  const warnings: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (ours.includes(name) || CREDENTIAL_VARIABLES.includes(name)) continue;
    if (FILE_VARIABLES[name] !== undefined) {
      warnings.push(fileVariableWarning(name));
      continue;
    }
    const near = ours
      .map((own) => ({ own, distance: editDistance(name, own) }))
      .filter(({ own, distance }) => distance <= (own.length >= 8 ? 2 : 1))
      .sort((a, b) => a.distance - b.distance)[0]?.own;
    const namespaced = name.startsWith('BACKUP_')
      ? ours
          .filter((own) => own.startsWith('BACKUP_'))
          .sort((a, b) => sharedPrefix(name, b) - sharedPrefix(name, a))[0]
      : undefined;
    const meant = near ?? namespaced;
    if (meant)
      warnings.push(
        `${name} is not a setting of db-backup and was ignored: did you mean ${meant}?`,
      );
  }
  return warnings;
}

function sharedPrefix(a: string, b: string): number {
  let length = 0;
  while (length < a.length && a[length] === b[length]) length += 1;
  return length;
}

/** `db-backup <command> [backup] [--flags]`, with the environment as fallback. */
export function settingsFromArgv(
  command: CommandName,
  args: readonly string[],
  env: Environment,
): CliArguments {
  maskEnvironmentCredentials(env);
  const specs = optionsFor(command).filter((spec) => spec.flag !== false);
  const options: Record<
    string,
    { type: 'string' | 'boolean'; multiple?: boolean; short?: string }
  > = { help: { type: 'boolean', short: 'h' } };
  for (const spec of specs) {
    options[spec.name] = {
      type: spec.type === 'boolean' ? 'boolean' : 'string',
      ...(spec.repeatable ? { multiple: true } : {}),
      ...(spec.name === 'yes' ? { short: 'y' } : {}),
    };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...args],
      options,
      allowPositionals: true,
      allowNegative: true,
      strict: true,
    });
  } catch (error) {
    // node's own wording, which may quote an argument: masked like any outside text.
    const message = redact(
      error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error),
    );
    const unknown = /^Unknown option '([^']+)'/.exec(message ?? '');
    if (unknown)
      throw new UserError(
        `Unknown option ${unknown[1]} for ${command} (see db-backup ${command} --help).`,
      );
    throw new UserError(`${message} (see db-backup ${command} --help).`);
  }
  // `--passphrase-file "$PASSFILE"` with the variable unset: an empty path is no file, and
  // taken as none it would make a plain backup.
  for (const spec of specs) {
    if (spec.type !== 'path') continue;
    const value = parsed.values[spec.name];
    if (value === '' || (Array.isArray(value) && value.includes(''))) {
      throw new UserError(
        `--${spec.name} is empty: give the path of a file (a shell variable that is not set leaves it so).`,
      );
    }
  }
  const takesBackup = command === 'restore' || command === 'verify';
  if (parsed.positionals.length > (takesBackup ? 1 : 0)) {
    const argument = parsed.positionals.at(-1) ?? '';
    // A database URL typed without its flag: never echoed with its password.
    const hint = DATABASE_URL.test(argument) ? ': give the database as DATABASE_URL' : '';
    throw new UserError(
      `Unexpected argument "${withoutCredentials(argument)}"${hint} (see db-backup ${command} --help).`,
    );
  }
  const settings: Record<string, string | undefined> = {};
  for (const spec of specs) {
    const value = parsed.values[spec.name];
    const given = Array.isArray(value)
      ? value.join('\n')
      : typeof value === 'boolean'
        ? String(value)
        : value;
    settings[spec.name] = resolve(spec, given, env);
  }
  // Inputs with no flag (secrets) still come from the environment at the CLI.
  for (const spec of optionsFor(command)) {
    if (spec.flag === false && spec.env) settings[spec.name] = resolve(spec, undefined, env);
  }
  if (takesBackup) {
    const backupSpec = OPTIONS.find((spec) => spec.name === 'backup');
    settings.backup = parsed.positionals[0] ?? backupSpec?.default;
  }
  if (command === 'backup') assertEncryptionNotLost(settings, env);
  const warnings = [
    ...['database-url', 'verify-database-url'].map((name) =>
      passwordInFlag(name, parsed.values[name]),
    ),
    ...['notify-url', 'ping-url'].map((name) => tokenInFlag(name, parsed.values[name])),
    ...lookalikeVariables(env),
  ].filter((warning): warning is string => warning !== undefined);
  return { command, settings, help: parsed.values.help === true, warnings };
}

/** A multi-line secret (an armored key) is masked line by line too, as the runner prints lines. */
function maskSecret(value: string | undefined): void {
  if (!value) return;
  registerSecret(value);
  for (const line of value.split(/\r?\n/)) {
    if (line.trim().length >= 8 && !line.startsWith('-----')) registerSecret(line.trim());
  }
}
