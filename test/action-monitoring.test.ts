import path from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { startArtifactStandin, type ArtifactStandin } from './support/artifact-standin.js';
import { startAzurite } from './support/azurite.js';
import { jsonOf, startReceiver, type Answer, type Receiver } from './support/receivers.js';
import { runBundledActionAsync } from './support/runner.js';
import { createSampleDatabase } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

const TOKEN = 'ActionHookToken0123456789abcdef';

const receivers: Receiver[] = [];
async function receiver(answer?: () => Answer): Promise<Receiver> {
  const started = await startReceiver(answer);
  receivers.push(started);
  return started;
}
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
});

function project(): string {
  const dir = tempDir('action-monitoring');
  createSampleDatabase(path.join(dir, 'app.db'), { rows: 8 });
  return dir;
}

/** The `::group::` titles of a run's log, in order. */
function groups(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('::group::'))
    .map((line) => line.slice('::group::'.length));
}

describe('the bundled action: phases, notice, notifications, job summary', () => {
  test('a backup reads in groups, leaves a notice, and notifies; the webhook URL is masked first', async () => {
    const dir = project();
    const hook = await receiver();
    const ping = await receiver();
    const run = await runBundledActionAsync(
      {
        command: 'backup',
        'database-url': 'file:./app.db',
        'notify-url': `${hook.url}/hook/${TOKEN}`,
        'ping-url': `${ping.url}/ping/${TOKEN}`,
      },
      {
        cwd: dir,
        env: {
          GITHUB_SERVER_URL: 'https://github.com',
          GITHUB_REPOSITORY: 'octo/app',
          GITHUB_RUN_ID: '77',
        },
      },
    );
    expect(run.status, run.stdout).toBe(0);
    expect(groups(run.stdout)).toEqual([
      `Dump sqlite:${path.join(dir, 'app.db')}`,
      'Rolling window at local',
      'Notify',
    ]);
    // Groups are closed, never nested.
    expect(run.stdout.match(/^::group::/gm)).toHaveLength(
      run.stdout.match(/^::endgroup::/gm)!.length,
    );
    const name = run.outputs['backup-name']!;
    expect(run.stdout).toMatch(
      new RegExp(
        `^::notice title=db-backup::Backed up sqlite:.*app\\.db: ${name.replace(/\./g, '\\.')} \\(\\d.* KiB\\), stored at local$`,
        'm',
      ),
    );
    const lines = run.stdout.split('\n');
    const firstMention = lines.findIndex((l) => l.includes(TOKEN));
    expect(lines[firstMention]).toMatch(/^::add-mask::/);
    expect(lines.filter((l) => !l.startsWith('::add-mask::')).join('\n')).not.toContain(TOKEN);
    expect(run.summary).not.toContain(TOKEN);
    const body = jsonOf(hook.received[0]);
    expect(body).toMatchObject({
      event: 'success',
      backup: name,
      runUrl: 'https://github.com/octo/app/actions/runs/77',
    });
    expect(ping.received.map((q) => q.path)).toEqual([`/ping/${TOKEN}/start`, `/ping/${TOKEN}`]);
    expect(run.outputs['artifact-id']).toBe('');
    expect(run.outputs['artifact-url']).toBe('');
  });

  test('a failing receiver leaves the step green, with a warning annotation and a note in the summary', async () => {
    const dir = project();
    const hook = await receiver(() => ({ status: 503, body: 'down' }));
    const run = await runBundledActionAsync(
      {
        command: 'backup',
        'database-url': 'file:./app.db',
        'notify-url': `${hook.url}/hook/${TOKEN}`,
      },
      { cwd: dir },
    );
    expect(run.status, run.stdout).toBe(0);
    expect(run.stdout).not.toMatch(/^::error::/m);
    expect(run.stdout).toMatch(
      /^::warning::the generic notification to http:\/\/127\.0\.0\.1:\d+\/… failed: 503 Service Unavailable: down \(2 attempts\)$/m,
    );
    expect(run.summary).toMatch(/## Database backup/);
    expect(run.summary).toMatch(/> \[!WARNING\]\n> the generic notification to .* failed: 503/);
  });

  test('job-summary: false writes no summary; the outputs are still set', async () => {
    const dir = project();
    const run = await runBundledActionAsync(
      { command: 'backup', 'database-url': 'file:./app.db', 'job-summary': 'false' },
      { cwd: dir },
    );
    expect(run.status, run.stdout).toBe(0);
    expect(run.summary).toBe('');
    expect(run.outputs['backup-name']).toMatch(/^sqlite_backup_/);
    const failed = await runBundledActionAsync(
      { command: 'backup', 'database-url': 'file:./missing.db', 'job-summary': 'false' },
      { cwd: dir },
    );
    expect(failed.status).toBe(1);
    expect(failed.summary).toBe('');
  });

  test('a refused job notifies its failure and fails the step with one error', async () => {
    const dir = project();
    const hook = await receiver();
    const run = await runBundledActionAsync(
      {
        command: 'backup',
        'database-url': 'file:./missing.db',
        'notify-url': `${hook.url}/hook/${TOKEN}`,
      },
      { cwd: dir },
    );
    expect(run.status).toBe(1);
    expect(run.stdout.split('\n').filter((l) => l.startsWith('::error::'))).toHaveLength(1);
    expect(jsonOf(hook.received[0])).toMatchObject({
      event: 'failure',
      error: expect.stringMatching(/missing\.db does not exist/),
    });
  });

  test('command: status sets its outputs and fails the step unless ok', async () => {
    const dir = project();
    const none = await runBundledActionAsync({ command: 'status' }, { cwd: dir });
    expect(none.status).toBe(1);
    expect(none.outputs).toMatchObject({
      status: 'no-backup',
      'backup-name': '',
      'backup-age-seconds': '',
    });
    expect(none.stdout).toMatch(/^::error::NO BACKUP: there is no backup at /m);
    expect(none.summary).toMatch(/## Backup status: ❌ no-backup/);
    expect(
      (
        await runBundledActionAsync(
          { command: 'backup', 'database-url': 'file:./app.db' },
          { cwd: dir },
        )
      ).status,
    ).toBe(0);
    const fresh = await runBundledActionAsync({ command: 'status', 'max-age': '1h' }, { cwd: dir });
    expect(fresh.status, fresh.stdout).toBe(0);
    expect(fresh.outputs.status).toBe('ok');
    expect(fresh.outputs['backup-name']).toMatch(/^sqlite_backup_/);
    expect(Number(fresh.outputs['backup-age-seconds'])).toBeGreaterThanOrEqual(0);
    const unverified = await runBundledActionAsync(
      { command: 'status', 'verified-within': '7d' },
      { cwd: dir },
    );
    expect(unverified.status).toBe(1);
    expect(unverified.outputs.status).toBe('unverified');
  });
});

describe('the bundled action with the artifact target', () => {
  let services: { standin: ArtifactStandin; stop: () => Promise<void> } | undefined;
  afterAll(async () => {
    await services?.stop();
  });

  test('artifact-id and artifact-url; verify records beside the artifact; status reads them', async () => {
    const azurite = await startAzurite();
    const standin = await startArtifactStandin(azurite);
    services = { standin, stop: async () => (await standin.close(), await azurite.stop()) };
    const token = 'ghs_action_monitoring_token';
    standin.grant(token, { read: true, write: true });
    const repository = 'octo/monitored';
    const dir = project();
    const inRun = (): Record<string, string> => ({
      ...standin.startRun(repository).env,
      GITHUB_TOKEN: token,
    });

    const backupRun = inRun();
    const backup = await runBundledActionAsync(
      {
        command: 'backup',
        'database-url': 'file:./app.db',
        storage: 'artifact',
        'github-token': token,
      },
      { cwd: dir, env: backupRun },
    );
    expect(backup.status, backup.stdout).toBe(0);
    const [artifact] = standin
      .artifacts(repository)
      .filter((a) => a.name === backup.outputs['backup-name']);
    expect(backup.outputs['artifact-id']).toBe(String(artifact!.id));
    expect(backup.outputs['artifact-url']).toBe(
      `https://github.com/${repository}/actions/runs/${backupRun.GITHUB_RUN_ID}/artifacts/${artifact!.id}`,
    );
    expect(groups(backup.stdout)).toEqual([
      `Dump sqlite:${path.join(dir, 'app.db')}`,
      `Store at artifact: GitHub artifacts of ${repository}`,
      'Rolling window at artifact',
    ]);

    const verify = await runBundledActionAsync(
      {
        command: 'verify',
        from: 'artifact',
        'database-url': 'file:./app.db',
        'github-token': token,
      },
      { cwd: dir, env: inRun() },
    );
    expect(verify.status, verify.stdout).toBe(0);
    const name = backup.outputs['backup-name']!;
    expect(groups(verify.stdout)).toEqual([
      `Fetch ${name} from artifact`,
      `Check ${name}: checksum, decryption and decompression`,
      'Test restore into a scratch sqlite database',
      'Record the verification',
    ]);
    expect(standin.artifacts(repository).map((a) => a.name)).toContainEqual(
      expect.stringMatching(
        new RegExp(`^${name.replace(/\./g, '\\.')}\\.verified_\\d{8}_\\d{6}\\.json$`),
      ),
    );
    expect(verify.summary).toMatch(
      /Recorded as `.*\.verified_\d{8}_\d{6}\.json` beside the backup\./,
    );

    const status = await runBundledActionAsync(
      { command: 'status', from: 'artifact', 'verified-within': '1d', 'github-token': token },
      { cwd: dir, env: inRun() },
    );
    expect(status.status, status.stdout).toBe(0);
    expect(status.outputs.status).toBe('ok');
    expect(Number(status.outputs['verified-age-seconds'])).toBeGreaterThanOrEqual(0);
  });
});
