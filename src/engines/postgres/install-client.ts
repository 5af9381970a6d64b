import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runChild } from '../../process/child-processes.js';
import { redact } from '../../domain/secrets.js';
import type { ClientInstaller } from './client-tools.js';
import type { Logger } from '../../domain/logger.js';

export interface InstallPlan {
  /** The @actions/cache key: one per OS, architecture and major version. */
  readonly key: string;
  /** Where the packages are unpacked (and what the cache keeps). */
  readonly dir: string;
  readonly binDir: string;
  readonly env: Record<string, string>;
  /** Commands, in order, that fetch and unpack the packages when the cache misses. */
  readonly commands: readonly (readonly string[])[];
}

const PGDG_KEY_URL = 'https://www.postgresql.org/media/keys/ACCC4CF8.asc';
const PGDG_KEYRING = '/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc';
const PGDG_LIST = '/etc/apt/sources.list.d/pgdg.list';

const DEBIAN_ARCH: Record<string, { deb: string; triplet: string }> = {
  x64: { deb: 'amd64', triplet: 'x86_64-linux-gnu' },
  arm64: { deb: 'arm64', triplet: 'aarch64-linux-gnu' },
};

/**
 * How to get postgresql-client-<major> on an Ubuntu runner without touching the
 * system's PostgreSQL: add the PostgreSQL apt repository (PGDG) if missing,
 * download the client and libpq packages, and unpack them into a private
 * directory that @actions/cache can keep for later runs.
 */
export function planClientInstall(
  major: number,
  options: { arch: string; codename: string; toolCache: string },
): InstallPlan {
  const arch = DEBIAN_ARCH[options.arch] ?? {
    deb: options.arch,
    triplet: `${options.arch}-linux-gnu`,
  };
  const dir = path.join(options.toolCache, 'db-backup-postgresql-client', String(major), arch.deb);
  const source = `deb [signed-by=${PGDG_KEYRING}] https://apt.postgresql.org/pub/repos/apt ${options.codename}-pgdg main`;
  const download = path.join(dir, '.debs');
  return {
    key: `db-backup-postgresql-client-linux-${arch.deb}-${major}-v1`,
    dir,
    binDir: path.join(dir, 'usr/lib/postgresql', String(major), 'bin'),
    env: { LD_LIBRARY_PATH: path.join(dir, 'usr/lib', arch.triplet) },
    commands: [
      ['sudo', 'install', '-d', path.dirname(PGDG_KEYRING)],
      [
        'sudo',
        'curl',
        '--fail',
        '--silent',
        '--show-error',
        '--location',
        '-o',
        PGDG_KEYRING,
        PGDG_KEY_URL,
      ],
      ['sudo', 'sh', '-c', `echo "$1" > ${PGDG_LIST}`, 'sh', source],
      [
        'sudo',
        'apt-get',
        'update',
        '-qq',
        '-o',
        `Dir::Etc::sourcelist=${PGDG_LIST}`,
        '-o',
        'Dir::Etc::sourceparts=-',
        '-o',
        'APT::Get::List-Cleanup=0',
      ],
      ['mkdir', '-p', download],
      ['sh', '-c', `cd "$1" && apt-get download postgresql-client-${major} libpq5`, 'sh', download],
      ['sh', '-c', 'for deb in "$1"/*.deb; do dpkg-deb -x "$deb" "$2"; done', 'sh', download, dir],
      ['rm', '-rf', download],
    ],
  };
}

/** True on GitHub's own Linux runners, where installing packages is expected and allowed. */
export function onGitHubHostedLinuxRunner(env: NodeJS.ProcessEnv = process.env): boolean {
  return (
    env.GITHUB_ACTIONS === 'true' &&
    env.RUNNER_ENVIRONMENT === 'github-hosted' &&
    process.platform === 'linux'
  );
}

async function ubuntuCodename(): Promise<string> {
  const release = await fs.readFile('/etc/os-release', 'utf8').catch(() => '');
  return /^VERSION_CODENAME=(\S+)$/m.exec(release)?.[1]?.replace(/"/g, '') ?? 'noble';
}

/** The installer used by the action on GitHub-hosted runners; elsewhere none. */
export function githubRunnerInstaller(log: Logger): ClientInstaller | undefined {
  if (!onGitHubHostedLinuxRunner()) return undefined;
  return async (major) => {
    const { restoreCache, saveCache } = await import('@actions/cache');
    const plan = planClientInstall(major, {
      arch: os.arch(),
      codename: await ubuntuCodename(),
      toolCache: process.env.RUNNER_TOOL_CACHE ?? os.tmpdir(),
    });
    const hit = await restoreCache([plan.dir], plan.key).catch(() => undefined);
    if (hit) {
      log.info(`Using postgresql-client-${major} from the actions cache (${plan.key})`);
      return { binDir: plan.binDir, env: plan.env };
    }
    log.info(`Installing postgresql-client-${major} from apt.postgresql.org into ${plan.dir}`);
    for (const [command, ...args] of plan.commands) {
      // Proxies and paths only: apt and curl need no secret of the run.
      if (command) await runChild('client-installer', command, args);
    }
    await saveCache([plan.dir], plan.key).catch((error: unknown) => {
      log.warn(`Could not cache postgresql-client-${major}: ${redact((error as Error).message)}`);
    });
    return { binDir: plan.binDir, env: plan.env };
  };
}
