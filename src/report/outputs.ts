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
  }
}
