import type { ChildProcess } from 'node:child_process';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { JobFailure, UserError } from '../../domain/errors.js';
import { startChild } from '../../process/child-processes.js';
import { redact } from '../../domain/secrets.js';

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
 * Runs a client program to its end and returns its stdout as text (a
 * listing: bounded by `limit`). Fails as `spawnOutputStream` does.
 */
export async function runToEnd(
  program: string,
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  /** Told the child at once (to stop it when the job is abandoned). */
  onStart?: (child: ChildProcess) => void,
  limit = 256 * 1024 * 1024,
): Promise<string> {
  const { stream, child } = spawnOutputStream(program, file, args, env);
  onStart?.(child);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      stream.destroy();
      throw new JobFailure(`${program} printed more than ${limit} bytes.`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A client program reading its stdin (`input`), whose stdout comes back as
 * text once it exited 0 (bounded by `limit`); a non-zero exit or a signal
 * fails `output` as `spawnOutputStream` does. The program may stop reading
 * before the input ends: writes after that fail with EPIPE, which the caller
 * takes as the program having read all it wanted.
 */
export function spawnWithInput(
  program: string,
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  limit = 256 * 1024 * 1024,
): { input: Writable; output: Promise<string>; child: ChildProcess } {
  const child = startChild('libpq-client', file, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr = collectStderr(child);
  const output = new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    child.stdout?.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        child.kill('SIGTERM');
        reject(new JobFailure(`${program} printed more than ${limit} bytes.`));
      } else chunks.push(chunk);
    });
    child.on('error', (error) => reject(spawnError(program, file, error)));
    child.on('close', (code, signal) => {
      if (code === 0 && !signal) resolve(Buffer.concat(chunks).toString('utf8'));
      else reject(new JobFailure(describeExit(program, code, signal, stderr())));
    });
  });
  return { input: child.stdin!, output, child };
}
