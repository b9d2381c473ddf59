// Money the engine earns on: net of discounts, only the lines that earn, and never past the bounds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_LINE_POINTS } from '../../../core/earning/domain';
import type { PurchaseFacts } from '../../../core/earning/domain/purchase';
import { evaluate } from '../../../core/earning/use-cases/earn-for-purchase';
import { NEW_MEMBER } from '../../../core/ledger/domain/member-state';
import type { ProgramSettings } from '../../../core/programs/domain/program';
import { baseRule, earn, item, multiplier, orderThreshold, productBonus, programSettings } from './fixtures';

const NOW = '2026-11-23T10:00:00.000Z';
const purchase = (o: Partial<PurchaseFacts>): PurchaseFacts => ({
  orderId: 'o',
  memberId: 'm',
  occurredAt: NOW,
  currency: 'USD',
  amount: 0,
  ...o,
});
const run = (p: Partial<PurchaseFacts>, rules = [baseRule()], settings: Partial<ProgramSettings> = {}) =>
  evaluate(programSettings(settings), rules, purchase(p), { ...NEW_MEMBER, memberId: 'm' }, NOW);

describe('which lines earn', () => {
  it('a line earns on its price net of its own discount and its share of the order discount', () => {
    const result = run({
      amount: 80_00,
      discount: 20_00,
      items: [{ sku: 'a', quantity: 2, unitPrice: 50_00 }],
    });

    expect(result.points).toBe(80);
    expect(result.eligibleSpend).toBe(80_00);
  });

  it('a $20 order discount keeps a spend bonus out of reach when the net spend is below it', () => {
    const result = run({ amount: 90_00, discount: 20_00, items: [{ sku: 'a', quantity: 1, unitPrice: 110_00 }] }, [
      baseRule(),
      orderThreshold({ minSpend: { USD: 100_00 } }),
    ]);

    expect(result.points).toBe(90);
    expect(result.skipped.map((s) => s.ruleId)).toContain('over-100');
  });

  it('shipping, tax and gift cards sold earn nothing by default and take no share of bonuses', () => {
    const result = run(
      {
        amount: 168_00,
        shipping: 10_00,
        tax: 8_00,
        items: [
          { sku: 'a', quantity: 1, unitPrice: 100_00 },
          { sku: 'card', quantity: 1, unitPrice: 50_00, type: 'gift-card' },
        ],
      },
      [baseRule(), productBonus({ skus: ['a'], points: 30 })],
    );

    expect(result.itemPoints).toEqual([
      { sku: 'a', quantity: 1, points: 130 },
      { sku: 'card', quantity: 1, points: 0 },
      { sku: '(shipping)', quantity: 1, points: 0 },
      { sku: '(tax)', quantity: 1, points: 0 },
    ]);
    expect(result.eligibleSpend).toBe(100_00);
  });

  it('a program that earns on shipping, tax and gift cards says so in earnOn', () => {
    const result = run(
      {
        amount: 168_00,
        shipping: 10_00,
        tax: 8_00,
        items: [
          { sku: 'a', quantity: 1, unitPrice: 100_00 },
          { sku: 'card', quantity: 1, unitPrice: 50_00, type: 'gift-card' },
        ],
      },
      [baseRule()],
      { earnOn: { shipping: true, tax: true, giftCards: true } },
    );

    expect(result.points).toBe(168);
  });
});

describe('bounds', () => {
  it("a purchase never earns more than the program's maxPointsPerTransaction, and the breakdown says so", () => {
    const result = run({ amount: 1_000_000_00 }, [baseRule({ pointsPerUnit: { USD: '999999999' } })]);

    expect(result.points).toBe(1_000_000);
    expect(result.breakdown.at(-1)).toMatchObject({ ruleId: 'program-max-points', capped: true });
  });

  it('property: what a purchase that adds up earns stays within the program bound, whatever the rules', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            quantity: fc.integer({ min: 1, max: 1_000 }),
            unitPrice: fc.integer({ min: 0, max: 100_000_00 }),
            giftCard: fc.boolean(),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        fc.integer({ min: 0, max: 1_000_00 }),
        fc.constantFrom('1', '0.5', '999999999.9999'),
        fc.constantFrom('1', '3', '999999999'),
        fc.integer({ min: 0, max: 1_000_000_000 }),
        fc.integer({ min: 1, max: 1_000_000_000 }),
        (raw, shipping, rate, factor, bonus, maxPointsPerTransaction) => {
          const items = raw.map((r, i) => ({
            sku: `s${i}`,
            quantity: r.quantity,
            unitPrice: r.unitPrice,
            ...(r.giftCard ? { type: 'gift-card' as const } : {}),
          }));
          const amount = items.reduce((s, i) => s + i.quantity * i.unitPrice, 0) + shipping;
          const result = run(
            { amount, shipping, items },
            [
              baseRule({ pointsPerUnit: { USD: rate } }),
              multiplier({ target: { by: 'order' }, factor }),
              productBonus({ skus: items.map((i) => i.sku), points: bonus, per: 'unit' }),
            ],
            { maxPointsPerTransaction, earnOn: { shipping: true, tax: false, giftCards: false } },
          );

          expect(Number.isSafeInteger(result.points)).toBe(true);
          expect(result.points >= 0 && result.points <= maxPointsPerTransaction).toBe(true);
          expect(result.itemPoints.every((i) => i.points >= 0)).toBe(true);
          expect(result.itemPoints.reduce((s, i) => s + i.points, 0)).toBe(result.points);
          items.forEach((item, i) => {
            if (item.type) expect(result.itemPoints[i]?.points).toBe(0);
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('property: any basket within the schema and any rates evaluate to safe points that the items share', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            quantity: fc.integer({ min: 1, max: 100_000 }),
            unitPrice: fc.oneof(fc.integer({ min: 0, max: 10 ** 12 }), fc.constant(10 ** 12)),
          }),
          { minLength: 1, maxLength: 10 },
        ),
        fc.constantFrom('1', '999999999.9999', '0.0001'),
        fc.constantFrom('1', '999999999'),
        fc.integer({ min: 0, max: 1_000_000_000 }),
        (raw, rate, factor, bonus) => {
          const items = raw.map((r, i) => item(`s${i}`, r.unitPrice, r.quantity));
          const result = earn({
            rules: [
              baseRule({ pointsPerUnit: { USD: rate } }),
              multiplier({ target: { by: 'order' }, factor }),
              productBonus({ skus: items.map((i) => i.sku), points: bonus, per: 'unit' }),
            ],
            purchase: { items, amount: 10 ** 12 },
          });

          expect(Number.isSafeInteger(result.points)).toBe(true);
          expect(result.breakdown.every((l) => Math.abs(l.points) <= MAX_LINE_POINTS)).toBe(true);
          expect(result.itemPoints.reduce((s, i) => s + i.points, 0)).toBe(result.points);
        },
      ),
      { numRuns: 200 },
    );
  });
});
