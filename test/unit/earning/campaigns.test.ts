import { describe, expect, it } from 'vitest';
import { baseRule, earn, engage, eventRule, firstPurchase, item, multiplier } from './fixtures';

const items = [item('a', 1_000)]; // 10 base points
const weekendDouble = (schedule: Parameters<typeof multiplier>[0]['schedule']) =>
  multiplier({ target: { by: 'order' }, schedule });

describe('campaign schedules', () => {
  it('a campaign applies from its start (inclusive) until its end (exclusive)', () => {
    const rules = [baseRule(), weekendDouble({ from: '2026-11-27T00:00:00Z', until: '2026-11-30T00:00:00Z' })];
    const at = (occurredAt: string) => earn({ rules, purchase: { items, occurredAt } }).points;
    expect([
      at('2026-11-26T23:59:59Z'),
      at('2026-11-27T00:00:00Z'),
      at('2026-11-29T23:59:59Z'),
      at('2026-11-30T00:00:00Z'),
    ]).toEqual([10, 20, 20, 10]);
  });

  it('is judged on the purchase time, not on when it is evaluated', () => {
    const rules = [baseRule(), weekendDouble({ until: '2026-11-30T00:00:00Z' })];
    const late = earn({ rules, purchase: { items, occurredAt: '2026-11-29T12:00:00Z' }, now: '2026-12-15T00:00:00Z' });
    expect(late.points).toBe(20);
  });

  it('days of week are the local days of the program time zone', () => {
    // 2026-11-28T02:00Z is Saturday in UTC but still Friday 21:00 in New York.
    const rules = [baseRule(), weekendDouble({ daysOfWeek: ['sat', 'sun'] })];
    const occurredAt = '2026-11-28T02:00:00Z';
    expect(earn({ rules, purchase: { items, occurredAt }, program: { timeZone: 'UTC' } }).points).toBe(20);
    const ny = earn({ rules, purchase: { items, occurredAt }, program: { timeZone: 'America/New_York' } });
    expect(ny.points).toBe(10);
    expect(ny.skipped[0]?.reason).toBe('campaign runs on sat, sun, not fri (America/New_York)');
  });

  it('a schedule may name its own time zone', () => {
    const rules = [baseRule(), weekendDouble({ daysOfWeek: ['sat'], timeZone: 'Asia/Tokyo' })];
    // Friday 16:00 UTC is Saturday 01:00 in Tokyo.
    expect(earn({ rules, purchase: { items, occurredAt: '2026-11-27T16:00:00Z' } }).points).toBe(20);
  });

  it('happy hours are local wall-clock hours on both sides of a DST change', () => {
    // 09:00-17:00 New York: 13:30Z is 08:30 in January (EST) but 09:30 in March after the change (EDT).
    const rules = [baseRule(), weekendDouble({ hours: { start: '09:00', end: '17:00' } })];
    const program = { timeZone: 'America/New_York' };
    expect(earn({ rules, program, purchase: { items, occurredAt: '2026-01-14T13:30:00Z' } }).points).toBe(10);
    expect(earn({ rules, program, purchase: { items, occurredAt: '2026-03-11T13:30:00Z' } }).points).toBe(20);
    // 16:59 EDT
    expect(earn({ rules, program, purchase: { items, occurredAt: '2026-03-11T20:59:00Z' } }).points).toBe(20);
    // 17:00 EDT
    expect(earn({ rules, program, purchase: { items, occurredAt: '2026-03-11T21:00:00Z' } }).points).toBe(10);
  });

  it('a window spanning the skipped hour of spring-forward starts at the first instant that exists', () => {
    // Paris skips 02:00-03:00 on 2026-03-29: 00:59Z is 01:59 CET, 01:00Z is 03:00 CEST.
    const rules = [baseRule(), weekendDouble({ hours: { start: '02:30', end: '04:00' } })];
    const program = { timeZone: 'Europe/Paris' };
    expect(earn({ rules, program, purchase: { items, occurredAt: '2026-03-29T00:59:00Z' } }).points).toBe(10);
    expect(earn({ rules, program, purchase: { items, occurredAt: '2026-03-29T01:00:00Z' } }).points).toBe(20);
  });

  it('both instants of the repeated hour at fall-back read the same wall time and are judged alike', () => {
    // Paris repeats 02:00-03:00 on 2026-10-25: 00:30Z (CEST) and 01:30Z (CET) are both 02:30 local.
    const rules = [baseRule(), weekendDouble({ hours: { start: '02:00', end: '03:00' } })];
    const program = { timeZone: 'Europe/Paris' };
    expect(earn({ rules, program, purchase: { items, occurredAt: '2026-10-25T00:30:00Z' } }).points).toBe(20);
    expect(earn({ rules, program, purchase: { items, occurredAt: '2026-10-25T01:30:00Z' } }).points).toBe(20);
    // 03:00 CET
    expect(earn({ rules, program, purchase: { items, occurredAt: '2026-10-25T02:00:00Z' } }).points).toBe(10);
  });

  it('hours ending before they start wrap past midnight', () => {
    const rules = [baseRule(), weekendDouble({ hours: { start: '22:00', end: '02:00' } })];
    const at = (occurredAt: string) => earn({ rules, purchase: { items, occurredAt } }).points;
    expect([
      at('2026-11-20T21:59:00Z'),
      at('2026-11-20T22:00:00Z'),
      at('2026-11-21T01:59:00Z'),
      at('2026-11-21T02:00:00Z'),
    ]).toEqual([10, 20, 20, 10]);
  });

  it('every condition of a schedule must hold', () => {
    const rules = [
      baseRule(),
      weekendDouble({
        from: '2026-11-01T00:00:00Z',
        until: '2026-12-01T00:00:00Z',
        daysOfWeek: ['sat'],
        hours: { start: '10:00', end: '12:00' },
      }),
    ];
    const at = (occurredAt: string) => earn({ rules, purchase: { items, occurredAt } }).points;
    expect([
      at('2026-11-28T11:00:00Z'),
      at('2026-11-28T13:00:00Z'),
      at('2026-11-27T11:00:00Z'),
      at('2026-12-05T11:00:00Z'),
    ]).toEqual([20, 10, 10, 10]);
  });

  it('any rule kind can carry a schedule: a bonus and an event rule', () => {
    const bonus = firstPurchase({ schedule: { daysOfWeek: ['sun'] } });
    expect(
      earn({ rules: [bonus], member: { purchaseCount: 0 }, purchase: { items, occurredAt: '2026-11-22T10:00:00Z' } })
        .points,
    ).toBe(100);
    expect(
      earn({ rules: [bonus], member: { purchaseCount: 0 }, purchase: { items, occurredAt: '2026-11-23T10:00:00Z' } })
        .points,
    ).toBe(0);
    const reviews = eventRule({ schedule: { until: '2026-11-01T00:00:00Z' } });
    expect(engage({ rules: [reviews] }).points).toBe(0);
  });
});
