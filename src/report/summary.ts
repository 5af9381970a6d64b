import type { BackupResult, TargetOutcome } from '../commands/backup.js';
import {
  isServerBackup,
  type CommandResult,
  type ServerBackupResult,
} from '../commands/command-result.js';
import type { KeptBackup } from '../commands/retention.js';
import {
  contentLabel,
  counted,
  formatAge,
  formatBytes,
  formatDuration,
  markdownTable,
  verificationLabel,
  printableName,
} from '../domain/format.js';

const CHECKSUM_LABEL = {
  ok: '✅ ok',
  mismatch: '❌ mismatch',
  'no-manifest': '— no manifest',
  unchecked: 'not checked (remote)',
  'invalid-manifest': '❌ invalid manifest',
} as const;

/** The job summary (GitHub-flavoured Markdown) for a finished command. Never holds a credential. */
export function renderSummary(result: CommandResult): string {
  switch (result.command) {
    case 'backup': {
      if (isServerBackup(result)) return serverBackupSummary(result);
      const m = result.manifest;
      const parts = [
        '## Database backup',
        ...result.warnings.map((warning) => `> [!WARNING]\n> ${warning}`),
        markdownTable(
          ['', ''],
          [
            ['Database', `\`${result.database}\``],
            ['Backup', `\`${result.name}\``],
            ['Size', `${formatBytes(m.file.size)} (from ${formatBytes(m.contentSize)})`],
            ['Duration', formatDuration(result.durationMs)],
            ['sha256', `\`${m.file.sha256}\``],
            [
              'Server',
              `${m.engine} ${m.database.serverVersion}${m.database.dumpTool ? `, ${m.database.dumpTool}` : ''}`,
            ],
          ],
        ),
        '### Rows per table',
        m.tables.length > 0
          ? markdownTable(
              ['Table', 'Rows'],
              m.tables.map((t) => [t.name, String(t.rows)]),
            )
          : '_No tables._',
        '### Storage targets',
        targetsTable(result.targets, 'Removed by the rolling window'),
        sizeChart(result.targets.find((t) => t.kept.length > 0)?.kept ?? []),
        keptByTable(result.targets.find((t) => t.kept.length > 0)),
        sanitizedSummary(result),
        m.encryption
          ? `Encrypted (${m.encryption.mode}, ${m.encryption.cipher}${m.encryption.recipients.length > 0 ? `, for ${m.encryption.recipients.join(', ')}` : ''}).`
          : '',
      ].filter(Boolean);
      return parts.join('\n\n');
    }
    case 'restore':
      return [
        '## Database restore',
        markdownTable(
          ['', ''],
          [
            ['Database', `\`${result.database}\``],
            ['Restored from', `\`${result.name}\``],
            ...(result.crossing ? [['Backup of another database', result.crossing]] : []),
            ['Duration', formatDuration(result.durationMs)],
            [
              'Checksum',
              result.manifestChecked ? 'matched the manifest' : 'no manifest to check against',
            ],
            ...(result.previousCopy
              ? [['Previous data kept as', `\`${result.previousCopy}\``]]
              : []),
            ...(result.sanitized
              ? [
                  [
                    'Sanitized copy',
                    `personal data masked (rules sha256 \`${result.sanitized.rulesSha256.slice(0, 12)}…\`): not production's data`,
                  ],
                ]
              : []),
          ],
        ),
        markdownTable(
          ['Table', 'Rows'],
          result.info.tables.map((t) => [t.name, String(t.rows)]),
        ),
      ].join('\n\n');
    case 'verify': {
      const parts = [
        `## Backup verification: ${result.verified ? '✅ verified' : '❌ FAILED'}`,
        `\`${result.name}\` — ${result.level} check in ${formatDuration(result.durationMs)}`,
      ];
      if (result.tables.length > 0) {
        parts.push(
          markdownTable(
            ['Table', 'Expected rows', 'Restored rows', 'Status'],
            result.tables.map((t) => [
              t.name,
              t.expected?.toString() ?? '—',
              t.restored?.toString() ?? '—',
              t.status === 'ok' ? '✅ ok' : `❌ ${t.status}`,
            ]),
          ),
        );
      }
      if (result.checks.length > 0) {
        parts.push(
          markdownTable(
            ['Check', 'Result', 'Status'],
            result.checks.map((c) => [
              `\`${c.sql.replace(/\s+/g, ' ')}\``,
              c.result,
              c.passed ? '✅ ok' : '❌ failed',
            ]),
          ),
        );
      }
      for (const warning of result.warnings) parts.push(`> [!WARNING]\n> ${warning}`);
      for (const problem of result.problems) parts.push(`> [!CAUTION]\n> ${problem}`);
      if (result.record) parts.push(`Recorded as \`${result.record}\` beside the backup.`);
      return parts.join('\n\n');
    }
    case 'list':
      return [
        `## Backups in \`${result.location}\``,
        result.backups.length === 0
          ? '_None._'
          : markdownTable(
              ['Backup', 'Format', 'Size', 'Age', 'Checksum', 'Last verified'],
              result.backups.map((b) => [
                `\`${b.name}\``,
                contentLabel(b),
                formatBytes(b.size),
                formatAge(b.ageSeconds),
                CHECKSUM_LABEL[b.checksum],
                verificationLabel(b.lastVerification),
              ]),
            ),
      ].join('\n\n');
    case 'status':
      if (result.databases) {
        return [
          `## Backup status: ${result.ok ? '✅ OK' : '❌ ' + result.state}`,
          `At \`${result.location}\`:`,
          markdownTable(
            ['Database', 'State', 'Newest backup', 'Last passed test restore'],
            result.databases.map((d) => [
              d.database ?? '',
              d.ok ? '✅ OK' : `❌ ${d.state}`,
              d.newest ? `\`${d.newest.name}\`, ${formatAge(d.newest.ageSeconds)} old` : 'none',
              d.lastVerified
                ? `\`${d.lastVerified.backup}\`, ${formatAge(d.lastVerified.ageSeconds)} ago`
                : 'none',
            ]),
          ),
          ...result.problems.map((problem) => `> [!CAUTION]\n> ${problem}`),
        ].join('\n\n');
      }
      return [
        `## Backup status: ${result.ok ? '✅ OK' : '❌ ' + result.state}`,
        markdownTable(
          ['', ''],
          [
            ['Where', `\`${result.location}\``],
            [
              'Newest backup',
              result.newest
                ? `\`${result.newest.name}\`, ${formatAge(result.newest.ageSeconds)} old (max ${result.maxAge})`
                : 'none',
            ],
            [
              'Last passed test restore',
              result.lastVerified
                ? `\`${result.lastVerified.backup}\`, ${formatAge(result.lastVerified.ageSeconds)} ago${result.verifiedWithin ? ` (max ${result.verifiedWithin})` : ''}`
                : 'none',
            ],
          ],
        ),
        ...result.problems.map((problem) => `> [!CAUTION]\n> ${problem}`),
      ].join('\n\n');
    case 'prune':
      return [
        `## Prune${result.dryRun ? ' (dry run)' : ''}`,
        result.removed.length === 0
          ? `Nothing to remove; ${counted(result.kept.length, 'backup')} kept.`
          : markdownTable(
              ['Removed', ''],
              result.removed.map((n) => [
                `\`${n}\``,
                result.dryRun ? 'would be removed' : 'removed',
              ]),
            ),
        `Rules: ${result.rules}.`,
        Object.keys(result.keptBy).length > 0
          ? markdownTable(
              ['Kept', 'Kept by'],
              Object.entries(result.keptBy).map(([name, reasons]) => [
                `\`${name}\``,
                reasons.join(', '),
              ]),
            )
          : '',
      ]
        .filter(Boolean)
        .join('\n\n');
  }
}

