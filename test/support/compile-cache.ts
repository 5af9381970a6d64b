import module from 'node:module';
import path from 'node:path';

/**
 * Node's compile cache for the processes a test run starts from its bundle
 * (see source-bundle.ts), kept beside the bundle and removed with it: the many
 * CLI processes of a run then compile the bundle and the storage SDKs they
 * import from node_modules once, not each.
 */
export function enableRunCompileCache(): void {
  module.enableCompileCache(path.join(import.meta.dirname, 'compile-cache'));
}
