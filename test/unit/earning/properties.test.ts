import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type EarningRule,
  type EarningRuleInput,
  EarningRuleSchema,
  evaluateEvent,
  evaluatePurchase,
  type MemberFacts,
  type PurchaseEvaluationInput,
  type PurchaseItem,
  periodKey,
} from '../../../core/earning/domain';
import { sum } from './fixtures';

const RUNS = { numRuns: 300 };

const priority = fc.integer({ min: -3, max: 3 });
const rarelyTrue = fc.integer({ min: 0, max: 5 }).map((n) => n === 0);
const rounding = fc.constantFrom('floor', 'round-half-up', 'ceil' as const);
const weekend = fc.option(fc.constant({ daysOfWeek: ['sat', 'sun'] as ('sat' | 'sun')[] }), { nil: undefined });
const minSpend = fc.option(
  fc.integer({ min: 0, max: 50_000 }).map((usd) => ({ USD: usd })),
  { nil: undefined },
);

type RuleDraft = Omit<EarningRuleInput, 'ruleId' | 'version' | 'name'>;

const baseDraft: fc.Arbitrary<RuleDraft> = fc.record({
  kind: fc.constant('base' as const),
  pointsPerUnit: fc.constantFrom('1', '1.5', '0.25', '2', '0.3333', '10').map((rate) => ({ USD: rate })),
  rounding,
  // Every base rule excludes gift cards, so a gift card is an excluded item for the whole set.
  exclude: fc.record({ skus: fc.constantFrom([], ['c']), categories: fc.constant(['gift-card']) }),
  minOrderAmount: minSpend,
  priority,
  exclusive: rarelyTrue,
});

const multiplierDraft: fc.Arbitrary<RuleDraft> = fc.record({
  kind: fc.constant('multiplier' as const),
  target: fc.constantFrom(
    { by: 'sku' as const, skus: ['a', 'promo'] },
    { by: 'category' as const, categories: ['coffee'] },
    { by: 'tier' as const, tiers: ['gold'] },
    { by: 'channel' as const, channels: ['app' as const] },
    { by: 'order' as const },
  ),
  factor: fc.constantFrom('1', '1.25', '1.5', '2', '3'),
  rounding,
  priority,
  exclusive: rarelyTrue,
  schedule: weekend,
});

const bonusDraft: fc.Arbitrary<RuleDraft> = fc.oneof(
  fc.record({
    kind: fc.constant('first-purchase' as const),
    points: fc.integer({ min: 0, max: 500 }),
    minSpend,
    priority,
    exclusive: rarelyTrue,
  }),
  fc.record({
    kind: fc.constant('order-threshold' as const),
    points: fc.integer({ min: 0, max: 500 }),
    minSpend: fc.integer({ min: 0, max: 100_000 }).map((usd) => ({ USD: usd })),
    priority,
    exclusive: rarelyTrue,
  }),
  fc.record({
    kind: fc.constant('product-bonus' as const),
    skus: fc.constant(['promo']),
    points: fc.integer({ min: 0, max: 100 }),
    minQuantity: fc.integer({ min: 1, max: 3 }),
    per: fc.constantFrom('unit' as const, 'order' as const),
    priority,
    exclusive: rarelyTrue,
  }),
  fc.record({
    kind: fc.constant('windfall' as const),
    probability: fc.constantFrom('0', '0.3', '1'),
    minPoints: fc.integer({ min: 0, max: 50 }),
    maxPoints: fc.integer({ min: 50, max: 300 }),
    minSpend,
    priority,
    exclusive: rarelyTrue,
  }),
  fc.record({
    kind: fc.constant('referral' as const),
    referrerPoints: fc.integer({ min: 0, max: 500 }),
    refereePoints: fc.integer({ min: 0, max: 500 }),
    maxRewardsPerReferrer: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    priority,
    exclusive: rarelyTrue,
  }),
);

const capDraft: fc.Arbitrary<RuleDraft> = fc.record({
  kind: fc.constant('cap' as const),
  per: fc.constantFrom('transaction' as const, 'day' as const, 'month' as const),
  maxPoints: fc.integer({ min: 0, max: 3_000 }),
  priority,
});

