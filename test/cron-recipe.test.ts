/**
 * The server recipes in examples/cron/: the crontab line runs as written (read
 * from the file), under flock, with the environment file, twice at once — the
 * second must not run — and the systemd units pass systemd's own checks.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { BUNDLED_CLI, cli, REPO_ROOT } from './support/cli.js';
import { GpgHome } from './support/gpg.js';
import { createSampleDatabase, dumpRows } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

const CRON_DIR = path.join(REPO_ROOT, 'examples/cron');
const read = (name: string): string => fs.readFileSync(path.join(CRON_DIR, name), 'utf8');
const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

interface Crontab {
  readonly variables: Record<string, string>;
  readonly schedule: string[];
  readonly user: string;
  readonly command: string;
}

/** A cron.d file: NAME=value lines, comments, and job lines (five times, a user, the command). */
function parseCronD(text: string): Crontab {
  const variables: Record<string, string> = {};
  const jobs: Omit<Crontab, 'variables'>[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const assignment = /^([A-Z_]+)=(.*)$/.exec(line);
    if (assignment) {
      variables[assignment[1]!] = assignment[2]!;
      continue;
    }
    const fields = /^(\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (.+)$/.exec(line);
    if (!fields) throw new Error(`not a cron.d line: ${line}`);
    jobs.push({ schedule: fields.slice(1, 6), user: fields[6]!, command: fields[7]! });
  }
  expect(jobs).toHaveLength(1);
  return { variables, ...jobs[0]! };
}

/** KEY=value pairs of a unit file, per section (a key may repeat). */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const sections: Record<string, Record<string, string[]>> = {};
  let current: Record<string, string[]> | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const section = /^\[(\w+)\]$/.exec(line);
    if (section) {
      current = sections[section[1]!] = {};
      continue;
    }
    const [key, ...value] = line.split('=');
    if (!current || !key) throw new Error(`not a unit file line: ${line}`);
    (current[key] ??= []).push(value.join('='));
  }
  return sections;
}

const crontab = parseCronD(read('crontab'));

