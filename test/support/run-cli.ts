// The CLI from source, as `dist/cli/index.js` runs it from the bundle: for tests that need
// a separate process with real stdio (progress on a stderr that is not a terminal).
import { cliMain } from '../../src/main.js';

await cliMain();
