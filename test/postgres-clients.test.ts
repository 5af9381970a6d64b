import { describe, expect, test } from 'vitest';
import {
  chooseClient,
  parseClientVersion,
  serverMajorFromVersionNum,
  type ClientCandidate,
} from '../src/engines/postgres/choose-client.js';
import {
  onGitHubHostedLinuxRunner,
  planClientInstall,
} from '../src/engines/postgres/install-client.js';
import { libpqEnvironment } from '../src/engines/postgres/connection.js';
import { pgDumpArguments } from '../src/engines/postgres/options.js';
import { DEFAULT_POSTGRES_OPTIONS } from '../src/engines/postgres/options.js';

const c = (
  major: number,
  minor = 0,
  path = `/usr/lib/postgresql/${major}/bin/pg_dump`,
): ClientCandidate => ({ path, major, version: `${major}.${minor}` });

describe('choosing pg_dump', () => {
  test.each([
    { case: 'the only client fits', candidates: [c(15)], server: 15, chosen: c(15).path },
    { case: 'newest wins', candidates: [c(14), c(17), c(16)], server: 14, chosen: c(17).path },
    {
      case: 'an older client never dumps a newer server',
      candidates: [c(15), c(16)],
      server: 17,
      chosen: undefined,
      newest: c(16).path,
    },
    {
      case: 'same major, newer minor wins',
      candidates: [c(16, 2, '/a/pg_dump'), c(16, 9, '/b/pg_dump')],
      server: 16,
      chosen: '/b/pg_dump',
    },
    { case: 'no client at all', candidates: [], server: 15, chosen: undefined, newest: undefined },
    {
      case: 'a 9.6 server takes any modern client',
      candidates: [c(13)],
      server: 9,
      chosen: c(13).path,
    },
  ])('$case', ({ candidates, server, chosen, newest }) => {
    const choice = chooseClient(candidates, server);
    if (chosen) {
      expect(choice).toMatchObject({
        kind: 'chosen',
        candidate: { path: chosen },
      });
    } else {
      expect(choice.kind).toBe('none-fits');
      if (choice.kind === 'none-fits') expect(choice.newest?.path).toBe(newest);
    }
  });

  test.each([
    ['pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)', 15, '15.18 (Debian 15.18-0+deb12u1)'],
    ['pg_dump (PostgreSQL) 17.2', 17, '17.2'],
    ['psql (PostgreSQL) 9.6.24', 9, '9.6.24'],
    ['pg_dump (PostgreSQL) 18beta1', 18, '18beta1'],
  ])('%s → major %d', (output, major, version) => {
    expect(parseClientVersion(output)).toEqual({ major, version });
  });

  test('garbage is not a version', () => {
    expect(parseClientVersion('bash: pg_dump: command not found')).toBeUndefined();
  });

  test.each([
    [150004, 15],
    [170000, 17],
    [90624, 9],
  ])('server_version_num %d is major %d', (num, major) => {
    expect(serverMajorFromVersionNum(num)).toBe(major);
  });
});

describe('installing a client on GitHub-hosted runners', () => {
  test('the plan adds the PGDG repository, downloads the client and libpq, unpacks them privately, keyed by OS, arch and major', () => {
    const plan = planClientInstall(17, {
      arch: 'x64',
      codename: 'noble',
      toolCache: '/opt/hostedtoolcache',
    });
    expect(plan.key).toBe('db-backup-postgresql-client-linux-amd64-17-v1');
    expect(plan.dir).toBe('/opt/hostedtoolcache/db-backup-postgresql-client/17/amd64');
    expect(plan.binDir).toBe(
      '/opt/hostedtoolcache/db-backup-postgresql-client/17/amd64/usr/lib/postgresql/17/bin',
    );
    expect(plan.env).toEqual({
      LD_LIBRARY_PATH:
        '/opt/hostedtoolcache/db-backup-postgresql-client/17/amd64/usr/lib/x86_64-linux-gnu',
    });
    const script = plan.commands.map((command) => command.join(' ')).join('\n');
    expect(script).toContain('https://apt.postgresql.org/pub/repos/apt noble-pgdg main');
    expect(script).toContain('apt-get download postgresql-client-17 libpq5');
    expect(script).toContain('dpkg-deb -x');
    expect(planClientInstall(16, { arch: 'arm64', codename: 'jammy', toolCache: '/t' }).key).toBe(
      'db-backup-postgresql-client-linux-arm64-16-v1',
    );
  });

  test.each([
    [{ GITHUB_ACTIONS: 'true', RUNNER_ENVIRONMENT: 'github-hosted' }, process.platform === 'linux'],
    [{ GITHUB_ACTIONS: 'true', RUNNER_ENVIRONMENT: 'self-hosted' }, false],
    [{}, false],
  ])('%o is a GitHub-hosted Linux runner: %s', (env, expected) => {
    expect(onGitHubHostedLinuxRunner(env)).toBe(expected);
  });
});

