// Backdating must not beat a limit or a cap: records older than the program's accepted lateness are
// refused and write nothing, and the counters of every period inside the window are kept.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { periodKey } from '../../../core/earning/domain';
import { TooLate } from '../../../core/earning/errors';
import { earnForPurchase } from '../../../core/earning/use-cases/earn-for-purchase';
import { recordEngagement } from '../../../core/earning/use-cases/record-engagement';
import { recordReturn } from '../../../core/earning/use-cases/record-return';
import { Unprocessable, ValidationFailed } from '../../../core/kernel/errors';
import { enrolOrUpdateMember } from '../../../core/ledger/use-cases/members';
import { updateProgramSettings } from '../../../core/programs/use-cases/manage-programs';
import { DAY_MS, memoryFixture, purchase, returnOf } from './fixture';

const REVIEW = {
  ruleId: 'review',
  kind: 'event',
  name: 'Review',
  eventType: 'review.posted',
  points: 25,
  limits: [
    { period: 'day', max: 1 },
    { period: 'month', max: 5 },
  ],
};
const BIRTHDAY = {
  ruleId: 'birthday',
  kind: 'event',
  name: 'Birthday',
  eventType: 'birthday',
  points: 200,
  limits: [{ period: 'year', max: 1 }],
};
const DAILY_CAP = { ruleId: 'daily-cap', kind: 'cap', name: 'Daily cap', per: 'day', maxPoints: 300 };
const BASE = { ruleId: 'base', kind: 'base', name: 'Base', pointsPerUnit: { USD: '1' } };

const ago = (now: Date, days: number) => new Date(now.getTime() - days * DAY_MS).toISOString();

async function program(opts: { latenessDays?: number; timeZone?: string } = {}) {
  const f = memoryFixture();
  await f.program('p', opts, [BASE, REVIEW, BIRTHDAY, DAILY_CAP]);
  await enrolOrUpdateMember('p', 'eve', { email: 'eve@example.com' }, 'r1', f.deps);
  return f;
}

const event = (eventId: string, type: string, occurredAt: string) => ({ eventId, memberId: 'eve', type, occurredAt });

