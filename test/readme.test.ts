import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { environmentTable, flagsTable, inputsTable } from '../scripts/option-docs.js';
import { COMMANDS, OPTIONS } from '../src/config/options.js';
import { REPO_ROOT } from './support/cli.js';

const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

function between(name: string): string {
  const start = readme.indexOf(`<!-- ${name}:start -->`);
  const end = readme.indexOf(`<!-- ${name}:end -->`);
  return readme.slice(start + `<!-- ${name}:start -->`.length, end).trim();
}

describe('README.md, the user manual', () => {
  test('the input and flag tables are the option table (run npx tsx scripts/sync-action-yml.ts)', () => {
    expect(between('inputs')).toBe(inputsTable());
    expect(between('flags')).toBe(flagsTable());
    expect(between('environment')).toBe(environmentTable());
  });

  test('names every command, input, flag and output', () => {
    for (const command of COMMANDS) expect(readme).toContain(`db-backup ${command}`);
    for (const option of OPTIONS) {
      if (option.input !== false) expect(readme, option.name).toContain(`\`${option.name}\``);
      if (option.flag !== false) expect(readme, option.name).toContain(`--${option.name}`);
    }
    const action = parse(fs.readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as {
      outputs: Record<string, unknown>;
    };
    for (const output of Object.keys(action.outputs))
      expect(readme, output).toContain(`\`${output}\``);
  });

  test('every file it links to exists', () => {
    const links = [...readme.matchAll(/\]\(((?:examples|docs|bench|src|test)\/[^)#]+)\)/g)].map(
      (m) => m[1]!,
    );
    expect(links.length).toBeGreaterThan(5);
    for (const link of links) expect(fs.existsSync(path.join(REPO_ROOT, link)), link).toBe(true);
  });

  test('the set-up commands are the ones package.json provides', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    expect(readme).toContain(
      'npm ci && npm run db-backup -- backup --database-url file:./examples/demo.db',
    );
    expect(pkg.scripts['db-backup']).toBeDefined();
    expect(readme).toMatch(/```sh\nnpm test\n```/);
    expect(fs.existsSync(path.join(REPO_ROOT, 'examples/demo.db'))).toBe(true);
  });
});
