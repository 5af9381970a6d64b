import os from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['test/support/global-setup.ts'],
    // Most test time is spent waiting on other processes (PostgreSQL servers, psql,
    // pg_dump, gpg, the CLI, storage stand-ins), so one file more than there are cores
    // keeps them busy; vitest's default (cores - 1) runs the files one by one on 2 cores.
    maxWorkers: os.availableParallelism() + 1,
  },
});
