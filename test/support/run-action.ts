// The action from source, as `node dist/index.js` runs it from the bundle (see source-bundle.ts).
import { run } from '../../src/main.js';

await run();
