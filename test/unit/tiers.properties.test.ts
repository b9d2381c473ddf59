import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { monthKey } from '../../core/kernel/calendar';
import {
  bucketsFromHistory,
  pruneBuckets,
  type QualifyingActivity,
  type QualifyingBuckets,
  qualifyingValue,
  qualifyingValueFromBuckets,
  reviewTier,
  type TierReviewPolicy,
  type TierSet,
  type TierWindow,
  tierAfterEarn,
  tierIndex,
} from '../../core/tiers/domain/tiers';

const FROM = Date.UTC(2025, 0, 1);
const TO = Date.UTC(2028, 0, 1);

const instant = fc.integer({ min: FROM, max: TO }).map((ms) => new Date(ms).toISOString());
const timeZone = fc.constantFrom('UTC', 'America/New_York', 'Asia/Tokyo', 'Asia/Kathmandu', 'Australia/Lord_Howe');

const window: fc.Arbitrary<TierWindow> = fc.oneof(
  fc.integer({ min: 1, max: 13 }).map((months) => ({ kind: 'rolling' as const, months })),
  fc.constantFrom('month', 'quarter', 'year').map((period) => ({ kind: 'calendar' as const, period })),
);

const policy: fc.Arbitrary<TierReviewPolicy> = fc.record({
  graceUntilEndOfNextPeriod: fc.boolean(),
  dropMode: fc.constantFrom('one-tier', 'to-qualifying'),
});

const tierSet: fc.Arbitrary<TierSet> = fc
  .record({
    steps: fc.array(fc.integer({ min: 1, max: 4_000 }), { minLength: 1, maxLength: 6 }),
    window,
    review: policy,
  })
  .map(({ steps, window, review }) => {
    let threshold = 0;
    const tiers = [0, ...steps].map((step, i) => {
      threshold += step;
      return { id: `t${i}`, name: `Tier ${i}`, threshold: i === 0 ? 0 : threshold, multiplier: 1, attributes: {} };
    });
    return { metric: 'points' as const, window, review, tiers };
  });

const buckets: fc.Arbitrary<QualifyingBuckets> = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 47 }), fc.integer({ min: -500, max: 6_000 })), { maxLength: 20 })
  .map((entries) =>
    Object.fromEntries(entries.map(([i, amount]) => [monthKey(2025 + Math.floor(i / 12), (i % 12) + 1), amount])),
  );

const scenario = fc
  .record({ set: tierSet, buckets, asOf: instant, tz: timeZone, achievedAt: fc.option(instant), pick: fc.nat() })
  .map((s) => ({ ...s, currentTierId: s.set.tiers[s.pick % s.set.tiers.length]!.id }));

describe('tier properties', () => {
  it('tierAfterEarn never lowers a tier', () => {
    fc.assert(
      fc.property(scenario, ({ set, buckets, asOf, tz, currentTierId }) => {
        const { tierId } = tierAfterEarn(currentTierId, buckets, set, asOf, tz);
        expect(tierIndex(tierId, set)).toBeGreaterThanOrEqual(tierIndex(currentTierId, set));
      }),
    );
  });

  it('reviewTier in one-tier mode never drops more than one tier and never raises one', () => {
    fc.assert(
      fc.property(scenario, ({ set, buckets, asOf, tz, currentTierId, achievedAt }) => {
        const result = reviewTier({
          currentTierId,
          tierAchievedAt: achievedAt,
          buckets,
          tierSet: set,
          asOf,
          tz,
          policy: { graceUntilEndOfNextPeriod: set.review.graceUntilEndOfNextPeriod, dropMode: 'one-tier' },
        });
        const before = tierIndex(currentTierId, set);
        const after = tierIndex(result.newTierId, set);
        expect(after).toBeLessThanOrEqual(before);
        expect(after).toBeGreaterThanOrEqual(before - 1);
      }),
    );
  });

  it('reviewTier in to-qualifying mode never lands below the tier the reviewed value supports', () => {
    fc.assert(
      fc.property(scenario, ({ set, buckets, asOf, tz, currentTierId, achievedAt }) => {
        const result = reviewTier({
          currentTierId,
          tierAchievedAt: achievedAt,
          buckets,
          tierSet: set,
          asOf,
          tz,
          policy: { ...set.review, dropMode: 'to-qualifying' },
        });
        const supported = set.tiers.filter((t) => t.threshold <= result.qualifyingValue).length - 1;
        expect(tierIndex(result.newTierId, set)).toBeGreaterThanOrEqual(
          Math.min(supported, tierIndex(currentTierId, set)),
        );
      }),
    );
  });

  it('running the same review twice changes nothing the second time', () => {
    fc.assert(
      fc.property(scenario, ({ set, buckets, asOf, tz, currentTierId, achievedAt }) => {
        const first = reviewTier({ currentTierId, tierAchievedAt: achievedAt, buckets, tierSet: set, asOf, tz });
        const second = reviewTier({
          currentTierId: first.newTierId,
          tierAchievedAt: first.tierAchievedAt,
          buckets,
          tierSet: set,
          asOf,
          tz,
        });
        expect(second.changed).toBe(false);
      }),
    );
  });

  it('monthly buckets give the same qualifying value as the full history', () => {
    const history = fc.array(fc.record({ at: instant, amount: fc.integer({ min: 0, max: 2_000 }) }), { maxLength: 30 });
    fc.assert(
      fc.property(history, tierSet, instant, timeZone, (all: QualifyingActivity[], set, asOf, tz) => {
        const upToAsOf = all.filter((a) => Date.parse(a.at) <= Date.parse(asOf));
        expect(qualifyingValueFromBuckets(bucketsFromHistory(upToAsOf, tz), set, asOf, tz)).toBe(
          qualifyingValue(upToAsOf, set, asOf, tz),
        );
      }),
    );
  });

  it('pruning never changes an upgrade or a review at or after the pruning date', () => {
    fc.assert(
      fc.property(
        scenario,
        fc.integer({ min: 0, max: 40 * 86_400_000 }),
        ({ set, buckets, asOf, tz, currentTierId, achievedAt }, later) => {
          const pruned = pruneBuckets(buckets, set, asOf, tz).buckets;
          const at = new Date(Date.parse(asOf) + later).toISOString();
          const input = { currentTierId, tierAchievedAt: achievedAt, tierSet: set, asOf: at, tz };
          expect(reviewTier({ ...input, buckets: pruned })).toEqual(reviewTier({ ...input, buckets }));
          expect(tierAfterEarn(currentTierId, pruned, set, at, tz)).toEqual(
            tierAfterEarn(currentTierId, buckets, set, at, tz),
          );
        },
      ),
    );
  });
});
