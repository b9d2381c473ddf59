import { describe, expect, it } from 'vitest';
import { EarningInputError, MAX_CLOCK_SKEW_MS } from '../../../core/earning/domain';
import { baseRule, earn, engage, eventRule, firstPurchase, item } from './fixtures';

describe('engine input', () => {
  it('refuses a purchase dated after now beyond the allowed clock skew', () => {
    const now = '2026-11-23T10:00:00.000Z';
    const skewed = new Date(Date.parse(now) + MAX_CLOCK_SKEW_MS).toISOString();
    expect(earn({ rules: [baseRule()], now, purchase: { occurredAt: skewed } }).points).toBe(20);
    expect(() => earn({ rules: [baseRule()], now, purchase: { occurredAt: '2026-11-23T10:06:00.000Z' } })).toThrow(
      EarningInputError,
    );
  });

  it('refuses an event dated in the future', () => {
    expect(() => engage({ rules: [eventRule()], now: '2026-11-22T00:00:00Z' })).toThrow(EarningInputError);
  });

  it('refuses prices that are not integer minor units and quantities below one', () => {
    expect(() => earn({ rules: [baseRule()], purchase: { amount: 999, items: [item('a', 9.99)] } })).toThrow(
      /unitPrice/,
    );
    expect(() => earn({ rules: [baseRule()], purchase: { items: [item('a', 999, 0)] } })).toThrow(/quantity/);
  });

  it('a purchase made only of excluded items earns nothing, bonuses included', () => {
    const result = earn({
      rules: [baseRule({ exclude: { categories: ['gift-card'] } }), firstPurchase()],
      member: { purchaseCount: 0 },
      purchase: { items: [item('gc', 5_000, 1, 'gift-card')] },
    });
    expect(result.points).toBe(0);
    expect(result.skipped.map((s) => s.reason)).toEqual([
      'every item is excluded from earning',
      'every item is excluded from earning',
    ]);
  });

  it('does not mutate its input', () => {
    const rules = [baseRule(), firstPurchase()];
    const frozen = structuredClone(rules);
    earn({ rules, member: { purchaseCount: 0 } });
    expect(rules).toEqual(frozen);
  });
});
