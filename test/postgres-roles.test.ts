import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROLES_BLOCK_END, rolesBlock } from '../src/engines/postgres/roles-block.js';
import { cli } from './support/cli.js';
import { snapshotRows, startPostgres, TEST_PASSWORD, type PgServer } from './support/postgres.js';
import { tempDir } from './support/tmp.js';

let source: PgServer;
let fresh: PgServer;
let existing: PgServer;

const ROLES = `
  CREATE ROLE app_owner LOGIN PASSWORD 'owner-secret-pw' CREATEDB CONNECTION LIMIT 7 VALID UNTIL '2031-01-01';
  CREATE ROLE readers NOLOGIN;
  CREATE ROLE "Odd ""Role""" NOLOGIN;
  CREATE ROLE app_user LOGIN PASSWORD 'user-secret-pw' IN ROLE readers;
  GRANT readers TO "Odd ""Role""";
  COMMENT ON ROLE app_owner IS 'owns it''s objects';
  ALTER ROLE app_user SET statement_timeout = '5s';
`;

const SCHEMA = `
  CREATE SCHEMA app AUTHORIZATION app_owner;
  CREATE TABLE app.items (id int PRIMARY KEY, name text);
  ALTER TABLE app.items OWNER TO app_owner;
  INSERT INTO app.items VALUES (1, 'one'), (2, 'two');
  GRANT USAGE ON SCHEMA app TO readers;
  GRANT SELECT ON app.items TO readers;
  GRANT INSERT ON app.items TO "Odd ""Role""";
`;

beforeAll(async () => {
  [source, fresh, existing] = await Promise.all([
    startPostgres(),
    startPostgres(),
    startPostgres(),
  ]);
  await source.query('postgres', ROLES);
  await source.createDatabase('shop', SCHEMA);
  // A server where one of the roles exists, differently: it must stay as it is.
  await existing.query(
    'postgres',
    `CREATE ROLE app_owner NOLOGIN CONNECTION LIMIT 1; COMMENT ON ROLE app_owner IS 'theirs';`,
  );
}, 180_000);

afterAll(async () => {
  await Promise.all([source?.stop(), fresh?.stop(), existing?.stop()]);
});

type RoleRow = Record<string, unknown>;

async function role(server: PgServer, name: string): Promise<RoleRow | undefined> {
  const [row] = await server.query(
    'postgres',
    `SELECT r.rolname, r.rolcanlogin, r.rolcreatedb, r.rolsuper, r.rolconnlimit, r.rolvaliduntil::text AS valid,
            r.rolconfig, a.rolpassword IS NULL AS no_password,
            pg_catalog.shobj_description(r.oid, 'pg_authid') AS comment,
            ARRAY(SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid ORDER BY 1)::text[] AS member_of
     FROM pg_roles r JOIN pg_authid a ON a.oid = r.oid WHERE r.rolname = $1`,
    [name],
  );
  return row;
}

async function backupWithRoles(
  dir: string,
): Promise<{ name: string; manifest: Record<string, unknown>; stderr: string }> {
  const run = await cli(
    ['backup', '--database-url', source.url('shop'), '--include-roles', '--json'],
    {
      cwd: dir,
      env: { PATH: process.env.PATH },
    },
  );
  expect(run.status, run.stderr).toBe(0);
  const result = JSON.parse(run.stdout);
  return { name: result.name, manifest: result.manifest, stderr: run.stderr };
}

