import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { bundleSources, type SourceEntries } from './source-bundle.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A directory the test files of one run share (see gpg-keys.ts), removed when the run ends. */
    runDir: string;
    /** The sources bundled for this run (see source-bundle.ts). */
    sourceEntries: SourceEntries;
  }
}

/** What the test files of one run share: a directory, and the sources bundled once. */
export default async function setup(project: TestProject): Promise<() => void> {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'db-backup-run-'));
  project.provide('runDir', runDir);
  project.provide('sourceEntries', await bundleSources(path.join(runDir, 'source')));
  return () => fs.rmSync(runDir, { recursive: true, force: true });
}
