import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT } from './support/cli.js';
import { execFileSync } from 'node:child_process';
import { parse } from 'yaml';
import { optionsFor, type CommandName } from '../src/config/options.js';
import {
  ACTIONLINT_LAGS,
  actionlint,
  actionlintRaw,
  githubParserErrors,
} from './support/workflow-linters.js';
import {
  actionInterfaceProblems,
  callProblems,
  checkoutsKeepingCredentials,
  concurrencyGroups,
  expressionsInRunScripts,
  interfaceProblems,
  localCallees,
  permissionProblems,
  readActionInterface,
  readWorkflow,
  restoreConfirmationProblems,
  selfReferenceProblems,
  unpinnedReferences,
  workflowCall,
  workflowFromText,
  type WorkflowFile,
} from './support/workflow-rules.js';

const yamlFiles = (dir: string): string[] =>
  fs
    .readdirSync(path.join(REPO_ROOT, dir))
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => `${dir}/${name}`);

const WORKFLOW_FILES = [...yamlFiles('.github/workflows'), ...yamlFiles('examples/workflows')];
const workflows = WORKFLOW_FILES.map((file) => readWorkflow(REPO_ROOT, file));
const action = readActionInterface(REPO_ROOT);
const callees = localCallees(REPO_ROOT);
const byPath = (file: string): WorkflowFile => workflows.find((w) => w.path === file)!;

/** test.each over every workflow file, by path. */
const eachWorkflow = test.each(workflows.map((workflow) => [workflow.path, workflow] as const));

describe('the workflow files', () => {
  test('are the reusable workflows, CI and the examples', () => {
    expect(yamlFiles('.github/workflows')).toEqual(
      ['backup', 'ci', 'restore', 'verify'].map((n) => `.github/workflows/${n}.yml`),
    );
    expect(yamlFiles('examples/workflows')).toEqual(
      [
        'backup-several-databases',
        'backup-to-artifact',
        'backup-to-azure-oidc',
        'backup-to-gcs-oidc',
        'backup-to-s3-oidc',
        'deploy-with-backup',
        'monthly-verify',
        'nightly-backup',
        'nightly-dev-copy',
        'restore-on-dispatch',
      ].map((n) => `examples/workflows/${n}.yml`),
    );
  });

  eachWorkflow('%s: actionlint reports nothing', async (file, workflow) => {
    expect(await actionlint(workflow.text, file)).toEqual([]);
  });

  test("GitHub's parser reports no error in any workflow, nor in action.yml against the action schema", () => {
    const requests = [
      ...workflows.map((w) => ({ kind: 'workflow' as const, name: w.path, content: w.text })),
      {
        kind: 'action' as const,
        name: 'action.yml',
        content: fs.readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8'),
      },
    ];
    const errors = githubParserErrors(requests);
    expect(Object.fromEntries(requests.map((r, i) => [r.name, errors[i]]))).toEqual(
      Object.fromEntries(requests.map((r) => [r.name, []])),
    );
  });

  eachWorkflow('%s: no ${{ }} inside a run: script', (_file, workflow) => {
    expect(expressionsInRunScripts(workflow)).toEqual([]);
  });

  eachWorkflow(
    '%s: third-party actions are pinned to a commit SHA with a version comment',
    (_file, workflow) => {
      expect(unpinnedReferences(workflow)).toEqual([]);
    },
  );

  eachWorkflow('%s: explicit, least permissions per job', (_file, workflow) => {
    expect(permissionProblems(workflow, callees)).toEqual([]);
  });

  eachWorkflow('%s: every checkout has persist-credentials: false', (_file, workflow) => {
    expect(checkoutsKeepingCredentials(workflow)).toEqual([]);
  });

  eachWorkflow("%s: only the action's own inputs and outputs", (_file, workflow) => {
    expect(actionInterfaceProblems(workflow, action)).toEqual([]);
  });

  eachWorkflow('%s: declared inputs and secrets are described and used', (_file, workflow) => {
    expect(interfaceProblems(workflow)).toEqual([]);
  });

  eachWorkflow(
    '%s: calls give what the called workflow declares and requires',
    (_file, workflow) => {
      expect(callProblems(workflow, callees)).toEqual([]);
    },
  );
});

