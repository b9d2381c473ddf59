import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  addMonthsToDate,
  daysInMonth,
  endOf,
  endOfLocalDate,
  endOfLocalMonth,
  endOfLocalQuarter,
  endOfLocalYear,
  fromLocalDateTime,
  isLeapYear,
  isoWeek,
  isoWeekKey,
  isValidTimeZone,
  localDate,
  localDateString,
  localDateTime,
  localMonthKey,
  monthKeysBetween,
  normalizeInstant,
  type PeriodUnit,
  parseMonthKey,
  startOf,
  startOfLocalDay,
  startOfLocalQuarter,
  startOfPeriodOffset,
  toMs,
  utcOffsetMinutes,
} from '../../core/kernel/calendar';
import { TimeZoneInput } from '../../core/kernel/schemas';

const NY = 'America/New_York';
const hours = (from: string, to: string): number => (toMs(to) - toMs(from)) / 3_600_000;

describe('local date parts', () => {
  it('a purchase at 23:30 in New York on Dec 31 belongs to that local year, not the UTC one', () => {
    const purchase = '2027-01-01T04:30:00.000Z'; // 2026-12-31 23:30 EST

    expect(localDateString(purchase, NY)).toBe('2026-12-31');
    expect(localMonthKey(purchase, NY)).toBe('2026-12');
    expect(localDateTime(purchase, NY)).toMatchObject({ hour: 23, minute: 30 });
  });

  it('the same instant is already the next day east of UTC', () => {
    expect(localDate('2026-06-30T20:00:00.000Z', 'Asia/Tokyo')).toEqual({ year: 2026, month: 7, day: 1 });
  });

  it('local midnight is hour 0, never 24', () => {
    expect(localDateTime('2026-06-01T04:00:00.000Z', NY)).toMatchObject({ day: 1, hour: 0 });
  });

  it('the UTC offset follows daylight saving time', () => {
    expect(utcOffsetMinutes('2026-01-15T12:00:00.000Z', NY)).toBe(-300);
    expect(utcOffsetMinutes('2026-07-15T12:00:00.000Z', NY)).toBe(-240);
    expect(utcOffsetMinutes('2026-07-15T12:00:00.000Z', 'Asia/Kathmandu')).toBe(345);
  });
});

