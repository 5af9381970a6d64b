#!/usr/bin/env node
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
