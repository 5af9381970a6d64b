import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseSanitizeTargets } from '../src/config/sanitize-config.js';
import { runBundledAction } from './support/runner.js';
import { createSampleDatabase } from './support/sqlite.js';
import { tempDir } from './support/tmp.js';

const SALT = 'action-salt-for-the-dev-copy-42';

describe('sanitize-storage targets', () => {
  const settings = {
    's3-bucket': 'prod-backups',
    's3-prefix': 'shop',
    's3-region': 'eu-central-1',
    'gcs-bucket': 'prod',
    'azure-container': 'prod',
    'azure-connection-string': 'UseDevelopmentStorage=true',
    'artifact-prefix': 'prod-',
    repository: 'acme/shop',
    'github-token': 't',
  };

  test('each target gets a place of its own, with the regular settings otherwise', () => {
    const targets = parseSanitizeTargets(
      'local, local:dev-copies, artifact:dev-, s3://dev-snapshots/shop/dev, gcs://dev-bucket, azure://dev/x',
      settings,
      '/work',
      '/work/backups',
    );
    expect(targets.map((t) => t.id)).toEqual(['local', 'local', 'artifact', 's3', 'gcs', 'azure']);
    expect(targets[0]!.settings.backupDir).toBe('/work/backups');
    expect(targets[1]!.settings.backupDir).toBe('/work/dev-copies');
    expect(targets[2]!.settings.artifact().prefix).toBe('dev-');
    expect(targets[3]!.settings.s3()).toMatchObject({
      bucket: 'dev-snapshots',
      prefix: 'shop/dev',
      region: 'eu-central-1',
    });
    expect(targets[4]!.settings.gcs()).toEqual({ bucket: 'dev-bucket', prefix: '' });
    expect(targets[5]!.settings.azure()).toMatchObject({ container: 'dev', prefix: 'x' });
  });

  test.each(['ftp://x', 's3:/bucket', 'dropbox'])(
    '%s is refused with the forms it takes',
    (spec) => {
      expect(() => parseSanitizeTargets(spec, settings, '/work', '/work/backups')).toThrow(
        /sanitize-storage: ".*" is not a target: use local, local:DIR, artifact/,
      );
    },
  );
});

describe('the bundled action with sanitize', () => {
  test('a sanitized SQLite copy: outputs, the summary says what was masked, the salt is masked', () => {
    const dir = tempDir('action-sanitize');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 20 });
    fs.writeFileSync(
      path.join(dir, 'sanitize.yml'),
      'tables:\n  users:\n    columns: { email: email, name: name }\n',
    );
    const run = runBundledAction(
      {
        command: 'backup',
        'database-url': 'file:./app.db',
        sanitize: 'sanitize.yml',
        'sanitize-salt': SALT,
      },
      { cwd: dir },
    );
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.outputs['backup-name']).toMatch(/^sqlite_sanitized_\d{8}_\d{6}\.db\.gz$/);
    expect(run.summary).toMatch(/### Sanitized copy/);
    expect(run.summary).toMatch(/2 columns masked \(`users\.email`, `users\.name`\)/);
    // The sample's created_at is a date (not personal); nothing else looks personal.
    expect(run.summary).not.toMatch(/look personal/);
    const lines = `${run.stdout}\n${run.stderr}\n${run.summary}`.split('\n');
    expect(lines.filter((line) => line.includes(SALT))).toEqual([`::add-mask::${SALT}`]);
  });

  test('without a salt the step fails before anything is written', () => {
    const dir = tempDir('action-sanitize-nosalt');
    createSampleDatabase(path.join(dir, 'app.db'), { rows: 5 });
    fs.writeFileSync(path.join(dir, 'sanitize.yml'), 'tables:\n  users: { rows: truncate }\n');
    const run = runBundledAction(
      { command: 'backup', 'database-url': 'file:./app.db', sanitize: 'sanitize.yml' },
      { cwd: dir },
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/::error::sanitize needs a salt/);
    expect(fs.existsSync(path.join(dir, 'backups'))).toBe(false);
  });
});
