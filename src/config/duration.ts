import { UserError } from '../domain/errors.js';

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/**
 * A span of time as people write it in a crontab comment: `90s`, `30m`,
 * `26h`, `7d`, `2w`, or several parts such as `1d12h`. A bare number is
 * refused: is `26` hours or days?
 */
export function parseDuration(text: string, option: string): number {
  const value = text.trim().toLowerCase();
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)\s*([smhdw])/g)];
  const rebuilt = parts.map((part) => part[0]).join('');
  if (parts.length === 0 || rebuilt.replace(/\s/g, '') !== value.replace(/\s/g, '')) {
    throw new UserError(
      `${option} must be a duration such as 30m, 26h or 7d (s, m, h, d, w; got "${text}").`,
    );
  }
  // Rounded before the check: 0.0001s is zero milliseconds, and a max-age of zero is no check.
  const ms = Math.round(
    parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * UNIT_MS[unit!]!, 0),
  );
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new UserError(`${option} must be longer than zero (got "${text}").`);
  }
  return ms;
}
