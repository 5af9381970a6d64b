import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { engineContract, readGzip, writeGzip } from './support/engine-contract.js';
import { dumpRows } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

engineContract('SQLite', {
  fresh: (label) => {
    const cwd = tempDir(`engine-sqlite-${label}`);
    const file = path.join(cwd, 'app.db');
    const created = new Database(file);
    // A database file with its header and no table, as a new application's is.
    created.exec('CREATE TABLE placeholder (x); DROP TABLE placeholder;');
    created.close();
    return Promise.resolve({
      cwd,
      url: 'file:app.db',
      env: {},
      exec: (sql) => {
        const db = new Database(file);
        try {
          db.exec(sql);
        } finally {
          db.close();
        }
        return Promise.resolve();
      },
      // The tables alone: dumpRows's __schema entry lists no table rows.
      rows: () =>
        Promise.resolve(
          Object.fromEntries(
            Object.entries(dumpRows(file)).filter(([name]) => name !== '__schema'),
          ),
        ),
      tableName: (table) => table,
    });
  },
  // The database cut at half its pages: a SQLite header, a file read to its end, then pages missing.
  failingHalfway: (backup, dir) => {
    const database = readGzip(backup);
    const pageSize = database.readUInt16BE(16) === 1 ? 65536 : database.readUInt16BE(16);
    const pages = Math.floor(database.length / pageSize);
    const failing = path.join(dir, `${path.basename(backup, '.gz')}.half.gz`);
    writeGzip(failing, database.subarray(0, Math.max(1, Math.floor(pages / 2)) * pageSize));
    fs.rmSync(`${failing}.json`, { force: true });
    return Promise.resolve(failing);
  },
});
