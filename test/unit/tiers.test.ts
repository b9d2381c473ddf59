import { describe, expect, it } from 'vitest';
import {
  addToBuckets,
  bucketKey,
  bucketsFromHistory,
  downgradeWarning,
  multiplierFor,
  nextReviewAt,
  pruneBuckets,
  type QualifyingActivity,
  type QualifyingBuckets,
  qualifyingTier,
  qualifyingValue,
  qualifyingValueFromBuckets,
  qualifyingWindow,
  reviewTier,
  type TierReviewInput,
  type TierSet,
  tierAfterEarn,
  tierProgress,
} from '../../core/tiers/domain/tiers';
import { TierSetInput, type TierSetInputType } from '../../core/tiers/schemas';

const NY = 'America/New_York';
const END_OF_2026_NY = '2027-01-01T04:59:59.999Z'; // 2026-12-31 23:59:59.999 EST
const END_OF_2027_NY = '2028-01-01T04:59:59.999Z';

const input = (overrides: Partial<TierSetInputType> = {}): TierSetInputType => ({
  metric: 'points',
  window: { kind: 'calendar', period: 'year' },
  tiers: [
    { id: 'bronze', name: 'Bronze', threshold: 0 },
    { id: 'silver', name: 'Silver', threshold: 1_000, multiplier: 1.25 },
    { id: 'gold', name: 'Gold', threshold: 5_000, multiplier: 1.5, attributes: { freeShipping: true } },
    {
      id: 'platinum',
      name: 'Platinum',
      threshold: 10_000,
      multiplier: 2,
      attributes: { freeShipping: true, lounge: 'all' },
    },
  ],
  ...overrides,
});

const tierSet = (overrides: Partial<TierSetInputType> = {}): TierSet => TierSetInput.parse(input(overrides));

const review = (overrides: Partial<TierReviewInput>): TierReviewInput => ({
  currentTierId: 'platinum',
  tierAchievedAt: '2025-06-01T16:00:00.000Z',
  buckets: {},
  tierSet: tierSet(),
  asOf: END_OF_2026_NY,
  tz: NY,
  ...overrides,
});

const messages = (value: unknown): string[] => TierSetInput.safeParse(value).error?.issues.map((i) => i.message) ?? [];

describe('TierSetInput', () => {
  it('accepts a valid tier set and fills defaults (multiplier 1, no attributes, grace on, one-tier drops)', () => {
    const set = tierSet();

    expect(set.tiers[0]).toEqual({ id: 'bronze', name: 'Bronze', threshold: 0, multiplier: 1, attributes: {} });
    expect(set.review).toEqual({ graceUntilEndOfNextPeriod: true, dropMode: 'one-tier' });
  });

  it('needs at least 2 tiers', () => {
    expect(messages(input({ tiers: [{ id: 'only', name: 'Only', threshold: 0 }] }))).toContain(
      'a tier set needs at least 2 tiers',
    );
  });

  it('allows at most 20 tiers', () => {
    const tiers = Array.from({ length: 21 }, (_, i) => ({ id: `t${i}`, name: `T${i}`, threshold: i * 100 }));
    expect(messages(input({ tiers }))).toContain('a tier set has at most 20 tiers');
  });

  it('requires the entry tier to have threshold 0', () => {
    const result = TierSetInput.safeParse(
      input({
        tiers: [
          { id: 'a', name: 'A', threshold: 10 },
          { id: 'b', name: 'B', threshold: 20 },
        ],
      }),
    );
    expect(result.error?.issues[0]).toMatchObject({
      path: ['tiers', 0, 'threshold'],
      message: expect.stringContaining('entry tier'),
    });
  });

  it('requires strictly increasing thresholds and names the offending tier', () => {
    const result = TierSetInput.safeParse(
      input({
        tiers: [
          { id: 'a', name: 'A', threshold: 0 },
          { id: 'b', name: 'B', threshold: 500 },
          { id: 'c', name: 'C', threshold: 500 },
        ],
      }),
    );
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        path: ['tiers', 2, 'threshold'],
        message: 'thresholds must be strictly increasing: tier "c" (500) must be above tier "b" (500)',
      }),
    ]);
  });

  it('rejects duplicate tier ids', () => {
    const result = TierSetInput.safeParse(
      input({
        tiers: [
          { id: 'a', name: 'A', threshold: 0 },
          { id: 'a', name: 'A2', threshold: 5 },
        ],
      }),
    );
    expect(result.error?.issues[0]).toMatchObject({
      path: ['tiers', 1, 'id'],
      message: 'tier id "a" is used more than once (tiers 0 and 1)',
    });
  });

  it('rejects a multiplier with more than 2 decimals and fractional thresholds', () => {
    const bad = input({
      tiers: [
        { id: 'a', name: 'A', threshold: 0, multiplier: 1.125 },
        { id: 'b', name: 'B', threshold: 10.5 },
      ],
    });
    expect(messages(bad)).toEqual(
      expect.arrayContaining([
        'multiplier must have at most 2 decimal places',
        'threshold must be a whole number (points, or spend in minor units)',
      ]),
    );
  });

  it('rejects an unknown window kind and a rolling window of 0 months', () => {
    expect(messages(input({ window: { kind: 'weekly' } as never }))).toEqual([
      'window.kind must be "rolling" or "calendar"',
    ]);
    expect(messages(input({ window: { kind: 'rolling', months: 0 } }))).toEqual([
      'rolling window must be at least 1 month',
    ]);
  });
});

