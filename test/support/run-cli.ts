// The CLI from source, as `dist/cli/index.js` runs it from the bundle: for tests that need
// a separate process with real stdio (progress on a stderr that is not a terminal), bundled
// once per test run (see source-bundle.ts).
import { cliMain } from '../../src/main.js';

await cliMain();
