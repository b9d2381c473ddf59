import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { purchasesRoutes } from '../../../adapters/http/routes/purchases';
import {
  cumulativeSplit,
  earnedOnOf,
  orderLines,
  qualifyingSpend,
  totalsErrors,
} from '../../../core/earning/domain/order-lines';
import { type PurchaseFacts, purchaseFingerprint } from '../../../core/earning/domain/purchase';
import { planClawback } from '../../../core/earning/domain/returns';
import { MAX_MINOR } from '../../../core/kernel/schemas';
import { DEFAULT_EARN_ON } from '../../../core/programs/domain/program';

const policy = { amountTolerancePerLine: 1, maxPurchaseAmount: 100_000_000 };
const order = (o: Partial<PurchaseFacts>): PurchaseFacts => ({
  orderId: 'o',
  memberId: 'm',
  occurredAt: '2026-11-23T10:00:00Z',
  currency: 'USD',
  amount: 0,
  ...o,
});
const net = (l: { quantity: number; unitPrice: number; discount: number }) => l.quantity * l.unitPrice - l.discount;

describe('cumulative split', () => {
  it('rounds on the running total, so the shares add up exactly', () => {
    expect(cumulativeSplit(100n, [1n, 1n, 1n])).toEqual([33n, 33n, 34n]);
    expect(cumulativeSplit(20_00n, [50_00n, 30_00n, 19_99n])).toEqual([1000n, 600n, 400n]);
    expect(cumulativeSplit(5n, [0n, 0n])).toEqual([0n, 0n]);
  });

  it('property: shares are non-negative, sum to the total and stay within one unit of the exact share', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 12n }), { minLength: 1, maxLength: 20 }),
        (total, weights) => {
          const sum = weights.reduce((a, b) => a + b, 0n);
          fc.pre(sum > 0n);
          const shares = cumulativeSplit(total, weights);
          expect(shares.reduce((a, b) => a + b, 0n)).toBe(total);
          shares.forEach((share, i) => {
            const exact = (total * weights[i]!) / sum;
            expect(share >= 0n && share >= exact - 1n && share <= exact + 1n).toBe(true);
          });
        },
      ),
    );
  });
});

