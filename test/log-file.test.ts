import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { bundledCli, cli } from './support/cli.js';
import { createSampleDatabase } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

const LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (INFO|WARN|ERROR) [a-z]+\[\d+\]: \S.*$/;
const PASSPHRASE = 'passphrase-never-in-a-log-4711';
const PG_PASSWORD = 'Pg-Passw0rd-never-logged';
const TOKEN = 'WebhookToken0123456789abcdef';

function project(): string {
  const dir = tempDir('log-file');
  createSampleDatabase(path.join(dir, 'app.db'), { rows: 10 });
  return dir;
}

function lines(file: string): string[] {
  return fs.readFileSync(file, 'utf8').trimEnd().split('\n');
}

describe('--log-file', () => {
  test('creates logs/ (0700) and the file (0600), one timestamped line per message, and appends', async () => {
    const dir = project();
    const file = path.join(dir, 'logs/backup.log');
    const first = await cli(
      ['backup', '--database-url', 'file:app.db', '--log-file', 'logs/backup.log'],
      {
        cwd: dir,
      },
    );
    expect(first.status, first.stderr).toBe(0);
    expect(fs.statSync(path.join(dir, 'logs')).mode & 0o777).toBe(0o700);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const written = lines(file);
    for (const line of written) expect(line).toMatch(LINE);
    expect(written[0]).toMatch(/ INFO backup\[\d+\]: db-backup \d+\.\d+\.\d+ backup started$/);
    expect(
      written.some((l) =>
        / INFO backup\[\d+\]: Wrote sqlite_backup_\d{8}_\d{6}\.db\.gz \(/.test(l),
      ),
    ).toBe(true);
    expect(written.at(-1)).toMatch(/ INFO backup\[\d+\]: finished \(exit 0\)$/);
    // Every progress line the terminal saw is in the file too.
    for (const message of first.stderr.split('\n').filter(Boolean))
      expect(written.some((l) => l.endsWith(`: ${message.replace(/^warning: /, '')}`))).toBe(true);

    const second = await cli(['list'], { cwd: dir, env: { BACKUP_LOG_FILE: 'logs/backup.log' } });
    expect(second.status).toBe(0);
    const after = lines(file);
    expect(after.slice(0, written.length)).toEqual(written);
    expect(after.slice(written.length).every((l) => / list\[\d+\]: /.test(l))).toBe(true);
  });

  test('every command logs, refusals included (an unknown flag, a missing database)', async () => {
    const dir = project();
    const env = { BACKUP_LOG_FILE: path.join(dir, 'backup.log') };
    expect((await cli(['backup', '--database-url', 'file:app.db'], { cwd: dir, env })).status).toBe(
      0,
    );
    for (const args of [['verify'], ['list'], ['prune', '--dry-run'], ['status']])
      expect((await cli(args, { cwd: dir, env })).status, args.join(' ')).toBe(0);
    expect((await cli(['backup', '--bogus'], { cwd: dir, env })).status).toBe(2);
    expect(
      (
        await cli(
          [
            'restore',
            'gone.db.gz',
            '--database-url',
            'file:app.db',
            '--yes',
            '--log-file',
            'other.log',
          ],
          { cwd: dir, env },
        )
      ).status,
    ).toBe(2);
    const log = lines(env.BACKUP_LOG_FILE);
    for (const command of ['backup', 'verify', 'list', 'prune', 'status'])
      expect(
        log.some((l) => l.includes(` INFO ${command}[`)),
        command,
      ).toBe(true);
    expect(log).toContainEqual(
      expect.stringMatching(
        / ERROR backup\[\d+\]: failed \(exit 2\): Unknown option --bogus for backup/,
      ),
    );
    // The flag wins over the environment.
    expect(lines(path.join(dir, 'other.log')).at(-1)).toMatch(
      / ERROR restore\[\d+\]: failed \(exit 2\): No backup "gone\.db\.gz"/,
    );
  });

  test('never a secret: passphrase, database password, webhook token', async () => {
    const dir = project();
    const file = path.join(dir, 'backup.log');
    const ok = await cli(['backup', '--database-url', 'file:app.db', '--log-file', file], {
      cwd: dir,
      env: { BACKUP_PASSPHRASE: PASSPHRASE, NOTIFY_URL: `http://127.0.0.1:9/hook/${TOKEN}` },
    });
    expect(ok.status, ok.stderr).toBe(0);
    const failed = await cli(
      ['backup', '--log-file', file, '--notify-url', `http://127.0.0.1:9/hook/${TOKEN}`],
      {
        cwd: dir,
        env: {
          DATABASE_URL: `postgres://app:${PG_PASSWORD}@127.0.0.1:9/app?connect_timeout=2`,
          PATH: process.env.PATH,
        },
      },
    );
    expect(failed.status).not.toBe(0);
    const log = fs.readFileSync(file, 'utf8');
    expect(log).toMatch(
      / WARN backup\[\d+\]: the generic notification to http:\/\/127\.0\.0\.1:9\/… failed/,
    );
    expect(log).toMatch(/ ERROR backup\[\d+\]: failed \(exit \d\): /);
    for (const text of [log, ok.stdout, ok.stderr, failed.stdout, failed.stderr]) {
      expect(text).not.toContain(PASSPHRASE);
      expect(text).not.toContain(PG_PASSWORD);
      expect(text).not.toContain(TOKEN);
    }
  });

  test('a log that cannot be written is said once and never fails the backup', async () => {
    const dir = project();
    // /dev/full opens, and every write fails with ENOSPC: a full disk.
    const full = await cli(['backup', '--database-url', 'file:app.db', '--log-file', '/dev/full'], {
      cwd: dir,
    });
    expect(full.status, full.stderr).toBe(0);
    const warnings = full.stderr.split('\n').filter((l) => l.includes('log file'));
    expect(warnings).toEqual([
      expect.stringMatching(
        /^warning: cannot write the log file \/dev\/full \(ENOSPC.*\); the job goes on without it\.$/,
      ),
    ]);
    // A directory in the way: it cannot even be opened.
    fs.writeFileSync(path.join(dir, 'not-a-dir'), '');
    const blocked = await cli(
      ['backup', '--database-url', 'file:app.db', '--log-file', 'not-a-dir/backup.log'],
      { cwd: dir },
    );
    expect(blocked.status).toBe(0);
    expect(blocked.stderr.match(/cannot write the log file/g)).toHaveLength(1);
    expect(fs.readdirSync(path.join(dir, 'backups')).filter((n) => n.endsWith('.gz'))).toHaveLength(
      2,
    );
  });

  test('a multi-line message stays one line', async () => {
    const dir = project();
    const file = path.join(dir, 'backup.log');
    const sql = path.join(dir, 'checks.sql');
    fs.writeFileSync(sql, 'select\n  count(*) > 1000\nfrom users;');
    expect((await cli(['backup', '--database-url', 'file:app.db'], { cwd: dir })).status).toBe(0);
    const run = await cli(['verify', '--verify-sql', sql, '--log-file', file], { cwd: dir });
    expect(run.status).toBe(1);
    const log = lines(file);
    for (const line of log) expect(line).toMatch(LINE);
    expect(log.at(-1)).toMatch(
      / ERROR verify\[\d+\]: failed \(exit 1\): .*check failed: select\\n {2}count/,
    );
  });

  test('the bundled CLI writes it too', () => {
    const dir = project();
    const run = bundledCli(
      ['backup', '--database-url', 'file:app.db', '--log-file', 'logs/backup.log'],
      {
        cwd: dir,
      },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(lines(path.join(dir, 'logs/backup.log')).at(-1)).toMatch(
      / INFO backup\[\d+\]: finished \(exit 0\)$/,
    );
  });
});