describe('include-roles', () => {
  test('the manifest names the roles, the file holds no password, and the bootstrap superuser is not carried', async () => {
    const dir = tempDir('roles-manifest');
    const { name, manifest } = await backupWithRoles(dir);
    expect(manifest.roles).toEqual({
      tool: expect.stringMatching(/^pg_dumpall \d+/),
      names: ['Odd "Role"', 'app_owner', 'app_user', 'readers'],
    });
    const text = spawnSync('sh', ['-c', 'gunzip -c "$1"', 'sh', path.join(dir, 'backups', name)], {
      encoding: 'utf8',
    }).stdout;
    expect(text.startsWith('--\n-- db-backup: cluster roles')).toBe(true);
    expect(text).not.toMatch(/secret-pw|SCRAM-SHA-256|md5[0-9a-f]{32}/);
    expect(text).not.toContain(TEST_PASSWORD);
    expect(text).not.toMatch(/CREATE ROLE postgres/);
    expect(text).toContain('-- PostgreSQL database dump complete');
  });

  test('a restore onto a fresh server creates the roles with their attributes, memberships and settings, then owners and grants', async () => {
    const dir = tempDir('roles-fresh');
    const { name } = await backupWithRoles(dir);
    const restore = await cli(
      ['restore', name, '--database-url', fresh.url('shop'), '--create-database'],
      { cwd: dir, env: { PATH: process.env.PATH } },
    );
    expect(restore.status, restore.stderr).toBe(0);
    expect(await role(fresh, 'app_owner')).toMatchObject({
      rolcanlogin: true,
      rolcreatedb: true,
      rolsuper: false,
      rolconnlimit: 7,
      valid: expect.stringMatching(/^2031-01-01/),
      no_password: true,
      comment: "owns it's objects",
    });
    expect(await role(fresh, 'app_user')).toMatchObject({
      rolcanlogin: true,
      rolconfig: ['statement_timeout=5s'],
      member_of: ['readers'],
    });
    expect(await role(fresh, 'Odd "Role"')).toMatchObject({ member_of: ['readers'] });
    const ownership = (server: PgServer): Promise<Record<string, unknown>[]> =>
      server.query(
        'shop',
        "SELECT c.relname, pg_get_userbyid(c.relowner) AS owner, c.relacl::text AS acl FROM pg_class c WHERE c.relnamespace = 'app'::regnamespace ORDER BY 1",
      );
    const owned = await ownership(fresh);
    expect(owned.find((row) => row.relname === 'items')).toMatchObject({ owner: 'app_owner' });
    expect(String(owned.find((row) => row.relname === 'items')?.acl)).toMatch(
      /readers=r\/app_owner/,
    );
    expect(owned).toEqual(await ownership(source));
    expect(await snapshotRows(fresh, 'shop')).toEqual(await snapshotRows(source, 'shop'));
  });

  test('a role that exists with other attributes is left exactly as it is; the missing ones are created', async () => {
    const dir = tempDir('roles-existing');
    const { name } = await backupWithRoles(dir);
    const before = await role(existing, 'app_owner');
    const restore = await cli(
      ['restore', name, '--database-url', existing.url('shop'), '--create-database'],
      { cwd: dir, env: { PATH: process.env.PATH } },
    );
    expect(restore.status, restore.stderr).toBe(0);
    expect(await role(existing, 'app_owner')).toEqual(before);
    expect(before).toMatchObject({ rolcanlogin: false, rolconnlimit: 1, comment: 'theirs' });
    expect(await role(existing, 'readers')).toBeDefined();
    expect(await role(existing, 'app_user')).toMatchObject({ member_of: ['readers'] });
  });

  test('gunzip -c | psql --single-transaction runs it by hand on a fresh server', async () => {
    const dir = tempDir('roles-hand');
    const { name } = await backupWithRoles(dir);
    const target = await startPostgres();
    try {
      await target.query('postgres', 'CREATE DATABASE byhand');
      const result = spawnSync(
        'sh',
        [
          '-c',
          'gunzip -c "$FILE" | psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d byhand >/dev/null',
        ],
        {
          encoding: 'utf8',
          env: {
            ...process.env,
            ...target.libpqEnv(),
            FILE: path.join(dir, 'backups', name),
          },
        },
      );
      expect(result.status, result.stderr).toBe(0);
      expect(await role(target, 'app_user')).toMatchObject({ member_of: ['readers'] });
      expect(await snapshotRows(target, 'byhand')).toEqual(await snapshotRows(source, 'shop'));
    } finally {
      await target.stop();
    }
  });

  test('the roles block runs by hand for a CREATEROLE administrator that is not a superuser (a managed service)', async () => {
    const dir = tempDir('roles-managed');
    const { name } = await backupWithRoles(dir);
    const text = spawnSync('sh', ['-c', 'gunzip -c "$1"', 'sh', path.join(dir, 'backups', name)], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    }).stdout;
    const block = text.slice(0, text.indexOf(ROLES_BLOCK_END));
    const target = await startPostgres();
    try {
      await target.query(
        'postgres',
        "CREATE ROLE admin LOGIN CREATEROLE CREATEDB PASSWORD 'admin-pw'",
      );
      const result = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'postgres'], {
        input: block,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          PGHOST: target.host,
          PGPORT: String(target.port),
          PGUSER: 'admin',
          PGPASSWORD: 'admin-pw',
        },
      });
      expect(result.status, result.stderr).toBe(0);
      expect(await role(target, 'app_owner')).toMatchObject({
        rolcanlogin: true,
        rolcreatedb: true,
        rolsuper: false,
        rolconnlimit: 7,
        valid: expect.stringMatching(/^2031-01-01/),
        comment: "owns it's objects",
      });
      expect(await role(target, 'readers')).toMatchObject({ rolcanlogin: false });
      expect(await role(target, 'app_user')).toMatchObject({
        rolcanlogin: true,
        rolconfig: ['statement_timeout=5s'],
        member_of: ['readers'],
      });
    } finally {
      await target.stop();
    }
  });

  test('a pg_dumpall that is cut short fails the backup and keeps nothing', async () => {
    const dir = tempDir('roles-cut');
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    const real = spawnSync('sh', ['-c', 'command -v pg_dumpall'], {
      encoding: 'utf8',
    }).stdout.trim();
    const realDump = spawnSync('sh', ['-c', 'command -v pg_dump'], {
      encoding: 'utf8',
    }).stdout.trim();
    fs.writeFileSync(
      path.join(bin, 'pg_dumpall'),
      `#!/bin/sh\nif [ "$1" = "--version" ]; then exec "${real}" --version; fi\n"${real}" "$@" | head -c 600; exit 0\n`,
      { mode: 0o755 },
    );
    fs.writeFileSync(path.join(bin, 'pg_dump'), `#!/bin/sh\nexec "${realDump}" "$@"\n`, {
      mode: 0o755,
    });
    const run = await cli(
      [
        'backup',
        '--database-url',
        source.url('shop'),
        '--include-roles',
        '--pg-dump-path',
        path.join(bin, 'pg_dump'),
      ],
      { cwd: dir, env: { PATH: process.env.PATH } },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/pg_dumpall --roles-only did not end with its closing comment/);
    expect(fs.readdirSync(path.join(dir, 'backups')).filter((n) => !n.startsWith('.'))).toEqual([]);
  });
});

