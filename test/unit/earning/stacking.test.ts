import { describe, expect, it } from 'vitest';
import {
  baseRule,
  capRule,
  earn,
  engage,
  eventRule,
  firstPurchase,
  item,
  multiplier,
  orderThreshold,
  productBonus,
  referralRule,
  windfallRule,
} from './fixtures';

const items = [item('promo', 10_000, 1, 'coffee')]; // 100 base points

describe('stacking and priority', () => {
  it('stages run base, multipliers, bonuses, caps whatever the priorities and the input order', () => {
    const result = earn({
      rules: [
        capRule({ maxPoints: 10_000, priority: 100 }),
        referralRule({ priority: 90 }),
        windfallRule({ priority: 80 }),
        firstPurchase({ priority: 70 }),
        multiplier({ target: { by: 'order' }, priority: 60 }),
        baseRule({ priority: -5 }),
      ],
      member: { purchaseCount: 0, referredBy: 'mem-friend' },
      purchase: { items },
    });
    expect(result.breakdown.map((l) => l.stage)).toEqual(['base', 'multiplier', 'bonus', 'bonus', 'bonus']);
  });

  it('within a stage the higher priority runs first', () => {
    const result = earn({
      rules: [
        baseRule(),
        multiplier({ target: { by: 'order' }, priority: 1 }),
        multiplier({ target: { by: 'sku', skus: ['promo'] }, priority: 5 }),
      ],
      purchase: { items },
    });
    expect(result.breakdown.map((l) => l.ruleId)).toEqual(['base', 'mult-sku', 'mult-order']);
  });

  it('equal priorities put fixed bonuses before the windfall and the windfall before referral', () => {
    const result = earn({
      rules: [referralRule(), windfallRule(), orderThreshold({ minSpend: { USD: 1 } }), firstPurchase()],
      member: { purchaseCount: 0, referredBy: 'mem-friend' },
      purchase: { items },
    });
    expect(result.breakdown.map((l) => l.rule)).toEqual(['first-purchase', 'order-threshold', 'windfall', 'referral']);
  });

  it('an exclusive base rule stops the other base rules, the multipliers and the bonuses', () => {
    const result = earn({
      rules: [
        baseRule({ ruleId: 'promo-base', pointsPerUnit: { USD: '5' }, exclusive: true, priority: 10 }),
        baseRule(),
        multiplier({ target: { by: 'order' } }),
        firstPurchase(),
      ],
      member: { purchaseCount: 0 },
      purchase: { items },
    });
    expect(result.points).toBe(500);
    expect(result.skipped.map((s) => [s.ruleId, s.reason])).toEqual([
      ['base', 'stopped by exclusive rule promo-base v1'],
      ['mult-order', 'stopped by exclusive rule promo-base v1'],
      ['first', 'stopped by exclusive rule promo-base v1'],
    ]);
  });

  it('an exclusive multiplier keeps the base and higher-priority multipliers, and stops the rest', () => {
    const result = earn({
      rules: [
        baseRule(),
        multiplier({ target: { by: 'sku', skus: ['promo'] }, priority: 9 }),
        multiplier({ target: { by: 'order' }, factor: '3', exclusive: true, priority: 5 }),
        multiplier({ target: { by: 'category', categories: ['coffee'] }, priority: 1 }),
        productBonus(),
      ],
      purchase: { items },
    });
    expect(result.breakdown.map((l) => [l.ruleId, l.points])).toEqual([
      ['base', 100],
      ['mult-sku', 100],
      ['mult-order', 200],
    ]);
  });

  it('an exclusive bonus keeps base and multipliers but stops lower-priority bonuses', () => {
    const result = earn({
      rules: [
        baseRule(),
        multiplier({ target: { by: 'order' } }),
        productBonus({ exclusive: true, priority: 1 }),
        firstPurchase(),
      ],
      member: { purchaseCount: 0 },
      purchase: { items },
    });
    expect(result.points).toBe(100 + 100 + 30);
  });

  it('an exclusive rule that does not apply stops nothing', () => {
    const result = earn({
      rules: [
        baseRule(),
        windfallRule({ probability: '0', exclusive: true, priority: 9 }),
        firstPurchase({ exclusive: true, priority: 5 }),
        productBonus(),
      ],
      member: { purchaseCount: 1 },
      purchase: { items },
    });
    expect(result.points).toBe(130);
  });

  it('an exclusive event rule stops other rules for the same event and the event windfall', () => {
    const rules = [
      eventRule({ ruleId: 'double-reviews', points: 50, exclusive: true, priority: 1 }),
      eventRule(),
      windfallRule({ on: 'event' }),
    ];
    const result = engage({ rules });
    expect(result.breakdown.map((l) => l.ruleId)).toEqual(['double-reviews']);
  });

  it('only the newest version of a rule applies', () => {
    const result = earn({
      rules: [
        baseRule({ version: 1 }),
        baseRule({ version: 3, pointsPerUnit: { USD: '3' } }),
        baseRule({ version: 2, pointsPerUnit: { USD: '2' } }),
      ],
      purchase: { items },
    });
    expect(result.points).toBe(300);
    expect(result.appliedRules).toEqual([{ ruleId: 'base', version: 3 }]);
    expect(result.skipped.map((s) => [s.version, s.reason])).toEqual([
      [1, 'superseded by version 3'],
      [2, 'superseded by version 3'],
    ]);
  });

  it('an inactive rule does not apply, even as the newest version', () => {
    const result = earn({
      rules: [baseRule({ version: 1 }), baseRule({ version: 2, active: false })],
      purchase: { items },
    });
    expect(result.points).toBe(0);
    expect(result.skipped.map((s) => s.reason)).toEqual(['superseded by version 2', 'inactive']);
  });
});