const eventDraft: fc.Arbitrary<RuleDraft> = fc.record({
  kind: fc.constant('event' as const),
  eventType: fc.constantFrom('review.posted', 'birthday'),
  points: fc.integer({ min: 0, max: 500 }),
  limits: fc.constantFrom([], [{ period: 'day' as const, max: 1 }], [{ period: 'month' as const, max: 3 }]),
  priority,
  exclusive: rarelyTrue,
});

/** A rule set with at least one base rule; rule ids are unique. */
const ruleSet: fc.Arbitrary<EarningRule[]> = fc
  .tuple(
    fc.array(baseDraft, { minLength: 1, maxLength: 2 }),
    fc.array(multiplierDraft, { maxLength: 3 }),
    fc.array(bonusDraft, { maxLength: 4 }),
    fc.array(capDraft, { maxLength: 2 }),
    fc.array(eventDraft, { maxLength: 2 }),
  )
  .map((groups) =>
    groups
      .flat()
      .map((draft, i) => EarningRuleSchema.parse({ ...draft, ruleId: `r${i}`, version: 1, name: `rule ${i}` })),
  );

const itemArb: fc.Arbitrary<PurchaseItem> = fc
  .record({
    sku: fc.constantFrom('a', 'b', 'c', 'promo'),
    quantity: fc.integer({ min: 1, max: 5 }),
    unitPrice: fc.integer({ min: 0, max: 200_000 }),
    category: fc.constantFrom('coffee', 'merch', 'none'),
  })
  .map(({ category, ...rest }) => (category === 'none' ? rest : { ...rest, category }));

const memberArb: fc.Arbitrary<MemberFacts> = fc
  .record({
    purchaseCount: fc.integer({ min: 0, max: 2 }),
    tier: fc.constantFrom(null, 'gold', 'silver'),
    referredBy: fc.constantFrom(undefined, 'mem-friend', 'mem-1'),
    referrerRewardCount: fc.integer({ min: 0, max: 3 }),
  })
  .map(({ referredBy, ...rest }) => ({ memberId: 'mem-1', ...rest, ...(referredBy ? { referredBy } : {}) }));

const timeZone = fc.constantFrom('UTC', 'America/New_York', 'Asia/Tokyo', 'Europe/Paris', 'Australia/Lord_Howe');
const instant = fc
  .integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-01-01T00:00:00Z') })
  .map((ms) => new Date(ms).toISOString());

const purchaseInput: fc.Arbitrary<PurchaseEvaluationInput> = fc
  .record({
    rules: ruleSet,
    items: fc.array(itemArb, { minLength: 1, maxLength: 6 }),
    channel: fc.constantFrom(undefined, 'app' as const, 'store' as const),
    occurredAt: instant,
    timeZone,
    member: memberArb,
    usedToday: fc.integer({ min: 0, max: 4_000 }),
    usedThisMonth: fc.integer({ min: 0, max: 4_000 }),
    orderId: fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/\s/.test(s)),
  })
  .map(({ rules, items, channel, occurredAt, timeZone, member, usedToday, usedThisMonth, orderId }) => ({
    program: { programId: 'prog-1', currency: 'USD', timeZone },
    rules,
    purchase: {
      orderId,
      amount: sum(items.map((i) => i.unitPrice * i.quantity)),
      currency: 'USD',
      items,
      occurredAt,
      ...(channel ? { channel } : {}),
    },
    member,
    usage: {
      pointsByPeriod: {
        [periodKey('day', occurredAt, timeZone)]: usedToday,
        [periodKey('month', occurredAt, timeZone)]: usedThisMonth,
      },
    },
    now: occurredAt,
  }));

/** The most points each cap of the set allows for this input. */
function capLimits(input: PurchaseEvaluationInput): number[] {
  return input.rules.flatMap((rule) => {
    if (rule.kind !== 'cap') return [];
    if (rule.per === 'transaction') return [rule.maxPoints];
    const key = periodKey(rule.per as 'day' | 'month', input.purchase.occurredAt, input.program.timeZone);
    return [Math.max(0, rule.maxPoints - (input.usage?.pointsByPeriod?.[key] ?? 0))];
  });
}

