import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CliProcess } from './cli.js';
import type { PgServer } from './postgres.js';
import { tempDir } from './tmp.js';

/** The real psql and pg_dump of this machine (Debian's newest). */
export function clientProgram(name: 'psql' | 'pg_dump'): string {
  const root = '/usr/lib/postgresql';
  const majors = fs
    .readdirSync(root)
    .filter((d) => fs.existsSync(path.join(root, d, 'bin', name)))
    .sort((a, b) => Number(b) - Number(a));
  return path.join(root, majors[0] ?? '', 'bin', name);
}

/** pg_dump of a database as text, without pg_dump's random \restrict key lines. */
export function pgDumpText(
  server: PgServer,
  database: string,
  args: readonly string[] = [],
): string {
  const run = spawnSync(clientProgram('pg_dump'), [...args], {
    env: server.libpqEnv(database),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`pg_dump ${database}: ${run.stderr}`);
  return withoutRestrictLines(run.stdout);
}

export function withoutRestrictLines(sql: string): string {
  return sql.replace(/^\\(un)?restrict \S+\n/gm, '');
}

/** Runs SQL with the real psql (ON_ERROR_STOP), for setting up databases from dumps. */
export function psqlRun(server: PgServer, database: string, sql: string): void {
  const run = spawnSync(
    clientProgram('psql'),
    ['--no-psqlrc', '--quiet', '-v', 'ON_ERROR_STOP=1', '--file=-'],
    { env: server.libpqEnv(database), input: sql, encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`psql ${database}: ${run.stderr}`);
}

/** Name → sha256 of every file in a directory: backups must stay as they were. */
export function fileDigests(dir: string): Record<string, string> {
  const digests: Record<string, string> = {};
  if (!fs.existsSync(dir)) return digests;
  for (const name of fs.readdirSync(dir).sort()) {
    digests[name] = createHash('sha256')
      .update(fs.readFileSync(path.join(dir, name)))
      .digest('hex');
  }
  return digests;
}

export interface GateConfig {
  /** Pause before passing on the first line that matches. */
  readonly pauseBefore?: string;
  /** Pause after passing on the first line that matches. */
  readonly pauseAfter?: string;
  /** Add `inject` after the first line that matches. */
  readonly injectAfter?: string;
  readonly inject?: string;
  /** Log every line passed on to psql. */
  readonly log?: boolean;
}

/** A directory holding a `psql` that is psql-gate.mjs in front of the real psql. */
export interface Gate {
  readonly binDir: string;
  readonly dir: string;
  readonly logFile: string;
  reached(): boolean;
  go(): void;
  /** The real psql's process id, once it started. */
  psqlPid(): number | undefined;
}

export function makeGate(config: GateConfig = {}): Gate {
  const dir = tempDir('psql-gate');
  const binDir = path.join(dir, 'bin');
  fs.mkdirSync(binDir);
  const logFile = path.join(dir, 'input.log');
  const pidFile = path.join(dir, 'psql.pid');
  const configFile = path.join(dir, 'config.json');
  const real = clientProgram('psql');
  fs.writeFileSync(
    configFile,
    JSON.stringify({ ...config, real, dir, pidFile, log: config.log ? logFile : undefined }),
  );
  const gateScript = path.join(import.meta.dirname, 'psql-gate.mjs');
  fs.writeFileSync(
    path.join(binDir, 'psql'),
    `#!/bin/sh\nif [ "$1" = "--version" ]; then exec '${real}' "$@"; fi\nexec '${process.execPath}' '${gateScript}' '${configFile}' "$@"\n`,
    { mode: 0o755 },
  );
  return {
    binDir,
    dir,
    logFile,
    reached: () => fs.existsSync(path.join(dir, 'reached')),
    go: () => fs.writeFileSync(path.join(dir, 'go'), ''),
    psqlPid: () => {
      const text = fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8') : '';
      return text ? Number(text) : undefined;
    },
  };
}

/** Polls until `condition` holds; fails with `what` (and the CLI's stderr) when the CLI ended first or after `limitMs`. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  cli?: CliProcess,
  limitMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    if (await condition()) return;
    if (cli && cli.child.exitCode !== null) {
      throw new Error(`db-backup ended before ${what}: ${cli.stderr()}`);
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(25);
  }
}

/** Sessions other than the asking one connected to `database`. */
export async function sessionsOn(server: PgServer, database: string): Promise<number> {
  const rows = await server.query<{ n: number }>(
    'postgres',
    'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [database],
  );
  return rows[0]?.n ?? 0;
}

/** A statement of `database` running right now whose text starts like `prefix`. */
export async function running(
  server: PgServer,
  database: string,
  prefix: string,
): Promise<boolean> {
  const rows = await server.query(
    'postgres',
    "SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query LIKE $2",
    [database, `${prefix}%`],
  );
  return rows.length > 0;
}
