import { describe, expect, it } from 'vitest';
import { baseRule, earn, firstPurchase, item, multiplier, orderThreshold, pointsOf, productBonus } from './fixtures';

describe('fixed bonuses', () => {
  it('a first-purchase bonus applies when the member has no earlier purchase', () => {
    expect(earn({ rules: [firstPurchase()], member: { purchaseCount: 0 } }).points).toBe(100);
  });

  it('a first-purchase bonus does not apply to a later purchase', () => {
    const result = earn({ rules: [firstPurchase()], member: { purchaseCount: 1 } });
    expect(result.points).toBe(0);
    expect(result.skipped[0]?.reason).toBe('not the first purchase (1 before)');
  });

  it('a first-purchase bonus can require a minimum spend', () => {
    const rules = [firstPurchase({ minSpend: { USD: 5_000 } })];
    expect(earn({ rules, member: { purchaseCount: 0 }, purchase: { items: [item('a', 4_999)] } }).points).toBe(0);
    expect(earn({ rules, member: { purchaseCount: 0 }, purchase: { items: [item('a', 5_000)] } }).points).toBe(100);
  });

  it('an order-threshold bonus applies at or above the threshold', () => {
    const rules = [orderThreshold()];
    expect(earn({ rules, purchase: { items: [item('a', 9_999)] } }).points).toBe(0);
    expect(earn({ rules, purchase: { items: [item('a', 10_000)] } }).points).toBe(50);
  });

  it('an order-threshold bonus counts eligible spend only', () => {
    const rules = [baseRule({ exclude: { categories: ['gift-card'] } }), orderThreshold()];
    const result = earn({ rules, purchase: { items: [item('a', 6_000), item('gc', 5_000, 1, 'gift-card')] } });
    expect(pointsOf(result, 'over-100')).toBeUndefined();
  });

  it('an order-threshold bonus does not apply in a currency it has no threshold for', () => {
    const result = earn({ rules: [orderThreshold()], purchase: { currency: 'EUR', items: [item('a', 50_000)] } });
    expect(result.points).toBe(0);
    expect(result.skipped[0]?.reason).toBe('no threshold in EUR');
  });

  it('a product bonus per order applies once whatever the quantity', () => {
    const result = earn({ rules: [productBonus()], purchase: { items: [item('promo', 500, 3)] } });
    expect(result.points).toBe(30);
  });

  it('a product bonus per unit applies for every unit, across lines of the same SKU', () => {
    const result = earn({
      rules: [productBonus({ per: 'unit', points: 5 })],
      purchase: { items: [item('promo', 500, 3), item('tee', 1_000), item('promo', 500, 1)] },
    });
    expect(result.points).toBe(20);
    expect(result.itemPoints.map((i) => i.points)).toEqual([15, 0, 5]);
  });

  it('a product bonus needs its minimum quantity', () => {
    const rules = [productBonus({ minQuantity: 2 })];
    const one = earn({ rules, purchase: { items: [item('promo', 500, 1)] } });
    expect(one.points).toBe(0);
    expect(one.skipped[0]?.reason).toBe('1 of SKU promo bought, 2 needed');
    expect(earn({ rules, purchase: { items: [item('promo', 500, 2)] } }).points).toBe(30);
  });

  it('a product bonus does not apply when the SKU is absent', () => {
    expect(earn({ rules: [productBonus()], purchase: { items: [item('tee', 500)] } }).points).toBe(0);
  });

  it('bonuses are not multiplied: they come after the multiplier stage', () => {
    const result = earn({
      rules: [baseRule(), firstPurchase(), multiplier({ target: { by: 'order' } })],
      member: { purchaseCount: 0 },
      purchase: { items: [item('a', 1_000)] },
    });
    expect(result.points).toBe(10 + 10 + 100);
  });
});
