// The option tables of README.md, rendered from src/config/options.ts. The
// sync script writes them between markers; a test checks they are current.
import {
  actionInputDescription,
  COMMANDS,
  OPTIONS,
  type OptionSpec,
} from '../src/config/options.js';

const cell = (text: string): string => text.replace(/\|/g, '\\|');

function defaultOf(option: OptionSpec): string {
  if (option.actionDefault) return `\`${option.actionDefault}\``;
  return option.default !== undefined ? `\`${option.default}\`` : '';
}

/** The action's inputs: name, default, commands, meaning. */
export function inputsTable(): string {
  const rows = OPTIONS.filter((o) => o.input !== false).map((o) =>
    [
      `\`${o.name}\``,
      defaultOf(o),
      o.commands.length === COMMANDS.length ? 'all' : o.commands.join(', '),
      cell(actionInputDescription(o)),
    ].join(' | '),
  );
  return [
    '| input | default | commands | meaning |',
    '|---|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

/** The CLI's flags: flag, environment, default, commands, meaning. */
export function flagsTable(): string {
  const rows = OPTIONS.filter((o) => o.flag !== false).map((o) => {
    const value =
      o.type === 'boolean'
        ? ''
        : o.type === 'integer'
          ? ' N'
          : o.type === 'duration'
            ? ' DURATION'
            : o.name.endsWith('-url')
              ? ' URL'
              : o.type === 'path'
                ? ' PATH'
                : ' VALUE';
    const negation = o.type === 'boolean' && o.default === 'true' ? `, \`--no-${o.name}\`` : '';
    return [
      `\`--${o.name}${value}\`${negation}`,
      (o.env ?? []).map((name) => `\`${name}\``).join(', '),
      o.default !== undefined ? `\`${o.default}\`` : '',
      o.commands.length === COMMANDS.length ? 'all' : o.commands.join(', '),
      cell(o.description),
    ].join(' | ');
  });
  return [
    '| flag | environment | default | commands | meaning |',
    '|---|---|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

/** Settings the CLI takes from the environment only (secrets). */
export function environmentTable(): string {
  const rows = OPTIONS.filter((o) => o.flag === false && o.env).map((o) =>
    [
      (o.env ?? []).map((name) => `\`${name}\``).join(', '),
      o.commands.length === COMMANDS.length ? 'all' : o.commands.join(', '),
      cell(o.description),
    ].join(' | '),
  );
  return [
    '| environment | commands | meaning |',
    '|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

/** Replaces the text between `<!-- NAME:start -->` and `<!-- NAME:end -->`. */
export function replaceBetweenMarkers(text: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to === -1) throw new Error(`README.md lacks the ${name} markers`);
  return `${text.slice(0, from + start.length)}\n\n${content}\n\n${text.slice(to)}`;
}