describe('the crontab', () => {
  test('runs db-backup backup nightly as the backup user, under flock -n, with the environment file', () => {
    expect(crontab.schedule).toEqual(['17', '2', '*', '*', '*']);
    expect(crontab.user).toBe('db-backup');
    expect(crontab.command).toMatch(/^flock -n -E 75 "\$DB_BACKUP_LOCK" sh -c '/);
    expect(crontab.command).toContain('. "$DB_BACKUP_ENV"');
    expect(crontab.command).toContain('exec db-backup backup --log-file "$DB_BACKUP_LOG"');
    // cron's own PATH lacks /usr/local/bin, where npm install -g puts db-backup.
    expect(crontab.variables.PATH?.split(':')).toContain('/usr/local/bin');
    expect(crontab.variables.SHELL).toBe('/bin/sh');
    // % ends a cron command line: none may appear in it.
    expect(crontab.command).not.toContain('%');
  });

  test('runs as written, twice at once: the second does not run, the first makes an encrypted backup, no secret in ps', async () => {
    const dir = tempDir('cron');
    const db = path.join(dir, 'app.db');
    createSampleDatabase(db, { rows: 20 });
    const expected = dumpRows(db);
    const backups = path.join(dir, 'backups');
    const logs = path.join(dir, 'log');
    fs.mkdirSync(logs, { mode: 0o700 });

    // The environment file: env.example with this database, backup folder and a passphrase of
    // one's own (spaces, a colon and a dollar in single quotes), mode 0600.
    const envFile = path.join(dir, 'env');
    const example = read('env.example');
    expect(example).toMatch(/^BACKUP_PASSPHRASE='CHANGE-ME: /m);
    const passphrase = 'our own: kept in single quotes, $HOME and all';
    const databaseUrl = `file:${db}?mode=rw&cache=private`;
    const envText = (passphraseLine: string) =>
      example
        .replace(/^DATABASE_URL=.*$/m, `DATABASE_URL='${databaseUrl}'`)
        .replace(/^BACKUP_DIR=.*$/m, `BACKUP_DIR='${backups}'`)
        .replace(/^BACKUP_PASSPHRASE=.*$/m, passphraseLine);
    // Left as it is, the example's placeholder passphrase makes no backup.
    fs.writeFileSync(envFile, envText(/^BACKUP_PASSPHRASE=.*$/m.exec(example)![0]), {
      mode: 0o600,
    });
    const placeholder = await cli(['backup'], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        ...Object.fromEntries(
          [...fs.readFileSync(envFile, 'utf8').matchAll(/^([A-Z_]+)='([^']*)'$/gm)].map((m) => [
            m[1]!,
            m[2]!,
          ]),
        ),
      },
    });
    expect(placeholder.status).toBe(2);
    expect(placeholder.stderr).toMatch(/still the placeholder of env\.example/);
    fs.writeFileSync(envFile, envText(`BACKUP_PASSPHRASE='${passphrase}'`), { mode: 0o600 });

    // db-backup on PATH is a wrapper that says it started, then waits for a go-ahead before it
    // runs the real (bundled) CLI: the first run is then certainly holding the lock.
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    const started = path.join(dir, 'started');
    const go = path.join(dir, 'go');
    fs.writeFileSync(
      path.join(bin, 'db-backup'),
      [
        '#!/bin/sh',
        `: >"${started}"`,
        'i=0',
        `while [ ! -e "${go}" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done`,
        `exec "${process.execPath}" "${BUNDLED_CLI}" "$@"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );

    // The command line as written; only the values of the file's variables point here.
    const command = crontab.command;
    const env = {
      SHELL: crontab.variables.SHELL!,
      PATH: `${bin}:${crontab.variables.PATH}`,
      HOME: dir,
      DB_BACKUP_ENV: envFile,
      DB_BACKUP_LOG: path.join(logs, 'backup.log'),
      DB_BACKUP_LOCK: path.join(dir, 'db-backup.lock'),
    };
    const runCron = () => {
      const child = spawn(env.SHELL, ['-c', command], { env, cwd: dir });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const done = new Promise<{ status: number | null; stderr: string }>((resolve) =>
        child.on('exit', (status) => resolve({ status, stderr })),
      );
      return done;
    };

    const first = runCron();
    for (let i = 0; i < 600 && !fs.existsSync(started); i += 1)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fs.existsSync(started)).toBe(true);

    // While it runs, no process shows the passphrase or the database URL in its arguments.
    for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      let args: string;
      try {
        args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue; // the process ended meanwhile
      }
      expect(args).not.toContain(passphrase);
      expect(args).not.toContain(databaseUrl);
    }

    fs.rmSync(started);
    const second = await runCron();
    expect(second.stderr).toMatch(
      /^db-backup: the nightly backup did not run: the last one was still running \(exit status 75\); see /,
    );
    expect(fs.existsSync(started)).toBe(false);

    fs.writeFileSync(go, '');
    const firstDone = await first;
    expect(firstDone.status, firstDone.stderr).toBe(0);
    expect(firstDone.stderr).toBe('');

    const made = fs.readdirSync(backups).filter((name) => !name.endsWith('.json'));
    expect(made).toHaveLength(1);
    expect(made[0]).toMatch(/^sqlite_backup_\d{8}_\d{6}\.db\.gz\.gpg$/);
    expect(fs.statSync(path.join(backups, made[0]!)).mode & 0o777).toBe(0o600);

    // gpg opens it with the passphrase from the environment file: it was read as written.
    const gpg = new GpgHome('cron');
    const passFile = path.join(dir, 'pass');
    fs.writeFileSync(passFile, passphrase, { mode: 0o600 });
    const gz = path.join(dir, 'restored.db.gz');
    gpg.run([
      '--passphrase-file',
      passFile,
      '--output',
      gz,
      '--decrypt',
      path.join(backups, made[0]!),
    ]);
    const restored = path.join(dir, 'restored.db');
    fs.writeFileSync(restored, spawnSync('gunzip', ['-c', gz]).stdout);
    expect(dumpRows(restored)).toEqual(expected);

    const log = fs.readFileSync(env.DB_BACKUP_LOG, 'utf8');
    expect(log).toContain(made[0]);
    expect(log).not.toContain(passphrase);
    expect(log).not.toContain(databaseUrl);

    // The lock went with the first run: the next night runs.
    const third = await runCron();
    expect(third.status, third.stderr).toBe(0);

    // Without db-backup on cron's PATH (a Node.js installed for one user only), the mail says so:
    // no log can.
    const missing = spawnSync(env.SHELL, ['-c', command], {
      env: { ...env, PATH: crontab.variables.PATH! },
      cwd: dir,
      encoding: 'utf8',
    });
    expect(missing.stderr).toBe(
      `db-backup: the nightly backup did not run: db-backup, its node or flock is not on cron's PATH (${crontab.variables.PATH}): install them there or change PATH above (exit status 127); see ${env.DB_BACKUP_LOG}\n`,
    );
    // Any other failure points to the log, which says why.
    fs.writeFileSync(envFile, envText(`BACKUP_PASSPHRASE='short'`), { mode: 0o600 });
    const failed = await runCron();
    expect(failed.stderr).toMatch(
      /^db-backup: the nightly backup did not run: it failed \(if the log has no line of this run, run the line by hand to see why\) \(exit status 2\); see /,
    );
    expect(fs.readFileSync(env.DB_BACKUP_LOG, 'utf8')).toMatch(
      /ERROR backup\[\d+\]: failed \(exit 2\): The encryption passphrase is shorter/,
    );
    const { stdout } = await cli(['list', '--json', '--backup-dir', backups], {
      cwd: dir,
      env: { PATH: process.env.PATH, DATABASE_URL: `file:${db}` },
    });
    expect(JSON.parse(stdout).backups).toHaveLength(2);
  }, 120_000);
});

