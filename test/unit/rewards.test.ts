import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ledgerViolations } from '../../core/ledger/domain/ledger';
import { type MemberState, NEW_MEMBER } from '../../core/ledger/domain/member-state';
import type { Lot, Transaction } from '../../core/ledger/domain/types';
import type { LedgerWrite } from '../../core/ledger/ports';
import {
  affinityScore,
  CODE_ALPHABETS,
  cancellationRefusal,
  checkRedemption,
  codeEntropyBits,
  failureReason,
  generateCode,
  ineligibility,
  limitPeriod,
  NO_AFFINITY,
  planPointsRelease,
  planPointsReservation,
  type RedemptionSnapshot,
  type Reward,
  rankRewards,
  redemptionFingerprint,
  unavailability,
  unitCost,
} from '../../core/rewards/domain/rewards';
import { pointsReservationWrite } from '../../core/rewards/use-cases/redemption-saga';

const NOW = '2026-11-23T12:00:00.000Z';
const day = (n: number) => new Date(Date.parse(NOW) + n * 86_400_000).toISOString();

function reward(overrides: Partial<Reward> = {}): Reward {
  return {
    rewardId: 'r1',
    name: 'Reward',
    description: null,
    category: null,
    type: 'coupon-fixed',
    details: { type: 'coupon-fixed', discount: { amount: 500, currency: 'USD' }, minimumSpend: null },
    cost: { points: 100, byTier: {} },
    eligibility: { tiers: null, attributes: {}, minMembershipDays: 0 },
    stock: null,
    limit: null,
    validFrom: null,
    validUntil: null,
    coupon: { format: { prefix: '', alphabet: 'alphanumeric', length: 12, groupSize: 4 }, validityDays: 90 },
    maxQuantity: 1,
    cancellationWindowHours: 24,
    status: 'active',
    createdAt: NOW,
    updatedAt: NOW,
    ...overrides,
  };
}

const member = { tier: 'gold', attributes: { segment: 'students', city: 'Paris' }, enrolledAt: day(-100) };

describe('cost and eligibility', () => {
  it('a tier price overrides the base cost for members of that tier only', () => {
    const r = reward({ cost: { points: 100, byTier: { gold: 80 } } });
    expect(unitCost(r, 'gold')).toBe(80);
    expect(unitCost(r, 'silver')).toBe(100);
    expect(unitCost(r, null)).toBe(100);
  });

  it('names every eligibility rule the member misses: tier, attribute, membership age', () => {
    const r = reward({
      eligibility: {
        tiers: ['platinum'],
        attributes: { segment: ['staff'], city: ['Paris', 'Lyon'] },
        minMembershipDays: 365,
      },
    });
    expect(ineligibility(r, member, NOW).map((x) => x.rule)).toEqual(['tier', 'attribute', 'membership-age']);
    expect(
      ineligibility(
        reward({ eligibility: { tiers: ['gold'], attributes: { city: ['Lyon', 'Paris'] }, minMembershipDays: 100 } }),
        member,
        NOW,
      ),
    ).toEqual([]);
  });

  it('a reward is available only while active and inside its validity window', () => {
    expect(unavailability(reward(), NOW)).toBeNull();
    expect(unavailability(reward({ status: 'inactive' }), NOW)).toMatch(/not active/);
    expect(unavailability(reward({ validFrom: day(1) }), NOW)).toMatch(/valid from/);
    expect(unavailability(reward({ validUntil: day(-1) }), NOW)).toMatch(/valid until/);
  });

  it('checks in the order a member wants to hear: availability, eligibility, quantity, limit, stock, points', () => {
    const facts = { member: { ...member, available: 50 }, quantity: 2, used: 1, now: NOW };
    const worst = reward({
      status: 'inactive',
      eligibility: { tiers: ['x'], attributes: {}, minMembershipDays: 0 },
      maxQuantity: 1,
      limit: { count: 2, period: 'month' },
      stock: { total: 1, remaining: 1 },
    });
    const kinds: string[] = [];
    let r = worst;
    for (const fix of [
      { status: 'active' },
      { eligibility: reward().eligibility },
      { maxQuantity: 5 },
      { limit: null },
      { stock: null },
    ] as Partial<Reward>[]) {
      const res = checkRedemption({ ...facts, reward: r });
      kinds.push(res.ok ? 'ok' : res.refusal.kind);
      r = { ...r, ...fix };
    }
    kinds.push((checkRedemption({ ...facts, reward: r }) as { refusal: { kind: string } }).refusal.kind);
    expect(kinds).toEqual([
      'unavailable',
      'not-eligible',
      'quantity',
      'limit-reached',
      'out-of-stock',
      'insufficient-points',
    ]);
    expect(checkRedemption({ ...facts, member: { ...member, available: 200 }, reward: r })).toEqual({
      ok: true,
      unitPoints: 100,
      points: 200,
    });
  });

  it('limit periods are named by their first instant in the program time zone', () => {
    expect(limitPeriod('month', '2026-12-01T03:00:00Z', 'America/New_York')).toEqual({
      key: 'month-2026-11-01T04:00:00.000Z',
      endsAt: '2026-12-01T04:59:59.999Z',
    });
    expect(limitPeriod('lifetime', NOW, 'UTC')).toEqual({ key: 'lifetime', endsAt: null });
  });
});

