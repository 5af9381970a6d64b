import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cli, finished, startCli } from './support/cli.js';
import { startPostgres, TEST_PASSWORD, type PgServer } from './support/postgres.js';
import { runBundledAction } from './support/runner.js';
import { tempDir } from './support/tmp.js';

let server: PgServer;

/** A name the server accepts whole: a line break, and a workflow command after it. */
const FORGED = 'evil\n::error::forged annotation';

beforeAll(async () => {
  server = await startPostgres();
  for (const [name, rows] of [
    ['app', 5],
    ['big', 7],
    ['crm', 4],
  ] as const)
    await server.createDatabase(
      name,
      `CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items SELECT generate_series(1, ${rows});`,
    );
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

const backupsIn = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []);

describe('--databases refuses a list that does not say what it means', () => {
  test('a name twice, an empty item, or separators alone: exit 2, one line, nothing written', async () => {
    for (const [value, message] of [
      ['app,app', 'databases: "app" is named twice'],
      ['app,crm,APP,crm', 'databases: "crm" is named twice'],
      ['app,,crm', 'databases: an empty name between commas'],
      ['app,', 'databases: an empty name between commas'],
      ['app,\n,crm', 'databases: an empty name between commas'],
      [',', 'databases: an empty name between commas'],
      [' , ', 'databases: an empty name between commas'],
      ['   ', 'databases names no database'],
    ] as const) {
      const dir = tempDir('databases-list');
      const refused = await cli(['backup', '--databases', value], {
        cwd: dir,
        env: { PATH: process.env.PATH, DATABASE_URL: server.url('postgres') },
      });
      expect(refused.status, `${JSON.stringify(value)}: ${refused.stderr}`).toBe(2);
      expect(refused.stderr).toContain(message);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stdout).toBe('');
      expect(fs.existsSync(path.join(dir, 'backups')), value).toBe(false);
    }
  });

  test('spaces around names and a closing line break are only layout', async () => {
    const dir = tempDir('databases-layout');
    const run = await cli(['backup', '--databases', ' crm ,\n  app\n', '--json'], {
      cwd: dir,
      env: { PATH: process.env.PATH, DATABASE_URL: server.url('postgres') },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).databases.map((d: { database: string }) => d.database)).toEqual([
      'crm',
      'app',
    ]);
  });
});

describe('stopped by SIGTERM during the second database', () => {
  test('exit 143; the first database backed up and pruned, and the last line says so; the second keeps its old backup', async () => {
    const dir = tempDir('all-databases-sigterm');
    const backups = path.join(dir, 'backups');
    const env = { DATABASE_URL: server.url('postgres'), MAX_BACKUPS: '1' };
    const args = ['backup', '--databases', 'app,big,crm'];
    const first = await finished(startCli(args, { cwd: dir, env, fromSource: true }));
    expect(first.status, first.stderr).toBe(0);
    const before = backupsIn(backups);
    const oldApp = before.find((n) => n.startsWith('postgres_app_') && !n.endsWith('.json'))!;
    const oldBig = before.filter((n) => n.startsWith('postgres_big_'));
    expect(oldBig).toHaveLength(2);

    // A session that holds big's table keeps the second database's dump waiting on its lock.
    const holder = new pg.Client({
      host: server.host,
      port: server.port,
      user: 'postgres',
      password: TEST_PASSWORD,
      database: 'big',
    });
    await holder.connect();
    try {
      await holder.query('BEGIN; LOCK TABLE items IN ACCESS EXCLUSIVE MODE');
      const run = startCli(args, { cwd: dir, env, fromSource: true });
      const waiting = async (): Promise<boolean> =>
        (
          await server.query<{ n: number }>(
            'postgres',
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = 'big' AND wait_event_type = 'Lock'`,
          )
        )[0]!.n > 0;
      while (!(await waiting()) && run.child.exitCode === null)
        await new Promise((resolve) => setTimeout(resolve, 50));
      run.child.kill('SIGTERM');
      const stopped = await finished(run);
      expect(stopped.status, stopped.stderr).toBe(143);
      const after = backupsIn(backups);
      // app's new backup is whole and its window removed the old one; big keeps its backup; crm never ran.
      expect(after).not.toContain(oldApp);
      const newApp = after.find((n) => n.startsWith('postgres_app_') && !n.endsWith('.json'))!;
      expect(newApp).not.toBe(oldApp);
      expect(after).toContain(`${newApp}.json`);
      expect(after.filter((n) => n.startsWith('postgres_big_'))).toEqual(oldBig);
      expect(after.filter((n) => n.startsWith('postgres_crm_'))).toEqual(
        before.filter((n) => n.startsWith('postgres_crm_')),
      );
      expect(after.filter((n) => !n.startsWith('postgres_'))).toEqual([]);
      // The last word is true: something was pruned, and it says what was finished.
      const last = stopped.stderr.trim().split('\n').at(-1)!;
      expect(last).not.toContain('nothing was pruned');
      expect(last).toBe(
        `db-backup: stopped by SIGTERM; temporary files removed. Finished before it: app (${newApp}), stored and pruned by its own window; nothing else was pruned.`,
      );
    } finally {
      await holder.end();
    }
  }, 120_000);
});

describe('a database name is data, not layout', () => {
  test('a line break or a backtick in a name forges no line in the action log and breaks no summary row', async () => {
    await server.createDatabase(FORGED);
    await server.createDatabase('back`tick');
    try {
      const dir = tempDir('all-databases-forged');
      const run = runBundledAction(
        {
          command: 'backup',
          'database-url': server.url('postgres'),
          'all-databases': 'true',
        },
        { cwd: dir, fromSource: true },
      );
      expect(run.status, run.stdout).toBe(0);
      const lines = run.stdout.split('\n');
      expect(lines.filter((line) => line.startsWith('::error::'))).toEqual([]);
      expect(run.stdout).toContain('"evil\\n::error::forged annotation"');
      // Every line of the table is a row of it.
      const summary = run.summary.split('\n');
      const header = summary.findIndex((line) => line.startsWith('| Database |'));
      const end = summary.findIndex((line, i) => i > header && !line.startsWith('|'));
      expect(summary.slice(header, end)).toHaveLength(2 + 6);
      expect(run.summary).toContain('| ``back`tick`` |');
      expect(run.summary).toContain('<summary>"evil\\n::error::forged annotation"</summary>');
      const listed = JSON.parse(run.outputs.databases!) as { database: string }[];
      expect(listed.map((d) => d.database)).toContain(FORGED);
    } finally {
      await server.dropDatabase(FORGED);
      await server.dropDatabase('back`tick');
    }
  }, 120_000);
});