describe('records older than the accepted lateness', () => {
  it('a purchase dated year 0001 is TooLate, naming occurredAt, and writes nothing', async () => {
    const f = await program();
    const before = f.stores.snapshot();

    const earn = earnForPurchase('p', purchase({ memberId: 'eve', occurredAt: '0001-01-01T00:00:00Z' }), f.deps);

    await expect(earn).rejects.toBeInstanceOf(TooLate);
    await expect(earn).rejects.toMatchObject({ errors: [{ field: 'occurredAt' }] });
    expect(f.stores.snapshot()).toEqual(before);
  });

  it('an event 31 days late is TooLate under the default 30 days, and writes nothing', async () => {
    const f = await program();
    const before = f.stores.snapshot();

    const late = recordEngagement('p', event('e1', 'review.posted', ago(f.clock.now(), 31)), f.deps);

    await expect(late).rejects.toBeInstanceOf(TooLate);
    expect(f.stores.snapshot()).toEqual(before);
  });

  it('an event 29 days late is accepted and counts against its own day', async () => {
    const f = await program();
    const day = ago(f.clock.now(), 29);
    await recordEngagement('p', event('e1', 'review.posted', day), f.deps);

    const { result } = await recordEngagement('p', event('e2', 'review.posted', day), f.deps);

    expect(result.points).toBe(0);
    expect(result.notRewarded[0]?.reason).toMatch(/limit reached: 1 of 1 review.posted per day/);
  });

  it('a replay of a purchase that has since fallen out of the window still answers the original', async () => {
    const f = await program();
    const p = purchase({ memberId: 'eve', amount: 10_00, occurredAt: ago(f.clock.now(), 20) });
    const first = await earnForPurchase('p', p, f.deps);
    f.clock.advance(20 * DAY_MS);

    const replay = await earnForPurchase('p', p, f.deps);

    expect(replay).toEqual({ replayed: true, result: first.result });
  });

  it('a once-a-year birthday backdated into alternating years pays once per year inside the window', async () => {
    const f = await program();
    f.clock.set('2026-01-10T12:00:00.000Z');
    const years = ['2024-06-01', '2025-12-20', '2026-01-05', '2025-12-21', '2024-06-02', '2026-01-06'];

    const outcomes = [];
    for (const [i, day] of [...years, ...years].entries()) {
      outcomes.push(
        await recordEngagement('p', event(`b${i}`, 'birthday', `${day}T10:00:00Z`), f.deps).then(
          ({ result }) => result.points,
          (err) => (err instanceof TooLate ? 'too-late' : err),
        ),
      );
    }

    expect(outcomes.filter((o) => o === 200)).toHaveLength(2); // 2025 once, 2026 once
    expect(outcomes.filter((o) => o === 'too-late')).toHaveLength(4); // 2024, twice each
  });

  it('a 1-a-day, 5-a-month review reward backdated to 10 days of one month pays 5 times', async () => {
    const f = await program();
    f.clock.set('2026-11-30T12:00:00.000Z');
    const days = [12, 3, 27, 9, 18, 21, 6, 15, 24, 1].map((d) => `2026-11-${String(d).padStart(2, '0')}T10:00:00Z`);

    let paid = 0;
    for (const [i, day] of days.entries()) {
      paid += (await recordEngagement('p', event(`r${i}`, 'review.posted', day), f.deps)).result.points > 0 ? 1 : 0;
      f.clock.advance(60_000);
    }

    expect(paid).toBe(5);
  });

  it('a daily cap reached yesterday holds for a purchase dated yesterday and recorded today', async () => {
    const f = await program();
    const yesterday = ago(f.clock.now(), 1);
    await earnForPurchase(
      'p',
      purchase({ orderId: 'o1', memberId: 'eve', amount: 500_00, occurredAt: yesterday }),
      f.deps,
    );
    f.clock.advance(DAY_MS);

    const { result } = await earnForPurchase(
      'p',
      purchase({ orderId: 'o2', memberId: 'eve', amount: 500_00, occurredAt: ago(f.clock.now(), 2) }),
      f.deps,
    );

    expect(result.points).toBe(0);
  });

  it('a backfill records older history the live path refuses', async () => {
    const f = await program();

    const { result } = await earnForPurchase(
      'p',
      purchase({ memberId: 'eve', amount: 10_00, occurredAt: '2025-02-01T10:00:00Z' }),
      f.deps,
      undefined,
      { backfill: true },
    );

    expect(result.points).toBe(10);
  });

  it('raising latenessDays accepts nothing older than the old window reached when it was raised', async () => {
    const f = await program({ latenessDays: 10 });
    await updateProgramSettings('p', { latenessDays: 60 }, f.deps);

    const beyondOld = recordEngagement('p', event('e1', 'review.posted', ago(f.clock.now(), 11)), f.deps);
    await expect(beyondOld).rejects.toBeInstanceOf(TooLate);
    f.clock.advance(5 * DAY_MS);
    const { result } = await recordEngagement('p', event('e2', 'review.posted', ago(f.clock.now(), 14)), f.deps);

    expect(result.points).toBe(25);
  });
});

describe('the dates of a return', () => {
  async function withOrder() {
    const f = await program();
    await earnForPurchase('p', purchase({ orderId: 'o1', memberId: 'eve', amount: 50_00 }), f.deps);
    return f;
  }

  it.each([
    ['before its purchase', '2026-11-23T10:00:00Z', Unprocessable],
    ['in the future', '9999-01-01T00:00:00Z', ValidationFailed],
    ['six minutes ahead', '2026-11-23T12:06:00Z', ValidationFailed],
  ])('a return dated %s is refused naming occurredAt and writes nothing', async (_, occurredAt, error) => {
    const f = await withOrder();
    const before = f.stores.snapshot();

    const back = recordReturn('p', 'o1', returnOf('r1', { occurredAt }), f.deps);

    await expect(back).rejects.toBeInstanceOf(error);
    await expect(back).rejects.toMatchObject({ errors: [{ field: 'occurredAt' }] });
    expect(f.stores.snapshot()).toEqual(before);
  });

  it('a return recorded more than latenessDays after it happened is TooLate', async () => {
    const f = await withOrder();
    f.clock.advance(40 * DAY_MS);

    const back = recordReturn('p', 'o1', returnOf('r1', { occurredAt: '2026-11-24T10:00:00Z' }), f.deps);

    await expect(back).rejects.toBeInstanceOf(TooLate);
  });

  it('a return 40 days after its purchase, recorded on time, is accepted', async () => {
    const f = await withOrder();
    f.clock.advance(40 * DAY_MS);

    const { result } = await recordReturn('p', 'o1', returnOf('r1', { occurredAt: ago(f.clock.now(), 1) }), f.deps);

    expect(result.points).toBe(50);
  });
});

