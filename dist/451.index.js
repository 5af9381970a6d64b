export const id = 451;
export const ids = [451,280];
export const modules = {

/***/ 18451:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runAction: () => (/* binding */ runAction)
});

// EXTERNAL MODULE: ./src/commands/command-result.ts
var command_result = __webpack_require__(43877);
// EXTERNAL MODULE: ./src/config/config.ts + 8 modules
var config_config = __webpack_require__(50215);
// EXTERNAL MODULE: ./src/config/monitoring.ts + 2 modules
var config_monitoring = __webpack_require__(72389);
// EXTERNAL MODULE: ./src/config/settings.ts
var config_settings = __webpack_require__(54661);
// EXTERNAL MODULE: ./src/config/values.ts
var values = __webpack_require__(73750);
// EXTERNAL MODULE: ./src/domain/errors.ts
var errors = __webpack_require__(10241);
// EXTERNAL MODULE: ./src/process/interruptions.ts
var interruptions = __webpack_require__(36301);
// EXTERNAL MODULE: ./src/domain/format.ts
var format = __webpack_require__(65077);
// EXTERNAL MODULE: ./src/report/notification.ts + 2 modules
var notification = __webpack_require__(11545);
;// CONCATENATED MODULE: ./src/report/outputs.ts

/** The action's outputs for a finished command (names as in action.yml). */
function actionOutputs(result) {
    switch (result.command) {
        case 'backup':
            if ((0,command_result/* isServerBackup */.En)(result))
                return serverBackupOutputs(result);
            return {
                databases: '',
                'backup-name': result.name,
                // Empty when the staging copy went (local is not a target): the paths would lead nowhere.
                'backup-file': result.stagedCopyKept ? result.file : '',
                'manifest-file': result.stagedCopyKept ? result.manifestFile : '',
                'size-bytes': String(result.manifest.file.size),
                sha256: result.manifest.file.sha256,
                pruned: JSON.stringify(result.pruned),
                targets: JSON.stringify(result.targets.map(({ target, location, stored, error, pruneError, pruned }) => ({
                    target,
                    location,
                    stored,
                    error,
                    pruneError,
                    pruned,
                }))),
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
function artifactIdOf(result) {
    return result.targets.find((t) => t.target === 'artifact' && t.stored)?.storedId;
}
/**
 * Several databases: no single backup to name, so the one-backup outputs are
 * empty (a step reading backup-name never gets one database's by chance);
 * `databases` lists each, and `pruned` and `targets` cover them all.
 */
function serverBackupOutputs(result) {
    const made = result.databases.flatMap((d) => (d.backup ? [d.backup] : []));
    return {
        'backup-name': '',
        'backup-file': '',
        'manifest-file': '',
        'size-bytes': '',
        sha256: '',
        databases: JSON.stringify(result.databases.map(({ database, ok, backup, error }) => ({
            database,
            ok,
            backupName: backup?.name ?? '',
            backupFile: backup?.stagedCopyKept ? backup.file : '',
            sizeBytes: backup?.manifest.file.size ?? null,
            sha256: backup?.manifest.file.sha256 ?? '',
            artifactId: (backup && artifactIdOf(backup)) ?? '',
            error,
        }))),
        pruned: JSON.stringify(made.flatMap((backup) => backup.pruned)),
        targets: JSON.stringify(result.databases.flatMap(({ database, backup }) => (backup?.targets ?? []).map(({ target, location, stored, error, pruneError, pruned }) => ({
            database,
            target,
            location,
            stored,
            error,
            pruneError,
            pruned,
        })))),
    };
}
/**
 * backup to the artifact target: the artifact's id and its page on GitHub
 * (the run's artifact link, as actions/upload-artifact gives it). Empty for
 * other commands and targets, so a later step can test them.
 */
function artifactOutputs(result, env) {
    if (result.command !== 'backup')
        return {};
    // Several databases: each one's artifact id is in the `databases` output.
    if ((0,command_result/* isServerBackup */.En)(result))
        return { 'artifact-id': '', 'artifact-url': '' };
    const id = artifactIdOf(result);
    const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env;
    const url = id && server && repository && runId
        ? `${server.replace(/\/+$/, '')}/${repository}/actions/runs/${runId}/artifacts/${id}`
        : '';
    return { 'artifact-id': id ?? '', 'artifact-url': url };
}

// EXTERNAL MODULE: ./src/report/progress-line.ts
var progress_line = __webpack_require__(31602);
// EXTERNAL MODULE: ./src/report/run-log.ts
var run_log = __webpack_require__(41992);
;// CONCATENATED MODULE: ./src/report/summary.ts


const CHECKSUM_LABEL = {
    ok: '✅ ok',
    mismatch: '❌ mismatch',
    'no-manifest': '— no manifest',
    unchecked: 'not checked (remote)',
    'invalid-manifest': '❌ invalid manifest',
};
/** The job summary (GitHub-flavoured Markdown) for a finished command. Never holds a credential. */
function renderSummary(result) {
    switch (result.command) {
        case 'backup': {
            if ((0,command_result/* isServerBackup */.En)(result))
                return serverBackupSummary(result);
            const m = result.manifest;
            const parts = [
                '## Database backup',
                ...result.warnings.map((warning) => `> [!WARNING]\n> ${warning}`),
                (0,format/* markdownTable */.Qj)(['', ''], [
                    ['Database', `\`${result.database}\``],
                    ['Backup', `\`${result.name}\``],
                    ['Size', `${(0,format/* formatBytes */.z3)(m.file.size)} (from ${(0,format/* formatBytes */.z3)(m.contentSize)})`],
                    ['Duration', (0,format/* formatDuration */.a3)(result.durationMs)],
                    ['sha256', `\`${m.file.sha256}\``],
                    [
                        'Server',
                        `${m.engine} ${m.database.serverVersion}${m.database.dumpTool ? `, ${m.database.dumpTool}` : ''}`,
                    ],
                ]),
                '### Rows per table',
                m.tables.length > 0
                    ? (0,format/* markdownTable */.Qj)(['Table', 'Rows'], m.tables.map((t) => [t.name, String(t.rows)]))
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
                (0,format/* markdownTable */.Qj)(['', ''], [
                    ['Database', `\`${result.database}\``],
                    ['Restored from', `\`${result.name}\``],
                    ...(result.crossing ? [['Backup of another database', result.crossing]] : []),
                    ['Duration', (0,format/* formatDuration */.a3)(result.durationMs)],
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
                ]),
                (0,format/* markdownTable */.Qj)(['Table', 'Rows'], result.info.tables.map((t) => [t.name, String(t.rows)])),
            ].join('\n\n');
        case 'verify': {
            const parts = [
                `## Backup verification: ${result.verified ? '✅ verified' : '❌ FAILED'}`,
                `\`${result.name}\` — ${result.level} check in ${(0,format/* formatDuration */.a3)(result.durationMs)}`,
            ];
            if (result.tables.length > 0) {
                parts.push((0,format/* markdownTable */.Qj)(['Table', 'Expected rows', 'Restored rows', 'Status'], result.tables.map((t) => [
                    t.name,
                    t.expected?.toString() ?? '—',
                    t.restored?.toString() ?? '—',
                    t.status === 'ok' ? '✅ ok' : `❌ ${t.status}`,
                ])));
            }
            if (result.checks.length > 0) {
                parts.push((0,format/* markdownTable */.Qj)(['Check', 'Result', 'Status'], result.checks.map((c) => [
                    `\`${c.sql.replace(/\s+/g, ' ')}\``,
                    c.result,
                    c.passed ? '✅ ok' : '❌ failed',
                ])));
            }
            for (const warning of result.warnings)
                parts.push(`> [!WARNING]\n> ${warning}`);
            for (const problem of result.problems)
                parts.push(`> [!CAUTION]\n> ${problem}`);
            if (result.record)
                parts.push(`Recorded as \`${result.record}\` beside the backup.`);
            return parts.join('\n\n');
        }
        case 'list':
            return [
                `## Backups in \`${result.location}\``,
                result.backups.length === 0
                    ? '_None._'
                    : (0,format/* markdownTable */.Qj)(['Backup', 'Format', 'Size', 'Age', 'Checksum', 'Last verified'], result.backups.map((b) => [
                        `\`${b.name}\``,
                        (0,format/* contentLabel */.QL)(b),
                        (0,format/* formatBytes */.z3)(b.size),
                        (0,format/* formatAge */.nV)(b.ageSeconds),
                        CHECKSUM_LABEL[b.checksum],
                        (0,format/* verificationLabel */.MP)(b.lastVerification),
                    ])),
            ].join('\n\n');
        case 'status':
            if (result.databases) {
                return [
                    `## Backup status: ${result.ok ? '✅ OK' : '❌ ' + result.state}`,
                    `At \`${result.location}\`:`,
                    (0,format/* markdownTable */.Qj)(['Database', 'State', 'Newest backup', 'Last passed test restore'], result.databases.map((d) => [
                        d.database ?? '',
                        d.ok ? '✅ OK' : `❌ ${d.state}`,
                        d.newest ? `\`${d.newest.name}\`, ${(0,format/* formatAge */.nV)(d.newest.ageSeconds)} old` : 'none',
                        d.lastVerified
                            ? `\`${d.lastVerified.backup}\`, ${(0,format/* formatAge */.nV)(d.lastVerified.ageSeconds)} ago`
                            : 'none',
                    ])),
                    ...result.problems.map((problem) => `> [!CAUTION]\n> ${problem}`),
                ].join('\n\n');
            }
            return [
                `## Backup status: ${result.ok ? '✅ OK' : '❌ ' + result.state}`,
                (0,format/* markdownTable */.Qj)(['', ''], [
                    ['Where', `\`${result.location}\``],
                    [
                        'Newest backup',
                        result.newest
                            ? `\`${result.newest.name}\`, ${(0,format/* formatAge */.nV)(result.newest.ageSeconds)} old (max ${result.maxAge})`
                            : 'none',
                    ],
                    [
                        'Last passed test restore',
                        result.lastVerified
                            ? `\`${result.lastVerified.backup}\`, ${(0,format/* formatAge */.nV)(result.lastVerified.ageSeconds)} ago${result.verifiedWithin ? ` (max ${result.verifiedWithin})` : ''}`
                            : 'none',
                    ],
                ]),
                ...result.problems.map((problem) => `> [!CAUTION]\n> ${problem}`),
            ].join('\n\n');
        case 'prune':
            return [
                `## Prune${result.dryRun ? ' (dry run)' : ''}`,
                result.removed.length === 0
                    ? `Nothing to remove; ${(0,format/* counted */.hS)(result.kept.length, 'backup')} kept.`
                    : (0,format/* markdownTable */.Qj)(['Removed', ''], result.removed.map((n) => [
                        `\`${n}\``,
                        result.dryRun ? 'would be removed' : 'removed',
                    ])),
                `Rules: ${result.rules}.`,
                Object.keys(result.keptBy).length > 0
                    ? (0,format/* markdownTable */.Qj)(['Kept', 'Kept by'], Object.entries(result.keptBy).map(([name, reasons]) => [
                        `\`${name}\``,
                        reasons.join(', '),
                    ]))
                    : '',
            ]
                .filter(Boolean)
                .join('\n\n');
    }
}
/** Text in a code span, whatever backticks it holds (a fence longer than any run of them). */
function codeSpan(text) {
    const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
    const fence = '`'.repeat(longest + 1);
    const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
    return `${fence}${pad}${text}${pad}${fence}`;
}
/** A database's name is the server's to choose: never markup in the summary. */
function escapeHtml(text) {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
/**
 * Several databases: one row each (the backup, its size, where it is stored,
 * what its window removed, or why it failed), the skipped ones, then each
 * database's own summary folded away.
 */
function serverBackupSummary(result) {
    const failed = result.databases.filter((d) => !d.ok).length;
    const rows = result.databases.map(({ database, ok, backup, error }) => {
        if (!backup)
            return [codeSpan((0,format/* printableName */.Nt)(database)), '—', '—', `❌ ${error ?? 'failed'}`, '—'];
        const stored = backup.targets.map((t) => `${t.stored ? '✅' : '❌'} ${t.target}`).join(', ');
        return [
            codeSpan((0,format/* printableName */.Nt)(database)),
            `\`${backup.name}\``,
            (0,format/* formatBytes */.z3)(backup.manifest.file.size),
            ok ? stored : `${stored}: ${error ?? 'failed'}`,
            backup.pruned.length > 0 ? backup.pruned.map((n) => `\`${n}\``).join(', ') : '—',
        ];
    });
    return [
        `## Database backups: ${result.databases.length - failed} of ${result.databases.length} databases of \`${result.server}\`${failed > 0 ? ` (${failed} failed)` : ''}`,
        ...result.warnings.map((warning) => `> [!WARNING]\n> ${warning}`),
        (0,format/* markdownTable */.Qj)(['Database', 'Backup', 'Size', 'Stored', 'Removed by its window'], rows),
        `Duration: ${(0,format/* formatDuration */.a3)(result.durationMs)}.`,
        ...result.databases.flatMap(({ database, backup }) => backup
            ? [
                `<details><summary>${escapeHtml((0,format/* printableName */.Nt)(database))}</summary>\n\n${renderSummary(backup).replace(/^## Database backup\n\n/, '')}\n\n</details>`,
            ]
            : []),
    ].join('\n\n');
}
/** Where a backup went, and what each target's rolling window removed. */
function targetsTable(targets, removedHeader) {
    return (0,format/* markdownTable */.Qj)(['Target', 'Where', 'Stored', removedHeader], targets.map((t) => [
        t.target,
        `\`${t.location}\``,
        t.stored ? '✅ yes' : `❌ no: ${t.error ?? 'failed'}`,
        t.pruneError
            ? `⚠️ the window failed: ${t.pruneError}`
            : t.pruned.length > 0
                ? t.pruned.map((n) => `\`${n}\``).join(', ')
                : '—',
    ]));
}
/** The sanitized copy (or this backup, when it is one): what was masked, where it went, and the columns that look personal with no rule. */
function sanitizedSummary(result) {
    const copy = result.sanitizedCopy;
    const info = copy?.manifest.sanitized ?? result.manifest.sanitized;
    if (!info)
        return '';
    const parts = ['### Sanitized copy'];
    if (copy) {
        parts.push(`\`${copy.name}\` (${(0,format/* formatBytes */.z3)(copy.manifest.file.size)})`, targetsTable(copy.targets, 'Removed by its rolling window'));
    }
    parts.push(`Rules sha256 \`${info.rulesSha256}\`: ${(0,format/* counted */.hS)(info.maskedColumns.length, 'column')} masked${info.maskedColumns.length > 0 ? ` (${info.maskedColumns.map((c) => `\`${c}\``).join(', ')})` : ''}, ${(0,format/* counted */.hS)(info.truncatedTables.length, 'table')} emptied${info.truncatedTables.length > 0 ? ` (${info.truncatedTables.map((t) => `\`${t}\``).join(', ')})` : ''}.`);
    if (info.unruledPersonalColumns.length > 0) {
        parts.push(`> [!WARNING]\n> These columns look personal and no rule names them (copied as they are): ${info.unruledPersonalColumns.map((c) => `\`${c}\``).join(', ')}`);
    }
    return parts.join('\n\n');
}
/** Which rule keeps each backup at a target, newest first (the plan behind the chart). */
function keptByTable(target) {
    if (!target)
        return '';
    // max-backups 0 keeps everything: one line says it, not a row per backup.
    if (target.kept.every((b) => b.reasons.join() === 'max-backups 0 keeps all'))
        return 'Retention: `max-backups` 0 keeps every backup.';
    return [
        `### Why each backup is kept (${target.target})`,
        (0,format/* markdownTable */.Qj)(['Backup', 'Kept by'], [...target.kept].reverse().map((b) => [`\`${b.name}\``, b.reasons.join(', ')])),
    ].join('\n\n');
}
/** A Mermaid bar chart of the retained backups' sizes, oldest to newest (GitHub renders it in summaries). */
function sizeChart(kept) {
    if (kept.length === 0)
        return '';
    const unit = Math.max(...kept.map((b) => b.size)) >= 1024 * 1024
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

// EXTERNAL MODULE: ./src/domain/secrets.ts
var secrets = __webpack_require__(7513);
// EXTERNAL MODULE: ./src/runner-commands.ts
var runner_commands = __webpack_require__(73280);
;// CONCATENATED MODULE: ./src/action.ts















/**
 * The runner's log: each phase of the job (the dump, each target, the test
 * restore) is a collapsible group. Groups cannot nest in the Actions log, so
 * a phase inside a phase runs inside its parent's group.
 */
function actionLogger(recent, warnings, command) {
    let inGroup = false;
    const remember = (level, message) => recent.push((0,run_log/* formatLogLine */.IE)(new Date(), level, command, process.pid, message));
    return {
        // Our own words (outside text in them was masked where it came in); the runner masks secrets too.
        info: (message) => {
            runner_commands.info(message);
            remember('INFO', message);
        },
        warn: (message) => {
            runner_commands.warning(message);
            remember('WARN', message);
            warnings.push(message);
        },
        section: async (title, work) => {
            if (inGroup)
                return work();
            inGroup = true;
            try {
                return await runner_commands.group(title, work);
            }
            finally {
                inGroup = false;
            }
        },
    };
}
/** The action: inputs → config → command → outputs, job summary and notifications. */
async function runAction(env = process.env) {
    (0,secrets/* onSecret */.IJ)((secret) => runner_commands.mask(secret));
    const started = Date.now();
    const recent = new run_log/* RecentLines */.BE();
    const warnings = [];
    let command;
    let settings;
    let log = actionLogger(recent, warnings, 'db-backup');
    let monitor;
    let config;
    let outcome;
    let wantSummary = true;
    try {
        const inputs = (0,config_settings/* settingsFromInputs */.Xr)((name) => runner_commands.input(name, env), env);
        settings = inputs.settings;
        wantSummary = (0,values/* bool */.lc)(settings, 'job-summary');
        command = (0,config_config/* parseCommandName */.Iq)(inputs.command);
        log = actionLogger(recent, warnings, command);
        const monitoring = (0,config_monitoring/* parseMonitoring */.i)(command, settings);
        for (const warning of monitoring.warnings)
            log.warn(warning);
        monitor = await notification/* RunMonitor */.I7.of(monitoring, (m) => log.warn(m));
        const interrupted = monitor;
        const monitoredCommand = (0,notification/* isMonitoredCommand */.tS)(command) ? command : undefined;
        (0,interruptions/* onInterruption */.vi)((signal) => {
            const message = (0,interruptions/* interruptionMessage */.rL)(signal);
            recent.push((0,run_log/* formatLogLine */.IE)(new Date(), 'ERROR', monitoredCommand ?? 'db-backup', process.pid, message));
            if (!monitoredCommand || !interrupted.active)
                return;
            interrupted.interrupted((0,notification/* notificationOf */.t7)({ error: message, database: (0,notification/* databaseOf */.zJ)(config) }, {
                command: monitoredCommand,
                durationMs: Date.now() - started,
                runUrl: (0,notification/* runUrlOf */.Qm)(env),
                time: new Date(),
                warnings: warnings.slice(0, 10),
            }), recent.tail());
        });
        // After the notice above: a signal while the start ping hangs is still told as a failure.
        await monitor.start();
        config = (0,config_config/* parseConfig */.o4)(command, settings, process.cwd());
        // The runner's log is no terminal: a progress line every so often, none for short work.
        const progress = config.quiet
            ? undefined
            : (0,progress_line/* progressLine */.oz)({
                output: { terminal: false, write: (text) => runner_commands.info((0,secrets/* redact */.E$)(text)) },
                logIntervalMs: (0,progress_line/* logIntervalFrom */.sV)(env),
            });
        // Loaded only now: inputs the action refuses never load the commands' code.
        const { runCommand } = await __webpack_require__.e(/* import() */ 38).then(__webpack_require__.bind(__webpack_require__, 2038));
        const result = await runCommand(config, {
            log,
            cwd: process.cwd(),
            ...(progress ? { progress } : {}),
        });
        for (const [name, value] of Object.entries({
            ...actionOutputs(result),
            ...artifactOutputs(result, env),
        }))
            runner_commands.setOutput(name, value, env);
        if ((0,command_result/* succeeded */.gq)(result))
            noticeOf(result);
        outcome = { result };
    }
    catch (error) {
        if (!(0,errors/* isWorded */.UD)(error) && error instanceof Error && error.stack)
            runner_commands.debug((0,secrets/* redact */.E$)(error.stack));
        // A DbBackupError is worded by us; anything else carries a library's text, which may quote anything.
        const message = (0,errors/* isWorded */.UD)(error) ? error.message : (0,secrets/* redact */.E$)((0,errors/* errorMessage */.gJ)(error));
        outcome = { error: message, database: (0,notification/* databaseOf */.zJ)(config) };
    }
    // From here a signal adds nothing: the end is being told already.
    (0,interruptions/* onInterruption */.vi)(undefined);
    const monitored = command !== undefined && (0,notification/* isMonitoredCommand */.tS)(command) ? command : undefined;
    const problems = monitor?.active && monitored
        ? await log.section('Notify', () => monitor.finish((0,notification/* notificationOf */.t7)(outcome, {
            command: monitored,
            durationMs: Date.now() - started,
            runUrl: (0,notification/* runUrlOf */.Qm)(env),
            time: new Date(),
            warnings: warnings.slice(0, 10),
        }), recent.tail()))
        : [];
    if (wantSummary)
        await writeSummary(outcome, problems, env);
    if ('error' in outcome)
        runner_commands.fail(outcome.error);
    else if (!(0,command_result/* succeeded */.gq)(outcome.result))
        runner_commands.fail((0,command_result/* failureSummary */.jg)(outcome.result));
}
/** A one-line annotation on the run's page for a finished job: what was made, restored or proven. */
function noticeOf(result) {
    const title = 'db-backup';
    switch (result.command) {
        case 'backup':
            if ((0,command_result/* isServerBackup */.En)(result)) {
                runner_commands.notice(`Backed up ${result.databases.length} databases of ${result.server}: ${result.databases.map((d) => `${d.database} (${d.backup?.name ?? 'failed'})`).join(', ')}`, title);
                break;
            }
            runner_commands.notice(`Backed up ${result.database}: ${result.name} (${(0,format/* formatBytes */.z3)(result.manifest.file.size)}), stored at ${result.targets.map((t) => t.target).join(', ')}`, title);
            break;
        case 'restore':
            runner_commands.notice(`Restored ${result.name} into ${result.database}`, title);
            break;
        case 'verify':
            runner_commands.notice(`Verified ${result.name} (${result.level} check)`, title);
            break;
        default:
            break;
    }
}
/** The job summary; failed notifications are said there too. */
async function writeSummary(outcome, problems, env) {
    if (!env.GITHUB_STEP_SUMMARY)
        return;
    const body = 'error' in outcome
        ? // The page people open first after a red run says why, too.
            `## db-backup failed\n\n> [!CAUTION]\n> ${outcome.error}\n`
        : renderSummary(outcome.result);
    const notes = problems.map((problem) => `> [!WARNING]\n> ${problem}`).join('\n\n');
    await runner_commands.appendSummary(notes ? `${body}\n\n${notes}\n` : body, env).catch(() => undefined);
}


/***/ }),

/***/ 73280:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   appendSummary: () => (/* binding */ appendSummary),
/* harmony export */   debug: () => (/* binding */ debug),
/* harmony export */   fail: () => (/* binding */ fail),
/* harmony export */   group: () => (/* binding */ group),
/* harmony export */   info: () => (/* binding */ info),
/* harmony export */   input: () => (/* binding */ input),
/* harmony export */   mask: () => (/* binding */ mask),
/* harmony export */   notice: () => (/* binding */ notice),
/* harmony export */   setOutput: () => (/* binding */ setOutput),
/* harmony export */   shownNotRun: () => (/* binding */ shownNotRun),
/* harmony export */   warning: () => (/* binding */ warning)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(48161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_2__);
/**
 * How the action talks to the GitHub Actions runner: inputs from INPUT_*
 * variables, workflow commands on stdout (`::error::`, `::add-mask::`,
 * `::group::` …), outputs and the job summary through the files the runner
 * names in GITHUB_OUTPUT and GITHUB_STEP_SUMMARY. This is the runner's
 * documented protocol, written here in @actions/core's own format; loading
 * @actions/core instead would load its HTTP client (undici) for its OIDC
 * helper, which is most of the action's start-up time.
 */



/** An input as the runner passes it (`with: { backup-dir: … }` → INPUT_BACKUP-DIR), trimmed. */
function input(name, env = process.env) {
    return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}
/** Escapes a command's message: a newline must not end the command. */
function escapeData(text) {
    return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
/** Escapes a command's property value, which ends at `,` and `::`. */
function escapeProperty(text) {
    return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
/** `::name key=value,…::message` on stdout. */
function command(name, message, properties = {}) {
    const given = Object.entries(properties).filter(([, value]) => value);
    const props = given.length
        ? ` ${given.map(([key, value]) => `${key}=${escapeProperty(value)}`).join(',')}`
        : '';
    process.stdout.write(`::${name}${props}::${escapeData(message)}${(node_os__WEBPACK_IMPORTED_MODULE_2___default().EOL)}`);
}
/** Masks a value in the rest of the job's log. */
const mask = (secret) => command('add-mask', secret);
/**
 * A line the runner would take for a workflow command: `::` at its start
 * after white space (.NET's, which counts U+0085 too), or the older `##[`
 * anywhere in it. The runner splits lines at `\r` too, and reads stderr as
 * well as stdout.
 */
const COMMAND_LIKE = /(?:^|[\r\n])[\s\u0085]*::|##\[/;
/**
 * Text for the log, shown and never run: text that would read as a workflow
 * command (a table's name or a server's message can say anything) goes
 * between `::stop-commands::` and its resume token, a random one the text
 * cannot know, as GitHub advises for untrusted text. `text` ends with a
 * newline.
 */
function shownNotRun(text) {
    if (!COMMAND_LIKE.test(text))
        return text;
    const token = `db-backup-${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomUUID)()}`;
    return `::stop-commands::${token}${(node_os__WEBPACK_IMPORTED_MODULE_2___default().EOL)}${text}${text.endsWith('\n') ? '' : (node_os__WEBPACK_IMPORTED_MODULE_2___default().EOL)}::${token}::${(node_os__WEBPACK_IMPORTED_MODULE_2___default().EOL)}`;
}
/** A line of the log (see shownNotRun). */
const info = (message) => void process.stdout.write(shownNotRun(`${message}${(node_os__WEBPACK_IMPORTED_MODULE_2___default().EOL)}`));
const debug = (message) => command('debug', message);
const warning = (message) => command('warning', message);
const notice = (message, title) => command('notice', message, { title });
/** An error annotation, and the step fails (exit status 1) when the process ends. */
function fail(message) {
    process.exitCode = 1;
    command('error', message);
}
/** A collapsible group in the log around the work. */
async function group(title, work) {
    command('group', title);
    try {
        return await work();
    }
    finally {
        command('endgroup', '');
    }
}
/**
 * A step output: a `name<<delimiter` block in the GITHUB_OUTPUT file, with a
 * delimiter the value cannot hold; `::set-output` where no file is named
 * (local runners and harnesses that read the log).
 */
function setOutput(name, value, env = process.env) {
    const file = env.GITHUB_OUTPUT;
    if (!file) {
        process.stdout.write((node_os__WEBPACK_IMPORTED_MODULE_2___default().EOL));
        command('set-output', value, { name });
        return;
    }
    const delimiter = `ghadelimiter_${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomUUID)()}`;
    if (name.includes(delimiter) || value.includes(delimiter))
        throw new Error(`The output ${name} holds the delimiter ${delimiter}.`);
    if (!node_fs__WEBPACK_IMPORTED_MODULE_1___default().existsSync(file))
        throw new Error(`Missing file at path: ${file}`);
    node_fs__WEBPACK_IMPORTED_MODULE_1___default().appendFileSync(file, `${name}<<${delimiter}${(node_os__WEBPACK_IMPORTED_MODULE_2___default().EOL)}${value}${(node_os__WEBPACK_IMPORTED_MODULE_2___default().EOL)}${delimiter}${(node_os__WEBPACK_IMPORTED_MODULE_2___default().EOL)}`);
}
/** Appends markdown to the job summary, when the runner names its file. */
async function appendSummary(markdown, env = process.env) {
    const file = env.GITHUB_STEP_SUMMARY;
    if (!file)
        return;
    await node_fs__WEBPACK_IMPORTED_MODULE_1___default().promises.appendFile(file, `${markdown}${(node_os__WEBPACK_IMPORTED_MODULE_2___default().EOL)}`, 'utf8');
}


/***/ })

};
