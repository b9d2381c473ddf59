import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type OrderEarnings, planClawback, type Returned } from '../../core/earning/domain/returns';

const NONE: Returned = { points: 0, amount: 0, quantities: {} };
const order = (over: Partial<OrderEarnings> = {}): OrderEarnings => ({
  points: 180,
  amount: 140_00,
  itemised: true,
  itemPoints: [
    { sku: 'shirt', quantity: 3, points: 60 },
    { sku: 'shoes', quantity: 1, points: 120 },
  ],
  ...over,
});

function applyAll(o: OrderEarnings, reqs: Parameters<typeof planClawback>[2][]) {
  let returned = NONE;
  let total = 0;
  for (const r of reqs) {
    const d = planClawback(o, returned, r);
    if (!d.ok) continue;
    expect(d.points).toBeGreaterThanOrEqual(0);
    total += d.points;
    returned = d.returned;
  }
  return { total, returned };
}

describe('claw-back of returns', () => {
  it('a returned item takes back its own share; the last unit takes the rounding remainder', () => {
    const o = order({ itemPoints: [{ sku: 'pen', quantity: 3, points: 10 }], points: 10 });
    const steps = applyAll(o, [{ kind: 'items', items: [{ sku: 'pen', quantity: 1 }] }]);
    expect(steps.total).toBe(3);
    expect(
      applyAll(
        o,
        [1, 1, 1].map(() => ({ kind: 'items' as const, items: [{ sku: 'pen', quantity: 1 }] })),
      ).total,
    ).toBe(10);
  });

  it('rejects returning more than was bought, an unknown SKU, or items of an order recorded without items', () => {
    expect(planClawback(order(), NONE, { kind: 'items', items: [{ sku: 'shirt', quantity: 4 }] })).toMatchObject({
      ok: false,
      errors: [{ field: 'items.0.quantity' }],
    });
    expect(planClawback(order(), NONE, { kind: 'items', items: [{ sku: 'hat', quantity: 1 }] })).toMatchObject({
      ok: false,
      errors: [{ field: 'items.0.sku' }],
    });
    expect(
      planClawback(order({ itemised: false }), NONE, { kind: 'items', items: [{ sku: 'order', quantity: 1 }] }),
    ).toMatchObject({ ok: false, errors: [{ field: 'items' }] });
    expect(planClawback(order(), NONE, { kind: 'amount', amount: 140_01 })).toMatchObject({
      ok: false,
      errors: [{ field: 'amount' }],
    });
  });

  it(
    'property: any sequence of partial returns never takes back more than the order earned, and returning ' +
      'everything takes back exactly all',
    () => {
      const req = fc.oneof(
        fc.record({ kind: fc.constant('amount' as const), amount: fc.integer({ min: 1, max: 60_00 }) }),
        fc.record({
          kind: fc.constant('items' as const),
          items: fc.array(
            fc.record({ sku: fc.constantFrom('shirt', 'shoes'), quantity: fc.integer({ min: 1, max: 3 }) }),
            { minLength: 1, maxLength: 2 },
          ),
        }),
        fc.constant({ kind: 'full' as const }),
      );
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 10_000 }),
          fc.integer({ min: 0, max: 500 }),
          fc.array(req, { maxLength: 10 }),
          (shirtPoints, shoePoints, reqs) => {
            const o = order({
              points: shirtPoints + shoePoints,
              itemPoints: [
                { sku: 'shirt', quantity: 3, points: shirtPoints },
                { sku: 'shoes', quantity: 1, points: shoePoints },
              ],
            });
            const { total, returned } = applyAll(o, reqs);
            expect(total).toBeLessThanOrEqual(o.points);
            expect(returned.points).toBe(total);
            expect(applyAll(o, [...reqs, { kind: 'full' }]).total).toBe(o.points);
          },
        ),
      );
    },
  );

  it('property: returning an amount in any number of slices takes back the same as returning it at once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.array(fc.integer({ min: 1, max: 5_000 }), { minLength: 1, maxLength: 8 }),
        (amount, points, slices) => {
          const o = order({ amount, points, itemised: false, itemPoints: [{ sku: 'order', quantity: 1, points }] });
          const parts = slices.filter((_, i) => slices.slice(0, i + 1).reduce((a, b) => a + b, 0) <= amount);
          const sum = parts.reduce((a, b) => a + b, 0);
          const sliced = applyAll(
            o,
            parts.map((a) => ({ kind: 'amount' as const, amount: a })),
          );
          const once = sum ? applyAll(o, [{ kind: 'amount', amount: sum }]) : { total: 0 };
          expect(sliced.total).toBe(once.total);
        },
      ),
    );
  });
});
