import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A directory the test files of one run share (see gpg-keys.ts), removed when the run ends. */
    runDir: string;
  }
}

/** Servers the suites share are started here (see postgres.ts); nothing is needed for SQLite. */
export default function setup(project: TestProject): () => void {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'db-backup-run-'));
  project.provide('runDir', runDir);
  return () => fs.rmSync(runDir, { recursive: true, force: true });
}
