// Makes a SQLite database of about the given size (default 1100 MB) with
// rows that compress like application data: names, emails, JSON, text.
// Usage: node bench/make-sqlite.mjs FILE [MEGABYTES]
import fs from 'node:fs';
import Database from 'better-sqlite3';

const [file, megabytes = '1100'] = process.argv.slice(2);
if (!file) throw new Error('usage: node bench/make-sqlite.mjs FILE [MEGABYTES]');
fs.rmSync(file, { force: true });
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = OFF');
db.exec(`CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, email TEXT, country TEXT, created_at TEXT);
         CREATE TABLE events (id INTEGER PRIMARY KEY, customer_id INTEGER, kind TEXT, payload TEXT, at TEXT);
         CREATE INDEX events_customer ON events(customer_id);`);
const words =
  'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango'.split(
    ' ',
  );
let seed = 42;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const pick = () => words[Math.floor(random() * words.length)];
const addCustomer = db.prepare(
  'INSERT INTO customers (name, email, country, created_at) VALUES (?, ?, ?, ?)',
);
const addEvent = db.prepare(
  'INSERT INTO events (customer_id, kind, payload, at) VALUES (?, ?, ?, ?)',
);
const target = Number(megabytes) * 1024 * 1024;
let batch = 0;
while (
  fs.statSync(file).size + (fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0) <
  target
) {
  db.transaction(() => {
    for (let i = 0; i < 20000; i += 1) {
      const id = batch * 20000 + i;
      if (i % 10 === 0)
        addCustomer.run(
          `${pick()} ${pick()}`,
          `user${id}@example.com`,
          pick().slice(0, 2).toUpperCase(),
          new Date(1.7e12 + id * 1000).toISOString(),
        );
      addEvent.run(
        Math.floor(random() * 1e6),
        pick(),
        JSON.stringify({
          id,
          words: [pick(), pick(), pick()],
          amount: Math.floor(random() * 1e6) / 100,
          note: `${pick()} ${pick()} ${pick()} ${pick()} ${Math.floor(random() * 1e9)}`,
        }),
        new Date(1.7e12 + id * 997).toISOString(),
      );
    }
  })();
  batch += 1;
  if (batch % 50 === 0) db.pragma('wal_checkpoint(TRUNCATE)');
}
db.pragma('wal_checkpoint(TRUNCATE)');
db.pragma('journal_mode = DELETE');
db.close();
console.log(`${file}: ${(fs.statSync(file).size / 1048576).toFixed(0)} MB`);
