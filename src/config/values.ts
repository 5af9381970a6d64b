import { UserError } from '../domain/errors.js';

/** Option values by name, after flags/inputs, environment and defaults were applied. */
export type Settings = Readonly<Record<string, string | undefined>>;

/** The value, trimmed; undefined when empty. */
export function text(settings: Settings, name: string): string | undefined {
  const value = settings[name]?.trim();
  return value ? value : undefined;
}

export function required(settings: Settings, name: string): string {
  const value = text(settings, name);
  if (value === undefined)
    throw new UserError(`Missing ${name}: give --${name} or the input ${name}.`);
  return value;
}

/** A comma- or newline-separated list (a repeated CLI flag arrives newline-joined). */
export function list(settings: Settings, name: string): string[] {
  return (settings[name] ?? '')
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter(Boolean);
}

/**
 * A list of pg_dump name patterns: split at commas and newlines outside
 * double quotes, since a quoted name may hold either (`"a,b"` is one table,
 * not the tables `a` and `b`). An unmatched quote is refused: where it ends
 * would change which tables are backed up.
 */
export function patternList(settings: Settings, name: string): string[] {
  const value = settings[name] ?? '';
  const items: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && (ch === ',' || ch === '\n')) {
      items.push(current);
      current = '';
    } else current += ch;
  }
  if (quoted) {
    throw new UserError(
      `${name} has an unmatched double quote: quote a name as "Name" (a quote inside it doubled, as ""), then separate patterns with commas.`,
    );
  }
  items.push(current);
  return items.map((item) => item.trim()).filter(Boolean);
}

export function integer(
  settings: Settings,
  name: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const value = text(settings, name);
  const parsed = value !== undefined && /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `${min} to ${max}`;
    throw new UserError(`${name} must be a whole number, ${range} (got "${value ?? ''}").`);
  }
  return parsed;
}

export function bool(settings: Settings, name: string): boolean {
  const value = text(settings, name)?.toLowerCase();
  if (value === undefined || value === 'false' || value === '0' || value === 'no') return false;
  if (value === 'true' || value === '1' || value === 'yes') return true;
  throw new UserError(`${name} must be true or false (got "${value}").`);
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  min: 60_000,
  h: 3_600_000,
};

/** A duration with its unit (500ms, 30s, 2min, 1h), in milliseconds; a bare 0 is 0. */
export function durationMs(settings: Settings, name: string): number {
  const value = text(settings, name) ?? '';
  if (/^0+$/.test(value)) return 0;
  const match = /^(\d+)\s*(ms|s|min|h)$/i.exec(value);
  const unit = match?.[2] ? DURATION_UNITS[match[2].toLowerCase()] : undefined;
  const ms = match?.[1] !== undefined && unit !== undefined ? Number(match[1]) * unit : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms > 2_147_483_647) {
    throw new UserError(
      `${name} must be a duration with its unit, such as 500ms, 30s, 2min or 1h, or 0 (got "${value}").`,
    );
  }
  return ms;
}
