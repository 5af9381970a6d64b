import fs from 'node:fs/promises';
import path from 'node:path';
import { inheritedEnvironment, runChild } from '../../process/child-processes.js';
import { UserError } from '../../domain/errors.js';
import { chooseClient, parseClientVersion, type ClientCandidate } from './choose-client.js';

export type ClientProgram = 'pg_dump' | 'pg_dumpall' | 'psql' | 'pg_restore';

/** Where PostgreSQL client programs live besides PATH (Debian/Ubuntu, Homebrew). */
const VERSIONED_DIRS = ['/usr/lib/postgresql', '/opt/homebrew/opt', '/usr/local/opt'];

/** A client program with the environment it needs (LD_LIBRARY_PATH for an unpacked package). */
export interface ClientTool extends ClientCandidate {
  readonly env: Readonly<Record<string, string>>;
}

export async function probeClient(
  file: string,
  env: Record<string, string> = {},
): Promise<ClientTool | undefined> {
  try {
    // Nothing of ours but paths and locale: `--version` needs no connection, let alone a secret.
    const { stdout } = await runChild('version-probe', file, ['--version'], {
      timeoutMs: 10_000,
      env: { ...inheritedEnvironment('version-probe'), ...env },
    });
    const parsed = parseClientVersion(stdout);
    return parsed ? { path: file, ...parsed, env } : undefined;
  } catch {
    return undefined;
  }
}

export async function isExecutable(file: string): Promise<boolean> {
  return fs.access(file, fs.constants.X_OK).then(
    () => true,
    () => false,
  );
}

/** `program` in the directory of `file` (a client program given by its path), when one runs there. */
export async function clientBeside(
  file: string,
  program: ClientProgram,
): Promise<ClientTool | undefined> {
  const beside = path.join(path.dirname(file), program);
  return (await isExecutable(beside)) ? probeClient(beside) : undefined;
}

/**
 * Debian's and Ubuntu's /usr/bin/pg_dump, psql … are one Perl script,
 * postgresql-common's pg_wrapper, which runs one of the programs under
 * /usr/lib/postgresql/<N>/bin: those are probed themselves, without a Perl
 * start (about 0.1 s of CPU) for each name the wrapper goes by.
 */
function isDebianWrapper(realPath: string): boolean {
  return path.basename(realPath) === 'pg_wrapper';
}

/**
 * Every distinct `program` on PATH and in the usual versioned directories,
 * in that order; one file reached by two paths (/bin → /usr/bin) once. Debian's
 * wrapper is asked only when no program of its own answers.
 */
export async function findClientCandidates(
  program: ClientProgram,
  extraDirs: readonly string[] = [],
  versionedDirs: readonly string[] = VERSIONED_DIRS,
): Promise<ClientTool[]> {
  const dirs = [...extraDirs, ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean)];
  for (const root of versionedDirs) {
    const entries = await fs.readdir(root).catch(() => [] as string[]);
    for (const entry of entries) {
      if (/^\d+$/.test(entry)) dirs.push(path.join(root, entry, 'bin'));
      else if (/^(libpq|postgresql@\d+)$/.test(entry)) dirs.push(path.join(root, entry, 'bin'));
    }
  }
  const seen = new Set<string>();
  const programs: string[] = [];
  const wrappers: string[] = [];
  for (const dir of dirs) {
    const file = path.join(dir, program);
    if (seen.has(file) || !(await isExecutable(file))) continue;
    const real = await fs.realpath(file).catch(() => file);
    if (seen.has(real)) continue;
    seen.add(file).add(real);
    (isDebianWrapper(real) ? wrappers : programs).push(file);
  }
  const probed = async (files: string[]): Promise<ClientTool[]> =>
    (await Promise.all(files.map((file) => probeClient(file)))).filter(
      (tool): tool is ClientTool => tool !== undefined,
    );
  const found = await probed(programs);
  return found.length > 0 ? found : probed(wrappers);
}

/** Installs a client for `major` (on GitHub-hosted runners) and returns its directory's tools. */
export type ClientInstaller = (
  major: number,
) => Promise<{ binDir: string; env: Record<string, string> } | undefined>;

/** `program` of the client the installer fetches for `major` (GitHub-hosted runners), if it can. */
export async function installedClient(
  installer: ClientInstaller | undefined,
  program: ClientProgram,
  major: number,
): Promise<ClientTool | undefined> {
  const installed = await installer?.(major);
  return installed ? probeClient(path.join(installed.binDir, program), installed.env) : undefined;
}

/**
 * The client program to use for a server of `serverMajor`: an explicit path,
 * else the newest fitting candidate, else one the installer provides, else a
 * clear error naming what to install.
 */
export async function resolveClient(
  program: ClientProgram,
  serverMajor: number,
  options: {
    explicitPath?: string;
    installer?: ClientInstaller;
    preferDir?: string;
    requireFit?: boolean;
  },
): Promise<ClientTool> {
  if (options.explicitPath) {
    const explicit = await probeClient(options.explicitPath);
    if (!explicit) {
      throw new UserError(
        `${options.explicitPath} is not a runnable ${program} (it did not answer --version).`,
      );
    }
    return explicit;
  }
  const candidates = await findClientCandidates(
    program,
    options.preferDir ? [options.preferDir] : [],
  );
  const choice = chooseClient(candidates, serverMajor);
  if (choice.kind === 'chosen') return choice.candidate as ClientTool;
  // psql of an older major still runs a plain SQL dump; only pg_dump must fit.
  if (options.requireFit === false && choice.newest) return choice.newest as ClientTool;
  const installed = await installedClient(options.installer, program, serverMajor);
  if (installed && installed.major >= serverMajor) return installed;
  const found = choice.newest
    ? `${program} ${choice.newest.version} at ${choice.newest.path}`
    : `no ${program}`;
  const flag = program === 'psql' ? '' : ' or set pg-dump-path';
  throw new UserError(
    `${program} must be version ${serverMajor} or newer for this PostgreSQL ${serverMajor} server, and this machine has ${found}: install postgresql-client-${serverMajor}${flag}.`,
  );
}