describe('the roles block (pure)', () => {
  const DUMPALL = [
    '--',
    '-- PostgreSQL database cluster dump',
    '--',
    '',
    '\\restrict abc',
    '',
    'SET default_transaction_read_only = off;',
    "SET client_encoding = 'UTF8';",
    'CREATE ROLE boot;',
    'ALTER ROLE boot WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS;',
    'CREATE ROLE "to";',
    'ALTER ROLE "to" WITH NOLOGIN;',
    'COMMENT ON ROLE "to" IS \'multi',
    "line; with ; semicolons and $q$ and $db_backup_roles$';",
    'GRANT boot TO "to" GRANTED BY boot;',
    'GRANT "to" TO boot GRANTED BY boot;',
    'GRANT SET ON PARAMETER work_mem TO "to";',
    'REVOKE ALL ON PARAMETER work_mem FROM PUBLIC;',
    '\\unrestrict abc',
    '',
    '--',
    '-- PostgreSQL database cluster dump complete',
    '--',
    '',
  ].join('\n');

  test('creates only missing roles, never the bootstrap superuser, and quotes whatever the text holds', () => {
    const block = rolesBlock(DUMPALL, 'boot', 'pg_dumpall 15');
    expect(block.names).toEqual(['to']);
    expect(block.skipped).toEqual(['REVOKE ALL ON PARAMETER work_mem FROM PUBLIC']);
    expect(block.sql).not.toMatch(/CREATE ROLE boot|GRANT boot TO/);
    expect(block.sql).not.toContain('GRANTED BY');
    // Tags chosen so that no text closes its quote early.
    expect(block.sql).toMatch(/^DO \$db_backup_roles1\$$/m);
    expect(block.sql).toMatch(
      /EXECUTE \$q1\$COMMENT ON ROLE "to" IS 'multi\nline; with ; semicolons and \$q\$ and \$db_backup_roles\$'\$q1\$;/,
    );
  });

  test('names that end like a quote tag ($q, $db_backup_roles) are quoted so that psql runs the block', async () => {
    const names = ['x$q', '$db_backup_roles', 'q$', 'a$q1', '$'];
    const quoted = (name: string): string => `"${name.replace(/"/g, '""')}"`;
    const dumpall = [
      '--',
      '-- PostgreSQL database cluster dump',
      '--',
      '',
      ...names.flatMap((name) => [
        `CREATE ROLE ${quoted(name)};`,
        `ALTER ROLE ${quoted(name)} WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB NOLOGIN NOREPLICATION NOBYPASSRLS;`,
      ]),
      `GRANT ${quoted('x$q')} TO ${quoted('$db_backup_roles')} GRANTED BY boot;`,
      '',
      '--',
      '-- PostgreSQL database cluster dump complete',
      '--',
      '',
    ].join('\n');
    const block = rolesBlock(dumpall, 'boot', 'pg_dumpall 15');
    expect(block.names).toEqual(names);
    const result = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'postgres'], {
      input: block.sql,
      encoding: 'utf8',
      env: fresh.libpqEnv(),
    });
    expect(result.status, result.stderr).toBe(0);
    for (const name of names) expect(await role(fresh, name)).toMatchObject({ rolname: name });
    expect(await role(fresh, '$db_backup_roles')).toMatchObject({ member_of: ['x$q'] });
  });

  test('an output cut short is refused', () => {
    expect(() => rolesBlock(DUMPALL.slice(0, 200), 'boot', 'pg_dumpall 15')).toThrow(/cut short/);
  });
});