describe('qualifying window and value', () => {
  it('a purchase at 23:30 in New York on Dec 31 counts for that local year', () => {
    const history: QualifyingActivity[] = [{ at: '2027-01-01T04:30:00.000Z', amount: 700 }];

    expect(qualifyingValue(history, tierSet(), '2026-12-31T23:59:00-05:00', NY)).toBe(700);
    expect(qualifyingValue(history, tierSet(), '2027-01-15T12:00:00.000Z', NY)).toBe(0);
    expect(bucketKey(history[0]!.at, NY)).toBe('2026-12');
  });

  it('a calendar quarter includes Mar 31 23:30 local and excludes Apr 1 00:00 local', () => {
    const set = tierSet({ window: { kind: 'calendar', period: 'quarter' } });
    const history: QualifyingActivity[] = [
      { at: '2026-04-01T03:30:00.000Z', amount: 100 }, // Mar 31 23:30 EDT
      { at: '2026-04-01T04:00:00.000Z', amount: 1 }, // Apr 1 00:00 EDT
    ];

    expect(qualifyingValue(history, set, '2026-04-01T03:59:59.999Z', NY)).toBe(100);
    expect(qualifyingValue(history, set, '2026-06-30T12:00:00.000Z', NY)).toBe(1);
  });

  it('a rolling window of N months is the current local month and the N-1 before it', () => {
    const window = qualifyingWindow({ kind: 'rolling', months: 3 }, '2026-02-10T12:00:00.000Z', NY);

    expect(window).toEqual({
      start: '2025-12-01T05:00:00.000Z',
      end: '2026-03-01T04:59:59.999Z',
      months: ['2025-12', '2026-01', '2026-02'],
    });
  });

  it('activity dated after asOf does not count', () => {
    const history: QualifyingActivity[] = [{ at: '2026-05-02T00:00:00.000Z', amount: 50 }];
    expect(qualifyingValue(history, tierSet(), '2026-05-01T00:00:00.000Z', NY)).toBe(0);
  });

  it('reversals lower the value but never below 0', () => {
    const history: QualifyingActivity[] = [
      { at: '2026-03-01T12:00:00.000Z', amount: 300 },
      { at: '2026-03-01T12:00:00.000Z', amount: -500 },
    ];
    expect(qualifyingValue(history, tierSet(), '2026-06-01T00:00:00.000Z', NY)).toBe(0);
  });

  it('monthly buckets give the same value as the full history', () => {
    const history: QualifyingActivity[] = [
      { at: '2025-12-31T12:00:00.000Z', amount: 1_000 },
      { at: '2026-01-01T04:59:00.000Z', amount: 2 }, // Dec 31 23:59 EST: still 2025
      { at: '2026-07-04T12:00:00.000Z', amount: 30 },
    ];
    const buckets = bucketsFromHistory(history, NY);

    expect(buckets).toEqual({ '2025-12': 1_002, '2026-07': 30 });
    expect(qualifyingValueFromBuckets(buckets, tierSet(), '2026-08-01T00:00:00.000Z', NY)).toBe(30);
    expect(qualifyingValue(history, tierSet(), '2026-08-01T00:00:00.000Z', NY)).toBe(30);
  });

  it('adding to buckets returns a copy', () => {
    const before: QualifyingBuckets = { '2026-11': 10 };
    const after = addToBuckets(before, '2026-11-23T08:00:00.000Z', 5, NY);
    expect(after).toEqual({ '2026-11': 15 });
    expect(before).toEqual({ '2026-11': 10 });
  });

  it('the qualifying tier is the highest whose threshold the value reaches', () => {
    expect(qualifyingTier(9_999, tierSet()).id).toBe('gold');
    expect(qualifyingTier(10_000, tierSet()).id).toBe('platinum');
  });

  it('the earning multiplier comes from the tier, the entry tier for an unknown one', () => {
    expect(multiplierFor('gold', tierSet())).toBe(1.5);
    expect(multiplierFor('retired-tier', tierSet())).toBe(1);
  });
});

