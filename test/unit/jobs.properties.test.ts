import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expireForInactivity, expireLots } from '../../core/expiry/domain/expiry';
import { planExpiry } from '../../core/jobs/domain/job-plans';
import { type MemberState, NEW_MEMBER } from '../../core/ledger/domain/member-state';
import type { Lot } from '../../core/ledger/domain/types';

// Properties of the expiry move, over random ledgers: some lots spent down, some pending, some
// matured, some with a debt to repay, expiry instants before and after asOf.

const BASE = Date.parse('2026-01-01T00:00:00.000Z');
const DAY = 86_400_000;
const at = (days: number) => new Date(BASE + days * DAY).toISOString();

const lotArb = fc.record({
  amount: fc.integer({ min: 1, max: 500 }),
  spentShare: fc.double({ min: 0, max: 1, noNaN: true }),
  earnedDay: fc.integer({ min: 0, max: 200 }),
  pendingDays: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 60 })),
  expiresInDays: fc.option(fc.integer({ min: 1, max: 400 }), { nil: null }),
});

/** A member whose balances are consistent with their lots: available + pending = sum(remaining) - debt. */
const ledgerArb = fc
  .record({
    lots: fc.array(lotArb, { minLength: 1, maxLength: 40 }),
    asOfDay: fc.integer({ min: 0, max: 700 }),
    debt: fc.integer({ min: 0, max: 300 }),
    settledDay: fc.integer({ min: 0, max: 300 }),
  })
  .map(({ lots: specs, asOfDay, debt, settledDay }) => {
    const settledAt = at(settledDay);
    const lots: Lot[] = specs.map((s, i) => {
      const availableAt = at(s.earnedDay + s.pendingDays);
      // Pending lots are never debited; available ones may have been spent down.
      const pending = availableAt > settledAt;
      const remaining = pending ? s.amount : Math.floor(s.amount * (1 - s.spentShare));
      return {
        lotId: `L${String(i).padStart(3, '0')}`,
        amount: s.amount,
        remaining,
        earnedAt: at(s.earnedDay),
        availableAt,
        expiresAt: s.expiresInDays === null ? null : at(s.earnedDay + s.expiresInDays),
        source: 'purchase',
        reason: '',
      };
    });
    const pendingLots = lots
      .filter((l) => l.availableAt > settledAt)
      .map((l) => ({ lotId: l.lotId, points: l.remaining, availableAt: l.availableAt, expiresAt: l.expiresAt }));
    const pending = pendingLots.reduce((s, l) => s + l.points, 0);
    const availableLots = lots.filter((l) => l.availableAt <= settledAt).reduce((s, l) => s + l.remaining, 0);
    // A debt exists only once every available point is gone (a return took more than was left).
    const owed = availableLots === 0 ? debt : 0;
    const state: MemberState = {
      ...NEW_MEMBER,
      exists: true,
      version: 7,
      available: availableLots - owed,
      pending,
      debt: owed,
      pendingLots,
      lifetimeEarned: lots.reduce((s, l) => s + l.amount, 0),
    };
    return { lots, state, asOf: at(asOfDay) };
  });

const selectors = {
  'expiry date': (asOf: string) => (l: Lot[]) => expireLots(l, asOf),
  inactivity: (asOf: string) => (l: Lot[]) => expireForInactivity(l, at(120), asOf),
};

describe.each(Object.entries(selectors))('planExpiry (%s)', (_name, select) => {
  it('never takes more from a lot than it holds, and never touches a lot twice', () => {
    fc.assert(
      fc.property(ledgerArb, ({ lots, state, asOf }) => {
        const plan = planExpiry({
          memberId: 'm',
          state,
          lots,
          asOf,
          select: select(asOf),
          reason: 'expiry-date',
          transactionId: 'T',
          recordedAt: asOf,
        });
        const byId = new Map(lots.map((l) => [l.lotId, l]));
        for (const t of plan.takes) {
          expect(t.take).toBeGreaterThanOrEqual(0);
          expect(t.take).toBeLessThanOrEqual(byId.get(t.lot.lotId)!.remaining);
        }
        expect(new Set(plan.takes.map((t) => t.lot.lotId)).size).toBe(plan.takes.length);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps balances equal to the sum of the lots (minus debt) and to the transactions', () => {
    fc.assert(
      fc.property(ledgerArb, ({ lots, state, asOf }) => {
        const plan = planExpiry({
          memberId: 'm',
          state,
          lots,
          asOf,
          select: select(asOf),
          reason: 'expiry-date',
          transactionId: 'T',
          recordedAt: asOf,
        });
        const takes = new Map(plan.takes.map((t) => [t.lot.lotId, t.take]));
        const lotsAfter = lots.reduce((s, l) => s + l.remaining - (takes.get(l.lotId) ?? 0), 0);
        const held = (s: MemberState) => s.available + s.pending;
        expect(held(plan.after)).toBe(lotsAfter - plan.after.debt);
        expect(held(plan.after)).toBe(held(state) - plan.total);
        expect((plan.transaction?.points ?? 0) + plan.total).toBe(0);
        expect(plan.after.lifetimeEarned).toBe(state.lifetimeEarned);
      }),
      { numRuns: 300 },
    );
  });

  it('expires only points that are available at asOf and due by then, and leaves nothing due behind', () => {
    fc.assert(
      fc.property(ledgerArb, ({ lots, state, asOf }) => {
        const plan = planExpiry({
          memberId: 'm',
          state,
          lots,
          asOf,
          select: select(asOf),
          reason: 'expiry-date',
          transactionId: 'T',
          recordedAt: asOf,
          maxLots: 1_000,
        });
        const stillPending = new Set(plan.after.pendingLots.map((p) => p.lotId));
        for (const e of plan.expired) {
          const l = lots.find((x) => x.lotId === e.lotId)!;
          expect(stillPending.has(l.lotId)).toBe(false);
          expect(l.availableAt <= asOf).toBe(true);
        }
        // Whatever the selector finds due among available points after this plan, it already took
        // (takes include the debt repaid from lots that matured).
        const takes = new Map(plan.takes.map((t) => [t.lot.lotId, t.take]));
        const left = lots
          .filter((l) => !stillPending.has(l.lotId) && l.availableAt <= asOf)
          .map((l) => ({ ...l, remaining: l.remaining - (takes.get(l.lotId) ?? 0) }));
        expect(select(asOf)(left).total).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