describe('a role that may not create databases', () => {
  test('a restore that makes a new database first refuses in one line (exit 2), and nothing appears', async () => {
    await source.query(
      'postgres',
      `CREATE ROLE no_createdb LOGIN PASSWORD 'nocreate-secret-pw' NOCREATEDB; GRANT CONNECT ON DATABASE shop TO no_createdb;`,
    );
    const dir = tempDir('roles-nocreatedb');
    const backup = await cli(['backup'], {
      cwd: dir,
      env: { PATH: process.env.PATH, DATABASE_URL: source.url('shop') },
    });
    expect(backup.status, backup.stderr).toBe(0);
    const as = (database: string): string => {
      const url = new URL(source.url(database));
      url.username = 'no_createdb';
      url.password = 'nocreate-secret-pw';
      return url.toString();
    };
    const [file] = fs.readdirSync(path.join(dir, 'backups')).filter((n) => n.endsWith('.sql.gz'));
    const run = await cli(['restore', path.join('backups', file!), '--create-database', '--yes'], {
      cwd: dir,
      env: { PATH: process.env.PATH, DATABASE_URL: as('shop_copy') },
    });
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr.trim().split('\n').at(-1)).toMatch(
      /^db-backup: The role in the database URL may not create databases, and this restore makes a new one first .*give the role CREATEDB, or restore in place into a database that exists, without those options\. Nothing was changed in "shop_copy"\.$/,
    );
    expect(run.stderr).not.toContain('nocreate-secret-pw');
    const databases = await source.query(
      'postgres',
      `SELECT datname FROM pg_database WHERE datname LIKE 'shop%' OR datname LIKE 'db_backup%' ORDER BY 1`,
    );
    expect(databases).toEqual([{ datname: 'shop' }]);

    // --drop-database into a database the role owns and can read: refused before the safety backup.
    await source.createDatabase(
      'nc_own',
      'CREATE TABLE kept (x int); INSERT INTO kept VALUES (1); ALTER TABLE kept OWNER TO no_createdb;',
    );
    await source.query('postgres', 'ALTER DATABASE nc_own OWNER TO no_createdb');
    const dropping = await cli(
      ['restore', path.join('backups', file!), '--drop-database', '--yes'],
      { cwd: dir, env: { PATH: process.env.PATH, DATABASE_URL: as('nc_own') } },
    );
    expect(dropping.status, dropping.stderr).toBe(2);
    expect(dropping.stderr.trim().split('\n').at(-1)).toMatch(
      /^db-backup: The role in the database URL may not create databases, .*Nothing was changed in "nc_own"\.$/,
    );
    expect(dropping.stderr).not.toMatch(/Safety backup|before overwriting/);
    expect(
      fs.readdirSync(path.join(dir, 'backups')).filter((n) => n.includes('before-restore')),
    ).toEqual([]);
    expect(await source.query('nc_own', 'SELECT x FROM kept')).toEqual([{ x: 1 }]);

    // verify --jobs 2 makes its scratch database through the restore: the scratch server's words, and no record.
    const custom = await cli(['backup', '--format', 'custom', '--backup-dir', 'custom'], {
      cwd: dir,
      env: { PATH: process.env.PATH, DATABASE_URL: source.url('shop') },
    });
    expect(custom.status, custom.stderr).toBe(0);
    const verify = await cli(['verify', 'latest', '--backup-dir', 'custom', '--jobs', '2'], {
      cwd: dir,
      env: { PATH: process.env.PATH, VERIFY_DATABASE_URL: as('postgres') },
    });
    expect(verify.status, verify.stderr).toBe(2);
    expect(verify.stderr).toMatch(
      /The role in the scratch server's URL may not create databases, and a test restore needs a database of its own/,
    );
    // The restore never made the scratch database, so nothing is said to be dropped.
    expect(verify.stderr).not.toMatch(/Dropped the temporary database/);
    expect(fs.readdirSync(path.join(dir, 'custom')).filter((n) => n.includes('.verif'))).toEqual(
      [],
    );
  });

  test('a role that has CREATEDB, refused for another reason, gets what the server said', async () => {
    await source.query(
      'postgres',
      `CREATE ROLE may_createdb LOGIN PASSWORD 'maycreate-secret-pw' CREATEDB; ALTER DATABASE template0 IS_TEMPLATE false;`,
    );
    try {
      const dir = tempDir('roles-template0');
      const backup = await cli(['backup'], {
        cwd: dir,
        env: { PATH: process.env.PATH, DATABASE_URL: source.url('shop') },
      });
      expect(backup.status, backup.stderr).toBe(0);
      const url = new URL(source.url('shop_other'));
      url.username = 'may_createdb';
      url.password = 'maycreate-secret-pw';
      const [file] = fs.readdirSync(path.join(dir, 'backups')).filter((n) => n.endsWith('.sql.gz'));
      const run = await cli(
        ['restore', path.join('backups', file!), '--create-database', '--yes'],
        {
          cwd: dir,
          env: { PATH: process.env.PATH, DATABASE_URL: url.toString() },
        },
      );
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(/permission denied to copy database "template0"/);
      expect(run.stderr).not.toMatch(/may not create databases/);
    } finally {
      await source.query('postgres', 'ALTER DATABASE template0 IS_TEMPLATE true');
    }
  });
});

