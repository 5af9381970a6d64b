import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { actionInputDescription, OPTIONS } from '../src/config/options.js';
import { REPO_ROOT } from './support/cli.js';
import { runBundledAction } from './support/runner.js';
import { createSampleDatabase, dumpRows } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

interface ActionYml {
  runs: { using: string; main: string };
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string }>;
}

const actionYml = parse(fs.readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as ActionYml;

describe('action.yml', () => {
  test('runs dist/index.js on node24', () => {
    expect(actionYml.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  test('declares exactly the options that are inputs, each documented, with the table defaults', () => {
    const inputs = OPTIONS.filter((o) => o.input !== false);
    expect(Object.keys(actionYml.inputs).sort()).toEqual(inputs.map((o) => o.name).sort());
    for (const option of inputs) {
      const input = actionYml.inputs[option.name]!;
      // scripts/sync-action-yml.ts writes these; run it after changing src/config/options.ts.
      expect(input.description, option.name).toBe(actionInputDescription(option));
      // An input with an environment fallback must not have a default, or the runner would always pass it.
      expect(input.default, option.name).toBe(
        option.actionDefault ?? (option.env ? undefined : option.default),
      );
    }
  });

  test('documents every output the action sets', () => {
    const source = fs.readFileSync(path.join(REPO_ROOT, 'src/report/outputs.ts'), 'utf8');
    const set = [
      ...source.matchAll(
        /(?<!case )'([a-z0-9-]+)':|\b(sha256|verified|backups|pruned|status|databases):/g,
      ),
    ].map((m) => m[1] ?? m[2]);
    for (const name of set) expect(actionYml.outputs, name).toHaveProperty(name!);
    for (const [name, output] of Object.entries(actionYml.outputs))
      expect(output.description.length, name).toBeGreaterThan(10);
  });
});

describe('the bundled action, run as the runner runs it', () => {
  test('backup → list → verify → restore for SQLite, with outputs and job summaries', () => {
    const dir = tempDir('action');
    const db = path.join(dir, 'app.db');
    createSampleDatabase(db, { rows: 25 });
    const expected = dumpRows(db);
    const url = 'file:./app.db';

    const backup = runBundledAction(
      { command: 'backup', 'database-url': url, 'max-backups': '3' },
      { cwd: dir },
    );
    expect(backup.status, backup.stdout + backup.stderr).toBe(0);
    const { outputs } = backup;
    expect(outputs['backup-name']).toMatch(/^sqlite_backup_\d{8}_\d{6}\.db\.gz$/);
    expect(outputs['backup-file']).toBe(path.join(dir, 'backups', outputs['backup-name']!));
    expect(outputs['manifest-file']).toBe(`${outputs['backup-file']}.json`);
    expect(Number(outputs['size-bytes'])).toBe(fs.statSync(outputs['backup-file']!).size);
    expect(outputs.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(outputs.pruned!)).toEqual([]);
    expect(backup.summary).toMatch(/## Database backup/);
    expect(backup.summary).toMatch(/\| users \| 25 \|/);
    expect(backup.summary).toContain(outputs['backup-name']);
    expect(backup.summary).toMatch(/\| local \| .* \| ✅ yes \|/);
    expect(backup.summary).toMatch(/```mermaid\nxychart-beta\n {2}title "Backup size \(KiB\)"/);
    expect(JSON.parse(outputs.targets!)).toEqual([
      { target: 'local', location: path.join(dir, 'backups'), stored: true, pruned: [] },
    ]);

    const list = runBundledAction({ command: 'list' }, { cwd: dir });
    expect(list.status, list.stdout).toBe(0);
    expect(JSON.parse(list.outputs.backups!)[0]).toMatchObject({
      name: outputs['backup-name'],
      checksum: 'ok',
    });

    const verify = runBundledAction(
      { command: 'verify', backup: 'latest', 'database-url': url },
      { cwd: dir },
    );
    expect(verify.status, verify.stdout).toBe(0);
    expect(verify.outputs.verified).toBe('true');
    expect(verify.summary).toMatch(/\| users \| 25 \| 25 \| ✅ ok \|/);

    fs.rmSync(db);
    createSampleDatabase(db, { rows: 3 });
    const refused = runBundledAction(
      { command: 'restore', 'database-url': url, confirm: 'wrong.db' },
      { cwd: dir },
    );
    expect(refused.status).toBe(1);
    expect(refused.stdout).toMatch(
      /::error::Restore refused: confirm is "wrong.db" but must equal the database name "app.db"/,
    );
    const restore = runBundledAction(
      { command: 'restore', 'database-url': url, confirm: 'app.db' },
      { cwd: dir },
    );
    expect(restore.status, restore.stdout).toBe(0);
    expect(restore.outputs['backup-name']).toBe(outputs['backup-name']);
    expect(dumpRows(db)).toEqual(expected);
    expect(restore.summary).toMatch(/## Database restore/);
  });

  test('a bad input fails the step with one ::error:: line', () => {
    const dir = tempDir('action-bad');
    const run = runBundledAction(
      { command: 'backup', 'database-url': 'mysql://u:hunter2pw@h/db' },
      { cwd: dir },
    );
    expect(run.status).toBe(1);
    const errors = run.stdout.split('\n').filter((line) => line.startsWith('::error::'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/Unsupported database URL/);
    expect(run.stdout).not.toContain('hunter2pw');
    expect(run.summary).toMatch(/## db-backup failed[\s\S]*Unsupported database URL/);
    expect(run.summary).not.toContain('hunter2pw');
  });

  test('a password in the URL is masked before anything is logged', () => {
    const dir = tempDir('action-mask');
    const run = runBundledAction(
      { command: 'backup', 'database-url': 'postgres://app:S3cr%40t-pass@127.0.0.1:1/app' },
      { cwd: dir },
    );
    const lines = run.stdout.split('\n');
    const mask = lines.findIndex((line) => line === '::add-mask::S3cr@t-pass');
    expect(mask).toBeGreaterThanOrEqual(0);
    expect(lines.slice(0, mask).join('\n')).not.toMatch(/S3cr/);
    expect(lines.filter((l) => !l.startsWith('::add-mask::')).join('\n')).not.toMatch(
      /S3cr@t|S3cr%40t/,
    );
  });

  test('an unknown command is refused', () => {
    const dir = tempDir('action-cmd');
    const run = runBundledAction({ command: 'dump' }, { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(
      /::error::Unknown command "dump": use one of backup, restore, verify, list, prune/,
    );
  });
});

describe("the action's stderr, which the runner reads for workflow commands too", () => {
  test('a warning whose text reads as a command is shown between stop-commands and a resume token, never run', () => {
    const dir = tempDir('action-stderr');
    const db = path.join(dir, 'app.db');
    createSampleDatabase(db, { rows: 3 });
    // Node's warning, raised as the action's work is done: printed by the action's own handler.
    const preload = path.join(dir, 'warn.mjs');
    fs.writeFileSync(
      preload,
      "process.once('beforeExit', () => process.emitWarning('::error::raised by a warning ##[error]too'));\n",
    );
    const run = runBundledAction(
      { command: 'backup', 'database-url': `sqlite:${db}` },
      { cwd: dir, env: { NODE_OPTIONS: `--import ${pathToFileURL(preload).href}` } },
    );
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const [, token] = /^::stop-commands::(db-backup-[0-9a-f-]{36})$/m.exec(run.stderr) ?? [];
    expect(token, run.stderr).toBeDefined();
    expect(run.stderr).toContain(
      `::stop-commands::${token}\nWarning: ::error::raised by a warning ##[error]too\n::${token}::\n`,
    );
  });
});
