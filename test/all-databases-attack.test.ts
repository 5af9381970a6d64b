import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cli } from './support/cli.js';
import { startPostgres, type PgServer } from './support/postgres.js';
import { tempDir } from './support/tmp.js';

let server: PgServer;

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
