import { describe, expect, it } from 'vitest';
import { baseRule, earn, item, multiplier, pointsOf } from './fixtures';

const coffeeAndMug = [item('latte', 500, 2, 'coffee'), item('mug', 1_000, 1, 'merch')]; // base 10 + 10

describe('multipliers', () => {
  it('a SKU multiplier adds (factor - 1) x the base points of that SKU', () => {
    const result = earn({
      rules: [baseRule(), multiplier({ target: { by: 'sku', skus: ['latte'] }, factor: '3' })],
      purchase: { items: coffeeAndMug },
    });
    expect(pointsOf(result, 'mult-sku')).toBe(20);
    expect(result.points).toBe(40);
  });

  it('a category multiplier applies only to items of that category', () => {
    const result = earn({
      rules: [baseRule(), multiplier({ target: { by: 'category', categories: ['coffee'] } })],
      purchase: { items: coffeeAndMug },
    });
    expect(result.points).toBe(30);
    expect(result.itemPoints.map((i) => i.points)).toEqual([20, 10]);
  });

  it('a tier multiplier applies to the whole order of members in that tier only', () => {
    const rules = [baseRule(), multiplier({ target: { by: 'tier', tiers: ['gold'] }, factor: '1.25' })];
    expect(earn({ rules, purchase: { items: coffeeAndMug }, member: { tier: 'gold' } }).points).toBe(25);
    const silver = earn({ rules, purchase: { items: coffeeAndMug }, member: { tier: 'silver' } });
    expect(silver.points).toBe(20);
    expect(silver.skipped[0]?.reason).toBe('member tier silver is not gold');
    expect(earn({ rules, purchase: { items: coffeeAndMug }, member: { tier: null } }).points).toBe(20);
  });

  it('a channel multiplier applies to purchases made in that channel only', () => {
    const rules = [baseRule(), multiplier({ target: { by: 'channel', channels: ['app'] } })];
    expect(earn({ rules, purchase: { items: coffeeAndMug, channel: 'app' } }).points).toBe(40);
    expect(earn({ rules, purchase: { items: coffeeAndMug, channel: 'store' } }).points).toBe(20);
    expect(earn({ rules, purchase: { items: coffeeAndMug } }).points).toBe(20);
  });

  it('an order multiplier applies to the base of every eligible item', () => {
    const result = earn({
      rules: [baseRule(), multiplier({ target: { by: 'order' }, factor: '1.5' })],
      purchase: { items: coffeeAndMug },
    });
    expect(result.points).toBe(30);
  });

  it('several multipliers add their extras rather than compounding', () => {
    // 2x coffee + 3x app on coffee base 10: 10 + 10 + 20 = 40 (compounding would give 60).
    const result = earn({
      rules: [
        baseRule(),
        multiplier({ target: { by: 'category', categories: ['coffee'] } }),
        multiplier({ target: { by: 'channel', channels: ['app'] }, factor: '3' }),
      ],
      purchase: { items: [item('latte', 500, 2, 'coffee')], channel: 'app' },
    });
    expect(result.breakdown.map((l) => l.points)).toEqual([10, 10, 20]);
    expect(result.points).toBe(40);
  });

  it('multiplies the exact base, not the rounded base', () => {
    // USD 1.50 earns 1.5 base points, floored to 1. Tripling adds 2 x 1.5 = 3, not 2 x 1 = 2.
    const result = earn({
      rules: [baseRule(), multiplier({ target: { by: 'order' }, factor: '3' })],
      purchase: { items: [item('a', 150)] },
    });
    expect(result.breakdown.map((l) => l.points)).toEqual([1, 3]);
    expect(result.breakdown[1]?.description).toBe('3x on the whole order adds 2 x 1.5 base pt, floor -> +3');
  });

  it('each multiplier rounds its own extra with its own rounding mode', () => {
    const rules = (rounding: 'floor' | 'ceil') => [
      baseRule(),
      multiplier({ target: { by: 'order' }, factor: '1.1', rounding }),
    ];
    expect(pointsOf(earn({ rules: rules('floor'), purchase: { items: [item('a', 1_500)] } }), 'mult-order')).toBe(1);
    expect(pointsOf(earn({ rules: rules('ceil'), purchase: { items: [item('a', 1_500)] } }), 'mult-order')).toBe(2);
  });

  it('a multiplier with no matching items does not apply', () => {
    const result = earn({
      rules: [baseRule(), multiplier({ target: { by: 'sku', skus: ['espresso'] } })],
      purchase: { items: coffeeAndMug },
    });
    expect(result.appliedRules.map((r) => r.ruleId)).toEqual(['base']);
    expect(result.skipped[0]?.reason).toBe('no base points on SKU espresso');
  });

  it('a multiplier does not multiply excluded items', () => {
    const result = earn({
      rules: [
        baseRule({ exclude: { skus: ['latte'] } }),
        multiplier({ target: { by: 'category', categories: ['coffee'] } }),
      ],
      purchase: { items: coffeeAndMug },
    });
    expect(result.points).toBe(10);
  });
});
