import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { engineContract, readGzip, writeGzip } from './support/engine-contract.js';
import { snapshotRows, startPostgres, type PgServer } from './support/postgres.js';
import { tempDir } from './support/tmp.js';

let server: PgServer;
let counter = 0;

beforeAll(async () => {
  server = await startPostgres();
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

/** pg_dump's last line: a statement that fails just before it fails after everything else ran. */
const CLOSING = '-- PostgreSQL database dump complete';

engineContract('PostgreSQL', {
  fresh: async (label) => {
    counter += 1;
    const database = `contract_${label.replace(/\W/g, '_')}_${counter}`;
    await server.createDatabase(database);
    return {
      cwd: tempDir(`engine-postgres-${label}`),
      url: server.url(database),
      env: { PATH: process.env.PATH },
      exec: async (sql) => {
        await server.query(database, sql);
      },
      rows: () => snapshotRows(server, database),
      tableName: (table) => `public.${table}`,
    };
  },
  // Every statement of the backup, then one that fails: the restore's transaction must roll it all back.
  failingHalfway: (backup, dir) => {
    const sql = readGzip(backup).toString('utf8');
    const at = sql.lastIndexOf(CLOSING);
    if (at < 0) throw new Error(`${backup} has no closing line`);
    const failing = path.join(dir, `halfway_${path.basename(backup)}`);
    writeGzip(
      failing,
      `${sql.slice(0, at)}INSERT INTO public.no_such_table VALUES (1);\n\n${sql.slice(at)}`,
    );
    return Promise.resolve(failing);
  },
});
