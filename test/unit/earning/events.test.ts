import { describe, expect, it } from 'vitest';
import { baseRule, engage, eventRule, firstPurchase, windfallRule } from './fixtures';

const day = 'day:2026-11-23';

describe('engagement events', () => {
  it('an event rule rewards its event type with its points', () => {
    const result = engage({ rules: [eventRule()] });
    expect(result.points).toBe(25);
    expect(result.breakdown).toEqual([
      { rule: 'event', ruleId: 'review', version: 1, description: 'review.posted: +25', points: 25, stage: 'event' },
    ]);
  });

  it('an event of another type earns nothing', () => {
    const result = engage({ rules: [eventRule()], event: { type: 'social.share' } });
    expect(result.points).toBe(0);
    expect(result.skipped).toEqual([]);
  });

  it('a custom event type is rewarded like a built-in one', () => {
    const result = engage({
      rules: [eventRule({ ruleId: 'quiz', eventType: 'quiz.completed', points: 7 })],
      event: { type: 'quiz.completed' },
    });
    expect(result.points).toBe(7);
  });

  it('a daily limit stops rewards once the day count is reached', () => {
    const rules = [eventRule({ limits: [{ period: 'day', max: 2 }] })];
    expect(engage({ rules, usage: { eventCounts: { 'review.posted': { [day]: 1 } } } }).points).toBe(25);
    const third = engage({ rules, usage: { eventCounts: { 'review.posted': { [day]: 2 } } } });
    expect(third.points).toBe(0);
    expect(third.skipped[0]?.reason).toBe(`limit reached: 2 of 2 review.posted per day (${day})`);
  });

  it("yesterday's count does not use up today's limit", () => {
    const rules = [eventRule({ limits: [{ period: 'day', max: 1 }] })];
    expect(engage({ rules, usage: { eventCounts: { 'review.posted': { 'day:2026-11-22': 1 } } } }).points).toBe(25);
  });

  it('limit periods follow the program time zone', () => {
    // 2026-11-24T03:00Z is still the 23rd in New York.
    const rules = [eventRule({ limits: [{ period: 'day', max: 1 }] })];
    const usage = { eventCounts: { 'review.posted': { [day]: 1 } } };
    const event = { occurredAt: '2026-11-24T03:00:00Z' };
    expect(engage({ rules, usage, event, program: { timeZone: 'UTC' } }).points).toBe(25);
    expect(engage({ rules, usage, event, program: { timeZone: 'America/New_York' } }).points).toBe(0);
  });

  it('every limit must have room: a monthly limit binds even when the day is free', () => {
    const rules = [
      eventRule({
        limits: [
          { period: 'day', max: 1 },
          { period: 'month', max: 5 },
        ],
      }),
    ];
    expect(engage({ rules, usage: { eventCounts: { 'review.posted': { 'month:2026-11': 5 } } } }).points).toBe(0);
  });

  it('a birthday is rewarded once a year', () => {
    const rules = [
      eventRule({ ruleId: 'birthday', eventType: 'birthday', points: 200, limits: [{ period: 'year', max: 1 }] }),
    ];
    const event = { type: 'birthday' };
    expect(engage({ rules, event }).points).toBe(200);
    expect(engage({ rules, event, usage: { eventCounts: { birthday: { 'year:2026': 1 } } } }).points).toBe(0);
  });

  it('an "ever" limit makes a one-off reward', () => {
    const rules = [eventRule({ eventType: 'profile.completed', limits: [{ period: 'ever', max: 1 }] })];
    const event = { type: 'profile.completed' };
    expect(engage({ rules, event, usage: { eventCounts: { 'profile.completed': { ever: 1 } } } }).points).toBe(0);
  });

  it('a rewarded event counts once in every period, whatever number of rules rewarded it', () => {
    const rules = [eventRule(), eventRule({ ruleId: 'review-bonus', points: 5 })];
    const result = engage({ rules });
    expect(result.points).toBe(30);
    expect(result.usageDelta).toEqual({
      pointsByPeriod: {
        [day]: 30,
        'week:2026-W48': 30,
        'month:2026-11': 30,
        'quarter:2026-Q4': 30,
        'year:2026': 30,
        ever: 30,
      },
      eventCounts: {
        'review.posted': {
          [day]: 1,
          'week:2026-W48': 1,
          'month:2026-11': 1,
          'quarter:2026-Q4': 1,
          'year:2026': 1,
          ever: 1,
        },
      },
    });
  });

  it('an unrewarded event changes no counter', () => {
    const rules = [eventRule({ limits: [{ period: 'day', max: 1 }] })];
    const result = engage({ rules, usage: { eventCounts: { 'review.posted': { [day]: 1 } } } });
    expect(result.usageDelta).toEqual({ pointsByPeriod: {}, eventCounts: {} });
  });

  it('purchase rules do not apply to events', () => {
    const rules = [baseRule(), firstPurchase(), windfallRule(), eventRule({ eventType: 'app.order' })];
    const result = engage({ rules, event: { type: 'app.order' }, member: { purchaseCount: 0 } });
    expect(result.appliedRules).toEqual([{ ruleId: 'review', version: 1 }]);
    expect(result.skipped).toEqual([]);
  });
});
