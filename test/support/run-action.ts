// The action from source, as `node dist/index.js` runs it from the bundle (see source-bundle.ts).
import { enableRunCompileCache } from './compile-cache.js';

enableRunCompileCache();
const { run } = await import('../../src/main.js');
await run();