describe('several databases, as the README sets them up', () => {
  test('one environment file and one copy of the crontab each, run at once: each keeps its own window, status judges each', async () => {
    const dir = tempDir('cron-several');
    const backups = path.join(dir, 'backups');
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(
      path.join(bin, 'db-backup'),
      `#!/bin/sh\nexec "${process.execPath}" "${BUNDLED_CLI}" "$@"\n`,
      { mode: 0o755 },
    );
    // Two SQLite databases, each with the env.example its own DATABASE_URL and BACKUP_NAME.
    const databases = ['app', 'shop'].map((name) => {
      const db = path.join(dir, `${name}.db`);
      createSampleDatabase(db, { rows: 5 });
      const envFile = path.join(dir, `${name}.env`);
      fs.writeFileSync(
        envFile,
        read('env.example')
          .replace(/^DATABASE_URL=.*$/m, `DATABASE_URL='file:${db}'`)
          .replace(/^BACKUP_DIR=.*$/m, `BACKUP_DIR='${backups}'`)
          .replace(/^MAX_BACKUPS=.*$/m, `MAX_BACKUPS='2'`)
          .replace(
            /^BACKUP_PASSPHRASE=.*$/m,
            `BACKUP_PASSPHRASE='the ${name} passphrase, long enough'`,
          )
          .replace(/^# BACKUP_NAME=.*$/m, `BACKUP_NAME='${name}'`),
        { mode: 0o600 },
      );
      return {
        name,
        env: {
          SHELL: crontab.variables.SHELL!,
          PATH: `${bin}:${crontab.variables.PATH}`,
          HOME: dir,
          DB_BACKUP_ENV: envFile,
          DB_BACKUP_LOG: path.join(dir, `${name}.log`),
          DB_BACKUP_LOCK: path.join(dir, `${name}.lock`),
        },
      };
    });
    const runCron = (env: Record<string, string>) =>
      new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn(env.SHELL!, ['-c', crontab.command], { env, cwd: dir });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('exit', (status) => resolve({ status, stderr }));
      });
    for (let night = 0; night < 3; night += 1) {
      const runs = await Promise.all(databases.map((database) => runCron(database.env)));
      for (const run of runs) expect([run.status, run.stderr]).toEqual([0, '']);
      // Backups are named to the second: the next night is a second later at least.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
    }
    for (const { name } of databases) {
      const kept = fs
        .readdirSync(backups)
        .filter((n) => n.startsWith(`sqlite_${name}_backup_`) && n.endsWith('.db.gz.gpg'));
      expect(kept, name).toHaveLength(2);
    }
    const status = await cli(['status', '--backup-dir', backups], {
      cwd: dir,
      env: { PATH: process.env.PATH },
    });
    expect(status.status, status.stdout).toBe(0);
    expect(status.stdout).toMatch(/^OK: 2 databases: /);
  }, 120_000);
});

