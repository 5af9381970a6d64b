// Builds the committed bundles: dist/index.js (the action, and the code of the
// CLI) and dist/cli/index.js (the `db-backup` command, a thin entry into it).
// The build goes to a fresh folder first, so a failed build leaves dist/ as it was.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';

const staging = 'dist.next';
rmSync(staging, { recursive: true, force: true });
execFileSync(
  'npx',
  ['ncc', 'build', 'src/main.ts', '-o', staging, '--license', 'licenses.txt', '--quiet'],
  {
    stdio: 'inherit',
  },
);
mkdirSync(`${staging}/cli`, { recursive: true });
writeFileSync(
  `${staging}/cli/index.js`,
  "#!/usr/bin/env node\nimport { cliMain } from '../index.js';\n\nawait cliMain();\n",
);
chmodSync(`${staging}/cli/index.js`, 0o755);
rmSync('dist', { recursive: true, force: true });
renameSync(staging, 'dist');