describe('local wall time to instant', () => {
  it('an ambiguous fall-back time resolves to the earlier instant', () => {
    expect(fromLocalDateTime({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, NY)).toBe(
      '2026-11-01T05:30:00.000Z',
    );
  });

  it('a time inside the spring-forward gap moves forward by the gap', () => {
    expect(fromLocalDateTime({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, NY)).toBe(
      '2026-03-08T07:30:00.000Z',
    );
  });

  it('a day skipped by the zone (Samoa, 2011-12-30) resolves to the next day', () => {
    expect(fromLocalDateTime({ year: 2011, month: 12, day: 30, hour: 10 }, 'Pacific/Apia')).toBe(
      '2011-12-30T20:00:00.000Z',
    );
    expect(localDateString('2011-12-30T20:00:00.000Z', 'Pacific/Apia')).toBe('2011-12-31');
  });
});

describe('start and end of local periods', () => {
  it('the end of a period is its last millisecond, 23:59:59.999 local, as UTC', () => {
    expect(endOfLocalYear('2026-05-01T12:00:00.000Z', NY)).toBe('2027-01-01T04:59:59.999Z');
    expect(endOfLocalMonth('2026-07-10T12:00:00.000Z', NY)).toBe('2026-08-01T03:59:59.999Z');
  });

  it('a local day is 23 hours long when clocks spring forward and 25 when they fall back', () => {
    const springDay = '2026-03-08T12:00:00.000Z';
    const fallDay = '2026-11-01T12:00:00.000Z';

    expect(hours(startOfLocalDay(springDay, NY), endOf(springDay, 'day', NY)) + 1 / 3_600_000).toBe(23);
    expect(hours(startOfLocalDay(fallDay, NY), endOf(fallDay, 'day', NY)) + 1 / 3_600_000).toBe(25);
  });

  it('February ends on the 29th in a leap year and the 28th otherwise', () => {
    expect(localDateString(endOfLocalMonth('2028-02-10T12:00:00.000Z', 'UTC'), 'UTC')).toBe('2028-02-29');
    expect(localDateString(endOfLocalMonth('2027-02-10T12:00:00.000Z', 'UTC'), 'UTC')).toBe('2027-02-28');
  });

  it('Mar 31 23:30 local is still in Q1 and Apr 1 00:00 local starts Q2', () => {
    const lastOfQ1 = '2026-04-01T03:30:00.000Z'; // 2026-03-31 23:30 EDT
    const firstOfQ2 = '2026-04-01T04:00:00.000Z'; // 2026-04-01 00:00 EDT

    expect(endOfLocalQuarter(lastOfQ1, NY)).toBe('2026-04-01T03:59:59.999Z');
    expect(startOfLocalQuarter(firstOfQ2, NY)).toBe(firstOfQ2);
  });

  it('the fourth quarter runs from Oct 1 to the end of Dec 31 local', () => {
    expect(startOf('2026-11-20T12:00:00.000Z', 'quarter', NY)).toBe('2026-10-01T04:00:00.000Z');
    expect(endOf('2026-11-20T12:00:00.000Z', 'quarter', NY)).toBe('2027-01-01T04:59:59.999Z');
  });

  it('a week starts on Monday', () => {
    expect(startOf('2026-11-26T12:00:00.000Z', 'week', 'UTC')).toBe('2026-11-23T00:00:00.000Z'); // Thursday -> Monday
  });

  it('a zone whose midnight does not exist starts the day at 01:00 (Santiago, DST at midnight)', () => {
    expect(startOf('2026-09-06T15:00:00.000Z', 'day', 'America/Santiago')).toBe('2026-09-06T04:00:00.000Z');
    expect(localDateTime('2026-09-06T04:00:00.000Z', 'America/Santiago')).toMatchObject({ day: 6, hour: 1 });
  });

  it('startOfPeriodOffset steps whole periods back across the year', () => {
    expect(startOfPeriodOffset('2026-02-15T12:00:00.000Z', 'quarter', -1, NY)).toBe('2025-10-01T04:00:00.000Z');
  });

  it('endOfLocalDate is the last millisecond of that local date', () => {
    expect(endOfLocalDate({ year: 2026, month: 12, day: 31 }, NY)).toBe('2027-01-01T04:59:59.999Z');
  });

  it('every instant lies inside its period and the next period starts one millisecond after the end', () => {
    const units: PeriodUnit[] = ['day', 'week', 'month', 'quarter', 'year'];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }),
        fc.constantFrom(...units),
        fc.constantFrom('UTC', NY, 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/Santiago'),
        (ms, unit, tz) => {
          const instant = new Date(ms).toISOString();
          const start = startOf(instant, unit, tz);
          const end = endOf(instant, unit, tz);
          const next = new Date(toMs(end) + 1).toISOString();
          expect(toMs(start)).toBeLessThanOrEqual(ms);
          expect(toMs(end)).toBeGreaterThanOrEqual(ms);
          expect(startOf(next, unit, tz)).toBe(next);
        },
      ),
    );
  });
});

