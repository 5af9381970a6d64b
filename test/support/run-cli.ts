// The CLI from source, as `dist/cli/index.js` runs it from the bundle: for tests that need
// a separate process with real stdio (progress on a stderr that is not a terminal), bundled
// once per test run (see source-bundle.ts), with a compile cache of the run's own as
// dist/cli/index.js has one.
import { enableRunCompileCache } from './compile-cache.js';

enableRunCompileCache();
const { cliMain } = await import('../../src/main.js');
await cliMain();