describe('ordering for a member', () => {
  const a = (id: string, points: number, extra: Partial<Reward> = {}) =>
    reward({ rewardId: id, name: id, cost: { points, byTier: {} }, ...extra });

  it(
    'affordable first, then the closest to affordable; ineligible, sold out and exhausted rewards are left ' + 'out',
    () => {
      const rewards = [
        a('far', 900),
        a('near', 300),
        a('cheap', 50),
        a('mid', 150),
        a('sold', 10, { stock: { total: 5, remaining: 0 } }),
        a('staff', 10, { eligibility: { tiers: ['staff'], attributes: {}, minMembershipDays: 0 } }),
        a('limited', 10, { limit: { count: 1, period: 'year' } }),
      ];
      const ranked = rankRewards(
        rewards,
        { ...member, available: 200 },
        NO_AFFINITY,
        (r) => (r.rewardId === 'limited' ? 1 : 0),
        NOW,
      );
      expect(ranked.map((r) => [r.reward.rewardId, r.pointsNeeded])).toEqual([
        ['cheap', 0],
        ['mid', 0],
        ['near', 100],
        ['far', 700],
      ]);
    },
  );

  it('favours categories the member buys and rewards they redeemed before', () => {
    const affinity = { categories: { coffee: 8, books: 2 }, rewards: { again: 2 }, rewardCategories: {} };
    const rewards = [
      a('books', 100, { category: 'books' }),
      a('coffee', 100, { category: 'coffee' }),
      a('again', 100),
      a('plain', 100),
    ];
    expect(
      rankRewards(rewards, { ...member, available: 500 }, affinity, () => 0, NOW).map((r) => r.reward.rewardId),
    ).toEqual(['again', 'coffee', 'books', 'plain']);
    // Out of reach: a favourite slightly further away still comes first.
    // 90 vs 100 points away; coffee is 80% of purchases
    const far = [a('plain-near', 290), a('coffee-far', 300, { category: 'coffee' })];
    expect(
      rankRewards(far, { ...member, available: 200 }, affinity, () => 0, NOW).map((r) => r.reward.rewardId),
    ).toEqual(['coffee-far', 'plain-near']);
  });

  it(
    'property: every affordable reward comes before every unaffordable one, and pointsNeeded is cost minus ' +
      'balance',
    () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 1, max: 2_000 }), { maxLength: 30 }),
          fc.integer({ min: 0, max: 2_000 }),
          (costs, available) => {
            const ranked = rankRewards(
              costs.map((c, i) => a(`r${i}`, c)),
              { ...member, available },
              NO_AFFINITY,
              () => 0,
              NOW,
            );
            const firstUnaffordable = ranked.findIndex((r) => !r.affordable);
            if (firstUnaffordable >= 0) expect(ranked.slice(firstUnaffordable).every((r) => !r.affordable)).toBe(true);
            for (const r of ranked) expect(r.pointsNeeded).toBe(Math.max(0, r.cost - available));
            const needed = ranked.filter((r) => !r.affordable).map((r) => r.pointsNeeded);
            expect(needed).toEqual([...needed].sort((x, y) => x - y));
          },
        ),
      );
    },
  );

  it('affinity is bounded 0..2', () => {
    expect(
      affinityScore(a('x', 1, { category: 'c' }), { categories: { c: 1 }, rewards: { x: 1 }, rewardCategories: {} }),
    ).toBe(2);
    expect(affinityScore(a('x', 1), NO_AFFINITY)).toBe(0);
  });
});

