import { UserError } from '../domain/errors.js';
import type { EngineKind } from '../domain/database-location.js';
import { optionsFor, type CommandName, type OptionSpec } from './options.js';
import { bool, integer, text, type Settings } from './values.js';

const ENGINE_NAME: Readonly<Record<EngineKind, string>> = {
  sqlite: 'SQLite',
  postgres: 'PostgreSQL',
};

/**
 * Given: a value other than the default (action.yml passes every default as
 * an input, so a default is never a choice the user made).
 */
function isGiven(spec: OptionSpec, settings: Settings): boolean {
  if (spec.type === 'boolean') return bool(settings, spec.name) !== (spec.default === 'true');
  const value = text(settings, spec.name);
  return value !== undefined && value !== spec.default;
}

/**
 * An option of one engine given for another (--schemas for a SQLite file)
 * would be silently ignored: it is refused instead, before anything runs.
 */
export function assertOptionsApply(
  command: CommandName,
  settings: Settings,
  engine: EngineKind,
): void {
  const misplaced = optionsFor(command).filter(
    (spec) => spec.engines && !spec.engines.includes(engine) && isGiven(spec, settings),
  );
  const first = misplaced[0];
  if (!first) return;
  const owners = [...new Set(misplaced.flatMap((spec) => spec.engines ?? []))]
    .map((kind) => ENGINE_NAME[kind])
    .join(' and ');
  const names = misplaced.map((spec) => spec.name).join(', ');
  const one = misplaced.length === 1;
  throw new UserError(
    `${names} ${one ? 'applies' : 'apply'} to ${owners} databases only, and the database URL names a ${ENGINE_NAME[engine]} database: remove ${one ? 'it' : 'them'}. Nothing was changed.`,
  );
}

/** Every whole-number option of the command, when given, within its range (whether or not this run uses it). */
export function assertNumbersInRange(command: CommandName, settings: Settings): void {
  for (const spec of optionsFor(command)) {
    if (spec.type !== 'integer' || text(settings, spec.name) === undefined) continue;
    integer(settings, spec.name, spec.min ?? 0, spec.max);
  }
}

/** Options that only mean something together with another. */
export function assertCombinations(command: CommandName, settings: Settings): void {
  if (
    command !== 'backup' &&
    (bool(settings, 'all-databases') || text(settings, 'databases') !== undefined)
  ) {
    throw new UserError(
      `all-databases and databases work with backup only: ${command} one database at a time (its URL in database-url). Nothing was changed.`,
    );
  }
  if (
    command === 'restore' &&
    bool(settings, 'terminate-connections') &&
    !bool(settings, 'drop-database')
  ) {
    throw new UserError(
      'terminate-connections works only with drop-database (it ends the sessions on the database being replaced): add drop-database, or remove terminate-connections. Nothing was changed.',
    );
  }
}
