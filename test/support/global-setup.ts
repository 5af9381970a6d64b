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

const TMPFS_MAGIC = 0x01021994;
const GiB = 1024 ** 3;

/**
 * A temporary directory in memory for the run, where one is mounted with room.
 * PostgreSQL's data directories, the databases the tests create and drop, and
 * the backups they write are many thousands of files made and removed, which a
 * disk's file system charges in the kernel (ext4 mounted with discard here:
 * three PostgreSQL test files took 162 core-seconds in memory against 194).
 */
function memoryTmpdir(): string | undefined {
  const shm = '/dev/shm';
  try {
    const room = fs.statfsSync(shm);
    if (room.type !== TMPFS_MAGIC || room.bavail * room.bsize < 4 * GiB) return undefined;
    const dir = fs.mkdtempSync(path.join(shm, 'dbb-'));
    // As /tmp: PostgreSQL's servers run as their own user in directories below.
    fs.chmodSync(dir, 0o1777);
    return dir;
  } catch {
    return undefined;
  }
}

/**
 * What the test files of one run share: a directory, the sources bundled once,
 * PostgreSQL's programs found by PATH without Debian's wrapper, and a temporary
 * directory in memory unless TMPDIR names one.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  // The test files' processes start after this and inherit TMPDIR and PATH.
  const memory = process.env.TMPDIR ? undefined : memoryTmpdir();
  if (memory) process.env.TMPDIR = memory;
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'db-backup-run-'));
  project.provide('runDir', runDir);
  process.env.PATH = pathWithServerBinaries(process.env.PATH);
  const { outdir, cli, action } = await bundleSources(path.basename(runDir));
  project.provide('sourceEntries', { cli, action });
  return () => {
    fs.rmSync(outdir, { recursive: true, force: true });
    fs.rmSync(runDir, { recursive: true, force: true });
    if (memory) fs.rmSync(memory, { recursive: true, force: true });
  };
}
