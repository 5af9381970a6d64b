import {
  githubRunnerInstaller,
  type EngineSettings,
  type PostgresDumpOptions,
  type PostgresRestoreOptions,
} from '../engines/index.js';
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
