import { describe, expect, it } from 'vitest';
import {
  baseRule,
  earn,
  firstPurchase,
  item,
  multiplier,
  orderThreshold,
  productBonus,
  referralRule,
  sum,
  windfallRule,
} from './fixtures';

describe('item shares', () => {
  it('every item gets one entry, in input order, with its sku and quantity', () => {
    const result = earn({
      rules: [baseRule()],
      purchase: { items: [item('a', 1_000, 2), item('b', 500), item('a', 300)] },
    });
    expect(result.itemPoints).toEqual([
      { sku: 'a', quantity: 2, points: 20 },
      { sku: 'b', quantity: 1, points: 5 },
      { sku: 'a', quantity: 1, points: 3 },
    ]);
  });

  it('the base is shared by exact base points, by largest remainder', () => {
    // Exact: 3.33 + 3.33 + 3.34 = 10 points.
    const result = earn({ rules: [baseRule()], purchase: { items: [item('a', 333), item('b', 333), item('c', 334)] } });
    expect(result.itemPoints.map((i) => i.points)).toEqual([3, 3, 4]);
  });

  it('an order-level bonus is shared in proportion to line amounts', () => {
    const result = earn({
      rules: [firstPurchase({ points: 100 })],
      member: { purchaseCount: 0 },
      purchase: { items: [item('a', 3_000), item('b', 1_000)] },
    });
    expect(result.itemPoints.map((i) => i.points)).toEqual([75, 25]);
  });

  it('an order-level bonus on free items is shared by quantity', () => {
    const result = earn({
      rules: [firstPurchase({ points: 9 })],
      member: { purchaseCount: 0 },
      purchase: { items: [item('a', 0, 2), item('b', 0, 1)] },
    });
    expect(result.itemPoints.map((i) => i.points)).toEqual([6, 3]);
  });

  it('excluded items get no share of anything', () => {
    const result = earn({
      rules: [baseRule({ exclude: { categories: ['gift-card'] } }), firstPurchase()],
      member: { purchaseCount: 0 },
      purchase: { items: [item('tee', 2_000), item('gc', 10_000, 1, 'gift-card')] },
    });
    expect(result.itemPoints.map((i) => i.points)).toEqual([120, 0]);
  });

  it('a product bonus goes to the product lines only', () => {
    const result = earn({
      rules: [productBonus({ points: 10 })],
      purchase: { items: [item('tee', 2_000), item('promo', 500)] },
    });
    expect(result.itemPoints.map((i) => i.points)).toEqual([0, 10]);
  });

  it('shares always add up to the purchase points', () => {
    const result = earn({
      rules: [
        baseRule({ pointsPerUnit: { USD: '1.3333' }, rounding: 'round-half-up' }),
        multiplier({ target: { by: 'category', categories: ['coffee'] }, factor: '1.7' }),
        orderThreshold({ minSpend: { USD: 100 }, points: 77 }),
        windfallRule(),
        referralRule({ refereePoints: 31 }),
      ],
      member: { purchaseCount: 0, referredBy: 'mem-friend' },
      purchase: {
        items: [item('a', 1_999, 3, 'coffee'), item('b', 7, 1), item('c', 12_345, 2, 'coffee'), item('d', 0, 4)],
      },
    });
    expect(sum(result.itemPoints.map((i) => i.points))).toBe(result.points);
  });

  it('a returned item can claw back exactly the share it earned', () => {
    const result = earn({
      rules: [
        baseRule(),
        multiplier({ target: { by: 'category', categories: ['coffee'] } }),
        firstPurchase({ points: 50 }),
      ],
      member: { purchaseCount: 0 },
      purchase: { items: [item('beans', 1_500, 1, 'coffee'), item('mug', 1_500, 1, 'merch')] },
    });
    // beans: 15 base + 15 multiplier + 25 bonus; mug: 15 base + 25 bonus.
    expect(result.itemPoints).toEqual([
      { sku: 'beans', quantity: 1, points: 55 },
      { sku: 'mug', quantity: 1, points: 40 },
    ]);
  });
});
