import { isoDayOfWeek, isoWeekOfDate, isValidTimeZone, localDateTime } from '../../kernel/calendar';

// Local calendar parts of an instant in an IANA time zone. Everything periodic (campaign hours,
// "per day" limits, period caps) is judged on the program's local clock, never on UTC, so a
// purchase at 23:30 in Los Angeles counts for that local day. Intl does the DST arithmetic.

/** How far `occurredAt` may lie ahead of `now` (clock skew between a till and us). */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

export type Period = 'day' | 'week' | 'month' | 'quarter' | 'year' | 'ever';
export const PERIODS: readonly Period[] = ['day', 'week', 'month', 'quarter', 'year', 'ever'];

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
/** ISO order: index 0 is Monday. */
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export interface LocalParts {
  year: number;
  month: number; // 1-12
  day: number; // 1-31
  hour: number; // 0-23
  minute: number;
  second: number;
  weekday: Weekday;
}

export { isValidTimeZone };

/** Milliseconds since the epoch; throws RangeError on an unparseable instant. */
export function toEpochMs(instant: string | Date): number {
  const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO-8601 instant: ${String(instant)}`);
  return ms;
}

/** The local wall clock of an instant, with its weekday (one Intl formatter per zone, in calendar.ts). */
export function localParts(instant: string | Date, timeZone: string): LocalParts {
  const { year, month, day, hour, minute, second } = localDateTime(toEpochMs(instant), timeZone);
  return {
    year,
    month,
    day,
    hour: hour % 24,
    minute,
    second,
    weekday: WEEKDAYS[isoDayOfWeek({ year, month, day }) - 1] ?? 'mon',
  };
}

/** ISO-8601 week-numbering year and week of a calendar date (weeks start Monday; week 1 holds the first Thursday). */
export function isoWeek(year: number, month: number, day: number): { year: number; week: number } {
  return isoWeekOfDate({ year, month, day });
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * The usage-counter key of the period holding `instant` on the local calendar of `timeZone`:
 * `day:2026-11-23`, `week:2026-W48` (ISO week), `month:2026-11`, `quarter:2026-Q4`, `year:2026`, `ever`.
 */
export function periodKey(period: Period, instant: string | Date, timeZone: string): string {
  if (period === 'ever') return 'ever';
  const { year, month, day } = localParts(instant, timeZone);
  switch (period) {
    case 'day':
      return `day:${pad(year, 4)}-${pad(month)}-${pad(day)}`;
    case 'week': {
      const w = isoWeek(year, month, day);
      return `week:${pad(w.year, 4)}-W${pad(w.week)}`;
    }
    case 'month':
      return `month:${pad(year, 4)}-${pad(month)}`;
    case 'quarter':
      return `quarter:${pad(year, 4)}-Q${Math.ceil(month / 3)}`;
    case 'year':
      return `year:${pad(year, 4)}`;
  }
}

/** Every period key of `instant`, in PERIODS order: what a usage delta increments. */
export function periodKeys(instant: string | Date, timeZone: string): string[] {
  return PERIODS.map((p) => periodKey(p, instant, timeZone));
}
