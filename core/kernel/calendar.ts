// Time-zone aware calendar helpers. Pure: no clock, no I/O.
//
// Instants are ISO-8601 UTC strings (what `Date#toISOString` prints); every function that
// returns an instant returns that canonical form. Local (wall-clock) values are plain
// objects with 1-based months, computed with Intl.DateTimeFormat in an IANA time zone.
//
// Local -> UTC resolution follows Temporal's "compatible" disambiguation: a wall time that
// occurs twice (DST fall-back) resolves to the earlier instant; a wall time that does not
// exist (DST spring-forward gap) is pushed forward by the length of the gap (02:30 -> 03:30).

export type Instant = string;

export interface LocalDate {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
}

export interface LocalDateTime extends LocalDate {
  hour: number; // 0..23
  minute: number;
  second: number;
  millisecond: number;
}

export type PeriodUnit = 'day' | 'week' | 'month' | 'quarter' | 'year';

export interface IsoWeek {
  year: number; // ISO week-numbering year (can differ from the calendar year around New Year)
  week: number; // 1..53
}

export const MS_PER_DAY = 86_400_000;

// ---------------------------------------------------------------------------------------
// Instants and time zones

/** Milliseconds since the epoch; throws RangeError for a string that is not a date-time. */
export function toMs(instant: Instant): number {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO-8601 instant: ${JSON.stringify(instant)}`);
  return ms;
}

export function toInstant(ms: number): Instant {
  return new Date(ms).toISOString();
}

/** The canonical form of an instant ("...T08:00:00.000Z"), so equal instants compare equal as strings. */
export function normalizeInstant(instant: Instant): Instant {
  return toInstant(toMs(instant));
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone.length === 0) return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------
// Pure calendar arithmetic (no time zone involved)

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** 1..4 */
export function quarterOf(month: number): number {
  return Math.floor((month - 1) / 3) + 1;
}

/** Milliseconds for the given fields read as UTC; safe for years below 100, unlike Date.UTC. */
function fieldsToMs(t: LocalDateTime): number {
  const d = new Date(0);
  d.setUTCFullYear(t.year, t.month - 1, t.day);
  d.setUTCHours(t.hour, t.minute, t.second, t.millisecond);
  return d.getTime();
}

function msToFields(ms: number): LocalDateTime {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
  };
}

function midnight(date: LocalDate): LocalDateTime {
  return { year: date.year, month: date.month, day: date.day, hour: 0, minute: 0, second: 0, millisecond: 0 };
}

/** The date `months` calendar months later (or earlier), clamping the day: Jan 31 + 1 month = Feb 28/29. */
export function addMonthsToDate(date: LocalDate, months: number): LocalDate {
  const index = date.year * 12 + (date.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  return { year, month, day: Math.min(date.day, daysInMonth(year, month)) };
}

export function addDaysToDate(date: LocalDate, days: number): LocalDate {
  const f = msToFields(fieldsToMs(midnight(date)) + days * MS_PER_DAY);
  return { year: f.year, month: f.month, day: f.day };
}

export function compareDates(a: LocalDate, b: LocalDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** Monday = 1 ... Sunday = 7 */
export function isoDayOfWeek(date: LocalDate): number {
  const day = new Date(fieldsToMs(midnight(date))).getUTCDay();
  return day === 0 ? 7 : day;
}

export function isoWeekOfDate(date: LocalDate): IsoWeek {
  // The ISO week belongs to the year that holds its Thursday.
  const thursday = addDaysToDate(date, 4 - isoDayOfWeek(date));
  const firstOfYear = fieldsToMs(midnight({ year: thursday.year, month: 1, day: 1 }));
  const dayOfYear = Math.round((fieldsToMs(midnight(thursday)) - firstOfYear) / MS_PER_DAY);
  return { year: thursday.year, week: Math.floor(dayOfYear / 7) + 1 };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** "YYYY-MM-DD" */
export function formatLocalDate(date: LocalDate): string {
  return `${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}`;
}

/** "YYYY-MM": sorts chronologically as a string (years 1000..9999). */
export function monthKey(year: number, month: number): string {
  return `${pad(year, 4)}-${pad(month)}`;
}

const MONTH_KEY = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Inverse of monthKey; null for anything else. */
export function parseMonthKey(key: string): { year: number; month: number } | null {
  const m = MONTH_KEY.exec(key);
  return m ? { year: Number(m[1]), month: Number(m[2]) } : null;
}

/** Month keys from `from` to `to` inclusive (empty when from > to). */
export function monthKeysBetween(from: { year: number; month: number }, to: { year: number; month: number }): string[] {
  const keys: string[] = [];
  for (let i = from.year * 12 + from.month - 1; i <= to.year * 12 + to.month - 1; i++) {
    keys.push(monthKey(Math.floor(i / 12), (i % 12) + 1));
  }
  return keys;
}

// ---------------------------------------------------------------------------------------
// Instant <-> local wall clock

/** The wall-clock date and time at `instant` in `timeZone`. */
export function localDateTime(instant: Instant | number, timeZone: string): LocalDateTime {
  const ms = typeof instant === 'number' ? instant : toMs(instant);
  const parts = formatterFor(timeZone).formatToParts(new Date(ms));
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
    millisecond: ((ms % 1000) + 1000) % 1000,
  };
}

export function localDate(instant: Instant | number, timeZone: string): LocalDate {
  const { year, month, day } = localDateTime(instant, timeZone);
  return { year, month, day };
}

/** "YYYY-MM-DD" of the local date at `instant`. */
export function localDateString(instant: Instant, timeZone: string): string {
  return formatLocalDate(localDate(instant, timeZone));
}

/** "YYYY-MM" of the local month at `instant`. */
export function localMonthKey(instant: Instant, timeZone: string): string {
  const { year, month } = localDate(instant, timeZone);
  return monthKey(year, month);
}

function offsetMsAt(ms: number, timeZone: string): number {
  const wholeSecond = ms - (((ms % 1000) + 1000) % 1000);
  return fieldsToMs({ ...localDateTime(wholeSecond, timeZone), millisecond: 0 }) - wholeSecond;
}

/** Offset of local time from UTC at `instant`, in minutes (New York in winter: -300). */
export function utcOffsetMinutes(instant: Instant, timeZone: string): number {
  return offsetMsAt(toMs(instant), timeZone) / 60_000;
}

/**
 * The instant at which the wall clock in `timeZone` shows `local`.
 * Ambiguous times (fall-back) resolve to the earlier instant; times inside a spring-forward
 * gap are moved forward by the gap, so 02:30 on a New York spring-forward day is 03:30 EDT.
 */
export function fromLocalDateTime(local: LocalDate & Partial<LocalDateTime>, timeZone: string): Instant {
  const wall = fieldsToMs({
    year: local.year,
    month: local.month,
    day: local.day,
    hour: local.hour ?? 0,
    minute: local.minute ?? 0,
    second: local.second ?? 0,
    millisecond: local.millisecond ?? 0,
  });
  // Offsets a day either side bracket any single transition near this wall time.
  const before = offsetMsAt(wall - MS_PER_DAY, timeZone);
  const after = offsetMsAt(wall + MS_PER_DAY, timeZone);
  const valid = [wall - before, wall - after].filter(
    (candidate) => offsetMsAt(candidate, timeZone) === wall - candidate,
  );
  if (valid.length > 0) return toInstant(Math.min(...valid));
  return toInstant(wall - before);
}

// ---------------------------------------------------------------------------------------
// Arithmetic on instants in a time zone

/**
 * `months` calendar months after `instant` on the local wall clock, keeping the time of day and
 * clamping the day to the target month (Jan 31 + 1 month = Feb 28, or Feb 29 in a leap year).
 */
export function addMonths(instant: Instant, months: number, timeZone: string): Instant {
  const t = localDateTime(instant, timeZone);
  return fromLocalDateTime({ ...t, ...addMonthsToDate(t, months) }, timeZone);
}

/** `days` local calendar days after `instant`, keeping the wall-clock time (23 or 25 hours across DST). */
export function addDays(instant: Instant, days: number, timeZone: string): Instant {
  const t = localDateTime(instant, timeZone);
  return fromLocalDateTime({ ...t, ...addDaysToDate(t, days) }, timeZone);
}

function firstDayOfPeriod(date: LocalDate, unit: PeriodUnit): LocalDate {
  switch (unit) {
    case 'day':
      return date;
    case 'week':
      return addDaysToDate(date, 1 - isoDayOfWeek(date));
    case 'month':
      return { year: date.year, month: date.month, day: 1 };
    case 'quarter':
      return { year: date.year, month: (quarterOf(date.month) - 1) * 3 + 1, day: 1 };
    case 'year':
      return { year: date.year, month: 1, day: 1 };
  }
}

function nextPeriodFirstDay(first: LocalDate, unit: PeriodUnit): LocalDate {
  switch (unit) {
    case 'day':
      return addDaysToDate(first, 1);
    case 'week':
      return addDaysToDate(first, 7);
    case 'month':
      return addMonthsToDate(first, 1);
    case 'quarter':
      return addMonthsToDate(first, 3);
    case 'year':
      return addMonthsToDate(first, 12);
  }
}

/** First instant of the local day/week (Monday)/month/quarter/year that contains `instant`. */
export function startOf(instant: Instant, unit: PeriodUnit, timeZone: string): Instant {
  return fromLocalDateTime(midnight(firstDayOfPeriod(localDate(instant, timeZone), unit)), timeZone);
}

/**
 * Last instant (local 23:59:59.999) of the local period that contains `instant`:
 * one millisecond before the next period starts.
 */
export function endOf(instant: Instant, unit: PeriodUnit, timeZone: string): Instant {
  const next = nextPeriodFirstDay(firstDayOfPeriod(localDate(instant, timeZone), unit), unit);
  return toInstant(toMs(fromLocalDateTime(midnight(next), timeZone)) - 1);
}

/** First instant of the period `count` periods after the one containing `instant` (negative: before). */
export function startOfPeriodOffset(instant: Instant, unit: PeriodUnit, count: number, timeZone: string): Instant {
  let first = firstDayOfPeriod(localDate(instant, timeZone), unit);
  if (unit === 'day' || unit === 'week') first = addDaysToDate(first, count * (unit === 'day' ? 1 : 7));
  else first = addMonthsToDate(first, count * (unit === 'month' ? 1 : unit === 'quarter' ? 3 : 12));
  return fromLocalDateTime(midnight(first), timeZone);
}

/** Start of the local day of a given local date. */
export function startOfLocalDate(date: LocalDate, timeZone: string): Instant {
  return fromLocalDateTime(midnight(date), timeZone);
}

/** End (last millisecond) of the local day of a given local date. */
export function endOfLocalDate(date: LocalDate, timeZone: string): Instant {
  return toInstant(toMs(startOfLocalDate(addDaysToDate(date, 1), timeZone)) - 1);
}

export const startOfLocalDay = (instant: Instant, timeZone: string): Instant => startOf(instant, 'day', timeZone);
export const endOfLocalDay = (instant: Instant, timeZone: string): Instant => endOf(instant, 'day', timeZone);
export const startOfLocalMonth = (instant: Instant, timeZone: string): Instant => startOf(instant, 'month', timeZone);
export const endOfLocalMonth = (instant: Instant, timeZone: string): Instant => endOf(instant, 'month', timeZone);
export const startOfLocalQuarter = (instant: Instant, timeZone: string): Instant =>
  startOf(instant, 'quarter', timeZone);
export const endOfLocalQuarter = (instant: Instant, timeZone: string): Instant => endOf(instant, 'quarter', timeZone);
export const startOfLocalYear = (instant: Instant, timeZone: string): Instant => startOf(instant, 'year', timeZone);
export const endOfLocalYear = (instant: Instant, timeZone: string): Instant => endOf(instant, 'year', timeZone);

/** ISO-8601 week of the local date at `instant`. */
export function isoWeek(instant: Instant, timeZone: string): IsoWeek {
  return isoWeekOfDate(localDate(instant, timeZone));
}

/** "2026-W48" */
export function isoWeekKey(instant: Instant, timeZone: string): string {
  const { year, week } = isoWeek(instant, timeZone);
  return `${pad(year, 4)}-W${pad(week)}`;
}
