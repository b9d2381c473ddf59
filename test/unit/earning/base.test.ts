import { describe, expect, it } from 'vitest';
import { baseRule, earn, item, pointsOf } from './fixtures';

describe('base spend', () => {
  it('earns 1 point per whole USD, floored by default', () => {
    const result = earn({ rules: [baseRule()], purchase: { items: [item('tee', 2_599)] } });
    expect(result.points).toBe(25);
  });

  it('round-half-up rounds a half point up and less than half down', () => {
    const rules = [baseRule({ rounding: 'round-half-up' })];
    expect(earn({ rules, purchase: { items: [item('a', 2_550)] } }).points).toBe(26);
    expect(earn({ rules, purchase: { items: [item('a', 2_549)] } }).points).toBe(25);
  });

  it('ceil rounds any fraction of a point up', () => {
    expect(earn({ rules: [baseRule({ rounding: 'ceil' })], purchase: { items: [item('a', 2_501)] } }).points).toBe(26);
  });

  it('rounds once over the order, not per item', () => {
    // Three items at USD 0.50 earn 1 point together, though each alone would floor to 0.
    const result = earn({ rules: [baseRule()], purchase: { items: [item('a', 50), item('b', 50), item('c', 50)] } });
    expect(result.points).toBe(1);
  });

  it('a decimal rate is exact: 1.5 points per USD on USD 33.34 is 50.01', () => {
    const result = earn({
      rules: [baseRule({ pointsPerUnit: { USD: '1.5' } })],
      purchase: { items: [item('a', 3_334)] },
    });
    expect(result.points).toBe(50);
    expect(result.breakdown[0]?.description).toContain('= 50.01 pt');
  });

  it('a fractional rate such as 0.1 point per USD does not drift like a float would', () => {
    // 0.1 * 3 in floating point is 0.30000000000000004; here it is exactly 0.3 x 10 = 3.
    const result = earn({
      rules: [baseRule({ pointsPerUnit: { USD: '0.1' } })],
      purchase: { items: [item('a', 1_000, 3)] },
    });
    expect(result.points).toBe(3);
  });

  it('prices whole units with the currency exponent: yen have no minor unit', () => {
    const result = earn({
      rules: [baseRule({ pointsPerUnit: { JPY: '0.01' } })],
      purchase: { currency: 'JPY', items: [item('bento', 1_250)] },
    });
    expect(result.points).toBe(12);
  });

  it('prices whole units with the currency exponent: dinars have three decimals', () => {
    const result = earn({
      rules: [baseRule({ pointsPerUnit: { KWD: '10' } })],
      purchase: { currency: 'KWD', items: [item('dates', 2_500)] }, // KWD 2.500
    });
    expect(result.points).toBe(25);
  });

  it('uses the rate of the purchase currency and skips a rule without one', () => {
    const rules = [baseRule({ pointsPerUnit: { USD: '1', EUR: '2' } })];
    expect(earn({ rules, purchase: { currency: 'EUR', items: [item('a', 1_000)] } }).points).toBe(20);
    const gbp = earn({ rules, purchase: { currency: 'GBP', items: [item('a', 1_000)] } });
    expect(gbp.points).toBe(0);
    expect(gbp.skipped).toEqual([{ ruleId: 'base', version: 1, rule: 'base', reason: 'no rate for GBP' }]);
  });

  it('excluded SKUs earn nothing', () => {
    const result = earn({
      rules: [baseRule({ exclude: { skus: ['stamp'] } })],
      purchase: { items: [item('tee', 2_000), item('stamp', 5_000)] },
    });
    expect(result.points).toBe(20);
  });

  it('excluded categories earn nothing', () => {
    const result = earn({
      rules: [baseRule({ exclude: { categories: ['gift-card'] } })],
      purchase: { items: [item('tee', 2_000, 1, 'apparel'), item('gc', 5_000, 1, 'gift-card')] },
    });
    expect(result.points).toBe(20);
  });

  it('does not earn below the minimum order amount, counted on eligible spend', () => {
    const rules = [baseRule({ minOrderAmount: { USD: 1_000 }, exclude: { categories: ['gift-card'] } })];
    const below = earn({ rules, purchase: { items: [item('a', 900), item('gc', 5_000, 1, 'gift-card')] } });
    expect(below.points).toBe(0);
    expect(below.skipped[0]?.reason).toBe('eligible spend USD 9.00 is below the minimum USD 10.00');
    expect(earn({ rules, purchase: { items: [item('a', 1_000)] } }).points).toBe(10);
  });

  it('a minimum in another currency does not apply', () => {
    const result = earn({
      rules: [baseRule({ pointsPerUnit: { USD: '1', EUR: '1' }, minOrderAmount: { USD: 10_000 } })],
      purchase: { currency: 'EUR', items: [item('a', 500)] },
    });
    expect(result.points).toBe(5);
  });

  it('several base rules each add their own line', () => {
    const result = earn({
      rules: [baseRule(), baseRule({ ruleId: 'base-extra', pointsPerUnit: { USD: '0.5' } })],
      purchase: { items: [item('a', 1_000)] },
    });
    expect([result.points, pointsOf(result, 'base'), pointsOf(result, 'base-extra')]).toEqual([15, 10, 5]);
  });
});