describe('pruneBuckets', () => {
  it('keeps a calendar-year program the previous year, which a late review still evaluates', () => {
    const buckets: QualifyingBuckets = { '2025-12': 1, '2026-01': 2, '2026-12': 3, '2027-03': 4 };

    const { buckets: kept, removed } = pruneBuckets(buckets, tierSet(), '2027-03-10T12:00:00.000Z', NY);

    expect(kept).toEqual({ '2026-01': 2, '2026-12': 3, '2027-03': 4 });
    expect(removed).toEqual(['2025-12']);
  });

  it('keeps a rolling window the months of the window ending last month', () => {
    const set = tierSet({ window: { kind: 'rolling', months: 3 } });
    const buckets: QualifyingBuckets = { '2026-07': 1, '2026-08': 2, '2026-11': 3 };

    expect(pruneBuckets(buckets, set, '2026-11-15T12:00:00.000Z', NY)).toEqual({
      buckets: { '2026-08': 2, '2026-11': 3 },
      removed: ['2026-07'],
    });
  });

  it('removes malformed keys', () => {
    expect(pruneBuckets({ 'not-a-month': 5 }, tierSet(), '2026-11-15T12:00:00.000Z', NY).removed).toEqual([
      'not-a-month',
    ]);
  });
});

describe('tierAfterEarn', () => {
  it('jumps several tiers at once when the value reaches them', () => {
    const change = tierAfterEarn('bronze', { '2026-11': 10_500 }, tierSet(), '2026-11-23T08:00:00.000Z', NY);
    expect(change).toEqual({ tierId: 'platinum', changed: true });
  });

  it('keeps the tier when the value reaches no higher tier', () => {
    expect(tierAfterEarn('silver', { '2026-11': 4_999 }, tierSet(), '2026-11-23T08:00:00.000Z', NY)).toEqual({
      tierId: 'silver',
      changed: false,
    });
  });

  it('never downgrades, however low the value', () => {
    expect(tierAfterEarn('gold', {}, tierSet(), '2026-11-23T08:00:00.000Z', NY)).toEqual({
      tierId: 'gold',
      changed: false,
    });
  });

  it('only counts the window containing now', () => {
    expect(tierAfterEarn('bronze', { '2025-12': 50_000 }, tierSet(), '2026-01-02T12:00:00.000Z', NY).tierId).toBe(
      'bronze',
    );
  });

  it('places a member without a tier at the tier their value reaches', () => {
    expect(tierAfterEarn(null, { '2026-11': 1_200 }, tierSet(), '2026-11-23T08:00:00.000Z', NY)).toEqual({
      tierId: 'silver',
      changed: true,
    });
  });
});

