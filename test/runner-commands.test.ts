/**
 * The action's own workflow commands (src/runner-commands.ts) against
 * @actions/core, GitHub's toolkit (a dev dependency here): for the same calls,
 * with text built to break the format (newlines, %, :, commas, the delimiter
 * prefix), both write the same bytes to stdout, the output file and the job
 * summary. Output files are also read back the way the runner reads them.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as core from '@actions/core';
import { afterEach, describe, expect, test, vi } from 'vitest';
import * as runner from '../src/runner-commands.js';
import { tempDir } from './support/tmp.js';

const NASTY = [
  'plain',
  '',
  'two\nlines\r\nand a carriage return',
  '100% done: a,b::c',
  '%0A is not a newline',
  '::error::injected',
  'ghadelimiter_not-the-real-one',
  'unicode ✓ café',
];

/** What the work wrote to stdout. */
async function stdoutOf(work: () => unknown): Promise<string> {
  let written = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written += String(chunk);
    return true;
  });
  try {
    await work();
  } finally {
    spy.mockRestore();
  }
  return written;
}

/** The runner's reading of an output file: `name<<delimiter` … `delimiter` blocks. */
function readOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const head = /^([^<]+)<<(ghadelimiter_[0-9a-f-]{36})$/.exec(lines[i]!);
    if (!head) continue;
    const end = lines.indexOf(head[2]!, i + 1);
    outputs[head[1]!] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return outputs;
}

