import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseDatabaseUrl, type PostgresLocation } from '../src/domain/database-location.js';
import { connectMaintenance, databaseExists } from '../src/engines/postgres/databases.js';
import { connect } from '../src/engines/postgres/server.js';
import { SQLSTATE, sqlstateOf } from '../src/engines/postgres/sql-states.js';
import { kindOf } from '../src/domain/errors.js';
import { systemServerBinDir } from './support/pg-binaries.js';
import { startPostgres, type PgServer } from './support/postgres.js';

/**
 * Each decision the PostgreSQL engine takes on a server's error, provoked on
 * a real server: the decision reads the SQLSTATE, so it holds whatever the
 * message says (another version, another lc_messages).
 */
let server: PgServer;
const PASSWORD = 'role-pw-1234';

beforeAll(async () => {
  // A server of our own, always: its pg_hba.conf is rewritten below.
  server = await startPostgres({ binDir: systemServerBinDir() });
  await server.query(
    'postgres',
    `CREATE ROLE no_connect LOGIN PASSWORD '${PASSWORD}';
     CREATE ROLE hba_rejected LOGIN PASSWORD '${PASSWORD}';
     CREATE ROLE nowhere LOGIN PASSWORD '${PASSWORD}';
     CREATE ROLE hba_everywhere LOGIN PASSWORD '${PASSWORD}';
     REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;
     GRANT CONNECT ON DATABASE postgres TO hba_rejected, hba_everywhere;`,
  );
  await server.query('postgres', 'CREATE DATABASE present');
  // nowhere: neither maintenance database admits it, only the databases it is given.
  await server.query('postgres', 'REVOKE CONNECT ON DATABASE template1 FROM PUBLIC');
  await server.query(
    'postgres',
    'GRANT CONNECT ON DATABASE template1 TO no_connect, hba_rejected, hba_everywhere',
  );
  // pg_hba.conf turns hba_rejected away from postgres only, and hba_everywhere from everything.
  const [shown] = await server.query<{ hba_file: string }>('postgres', 'SHOW hba_file');
  const hba = shown!.hba_file;
  fs.writeFileSync(
    hba,
    `host postgres hba_rejected 127.0.0.1/32 reject\nhost all hba_everywhere 127.0.0.1/32 reject\n${fs.readFileSync(hba, 'utf8')}`,
  );
  await server.query('postgres', 'SELECT pg_reload_conf()');
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

function locationOf(user: string, database: string, password = PASSWORD): PostgresLocation {
  const url = `postgres://${user}:${encodeURIComponent(password)}@${server.host}:${server.port}/${database}`;
  return parseDatabaseUrl(url, process.cwd()) as PostgresLocation;
}

async function currentDatabase(location: PostgresLocation): Promise<string> {
  const client = await connectMaintenance(location);
  try {
    return (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
  } finally {
    await client.end();
  }
}

async function refusal(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('PostgreSQL decisions by SQLSTATE, each provoked on a real server', () => {
  test('the server error stays the cause of the worded one: its SQLSTATE is read, not its words', async () => {
    const error = await refusal(connect(locationOf('no_connect', 'postgres')));
    expect(sqlstateOf(error)).toBe(SQLSTATE.insufficientPrivilege);
    expect(error.message).toMatch(/^Cannot connect to PostgreSQL at .*permission denied/);
    expect(kindOf(error)).toBe('refused');
  });

  test('42501 (CONNECT revoked on postgres): the maintenance connection moves on to template1', async () => {
    expect(await currentDatabase(locationOf('no_connect', 'present'))).toBe('template1');
  });

  test('28000 (pg_hba.conf rejects postgres): the maintenance connection moves on to template1', async () => {
    const error = await refusal(connect(locationOf('hba_rejected', 'postgres')));
    expect(sqlstateOf(error)).toBe(SQLSTATE.invalidAuthorizationSpecification);
    expect(await currentDatabase(locationOf('hba_rejected', 'present'))).toBe('template1');
  });

  test('3D000 (the database does not exist): databaseExists says no, from the database itself when no maintenance database admits us', async () => {
    const missing = await refusal(connect(locationOf('nowhere', 'absent')));
    expect(sqlstateOf(missing)).toBe(SQLSTATE.invalidCatalogName);
    expect(missing.message).toMatch(/^The database "absent" does not exist on /);
    expect(await databaseExists(locationOf('nowhere', 'absent'))).toBe(false);
    expect(await databaseExists(locationOf('nowhere', 'present'))).toBe(true);
    // With a maintenance database, the catalog answers.
    expect(await databaseExists(locationOf('no_connect', 'absent'))).toBe(false);
    expect(await databaseExists(locationOf('no_connect', 'present'))).toBe(true);
  });

  test('28P01 (wrong password) is said at once, not taken for a missing database', async () => {
    const error = await refusal(databaseExists(locationOf('nowhere', 'absent', 'wrong-password')));
    expect(sqlstateOf(error)).toBe(SQLSTATE.invalidPassword);
    expect(error.message).toMatch(/rejected the password for user "nowhere"/);
    expect(kindOf(error)).toBe('refused');
  });

  test('28000 everywhere (pg_hba.conf rejects the role on every database) is said, not taken for a missing database', async () => {
    const error = await refusal(databaseExists(locationOf('hba_everywhere', 'absent')));
    expect(sqlstateOf(error)).toBe(SQLSTATE.invalidAuthorizationSpecification);
    expect(error.message).toMatch(/refused user "hba_everywhere"/);
  });

  test('an unreachable server is a failed job, with no SQLSTATE to decide on', async () => {
    const location = { ...locationOf('nowhere', 'absent'), port: 1 };
    const error = await refusal(databaseExists(location));
    expect(sqlstateOf(error)).toBeUndefined();
    expect(kindOf(error)).toBe('failed');
    expect(error.message).toMatch(/^Cannot reach PostgreSQL at .*\(ECONNREFUSED\)/);
  });
});