describe('reviewTier', () => {
  it(
    'keeps a tier re-qualified in the reviewed period and schedules the next review at the end of the next ' + 'period',
    () => {
      const result = reviewTier(review({ buckets: { '2026-05': 12_000 } }));

      expect(result).toMatchObject({
        newTierId: 'platinum',
        changed: false,
        reason: 'requalified',
        qualifyingValue: 12_000,
        nextReviewAt: END_OF_2027_NY,
      });
    },
  );

  it('one-tier mode drops exactly one tier, even when the value supports a lower one', () => {
    const result = reviewTier(
      review({ buckets: { '2026-05': 1_500 }, policy: { graceUntilEndOfNextPeriod: true, dropMode: 'one-tier' } }),
    );

    expect(result).toMatchObject({
      newTierId: 'gold',
      changed: true,
      reason: 'dropped',
      tierAchievedAt: END_OF_2026_NY,
    });
  });

  it('to-qualifying mode drops to the highest tier the value supports', () => {
    const result = reviewTier(
      review({ buckets: { '2026-05': 1_500 }, policy: { graceUntilEndOfNextPeriod: true, dropMode: 'to-qualifying' } }),
    );

    expect(result).toMatchObject({ newTierId: 'silver', changed: true, reason: 'dropped' });
  });

  it('grace keeps a tier obtained during the reviewed period, even without qualifying activity', () => {
    const assignedMidYear = review({ tierAchievedAt: '2026-09-10T15:00:00.000Z' });

    expect(reviewTier(assignedMidYear)).toMatchObject({ newTierId: 'platinum', changed: false, reason: 'grace' });
    expect(
      reviewTier({ ...assignedMidYear, policy: { graceUntilEndOfNextPeriod: false, dropMode: 'one-tier' } }),
    ).toMatchObject({
      newTierId: 'gold',
      reason: 'dropped',
    });
  });

  it('grace ends with the period after the one the tier was obtained in', () => {
    const obtainedIn2025 = review({ tierAchievedAt: '2025-09-10T15:00:00.000Z' });
    expect(reviewTier(obtainedIn2025)).toMatchObject({ newTierId: 'gold', reason: 'dropped' });
  });

  it('grace uses the program time zone: a tier obtained at 23:30 on Dec 31 in New York belongs to that year', () => {
    // 2025-12-31 23:30 EST
    const lateOnNewYearsEve = review({ tierAchievedAt: '2026-01-01T04:30:00.000Z', asOf: END_OF_2026_NY });
    expect(reviewTier(lateOnNewYearsEve).reason).toBe('dropped');
  });

  it('is idempotent: re-running a review with the tier it just set does not drop again', () => {
    const first = reviewTier(review({ policy: { graceUntilEndOfNextPeriod: false, dropMode: 'one-tier' } }));
    const again = reviewTier(
      review({
        currentTierId: first.newTierId,
        tierAchievedAt: first.tierAchievedAt,
        policy: { graceUntilEndOfNextPeriod: false, dropMode: 'one-tier' },
      }),
    );

    expect(first.newTierId).toBe('gold');
    expect(again).toMatchObject({ newTierId: 'gold', changed: false, reason: 'obtained-after-period' });
  });

  it('a tier changed at a review must be re-qualified in the following period', () => {
    const dropped = reviewTier(review({}));
    const nextYear = reviewTier(
      review({ currentTierId: dropped.newTierId, tierAchievedAt: dropped.tierAchievedAt, asOf: END_OF_2027_NY }),
    );

    expect(nextYear).toMatchObject({ newTierId: 'silver', reason: 'dropped' });
  });

  it('a late run evaluates the last completed period', () => {
    const result = reviewTier(review({ asOf: '2027-01-05T12:00:00.000Z', buckets: { '2026-06': 11_000 } }));

    expect(result).toMatchObject({
      reason: 'requalified',
      reviewedPeriod: { start: '2026-01-01T05:00:00.000Z', end: END_OF_2026_NY },
      nextReviewAt: END_OF_2027_NY,
    });
  });

  it('a late run does not drop a member the current window already qualifies', () => {
    const set = tierSet({ window: { kind: 'rolling', months: 3 } });
    const result = reviewTier(
      review({
        tierSet: set,
        currentTierId: 'gold',
        tierAchievedAt: '2026-01-10T12:00:00.000Z',
        asOf: '2026-11-20T12:00:00.000Z',
        buckets: { '2026-10': 3_000, '2026-11': 3_000 },
      }),
    );

    expect(result).toMatchObject({ newTierId: 'gold', reason: 'live-qualification', qualifyingValue: 3_000 });
  });

  it('a rolling window is reviewed monthly', () => {
    const set = tierSet({ window: { kind: 'rolling', months: 12 } });
    expect(nextReviewAt(set.window, '2026-11-23T08:00:00.000Z', NY)).toBe('2026-12-01T04:59:59.999Z');
  });

  it('a quarterly program reviews at the end of the local quarter and counts Mar 31 23:30 local in Q1', () => {
    const set = tierSet({ window: { kind: 'calendar', period: 'quarter' } });
    const buckets = bucketsFromHistory([{ at: '2026-04-01T03:30:00.000Z', amount: 5_000 }], NY);

    const result = reviewTier(
      review({ tierSet: set, currentTierId: 'gold', asOf: '2026-04-01T03:59:59.999Z', buckets }),
    );

    expect(result).toMatchObject({
      reason: 'requalified',
      reviewedPeriod: { end: '2026-04-01T03:59:59.999Z' },
      nextReviewAt: '2026-07-01T03:59:59.999Z',
    });
  });

  it('never drops below the entry tier', () => {
    expect(reviewTier(review({ currentTierId: 'bronze' }))).toMatchObject({
      newTierId: 'bronze',
      changed: false,
      reason: 'entry-tier',
    });
  });

  it('places a member whose tier no longer exists at the tier their value supports', () => {
    expect(reviewTier(review({ currentTierId: 'diamond', buckets: { '2026-03': 6_000 } }))).toMatchObject({
      newTierId: 'gold',
      changed: true,
      reason: 'unknown-tier',
    });
  });

  it("never raises a tier: upgrades are tierAfterEarn's job", () => {
    expect(reviewTier(review({ currentTierId: 'silver', buckets: { '2026-03': 50_000 } }))).toMatchObject({
      newTierId: 'silver',
      changed: false,
    });
  });
});

