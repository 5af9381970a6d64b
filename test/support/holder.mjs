// Holds a SQLite database open in another process until killed: with
// `write`, inside an uncommitted write transaction; with `reserved`, in a
// write transaction that has written nothing yet; with `read`, inside a read
// transaction; with `open`, idle.
import Database from 'better-sqlite3';

const [file, mode] = process.argv.slice(2);
const db = new Database(file);
if (mode === 'write') {
  db.exec('BEGIN IMMEDIATE');
  db.exec("INSERT INTO users (name) VALUES ('uncommitted')");
} else if (mode === 'reserved') {
  db.exec('BEGIN IMMEDIATE');
} else if (mode === 'read') {
  db.exec('BEGIN');
  db.prepare('SELECT count(*) FROM users').get();
} else {
  db.prepare('SELECT count(*) FROM users').get();
}
process.stdout.write('ready\n');
setInterval(() => undefined, 1000);