const saved = { ...process.env };
afterEach(() => {
  for (const name of ['GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'INPUT_BACKUP-DIR', 'INPUT_MY_INPUT'])
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  process.exitCode = undefined;
});

/** Text the runner would take for a command, were it written as it is. */
const COMMAND_LIKE = [
  '::error::injected',
  '  ::notice::indented',
  'a\r::warning::x',
  'x ##[error]y',
  '\u0085::error::after a .NET white space',
];

describe('workflow commands, byte for byte as @actions/core writes them', () => {
  test.each(NASTY)('info, debug, warning, notice, mask and group: %j', async (text) => {
    const ours = await stdoutOf(async () => {
      if (!COMMAND_LIKE.includes(text)) runner.info(text);
      runner.debug(text);
      runner.warning(text);
      runner.notice(text, text || 'db-backup');
      runner.mask(text);
      await runner.group(text, () => Promise.resolve(runner.info('inside')));
    });
    const theirs = await stdoutOf(async () => {
      if (!COMMAND_LIKE.includes(text)) core.info(text);
      core.debug(text);
      core.warning(text);
      core.notice(text, { title: text || 'db-backup' });
      core.setSecret(text);
      await core.group(text, () => Promise.resolve(core.info('inside')));
    });
    expect(ours).toBe(theirs);
    // Nothing the text holds starts a command of its own: each command is one line
    // (info writes its text as it is, in @actions/core too).
    const lines = ours.split('\n').slice(COMMAND_LIKE.includes(text) ? 0 : text.split('\n').length);
    expect(lines.filter((line) => line.startsWith('::'))).toHaveLength(6);
  });

  test.each(COMMAND_LIKE)(
    'info shows text that reads as a command (%j) between stop-commands and a random resume token',
    async (text) => {
      const written = await stdoutOf(() => runner.info(text));
      const [, token] = /^::stop-commands::(db-backup-[0-9a-f-]{36})\n/.exec(written) ?? [];
      expect(token).toBeDefined();
      expect(written).toBe(`::stop-commands::${token}\n${text}\n::${token}::\n`);
      expect(await stdoutOf(() => runner.info(text))).not.toContain(token);
    },
  );

  test('info writes other text as it is, as @actions/core does', async () => {
    const text = 'Restored 3 tables: a::b, "c ##x"';
    expect(await stdoutOf(() => runner.info(text))).toBe(await stdoutOf(() => core.info(text)));
  });

  test('fail writes the error annotation and sets exit status 1, as setFailed does', async () => {
    const ours = await stdoutOf(() => runner.fail('No database given:\nset DATABASE_URL'));
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
    const theirs = await stdoutOf(() => core.setFailed('No database given:\nset DATABASE_URL'));
    expect(process.exitCode).toBe(1);
    expect(ours).toBe(theirs);
    expect(ours).toBe('::error::No database given:%0Aset DATABASE_URL\n');
  });

  test('inputs: INPUT_ with the name upper-cased, spaces as _, dashes kept, trimmed', () => {
    process.env['INPUT_BACKUP-DIR'] = '  ./backups \n';
    process.env.INPUT_MY_INPUT = 'x';
    expect(runner.input('backup-dir')).toBe(core.getInput('backup-dir'));
    expect(runner.input('backup-dir')).toBe('./backups');
    expect(runner.input('my input')).toBe(core.getInput('my input'));
    expect(runner.input('absent')).toBe('');
  });

  test('outputs to the GITHUB_OUTPUT file read back as given, multi-line values too', () => {
    const dir = tempDir('runner-commands');
    const ours = path.join(dir, 'ours');
    const theirs = path.join(dir, 'theirs');
    fs.writeFileSync(ours, '');
    fs.writeFileSync(theirs, '');
    const values = Object.fromEntries(NASTY.map((text, i) => [`out-${i}`, text]));
    process.env.GITHUB_OUTPUT = ours;
    for (const [name, value] of Object.entries(values)) runner.setOutput(name, value);
    process.env.GITHUB_OUTPUT = theirs;
    for (const [name, value] of Object.entries(values)) core.setOutput(name, value);
    const read = (file: string): string => fs.readFileSync(file, 'utf8');
    // Each delimiter is random; with them set aside the files are the same.
    const plain = (text: string): string => text.replace(/ghadelimiter_[0-9a-f-]{36}/g, 'D');
    expect(plain(read(ours))).toBe(plain(read(theirs)));
    expect(readOutputs(read(ours))).toEqual(readOutputs(read(theirs)));
    expect(readOutputs(read(ours))).toEqual(values);
  });

  test('an output file the runner named but that is missing is an error, as in @actions/core', () => {
    process.env.GITHUB_OUTPUT = path.join(tempDir('runner-commands'), 'gone');
    expect(() => runner.setOutput('a', 'b')).toThrow(/Missing file at path/);
    expect(() => core.setOutput('a', 'b')).toThrow(/Missing file at path/);
  });

  test('with no output file, outputs are ::set-output lines (local runners read the log)', async () => {
    delete process.env.GITHUB_OUTPUT;
    const ours = await stdoutOf(() => runner.setOutput('backup-name', 'a,b:c\nd'));
    const theirs = await stdoutOf(() => core.setOutput('backup-name', 'a,b:c\nd'));
    expect(ours).toBe(theirs);
    expect(ours).toBe('\n::set-output name=backup-name::a,b:c%0Ad\n');
  });

  test('the job summary is appended to, as summary.addRaw(text, true).write() does', async () => {
    const dir = tempDir('runner-commands');
    const ours = path.join(dir, 'ours.md');
    const theirs = path.join(dir, 'theirs.md');
    fs.writeFileSync(ours, 'earlier step\n');
    fs.writeFileSync(theirs, 'earlier step\n');
    process.env.GITHUB_STEP_SUMMARY = ours;
    await runner.appendSummary('## db-backup failed\n\n> [!CAUTION]\n> why\n');
    process.env.GITHUB_STEP_SUMMARY = theirs;
    await core.summary.addRaw('## db-backup failed\n\n> [!CAUTION]\n> why\n', true).write();
    expect(fs.readFileSync(ours, 'utf8')).toBe(fs.readFileSync(theirs, 'utf8'));
    delete process.env.GITHUB_STEP_SUMMARY;
    await expect(runner.appendSummary('nowhere')).resolves.toBeUndefined();
  });
});
