import type { EngineSettings } from '../engines/index.js';
import { githubRunnerInstaller } from '../engines/postgres/install-client.js';
import type { PostgresDumpOptions, PostgresRestoreOptions } from '../engines/postgres/options.js';
import type { RunContext } from './context.js';

/** What an engine needs from the run: the log, PostgreSQL options, and (on GitHub-hosted runners) a client installer. */
export function engineSettings(
  context: RunContext,
  postgres?: Partial<PostgresDumpOptions & PostgresRestoreOptions>,
): EngineSettings {
  const installer = githubRunnerInstaller(context.log);
  return {
    log: context.log,
    ...(postgres ? { postgres } : {}),
    ...(installer ? { installer } : {}),
  };
}