describe('the reusable workflows', () => {
  test.each(['backup', 'restore', 'verify'])(
    '%s.yml is called with workflow_call and calls the action',
    (name) => {
      const workflow = byPath(`.github/workflows/${name}.yml`);
      expect(workflowCall(workflow.doc)).toBeDefined();
      const steps = Object.values(workflow.doc.jobs ?? {}).flatMap((job) => job.steps ?? []);
      const actionSteps = steps.filter((step) => step.with?.command !== undefined);
      expect(actionSteps.length).toBeGreaterThan(0);
      // The action from this repository at the commit the caller pinned, never by owner or tag.
      for (const step of actionSteps) expect(step.uses).toBe('$/');
      expect(workflow.text).not.toMatch(/db-backup-action@/);
    },
  );

  test('backup.yml stores in artifacts by default and outputs what the action reports', () => {
    const call = workflowCall(byPath('.github/workflows/backup.yml').doc)!;
    expect(call.inputs?.storage?.default).toBe('artifact');
    expect(call.secrets?.['database-url']?.required).toBe(true);
    for (const output of ['backup-name', 'size-bytes', 'sha256']) {
      expect(call.outputs?.[output]?.value).toBe(`\${{ jobs.backup.outputs.${output} }}`);
    }
  });

  test.each(['backup', 'restore', 'verify'])(
    '%s.yml passes format, compression and jobs through to the action wherever its command takes them',
    (name) => {
      const workflow = byPath(`.github/workflows/${name}.yml`);
      const declared = workflowCall(workflow.doc)!.inputs ?? {};
      const steps = Object.values(workflow.doc.jobs ?? {}).flatMap((job) => job.steps ?? []);
      const postgresSteps = steps.filter(
        (step) =>
          step.with?.command !== undefined &&
          !String(step.with['database-url']).startsWith('file:'),
      );
      expect(postgresSteps.length).toBeGreaterThan(0);
      for (const step of postgresSteps) {
        const command = String(step.with!.command) as CommandName;
        const taken = new Set(optionsFor(command).map((option) => option.name));
        for (const input of ['format', 'compression', 'jobs'].filter((n) => taken.has(n))) {
          expect(declared[input], `${name}.yml declares ${input}`).toBeDefined();
          expect(step.with![input], `${name}.yml passes ${input}`).toBe(`\${{ inputs.${input} }}`);
        }
      }
    },
  );

  test('restore.yml cannot start without its confirmation and runs one restore at a time', () => {
    expect(restoreConfirmationProblems(byPath('.github/workflows/restore.yml'))).toEqual([]);
  });

  test('verify.yml has a PostgreSQL job with a health-checked service container and a SQLite job without one', () => {
    const { jobs } = byPath('.github/workflows/verify.yml').doc as {
      jobs: Record<
        string,
        { if: string; services?: Record<string, { image: string; options: string }> }
      >;
    };
    const postgres = jobs['verify-postgres']!;
    const sqlite = jobs['verify-sqlite']!;
    expect(postgres.services?.postgres?.image).toBe('${{ inputs.postgres-image }}');
    expect(postgres.services?.postgres?.options).toMatch(/--health-cmd "pg_isready/);
    expect(sqlite.services).toBeUndefined();
    // Exactly one of the two runs.
    expect(postgres.if).toBe(sqlite.if.replace(/^\$\{\{ (.*) \}\}$/, '${{ !($1) }}'));
  });

  test('README.md names every input, secret and output, and the pins the workflows use', () => {
    const docs = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    for (const name of ['backup', 'restore', 'verify']) {
      const call = workflowCall(byPath(`.github/workflows/${name}.yml`).doc)!;
      for (const kind of ['inputs', 'secrets', 'outputs'] as const) {
        for (const key of Object.keys(call[kind] ?? {})) {
          expect(docs, `${name}.yml ${kind}.${key}`).toContain(`\`${key}\``);
        }
      }
    }
    const pinsIn = (text: string): string[] =>
      [...text.matchAll(/\b([\w-]+\/[\w-]+)@([0-9a-f]{40})\b/g)].map((m) => `${m[1]}@${m[2]}`);
    const used = new Set(workflows.flatMap((w) => pinsIn(w.text)));
    for (const pin of pinsIn(docs)) expect(used, pin).toContain(pin);
  });

  test('the examples call the workflows the way another repository does: by owner, at a commit SHA', () => {
    for (const workflow of workflows.filter((w) => w.path.startsWith('examples/'))) {
      for (const job of Object.values(workflow.doc.jobs ?? {})) {
        // <owner> and <commit-sha> are the caller's to fill in: neither can resolve as written,
        // so a copy nobody edited fails at once instead of running someone else's code.
        if (job.uses)
          expect(job.uses, workflow.path).toMatch(
            /^<owner>\/db-backup-action\/\.github\/workflows\/\w+\.yml@<commit-sha>$/,
          );
      }
      expect(workflow.text, workflow.path).toMatch(/# <owner>: .*\n.*# <commit-sha>: /);
    }
  });

  test('no file names a placeholder owner that someone could register', () => {
    const placeholder = ['your', 'org'].join('-');
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    })
      .split('\n')
      .filter(
        (file) => file && !file.startsWith('dist/') && fs.existsSync(path.join(REPO_ROOT, file)),
      )
      .filter((file) => /\.(ya?ml|md|ts|mjs|js|json|sh)$|^\.ci\//.test(file));
    for (const file of files) {
      expect(fs.readFileSync(path.join(REPO_ROOT, file), 'utf8'), file).not.toContain(placeholder);
    }
  });

  eachWorkflow(
    '%s: every $/ reference names something here, and only documented job.workflow_* are read',
    (_file, workflow) => {
      expect(selfReferenceProblems(workflow, REPO_ROOT)).toEqual([]);
    },
  );

  test('backup.yml and verify.yml share one concurrency group per place the backups live, and never cancel a run', () => {
    const groups = [
      ...Object.values(concurrencyGroups(byPath('.github/workflows/backup.yml'))),
      ...Object.values(concurrencyGroups(byPath('.github/workflows/verify.yml'))),
    ];
    expect(groups).toHaveLength(3);
    for (const { group, cancel } of groups) {
      expect(group).toBe(groups[0]!.group);
      expect(cancel).toBe(false);
    }
    for (const input of [
      'artifact-prefix',
      's3-bucket',
      's3-prefix',
      'gcs-bucket',
      'gcs-prefix',
      'azure-container',
      'azure-prefix',
    ]) {
      expect(groups[0]!.group).toContain(`inputs.${input}`);
    }
    // A group may use inputs, never secrets (GitHub cannot evaluate them there).
    expect(groups[0]!.group).not.toContain('secrets.');
  });

  test('each job names the commit of db-backup-action it runs, from the job context', () => {
    for (const name of ['backup', 'restore', 'verify']) {
      const workflow = byPath(`.github/workflows/${name}.yml`);
      for (const [jobId, job] of Object.entries(workflow.doc.jobs ?? {})) {
        const step = job.steps?.find((s) => s.name === 'Name the db-backup-action commit');
        expect(step?.env, `${name}.yml ${jobId}`).toEqual({
          WORKFLOW_REPOSITORY: '${{ job.workflow_repository }}',
          WORKFLOW_SHA: '${{ job.workflow_sha }}',
        });
      }
    }
  });

  test('Dependabot keeps the pinned actions and the npm packages current', () => {
    const config = parse(
      fs.readFileSync(path.join(REPO_ROOT, '.github/dependabot.yml'), 'utf8'),
    ) as {
      version: number;
      updates: {
        'package-ecosystem': string;
        directory: string;
        schedule: { interval: string };
        cooldown?: { 'default-days': number };
      }[];
    };
    expect(config.version).toBe(2);
    const ecosystems = config.updates.map((u) => `${u['package-ecosystem']} ${u.directory}`);
    expect(ecosystems.sort()).toEqual(['github-actions /', 'npm /']);
    for (const update of config.updates) {
      expect(['daily', 'weekly', 'monthly']).toContain(update.schedule.interval);
      // A few days before taking a release: time for a compromised one to be noticed.
      expect(update.cooldown?.['default-days']).toBeGreaterThanOrEqual(3);
    }
    // What Dependabot bumps in .github/workflows is what the examples must pin too.
    const pinsIn = (text: string): Map<string, string> =>
      new Map(
        [...text.matchAll(/\buses: ([\w-]+\/[\w-]+)@([0-9a-f]{40})\b/g)].map((m) => [m[1]!, m[2]!]),
      );
    const ours = new Map(
      workflows.filter((w) => w.path.startsWith('.github/')).flatMap((w) => [...pinsIn(w.text)]),
    );
    for (const example of workflows.filter((w) => w.path.startsWith('examples/'))) {
      for (const [action, sha] of pinsIn(example.text)) {
        expect(`${action}@${sha}`, example.path).toBe(`${action}@${ours.get(action)}`);
      }
    }
  });

  test('the README says where the reusable workflows run and what to do elsewhere', () => {
    const docs = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const section = docs.slice(
      docs.indexOf('## Reusable workflows'),
      docs.indexOf('### Permissions the calling job grants'),
    );
    for (const needed of [
      '`$/`',
      '2.336.0',
      'GitHub Enterprise Server',
      'job.workflow_sha',
      '<commit-sha>',
    ]) {
      expect(section, needed).toContain(needed);
    }
  });

  test('CI backs up, verifies and restores PostgreSQL and SQLite with the action from the commit', () => {
    const ci = byPath('.github/workflows/ci.yml').doc;
    expect(Object.keys(ci.jobs ?? {})).toEqual([
      'checks',
      'test',
      'dist',
      'end-to-end',
      'reusable-backup',
      'reusable-verify',
    ]);
    // The reusable workflows of this commit, called as a caller calls them, then verified.
    expect(ci.jobs?.['reusable-backup']?.uses).toBe('$/.github/workflows/backup.yml');
    expect(ci.jobs?.['reusable-verify']?.uses).toBe('$/.github/workflows/verify.yml');
    expect(ci.jobs?.['reusable-verify']?.with?.backup).toBe(
      '${{ needs.reusable-backup.outputs.backup-name }}',
    );
    const steps = ci.jobs?.['end-to-end']?.steps ?? [];
    const runs = steps
      .filter((s) => s.uses === './')
      .map((s) => `${String(s.with?.command)} ${String(s.with?.['database-url']).split(':')[0]}`);
    for (const command of ['backup', 'verify', 'restore']) {
      expect(runs).toContain(`${command} postgres`);
      expect(runs).toContain(`${command} file`);
    }
    expect(ci.jobs?.dist?.steps?.map((s) => s.run ?? '').join('\n')).toMatch(
      /npm run package[\s\S]*git diff --exit-code/,
    );
  });
});

// Each rule must be able to fail: a bad snippet per rule.
describe('the rules catch what they are for', () => {
  const job = (body: string): string =>
    `on: push\npermissions:\n  contents: read\njobs:\n  a:\n    runs-on: ubuntu-latest\n${body}`;
  const PIN = 'actions/checkout@df4cb1c069e1874edd31b4311f1884172cec0e10 # v6.0.3';

  test('actionlint flags an untrusted value in a script', async () => {
    const text = `on: issues\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "\${{ github.event.issue.title }}"\n`;
    expect((await actionlint(text, 'bad.yml')).join('\n')).toMatch(/potentially untrusted/);
  });

  test('actionlint lags behind $/ and job.workflow_*: exactly those findings are dropped, no other', async () => {
    const text = `on:\n  workflow_call:\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "$R@$S"\n        env:\n          R: \${{ job.workflow_repository }}\n          S: \${{ job.workflow_sha }}\n      - uses: $/\n      - uses: $/.github/actions/x\n        with:\n          a: \${{ job.nonsense }}\n  b:\n    uses: $/.github/workflows/backup.yml\n    stepz: []\n`;
    const raw = await actionlintRaw(text, 'lag.yml');
    // When this fails, actionlint has learnt the syntax: remove ACTIONLINT_LAGS and this test.
    expect(raw.filter((finding) => ACTIONLINT_LAGS.some((lag) => lag.test(finding)))).toHaveLength(
      5,
    );
    const kept = await actionlint(text, 'lag.yml');
    expect(kept.join('\n')).toMatch(/property "nonsense" is not defined/);
    expect(kept.join('\n')).toMatch(/stepz/);
    expect(kept.join('\n')).not.toMatch(/workflow_sha|workflow_repository|\$\//);
  });

  test('a $/ reference to nothing here, with a ref, or an unknown job.workflow_* property', () => {
    const bad = workflowFromText(
      job(
        '    steps:\n      - uses: $/\n      - uses: $/.github/actions/nope\n      - run: echo "$X"\n        env:\n          X: ${{ job.workflow_shaa }}\n',
      ).replace(
        'jobs:\n',
        'jobs:\n  c:\n    uses: $/.github/workflows/nope.yml\n  d:\n    uses: $/.github/workflows/backup.yml@v1\n',
      ),
    );
    expect(selfReferenceProblems(bad, REPO_ROOT)).toEqual([
      'jobs.c: $/.github/workflows/nope.yml names no workflow file in this repository',
      'jobs.a.steps[1]: $/.github/actions/nope names no action in this repository',
      'job.workflow_shaa is not a property of the job context',
    ]);
    expect(unpinnedReferences(bad)).toEqual([
      'jobs.d: $/.github/workflows/backup.yml@v1: a $/ reference takes no @ref',
    ]);
  });

  test("GitHub's parsers flag keys their schemas do not know", () => {
    const [workflowErrors, actionErrors] = githubParserErrors([
      { kind: 'workflow', name: 'bad.yml', content: job('    stepz:\n      - run: echo\n') },
      {
        kind: 'action',
        name: 'action.yml',
        content: 'name: x\ndescription: y\nruns:\n  using: node24\n  mian: index.js\n',
      },
    ]);
    expect(workflowErrors!.join('\n')).toMatch(/stepz/);
    expect(actionErrors!.join('\n')).toMatch(/mian/);
  });

  test('${{ }} in a run: script', () => {
    const bad = workflowFromText(job('    steps:\n      - run: echo "${{ inputs.name }}"\n'));
    expect(expressionsInRunScripts(bad)).toEqual([
      'jobs.a.steps[0]: run: holds ${{ inputs.name }}; pass it through env: instead',
    ]);
    const good = workflowFromText(
      job(
        '    steps:\n      - run: echo "$NAME"\n        env:\n          NAME: ${{ inputs.name }}\n',
      ),
    );
    expect(expressionsInRunScripts(good)).toEqual([]);
  });

  test('an action by tag, or by SHA without the version comment', () => {
    const byTag = workflowFromText(job('    steps:\n      - uses: actions/checkout@v6\n'));
    expect(unpinnedReferences(byTag)).toEqual([
      'jobs.a.steps[0]: actions/checkout@v6 is not pinned to a full commit SHA',
    ]);
    const sha = PIN.split(' ')[0]!;
    const noComment = workflowFromText(job(`    steps:\n      - uses: ${sha}\n`));
    expect(unpinnedReferences(noComment)).toEqual([
      `jobs.a.steps[0]: ${sha} has no "# vX.Y.Z" comment naming the tag it is`,
    ]);
    const workflowByBranch = workflowFromText(
      'on: push\njobs:\n  a:\n    uses: octo/shared/.github/workflows/x.yml@main\n',
    );
    expect(unpinnedReferences(workflowByBranch)).toHaveLength(1);
    expect(
      unpinnedReferences(
        workflowFromText(
          job(
            `    steps:\n      - uses: ${PIN}\n      - uses: ./\n      - uses: $/\n      - uses: octo/db-backup-action@v1\n`,
          ),
        ),
      ),
    ).toEqual([]);
  });

  test('missing, broad or excess permissions', () => {
    const none = workflowFromText(
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n',
    );
    expect(permissionProblems(none, callees)).toEqual([
      'jobs.a: no permissions at the job or workflow level',
    ]);
    const writeAll = workflowFromText(
      'on: push\npermissions: write-all\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n',
    );
    expect(permissionProblems(writeAll, callees)).toContain(
      'permissions: write-all at the workflow level; list the scopes',
    );
    const excess = workflowFromText(
      job(
        `    permissions:\n      contents: write\n      actions: write\n      id-token: write\n      pull-requests: write\n    steps:\n      - uses: ${PIN}\n        with:\n          persist-credentials: false\n`,
      ),
    );
    expect(permissionProblems(excess, callees)).toEqual([
      'jobs.a: permissions: contents: write; read is enough',
      'jobs.a: permissions: pull-requests: write is never needed here',
      'jobs.a: permissions: actions: write, but nothing here needs it',
      'jobs.a: permissions: id-token: write, but nothing here needs it',
    ]);
    const localOnly = workflowFromText(
      job(
        '    permissions:\n      contents: read\n      actions: write\n    steps:\n      - uses: ./\n        with:\n          storage: local\n',
      ),
    );
    expect(permissionProblems(localOnly, callees)).toEqual([
      'jobs.a: permissions: actions: write, but nothing here needs it',
    ]);
    const tooLittle = workflowFromText(
      job(
        '    permissions:\n      contents: read\n    steps:\n      - uses: aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c # v6.2.3\n        with:\n          role-to-assume: arn:aws:iam::123456789012:role/r\n          aws-region: eu-central-1\n      - uses: ./\n        with:\n          storage: local,artifact\n',
      ),
    );
    expect(permissionProblems(tooLittle, callees)).toEqual([
      'jobs.a: its steps need actions: write, but the job grants none',
      'jobs.a: its steps need id-token: write, but the job grants none',
    ]);
    const noContents = workflowFromText(
      `on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ${PIN}\n`,
    );
    expect(permissionProblems(noContents, callees)).toEqual([
      'jobs.a: checks out the repository without contents: read',
    ]);
  });

  test("a caller that grants less or more than the called workflow's jobs request", () => {
    const call = (permissions: string): WorkflowFile =>
      workflowFromText(
        `on: push\npermissions:\n  contents: read\njobs:\n  backup:\n    uses: $/.github/workflows/backup.yml\n    permissions:\n${permissions}    secrets:\n      database-url: x\n`,
      );
    expect(
      permissionProblems(call('      contents: read\n      actions: write\n'), callees),
    ).toEqual([
      'jobs.backup: the called workflow requests id-token: write, but the job grants none',
    ]);
    const restoreCaller = workflowFromText(
      'on: push\npermissions:\n  contents: read\njobs:\n  r:\n    uses: ./.github/workflows/restore.yml\n    permissions:\n      contents: read\n      actions: write\n      id-token: write\n    with:\n      environment: e\n      confirm: app\n    secrets:\n      database-url: x\n',
    );
    expect(permissionProblems(restoreCaller, callees)).toEqual([
      'jobs.r: permissions: actions: write, but read is enough',
    ]);
  });

  test('a checkout that keeps the token', () => {
    const bad = workflowFromText(
      job(
        `    steps:\n      - uses: ${PIN}\n      - uses: ${PIN}\n        with:\n          persist-credentials: true\n`,
      ),
    );
    expect(checkoutsKeepingCredentials(bad)).toEqual([
      'jobs.a.steps[0]: actions/checkout without persist-credentials: false',
      'jobs.a.steps[1]: actions/checkout without persist-credentials: false',
    ]);
  });

  test('an input the action does not have, an output it does not set, a step that does not exist', () => {
    const bad = workflowFromText(
      job(
        '    outputs:\n      name: ${{ steps.b.outputs.backup_name }}\n      other: ${{ steps.nope.outputs.x }}\n    steps:\n      - id: b\n        uses: $/\n        with:\n          max-backup: 3\n',
      ),
    );
    expect(actionInterfaceProblems(bad, action)).toEqual([
      'jobs.a.steps[0] (b): the action has no input "max-backup"',
      'jobs.a: reads steps.b.outputs.backup_name, but the action has no output "backup_name"',
      'jobs.a: reads steps.nope.outputs.x, but no step has id nope',
    ]);
    const output = workflowFromText(
      'on:\n  workflow_call:\n    outputs:\n      n:\n        description: d\n        value: ${{ jobs.a.outputs.missing }}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n',
    );
    expect(actionInterfaceProblems(output, action)).toEqual([
      'on.workflow_call.outputs.n: jobs.a.outputs.missing does not exist',
    ]);
  });

  test('an undocumented or unused input, an unused or undeclared secret', () => {
    const bad = workflowFromText(
      'on:\n  workflow_call:\n    inputs:\n      used:\n        type: string\n      unused:\n        description: d\n        type: string\n    secrets:\n      kept:\n        description: d\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "$X $Y"\n        env:\n          X: ${{ inputs.used }}\n          Y: ${{ secrets.other }}\n',
    );
    expect(interfaceProblems(bad)).toEqual([
      'on.workflow_call.inputs.used has no description',
      'on.workflow_call.inputs.unused is declared but never used',
      'on.workflow_call.secrets.kept is declared but never used',
      'secrets.other is read but not declared under on.workflow_call.secrets',
    ]);
  });

  test('a call that misses a required secret, gives an unknown input or a wrong type, or reads a missing output', () => {
    const bad = workflowFromText(
      'on: push\npermissions: {}\njobs:\n  backup:\n    uses: <owner>/db-backup-action/.github/workflows/backup.yml@<commit-sha>\n    with:\n      max-backups: \'14\'\n      bucket: x\n    secrets:\n      passphrase: x\n  after:\n    needs: backup\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "$N"\n        env:\n          N: ${{ needs.backup.outputs.name }}\n  missing:\n    uses: ./.github/workflows/nope.yml\n',
    );
    expect(callProblems(bad, callees)).toEqual([
      'jobs.backup: input "max-backups" of .github/workflows/backup.yml is a number, not "14"',
      'jobs.backup: .github/workflows/backup.yml has no input "bucket"',
      'jobs.backup: .github/workflows/backup.yml has no secret "passphrase"',
      'jobs.backup: the required secret "database-url" of .github/workflows/backup.yml is missing',
      'jobs.missing: ./.github/workflows/nope.yml does not exist',
      'needs.backup.outputs.name: the called workflow has no output "name"',
    ]);
    const restore = workflowFromText(
      'on: push\njobs:\n  r:\n    uses: ./.github/workflows/restore.yml\n    secrets: inherit\n',
    );
    expect(callProblems(restore, callees)).toEqual([
      'jobs.r: the required input "environment" of .github/workflows/restore.yml is missing',
      'jobs.r: the required input "confirm" of .github/workflows/restore.yml is missing',
    ]);
  });

  test('a restore whose confirmation is optional, unchecked or not passed on', () => {
    const real = byPath('.github/workflows/restore.yml').text;
    const variant = (from: string | RegExp, to: string): string[] => {
      const text = real.replace(from, to);
      expect(text).not.toBe(real);
      return restoreConfirmationProblems(workflowFromText(text));
    };
    expect(
      variant(
        /(confirm:\n\s+description: [^\n]*\n\s+type: string\n\s+)required: true/,
        '$1required: false',
      ),
    ).toEqual(['the confirm input is not required']);
    expect(variant(/if \[ -z "\$CONFIRM" \]/, 'if false')).toEqual([
      'jobs.restore: no step fails on an empty confirm before the restore',
    ]);
    expect(variant('confirm: ${{ inputs.confirm }}\n          backup-dir', 'backup-dir')).toEqual([
      'jobs.restore: the restore step does not get confirm: ${{ inputs.confirm }}',
    ]);
    expect(variant('cancel-in-progress: false', 'cancel-in-progress: true')).toEqual([
      'jobs.restore: concurrency must not cancel a restore in progress',
    ]);
    expect(
      variant('environment: ${{ inputs.environment }}\n    concurrency', 'concurrency'),
    ).toEqual(['jobs.restore: does not run in the environment named by the environment input']);
  });
});