describe('the systemd units', () => {
  const service = parseUnit(read('db-backup.service'));
  const timer = parseUnit(read('db-backup.timer'));

  test('a oneshot service as the backup user, hardened, with the crontab environment file; a persistent nightly timer', () => {
    const s = service.Service!;
    expect(s.Type).toEqual(['oneshot']);
    expect(s.User).toEqual(['db-backup']);
    expect(s.EnvironmentFile).toEqual([crontab.variables.DB_BACKUP_ENV]);
    expect(s.ExecStart).toEqual([
      `/usr/local/bin/db-backup backup --log-file ${crontab.variables.DB_BACKUP_LOG}`,
    ]);
    expect(s.LogsDirectory).toEqual([
      path.basename(path.dirname(crontab.variables.DB_BACKUP_LOG!)),
    ]);
    // BACKUP_DIR of the example environment file lies in the StateDirectory, which systemd
    // creates for the user and leaves writable under ProtectSystem=strict.
    expect(read('env.example')).toContain(`BACKUP_DIR='/var/lib/${s.StateDirectory![0]}/backups'`);
    for (const [key, value] of Object.entries({
      UMask: '0077',
      ProtectSystem: 'strict',
      PrivateTmp: 'yes',
      NoNewPrivileges: 'yes',
      ProtectHome: 'yes',
    })) {
      expect(s[key], key).toEqual([value]);
    }
    expect(s.RestrictAddressFamilies?.[0]).toContain('AF_UNIX');
    expect(timer.Timer?.Persistent).toEqual(['yes']);
    expect(timer.Timer?.OnCalendar).toEqual(['*-*-* 02:17:00']);
    expect(timer.Timer?.Unit).toBeUndefined();
    expect(timer.Install?.WantedBy).toEqual(['timers.target']);
  });

  const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;

  test.skipIf(!analyze)('systemd-analyze verify reports nothing, and rates the service OK', () => {
    const dir = tempDir('units');
    // verify checks that ExecStart exists; /usr/local/bin/db-backup is where `npm install -g`
    // puts it, which this machine does not have: stand /bin/true in for it.
    fs.writeFileSync(
      path.join(dir, 'db-backup.service'),
      read('db-backup.service').replace(
        /^ExecStart=\/usr\/local\/bin\/db-backup/m,
        'ExecStart=/bin/true',
      ),
    );
    fs.writeFileSync(path.join(dir, 'db-backup.timer'), read('db-backup.timer'));
    const verify = spawnSync(
      'systemd-analyze',
      ['verify', path.join(dir, 'db-backup.timer'), path.join(dir, 'db-backup.service')],
      { encoding: 'utf8' },
    );
    expect(verify.status, verify.stderr).toBe(0);
    expect(verify.stderr).toBe('');
    const security = spawnSync(
      'systemd-analyze',
      ['security', '--offline=true', path.join(dir, 'db-backup.service')],
      { encoding: 'utf8' },
    );
    const level = /Overall exposure level for db-backup\.service: ([\d.]+)/.exec(
      `${security.stdout}${security.stderr}`,
    );
    expect(level, security.stderr).not.toBeNull();
    expect(Number(level![1])).toBeLessThan(3);
  });
});

describe('the README', () => {
  test('has the server section with the recipes, for SQLite and PostgreSQL, up to a restore test', () => {
    const start = readme.indexOf('## Nightly backups on a server');
    expect(start).toBeGreaterThan(0);
    const section = readme.slice(start, readme.indexOf('\n## ', start + 10));
    for (const needed of [
      'examples/cron/crontab',
      'examples/cron/db-backup.service',
      'examples/cron/db-backup.timer',
      'examples/cron/env.example',
      'npm install -g',
      'flock',
      'db-backup verify latest',
      'db-backup restore',
      'SQLite',
      'PostgreSQL',
    ]) {
      expect(section, needed).toContain(needed);
    }
  });
});
