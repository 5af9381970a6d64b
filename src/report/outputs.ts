import {
  isServerBackup,
  type CommandResult,
  type ServerBackupResult,
} from '../commands/command-result.js';
import type { BackupResult } from '../commands/backup.js';

/** The action's outputs for a finished command (names as in action.yml). */
export function actionOutputs(result: CommandResult): Record<string, string> {
  switch (result.command) {
    case 'backup':
      if (isServerBackup(result)) return serverBackupOutputs(result);
      return {
        databases: '',
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

/** The backup's id at the artifact target, when it is stored there. */
function artifactIdOf(result: BackupResult): string | undefined {
  return result.targets.find((t) => t.target === 'artifact' && t.stored)?.storedId;
}

/**
 * Several databases: no single backup to name, so the one-backup outputs are
 * empty (a step reading backup-name never gets one database's by chance);
 * `databases` lists each, and `pruned` and `targets` cover them all.
 */
function serverBackupOutputs(result: ServerBackupResult): Record<string, string> {
  const made = result.databases.flatMap((d) => (d.backup ? [d.backup] : []));
  return {
    'backup-name': '',
    'backup-file': '',
    'manifest-file': '',
    'size-bytes': '',
    sha256: '',
    databases: JSON.stringify(
      result.databases.map(({ database, ok, backup, error }) => ({
        database,
        ok,
        backupName: backup?.name ?? '',
        backupFile: backup?.stagedCopyKept ? backup.file : '',
        sizeBytes: backup?.manifest.file.size ?? null,
        sha256: backup?.manifest.file.sha256 ?? '',
        artifactId: (backup && artifactIdOf(backup)) ?? '',
        error,
      })),
    ),
    pruned: JSON.stringify(made.flatMap((backup) => backup.pruned)),
    targets: JSON.stringify(
      result.databases.flatMap(({ database, backup }) =>
        (backup?.targets ?? []).map(({ target, location, stored, error, pruneError, pruned }) => ({
          database,
          target,
          location,
          stored,
          error,
          pruneError,
          pruned,
        })),
      ),
    ),
  };
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
  // Several databases: each one's artifact id is in the `databases` output.
  if (isServerBackup(result)) return { 'artifact-id': '', 'artifact-url': '' };
  const id = artifactIdOf(result);
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env;
  const url =
    id && server && repository && runId
      ? `${server.replace(/\/+$/, '')}/${repository}/actions/runs/${runId}/artifacts/${id}`
      : '';
  return { 'artifact-id': id ?? '', 'artifact-url': url };
}
