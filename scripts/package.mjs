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
  writeFileSync(
    `${staging}/cli/index.js`,
    "#!/usr/bin/env node\nimport { cliMain } from '../index.js';\n\nawait cliMain();\n",
  );
  chmodSync(`${staging}/cli/index.js`, 0o755);
  await writeNotices(stats, staging, process.cwd());
} finally {
  rmSync(statsDir, { recursive: true, force: true });
}
rmSync('dist', { recursive: true, force: true });
renameSync(staging, 'dist');
