import type { Config } from './command-config.js';
import { assertTemporaryDirectoryOutside, removeStaleTemporaryDirectories } from '../fs/files.js';
import { runBackup } from './backup.js';
import { runServerBackup } from './backup-databases.js';
import type { CommandResult } from './command-result.js';
import type { RunContext } from './context.js';
import { runList } from './list.js';
import { runPrune } from './prune.js';
import { runRestore } from './restore.js';
import { runStatus } from './status.js';
import { runVerify } from './verify.js';

/** Runs one command (the CLI and the action import this only when a command runs). */
export async function runCommand(config: Config, context: RunContext): Promise<CommandResult> {
  // Whole copies of a database that a killed run (SIGKILL) left in the temporary directory go first.
  for (const dir of await removeStaleTemporaryDirectories())
    context.log.info(`Removed ${dir}, left by an interrupted run`);
  // Every command may unpack or download into it (verify, a restore from a remote target, retention's checks).
  assertTemporaryDirectoryOutside(config.backupDir);
  switch (config.command) {
    case 'backup':
      return config.serverDatabases
        ? runServerBackup(config, config.serverDatabases, context)
        : runBackup(config, context);
    case 'restore':
      return runRestore(config, context);
    case 'verify':
      return runVerify(config, context);
    case 'list':
      return runList(config, context);
    case 'prune':
      return runPrune(config, context);
    case 'status':
      return runStatus(config, context);
  }
}
