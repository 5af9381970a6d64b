/**
 * GitHub's own local runner for actions, @github/local-action, as a developer
 * runs it: `local-action <action dir> <entrypoint> <.env>`. It imports the
 * entrypoint and calls its exported run() with inputs from the .env file.
 * The action writes its workflow commands itself (src/runner-commands.ts), so
 * local-action's stubs of @actions/core see none of them. It exits 0 even when
 * the action fails, so these tests read what the action reported: its outputs
 * (::set-output lines, as no GITHUB_OUTPUT file is named), its ::error:: lines
 * and the job summary file.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT } from './support/cli.js';
import { createSampleDatabase, dumpRows } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

const LOCAL_ACTION = path.join(REPO_ROOT, 'node_modules/@github/local-action/bin/local-action.js');

interface LocalRun {
  readonly status: number | null;
  readonly log: string;
  readonly outputs: Record<string, string>;
  readonly errors: string[];
  readonly summary: string;
}

function runLocalAction(entrypoint: string, inputs: Record<string, string>, dir: string): LocalRun {
  const summaryFile = path.join(dir, `summary-${Date.now()}-${Math.random()}.md`);
  fs.writeFileSync(summaryFile, '');
  const envFile = path.join(dir, '.env');
  const lines = [
    ...Object.entries(inputs).map(([name, value]) => `INPUT_${name.toUpperCase()}=${value}`),
    `GITHUB_STEP_SUMMARY=${summaryFile}`,
    `RUNNER_TEMP=${dir}`,
  ];
  fs.writeFileSync(envFile, `${lines.join('\n')}\n`);
  // local-action runs `npm exec tsx`, which finds tsx from the action's own folder.
  const result = spawnSync(process.execPath, [LOCAL_ACTION, REPO_ROOT, entrypoint, envFile], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  // eslint-disable-next-line no-control-regex
  const log = `${result.stdout}${result.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
  const outputs: Record<string, string> = {};
  for (const match of log.matchAll(/^::set-output name=([\w-]+)::(.*)$/gm))
    outputs[match[1]!] = match[2]!;
  const errors = [...log.matchAll(/^::error::(.*)$/gm)].map((m) => m[1]!);
  return {
    status: result.status,
    log,
    outputs,
    errors,
    summary: fs.readFileSync(summaryFile, 'utf8'),
  };
}

describe('the action under @github/local-action', () => {
  test('backup, list and restore a SQLite database through src/main.ts', () => {
    const dir = tempDir('local-action');
    const db = path.join(dir, 'app.db');
    createSampleDatabase(db, { rows: 12 });
    const expected = dumpRows(db);
    const common = { 'database-url': `file:${db}`, 'backup-dir': path.join(dir, 'backups') };

    const backup = runLocalAction('src/main.ts', { command: 'backup', ...common }, dir);
    expect(backup.errors, backup.log).toEqual([]);
    const name = backup.outputs['backup-name']!;
    expect(name).toMatch(/^sqlite_backup_\d{8}_\d{6}\.db\.gz$/);
    expect(backup.outputs['backup-file']).toBe(path.join(dir, 'backups', name));
    expect(Number(backup.outputs['size-bytes'])).toBe(
      fs.statSync(path.join(dir, 'backups', name)).size,
    );
    expect(backup.outputs.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(backup.summary).toMatch(/## Database backup/);
    expect(backup.summary).toMatch(/\| users \| 12 \|/);
    // Imported, not started: run() ran once, so there is one backup.
    expect(fs.readdirSync(path.join(dir, 'backups')).filter((n) => n.endsWith('.gz'))).toEqual([
      name,
    ]);

    const list = runLocalAction('src/main.ts', { command: 'list', ...common }, dir);
    expect(list.errors, list.log).toEqual([]);
    expect(list.outputs['backup-name']).toBe(name);
    expect(JSON.parse(list.outputs.backups!)).toEqual([
      expect.objectContaining({ name, checksum: 'ok' }),
    ]);

    fs.rmSync(db);
    createSampleDatabase(db, { rows: 2 });
    const changed = dumpRows(db);
    const refused = runLocalAction(
      'src/main.ts',
      { command: 'restore', ...common, confirm: 'other.db' },
      dir,
    );
    // local-action itself exits 0 here; the failure is in what the action reported.
    expect(refused.errors.join('\n')).toMatch(/Restore refused: confirm is "other.db"/);
    expect(refused.outputs['previous-copy']).toBeUndefined();
    expect(refused.summary).toMatch(/## db-backup failed/);
    expect(dumpRows(db)).toEqual(changed);

    const restore = runLocalAction(
      'src/main.ts',
      { command: 'restore', ...common, confirm: 'app.db' },
      dir,
    );
    expect(restore.errors, restore.log).toEqual([]);
    expect(restore.outputs['backup-name']).toBe(name);
    expect(restore.outputs['previous-copy']).toBe(`${db}.before-restore`);
    expect(restore.summary).toMatch(/## Database restore/);
    expect(dumpRows(db)).toEqual(expected);
  }, 300_000);

  test('the bundle dist/index.js exports the same run(), and importing it runs nothing', () => {
    const dir = tempDir('local-action-dist');
    const db = path.join(dir, 'app.db');
    createSampleDatabase(db, { rows: 4 });
    const backups = path.join(dir, 'backups');
    const backup = runLocalAction(
      'dist/index.js',
      { command: 'backup', 'database-url': `file:${db}`, 'backup-dir': backups },
      dir,
    );
    // Outputs are printed as ::set-output: local-action names no GITHUB_OUTPUT file.
    expect(backup.errors, backup.log).toEqual([]);
    expect(backup.log).toMatch(/Running Action/);
    const made = fs.readdirSync(backups).filter((n) => n.endsWith('.gz'));
    expect(made).toHaveLength(1);
    expect(backup.summary).toMatch(/## Database backup/);
  }, 120_000);
});
