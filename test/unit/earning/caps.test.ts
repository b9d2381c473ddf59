import { describe, expect, it } from 'vitest';
import { baseRule, capRule, earn, engage, eventRule, firstPurchase, item, multiplier, sum } from './fixtures';

const big = { items: [item('tv', 150_000)] }; // 1,500 base points

describe('caps', () => {
  it('a transaction cap reduces the points to the cap with a negative "capped" line', () => {
    const result = earn({ rules: [baseRule(), capRule({ maxPoints: 1_000 })], purchase: big });
    expect(result.points).toBe(1_000);
    expect(result.breakdown.at(-1)).toEqual({
      rule: 'cap',
      ruleId: 'cap',
      version: 1,
      description: 'capped at 1000 per transaction: 1500 -> 1000',
      points: -500,
      stage: 'cap',
      capped: true,
    });
  });

  it('a purchase within the cap is left alone and the cap is not applied', () => {
    const result = earn({ rules: [baseRule(), capRule({ maxPoints: 2_000 })], purchase: big });
    expect(result.points).toBe(1_500);
    expect(result.appliedRules).toEqual([{ ruleId: 'base', version: 1 }]);
    expect(result.skipped).toEqual([
      { ruleId: 'cap', version: 1, rule: 'cap', reason: 'within cap: 1500 of 2000 allowed' },
    ]);
  });

  it('a period cap allows what is left of the period after earlier earnings', () => {
    const result = earn({
      rules: [baseRule(), capRule({ per: 'day', maxPoints: 2_000 })],
      purchase: big,
      usage: { pointsByPeriod: { 'day:2026-11-23': 800 } },
    });
    expect(result.points).toBe(1_200);
    expect(result.breakdown.at(-1)?.description).toBe(
      'capped at 2000 per day (day:2026-11-23: 800 earned before): 1500 -> 1200',
    );
  });

  it('a period cap already used up brings the purchase to zero, not below', () => {
    const result = earn({
      rules: [baseRule(), capRule({ per: 'month', maxPoints: 1_000 })],
      purchase: big,
      usage: { pointsByPeriod: { 'month:2026-11': 1_200 } },
    });
    expect(result.points).toBe(0);
    expect(result.itemPoints.map((i) => i.points)).toEqual([0]);
  });

  it('a period cap reads the counter of the local period in the program time zone', () => {
    // 2026-12-01T03:00Z is still November in Los Angeles.
    const rules = [baseRule(), capRule({ per: 'month', maxPoints: 1_000 })];
    const usage = { pointsByPeriod: { 'month:2026-11': 1_000 } };
    const purchase = { ...big, occurredAt: '2026-12-01T03:00:00Z' };
    expect(earn({ rules, usage, purchase, program: { timeZone: 'UTC' } }).points).toBe(1_000);
    expect(earn({ rules, usage, purchase, program: { timeZone: 'America/Los_Angeles' } }).points).toBe(0);
  });

  it('weekly, yearly and lifetime caps read their own counters', () => {
    const at = (per: 'week' | 'year' | 'ever', key: string) =>
      earn({
        rules: [baseRule(), capRule({ per, maxPoints: 1_000 })],
        purchase: big,
        usage: { pointsByPeriod: { [key]: 900 } },
      }).points;
    expect([at('week', 'week:2026-W48'), at('year', 'year:2026'), at('ever', 'ever')]).toEqual([100, 100, 100]);
  });

  it('caps cut bonuses too: they apply to the whole total', () => {
    const result = earn({
      rules: [baseRule(), firstPurchase({ points: 5_000 }), capRule({ maxPoints: 1_000 })],
      member: { purchaseCount: 0 },
      purchase: big,
    });
    expect(result.points).toBe(1_000);
  });

  it('the tighter of several caps wins and each cut has its own line', () => {
    const result = earn({
      rules: [
        baseRule(),
        capRule({ ruleId: 'tx', maxPoints: 1_200, priority: 1 }),
        capRule({ ruleId: 'daily', per: 'day', maxPoints: 1_000 }),
      ],
      purchase: big,
    });
    expect(result.breakdown.filter((l) => l.capped).map((l) => [l.ruleId, l.points])).toEqual([
      ['tx', -300],
      ['daily', -200],
    ]);
    expect(result.points).toBe(1_000);
  });

  it('a cap still applies after an exclusive rule', () => {
    const result = earn({
      rules: [baseRule(), multiplier({ target: { by: 'order' }, exclusive: true }), capRule({ maxPoints: 1_000 })],
      purchase: big,
    });
    expect(result.points).toBe(1_000);
  });

  it('the cut is shared over items in proportion to what they earned', () => {
    const result = earn({
      rules: [baseRule(), capRule({ maxPoints: 100 })],
      purchase: { items: [item('a', 30_000), item('b', 10_000), item('free', 0)] },
    });
    expect(result.itemPoints.map((i) => i.points)).toEqual([75, 25, 0]);
    expect(sum(result.itemPoints.map((i) => i.points))).toBe(100);
  });

  it('the usage delta records the capped points, not the points before the cap', () => {
    const result = earn({ rules: [baseRule(), capRule({ per: 'day', maxPoints: 1_000 })], purchase: big });
    expect(result.usageDelta.pointsByPeriod['day:2026-11-23']).toBe(1_000);
  });

  it('a cap for purchases only does not apply to events, and one for events caps them', () => {
    const rules = [
      eventRule({ points: 300 }),
      capRule({ ruleId: 'purchases', maxPoints: 10, appliesTo: ['purchase'] }),
    ];
    expect(engage({ rules }).points).toBe(300);
    const eventCap = [eventRule({ points: 300 }), capRule({ per: 'day', maxPoints: 250, appliesTo: ['event'] })];
    expect(engage({ rules: eventCap }).points).toBe(250);
  });
});