describe('points reservation and release', () => {
  const lot = (id: string, points: number, expiresAt: string | null, extra: Partial<Lot> = {}): Lot => ({
    lotId: id,
    amount: points,
    remaining: points,
    earnedAt: day(-10),
    availableAt: day(-10),
    expiresAt,
    source: 'purchase',
    reason: '',
    ...extra,
  });
  const state = (available: number, extra: Partial<MemberState> = {}): MemberState => ({
    ...NEW_MEMBER,
    exists: true,
    version: 3,
    available,
    lifetimeEarned: available,
    ...extra,
  });

  it('takes from the lots nearest to expiry first, never from pending lots', () => {
    const lots = [
      lot('never', 100, null),
      lot('soon', 30, day(5)),
      lot('later', 50, day(40)),
      lot('pending', 500, day(2), { availableAt: day(3) }),
    ];
    const res = planPointsReservation(state(180), lots, 100, NOW);
    expect(res.ok && res.plan.lots.map((l) => [l.lotId, l.points])).toEqual([
      ['soon', 30],
      ['later', 50],
      ['never', 20],
    ]);
    expect(res.ok && res.plan.state.available).toBe(80);
  });

  it('refuses more than the available balance', () => {
    expect(planPointsReservation(state(99), [lot('a', 99, null)], 100, NOW)).toEqual({
      ok: false,
      needed: 100,
      available: 99,
    });
  });

  it('settles matured pending points first and spends them, touching each lot once', () => {
    const s = state(0, {
      pending: 60,
      pendingLots: [{ lotId: 'p', points: 60, availableAt: day(-1), expiresAt: null }],
    });
    const res = planPointsReservation(s, [lot('p', 60, null, { availableAt: day(-1) })], 50, NOW);
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.plan.state).toMatchObject({ available: 10, pending: 0, pendingLots: [] });
    expect(res.plan.lotChanges).toEqual([expect.objectContaining({ take: 50, activated: true })]);
  });

  it('property: a release gives back exactly what the reservation took, to the same lots', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            points: fc.integer({ min: 1, max: 500 }),
            days: fc.option(fc.integer({ min: 1, max: 400 }), { nil: null }),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        fc.integer({ min: 1, max: 6_000 }),
        (specs, want) => {
          const lots = specs.map((x, i) => lot(`l${i}`, x.points, x.days === null ? null : day(x.days)));
          const total = lots.reduce((s, l) => s + l.remaining, 0);
          const res = planPointsReservation(state(total), lots, want, NOW);
          if (want > total) {
            expect(res.ok).toBe(false);
            return;
          }
          if (!res.ok) throw new Error('should reserve');
          const taken = Object.fromEntries(res.plan.lotChanges.map((c) => [c.lot.lotId, c.take]));
          expect(Object.values(taken).reduce((s, n) => s + n, 0)).toBe(want);
          const released = planPointsRelease(res.plan.state, res.plan.lots, NOW);
          expect(released.state.available).toBe(total);
          for (const c of released.lotChanges) expect(c.take).toBe(-taken[c.lot.lotId]!);
          for (const c of released.lotChanges)
            expect(c.lot.expiresAt).toBe(lots.find((l) => l.lotId === c.lot.lotId)!.expiresAt);
        },
      ),
    );
  });
});

