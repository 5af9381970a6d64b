import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  startPostgres,
  snapshotRows,
  SAMPLE_SCHEMA,
  TEST_PASSWORD,
  type PgServer,
} from './support/postgres.js';
import { runBundledAction } from './support/runner.js';
import { tempDir } from './support/tmp.js';

let server: PgServer;

beforeAll(async () => {
  server = await startPostgres();
  await server.createDatabase('prod', SAMPLE_SCHEMA);
  await server.createDatabase('scratch');
});

afterAll(async () => {
  await server?.stop();
});

describe('the bundled action with PostgreSQL, run as the runner runs it', () => {
  test('backup → list → verify → restore, with outputs, summaries and the password masked', async () => {
    const dir = tempDir('action-pg');
    const url = server.url('prod');
    const original = await snapshotRows(server, 'prod');
    const noPassword = (text: string): void => {
      const visible = text
        .split('\n')
        .filter((line) => !line.startsWith('::add-mask::'))
        .join('\n');
      expect(visible).not.toContain(TEST_PASSWORD);
      expect(visible).not.toContain(encodeURIComponent(TEST_PASSWORD));
    };

    const backup = runBundledAction({ command: 'backup', 'database-url': url }, { cwd: dir });
    expect(backup.status, backup.stdout).toBe(0);
    // The toolkit escapes % in workflow commands; the runner reads it back.
    expect(backup.stdout.split('\n')[0]).toBe(`::add-mask::${TEST_PASSWORD.replace(/%/g, '%25')}`);
    noPassword(backup.stdout + backup.stderr + backup.summary + JSON.stringify(backup.outputs));
    expect(backup.outputs['backup-name']).toMatch(/^postgres_backup_\d{8}_\d{6}\.sql\.gz$/);
    noPassword(fs.readFileSync(backup.outputs['manifest-file']!, 'utf8'));
    expect(backup.summary).toMatch(/\| public\.customers \| 200 \|/);
    expect(backup.summary).toMatch(/pg_dump \d+/);
    expect(backup.summary).toContain('postgres://postgres@127.0.0.1');

    const list = runBundledAction({ command: 'list', 'database-url': url }, { cwd: dir });
    expect(list.status, list.stdout).toBe(0);
    expect(JSON.parse(list.outputs.backups!)[0].name).toBe(backup.outputs['backup-name']);

    const verify = runBundledAction(
      {
        command: 'verify',
        backup: 'latest',
        'database-url': url,
        'verify-database-url': server.url('scratch'),
      },
      { cwd: dir },
    );
    expect(verify.status, verify.stdout).toBe(0);
    expect(verify.outputs.verified).toBe('true');
    expect(verify.summary).toMatch(/\| public\.orders \| 500 \| 500 \| ✅ ok \|/);
    noPassword(verify.stdout + verify.summary);
    expect((await server.databases()).filter((d) => d.startsWith('db_backup_'))).toEqual([]);

    await server.query('prod', 'DELETE FROM orders; DELETE FROM audit.events;');
    const refused = runBundledAction(
      { command: 'restore', 'database-url': url, confirm: 'production' },
      { cwd: dir },
    );
    expect(refused.status).toBe(1);
    expect(refused.stdout).toMatch(
      /::error::Restore refused: confirm is "production" but must equal the database name "prod"/,
    );
    const restore = runBundledAction(
      { command: 'restore', 'database-url': url, confirm: 'prod' },
      { cwd: dir },
    );
    expect(restore.status, restore.stdout).toBe(0);
    noPassword(restore.stdout + restore.summary);
    expect(restore.summary).toMatch(/## Database restore/);
    expect(restore.summary).toMatch(/postgres_before-restore_/);
    expect(await snapshotRows(server, 'prod')).toEqual(original);
  });
});
