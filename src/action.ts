import * as core from '@actions/core';
import { failureSummary, runCommand, succeeded } from './commands/run.js';
import { parseCommandName, parseConfig } from './config/config.js';
import { settingsFromInputs } from './config/settings.js';
import { errorMessage, isUserError } from './errors.js';
import { actionOutputs } from './report/outputs.js';
import { logIntervalFrom, progressLine } from './report/progress-line.js';
import { renderSummary } from './report/summary.js';
import { onSecret, redact } from './secrets.js';

/** The GitHub Action: inputs → config → command → outputs and job summary. */
export async function runAction(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  onSecret((secret) => core.setSecret(secret));
  try {
    const { command, settings } = settingsFromInputs((name) => core.getInput(name), env);
    const config = parseConfig(parseCommandName(command), settings, process.cwd());
    // The runner's log is no terminal: a progress line every so often, none for short work.
    const progress = config.quiet
      ? undefined
      : progressLine({
          output: { terminal: false, write: (text) => core.info(redact(text)) },
          logIntervalMs: logIntervalFrom(env),
        });
    const result = await runCommand(config, {
      // Our own words (outside text in them was masked where it came in); the runner masks secrets too.
      log: { info: (m) => core.info(m), warn: (m) => core.warning(m) },
      cwd: process.cwd(),
      ...(progress ? { progress } : {}),
    });
    for (const [name, value] of Object.entries(actionOutputs(result))) core.setOutput(name, value);
    if (env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(renderSummary(result), true).write();
    if (!succeeded(result)) core.setFailed(failureSummary(result));
  } catch (error) {
    if (!isUserError(error) && error instanceof Error && error.stack)
      core.debug(redact(error.stack));
    // A UserError is worded by us; anything else carries a library's text, which may quote anything.
    const message = isUserError(error) ? error.message : redact(errorMessage(error));
    core.setFailed(message);
    if (env.GITHUB_STEP_SUMMARY) {
      // The page people open first after a red run says why, too.
      await core.summary
        .addRaw(`## db-backup failed\n\n> [!CAUTION]\n> ${message}\n`, true)
        .write()
        .catch(() => undefined);
    }
  }
}
