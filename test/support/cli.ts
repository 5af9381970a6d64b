import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli } from '../../src/cli.js';

export interface CliRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The CLI in this process (fast); `env` replaces the environment entirely. */
export async function cli(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; answer?: string; now?: () => Date },
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runCli(args, options.env ?? {}, {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    cwd: options.cwd,
    ...(options.now ? { now: options.now } : {}),
    ...(options.answer !== undefined
      ? { prompt: () => Promise.resolve(options.answer ?? '') }
      : {}),
  });
  return { status, stdout: out.join('\n'), stderr: err.join('\n') };
}

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const BUNDLED_CLI = path.join(REPO_ROOT, 'dist/cli/index.js');

/** The bundled `db-backup` as a separate process, as a user runs it. */
export function bundledCli(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): CliRun {
  const result = spawnSync(process.execPath, [BUNDLED_CLI, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, ...options.env },
    encoding: 'utf8',
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/**
 * The CLI from source (test/support/run-cli.ts) as a separate process, with real stdio:
 * stderr a pipe, not a terminal, as in cron or CI. `env` is added to PATH alone.
 */
export function sourceCli(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<CliRun & { signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        pathToFileURL(path.join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href,
        path.join(REPO_ROOT, 'test/support/run-cli.ts'),
        ...args,
      ],
      {
        cwd: options.cwd,
        env: { PATH: process.env.PATH, ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status, signal) =>
      resolve({ status: status ?? -1, signal, stdout, stderr }),
    );
  });
}

/**
 * The bundled `db-backup` as a separate process, without blocking this one:
 * for tests whose HTTP stand-ins run in this process and must answer it.
 */
export function bundledCliAsync(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUNDLED_CLI, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ status: code ?? (signal ? 128 : -1), stdout, stderr }),
    );
  });
}