/** Text in a code span, whatever backticks it holds (a fence longer than any run of them). */
function codeSpan(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A database's name is the server's to choose: never markup in the summary. */
function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Several databases: one row each (the backup, its size, where it is stored,
 * what its window removed, or why it failed), the skipped ones, then each
 * database's own summary folded away.
 */
function serverBackupSummary(result: ServerBackupResult): string {
  const failed = result.databases.filter((d) => !d.ok).length;
  const rows = result.databases.map(({ database, ok, backup, error }) => {
    if (!backup)
      return [codeSpan(printableName(database)), '—', '—', `❌ ${error ?? 'failed'}`, '—'];
    const stored = backup.targets.map((t) => `${t.stored ? '✅' : '❌'} ${t.target}`).join(', ');
    return [
      codeSpan(printableName(database)),
      `\`${backup.name}\``,
      formatBytes(backup.manifest.file.size),
      ok ? stored : `${stored}: ${error ?? 'failed'}`,
      backup.pruned.length > 0 ? backup.pruned.map((n) => `\`${n}\``).join(', ') : '—',
    ];
  });
  return [
    `## Database backups: ${result.databases.length - failed} of ${result.databases.length} databases of \`${result.server}\`${failed > 0 ? ` (${failed} failed)` : ''}`,
    ...result.warnings.map((warning) => `> [!WARNING]\n> ${warning}`),
    markdownTable(['Database', 'Backup', 'Size', 'Stored', 'Removed by its window'], rows),
    `Duration: ${formatDuration(result.durationMs)}.`,
    ...result.databases.flatMap(({ database, backup }) =>
      backup
        ? [
            `<details><summary>${escapeHtml(printableName(database))}</summary>\n\n${renderSummary(backup).replace(/^## Database backup\n\n/, '')}\n\n</details>`,
          ]
        : [],
    ),
  ].join('\n\n');
}

/** Where a backup went, and what each target's rolling window removed. */
function targetsTable(targets: readonly TargetOutcome[], removedHeader: string): string {
  return markdownTable(
    ['Target', 'Where', 'Stored', removedHeader],
    targets.map((t) => [
      t.target,
      `\`${t.location}\``,
      t.stored ? '✅ yes' : `❌ no: ${t.error ?? 'failed'}`,
      t.pruneError
        ? `⚠️ the window failed: ${t.pruneError}`
        : t.pruned.length > 0
          ? t.pruned.map((n) => `\`${n}\``).join(', ')
          : '—',
    ]),
  );
}

/** The sanitized copy (or this backup, when it is one): what was masked, where it went, and the columns that look personal with no rule. */
function sanitizedSummary(result: BackupResult): string {
  const copy = result.sanitizedCopy;
  const info = copy?.manifest.sanitized ?? result.manifest.sanitized;
  if (!info) return '';
  const parts = ['### Sanitized copy'];
  if (copy) {
    parts.push(
      `\`${copy.name}\` (${formatBytes(copy.manifest.file.size)})`,
      targetsTable(copy.targets, 'Removed by its rolling window'),
    );
  }
  parts.push(
    `Rules sha256 \`${info.rulesSha256}\`: ${counted(info.maskedColumns.length, 'column')} masked${info.maskedColumns.length > 0 ? ` (${info.maskedColumns.map((c) => `\`${c}\``).join(', ')})` : ''}, ${counted(info.truncatedTables.length, 'table')} emptied${info.truncatedTables.length > 0 ? ` (${info.truncatedTables.map((t) => `\`${t}\``).join(', ')})` : ''}.`,
  );
  if (info.unruledPersonalColumns.length > 0) {
    parts.push(
      `> [!WARNING]\n> These columns look personal and no rule names them (copied as they are): ${info.unruledPersonalColumns.map((c) => `\`${c}\``).join(', ')}`,
    );
  }
  return parts.join('\n\n');
}

/** Which rule keeps each backup at a target, newest first (the plan behind the chart). */
function keptByTable(target: { target: string; kept: readonly KeptBackup[] } | undefined): string {
  if (!target) return '';
  // max-backups 0 keeps everything: one line says it, not a row per backup.
  if (target.kept.every((b) => b.reasons.join() === 'max-backups 0 keeps all'))
    return 'Retention: `max-backups` 0 keeps every backup.';
  return [
    `### Why each backup is kept (${target.target})`,
    markdownTable(
      ['Backup', 'Kept by'],
      [...target.kept].reverse().map((b) => [`\`${b.name}\``, b.reasons.join(', ')]),
    ),
  ].join('\n\n');
}

/** A Mermaid bar chart of the retained backups' sizes, oldest to newest (GitHub renders it in summaries). */
export function sizeChart(kept: readonly KeptBackup[]): string {
  if (kept.length === 0) return '';
  const unit =
    Math.max(...kept.map((b) => b.size)) >= 1024 * 1024
      ? { name: 'MiB', bytes: 1024 * 1024 }
      : { name: 'KiB', bytes: 1024 };
  const labels = kept.map((b) => `"${b.time.slice(5, 16).replace('T', ' ')}"`);
  const values = kept.map((b) => (b.size / unit.bytes).toFixed(2));
  return [
    `### Retained backups (${kept.length})`,
    '```mermaid',
    'xychart-beta',
    `  title "Backup size (${unit.name})"`,
    `  x-axis [${labels.join(', ')}]`,
    `  y-axis "${unit.name}"`,
    `  bar [${values.join(', ')}]`,
    '```',
  ].join('\n');
}
