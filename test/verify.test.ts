import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cli } from './support/cli.js';
import { SAMPLE_SCHEMA, startPostgres, type PgServer } from './support/postgres.js';
import { createSampleDatabase } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

const env = { PATH: process.env.PATH };

function editManifest(
  file: string,
  edit: (manifest: { tables: { name: string; rows: number }[] }) => void,
): void {
  const manifest = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8'));
  edit(manifest);
  fs.writeFileSync(`${file}.json`, JSON.stringify(manifest));
}

async function sqliteBackup(): Promise<{ dir: string; file: string }> {
  const dir = tempDir('verify');
  createSampleDatabase(path.join(dir, 'app.db'), { rows: 30 });
  expect((await cli(['backup', '--database-url', 'file:app.db'], { cwd: dir, env })).status).toBe(
    0,
  );
  const name = fs.readdirSync(path.join(dir, 'backups')).find((n) => n.endsWith('.db.gz'))!;
  return { dir, file: path.join(dir, 'backups', name) };
}

describe('verify, SQLite', () => {
  test("a good backup passes the full check, with a per-table table and the user's own queries", async () => {
    const { dir } = await sqliteBackup();
    fs.writeFileSync(
      path.join(dir, 'checks.sql'),
      '-- our promises\nselect count(*) > 0 from users;\nselect count(*) = 30 from orders;\n',
    );
    const run = await cli(['verify', 'latest', '--verify-sql', 'checks.sql'], { cwd: dir, env });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^VERIFIED: sqlite_backup_\S+ \(full check/);
    expect(run.stdout).toMatch(/users\s+30\s+30\s+ok/);
    expect(run.stdout).toMatch(/select count\(\*\) = 30 from orders\s+1\s+ok/);
    const quick = await cli(['verify', 'latest', '--quick', '--json'], { cwd: dir, env });
    expect(quick.status).toBe(0);
    expect(JSON.parse(quick.stdout)).toMatchObject({
      level: 'quick',
      verified: true,
      checksum: 'ok',
      tables: [],
    });
  });

  test('altered manifest counts fail, naming the table', async () => {
    const { dir, file } = await sqliteBackup();
    editManifest(file, (m) => {
      m.tables.find((t) => t.name === 'users')!.rows = 31;
    });
    const run = await cli(['verify', 'latest', '--json'], { cwd: dir, env });
    expect(run.status).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.verified).toBe(false);
    // The checksum still matches: only the counts disagree.
    expect(result.tables).toContainEqual({
      name: 'users',
      expected: 31,
      restored: 30,
      status: 'row count differs',
    });
  });

  test('a backup missing a table fails, and so does one with a table the manifest does not list', async () => {
    const { dir, file } = await sqliteBackup();
    editManifest(file, (m) => {
      m.tables.push({ name: 'invoices', rows: 5 });
      m.tables = m.tables.filter((t) => t.name !== 'orders');
    });
    const run = await cli(['verify', 'latest', '--json'], { cwd: dir, env });
    expect(run.status).toBe(1);
    const { tables } = JSON.parse(run.stdout);
    expect(tables).toContainEqual({ name: 'invoices', expected: 5, status: 'missing' });
    expect(tables).toContainEqual({ name: 'orders', restored: 30, status: 'not in manifest' });
  });

  test('a truncated file fails the quick and the full check', async () => {
    const { dir, file } = await sqliteBackup();
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(path.join(dir, 'cut.db.gz'), bytes.subarray(0, bytes.length - 100));
    for (const args of [['--quick'], []]) {
      const run = await cli(['verify', 'cut.db.gz', ...args], { cwd: dir, env });
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(/^FAILED/);
      expect(run.stdout).toMatch(/truncated/);
      expect(run.stdout).toMatch(/warning: no manifest/);
    }
    // Changed behind the manifest's back: the checksum catches it.
    fs.appendFileSync(file, 'x');
    const changed = await cli(['verify', 'latest', '--quick'], { cwd: dir, env });
    expect(changed.status).toBe(1);
    expect(changed.stdout).toMatch(/does not match the sha256/);
  });

  test('a failing user query fails the verification', async () => {
    const { dir } = await sqliteBackup();
    const run = await cli(
      ['verify', 'latest', '--verify-sql', 'select count(*) > 1000 from users'],
      { cwd: dir, env },
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/select count\(\*\) > 1000 from users\s+0\s+FAILED/);
  });

  test('--jobs is refused for a SQLite backup with one line (exit 2), and nothing is recorded', async () => {
    const { dir } = await sqliteBackup();
    const before = fs.readdirSync(path.join(dir, 'backups')).sort();
    for (const args of [
      ['verify', 'latest', '--jobs', '2'],
      ['verify', 'latest', '--jobs', '2', '--database-url', 'file:app.db'],
    ]) {
      const run = await cli(args, { cwd: dir, env });
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/jobs applies to PostgreSQL .*SQLite.*remove it/);
    }
    expect(fs.readdirSync(path.join(dir, 'backups')).sort()).toEqual(before);
  });

  test('verify never writes to the database in DATABASE_URL', async () => {
    const { dir } = await sqliteBackup();
    const db = path.join(dir, 'app.db');
    const before = fs.readFileSync(db);
    const mtime = fs.statSync(db).mtimeMs;
    expect(
      (await cli(['verify', 'latest', '--database-url', 'file:app.db'], { cwd: dir, env })).status,
    ).toBe(0);
    expect(fs.readFileSync(db)).toEqual(before);
    expect(fs.statSync(db).mtimeMs).toBe(mtime);
  });
});

