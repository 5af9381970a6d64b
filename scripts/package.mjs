// Builds the committed bundles: dist/index.js (the action, and the code of the
// CLI) and dist/cli/index.js (the `db-backup` command, a thin entry into it).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
execFileSync(
  'npx',
  ['ncc', 'build', 'src/main.ts', '-o', 'dist', '--license', 'licenses.txt', '--quiet'],
  {
    stdio: 'inherit',
  },
);
mkdirSync('dist/cli', { recursive: true });
writeFileSync(
  'dist/cli/index.js',
  "#!/usr/bin/env node\nimport { cliMain } from '../index.js';\n\nawait cliMain();\n",
);
chmodSync('dist/cli/index.js', 0o755);
