import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseConfig } from '../src/config/config.js';
import { settingsFromInputs } from '../src/config/settings.js';
import { notificationOf } from '../src/report/notification.js';
import { actionOutputs } from '../src/report/outputs.js';
import { renderSummary } from '../src/report/summary.js';
import { cli } from './support/cli.js';
import { startPostgres, type PgServer } from './support/postgres.js';
import { createSampleDatabase } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

let server: PgServer;
/** A role that is no superuser: CONNECT and SELECT are what it is granted, no more. */
const ROLE = 'backer';
const ROLE_PASSWORD = 'backer-password-42';

const TABLES: Record<string, number> = { app: 5, billing_eu: 3, crm: 4 };

beforeAll(async () => {
  server = await startPostgres();
  await server.query('postgres', `CREATE ROLE ${ROLE} LOGIN PASSWORD '${ROLE_PASSWORD}'`);
  for (const [name, rows] of Object.entries(TABLES)) {
    await server.createDatabase(
      name,
      `CREATE TABLE items (id int PRIMARY KEY, label text);
       INSERT INTO items SELECT i, '${name} ' || i FROM generate_series(1, ${rows}) AS i;
       GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${ROLE};`,
    );
  }
  // Left out: a template, a database that takes no connections, one closed to the role.
  await server.query('postgres', 'CREATE DATABASE shape IS_TEMPLATE true');
  await server.query('postgres', 'CREATE DATABASE closed ALLOW_CONNECTIONS false');
  await server.createDatabase('secret', 'CREATE TABLE keys (id int)');
  await server.query('postgres', 'REVOKE CONNECT ON DATABASE secret FROM PUBLIC');
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

function roleUrl(database: string): string {
  return `postgres://${ROLE}:${ROLE_PASSWORD}@${server.host}:${server.port}/${database}`;
}

const base = Date.now() - 24 * 3_600_000;
const at = (minutes: number) => () => new Date(base + minutes * 60_000);

function backupsIn(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((n) => n.startsWith('postgres_') && !n.endsWith('.json'))
    .sort();
}

interface Outcome {
  database: string;
  ok: boolean;
  error?: string;
  backup?: { name: string; pruned: string[]; targets: { stored: boolean }[] };
}

describe('--all-databases', () => {
  test('backs up every database the role may connect to, each with its own window; a failing one fails the run, not the others', async () => {
    const dir = tempDir('all-databases');
    const backups = path.join(dir, 'backups');
    const run = (minute: number, args: string[] = []) =>
      cli(['backup', '--all-databases', '--json', ...args], {
        cwd: dir,
        env: { PATH: process.env.PATH, DATABASE_URL: roleUrl('postgres'), MAX_BACKUPS: '1' },
        now: at(minute),
      });

    const first = await run(1);
    expect(first.status, first.stderr).toBe(0);
    const made = JSON.parse(first.stdout);
    expect(made.server).toBe(`postgres://${ROLE}@${server.host}:${server.port}`);
    expect(made.databases.map((d: Outcome) => [d.database, d.ok])).toEqual([
      ['app', true],
      ['billing_eu', true],
      ['crm', true],
      ['postgres', true],
    ]);
    expect(made.skipped).toEqual([
      { database: 'secret', reason: `user "${ROLE}" has no CONNECT privilege on it` },
    ]);
    expect(first.stderr).toContain('Skipped the database secret');
    // Each database's name is in its file name (what a label cannot hold becomes a dash).
    const firstNames = backupsIn(backups);
    expect(firstNames.map((n) => n.replace(/_backup_.*$/, ''))).toEqual([
      'postgres_app',
      'postgres_billing-eu',
      'postgres_crm',
      'postgres_postgres',
    ]);
    for (const name of firstNames)
      expect(fs.existsSync(path.join(backups, `${name}.json`))).toBe(true);
    const manifest = JSON.parse(
      fs.readFileSync(path.join(backups, `${firstNames[1]}.json`), 'utf8'),
    );
    expect(manifest.identity).toEqual({
      engine: 'postgres',
      database: `${server.host}:${server.port}/billing_eu`,
    });
    expect(manifest.tables).toEqual([{ name: 'public.items', rows: 3 }]);

    // billing_eu gets a table the role may not read: its backup fails, the others go on.
    await server.query('billing_eu', 'CREATE TABLE private_notes (id int)');
    const second = await run(2);
    expect(second.status, second.stderr).toBe(1);
    expect(second.stderr).toMatch(
      /1 of 4 databases of postgres:\/\/backer@[^ ]+ failed: billing_eu \(/,
    );
    const result = JSON.parse(second.stdout);
    const byName = new Map<string, Outcome>(result.databases.map((d: Outcome) => [d.database, d]));
    expect(byName.get('billing_eu')).toMatchObject({ ok: false });
    expect(byName.get('billing_eu')!.error).toMatch(/private_notes/);
    expect(byName.get('billing_eu')!.backup).toBeUndefined();
    // The others were backed up, and their windows (MAX_BACKUPS=1) removed their first backups;
    // billing_eu keeps its only backup.
    const secondNames = backupsIn(backups);
    for (const database of ['app', 'crm', 'postgres']) {
      const outcome = byName.get(database)!;
      expect(outcome.ok).toBe(true);
      expect(secondNames).toContain(outcome.backup!.name);
      expect(outcome.backup!.pruned).toEqual([
        firstNames.find((n) => n.startsWith(`postgres_${database}_`)),
      ]);
    }
    expect(secondNames).toContain(firstNames[1]);
    expect(secondNames).toHaveLength(4);

    // The job summary has a row per database, the failure named; the outputs list each database.
    const summary = renderSummary(result);
    expect(summary).toContain('## Database backups: 3 of 4 databases');
    for (const database of ['app', 'crm', 'postgres'])
      expect(summary).toContain(`| \`${database}\` | \`${byName.get(database)!.backup!.name}\``);
    expect(summary).toMatch(/\| `billing_eu` \| — \| — \| ❌ .*private_notes/);
    const outputs = actionOutputs(result);
    expect(outputs['backup-name']).toBe('');
    const listed = JSON.parse(outputs.databases!);
    expect(listed.map((d: { database: string; ok: boolean }) => [d.database, d.ok])).toEqual([
      ['app', true],
      ['billing_eu', false],
      ['crm', true],
      ['postgres', true],
    ]);
    expect(listed[0].backupName).toBe(byName.get('app')!.backup!.name);
    expect(JSON.parse(outputs.pruned!)).toHaveLength(3);
    // A webhook hears of the failed database by name, and of the backups that were made.
    const notification = notificationOf(
      { result },
      { command: 'backup', durationMs: 1, runUrl: null, time: new Date(), warnings: [] },
    );
    expect(notification.event).toBe('failure');
    expect(notification.error).toMatch(/failed: billing_eu \(Permission denied/);
    expect(notification.backup).toBe(
      ['app', 'crm', 'postgres'].map((d) => byName.get(d)!.backup!.name).join(', '),
    );
    expect(notification.targets.map((t) => t.location)).toEqual(
      ['app', 'crm', 'postgres'].map((d) => `${backups} (database ${d})`),
    );

    // Afterwards each database is one database among others: list and restore latest are its own.
    const list = await cli(['list', '--database-url', server.url('crm'), '--json'], { cwd: dir });
    expect(list.status, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).backups.map((b: { name: string }) => b.name)).toEqual([
      byName.get('crm')!.backup!.name,
    ]);
    await server.query('app', 'DELETE FROM items WHERE id > 2');
    const restore = await cli(
      ['restore', 'latest', '--database-url', server.url('app'), '--yes', '--json'],
      { cwd: dir },
    );
    expect(restore.status, restore.stderr).toBe(0);
    expect(JSON.parse(restore.stdout).name).toBe(byName.get('app')!.backup!.name);
    expect(await server.query('app', 'SELECT count(*)::int AS n FROM items')).toEqual([{ n: 5 }]);
    const restoreBilling = await cli(
      ['restore', 'latest', '--database-url', server.url('billing_eu'), '--yes', '--json'],
      { cwd: dir },
    );
    expect(restoreBilling.status, restoreBilling.stderr).toBe(0);
    expect(JSON.parse(restoreBilling.stdout).name).toBe(firstNames[1]);
  }, 180_000);

  test('--databases backs up the ones named; a name that cannot be backed up refuses before anything runs', async () => {
    const dir = tempDir('some-databases');
    const env = { PATH: process.env.PATH, DATABASE_URL: roleUrl('postgres') };
    const some = await cli(['backup', '--databases', 'crm,app', '--json'], { cwd: dir, env });
    expect(some.status, some.stderr).toBe(0);
    const result = JSON.parse(some.stdout);
    expect(result.databases.map((d: Outcome) => d.database)).toEqual(['crm', 'app']);
    expect(some.stderr).not.toContain('Skipped');
    expect(backupsIn(path.join(dir, 'backups')).map((n) => n.replace(/_backup_.*$/, ''))).toEqual([
      'postgres_app',
      'postgres_crm',
    ]);

    for (const [name, problem] of [
      ['nope', 'does not exist'],
      ['secret', 'is closed to user "backer"'],
      ['shape', 'is a template'],
      ['closed', 'allows no connections'],
    ] as const) {
      const other = tempDir('refused-database');
      const refused = await cli(['backup', '--databases', `app,${name}`], { cwd: other, env });
      expect(refused.status, refused.stderr).toBe(2);
      expect(refused.stderr).toContain(`databases: "${name}" ${problem}`);
      expect(fs.existsSync(path.join(other, 'backups'))).toBe(false);
    }
  }, 120_000);

  test('combinations that make no sense are refused, nothing written', async () => {
    const dir = tempDir('all-databases-refusals');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 2 });
    const url = roleUrl('postgres');
    for (const [args, message] of [
      [
        ['backup', '--all-databases', '--database-url', 'file:app.db'],
        /all-databases applies to PostgreSQL databases only/,
      ],
      [['backup', '--all-databases', '--databases', 'app', '--database-url', url], /not both/],
      [
        ['backup', '--all-databases', '--name', 'shop', '--database-url', url],
        /name \(--name, BACKUP_NAME\) names one database/,
      ],
      [
        ['backup', '--databases', 'app', '--tables', 'public.items', '--database-url', url],
        /tables works on one database's tables/,
      ],
      [
        ['backup', '--all-databases', '--sanitize', 'rules.yml', '--database-url', url],
        /sanitize works on one database's tables/,
      ],
      [['restore', '--all-databases', '--database-url', url], /Unknown option --all-databases/],
      [['verify', '--databases', 'app'], /Unknown option --databases/],
    ] as const) {
      const refused = await cli(args, { cwd: dir, env: { PATH: process.env.PATH } });
      expect(refused.status, `${args.join(' ')}: ${refused.stderr}`).toBe(2);
      expect(refused.stderr).toMatch(message);
    }
    expect(fs.existsSync(path.join(dir, 'backups'))).toBe(false);
  });

  test("the action's inputs: restore, verify, list, prune and status refuse them", () => {
    for (const command of ['restore', 'verify', 'list', 'prune', 'status'] as const) {
      for (const given of [{ 'all-databases': 'true' }, { databases: 'app' }] as Record<
        string,
        string
      >[]) {
        const inputs: Record<string, string> = {
          command,
          'database-url': roleUrl('app'),
          ...given,
        };
        const { settings } = settingsFromInputs((name) => inputs[name] ?? '', {});
        expect(() => parseConfig(command, settings, tempDir('inputs'))).toThrow(
          `all-databases and databases work with backup only: ${command} one database at a time`,
        );
      }
    }
  });
});
