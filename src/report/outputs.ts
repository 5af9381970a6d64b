import type { CommandResult } from '../commands/run.js';

/** The action's outputs for a finished command (names as in action.yml). */
export function actionOutputs(result: CommandResult): Record<string, string> {
  switch (result.command) {
    case 'backup':
      return {
        'backup-name': result.name,
        // Empty when the staging copy went (local is not a target): the paths would lead nowhere.
        'backup-file': result.stagedCopyKept ? result.file : '',
        'manifest-file': result.stagedCopyKept ? result.manifestFile : '',
        'size-bytes': String(result.manifest.file.size),
        sha256: result.manifest.file.sha256,
        pruned: JSON.stringify(result.pruned),
        targets: JSON.stringify(
          result.targets.map(({ target, location, stored, error, pruneError, pruned }) => ({
            target,
            location,
            stored,
            error,
            pruneError,
            pruned,
          })),
        ),
      };
    case 'restore':
      return {
        'backup-name': result.name,
        'backup-file': result.file,
        'previous-copy': result.previousCopy ?? '',
      };
    case 'verify':
      return { 'backup-name': result.name, verified: String(result.verified) };
    case 'list':
      return {
        backups: JSON.stringify(result.backups),
        'backup-name': result.backups.find((b) => b.kind === 'backup')?.name ?? '',
      };
    case 'prune':
      return { pruned: JSON.stringify(result.removed) };
    case 'status':
      return {
        status: result.state,
        'backup-name': result.newest?.name ?? '',
        'backup-age-seconds': result.newest ? String(result.newest.ageSeconds) : '',
        'verified-age-seconds': result.lastVerified ? String(result.lastVerified.ageSeconds) : '',
      };
  }
}

/**
 * backup to the artifact target: the artifact's id and its page on GitHub
 * (the run's artifact link, as actions/upload-artifact gives it). Empty for
 * other commands and targets, so a later step can test them.
 */
export function artifactOutputs(
  result: CommandResult,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  if (result.command !== 'backup') return {};
  const id = result.targets.find((t) => t.target === 'artifact' && t.stored)?.storedId;
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env;
  const url =
    id && server && repository && runId
      ? `${server.replace(/\/+$/, '')}/${repository}/actions/runs/${runId}/artifacts/${id}`
      : '';
  return { 'artifact-id': id ?? '', 'artifact-url': url };
}
