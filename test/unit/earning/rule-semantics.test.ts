// What a rule set means as a whole: an inactive rule is as if it did not exist, and a program
// earns its flat pointsPerUnit whenever no base rule of its own is in force.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EarningRule } from '../../../core/earning/domain';
import { PROGRAM_BASE_RULE_ID } from '../../../core/earning/domain/earn-plan';
import type { PurchaseFacts } from '../../../core/earning/domain/purchase';
import { evaluate } from '../../../core/earning/use-cases/earn-for-purchase';
import { NEW_MEMBER } from '../../../core/ledger/domain/member-state';
import type { ProgramSettings } from '../../../core/programs/domain/program';
import {
  baseRule,
  capRule,
  firstPurchase,
  multiplier,
  orderThreshold,
  productBonus,
  programSettings,
  referralRule,
  windfallRule,
} from './fixtures';

const program = programSettings;

const MONDAY = '2026-11-23T10:00:00.000Z';

const purchase = (over: Partial<PurchaseFacts> = {}): PurchaseFacts => ({
  orderId: 'o-1',
  memberId: 'm',
  occurredAt: MONDAY,
  currency: 'USD',
  amount: 100_00,
  ...over,
});

const earn = (rules: EarningRule[], p: Partial<PurchaseFacts> = {}, settings: Partial<ProgramSettings> = {}) =>
  evaluate(program(settings), rules, purchase(p), { ...NEW_MEMBER, memberId: 'm' }, MONDAY);

describe('rule semantics', () => {
  it('a program whose only rule is an inactive first-purchase bonus earns its pointsPerUnit', () => {
    const result = earn([firstPurchase({ active: false })]);

    expect(result.points).toBe(100);
    expect(result.breakdown).toEqual([expect.objectContaining({ ruleId: PROGRAM_BASE_RULE_ID, points: 100 })]);
  });

  it('an active bonus adds to the flat rate when the program has no base rule', () => {
    const result = earn([firstPurchase({ points: 50 })]);

    expect(result.breakdown.map((l) => [l.ruleId, l.points])).toEqual([
      [PROGRAM_BASE_RULE_ID, 100],
      ['first', 50],
    ]);
  });

  it('an inactive base rule leaves the flat rate in place', () => {
    const result = earn([baseRule({ pointsPerUnit: { USD: '5' }, active: false })], {}, { pointsPerUnit: 2 });

    expect(result.points).toBe(200);
  });

  it('an active base rule replaces the flat rate: the two never add up', () => {
    const result = earn([baseRule({ pointsPerUnit: { USD: '3' } })], {}, { pointsPerUnit: 2 });

    expect(result.breakdown.map((l) => [l.ruleId, l.points])).toEqual([['base', 300]]);
  });

  it('a scheduled base rule replaces the flat rate inside its schedule only', () => {
    const weekends = baseRule({ pointsPerUnit: { USD: '3' }, schedule: { daysOfWeek: ['sat', 'sun'] } });

    expect(earn([weekends]).breakdown.map((l) => [l.ruleId, l.points])).toEqual([[PROGRAM_BASE_RULE_ID, 100]]);
    const saturday = '2026-11-28T10:00:00.000Z';
    const onSaturday = evaluate(
      program(),
      [weekends],
      purchase({ occurredAt: saturday }),
      { ...NEW_MEMBER, memberId: 'm' },
      saturday,
    );
    expect(onSaturday.breakdown.map((l) => [l.ruleId, l.points])).toEqual([['base', 300]]);
  });

  it('a base rule without a rate for the currency is not in force, so the flat rate applies', () => {
    const result = earn([baseRule({ pointsPerUnit: { EUR: '3' } })]);

    expect(result.breakdown.map((l) => l.ruleId)).toContain(PROGRAM_BASE_RULE_ID);
    expect(result.points).toBe(100);
  });

  it('a program that set pointsPerUnit to 0 earns only what its rules give', () => {
    const result = earn([firstPurchase({ points: 50 })], {}, { pointsPerUnit: 0 });

    expect(result.points).toBe(50);
  });

  it("an out-of-schedule base rule's exclusions do not hide items from the rules in force", () => {
    const items = [
      { sku: 'mug', quantity: 1, unitPrice: 20_00 },
      { sku: 'card', quantity: 1, unitPrice: 80_00, category: 'gift-card' },
    ];
    const always = baseRule({ exclude: { skus: [], categories: ['gift-card'] } });
    const campaign = baseRule({ ruleId: 'xmas', schedule: { from: '2026-12-01T00:00:00Z' } });
    const bonus = orderThreshold({ minSpend: { USD: 50_00 } });

    const result = earn([always, campaign, bonus], { items });

    expect(result.points).toBe(20);
    expect(result.skipped.map((s) => s.ruleId)).toContain('over-100');
  });

  const kinds: fc.Arbitrary<EarningRule>[] = [
    fc.record({ rate: fc.constantFrom('0.5', '1', '2', '10'), exclude: fc.boolean() }).map(({ rate, exclude }) =>
      baseRule({
        ruleId: 'b-x',
        pointsPerUnit: { USD: rate },
        exclude: { skus: exclude ? ['mug'] : [], categories: [] },
      }),
    ),
    fc.constantFrom('1.5', '2', '3').map((factor) => multiplier({ ruleId: 'm-x', target: { by: 'order' }, factor })),
    fc.integer({ min: 1, max: 500 }).map((points) => firstPurchase({ ruleId: 'f-x', points })),
    fc
      .integer({ min: 0, max: 20_000 })
      .map((min) => orderThreshold({ ruleId: 't-x', minSpend: { USD: min }, exclusive: true })),
    fc.integer({ min: 1, max: 100 }).map((points) => productBonus({ ruleId: 'pb-x', skus: ['mug'], points })),
    fc.constant(windfallRule({ ruleId: 'w-x' })),
    fc.constant(referralRule({ ruleId: 'r-x' })),
    fc.integer({ min: 0, max: 50 }).map((maxPoints) => capRule({ ruleId: 'c-x', maxPoints })),
  ];
  const anyRule = fc.oneof(...kinds);
  const basket = fc.array(
    fc.record({
      sku: fc.constantFrom('mug', 'tee', 'beans'),
      quantity: fc.integer({ min: 1, max: 5 }),
      unitPrice: fc.integer({ min: 0, max: 50_00 }),
    }),
    { minLength: 1, maxLength: 4 },
  );

  it('property: adding inactive rules of any kind never changes what the active ones earn', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(anyRule, { selector: (r) => r.ruleId, maxLength: 4 }),
        fc.uniqueArray(anyRule, { selector: (r) => r.ruleId, minLength: 1, maxLength: 4 }),
        basket,
        (active, extra, items) => {
          const inactive = extra
            .filter((r) => !active.some((a) => a.ruleId === r.ruleId))
            .map((r) => ({ ...r, ruleId: `off-${r.ruleId}`, active: false }));
          const p = { items, amount: items.reduce((s, i) => s + i.quantity * i.unitPrice, 0) };

          const without = earn(active, p);
          const withInactive = earn([...inactive, ...active], p);

          expect(withInactive.points).toBe(without.points);
          expect(withInactive.breakdown).toEqual(without.breakdown);
          expect(withInactive.itemPoints).toEqual(without.itemPoints);
        },
      ),
    );
  });
});
