#!/usr/bin/env node
// Compares db-backup with the shell pipelines it replaces, on the same data, in one
// invocation: every row runs the tool and the shell ALTERNATELY (A B A B ...), and
// reports the median of the per-pair ratios, so that a busy machine slows both sides
// of a pair alike. Also peak RSS and CPU time (user + sys, child processes included:
// pg_dump, psql, gzip).
//
//   node bench/bench.mjs [--dist DIR] [--pairs N] [--pg-scale N] [--sqlite-mb N]
//                        [--only pg,pg-formats,pg-memory,sqlite,start] [--sqlite-memory 1024,5120]
//                        [--pg-documents N]
//
// pg-memory: one run of each PostgreSQL backup and restore (plain, custom; restores
// with --jobs 1 and 2), with its peak RSS: with --pg-scale 330 the database is about
// 5 GB, to show that memory does not grow with the database.
//
// pg-formats: custom and directory backups, and restores of a custom backup with
// --jobs 2, against the plain shell pipeline and stock pg_restore.
//
// Needs Node 24 first on PATH, /usr/bin/time (GNU), PostgreSQL's server and client
// programs (initdb, pg_ctl, pgbench, pg_dump, psql), sqlite3, gzip, zstd. Run as root
// (the server then runs as the postgres user) or as a user that can run postgres.
// Everything it makes lives in one temporary directory, removed at the end.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const root = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    dist: { type: 'string', default: path.join(root, 'dist') },
    pairs: { type: 'string', default: '3' },
    'pg-scale': { type: 'string', default: '30' },
    'sqlite-mb': { type: 'string', default: '500' },
    'pg-documents': { type: 'string', default: '1000000' },
    // pg-memory is not in the default: at 5 GB it takes most of an hour.
    only: { type: 'string', default: 'pg,pg-formats,sqlite,start' },
    'sqlite-memory': { type: 'string', default: '' },
  },
});
const dist = path.resolve(args.dist);
const cli = path.join(dist, 'cli/index.js');
const pairs = Number(args.pairs);
const only = new Set(args.only.split(','));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'db-backup-bench-'));
fs.chmodSync(work, 0o755);
const rows = [];
const cleanups = [];
process.on('exit', () => {
  for (const cleanup of cleanups.reverse()) cleanup();
  fs.rmSync(work, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

/** One run under GNU time: wall seconds, CPU seconds (user + sys, children included), peak RSS MiB. */
function measure(command, env = {}) {
  const report = path.join(work, 'time.out');
  const result = spawnSync(
    '/usr/bin/time',
    ['-f', '%e %U %S %M', '-o', report, 'sh', '-c', command],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
  );
  const line = fs.readFileSync(report, 'utf8').trim().split('\n').at(-1) ?? '';
  const [wall, user, sys, kib] = line.split(' ').map(Number);
  return {
    ok: result.status === 0,
    error: result.status === 0 ? '' : result.stderr.trim().split('\n').at(-1),
    wall,
    cpu: user + sys,
    rss: kib / 1024,
  };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/**
 * Runs tool and shell alternately `pairs` times and records one row: median seconds
 * of each side, median of the per-pair ratios (wall and CPU). A command may be a
 * function of `before()`'s result (a fresh target database for every run).
 */
function compare(label, against, { tool, shell, before = () => undefined, after = () => {} }) {
  const command = (c, prepared) => (typeof c === 'function' ? c(prepared) : c);
  const runs = [];
  for (let i = 0; i < pairs; i += 1) {
    let prepared = before();
    const a = measure(command(tool, prepared));
    after(prepared);
    prepared = before();
    const b = measure(command(shell, prepared));
    after(prepared);
    if (!a.ok) {
      rows.push({ label, against, failed: `the tool failed: ${a.error}` });
      console.error(`${label}: the tool failed: ${a.error}`);
      return;
    }
    runs.push({ a, b });
    console.error(
      `  ${label} pair ${i + 1}: tool ${a.wall.toFixed(2)} s (cpu ${a.cpu.toFixed(2)} s, ${a.rss.toFixed(0)} MiB), shell ${b.wall.toFixed(2)} s (cpu ${b.cpu.toFixed(2)} s)`,
    );
  }
  rows.push({
    label,
    against,
    toolWall: median(runs.map((r) => r.a.wall)),
    shellWall: median(runs.map((r) => r.b.wall)),
    wallRatio: median(runs.map((r) => r.a.wall / r.b.wall)),
    toolCpu: median(runs.map((r) => r.a.cpu)),
    shellCpu: median(runs.map((r) => r.b.cpu)),
    cpuRatio: median(runs.map((r) => r.a.cpu / r.b.cpu)),
    toolRss: Math.max(...runs.map((r) => r.a.rss)),
  });
}

/** Only the tool, repeated: start-up figures. */
function alone(label, command, env, baseline) {
  const runs = [];
  for (let i = 0; i < Math.max(5, pairs * 2); i += 1) {
    runs.push(measure(command, env));
    runs.push({ ...measure(baseline), baseline: true });
  }
  const tool = runs.filter((r) => !r.baseline);
  const base = runs.filter((r) => r.baseline);
  rows.push({
    label,
    against: '`node -e 0`',
    start: true,
    toolCpu: median(tool.map((r) => r.cpu)),
    toolRss: median(tool.map((r) => r.rss)),
    shellCpu: median(base.map((r) => r.cpu)),
    shellRss: median(base.map((r) => r.rss)),
  });
}

const sh = (command, env = {}) =>
  execFileSync('sh', ['-c', command], { env: { ...process.env, ...env }, stdio: 'inherit' });
const q = (text) => `'${text.replace(/'/g, `'\\''`)}'`;
const rm =
  (...paths) =>
  () => {
    for (const p of paths) fs.rmSync(p, { recursive: true, force: true });
  };

function postgres() {
  const bin = fs
    .readdirSync('/usr/lib/postgresql')
    .map((v) => `/usr/lib/postgresql/${v}/bin`)
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
    .at(-1);
  const asRoot = process.getuid?.() === 0;
  const asPg = (command) => (asRoot ? `runuser -u postgres -- ${command}` : command);
  const data = path.join(work, 'pgdata');
  fs.mkdirSync(data);
  if (asRoot) sh(`chown postgres ${q(data)}`);
  const port = 20000 + Math.floor(Math.random() * 20000);
  sh(asPg(`${bin}/initdb -D ${q(data)} -U postgres -A trust -N`) + ' >/dev/null');
  sh(
    asPg(
      `${bin}/pg_ctl -D ${q(data)} -o "-p ${port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_wal_size=4GB" -l ${q(data)}/log -w start`,
    ) + ' >/dev/null',
  );
  cleanups.push(() =>
    spawnSync('sh', ['-c', asPg(`${bin}/pg_ctl -D ${q(data)} -m immediate stop`)], {
      stdio: 'ignore',
    }),
  );
  const env = { PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: 'postgres' };
  Object.assign(process.env, env);
  console.error(
    `building the PostgreSQL database (pgbench scale ${args['pg-scale']}, ${args['pg-documents']} text rows)`,
  );
  sh(
    `${bin}/createdb app && ${bin}/pgbench -i -q -s ${Number(args['pg-scale'])} app >/dev/null 2>&1`,
  );
  sh(
    `psql -q -X -d app -c "CREATE TABLE documents (id serial PRIMARY KEY, title text, body text)" ` +
      `-c "INSERT INTO documents (title, body) SELECT 'document ' || i, repeat(md5(i::text) || ' lorem ipsum dolor sit amet ', 8) FROM generate_series(1, ${Number(args['pg-documents'])}) AS i" ` +
      `-c "VACUUM ANALYZE"`,
  );
  const size = execFileSync(
    'psql',
    ['-AtX', '-d', 'app', '-c', "SELECT pg_size_pretty(pg_database_size('app'))"],
    {
      encoding: 'utf8',
    },
  ).trim();
  console.error(`database: ${size}`);
  const url = `postgres://postgres@127.0.0.1:${port}/app`;
  const backups = path.join(work, 'pg-backups');
  const shellOut = path.join(work, 'shell.sql.gz');

  if (only.has('pg')) plainRows(url, backups, shellOut, port);
  if (only.has('pg-formats')) formatRows(url, backups, port);
  if (only.has('pg-memory')) pgMemoryRows(url, port, size);
}

/** One run of each PostgreSQL backup and restore, for its peak RSS at this database's size. */
function pgMemoryRows(url, port, size) {
  const into = (db) => q(`postgres://postgres@127.0.0.1:${port}/${db}`);
  for (const format of ['plain', 'custom']) {
    const dir = path.join(work, `memory-${format}`);
    const backup = measure(
      `node ${q(cli)} backup --database-url ${q(url)} --backup-dir ${q(dir)} --format ${format}`,
    );
    const row = { label: `peak memory, PostgreSQL ${size}, ${format}`, memory: true };
    if (!backup.ok) {
      rows.push({ ...row, failed: `the backup failed: ${backup.error}` });
      continue;
    }
    const file = path.join(
      dir,
      fs.readdirSync(dir).find((n) => !n.endsWith('.json')),
    );
    for (const jobs of format === 'plain' ? [1] : [1, 2]) {
      const restore = measure(
        `node ${q(cli)} restore ${q(file)} --database-url ${into(`memory_${format}_${jobs}`)} --create-database${format === 'plain' ? '' : ` --jobs ${jobs}`}`,
      );
      rows.push({
        ...row,
        label: `${row.label}${format === 'plain' ? '' : `, restore --jobs ${jobs}`}`,
        backupRss: backup.rss,
        backupWall: backup.wall,
        restoreRss: restore.ok ? restore.rss : undefined,
        restoreWall: restore.ok ? restore.wall : undefined,
        ...(restore.ok ? {} : { failed: `the restore failed: ${restore.error}` }),
      });
      sh(`dropdb --if-exists memory_${format}_${jobs}`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function plainRows(url, backups, shellOut, port) {
  compare('PostgreSQL backup, gzip', '`pg_dump | gzip -6 > f`', {
    tool: `node ${q(cli)} backup --database-url ${q(url)} --backup-dir ${q(backups)} --max-backups 0`,
    shell: `pg_dump app | gzip -6 > ${q(shellOut)}`,
    after: rm(backups, shellOut),
  });
  compare('PostgreSQL backup, gzip', '`pg_dump > f` (the floor)', {
    tool: `node ${q(cli)} backup --database-url ${q(url)} --backup-dir ${q(backups)} --max-backups 0`,
    shell: `pg_dump app > ${q(path.join(work, 'shell.sql'))}`,
    after: rm(backups, path.join(work, 'shell.sql')),
  });
  compare('PostgreSQL backup, zstd', '`pg_dump > f` (the floor)', {
    tool: `node ${q(cli)} backup --database-url ${q(url)} --backup-dir ${q(backups)} --max-backups 0 --compression zstd`,
    shell: `pg_dump app > ${q(path.join(work, 'shell.sql'))}`,
    after: rm(backups, path.join(work, 'shell.sql')),
  });

  // One backup of ours for both restores: the same bytes into a fresh, empty database each time.
  execFileSync(process.execPath, [cli, 'backup', '--database-url', url, '--backup-dir', backups], {
    stdio: 'ignore',
  });
  const ours = path.join(
    backups,
    fs.readdirSync(backups).find((n) => n.endsWith('.sql.gz')),
  );
  let targets = 0;
  compare('PostgreSQL restore into an empty database', '`gunzip -c f | psql`', {
    before: () => {
      targets += 1;
      sh(`createdb restored_${targets}`);
      return `restored_${targets}`;
    },
    tool: (db) =>
      `node ${q(cli)} restore ${q(ours)} --database-url ${q(`postgres://postgres@127.0.0.1:${port}/${db}`)} --yes`,
    shell: (db) => `gunzip -c ${q(ours)} | psql -q -X -v ON_ERROR_STOP=1 -d ${db} >/dev/null`,
    after: (db) => sh(`dropdb --if-exists ${db}`),
  });
}

/**
 * The archive formats: backups with -Fc and -Fd -j2 against the shell's plain pipeline,
 * and restores of a custom backup with --jobs 2 against `gunzip -c f | psql` of a plain
 * one (what the old scripts did) and against stock pg_restore -j2 of the same archive.
 */
function formatRows(url, backups, port) {
  const shellOut = path.join(work, 'shell.sql.gz');
  const backup = `node ${q(cli)} backup --database-url ${q(url)} --backup-dir ${q(backups)} --max-backups 0`;
  compare('PostgreSQL backup, custom format', '`pg_dump | gzip -6 > f`', {
    tool: `${backup} --format custom`,
    shell: `pg_dump app | gzip -6 > ${q(shellOut)}`,
    after: rm(backups, shellOut),
  });
  compare('PostgreSQL backup, directory format with --jobs 2', '`pg_dump | gzip -6 > f`', {
    tool: `${backup} --format directory --jobs 2`,
    shell: `pg_dump app | gzip -6 > ${q(shellOut)}`,
    after: rm(backups, shellOut),
  });
  const made = (format) => {
    const dir = path.join(work, `pg-${format}`);
    execFileSync(
      process.execPath,
      [cli, 'backup', '--database-url', url, '--backup-dir', dir, '--format', format],
      { stdio: 'ignore' },
    );
    return path.join(
      dir,
      fs.readdirSync(dir).find((n) => !n.endsWith('.json')),
    );
  };
  const plain = made('plain');
  const custom = made('custom');
  console.error(
    `plain backup ${(fs.statSync(plain).size / 1048576).toFixed(1)} MiB, custom backup ${(fs.statSync(custom).size / 1048576).toFixed(1)} MiB`,
  );
  let targets = 0;
  const target = () => {
    targets += 1;
    return `formats_${targets}`;
  };
  const intoNew = (db) =>
    `node ${q(cli)} restore ${q(custom)} --database-url ${q(`postgres://postgres@127.0.0.1:${port}/${db}`)} --create-database --jobs 2`;
  compare('PostgreSQL restore, custom format with --jobs 2', '`gunzip -c f | psql` (plain)', {
    before: target,
    tool: intoNew,
    shell: (db) =>
      `createdb ${db} && gunzip -c ${q(plain)} | psql -q -X -v ON_ERROR_STOP=1 -d ${db} >/dev/null`,
    after: (db) => sh(`dropdb --if-exists ${db}`),
  });
  const unpacked = path.join(work, 'custom.dump');
  compare(
    'PostgreSQL restore, custom format with --jobs 2',
    '`gunzip -c f > a; pg_restore -j2 a`',
    {
      before: target,
      tool: intoNew,
      shell: (db) =>
        `gunzip -c ${q(custom)} > ${q(unpacked)} && createdb ${db} && pg_restore -j 2 -d ${db} ${q(unpacked)}`,
      after: (db) => {
        sh(`dropdb --if-exists ${db}`);
        fs.rmSync(unpacked, { force: true });
      },
    },
  );
  compare('PostgreSQL restore, custom format with --jobs 1', '`gunzip -c f | psql` (plain)', {
    before: target,
    tool: (db) =>
      `node ${q(cli)} restore ${q(custom)} --database-url ${q(`postgres://postgres@127.0.0.1:${port}/${db}`)} --create-database`,
    shell: (db) =>
      `createdb ${db} && gunzip -c ${q(plain)} | psql -q -X -v ON_ERROR_STOP=1 -d ${db} >/dev/null`,
    after: (db) => sh(`dropdb --if-exists ${db}`),
  });
}

function sqlite() {
  const db = path.join(work, 'app.db');
  console.error(`building the SQLite database (${args['sqlite-mb']} MB)`);
  execFileSync(
    process.execPath,
    [path.join(root, 'bench/make-sqlite.mjs'), db, args['sqlite-mb']],
    {
      stdio: 'inherit',
      cwd: root,
    },
  );
  const backups = path.join(work, 'sqlite-backups');
  const copy = path.join(work, 'copy.db');
  const shell = `sqlite3 ${q(db)} ${q(`.backup ${copy}`)} && gzip -6 ${q(copy)}`;
  for (const compression of ['gzip', 'zstd']) {
    compare(`SQLite backup, ${compression}`, '`sqlite3 .backup && gzip -6`', {
      tool: `node ${q(cli)} backup --database-url ${q(`file:${db}`)} --backup-dir ${q(backups)} --max-backups 0 --compression ${compression}`,
      shell,
      after: rm(backups, copy, `${copy}.gz`),
    });
  }
}

function start() {
  const empty = path.join(work, 'empty');
  fs.mkdirSync(empty, { recursive: true });
  alone('`db-backup --help`', `node ${q(cli)} --help >/dev/null`, {}, 'node -e 0');
  const output = path.join(empty, 'output');
  alone(
    'the action with no inputs',
    `cd ${q(empty)} && : > ${q(output)} && env -i PATH="$PATH" GITHUB_OUTPUT=${q(output)} GITHUB_STEP_SUMMARY=${q(output)} node ${q(path.join(dist, 'index.js'))} >/dev/null; true`,
    {},
    'node -e 0',
  );
}

/** Peak RSS of one backup and one restore at each SQLite size (MB): memory must not grow with it. */
function sqliteMemory(sizes) {
  for (const mb of sizes) {
    const dir = path.join(work, `memory-${mb}`);
    fs.mkdirSync(dir);
    const db = path.join(dir, 'app.db');
    console.error(`building a ${mb} MB SQLite database`);
    execFileSync(process.execPath, [path.join(root, 'bench/make-sqlite.mjs'), db, String(mb)], {
      stdio: 'inherit',
      cwd: root,
    });
    for (const compression of ['gzip', 'zstd']) {
      const backups = path.join(dir, `backups-${compression}`);
      const backup = measure(
        `node ${q(cli)} backup --database-url ${q(`file:${db}`)} --backup-dir ${q(backups)} --compression ${compression}`,
      );
      const file = path.join(
        backups,
        fs.readdirSync(backups).find((n) => !n.endsWith('.json')),
      );
      const restore = measure(
        `node ${q(cli)} restore ${q(file)} --database-url ${q(`file:${path.join(dir, 'restored.db')}`)} --yes`,
      );
      rows.push({
        label: `peak memory, SQLite ${mb} MB, ${compression}`,
        memory: true,
        backupRss: backup.rss,
        restoreRss: restore.rss,
        backupWall: backup.wall,
        restoreWall: restore.wall,
      });
      fs.rmSync(backups, { recursive: true, force: true });
      for (const suffix of ['', '.before-restore'])
        fs.rmSync(path.join(dir, `restored.db${suffix}`), { force: true });
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (only.has('pg') || only.has('pg-formats') || only.has('pg-memory')) postgres();
if (only.has('sqlite')) sqlite();
if (only.has('start')) start();
if (args['sqlite-memory']) sqliteMemory(args['sqlite-memory'].split(',').map(Number));

const f = (n, digits = 2) => (n === undefined ? '' : n.toFixed(digits));
console.log(
  `db-backup ${dist}, ${pairs} alternating pairs per row, ${os.availableParallelism()} cores, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log('');
console.log(
  '| work | the shell | tool wall s | shell wall s | wall ratio | tool CPU s | shell CPU s | CPU ratio | tool peak RSS MiB |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const row of rows) {
  const work = row.label;
  const shell = (row.against ?? '').replace(/\|/g, '\\|');
  if (row.failed) console.log(`| ${work} | ${shell} | ${row.failed} | | | | | | |`);
  else if (row.start)
    console.log(
      `| ${work} | ${shell} | | | | ${f(row.toolCpu)} | ${f(row.shellCpu)} | | ${f(row.toolRss, 0)} (node -e 0: ${f(row.shellRss, 0)}) |`,
    );
  else if (row.memory)
    console.log(
      `| ${work} | | backup ${f(row.backupWall, 1)} s, restore ${f(row.restoreWall, 1)} s | | | | | | backup ${f(row.backupRss, 0)}, restore ${f(row.restoreRss, 0)} |`,
    );
  else
    console.log(
      `| ${work} | ${shell} | ${f(row.toolWall)} | ${f(row.shellWall)} | ${f(row.wallRatio)}× | ${f(row.toolCpu)} | ${f(row.shellCpu)} | ${f(row.cpuRatio)}× | ${f(row.toolRss, 0)} |`,
    );
}
