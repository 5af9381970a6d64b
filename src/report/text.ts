import type { BackupResult } from '../commands/backup.js';
import {
  isServerBackup,
  type CommandResult,
  type ServerBackupResult,
} from '../commands/command-result.js';
import {
  counted,
  contentLabel,
  formatAge,
  formatBytes,
  formatDuration,
  textTable,
  verificationLabel,
  printableName,
} from '../domain/format.js';

const CHECKSUM_LABEL = {
  ok: 'ok',
  mismatch: 'MISMATCH',
  'no-manifest': 'no manifest',
  unchecked: 'not checked (remote)',
  'invalid-manifest': 'INVALID MANIFEST',
} as const;

/** What a backup's output says of sanitizing: the copy, what was masked, and what looks personal with no rule. */
function sanitizedLines(result: BackupResult): string[] {
  const copy = result.sanitizedCopy;
  const info = copy?.manifest.sanitized ?? result.manifest.sanitized;
  if (!info) return [];
  const lines: string[] = [];
  if (copy) {
    lines.push(`sanitized copy ${copy.name} (${formatBytes(copy.manifest.file.size)})`);
    for (const t of copy.targets) {
      const state = t.stored ? 'stored' : `NOT STORED: ${t.error ?? 'failed'}`;
      const pruned = t.pruneError
        ? `; ROLLING WINDOW FAILED: ${t.pruneError}`
        : t.pruned.length > 0
          ? `; pruned ${t.pruned.join(', ')}`
          : '';
      lines.push(`  ${t.target} (${t.location}): ${state}${pruned}`);
    }
  }
  lines.push(
    `  sanitized: ${counted(info.maskedColumns.length, 'column')} masked, ${counted(info.truncatedTables.length, 'table')} emptied (rules sha256 ${info.rulesSha256.slice(0, 12)}…)`,
  );
  if (info.unruledPersonalColumns.length > 0)
    lines.push(
      `  warning: these columns look personal and no rule names them: ${info.unruledPersonalColumns.join(', ')}`,
    );
  return lines;
}

/** Several databases: each one's lines under its name, the skipped ones, then the tally. */
function serverBackupText(result: ServerBackupResult): string {
  const lines: string[] = [];
  for (const { database, backup, ok, error } of result.databases) {
    lines.push(
      `database ${printableName(database)}: ${ok ? 'ok' : `FAILED: ${error ?? 'failed'}`}`,
    );
    if (backup)
      lines.push(
        ...renderText(backup)
          .split('\n')
          .map((line) => `  ${line}`),
      );
  }
  for (const { database, reason } of result.skipped)
    lines.push(`database ${printableName(database)}: skipped: ${reason}`);
  const done = result.databases.filter((d) => d.ok).length;
  lines.push(
    `${done} of ${result.databases.length} databases of ${result.server} backed up in ${formatDuration(result.durationMs)}`,
  );
  return lines.join('\n');
}

