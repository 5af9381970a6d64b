// Builds the committed bundles: dist/index.js (the action, and the code of the
// CLI) and dist/cli/index.js (the `db-backup` command, a thin entry into it),
// then the third-party notices of everything bundled (dist/licenses.txt and
// dist/licenses.json, see third-party-notices.mjs), from the build's own list
// of modules. The build goes to a fresh folder first, so a failed build leaves
// dist/ as it was.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeNotices } from './third-party-notices.mjs';

const CLI_ENTRY = `#!/usr/bin/env node
import module from 'node:module';
import os from 'node:os';
import path from 'node:path';

try {
  if (process.env.NODE_COMPILE_CACHE) module.enableCompileCache?.();
  else {
    const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
    module.enableCompileCache?.(path.join(cache, 'db-backup', 'node-compile-cache'));
  }
} catch {
  // No home directory to keep a cache in: run without one.
}
const { cliMain } = await import('../index.js');
await cliMain();
`;

const staging = 'dist.next';
rmSync(staging, { recursive: true, force: true });
const statsDir = mkdtempSync(path.join(os.tmpdir(), 'db-backup-stats-'));
const stats = path.join(statsDir, 'stats.json');
try {
  execFileSync(
    'npx',
    ['ncc', 'build', 'src/main.ts', '-o', staging, '--stats-out', stats, '--quiet'],
    { stdio: 'inherit' },
  );
  mkdirSync(`${staging}/cli`, { recursive: true });
  // The CLI's entry turns on Node's compile cache before it loads the bundle, so
  // later runs reuse V8's compiled code (about a sixth less CPU for a command that
  // loads a cloud SDK). The cache lives in the user's own cache directory, never in
  // the shared temporary directory where another user could plant entries;
  // NODE_COMPILE_CACHE still chooses another place, NODE_DISABLE_COMPILE_CACHE=1 turns it off.
  writeFileSync(`${staging}/cli/index.js`, CLI_ENTRY);
  chmodSync(`${staging}/cli/index.js`, 0o755);
  await writeNotices(stats, staging, process.cwd());
} finally {
  rmSync(statsDir, { recursive: true, force: true });
}
rmSync('dist', { recursive: true, force: true });
renameSync(staging, 'dist');
