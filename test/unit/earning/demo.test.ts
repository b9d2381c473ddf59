import { describe, expect, it } from 'vitest';
import { demoEarningRules, EarningRuleSetSchema } from '../../../core/earning/domain';
import { earn, engage, item } from './fixtures';

describe('demo earning rules', () => {
  it('are a valid rule set covering base, multipliers, a campaign, bonuses, a windfall and events', () => {
    const rules = demoEarningRules();
    expect(EarningRuleSetSchema.safeParse(rules).success).toBe(true);
    expect(rules.map((r) => r.kind)).toEqual([
      'base',
      'multiplier',
      'multiplier',
      'first-purchase',
      'windfall',
      'event',
      'event',
      'cap',
    ]);
    expect(rules.filter((r) => r.schedule?.daysOfWeek?.includes('sat'))).toHaveLength(1);
  });

  it('earn 1 point per dollar, double on coffee, nothing on gift cards, on a weekday', () => {
    const result = earn({
      rules: demoEarningRules(),
      purchase: {
        orderId: 'demo-weekday',
        occurredAt: '2026-11-24T15:00:00Z', // a Tuesday
        items: [item('latte', 450, 2, 'coffee'), item('mug', 1_600, 1, 'merch'), item('gc-25', 2_500, 1, 'gift-card')],
      },
    });
    expect(result.breakdown.filter((l) => l.points !== 0).map((l) => [l.ruleId, l.points])).toEqual([
      ['base-spend', 25],
      ['coffee-double', 9],
    ]);
  });

  it('add half again on a weekend', () => {
    const result = earn({
      rules: demoEarningRules(),
      purchase: { orderId: 'demo-weekend', occurredAt: '2026-11-28T15:00:00Z', items: [item('mug', 1_600)] },
    });
    expect(result.breakdown.map((l) => [l.ruleId, l.points]).slice(0, 2)).toEqual([
      ['base-spend', 16],
      ['weekend-boost', 8],
    ]);
  });

  it('reward a review and a birthday', () => {
    expect(engage({ rules: demoEarningRules(), event: { type: 'review.posted' } }).points).toBe(25);
    expect(engage({ rules: demoEarningRules(), event: { type: 'birthday' } }).points).toBe(200);
  });
});
