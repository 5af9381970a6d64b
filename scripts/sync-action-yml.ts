// Rewrites the `inputs:` section of action.yml and the option tables of
// README.md from the option table (src/config/options.ts), so that they never disagree. Run with
// `npx tsx scripts/sync-action-yml.ts`; the test suite checks the result.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { actionInputDescription, OPTIONS } from '../src/config/options.js';
import { environmentTable, flagsTable, inputsTable, replaceBetweenMarkers } from './option-docs.js';

const file = new URL('../action.yml', import.meta.url);
const text = fs.readFileSync(file, 'utf8');
const start = text.indexOf('\ninputs:\n');
const end = text.indexOf('\noutputs:\n');
if (start === -1 || end === -1) throw new Error('action.yml needs inputs: and outputs: sections');

const quote = (value: string): string => `'${value.replace(/'/g, "''")}'`;

const lines = ['', 'inputs:'];
for (const option of OPTIONS) {
  if (option.input === false) continue;
  lines.push(`  ${option.name}:`);
  lines.push(`    description: ${quote(actionInputDescription(option))}`);
  lines.push('    required: false');
  // An input with an environment fallback has no default: the runner would always pass it.
  const fallback = option.actionDefault ?? (option.env ? undefined : option.default);
  if (fallback !== undefined) lines.push(`    default: ${quote(fallback)}`);
}
fs.writeFileSync(file, `${text.slice(0, start)}${lines.join('\n')}\n${text.slice(end)}`);

const readme = new URL('../README.md', import.meta.url);
let manual = fs.readFileSync(readme, 'utf8');
manual = replaceBetweenMarkers(manual, 'inputs', inputsTable());
manual = replaceBetweenMarkers(manual, 'flags', flagsTable());
manual = replaceBetweenMarkers(manual, 'environment', environmentTable());
fs.writeFileSync(readme, manual);

// Leave action.yml as the format check wants it.
execFileSync('npx', ['prettier', '--write', 'action.yml'], {
  stdio: 'ignore',
  cwd: new URL('..', import.meta.url),
});
