/**
 * The only place that starts child processes (a lint rule keeps it so). A
 * child never gets a copy of our environment, which holds DATABASE_URL, the
 * backup passphrase, cloud keys and tokens: it gets what its purpose allows,
 * by name, and nothing else — version probes included.
 */
import {
  execFile,
  spawn,
  spawnSync,
  type ChildProcess,
  type StdioOptions,
} from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Why a child runs: each purpose has its own allow-list. */
export type ChildPurpose = 'version-probe' | 'libpq-client' | 'client-installer' | 'notifier';

/** Every child may have these: where programs are, and the language and time zone of its messages. */
const EVERY_CHILD = /^(PATH|LANG|LANGUAGE|LC_[A-Z_]+|TZ|SYSTEMROOT)$/;

/** Taken from our own environment, per purpose, besides EVERY_CHILD. */
const INHERITED: Readonly<Record<ChildPurpose, RegExp>> = {
  // An unpacked client package finds its libpq through the library path.
  'version-probe': /^(LD_LIBRARY_PATH|DYLD_LIBRARY_PATH)$/,
  // HOME: ~/.pgpass and ~/.postgresql/root.crt; Kerberos for GSSAPI logins; libpq's service files.
  'libpq-client':
    /^(HOME|LD_LIBRARY_PATH|DYLD_LIBRARY_PATH|KRB5CCNAME|KRB5_CONFIG|PGSERVICEFILE|PGSYSCONFDIR)$/,
  // curl and apt behind a proxy.
  'client-installer': /^(HOME|https?_proxy|no_proxy|HTTPS?_PROXY|NO_PROXY)$/,
  // Node.js posting the last notifications of an interrupted run: a company CA, a proxy.
  notifier:
    /^(NODE_EXTRA_CA_CERTS|NODE_USE_ENV_PROXY|https?_proxy|no_proxy|HTTPS?_PROXY|NO_PROXY)$/,
};

/** Set by the caller for the call at hand (the connection: PGHOST, PGPASSWORD, ...). */
const GIVEN: Readonly<Record<ChildPurpose, RegExp | undefined>> = {
  'version-probe': undefined,
  'libpq-client': /^PG[A-Z_]+$/,
  'client-installer': undefined,
  notifier: undefined,
};

type Environment = Readonly<Record<string, string | undefined>>;

function pick(env: Environment, allowed: (name: string) => boolean): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && allowed(name)) picked[name] = value;
  }
  return picked;
}

/** What a child of `purpose` may inherit from `from` (our environment). */
export function inheritedEnvironment(
  purpose: ChildPurpose,
  from: Environment = process.env,
): Record<string, string> {
  return pick(from, (name) => EVERY_CHILD.test(name) || INHERITED[purpose].test(name));
}

/**
 * The environment a child of `purpose` starts with: `env` filtered by the
 * purpose's allow-list. Whatever a caller passes (even all of process.env),
 * nothing outside the list reaches the child.
 */
export function childEnvironment(purpose: ChildPurpose, env: Environment): Record<string, string> {
  const given = GIVEN[purpose];
  return pick(
    env,
    (name) =>
      EVERY_CHILD.test(name) || INHERITED[purpose].test(name) || (given?.test(name) ?? false),
  );
}

/** Starts `file` without a shell, with an argument array and the purpose's environment. */
export function startChild(
  purpose: ChildPurpose,
  file: string,
  args: readonly string[],
  options: { env: Environment; stdio: StdioOptions },
): ChildProcess {
  return spawn(file, args, {
    env: childEnvironment(purpose, options.env),
    stdio: options.stdio,
    shell: false,
  });
}

/** Runs `file` to its end and returns what it printed; fails on a non-zero exit or the timeout. */
export async function runChild(
  purpose: ChildPurpose,
  file: string,
  args: readonly string[],
  options: { env?: Environment; timeoutMs?: number } = {},
): Promise<{ stdout: string; stderr: string }> {
  const { stdout, stderr } = await execFileAsync(file, args, {
    env: childEnvironment(purpose, options.env ?? inheritedEnvironment(purpose)),
    shell: false,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
  });
  return { stdout, stderr };
}

/**
 * Runs `file` to its end while this process waits, blocked (nothing else of
 * ours moves meanwhile), feeding it `input` on stdin; killed after the timeout.
 */
export function runChildSync(
  purpose: ChildPurpose,
  file: string,
  args: readonly string[],
  options: { input: string; timeoutMs: number },
): void {
  spawnSync(file, args, {
    env: inheritedEnvironment(purpose),
    input: options.input,
    stdio: ['pipe', 'ignore', 'ignore'],
    timeout: options.timeoutMs,
    killSignal: 'SIGKILL',
    shell: false,
  });
}
