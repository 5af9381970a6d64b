/**
 * How the action talks to the GitHub Actions runner: inputs from INPUT_*
 * variables, workflow commands on stdout (`::error::`, `::add-mask::`,
 * `::group::` …), outputs and the job summary through the files the runner
 * names in GITHUB_OUTPUT and GITHUB_STEP_SUMMARY. This is the runner's
 * documented protocol, written here in @actions/core's own format; loading
 * @actions/core instead would load its HTTP client (undici) for its OIDC
 * helper, which is most of the action's start-up time.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';

/** An input as the runner passes it (`with: { backup-dir: … }` → INPUT_BACKUP-DIR), trimmed. */
export function input(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

/** Escapes a command's message: a newline must not end the command. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a command's property value, which ends at `,` and `::`. */
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::name key=value,…::message` on stdout. */
function command(name: string, message: string, properties: Record<string, string> = {}): void {
  const given = Object.entries(properties).filter(([, value]) => value);
  const props = given.length
    ? ` ${given.map(([key, value]) => `${key}=${escapeProperty(value)}`).join(',')}`
    : '';
  process.stdout.write(`::${name}${props}::${escapeData(message)}${os.EOL}`);
}

/** Masks a value in the rest of the job's log. */
export const mask = (secret: string): void => command('add-mask', secret);

/**
 * A line the runner would take for a workflow command: `::` at its start
 * after white space (.NET's, which counts U+0085 too), or the older `##[`
 * anywhere in it. The runner splits lines at `\r` too, and reads stderr as
 * well as stdout.
 */
const COMMAND_LIKE = /(?:^|[\r\n])[\s\u0085]*::|##\[/;

/**
 * Text for the log, shown and never run: text that would read as a workflow
 * command (a table's name or a server's message can say anything) goes
 * between `::stop-commands::` and its resume token, a random one the text
 * cannot know, as GitHub advises for untrusted text. `text` ends with a
 * newline.
 */
export function shownNotRun(text: string): string {
  if (!COMMAND_LIKE.test(text)) return text;
  const token = `db-backup-${randomUUID()}`;
  return `::stop-commands::${token}${os.EOL}${text}${text.endsWith('\n') ? '' : os.EOL}::${token}::${os.EOL}`;
}

/** A line of the log (see shownNotRun). */
export const info = (message: string): void =>
  void process.stdout.write(shownNotRun(`${message}${os.EOL}`));
export const debug = (message: string): void => command('debug', message);
export const warning = (message: string): void => command('warning', message);
export const notice = (message: string, title: string): void =>
  command('notice', message, { title });

/** An error annotation, and the step fails (exit status 1) when the process ends. */
export function fail(message: string): void {
  process.exitCode = 1;
  command('error', message);
}

/** A collapsible group in the log around the work. */
export async function group<T>(title: string, work: () => Promise<T>): Promise<T> {
  command('group', title);
  try {
    return await work();
  } finally {
    command('endgroup', '');
  }
}

/**
 * A step output: a `name<<delimiter` block in the GITHUB_OUTPUT file, with a
 * delimiter the value cannot hold; `::set-output` where no file is named
 * (local runners and harnesses that read the log).
 */
export function setOutput(name: string, value: string, env: NodeJS.ProcessEnv = process.env): void {
  const file = env.GITHUB_OUTPUT;
  if (!file) {
    process.stdout.write(os.EOL);
    command('set-output', value, { name });
    return;
  }
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (name.includes(delimiter) || value.includes(delimiter))
    throw new Error(`The output ${name} holds the delimiter ${delimiter}.`);
  if (!fs.existsSync(file)) throw new Error(`Missing file at path: ${file}`);
  fs.appendFileSync(file, `${name}<<${delimiter}${os.EOL}${value}${os.EOL}${delimiter}${os.EOL}`);
}

/** Appends markdown to the job summary, when the runner names its file. */
export async function appendSummary(
  markdown: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  await fs.promises.appendFile(file, `${markdown}${os.EOL}`, 'utf8');
}
