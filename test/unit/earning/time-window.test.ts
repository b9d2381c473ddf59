import { describe, expect, it } from 'vitest';
import { acceptedFrom, checkOccurredAt, counterInWindow } from '../../../core/earning/domain';
import { countersAfter } from '../../../core/earning/domain/earn-plan';

const NOW = '2026-11-23T12:00:00.000Z';
const policy = { latenessDays: 30 };

describe('the accepted lateness', () => {
  it('accepts a record up to latenessDays late, to the millisecond', () => {
    expect(checkOccurredAt('2026-10-24T12:00:00.000Z', NOW, policy)).toEqual({ ok: true });
    expect(checkOccurredAt('2026-10-24T11:59:59.999Z', NOW, policy)).toMatchObject({ ok: false, problem: 'too-late' });
  });

  it('refuses year 0001 and says what the program accepts', () => {
    const verdict = checkOccurredAt('0001-01-01T00:00:00Z', NOW, policy);

    expect(verdict).toEqual({
      ok: false,
      problem: 'too-late',
      message:
        'is before 2026-10-24T12:00:00.000Z: this program accepts records up to 30 day(s) late; record older ' +
        'history with a backfill',
    });
  });

  it('allows 5 minutes of clock skew into the future, not a millisecond more', () => {
    expect(checkOccurredAt('2026-11-23T12:05:00.000Z', NOW, policy)).toEqual({ ok: true });
    expect(checkOccurredAt('2026-11-23T12:05:00.001Z', NOW, policy)).toMatchObject({ ok: false, problem: 'future' });
    expect(checkOccurredAt('9999-01-01T00:00:00Z', NOW, policy)).toMatchObject({ ok: false, problem: 'future' });
  });

  it('a lateness of 0 accepts only records from now (and the skew)', () => {
    expect(checkOccurredAt(NOW, NOW, { latenessDays: 0 })).toEqual({ ok: true });
    expect(checkOccurredAt('2026-11-23T11:59:59Z', NOW, { latenessDays: 0 })).toMatchObject({ problem: 'too-late' });
  });

  it('after latenessDays was raised, nothing older than the floor is accepted', () => {
    const raised = { latenessDays: 60, lateFloor: '2026-11-01T00:00:00.000Z' };

    expect(acceptedFrom(NOW, raised)).toBe('2026-11-01T00:00:00.000Z');
    expect(checkOccurredAt('2026-10-31T23:00:00Z', NOW, raised)).toMatchObject({
      problem: 'too-late',
      message: expect.stringContaining('none from before latenessDays was last raised'),
    });
    expect(acceptedFrom('2027-01-30T00:00:00.000Z', raised)).toBe('2026-12-01T00:00:00.000Z');
  });
});

describe('usage counters inside the window', () => {
  const from = acceptedFrom(NOW, policy); // 2026-10-24, a Saturday of ISO week 43

  it('keeps every period that ends after the start of the window, drops the ones before', () => {
    const kept = [
      'u#day:2026-10-24',
      'u#week:2026-W43',
      'u#month:2026-10',
      'u#quarter:2026-Q4',
      'u#year:2026',
      'u#ever',
      'e#review.posted#day:2026-11-23',
      'e#birthday#year:2026',
    ];
    const dropped = ['u#day:2026-10-23', 'u#week:2026-W42', 'u#month:2026-09', 'u#quarter:2026-Q3', 'u#year:2025'];

    expect(kept.filter((k) => !counterInWindow(k, from, 'UTC'))).toEqual([]);
    expect(dropped.filter((k) => counterInWindow(k, from, 'UTC'))).toEqual([]);
  });

  it('judges periods on the program clock: the window starts on the local day', () => {
    // 2026-10-24T12:00Z is still the 24th in Los Angeles, the 25th in Auckland.
    expect(counterInWindow('u#day:2026-10-24', from, 'Pacific/Auckland')).toBe(false);
    expect(counterInWindow('u#day:2026-10-24', from, 'America/Los_Angeles')).toBe(true);
  });

  it('a write keeps the counters of periods still inside the window and adds its own', () => {
    const next = countersAfter(
      { 'u#day:2026-11-01': 5, 'u#day:2026-09-30': 7, 'u#ever': 12, 'q#2026-09': 1 },
      { pointsByPeriod: { 'day:2026-11-23': 3, ever: 3 }, eventCounts: {} },
      from,
      'UTC',
    );

    expect(next).toEqual({ 'u#day:2026-11-01': 5, 'u#day:2026-11-23': 3, 'u#ever': 15, 'q#2026-09': 1 });
  });
});