describe('a redemption created holding its points', () => {
  const snapshot = (id: string, points: number): RedemptionSnapshot => ({
    programId: 'p',
    redemptionId: id,
    memberId: 'm',
    rewardId: 'r',
    rewardName: 'Reward',
    rewardType: 'coupon-fixed',
    details: { type: 'coupon-fixed', discount: { amount: 100, currency: 'USD' }, minimumSpend: null },
    category: null,
    flow: 'instant',
    quantity: 1,
    unitPoints: points,
    points,
    stockTracked: false,
    limit: null,
    coupon: null,
    donation: null,
    cancellationWindowHours: 24,
    createdAt: NOW,
    correlationId: null,
  });
  /** What the store's one transaction does with a ledger write, on plain values. */
  const apply = (ledger: { state: MemberState; lots: Lot[]; txs: Transaction[] }, w: LedgerWrite) => {
    const take = new Map((w.lotUpdates ?? []).map((u) => [u.lot.lotId, u.take]));
    return {
      state: w.members[0]!.after,
      lots: ledger.lots.map((l) => (take.has(l.lotId) ? { ...l, remaining: l.remaining - take.get(l.lotId)! } : l)),
      txs: [...ledger.txs, ...(w.transactions ?? [])],
    };
  };

  it(
    'property: redemption after redemption, never overspent; balance = sum of lots = sum of transactions; ' +
      'releasing them all gives back every lot exactly',
    () => {
      fc.assert(
        fc.property(
          fc.array(
            fc.record({
              points: fc.integer({ min: 1, max: 300 }),
              days: fc.option(fc.integer({ min: 1, max: 400 }), { nil: null }),
            }),
            {
              minLength: 1,
              maxLength: 10,
            },
          ),
          fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 8 }),
          (specs, wants) => {
            const lots: Lot[] = specs.map((x, i) => ({
              lotId: `l${i}`,
              amount: x.points,
              remaining: x.points,
              earnedAt: day(-10),
              availableAt: day(-10),
              expiresAt: x.days === null ? null : day(x.days),
              source: 'purchase',
              reason: '',
            }));
            const total = lots.reduce((s, l) => s + l.remaining, 0);
            const earn: Transaction = {
              transactionId: 'earn',
              memberId: 'm',
              type: 'earn',
              points: total,
              reason: '',
              source: 'admin',
              status: 'credited',
              breakdown: [],
              lots: lots.map((l) => ({ lotId: l.lotId, points: l.amount })),
              occurredAt: NOW,
              recordedAt: NOW,
            };
            let ledger = {
              state: { ...NEW_MEMBER, exists: true, version: 1, available: total, lifetimeEarned: total },
              lots,
              txs: [earn],
            };
            const held: ReturnType<typeof planPointsReservation>[] = [];
            for (const [i, want] of wants.entries()) {
              const before = ledger.state.available;
              const decision = planPointsReservation(ledger.state, ledger.lots, want, NOW);
              expect(decision.ok).toBe(want <= before);
              if (!decision.ok) continue;
              const r = snapshot(`R${i}`, want);
              const w = pointsReservationWrite(r, ledger.state, decision.plan, `T${i}`, { kind: 'test' } as any, NOW);
              expect(w.transactions).toEqual([expect.objectContaining({ type: 'redeem', points: -want })]);
              ledger = apply(ledger, w);
              held.push(decision);
              expect(ledgerViolations(ledger.state, ledger.lots, ledger.txs)).toEqual([]);
            }
            for (const decision of held) {
              if (!decision.ok) continue;
              const release = planPointsRelease(ledger.state, decision.plan.lots, NOW);
              const points = decision.plan.lots.reduce((s, l) => s + l.points, 0);
              ledger = apply(ledger, {
                programId: 'p',
                members: [{ memberId: 'm', before: ledger.state, after: release.state }],
                lotUpdates: release.lotChanges.map((c) => ({ memberId: 'm', lot: c.lot, take: c.take })),
                transactions: [{ ...earn, transactionId: `refund-${points}`, type: 'refund', points }],
              });
            }
            expect(ledgerViolations(ledger.state, ledger.lots, ledger.txs)).toEqual([]);
            expect(ledger.lots).toEqual(lots);
            expect(ledger.state.available).toBe(total);
          },
        ),
      );
    },
  );
});

