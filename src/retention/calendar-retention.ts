/**
 * Calendar retention (grandfather-father-son), as restic's `forget --keep-*`
 * decides it. Each rule walks the backups newest first and keeps the newest
 * backup of each period (day, ISO week, month, year, all in UTC) until it has
 * kept as many as it was given: periods without a backup do not count, so
 * `daily 7` keeps the last 7 days that have a backup, however far apart. A
 * rule that runs out of backups before it has filled its count also keeps the
 * oldest backup, so the history reaches as far back as it can (restic does
 * the same since 0.17). The rules are a union: a backup is kept when any rule
 * keeps it, and each rule that keeps it is given as a reason.
 */

/** How many periods each rule keeps; 0 turns a rule off. */
export interface CalendarRules {
  /** The newest N backups, whatever their dates. */
  readonly last: number;
  readonly daily: number;
  readonly weekly: number;
  readonly monthly: number;
  readonly yearly: number;
}

export type CalendarRule = keyof CalendarRules;

export const CALENDAR_RULES: readonly CalendarRule[] = [
  'last',
  'daily',
  'weekly',
  'monthly',
  'yearly',
];

export const NO_CALENDAR_RULES: CalendarRules = {
  last: 0,
  daily: 0,
  weekly: 0,
  monthly: 0,
  yearly: 0,
};

/** Why a backup is kept: a rule, and the period (or rank) it stands for. */
export interface KeepReason {
  readonly rule: CalendarRule | 'max-backups';
  /** `2026-11-30`, `2026-W48`, `2026-11`, `2026`; for `last` and `max-backups` the rank, 1 = newest. */
  readonly period: string;
  /** Kept as the oldest backup by a rule that had periods left to fill. */
  readonly oldest?: true;
}

export function hasCalendarRules(rules: CalendarRules | undefined): rules is CalendarRules {
  return rules !== undefined && CALENDAR_RULES.some((rule) => rules[rule] > 0);
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** The ISO 8601 week of a UTC instant: weeks start on Monday, week 1 holds the year's first Thursday. */
export function isoWeek(time: Date): { year: number; week: number } {
  const midnight = Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), time.getUTCDate());
  const mondayBased = (time.getUTCDay() + 6) % 7;
  // The week's Thursday decides its year (so 29 Dec can be week 1, and 1 Jan week 53).
  const thursday = new Date(midnight + (3 - mondayBased) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const dayOfYear = (thursday.getTime() - Date.UTC(year, 0, 1)) / 86_400_000;
  return { year, week: Math.floor(dayOfYear / 7) + 1 };
}

/** The period a backup falls in for a calendar rule, as people write it (UTC). */
export function periodOf(rule: Exclude<CalendarRule, 'last'>, time: Date): string {
  const year = pad(time.getUTCFullYear(), 4);
  switch (rule) {
    case 'daily':
      return `${year}-${pad(time.getUTCMonth() + 1)}-${pad(time.getUTCDate())}`;
    case 'weekly': {
      const week = isoWeek(time);
      return `${pad(week.year, 4)}-W${pad(week.week)}`;
    }
    case 'monthly':
      return `${year}-${pad(time.getUTCMonth() + 1)}`;
    case 'yearly':
      return year;
  }
}

/**
 * For each backup (given newest first), the reasons it is kept: empty when
 * no rule keeps it. `maxBackups` is one more rule, the rolling window's
 * newest N; 0 or undefined leaves it out (keeping everything is the caller's
 * business, not a calendar's).
 */
export function calendarReasons(
  newestFirst: readonly { readonly time: Date }[],
  rules: CalendarRules,
  maxBackups?: number,
): KeepReason[][] {
  const reasons = newestFirst.map((): KeepReason[] => []);
  const rank = (index: number): string => `#${index + 1}`;
  if (maxBackups !== undefined && maxBackups > 0) {
    for (let index = 0; index < Math.min(maxBackups, newestFirst.length); index += 1)
      reasons[index]!.push({ rule: 'max-backups', period: rank(index) });
  }
  for (const rule of CALENDAR_RULES) {
    let left = rules[rule];
    let previous: string | undefined;
    for (const [index, backup] of newestFirst.entries()) {
      if (left <= 0) break;
      const period = rule === 'last' ? rank(index) : periodOf(rule, backup.time);
      const isOldest = index === newestFirst.length - 1;
      if (period !== previous) {
        reasons[index]!.push({ rule, period });
      } else if (isOldest) {
        reasons[index]!.push({ rule, period, oldest: true });
      } else continue;
      previous = period;
      left -= 1;
    }
  }
  return reasons;
}

/** `daily 2026-11-30`, `weekly 2026-W48`, `monthly 2026-01 (oldest)`, `max-backups #3`. */
export function describeReason(reason: KeepReason): string {
  return `${reason.rule} ${reason.period}${reason.oldest ? ' (oldest)' : ''}`;
}

/** The rules as the user gave them: `max-backups=3, keep-daily=7, keep-weekly=4`. */
export function describeRules(rules: CalendarRules | undefined, maxBackups?: number): string {
  const parts: string[] = [];
  if (maxBackups !== undefined) parts.push(`max-backups=${maxBackups}`);
  for (const rule of CALENDAR_RULES) {
    if (rules && rules[rule] > 0) parts.push(`keep-${rule}=${rules[rule]}`);
  }
  return parts.join(', ');
}