describe('allocating the order discount', () => {
  const MAX_QUANTITY = 100_000;
  const anyLine = fc
    .record({
      quantity: fc.integer({ min: 1, max: MAX_QUANTITY }),
      unitPrice: fc.oneof(fc.integer({ min: 0, max: 100_00 }), fc.integer({ min: 0, max: MAX_MINOR })),
      off: fc.bigInt({ min: 0n, max: 1000n }),
      giftCard: fc.boolean(),
    })
    .map((r) => {
      const gross = BigInt(r.quantity) * BigInt(r.unitPrice);
      // The schema's bound on a discount, and at most the line.
      const cap = gross < BigInt(MAX_MINOR) ? gross : BigInt(MAX_MINOR);
      return {
        quantity: r.quantity,
        unitPrice: r.unitPrice,
        discount: Number((cap * r.off) / 1000n),
        ...(r.giftCard ? { type: 'gift-card' as const } : {}),
      };
    });

  it('property: the shares sum exactly to the order discount, never negative, never past a line', () => {
    fc.assert(
      fc.property(
        fc.array(anyLine, { minLength: 1, maxLength: 20 }),
        fc.bigInt({ min: 0n, max: 1000n }),
        (raw, part) => {
          const items = raw.map((l, i) => ({ sku: `s${i}`, ...l }));
          const room = items
            .filter((i) => !i.type)
            .reduce((s, i) => s + BigInt(i.quantity) * BigInt(i.unitPrice) - BigInt(i.discount), 0n);
          const max = room < BigInt(MAX_MINOR) ? room : BigInt(MAX_MINOR);
          const discount = Number((max * part) / 1000n);

          const lines = orderLines(order({ amount: 0, items, discount }), DEFAULT_EARN_ON);
          const shares = lines.map((l, i) => BigInt(l.discount) - BigInt(items[i]!.discount));

          expect(shares.reduce((a, b) => a + b, 0n)).toBe(BigInt(discount));
          lines.forEach((l, i) => {
            const gross = BigInt(l.quantity) * BigInt(l.unitPrice);
            expect(shares[i]! >= 0n, `share of ${l.sku}`).toBe(true);
            expect(BigInt(l.discount) <= gross, `discount of ${l.sku}`).toBe(true);
            if (l.type === 'gift-card') expect(shares[i]).toBe(0n);
            expect(Number.isSafeInteger(l.discount)).toBe(true);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: a cumulative share never exceeds its weight when the total fits in the weights', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: 10n ** 15n }), { minLength: 1, maxLength: 30 }), (weights) => {
        const sum = weights.reduce((a, b) => a + b, 0n);
        fc.pre(sum > 0n);
        for (const total of [0n, 1n, sum / 3n, sum - 1n, sum]) {
          cumulativeSplit(total, weights).forEach((share, i) => {
            expect(share >= 0n && share <= weights[i]!).toBe(true);
          });
        }
      }),
    );
  });

  it('a line discount and an order discount of a whole line leave it at zero, not below', () => {
    const lines = orderLines(
      order({
        amount: 0,
        discount: 5_00,
        items: [
          { sku: 'a', quantity: 1, unitPrice: 10_00, discount: 10_00 },
          { sku: 'b', quantity: 1, unitPrice: 5_00 },
        ],
      }),
      DEFAULT_EARN_ON,
    );

    expect(lines.map((l) => [l.sku, l.discount, net(l)])).toEqual([
      ['a', 10_00, 0],
      ['b', 5_00, 0],
    ]);
  });
});

describe('order lines', () => {
  it('spreads an order discount over the product lines pro rata, never over a gift card', () => {
    const lines = orderLines(
      order({
        amount: 110_00,
        discount: 20_00,
        items: [
          { sku: 'shirt', quantity: 2, unitPrice: 25_00, discount: 10_00 },
          { sku: 'shoes', quantity: 1, unitPrice: 40_00 },
          { sku: 'card', quantity: 1, unitPrice: 50_00, type: 'gift-card' },
        ],
      }),
      DEFAULT_EARN_ON,
    );

    expect(lines.map((l) => [l.sku, l.discount, net(l), l.earns])).toEqual([
      ['shirt', 20_00, 30_00, true],
      ['shoes', 10_00, 30_00, true],
      ['card', 0, 50_00, false],
    ]);
  });

  it('adds shipping and tax as lines that earn only if the program says so', () => {
    const p = order({
      amount: 118_00,
      shipping: 10_00,
      tax: 8_00,
      items: [{ sku: 'a', quantity: 1, unitPrice: 100_00 }],
    });

    expect(orderLines(p, DEFAULT_EARN_ON).map((l) => [l.sku, l.type, l.unitPrice, l.earns])).toEqual([
      ['a', 'product', 100_00, true],
      ['(shipping)', 'shipping', 10_00, false],
      ['(tax)', 'tax', 8_00, false],
    ]);
    expect(orderLines(p, { ...DEFAULT_EARN_ON, shipping: true }).map((l) => l.earns)).toEqual([true, true, false]);
  });

  it('a purchase without items is one line of its amount less shipping and tax', () => {
    const lines = orderLines(order({ amount: 118_00, shipping: 10_00, tax: 8_00 }), DEFAULT_EARN_ON);

    expect(lines.map((l) => [l.sku, l.unitPrice])).toEqual([
      ['order', 100_00],
      ['(shipping)', 10_00],
      ['(tax)', 8_00],
    ]);
  });
});

describe('totals that add up', () => {
  const line = (unitPrice: number, quantity = 1, discount?: number) => ({
    sku: `s${unitPrice}`,
    quantity,
    unitPrice,
    ...(discount ? { discount } : {}),
  });

  it('amount 1 with one $10,000 line is refused naming amount and items', () => {
    expect(totalsErrors(order({ amount: 1, items: [line(10_000_00)] }), policy)).toEqual([
      {
        field: 'amount',
        message:
          'is 1, but the items net of their discounts (1000000) - discount (0) + shipping (0) + tax (0) come to ' +
          '1000000 (1 either way allowed)',
      },
      { field: 'items', message: 'come to 1000000 net of their discounts' },
    ]);
  });

  it('accepts lines net of discounts, less the order discount, plus shipping and tax', () => {
    const p = order({ amount: 98_00, discount: 20_00, shipping: 10_00, tax: 8_00, items: [line(50_00, 2)] });

    expect(totalsErrors(p, policy)).toEqual([]);
  });

  it('tolerates one minor unit per line by default, and what the program sets', () => {
    const items = [line(3_33), line(3_33), line(3_33)];

    expect(totalsErrors(order({ amount: 10_02, items }), policy)).toEqual([]);
    expect(totalsErrors(order({ amount: 10_03, items }), policy).map((e) => e.field)).toEqual(['amount', 'items']);
    expect(totalsErrors(order({ amount: 10_00, items }), { ...policy, amountTolerancePerLine: 0 })).toHaveLength(2);
  });

  it("refuses an amount beyond the program's largest purchase", () => {
    expect(totalsErrors(order({ amount: 100_000_001 }), policy)).toEqual([
      {
        field: 'amount',
        message: "is 100000001, more than this program's largest purchase (100000000, maxPurchaseAmount)",
      },
    ]);
  });

  it('refuses an order discount larger than the product lines, or without items to spread it over', () => {
    const giftOnly = order({ amount: 0, discount: 10_00, items: [{ ...line(10_00), type: 'gift-card' }] });

    expect(totalsErrors(giftOnly, policy).map((e) => e.field)).toContain('discount');
    expect(totalsErrors(order({ amount: 10_00, discount: 1_00 }), policy).map((e) => e.field)).toEqual(['discount']);
    expect(totalsErrors(order({ amount: 5_00, shipping: 4_00, tax: 2_00 }), policy).map((e) => e.field)).toEqual([
      'amount',
    ]);
  });

  it('the skus of the shipping and tax lines are reserved', () => {
    const p = order({ amount: 10_00, items: [line(5_00), { sku: '(shipping)', quantity: 1, unitPrice: 5_00 }] });

    expect(totalsErrors(p, policy)).toEqual([
      { field: 'items.1.sku', message: 'is reserved: send shipping and tax as `shipping` and `tax`' },
    ]);
  });

  it('ten maximal lines are refused as not adding up, not failed', () => {
    const items = Array.from({ length: 10 }, (_, i) => ({ sku: `x${i}`, quantity: 100_000, unitPrice: 10 ** 12 }));

    expect(totalsErrors(order({ amount: 10 ** 12, items }), policy).map((e) => e.field)).toEqual([
      'amount',
      'amount',
      'items',
    ]);
  });

  it('property: a purchase built to add up passes, and its lines carry exactly the discounts sent', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            quantity: fc.integer({ min: 1, max: 50 }),
            unitPrice: fc.integer({ min: 0, max: 100_00 }),
            off: fc.double({ min: 0, max: 1, noNaN: true }),
            giftCard: fc.boolean(),
          }),
          { minLength: 1, maxLength: 10 },
        ),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 20_00 }),
        fc.integer({ min: 0, max: 20_00 }),
        (raw, orderOff, shipping, tax) => {
          const items = raw.map((r, i) => ({
            sku: `s${i}`,
            quantity: r.quantity,
            unitPrice: r.unitPrice,
            discount: Math.floor(r.quantity * r.unitPrice * r.off),
            ...(r.giftCard ? { type: 'gift-card' as const } : {}),
          }));
          const products = items.filter((i) => !i.type).reduce((s, i) => s + i.quantity * i.unitPrice - i.discount, 0);
          const discount = Math.floor(products * orderOff);
          const lines = items.reduce((s, i) => s + i.quantity * i.unitPrice - i.discount, 0);
          const p = order({ amount: lines - discount + shipping + tax, items, discount, shipping, tax });

          expect(totalsErrors(p, policy)).toEqual([]);
          const priced = orderLines(p, DEFAULT_EARN_ON);
          const given = priced.reduce((s, l) => s + l.discount, 0);
          expect(given).toBe(discount + items.reduce((s, i) => s + i.discount, 0));
          expect(priced.reduce((s, l) => s + net(l), 0)).toBe(p.amount);
          expect(priced.every((l) => net(l) >= 0)).toBe(true);
        },
      ),
    );
  });
});