describe('month arithmetic', () => {
  it('Jan 31 + 1 month is Feb 28 in a common year', () => {
    expect(addMonthsToDate({ year: 2026, month: 1, day: 31 }, 1)).toEqual({ year: 2026, month: 2, day: 28 });
  });

  it('Jan 31 + 1 month is Feb 29 in a leap year', () => {
    expect(addMonthsToDate({ year: 2028, month: 1, day: 31 }, 1)).toEqual({ year: 2028, month: 2, day: 29 });
  });

  it('Feb 29 + 12 months is Feb 28', () => {
    expect(addMonthsToDate({ year: 2028, month: 2, day: 29 }, 12)).toEqual({ year: 2029, month: 2, day: 28 });
  });

  it('negative months go back across the year and clamp too', () => {
    expect(addMonthsToDate({ year: 2026, month: 3, day: 31 }, -13)).toEqual({ year: 2025, month: 2, day: 28 });
  });

  it('adding months keeps the local time of day across a DST change', () => {
    expect(addMonths('2026-01-15T15:00:00.000Z', 6, NY)).toBe('2026-07-15T14:00:00.000Z'); // 10:00 EST -> 10:00 EDT
  });

  it('adding months that lands in the spring-forward gap moves forward by the gap', () => {
    expect(addMonths('2026-02-08T07:30:00.000Z', 1, NY)).toBe('2026-03-08T07:30:00.000Z'); // 02:30 EST -> 03:30 EDT
  });

  it('adding months clamps on the local date, not the UTC one', () => {
    // 2026-01-31 23:30 EST is Feb 1 in UTC; one month later is Feb 28 23:30 EST.
    expect(addMonths('2026-02-01T04:30:00.000Z', 1, NY)).toBe('2026-03-01T04:30:00.000Z');
  });

  it('adding a day across spring-forward keeps the wall clock (23 hours)', () => {
    expect(hours('2026-03-07T17:00:00.000Z', addDays('2026-03-07T17:00:00.000Z', 1, NY))).toBe(23);
  });

  it('the day of the month after adding months is the original day clamped to the target month', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }),
        fc.integer({ min: -60, max: 60 }),
        (ms, n) => {
          const instant = new Date(ms).toISOString();
          const before = localDate(instant, 'UTC');
          const after = localDate(addMonths(instant, n, 'UTC'), 'UTC');
          expect(after.day).toBe(Math.min(before.day, daysInMonth(after.year, after.month)));
          expect(after.year * 12 + after.month - (before.year * 12 + before.month)).toBe(n);
        },
      ),
    );
  });
});

describe('calendar facts', () => {
  it('1900 is not a leap year and 2000 is', () => {
    expect(isLeapYear(1900)).toBe(false);
    expect(isLeapYear(2000)).toBe(true);
  });

  it('Jan 1 2027 (a Friday) is in ISO week 53 of 2026', () => {
    expect(isoWeek('2027-01-01T12:00:00.000Z', 'UTC')).toEqual({ year: 2026, week: 53 });
  });

  it('Monday Dec 29 2025 is in ISO week 1 of 2026', () => {
    expect(isoWeekKey('2025-12-29T12:00:00.000Z', 'UTC')).toBe('2026-W01');
  });

  it('the ISO week uses the local date', () => {
    // Sunday 2026-11-29 22:00 in New York is already Monday in UTC.
    expect(isoWeekKey('2026-11-30T03:00:00.000Z', NY)).toBe('2026-W48');
    expect(isoWeekKey('2026-11-30T03:00:00.000Z', 'UTC')).toBe('2026-W49');
  });

  it('month keys run across year ends and parse back', () => {
    expect(monthKeysBetween({ year: 2025, month: 11 }, { year: 2026, month: 2 })).toEqual([
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
    ]);
    expect(parseMonthKey('2026-02')).toEqual({ year: 2026, month: 2 });
    expect(parseMonthKey('2026-13')).toBeNull();
  });

  it('instants are normalised to the toISOString form', () => {
    expect(normalizeInstant('2026-11-23T03:00:00-05:00')).toBe('2026-11-23T08:00:00.000Z');
    expect(() => toMs('yesterday')).toThrow(RangeError);
  });
});

describe('time zone input', () => {
  it('accepts IANA names and rejects anything else', () => {
    expect(isValidTimeZone('Europe/Paris')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(TimeZoneInput.safeParse('America/New_York').success).toBe(true);
    expect(TimeZoneInput.safeParse('EST5EDT7').error?.issues[0]?.message).toMatch(/IANA time zone/);
  });
});
