import { describe, expect, it } from 'vitest';
import { isoWeek, isValidTimeZone, localParts, periodKey, periodKeys } from '../../../core/earning/domain';

describe('period keys', () => {
  it('name each period of an instant as documented', () => {
    expect(periodKeys('2026-11-23T08:00:00Z', 'UTC')).toEqual([
      'day:2026-11-23',
      'week:2026-W48',
      'month:2026-11',
      'quarter:2026-Q4',
      'year:2026',
      'ever',
    ]);
  });

  it('are computed on the program time zone, not UTC', () => {
    // 06:30 UTC on Jan 1 is still New Year's Eve in Los Angeles.
    const instant = '2027-01-01T06:30:00Z';
    expect(periodKey('day', instant, 'America/Los_Angeles')).toBe('day:2026-12-31');
    expect(periodKey('year', instant, 'America/Los_Angeles')).toBe('year:2026');
    expect(periodKey('day', instant, 'UTC')).toBe('day:2027-01-01');
  });

  it('a day east of UTC starts before midnight UTC', () => {
    expect(periodKey('day', '2026-11-22T15:30:00Z', 'Asia/Tokyo')).toBe('day:2026-11-23');
  });

  it('use ISO weeks, whose year can differ from the calendar year', () => {
    expect(periodKey('week', '2027-01-01T12:00:00Z', 'UTC')).toBe('week:2026-W53');
    expect(periodKey('week', '2024-12-30T12:00:00Z', 'UTC')).toBe('week:2025-W01');
    expect(isoWeek(2021, 1, 3)).toEqual({ year: 2020, week: 53 });
    expect(isoWeek(2026, 1, 1)).toEqual({ year: 2026, week: 1 });
  });

  it('name quarters by the local month', () => {
    expect(
      ['2026-03-31T12:00:00Z', '2026-04-01T12:00:00Z', '2026-09-30T12:00:00Z'].map((i) =>
        periodKey('quarter', i, 'UTC'),
      ),
    ).toEqual(['quarter:2026-Q1', 'quarter:2026-Q2', 'quarter:2026-Q3']);
  });

  it('keep the local day across a DST change', () => {
    // Clocks in New York go forward at 02:00 on 2026-03-08: 06:59Z is 01:59 EST, 07:01Z is 03:01 EDT.
    expect(localParts('2026-03-08T06:59:00Z', 'America/New_York')).toMatchObject({ day: 8, hour: 1, minute: 59 });
    expect(localParts('2026-03-08T07:01:00Z', 'America/New_York')).toMatchObject({ day: 8, hour: 3, minute: 1 });
    expect(periodKey('day', '2026-03-09T03:59:00Z', 'America/New_York')).toBe('day:2026-03-08'); // 23:59 EDT
    expect(periodKey('day', '2026-03-09T04:00:00Z', 'America/New_York')).toBe('day:2026-03-09');
  });

  it('validate IANA zone names', () => {
    expect(['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata'].every(isValidTimeZone)).toBe(true);
    expect(['Mars/Olympus', '', 'Paris'].some(isValidTimeZone)).toBe(false);
  });
});