describe('qualifying spend and fingerprints', () => {
  it('tiers qualify on products paid: shipping, tax and gift cards sold do not count', () => {
    const p = order({
      amount: 168_00,
      shipping: 10_00,
      tax: 8_00,
      items: [
        { sku: 'a', quantity: 1, unitPrice: 100_00 },
        { sku: 'card', quantity: 1, unitPrice: 50_00, type: 'gift-card' },
      ],
    });

    expect(qualifyingSpend(p)).toBe(100_00);
    expect(qualifyingSpend(order({ amount: 42_00 }))).toBe(42_00);
  });

  it('purchases without the new fields keep their fingerprint; a discount makes another purchase', () => {
    const p = order({ amount: 10_00, items: [{ sku: 'a', quantity: 1, unitPrice: 10_00 }] });

    expect(purchaseFingerprint({ ...p, discount: 0, shipping: 0 })).toBe(purchaseFingerprint(p));
    expect(purchaseFingerprint({ ...p, items: [{ sku: 'a', quantity: 1, unitPrice: 10_00, type: 'product' }] })).toBe(
      purchaseFingerprint(p),
    );
    expect(purchaseFingerprint({ ...p, discount: 1_00 })).not.toBe(purchaseFingerprint(p));
    expect(purchaseFingerprint({ ...p, items: [{ sku: 'a', quantity: 1, unitPrice: 10_00, discount: 1 }] })).not.toBe(
      purchaseFingerprint(p),
    );
  });
});

