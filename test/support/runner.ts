import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, sourceEntry } from './cli.js';
import { tempDir } from './tmp.js';

export interface ActionRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
  readonly summary: string;
}

/** Reads the `name<<DELIMITER ... DELIMITER` blocks the toolkit writes to GITHUB_OUTPUT. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (!match) continue;
    const [, name, delimiter] = match;
    const value: string[] = [];
    for (i += 1; i < lines.length && lines[i] !== delimiter; i += 1) value.push(lines[i]!);
    outputs[name!] = value.join('\n');
  }
  return outputs;
}

/** `node <dist>/index.js`, or with `fromSource` the sources as this run bundled them (code the bundle may predate). */
function actionEntry(options: { dist?: string; fromSource?: boolean }): string {
  if (options.fromSource) return sourceEntry('action');
  return path.join(options.dist ?? path.join(REPO_ROOT, 'dist'), 'index.js');
}

/**
 * Runs an action bundle the way a GitHub runner does: `node <dist>/index.js`
 * with INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files.
 */
export function runBundledAction(
  inputs: Record<string, string>,
  options: { cwd: string; env?: NodeJS.ProcessEnv; dist?: string; fromSource?: boolean },
): ActionRun {
  const files = tempDir('runner');
  const outputFile = path.join(files, 'output');
  const summaryFile = path.join(files, 'summary');
  fs.writeFileSync(outputFile, '');
  fs.writeFileSync(summaryFile, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    RUNNER_TEMP: files,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    ...options.env,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const result = spawnSync(process.execPath, [actionEntry(options)], {
    cwd: options.cwd,
    env,
    encoding: 'utf8',
  });
  return {
    status: result.status ?? -1,
    stdout: result.stdout,
    stderr: result.stderr,
    outputs: parseOutputFile(fs.readFileSync(outputFile, 'utf8')),
    summary: fs.readFileSync(summaryFile, 'utf8'),
  };
}

/** As runBundledAction, without blocking this process (its HTTP stand-ins must answer the action). */
export function runBundledActionAsync(
  inputs: Record<string, string>,
  options: { cwd: string; env?: NodeJS.ProcessEnv; dist?: string },
): Promise<ActionRun> {
  const files = tempDir('runner');
  const outputFile = path.join(files, 'output');
  const summaryFile = path.join(files, 'summary');
  fs.writeFileSync(outputFile, '');
  fs.writeFileSync(summaryFile, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    RUNNER_TEMP: files,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    ...options.env,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(options.dist ?? path.join(REPO_ROOT, 'dist'), 'index.js')],
      { cwd: options.cwd, env },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        status: code ?? -1,
        stdout,
        stderr,
        outputs: parseOutputFile(fs.readFileSync(outputFile, 'utf8')),
        summary: fs.readFileSync(summaryFile, 'utf8'),
      }),
    );
  });
}
