import path from 'node:path';
import { build } from 'esbuild';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** The entry points a test can start as its own process, as the bundle would run them. */
export interface SourceEntries {
  /** test/support/run-cli.ts: `db-backup` with its arguments. */
  readonly cli: string;
  /** test/support/run-action.ts: the action, from INPUT_* variables. */
  readonly action: string;
}

/**
 * Bundles the sources once per test run into `outdir`, for the tests that start
 * the CLI or the action from source as a separate process. A child then starts
 * in about a third of the CPU time it takes through tsx, whose loader hooks see
 * every one of the storage SDKs' thousands of modules.
 *
 * Code split into chunks, as `dist/` is: what the sources load only when used is
 * still loaded only when used, and src/main.ts lands in a chunk both entries
 * share, so its "started directly" check never mistakes an entry for itself.
 * better-sqlite3 stays outside (a native addon), imported from node_modules by
 * its absolute path so the bundle works from any directory.
 */
export async function bundleSources(outdir: string): Promise<SourceEntries> {
  const sqlite = path.join(REPO_ROOT, 'node_modules/better-sqlite3/lib/index.js');
  await build({
    entryPoints: [
      path.join(REPO_ROOT, 'test/support/run-cli.ts'),
      path.join(REPO_ROOT, 'test/support/run-action.ts'),
    ],
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunk-[hash]',
    // CommonJS dependencies call require() for Node's own modules.
    banner: {
      js: "import { createRequire as __testRequire } from 'node:module'; const require = __testRequire(import.meta.url);",
    },
    plugins: [
      {
        name: 'native-addon-from-node-modules',
        setup(build) {
          build.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: sqlite, external: true }));
        },
      },
    ],
    logLevel: 'error',
  });
  return { cli: path.join(outdir, 'run-cli.mjs'), action: path.join(outdir, 'run-action.mjs') };
}
