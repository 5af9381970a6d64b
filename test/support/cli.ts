import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { inject } from 'vitest';
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

/** An entry of the sources this test run bundled (see source-bundle.ts). */
export function sourceEntry(name: 'cli' | 'action'): string {
  return inject('sourceEntries')[name];
}
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

/** A CLI process a test can watch, signal and wait for. */
export interface CliProcess {
  readonly child: ChildProcess;
  stderr(): string;
  stdout(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * db-backup as its own process, as cron or a container runs it: the bundle,
 * or with `fromSource` the sources as this run bundled them (for code the
 * bundle may predate). Real stdio: stderr is a pipe, not a terminal. `env` is added to
 * PATH alone, `pathFirst` goes before PATH.
 */
export function startCli(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; pathFirst?: string; fromSource?: boolean },
): CliProcess {
  const PATH = [options.pathFirst, process.env.PATH].filter(Boolean).join(path.delimiter);
  const entry = options.fromSource ? sourceEntry('cli') : BUNDLED_CLI;
  const child = spawn(process.execPath, [entry, ...args], {
    cwd: options.cwd,
    env: { PATH, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal }));
    },
  );
  return { child, stderr: () => err, stdout: () => out, exited };
}

/** Waits for a CLI process and gives its run (status -1 when a signal ended it). */
export async function finished(
  run: CliProcess,
): Promise<CliRun & { signal: NodeJS.Signals | null }> {
  const { code, signal } = await run.exited;
  return { status: code ?? -1, signal, stdout: run.stdout(), stderr: run.stderr() };
}

/** The CLI from source (test/support/run-cli.ts) as a separate process, run to its end. */
export function sourceCli(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<CliRun & { signal: NodeJS.Signals | null }> {
  return finished(startCli(args, { ...options, fromSource: true }));
}

/**
 * The bundled `db-backup` as a separate process, without blocking this one:
 * for tests whose HTTP stand-ins run in this process and must answer it.
 */
export async function bundledCliAsync(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<CliRun> {
  const run = await finished(startCli(args, options));
  return { ...run, status: run.status === -1 && run.signal ? 128 : run.status };
}
