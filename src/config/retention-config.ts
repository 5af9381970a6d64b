import { UserError } from '../domain/errors.js';
import {
  CALENDAR_RULES,
  hasCalendarRules,
  type CalendarRules,
} from '../retention/calendar-retention.js';
import { integer, text, type Settings } from './values.js';

/** The rolling window of the seed's scripts, when nothing else is asked for. */
export const DEFAULT_MAX_BACKUPS = 10;

export interface RetentionSettings {
  /** The rolling window; undefined when calendar rules alone decide. */
  readonly maxBackups: number | undefined;
  /** Calendar rules: all 0 when none is given. */
  readonly keep: CalendarRules;
}

/**
 * `max-backups` and the `keep-*` rules. Without a keep-* rule, the window of
 * 10 (or the one given) as always; with one, the calendar rules decide, and a
 * window given explicitly is one more rule (its newest N are kept too).
 */
export function retentionSettings(settings: Settings): RetentionSettings {
  const keep = Object.fromEntries(
    CALENDAR_RULES.map((rule) => {
      const name = `keep-${rule}`;
      return [rule, text(settings, name) === undefined ? 0 : integer(settings, name, 0)];
    }),
  ) as unknown as CalendarRules;
  const given =
    text(settings, 'max-backups') === undefined ? undefined : integer(settings, 'max-backups', 0);
  if (!hasCalendarRules(keep)) return { maxBackups: given ?? DEFAULT_MAX_BACKUPS, keep };
  if (given === 0) {
    throw new UserError(
      'max-backups 0 keeps every backup, so the keep-* rules could never remove one: leave max-backups out (or give it a number above 0) to use them.',
    );
  }
  return { maxBackups: given, keep };
}