describe('property: backdating never beats a limit or a cap', () => {
  const op = fc.record({
    kind: fc.constantFrom('review.posted', 'birthday', 'purchase'),
    daysBack: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 800 })),
    minutes: fc.integer({ min: -4, max: 24 * 60 }),
    amount: fc.integer({ min: 0, max: 400_00 }),
    advanceHours: fc.integer({ min: 0, max: 72 }),
  });

  it('any order of dates, inside or outside the window, pays each limit and cap at most what it allows', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 1, maxLength: 25 }),
        fc.constantFrom(0, 7, 30, 90),
        fc.constantFrom('UTC', 'America/New_York', 'Pacific/Auckland'),
        async (ops, latenessDays, timeZone) => {
          const f = await program({ latenessDays, timeZone });
          f.clock.set('2026-01-10T12:00:00.000Z');
          const paid: { occurredAt: string; points: number; rewarded?: string }[] = [];
          for (const [i, o] of ops.entries()) {
            f.clock.advance(o.advanceHours * 3_600_000);
            const occurredAt = new Date(f.clock.now().getTime() - o.daysBack * DAY_MS - o.minutes * 60_000);
            const at = occurredAt.toISOString();
            const before = f.stores.snapshot();
            try {
              if (o.kind === 'purchase') {
                const p = purchase({ orderId: `o${i}`, memberId: 'eve', amount: o.amount, occurredAt: at });
                paid.push({ occurredAt: at, points: (await earnForPurchase('p', p, f.deps)).result.points });
              } else {
                const { result } = await recordEngagement('p', event(`e${i}`, o.kind, at), f.deps);
                const line = result.breakdown.find((l) => l.rule === 'event');
                paid.push({ occurredAt: at, points: result.points, ...(line ? { rewarded: o.kind } : {}) });
              }
              expect(occurredAt.getTime()).toBeGreaterThanOrEqual(f.clock.now().getTime() - latenessDays * DAY_MS);
            } catch (err) {
              if (!(err instanceof TooLate || err instanceof ValidationFailed)) throw err;
              expect(f.stores.snapshot()).toEqual(before);
            }
          }
          const tally = (
            key: (x: (typeof paid)[number]) => string | null,
            value: (x: (typeof paid)[number]) => number,
          ) => {
            const totals = new Map<string, number>();
            for (const x of paid) {
              const k = key(x);
              if (k !== null) totals.set(k, (totals.get(k) ?? 0) + value(x));
            }
            return Math.max(0, ...totals.values());
          };
          const rewarded = (type: string, period: 'day' | 'month' | 'year') =>
            tally(
              (x) => (x.rewarded === type ? periodKey(period, x.occurredAt, timeZone) : null),
              () => 1,
            );
          expect(rewarded('review.posted', 'day')).toBeLessThanOrEqual(1);
          expect(rewarded('review.posted', 'month')).toBeLessThanOrEqual(5);
          expect(rewarded('birthday', 'year')).toBeLessThanOrEqual(1);
          expect(
            tally(
              (x) => periodKey('day', x.occurredAt, timeZone),
              (x) => x.points,
            ),
          ).toBeLessThanOrEqual(300);
        },
      ),
      { numRuns: 60 },
    );
  });
});
