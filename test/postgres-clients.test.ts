import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
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
import { findClientCandidates } from '../src/engines/postgres/client-tools.js';
import { libpqEnvironment } from '../src/engines/postgres/connection.js';
import { pgDumpArguments } from '../src/engines/postgres/options.js';
import { DEFAULT_POSTGRES_OPTIONS } from '../src/engines/postgres/options.js';
import { tempDir } from './support/tmp.js';

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

describe('finding pg_dump on this machine', () => {
  const PATH = process.env.PATH;
  afterEach(() => {
    process.env.PATH = PATH;
  });

  /** A program that answers --version as `version` and notes each call in `calls`. */
  function program(file: string, version: string, calls: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(
      file,
      `#!/bin/sh\necho "$0" >> '${calls}'\necho "pg_dump (PostgreSQL) ${version}"\n`,
      { mode: 0o755 },
    );
  }

  /**
   * Debian's layout: /usr/bin/pg_dump a link to postgresql-common's pg_wrapper,
   * /bin a link to /usr/bin, the programs themselves under lib/postgresql/<N>/bin.
   */
  function debianLike(): { root: string; calls: string; usrBin: string; bin: string } {
    const root = tempDir('pg-wrapper');
    const calls = path.join(root, 'calls');
    fs.writeFileSync(calls, '');
    program(path.join(root, 'share/postgresql-common/pg_wrapper'), '15.18 (wrapper)', calls);
    const usrBin = path.join(root, 'usr/bin');
    fs.mkdirSync(usrBin, { recursive: true });
    fs.symlinkSync('../../share/postgresql-common/pg_wrapper', path.join(usrBin, 'pg_dump'));
    const bin = path.join(root, 'bin');
    fs.symlinkSync('usr/bin', bin);
    return { root, calls, usrBin, bin };
  }

  test("Debian's wrapper is not run when the programs it picks from answer themselves", async () => {
    const { root, calls, usrBin, bin } = debianLike();
    program(path.join(root, 'lib/postgresql/15/bin/pg_dump'), '15.18 (Debian)', calls);
    program(path.join(root, 'lib/postgresql/17/bin/pg_dump'), '17.7 (Debian)', calls);
    process.env.PATH = [usrBin, bin].join(path.delimiter);
    const found = await findClientCandidates('pg_dump', [], [path.join(root, 'lib/postgresql')]);
    expect(found.map((tool) => [tool.path, tool.version])).toEqual([
      [path.join(root, 'lib/postgresql/15/bin/pg_dump'), '15.18 (Debian)'],
      [path.join(root, 'lib/postgresql/17/bin/pg_dump'), '17.7 (Debian)'],
    ]);
    expect(chooseClient(found, 16)).toMatchObject({ candidate: { major: 17 } });
    // Only the two programs ran, never the wrapper (by either of its names).
    expect(fs.readFileSync(calls, 'utf8').split('\n').filter(Boolean).sort()).toEqual([
      path.join(root, 'lib/postgresql/15/bin/pg_dump'),
      path.join(root, 'lib/postgresql/17/bin/pg_dump'),
    ]);
  });

  test('the wrapper alone is asked once, though /bin and /usr/bin both lead to it', async () => {
    const { root, calls, usrBin, bin } = debianLike();
    process.env.PATH = [usrBin, bin].join(path.delimiter);
    const found = await findClientCandidates('pg_dump', [], [path.join(root, 'lib/postgresql')]);
    expect(found.map((tool) => [tool.path, tool.version])).toEqual([
      [path.join(usrBin, 'pg_dump'), '15.18 (wrapper)'],
    ]);
    expect(fs.readFileSync(calls, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
  });

  test('a program of its own on PATH still comes first, and one that does not answer is left out', async () => {
    const { root, calls, usrBin } = debianLike();
    const local = path.join(root, 'local/bin');
    program(path.join(local, 'pg_dump'), '16.4', calls);
    const broken = path.join(root, 'broken');
    fs.mkdirSync(broken);
    fs.writeFileSync(path.join(broken, 'pg_dump'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    program(path.join(root, 'lib/postgresql/15/bin/pg_dump'), '15.18 (Debian)', calls);
    process.env.PATH = [broken, local, usrBin].join(path.delimiter);
    const found = await findClientCandidates('pg_dump', [], [path.join(root, 'lib/postgresql')]);
    expect(found.map((tool) => tool.path)).toEqual([
      path.join(local, 'pg_dump'),
      path.join(root, 'lib/postgresql/15/bin/pg_dump'),
    ]);
  });

  test.runIf(fs.existsSync('/usr/share/postgresql-common/pg_wrapper'))(
    "on this Debian machine: /usr/lib/postgresql's pg_dump, never the wrapper",
    async () => {
      process.env.PATH = ['/usr/bin', '/bin', PATH].join(path.delimiter);
      const found = await findClientCandidates('pg_dump');
      expect(found.length).toBeGreaterThan(0);
      for (const tool of found)
        expect(fs.realpathSync(tool.path)).not.toMatch(/postgresql-common\/pg_wrapper$/);
      expect(found.map((tool) => tool.path)).toContainEqual(
        expect.stringMatching(/^\/usr\/lib\/postgresql\/\d+\/bin\/pg_dump$/),
      );
    },
  );
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