describe('a role that may not replace the database it restores', () => {
  const MINE = `
    CREATE SCHEMA app AUTHORIZATION m4_owner;
    CREATE TABLE app.kept (x int);
    ALTER TABLE app.kept OWNER TO m4_owner;
    INSERT INTO app.kept VALUES (1);
  `;

  function as(user: string, database: string): string {
    const url = new URL(source.url(database));
    url.username = user;
    url.password = `${user}-secret-pw`;
    return url.toString();
  }

  /** Every file under `dir`, as paths relative to it. */
  function filesUnder(dir: string): string[] {
    return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' });
  }

  beforeAll(async () => {
    await source.query(
      'postgres',
      `CREATE ROLE m4_owner NOLOGIN;
       CREATE ROLE createdb_only LOGIN PASSWORD 'createdb_only-secret-pw' CREATEDB;
       CREATE ROLE owner_member LOGIN PASSWORD 'owner_member-secret-pw' CREATEDB INHERIT IN ROLE m4_owner;`,
    );
  });

  async function backupAndChange(database: string, dir: string): Promise<string> {
    await source.createDatabase(database, MINE);
    await source.query('postgres', `ALTER DATABASE ${database} OWNER TO m4_owner`);
    const backup = await cli(['backup'], {
      cwd: dir,
      env: { PATH: process.env.PATH, DATABASE_URL: source.url(database) },
    });
    expect(backup.status, backup.stderr).toBe(0);
    // A row the backup does not hold: there while the database is as it was.
    await source.query(database, 'INSERT INTO app.kept VALUES (2)');
    const [file] = fs.readdirSync(path.join(dir, 'backups')).filter((n) => n.endsWith('.sql.gz'));
    return path.join('backups', file!);
  }

  test('--drop-database by a CREATEDB role that does not own the target refuses in one line (exit 2) before the safety backup', async () => {
    const dir = tempDir('roles-not-owner');
    const file = await backupAndChange('m4', dir);
    // It may read everything and keeps no owners, so that without the check the safety backup and
    // the whole restore would run, and only the rename at the end would fail.
    await source.query(
      'm4',
      'GRANT USAGE ON SCHEMA app TO createdb_only; GRANT SELECT ON app.kept TO createdb_only;',
    );
    const run = await cli(['restore', file, '--drop-database', '--no-owner', '--yes'], {
      cwd: dir,
      env: { PATH: process.env.PATH, DATABASE_URL: as('createdb_only', 'm4') },
    });
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr.trim().split('\n').at(-1)).toBe(
      `db-backup: The role in the database URL does not own "m4" (its owner is "m4_owner"), and --drop-database replaces it by renaming and dropping it, which only the owner, a role that inherits the owner's privileges, or a superuser may do: restore as the database's owner, or in place without --drop-database. Nothing was changed in "m4".`,
    );
    expect(run.stderr).not.toMatch(/Safety backup|before overwriting/);
    expect(filesUnder(dir).filter((n) => n.includes('before-restore'))).toEqual([]);
    expect(await source.query('m4', 'SELECT x FROM app.kept ORDER BY x')).toEqual([
      { x: 1 },
      { x: 2 },
    ]);
    expect(
      await source.query(
        'postgres',
        `SELECT datname FROM pg_database WHERE datname LIKE '%restore%'`,
      ),
    ).toEqual([]);
  });

  test("--drop-database by a role that inherits the owner's privileges replaces the target", async () => {
    const dir = tempDir('roles-owner-member');
    const file = await backupAndChange('m5', dir);
    const run = await cli(['restore', file, '--drop-database', '--yes'], {
      cwd: dir,
      env: { PATH: process.env.PATH, DATABASE_URL: as('owner_member', 'm5') },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(await source.query('m5', 'SELECT x FROM app.kept ORDER BY x')).toEqual([{ x: 1 }]);
    expect(
      await source.query(
        'postgres',
        `SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = 'm5'`,
      ),
    ).toEqual([{ owner: 'm4_owner' }]);
    expect(
      filesUnder(dir).filter((n) => n.includes('before-restore') && n.endsWith('.sql.gz')),
    ).toHaveLength(1);
  });
});
