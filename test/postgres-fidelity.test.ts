import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cli, REPO_ROOT } from './support/cli.js';
import { startPostgres, type PgServer } from './support/postgres.js';
import { tempDir } from './support/tmp.js';

/**
 * A restore with default options gives back the database pg_dump sees: the
 * fixture (test/fixtures/fidelity, see its README) is backed up, restored
 * into a new database, and both are dumped with pg_dump and compared line
 * for line, owners, grants, policies, partitions and data included.
 */

let server: PgServer;
const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/fidelity/rental-store.sql');

/**
 * pg_dump of a database, without the random key of its \restrict and
 * \unrestrict lines. The rows of the hash-on-enum partitions are left out:
 * a restore assigns enum OIDs anew, so rows land in other partitions (as with
 * any pg_dump | psql); their tree is compared as a whole instead.
 */
function pgDump(database: string): string {
  const result = spawnSync(
    'pg_dump',
    ['--no-password', '--exclude-table-data=store.inventory_*', '-d', database],
    {
      encoding: 'utf8',
      env: server.libpqEnv(),
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.replace(/^\\(un)?restrict \S+$/gm, '\\$1restrict KEY');
}

beforeAll(async () => {
  server = await startPostgres();
  await server.query(
    'postgres',
    'CREATE ROLE rs_owner NOLOGIN; CREATE ROLE rs_staff NOLOGIN; CREATE ROLE rs_reader NOLOGIN; CREATE ROLE rs_auditor NOLOGIN;',
  );
  await server.query('postgres', 'CREATE DATABASE rental');
  const load = spawnSync(
    'psql',
    ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'rental', '-f', FIXTURE],
    { encoding: 'utf8', env: server.libpqEnv() },
  );
  expect(load.status, load.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('fidelity on a schema with every kind of object', () => {
  test('backup with default options, restore into a new database: pg_dump of both is the same', async () => {
    const dir = tempDir('fidelity');
    const backup = await cli(['backup', '--database-url', server.url('rental'), '--json'], {
      cwd: dir,
      env: { PATH: process.env.PATH },
    });
    expect(backup.status, backup.stderr).toBe(0);
    expect(backup.stderr).not.toMatch(/did not expect/);
    const { name, manifest } = JSON.parse(backup.stdout);
    expect(manifest.tables).toEqual(
      expect.arrayContaining([
        { name: 'store.film', rows: 120 },
        { name: 'store.inventory', rows: 200 },
        { name: 'store.rental_2025', rows: expect.any(Number) },
        { name: 'store.rental_2026_small', rows: expect.any(Number) },
        { name: 'audit.events', rows: 150 },
      ]),
    );
    expect(
      (manifest.tables as { name: string; rows: number }[])
        .filter((t) => t.name.startsWith('store.rental_'))
        .reduce((sum, t) => sum + t.rows, 0),
    ).toBe(300);

    const verify = await cli(['verify', name, '--verify-database-url', server.url('postgres')], {
      cwd: dir,
      env: { PATH: process.env.PATH },
    });
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);

    const restore = await cli(
      ['restore', name, '--database-url', server.url('rental_copy'), '--create-database'],
      { cwd: dir, env: { PATH: process.env.PATH } },
    );
    expect(restore.status, restore.stderr).toBe(0);
    const original = pgDump('rental');
    expect(original).toContain('ALTER TABLE store.film OWNER TO rs_owner;');
    expect(original).toContain('CREATE POLICY own_notes ON store.staff_notes');
    expect(original).toContain('GRANT SELECT(note_id) ON TABLE store.staff_notes TO rs_staff;');
    expect(pgDump('rental_copy')).toBe(original);
    const inventory = 'SELECT * FROM store.inventory ORDER BY inventory_id';
    expect(await server.query('rental_copy', inventory)).toEqual(
      await server.query('rental', inventory),
    );
  });
});
