// A separate process that keeps writing to a SQLite database until killed.
// Each transaction adds a row to `events` and sets `counter.value` to the
// number of events, so any consistent snapshot has value = count(events).
import Database from 'better-sqlite3';

const [file, mode] = process.argv.slice(2);
const db = new Database(file, { timeout: 10000 });
db.pragma(`journal_mode = ${mode === 'wal' ? 'WAL' : 'DELETE'}`);
db.exec(`
  CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, payload TEXT);
  CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER);
  INSERT OR IGNORE INTO counter VALUES (1, 0);
`);
const add = db.transaction(() => {
  db.prepare('INSERT INTO events (payload) VALUES (?)').run('x'.repeat(500));
  db.prepare('UPDATE counter SET value = (SELECT count(*) FROM events) WHERE id = 1').run();
});
process.stdout.write('ready\n');
for (;;) {
  try {
    add();
  } catch (error) {
    if (error.code !== 'SQLITE_BUSY') throw error;
  }
}