describe('codes', () => {
  it('are in the reward format, from the reward alphabet', () => {
    const code = generateCode({ prefix: 'SAVE', alphabet: 'alphanumeric', length: 12, groupSize: 4 });
    expect(code).toMatch(/^SAVE-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(generateCode({ prefix: '', alphabet: 'numeric', length: 16, groupSize: 0 })).toMatch(/^\d{16}$/);
  });

  it('property: any format gives its length in its alphabet, whatever the random bytes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('alphanumeric', 'numeric', 'letters' as const),
        fc.integer({ min: 4, max: 32 }),
        fc.integer({ min: 0, max: 8 }),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        (alphabet, length, groupSize, seed) => {
          let i = 0;
          const random = (n: number) => Uint8Array.from({ length: n }, () => seed[i++ % seed.length]! ^ (i & 0xff));
          const code = generateCode({ prefix: '', alphabet, length, groupSize }, random);
          const body = code.replace(/-/g, '');
          expect(body).toHaveLength(length);
          for (const ch of body) expect(CODE_ALPHABETS[alphabet]).toContain(ch);
        },
      ),
    );
  });

  it('draw every character uniformly: no modulo bias for a 10-symbol alphabet', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 4_000; i++)
      for (const ch of generateCode({ prefix: '', alphabet: 'numeric', length: 16, groupSize: 0 }))
        counts.set(ch, (counts.get(ch) ?? 0) + 1);
    const expected = 64_000 / 10;
    for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.05);
  });

  it('do not repeat (80 bits of randomness)', () => {
    const codes = new Set(
      Array.from({ length: 20_000 }, () =>
        generateCode({ prefix: '', alphabet: 'alphanumeric', length: 16, groupSize: 4 }),
      ),
    );
    expect(codes.size).toBe(20_000);
  });

  it('entropy is length x log2(alphabet size)', () => {
    expect(codeEntropyBits({ alphabet: 'alphanumeric', length: 8 })).toBe(40);
    expect(codeEntropyBits({ alphabet: 'numeric', length: 12 })).toBeLessThan(40);
  });
});

describe('redemptions', () => {
  it('the same reward and quantity fingerprint alike; another quantity does not', () => {
    expect(redemptionFingerprint({ rewardId: 'a', quantity: 1 })).toBe(
      redemptionFingerprint({ rewardId: 'a', quantity: 1 }),
    );
    expect(redemptionFingerprint({ rewardId: 'a', quantity: 2 })).not.toBe(
      redemptionFingerprint({ rewardId: 'a', quantity: 1 }),
    );
  });

  it('may be cancelled within the window, once completed or while waiting for the partner', () => {
    const r = { createdAt: NOW, cancellationWindowHours: 24 };
    expect(cancellationRefusal({ ...r, status: 'completed' }, day(0.5))).toBeNull();
    expect(cancellationRefusal({ ...r, status: 'awaiting-fulfilment' }, day(0.5))).toBeNull();
    expect(cancellationRefusal({ ...r, status: 'completed' }, day(1.01))).toEqual({
      kind: 'window-closed',
      until: day(1),
    });
    expect(cancellationRefusal({ ...r, status: 'failed' }, NOW)).toEqual({ kind: 'not-cancellable', status: 'failed' });
    expect(cancellationRefusal({ createdAt: NOW, cancellationWindowHours: 0, status: 'completed' }, NOW)).toEqual({
      kind: 'window-closed',
      until: null,
    });
  });

  it('a failed saga records why, from the error that stopped it', () => {
    expect(failureReason('InsufficientPoints', false)).toBe('insufficient-points');
    expect(failureReason('OutOfStock', false)).toBe('out-of-stock');
    expect(failureReason('RedemptionLimitReached', false)).toBe('limit-reached');
    expect(failureReason('FulfilmentFailed', true)).toBe('fulfilment-failed');
    expect(failureReason('States.Timeout', true)).toBe('fulfilment-timed-out');
    expect(failureReason('States.Timeout', false)).toBe('internal-error');
    expect(failureReason('TransientError', false)).toBe('internal-error');
  });
});