/** What the CLI prints on stdout for a finished command. */
export function renderText(result: CommandResult): string {
  switch (result.command) {
    case 'backup': {
      if (isServerBackup(result)) return serverBackupText(result);
      const lines = [
        `${result.file}`,
        `  ${formatBytes(result.manifest.file.size)} (from ${formatBytes(result.manifest.contentSize)}) in ${formatDuration(result.durationMs)}, sha256 ${result.manifest.file.sha256}`,
        `  ${counted(result.manifest.tables.length, 'table')}, ${counted(
          result.manifest.tables.reduce((sum, t) => sum + t.rows, 0),
          'row',
        )}`,
      ];
      for (const t of result.targets) {
        const state = t.stored
          ? 'stored'
          : t.superseded
            ? (t.error ?? 'superseded')
            : `NOT STORED: ${t.error ?? 'failed'}`;
        const pruned = t.pruneError
          ? `; ROLLING WINDOW FAILED: ${t.pruneError}`
          : t.pruned.length > 0
            ? `; pruned ${t.pruned.join(', ')}`
            : '';
        lines.push(`  ${t.target} (${t.location}): ${state}${pruned}`);
      }
      for (const warning of result.warnings) lines.push(`warning: ${warning}`);
      lines.push(...sanitizedLines(result));
      return lines.join('\n');
    }
    case 'restore': {
      const lines = [
        result.crossing
          ? `Restored ${result.name}, a ${result.crossing}, in ${formatDuration(result.durationMs)}`
          : `Restored ${result.name} into ${result.database} in ${formatDuration(result.durationMs)}`,
        `  ${counted(result.info.tables.length, 'table')}, ${counted(
          result.info.tables.reduce((sum, t) => sum + t.rows, 0),
          'row',
        )}`,
      ];
      if (result.previousCopy) lines.push(`  previous data kept as ${result.previousCopy}`);
      if (result.sanitized)
        lines.push(
          `  this is a sanitized copy (rules sha256 ${result.sanitized.rulesSha256.slice(0, 12)}…): its personal data was masked, it is not production's data`,
        );
      return lines.join('\n');
    }
    case 'verify': {
      const lines = [
        `${result.verified ? 'VERIFIED' : 'FAILED'}: ${result.name} (${result.level} check, ${formatDuration(result.durationMs)})`,
      ];
      if (result.tables.length > 0) {
        lines.push(
          textTable(
            ['TABLE', 'EXPECTED', 'RESTORED', 'STATUS'],
            result.tables.map((t) => [
              t.name,
              t.expected?.toString() ?? '-',
              t.restored?.toString() ?? '-',
              t.status,
            ]),
          ),
        );
      }
      if (result.checks.length > 0) {
        lines.push(
          textTable(
            ['CHECK', 'RESULT', 'STATUS'],
            result.checks.map((c) => [
              c.sql.replace(/\s+/g, ' '),
              c.result,
              c.passed ? 'ok' : 'FAILED',
            ]),
          ),
        );
      }
      for (const warning of result.warnings) lines.push(`warning: ${warning}`);
      for (const problem of result.problems) lines.push(`problem: ${problem}`);
      if (result.record) lines.push(`recorded as ${result.record}`);
      return lines.join('\n');
    }
    case 'list': {
      const more =
        result.notShown > 0
          ? `${counted(result.notShown, 'backup')} of other databases, or whose database cannot be told, not shown: --all lists them`
          : '';
      if (result.backups.length === 0)
        return [
          `No backups${result.database ? ` of ${result.database}` : ''} in ${result.location}`,
          more,
        ]
          .filter(Boolean)
          .join('\n');
      // With several databases' backups listed, say whose each is.
      const databases = new Set(result.backups.flatMap((b) => (b.database ? [b.database] : [])));
      const whose = result.database === null && databases.size > 1;
      const table = textTable(
        ['NAME', ...(whose ? ['DATABASE'] : []), 'FORMAT', 'SIZE', 'AGE', 'CHECKSUM', 'VERIFIED'],
        result.backups.map((b) => [
          b.name,
          ...(whose ? [b.database ?? 'unknown (no manifest)'] : []),
          contentLabel(b),
          formatBytes(b.size),
          b.future ? 'FUTURE' : formatAge(b.ageSeconds),
          CHECKSUM_LABEL[b.checksum],
          verificationLabel(b.lastVerification),
        ]),
      );
      return [table, ...result.warnings.map((w) => `warning: ${w}`), more]
        .filter(Boolean)
        .join('\n');
    }
    case 'status': {
      const lines = [result.summary];
      if (result.future.length > 0)
        lines.push(`note: dated ahead of this clock, not counted: ${result.future.join(', ')}`);
      return lines.join('\n');
    }
    case 'prune': {
      const verb = result.dryRun ? 'Would remove' : 'Removed';
      const calendar = result.rules.includes('keep-');
      const beyond = calendar ? `beyond ${result.rules}` : 'beyond max-backups';
      const forData = result.keptForData.map(
        (n) => `Kept ${n} ${beyond}: the newest backup that held rows.`,
      );
      // Which rule keeps each backup, newest first: the plan can be checked before anything goes.
      const keptBy = Object.entries(result.keptBy);
      const why =
        keptBy.length > 0
          ? [
              'Kept, and why:',
              ...textTable(
                ['  BACKUP', 'KEPT BY'],
                keptBy.map(([name, reasons]) => [`  ${name}`, reasons.join(', ')]),
              )
                .split('\n')
                .slice(1),
            ]
          : [];
      const alone =
        result.leftAlone.length > 0
          ? [`Left alone, no manifest says whose they are: ${result.leftAlone.join(', ')}`]
          : [];
      const orphans = result.orphanManifests.map(
        (n) => `${result.dryRun ? 'Would remove' : 'Removed'} ${n}: its backup is gone.`,
      );
      if (result.removed.length === 0)
        return [
          `Nothing to prune (${result.kept.length} kept)`,
          ...why,
          ...forData,
          ...alone,
          ...orphans,
        ].join('\n');
      return [
        calendar
          ? `${verb} ${result.removed.length === 1 ? 'this backup' : `these ${result.removed.length} backups`} that no rule keeps (${result.rules}; ${result.kept.length} kept):`
          : `${verb} ${result.removed.length === 1 ? 'this backup' : `these ${result.removed.length} backups`} beyond max-backups (${result.kept.length} kept):`,
        ...result.removed.map((n) => `  ${n}`),
        ...why,
        ...forData,
        ...alone,
        ...orphans,
      ].join('\n');
    }
  }
}