describe('verify, PostgreSQL', () => {
  let server: PgServer;

  beforeAll(async () => {
    server = await startPostgres();
    await server.createDatabase('app', SAMPLE_SCHEMA);
  });

  afterAll(async () => {
    await server?.stop();
  });

  async function pgBackup(): Promise<{ dir: string; file: string }> {
    const dir = tempDir('verify-pg');
    expect(
      (await cli(['backup', '--database-url', server.url('app')], { cwd: dir, env })).status,
    ).toBe(0);
    const name = fs.readdirSync(path.join(dir, 'backups')).find((n) => n.endsWith('.sql.gz'))!;
    return { dir, file: path.join(dir, 'backups', name) };
  }

  const temporaryDatabases = async (): Promise<string[]> =>
    (await server.databases()).filter((d) => d.startsWith('db_backup_'));

  test('restores into a temporary database on the scratch server, compares, and drops it', async () => {
    const { dir } = await pgBackup();
    const run = await cli(
      [
        'verify',
        'latest',
        '--database-url',
        server.url('app'),
        '--verify-database-url',
        server.url('postgres'),
        '--verify-sql',
        'select count(*) = 500 from orders',
      ],
      { cwd: dir, env },
    );
    expect(run.status, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toMatch(/public\.customers\s+200\s+200\s+ok/);
    expect(run.stderr).toMatch(/Created the temporary database db_backup_verify_[0-9a-f]{8}/);
    expect(await temporaryDatabases()).toEqual([]);
  });

  test('a failed verify (altered counts, missing table) fails and still drops the temporary database', async () => {
    const { dir, file } = await pgBackup();
    editManifest(file, (m) => {
      m.tables.find((t) => t.name === 'public.orders')!.rows = 499;
      m.tables.push({ name: 'public.invoices', rows: 3 });
    });
    const run = await cli(
      ['verify', 'latest', '--verify-database-url', server.url('postgres'), '--json'],
      { cwd: dir, env },
    );
    expect(run.status).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.tables).toContainEqual({
      name: 'public.orders',
      expected: 499,
      restored: 500,
      status: 'row count differs',
    });
    expect(result.tables).toContainEqual({
      name: 'public.invoices',
      expected: 3,
      status: 'missing',
    });
    expect(await temporaryDatabases()).toEqual([]);
  });

  test('a backup whose SQL fails to restore fails verification and leaves no temporary database', async () => {
    const { dir, file } = await pgBackup();
    const zlib = await import('node:zlib');
    const broken = path.join(dir, 'broken.sql.gz');
    fs.writeFileSync(
      broken,
      zlib.gzipSync(
        `${zlib.gunzipSync(fs.readFileSync(file)).toString()}\nSELECT no_such_function();\n`,
      ),
    );
    const run = await cli(['verify', broken, '--verify-database-url', server.url('postgres')], {
      cwd: dir,
      env,
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/no_such_function/);
    expect(await temporaryDatabases()).toEqual([]);
  });

  test('without a scratch server it says what to give', async () => {
    const { dir } = await pgBackup();
    const run = await cli(['verify', 'latest', '--database-url', server.url('app')], {
      cwd: dir,
      env,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/verify-database-url/);
  });
});
