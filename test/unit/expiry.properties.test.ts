import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyExpiry,
  type ExpiryPolicy,
  expireForInactivity,
  expireLots,
  expiresAtFor,
  expiryNotices,
  upcomingExpiries,
} from '../../core/expiry/domain/expiry';
import { dueShard } from '../../core/jobs/domain/due-index';
import { consumeOrder } from '../../core/ledger/domain/member-state';
import type { Lot } from '../../core/ledger/domain/types';

const FROM = Date.UTC(2024, 0, 1);
const TO = Date.UTC(2029, 0, 1);

const instant = fc.integer({ min: FROM, max: TO }).map((ms) => new Date(ms).toISOString());
// Few distinct instants, so ties in expiry and earnedAt are common.
const coarseInstant = fc.integer({ min: 0, max: 20 }).map((i) => new Date(FROM + i * 90 * 86_400_000).toISOString());

const lot: fc.Arbitrary<Lot> = fc
  .record({
    lotId: fc.string({ minLength: 1, maxLength: 6 }),
    amount: fc.integer({ min: 1, max: 10_000 }),
    spentShare: fc.double({ min: 0, max: 1, noNaN: true }),
    earnedAt: coarseInstant,
    expiresAt: fc.option(coarseInstant, { freq: 4 }),
  })
  .map(({ lotId, amount, spentShare, earnedAt, expiresAt }) => ({
    lotId,
    amount,
    remaining: amount - Math.floor(amount * spentShare),
    earnedAt,
    availableAt: earnedAt,
    expiresAt,
    source: 'purchase' as const,
    reason: 'purchase',
  }));

const lots = fc.uniqueArray(lot, { selector: (l) => l.lotId, maxLength: 25 });
const sumRemaining = (ls: readonly Lot[]): number => ls.reduce((sum, l) => sum + l.remaining, 0);

const policy: fc.Arbitrary<ExpiryPolicy> = fc.oneof(
  fc.record({
    kind: fc.constant('after-earning' as const),
    months: fc.integer({ min: 1, max: 120 }),
    roundUpTo: fc.constantFrom(undefined, 'month', 'quarter', 'year'),
  }),
  fc
    .record({
      kind: fc.constant('fixed-date' as const),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 31 }),
      yearsAfter: fc.integer({ min: 0, max: 3 }),
    })
    .filter((p) => p.day <= [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][p.month - 1]!),
);

describe('expiry properties', () => {
  it('expiry never removes more than a lot holds, nor anything from an empty lot', () => {
    fc.assert(
      fc.property(lots, instant, (ls, asOf) => {
        const byId = new Map(ls.map((l) => [l.lotId, l]));
        for (const { lotId, points } of expireLots(ls, asOf).expired) {
          expect(points).toBeGreaterThan(0);
          expect(points).toBeLessThanOrEqual(byId.get(lotId)!.remaining);
        }
      }),
    );
  });

  it('after expiry, remaining plus expired equals the remaining before', () => {
    fc.assert(
      fc.property(lots, instant, (ls, asOf) => {
        const result = expireLots(ls, asOf);
        expect(sumRemaining(applyExpiry(ls, result)) + result.total).toBe(sumRemaining(ls));
      }),
    );
  });

  it('inactivity expiry conserves points too', () => {
    fc.assert(
      fc.property(lots, instant, instant, (ls, deadline, asOf) => {
        const result = expireForInactivity(ls, deadline, asOf);
        expect(sumRemaining(applyExpiry(ls, result)) + result.total).toBe(sumRemaining(ls));
      }),
    );
  });

  it('expiring twice expires nothing the second time', () => {
    fc.assert(
      fc.property(lots, instant, (ls, asOf) => {
        const after = applyExpiry(ls, expireLots(ls, asOf));
        expect(expireLots(after, asOf).total).toBe(0);
      }),
    );
  });

  it('consumeOrder is a permutation sorted by expiry (null last), then earnedAt, then lotId', () => {
    fc.assert(
      fc.property(lots, (ls) => {
        const ordered = consumeOrder(ls);
        expect([...ordered].sort((a, b) => (a.lotId < b.lotId ? -1 : 1))).toEqual(
          [...ls].sort((a, b) => (a.lotId < b.lotId ? -1 : 1)),
        );
        const key = (l: Lot) =>
          [l.expiresAt === null ? Infinity : Date.parse(l.expiresAt), Date.parse(l.earnedAt)] as const;
        for (let i = 1; i < ordered.length; i++) {
          const [prev, next] = [ordered[i - 1]!, ordered[i]!];
          const [pe, pd] = key(prev);
          const [ne, nd] = key(next);
          expect(pe < ne || (pe === ne && (pd < nd || (pd === nd && prev.lotId < next.lotId)))).toBe(true);
        }
      }),
    );
  });

  it('upcoming expiries and notices only ever count points that are still there and not yet expired', () => {
    fc.assert(
      fc.property(lots, instant, (ls, now) => {
        const upcoming = upcomingExpiries(ls, now, 100);
        const stillToExpire = ls.filter((l) => l.expiresAt !== null && Date.parse(l.expiresAt) > Date.parse(now));
        expect(upcoming.reduce((s, u) => s + u.points, 0)).toBe(sumRemaining(stillToExpire));
        for (const notice of expiryNotices(ls, now))
          expect(Date.parse(notice.expiresAt)).toBeGreaterThan(Date.parse(now));
      }),
    );
  });

  it('points always expire after they were earned', () => {
    fc.assert(
      fc.property(
        instant,
        policy,
        fc.constantFrom('UTC', 'America/New_York', 'Pacific/Auckland'),
        (earnedAt, p, tz) => {
          expect(Date.parse(expiresAtFor(earnedAt, p, tz)!)).toBeGreaterThan(Date.parse(earnedAt));
        },
      ),
    );
  });

  it('dueShard is always within 0..shards-1', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 1_000 }), (id, shards) => {
        const shard = dueShard(id, shards);
        expect(Number.isInteger(shard) && shard >= 0 && shard < shards).toBe(true);
      }),
    );
  });
});
