import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { pathWithServerBinaries } from './pg-binaries.js';
import { bundleSources, type SourceEntries } from './source-bundle.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A directory the test files of one run share (see gpg-keys.ts), removed when the run ends. */
    runDir: string;
    /** The sources bundled for this run (see source-bundle.ts). */
    sourceEntries: SourceEntries;
  }
}

/**
 * What the test files of one run share: a directory, the sources bundled once,
 * and PostgreSQL's programs found by PATH without Debian's wrapper.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'db-backup-run-'));
  project.provide('runDir', runDir);
  // The test files' processes start after this and inherit it.
  process.env.PATH = pathWithServerBinaries(process.env.PATH);
  project.provide('sourceEntries', await bundleSources(path.join(runDir, 'source')));
  return () => fs.rmSync(runDir, { recursive: true, force: true });
}
