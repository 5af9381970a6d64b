import type { ChildProcess } from 'node:child_process';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { JobFailure, UserError } from '../../errors.js';
import { startChild } from '../../child-processes.js';
import { redact } from '../../secrets.js';

const STDERR_LIMIT = 8 * 1024;

/** Keeps the last few KiB a child wrote to stderr, for the error message. */
function collectStderr(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    text = (text + chunk).slice(-STDERR_LIMIT);
  });
  return () => redact(text.trim());
}

export function describeExit(
  program: string,
  code: number | null,
  signal: NodeJS.Signals | null,
  stderr: string,
): string {
  const how = signal ? `was killed by ${signal}` : `exited with code ${code ?? '?'}`;
  const detail = stderr ? `: ${stderr.split('\n').filter(Boolean).slice(-6).join(' | ')}` : '';
  return `${program} ${how}${detail}`;
}

function spawnError(program: string, file: string, error: NodeJS.ErrnoException): UserError {
  if (error.code === 'ENOENT')
    return new UserError(`Cannot run ${program}: ${file} does not exist.`);
  if (error.code === 'EACCES')
    return new UserError(`Cannot run ${program}: ${file} is not executable.`);
  return new UserError(`Cannot run ${program} (${file}): ${error.message}`);
}

/**
 * The stdout of a dump program as a stream that ends only when the program
 * exited 0. A non-zero exit or a signal makes the stream fail (with the
 * program's stderr, secrets masked), so the pipeline reading it fails too and
 * no partial dump is ever taken for a whole one. If the reader goes away
 * first, the program is stopped.
 */
export function spawnOutputStream(
  program: string,
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): { stream: Readable; child: ChildProcess } {
  const child = startChild('libpq-client', file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = collectStderr(child);
  const output = new PassThrough({ highWaterMark: 1024 * 1024 });
  child.stdout?.pipe(output, { end: false });
  child.on('error', (error) => output.destroy(spawnError(program, file, error)));
  child.on('close', (code, signal) => {
    if (code === 0 && !signal) output.end();
    else output.destroy(new JobFailure(describeExit(program, code, signal, stderr())));
  });
  output.on('close', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });
  return { stream: output, child };
}

/**
 * Runs a program that reads its input from stdin (psql). `feed` writes the
 * input; stdin is closed only when `feed` succeeded. If `feed` fails, the
 * program is killed before it could see the end of its input, so nothing it
 * started (an open transaction) is ever completed.
 */
export async function runWithInput(
  program: string,
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  feed: (stdin: Writable) => Promise<void>,
): Promise<void> {
  const child = startChild('libpq-client', file, args, { env, stdio: ['pipe', 'ignore', 'pipe'] });
  const stderr = collectStderr(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.on('error', (error) => reject(spawnError(program, file, error)));
      child.on('close', (code, signal) => resolve({ code, signal }));
    },
  );
  const stdin = child.stdin;
  if (!stdin) throw new Error(`${program} has no stdin`);
  // A program that dies early closes its stdin: the writer then sees EPIPE, and the exit status says why.
  stdin.on('error', () => undefined);
  let fed = false;
  let feedError: unknown;
  try {
    await feed(stdin);
    fed = true;
  } catch (error) {
    feedError = error;
    child.kill('SIGKILL');
  }
  if (fed) stdin.end();
  const { code, signal } = await exited;
  if (code === 0 && !signal && fed) return;
  const programFailed = !(signal === 'SIGKILL' && feedError !== undefined);
  if (programFailed) throw new JobFailure(describeExit(program, code, signal, stderr()));
  throw feedError;
}