describe('downgradeWarning', () => {
  const atRisk = {
    currentTierId: 'gold',
    tierAchievedAt: '2025-03-01T12:00:00.000Z',
    buckets: { '2026-02': 2_000 },
    tierSet: tierSet(),
    tz: NY,
  };

  it('warns 30 days before the review what is still needed to keep the tier', () => {
    const warning = downgradeWarning({ ...atRisk, asOf: '2026-12-05T12:00:00.000Z' });

    expect(warning).toEqual({
      warningId: `tier-downgrade#gold#${END_OF_2026_NY}#30d`,
      tierId: 'gold',
      wouldDropTo: 'silver',
      reviewAt: END_OF_2026_NY,
      daysBefore: 30,
      metric: 'points',
      qualifyingValue: 2_000,
      needed: 3_000,
    });
  });

  it('does not warn earlier than the lead time', () => {
    expect(downgradeWarning({ ...atRisk, asOf: '2026-11-15T12:00:00.000Z' })).toBeNull();
  });

  it('does not warn a member who already re-qualified or is in grace', () => {
    expect(downgradeWarning({ ...atRisk, buckets: { '2026-02': 5_000 }, asOf: '2026-12-05T12:00:00.000Z' })).toBeNull();
    expect(
      downgradeWarning({ ...atRisk, tierAchievedAt: '2026-02-01T12:00:00.000Z', asOf: '2026-12-05T12:00:00.000Z' }),
    ).toBeNull();
  });

  it('sends each warning once and, when several lead times are due, only the closest', () => {
    const options = { daysBefore: [30, 7], alreadySent: new Set([`tier-downgrade#gold#${END_OF_2026_NY}#30d`]) };

    expect(downgradeWarning({ ...atRisk, asOf: '2026-12-10T12:00:00.000Z' }, options)).toBeNull();
    expect(downgradeWarning({ ...atRisk, asOf: '2026-12-28T12:00:00.000Z' }, options)).toMatchObject({ daysBefore: 7 });
    expect(downgradeWarning({ ...atRisk, asOf: '2026-12-28T12:00:00.000Z' }, { daysBefore: [30, 7] })).toMatchObject({
      daysBefore: 7,
    });
  });

  it('states spend in minor units for a spend program', () => {
    const warning = downgradeWarning({
      ...atRisk,
      tierSet: tierSet({ metric: 'spend' }),
      asOf: '2026-12-05T12:00:00.000Z',
    });
    expect(warning).toMatchObject({ metric: 'spend', needed: 3_000 });
  });
});