describe('earning properties', () => {
  it('points are a non-negative integer and so is every item share', () => {
    fc.assert(
      fc.property(purchaseInput, (input) => {
        const result = evaluatePurchase(input);
        expect(Number.isSafeInteger(result.points) && result.points >= 0).toBe(true);
        for (const share of result.itemPoints)
          expect(Number.isSafeInteger(share.points) && share.points >= 0).toBe(true);
      }),
      RUNS,
    );
  });

  it('item shares sum to the points, and the breakdown sums to the points', () => {
    fc.assert(
      fc.property(purchaseInput, (input) => {
        const result = evaluatePurchase(input);
        expect(sum(result.itemPoints.map((i) => i.points))).toBe(result.points);
        expect(sum(result.breakdown.map((l) => l.points))).toBe(result.points);
        expect(result.itemPoints).toHaveLength(input.purchase.items.length);
      }),
      RUNS,
    );
  });

  it('caps are never exceeded', () => {
    fc.assert(
      fc.property(purchaseInput, (input) => {
        const result = evaluatePurchase(input);
        for (const limit of capLimits(input)) expect(result.points).toBeLessThanOrEqual(limit);
      }),
      RUNS,
    );
  });

  it('evaluation is deterministic and does not depend on the order rules are listed in', () => {
    fc.assert(
      fc.property(purchaseInput, (input) => {
        const first = evaluatePurchase(input);
        expect(evaluatePurchase(structuredClone(input))).toEqual(first);
        expect(evaluatePurchase({ ...input, rules: [...input.rules].reverse() })).toEqual(first);
      }),
      RUNS,
    );
  });

  it('adding an excluded item never changes the points', () => {
    fc.assert(
      fc.property(
        purchaseInput,
        fc.integer({ min: 0, max: 500_000 }),
        fc.integer({ min: 1, max: 3 }),
        (input, price, quantity) => {
          const giftCard: PurchaseItem = { sku: 'gift-card', quantity, unitPrice: price, category: 'gift-card' };
          const withGiftCard = {
            ...input,
            purchase: {
              ...input.purchase,
              amount: input.purchase.amount + price * quantity,
              items: [...input.purchase.items, giftCard],
            },
          };
          const before = evaluatePurchase(input);
          const after = evaluatePurchase(withGiftCard);
          expect(after.points).toBe(before.points);
          expect(after.breakdown).toEqual(before.breakdown);
          expect(after.itemPoints.slice(0, -1)).toEqual(before.itemPoints);
          expect(after.itemPoints.at(-1)?.points).toBe(0);
        },
      ),
      RUNS,
    );
  });

  it('event points are non-negative integers within the caps, and deterministic', () => {
    fc.assert(
      fc.property(
        ruleSet,
        instant,
        timeZone,
        fc.constantFrom('review.posted', 'birthday', 'social.share'),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 4_000 }),
        (rules, occurredAt, tz, type, countToday, usedToday) => {
          const day = periodKey('day', occurredAt, tz);
          const input = {
            program: { programId: 'prog-1', currency: 'USD', timeZone: tz },
            rules,
            event: { eventId: 'evt-1', type, occurredAt },
            member: { memberId: 'mem-1', tier: null, purchaseCount: 1 },
            usage: { pointsByPeriod: { [day]: usedToday }, eventCounts: { [type]: { [day]: countToday } } },
            now: occurredAt,
          };
          const result = evaluateEvent(input);
          expect(Number.isSafeInteger(result.points) && result.points >= 0).toBe(true);
          for (const rule of rules) {
            if (rule.kind !== 'cap') continue;
            const key = rule.per === 'transaction' ? undefined : periodKey(rule.per as 'day' | 'month', occurredAt, tz);
            const used = key === undefined ? 0 : (input.usage.pointsByPeriod[key] ?? 0);
            expect(result.points).toBeLessThanOrEqual(Math.max(0, rule.maxPoints - used));
          }
          expect(evaluateEvent(structuredClone(input))).toEqual(result);
        },
      ),
      RUNS,
    );
  });
});