describe('what an order earned on', () => {
  it('is what was recorded; an order from before earned on its items at quantity x unitPrice', () => {
    const items = [{ sku: 'tv', quantity: 1, unitPrice: 10_000_00 }];

    expect(earnedOnOf({ earnedOn: 80_00, purchase: order({ amount: 98_00, items }) })).toBe(80_00);
    expect(earnedOnOf({ purchase: order({ amount: 1, items }) })).toBe(10_000_00);
    expect(earnedOnOf({ purchase: order({ amount: 42_00 }) })).toBe(42_00);
  });

  it('a return of 1 cent on an old order of amount 1 and a $10,000 line takes back nothing', () => {
    const legacy = { purchase: order({ amount: 1, items: [{ sku: 'tv', quantity: 1, unitPrice: 10_000_00 }] }) };
    const earnings = {
      points: 10_000,
      amount: 1,
      earnedOn: earnedOnOf(legacy),
      itemPoints: [{ sku: 'tv', quantity: 1, points: 10_000 }],
      itemised: true,
    };

    const decision = planClawback(earnings, { points: 0, amount: 0, quantities: {} }, { kind: 'amount', amount: 1 });

    expect(decision).toMatchObject({ ok: true, points: 0 });
  });
});

describe('the documented example', () => {
  it('the purchase example of the API reference adds up under the default policy', () => {
    const example = purchasesRoutes.recordPurchase.example as unknown as PurchaseFacts;

    expect(totalsErrors(example, policy)).toEqual([]);
  });
});