describe('pg_dump arguments and environment', () => {
  const location = {
    engine: 'postgres' as const,
    host: 'db.example.com',
    port: 6543,
    user: 'app',
    password: 's3cret!',
    database: 'prod',
    params: { sslmode: 'require', connect_timeout: '5', application_name: 'nightly' },
  };

  test('the password and every connection parameter travel in the environment', () => {
    const env = libpqEnvironment(location, 'prod', {
      PATH: '/bin',
      PGHOST: 'elsewhere',
      PGSERVICE: 'x',
    });
    expect(env).toEqual({
      PATH: '/bin',
      PGHOST: 'db.example.com',
      PGPORT: '6543',
      PGUSER: 'app',
      PGDATABASE: 'prod',
      PGPASSWORD: 's3cret!',
      PGSSLMODE: 'require',
      PGCONNECT_TIMEOUT: '5',
      PGAPPNAME: 'nightly',
    });
  });

  test("no other secret of the run reaches pg_dump or psql; a URL without a password keeps libpq's own", () => {
    const base = {
      PATH: '/bin',
      LANG: 'C.UTF-8',
      BACKUP_PASSPHRASE: 'x',
      AWS_SECRET_ACCESS_KEY: 'y',
      'INPUT_ENCRYPTION-PASSPHRASE': 'z',
      PGPASSWORD: 'from-env',
      PGPASSFILE: '/p',
    };
    expect(libpqEnvironment(location, 'prod', base)).not.toHaveProperty('BACKUP_PASSPHRASE');
    expect(libpqEnvironment(location, 'prod', base)).not.toHaveProperty('AWS_SECRET_ACCESS_KEY');
    expect(libpqEnvironment(location, 'prod', base).PGPASSWORD).toBe('s3cret!');
    const withoutPassword = libpqEnvironment({ ...location, password: '' }, 'prod', base);
    expect(withoutPassword).toMatchObject({
      PGPASSWORD: 'from-env',
      PGPASSFILE: '/p',
      LANG: 'C.UTF-8',
    });
    expect(Object.keys(withoutPassword).filter((k) => k.startsWith('INPUT'))).toEqual([]);
  });

  test('defaults: plain SQL that replaces what it contains, with owners and privileges', () => {
    const args = pgDumpArguments(DEFAULT_POSTGRES_OPTIONS, 'snap-1');
    expect(args).toEqual([
      '--format=plain',
      '--no-password',
      '--clean',
      '--if-exists',
      '--lock-wait-timeout=300000',
      '--snapshot=snap-1',
    ]);
    expect(args).not.toContain('--no-owner');
    expect(args).not.toContain('--no-privileges');
    expect(args.join(' ')).not.toContain('s3cret');
  });

  test('include/exclude options map to pg_dump flags', () => {
    const args = pgDumpArguments(
      {
        ...DEFAULT_POSTGRES_OPTIONS,
        schemas: ['app'],
        excludeSchemas: ['tmp*'],
        tables: ['app.users'],
        excludeTables: ['app.logs'],
        excludeTableData: ['app.events'],
      },
      undefined,
    );
    expect(args).toEqual([
      '--format=plain',
      '--no-password',
      '--clean',
      '--if-exists',
      '--lock-wait-timeout=300000',
      '--schema=app',
      '--exclude-schema=tmp*',
      '--table=app.users',
      '--exclude-table=app.logs',
      '--exclude-table-data=app.events',
    ]);
  });
});