describe('tierProgress', () => {
  it('shows the next tier and what it still takes, and that the current tier is safe once re-qualified', () => {
    const progress = tierProgress({
      currentTierId: 'silver',
      tierAchievedAt: '2025-04-01T12:00:00.000Z',
      buckets: { '2026-06': 2_000 },
      tierSet: tierSet(),
      asOf: '2026-11-23T08:00:00.000Z',
      tz: NY,
    });

    expect(progress).toMatchObject({
      currentTier: { id: 'silver' },
      qualifyingValue: 2_000,
      nextTier: { id: 'gold' },
      toNextTier: 3_000,
      toKeepCurrentTier: 0,
      currentTierSecured: true,
      nextReviewAt: END_OF_2026_NY,
      window: { start: '2026-01-01T05:00:00.000Z', end: END_OF_2026_NY },
    });
  });

  it('shows what is still needed by the next review to keep a tier at risk', () => {
    const progress = tierProgress({
      currentTierId: 'gold',
      tierAchievedAt: '2025-04-01T12:00:00.000Z',
      buckets: { '2026-06': 2_000 },
      tierSet: tierSet(),
      asOf: '2026-11-23T08:00:00.000Z',
      tz: NY,
    });

    expect(progress).toMatchObject({ toNextTier: 8_000, toKeepCurrentTier: 3_000, currentTierSecured: false });
  });

  it('needs nothing to keep a tier under grace', () => {
    const progress = tierProgress({
      currentTierId: 'gold',
      tierAchievedAt: '2026-04-01T12:00:00.000Z',
      buckets: {},
      tierSet: tierSet(),
      asOf: '2026-11-23T08:00:00.000Z',
      tz: NY,
    });
    expect(progress).toMatchObject({ toKeepCurrentTier: 0, currentTierSecured: true });
  });

  it('has no next tier at the top', () => {
    const progress = tierProgress({
      currentTierId: 'platinum',
      tierAchievedAt: null,
      buckets: {},
      tierSet: tierSet(),
      asOf: '2026-11-23T08:00:00.000Z',
      tz: NY,
    });
    expect(progress).toMatchObject({ nextTier: null, toNextTier: null, toKeepCurrentTier: 10_000 });
  });
});
