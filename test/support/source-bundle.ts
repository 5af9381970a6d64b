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
 * Bundles the sources once per test run, for the tests that start the CLI or the
 * action from source as a separate process. A child with the storage SDKs then
 * takes about two thirds of the CPU time it takes through tsx, whose loader hooks
 * see every one of the SDKs' thousands of modules.
 *
 * Only the sources are bundled; packages stay imports that Node resolves from
 * node_modules, as when the sources run, so the bundle lives in the repository
 * (node_modules/.cache). Code split into chunks, as `dist/` is: what the sources
 * load only when used is still loaded only when used, and src/main.ts lands in a
 * chunk both entries share, so its "started directly" check never mistakes an
 * entry for itself.
 */
export async function bundleSources(runName: string): Promise<SourceEntries & { outdir: string }> {
  const outdir = path.join(REPO_ROOT, 'node_modules/.cache/db-backup-tests', runName);
  await build({
    entryPoints: [
      path.join(REPO_ROOT, 'test/support/run-cli.ts'),
      path.join(REPO_ROOT, 'test/support/run-action.ts'),
    ],
    outdir,
    bundle: true,
    packages: 'external',
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunk-[hash]',
    logLevel: 'error',
  });
  return {
    outdir,
    cli: path.join(outdir, 'run-cli.mjs'),
    action: path.join(outdir, 'run-action.mjs'),
  };
}
