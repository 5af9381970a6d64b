import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { notificationOf } from '../src/report/notification.js';
import { REPO_ROOT } from './support/cli.js';
import { actionlint, githubParserErrors } from './support/workflow-linters.js';
import {
  actionInterfaceProblems,
  permissionProblems,
  readActionInterface,
  unpinnedReferences,
  workflowFromText,
} from './support/workflow-rules.js';

const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const start = readme.indexOf('## Monitoring and notifications');
const section = readme.slice(start, readme.indexOf('\n## ', start + 3));

/** The fenced blocks of one language in the section. */
function blocks(language: string): string[] {
  return [...section.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map(
    (m) => m[1]!,
  );
}

describe('README: Monitoring and notifications', () => {
  test('the section exists and names every piece', () => {
    expect(start).toBeGreaterThan(0);
    for (const name of [
      '--notify-url',
      '--notify-format',
      '--ping-url',
      '--notify-timeout',
      '--log-file',
      'db-backup status',
      '--max-age',
      '--verified-within',
    ])
      expect(section, name).toContain(name);
  });

  test('the scheduled status workflow passes actionlint, GitHub’s parser and the action’s interface', async () => {
    const workflows = blocks('yaml').filter((text) => /^on:/m.test(text));
    expect(workflows).toHaveLength(1);
    const [text] = workflows as [string];
    expect(await actionlint(text, 'backup-status.yml')).toEqual([]);
    expect(
      githubParserErrors([{ kind: 'workflow', name: 'backup-status.yml', content: text }]),
    ).toEqual([[]]);
    const file = workflowFromText(text, 'backup-status.yml');
    expect(actionInterfaceProblems(file, readActionInterface(REPO_ROOT))).toEqual([]);
    expect(permissionProblems(file, () => undefined)).toEqual([]);
    expect(unpinnedReferences(file)).toEqual([]);
    const step = parse(text).jobs.status.steps[0];
    expect(step.with.command).toBe('status');
  });

  test('every action step in the section uses inputs the action has', () => {
    const inputs = readActionInterface(REPO_ROOT).inputs;
    for (const text of blocks('yaml')) {
      const steps = /^on:/m.test(text) ? parse(text).jobs.status.steps : parse(text);
      for (const step of steps)
        for (const key of Object.keys(step.with ?? {})) expect(inputs.has(key), key).toBe(true);
    }
  });

  test('the generic JSON example has exactly the fields a notification has', () => {
    const [example] = blocks('json');
    const documented = JSON.parse(example!);
    const real = notificationOf(
      { error: 'x' },
      { command: 'backup', durationMs: 1, runUrl: null, time: new Date(), warnings: [] },
    );
    expect(Object.keys(documented).sort()).toEqual(Object.keys(real).sort());
  });

  test('the log lines shown have the format the log file is written in', () => {
    const sample = section
      .match(/```\n(\d{4}-[\s\S]*?)```/)![1]!
      .trim()
      .split('\n');
    expect(sample.length).toBeGreaterThan(2);
    for (const line of sample)
      expect(line).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (INFO|WARN|ERROR) [a-z]+\[\d+\]: \S/,
      );
  });
});
