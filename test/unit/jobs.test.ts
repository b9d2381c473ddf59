import { describe, expect, it } from 'vitest';
import { expireForInactivity, expireLots } from '../../core/expiry/domain/expiry';
import {
  addDays,
  daysBetween,
  desiredSchedules,
  nextConsumingCheckpoint,
  nextNoticeCheckpoint,
  noticeWindows,
  planBatches,
  planExpiry,
  schedulesAfterWrite,
  settleUpTo,
} from '../../core/jobs/domain/job-plans';
import { asOfInstant } from '../../core/jobs/use-cases/run-job';
import { type MemberState, NEW_MEMBER } from '../../core/ledger/domain/member-state';
import type { Lot } from '../../core/ledger/domain/types';
import type { TierSet } from '../../core/tiers/domain/tiers';

const lot = (lotId: string, remaining: number, expiresAt: string | null, extra: Partial<Lot> = {}): Lot => ({
  lotId,
  amount: remaining,
  remaining,
  earnedAt: '2026-01-01T00:00:00.000Z',
  availableAt: '2026-01-01T00:00:00.000Z',
  expiresAt,
  source: 'purchase',
  reason: '',
  ...extra,
});
const member = (s: Partial<MemberState>): MemberState => ({ ...NEW_MEMBER, exists: true, version: 3, ...s });
const ids = { transactionId: 'T1', recordedAt: '2026-07-01T00:00:00.000Z' };

describe('planExpiry', () => {
  const asOf = '2026-07-01T00:00:00.000Z';

  it('takes the remaining points of due lots, keeps the rest, and records one expire transaction', () => {
    const lots = [
      lot('a', 30, '2026-06-01T00:00:00.000Z'),
      lot('b', 20, '2026-07-01T00:00:00.000Z'),
      lot('c', 50, '2026-08-01T00:00:00.000Z'),
    ];
    const plan = planExpiry({
      memberId: 'm',
      state: member({ available: 100 }),
      lots,
      asOf,
      select: (l) => expireLots(l, asOf),
      reason: 'expiry-date',
      ...ids,
    });

    expect(plan.total).toBe(50);
    expect(plan.takes.map((t) => [t.lot.lotId, t.take])).toEqual([
      ['a', 30],
      ['b', 20],
    ]);
    expect(plan.after.available).toBe(50);
    expect(plan.transaction).toMatchObject({
      type: 'expire',
      points: -50,
      source: 'expiry',
      status: 'debited',
      lots: [
        { lotId: 'a', points: 30 },
        { lotId: 'b', points: 20 },
      ],
      occurredAt: asOf,
    });
    expect(plan.more).toBe(false);
  });

  it(
    'never expires pending points; matured ones are settled first (repaying debt) and may expire in the same ' +
      'write',
    () => {
      const lots = [
        lot('matured', 40, '2026-06-15T00:00:00.000Z', { availableAt: '2026-06-20T00:00:00.000Z' }),
        lot('pending', 25, '2026-06-15T00:00:00.000Z', { availableAt: '2026-07-10T00:00:00.000Z' }),
      ];
      const state = member({
        available: -10,
        pending: 65,
        debt: 10,
        pendingLots: [
          {
            lotId: 'matured',
            points: 40,
            availableAt: '2026-06-20T00:00:00.000Z',
            expiresAt: '2026-06-15T00:00:00.000Z',
          },
          {
            lotId: 'pending',
            points: 25,
            availableAt: '2026-07-10T00:00:00.000Z',
            expiresAt: '2026-06-15T00:00:00.000Z',
          },
        ],
      });

      const plan = planExpiry({
        memberId: 'm',
        state,
        lots,
        asOf,
        select: (l) => expireLots(l, asOf),
        reason: 'expiry-date',
        ...ids,
      });

      // 10 of the matured 40 repaid the debt; the 30 left expired. The pending lot is untouched.
      expect(plan.activations).toEqual([expect.objectContaining({ repaid: 10 })]);
      expect(plan.takes).toEqual([
        expect.objectContaining({ lot: expect.objectContaining({ lotId: 'matured' }), take: 40 }),
      ]);
      expect(plan.total).toBe(30);
      expect(plan.after).toMatchObject({
        available: 0,
        pending: 25,
        debt: 0,
        pendingLots: [expect.objectContaining({ lotId: 'pending' })],
      });
    },
  );

  it('splits a member with more due lots than one transaction holds', () => {
    const lots = Array.from({ length: 95 }, (_, i) =>
      lot(`l${String(i).padStart(2, '0')}`, 1, '2026-06-01T00:00:00.000Z'),
    );
    const plan = planExpiry({
      memberId: 'm',
      state: member({ available: 95 }),
      lots,
      asOf,
      select: (l) => expireLots(l, asOf),
      reason: 'expiry-date',
      ...ids,
      maxLots: 90,
    });
    expect(plan.takes).toHaveLength(90);
    expect(plan.more).toBe(true);
    expect(plan.after.available).toBe(5);
  });

  it('under inactivity takes only lots earned before the deadline', () => {
    const lots = [
      lot('old', 10, null),
      lot('new', 5, null, { earnedAt: '2026-06-20T00:00:00.000Z', availableAt: '2026-06-20T00:00:00.000Z' }),
    ];
    const deadline = '2026-06-10T00:00:00.000Z';
    const plan = planExpiry({
      memberId: 'm',
      state: member({ available: 15 }),
      lots,
      asOf,
      select: (l) => expireForInactivity(l, deadline, asOf),
      reason: 'inactivity',
      ...ids,
    });
    expect(plan.expired).toEqual([{ lotId: 'old', points: 10, expiresAt: null }]);
  });
});

describe('settleUpTo', () => {
  it('activates at most max matured lots, oldest first, repaying debt in that order', () => {
    const pendingLots = ['2026-03-03', '2026-03-01', '2026-03-02'].map((d, i) => ({
      lotId: `p${i}`,
      points: 10,
      availableAt: `${d}T00:00:00.000Z`,
      expiresAt: null,
    }));
    const { state, activations } = settleUpTo(
      member({ available: -5, pending: 30, debt: 5, pendingLots }),
      '2026-04-01T00:00:00.000Z',
      2,
    );
    expect(activations.map((a) => [a.lot.lotId, a.repaid])).toEqual([
      ['p1', 5],
      ['p2', 0],
    ]);
    expect(state).toMatchObject({
      available: 15,
      pending: 10,
      debt: 0,
      pendingLots: [expect.objectContaining({ lotId: 'p0' })],
    });
  });
});

describe('schedules a ledger write implies', () => {
  const tierSet: TierSet = {
    metric: 'points',
    window: { kind: 'calendar', period: 'quarter' },
    review: { graceUntilEndOfNextPeriod: true, dropMode: 'one-tier' },
    tiers: [
      { id: 'base', name: 'Base', threshold: 0, multiplier: 1, attributes: {} },
      { id: 'gold', name: 'Gold', threshold: 100, multiplier: 2, attributes: {} },
    ],
  };
  const program = { tierSet, expiryPolicy: { kind: 'inactivity' as const, months: 6 }, timeZone: 'Europe/Paris' };

  it(
    'an upgrade schedules the review at the end of the period (local time); an earning moves the inactivity ' +
      'deadline',
    () => {
      const before = member({ tier: 'base', lastActivityAt: '2026-01-01T00:00:00.000Z' });
      const after = member({ tier: 'gold', lastActivityAt: '2026-02-10T12:00:00.000Z' });
      expect(schedulesAfterWrite(program, before, after, '2026-02-10T12:00:00.000Z')).toEqual({
        review: '2026-03-31T21:59:59.999Z', // end of Q1 in Paris (UTC+2 from March 29)
        inactivity: '2026-08-10T11:00:00.000Z', // 13:00 in Paris, in winter and in summer time alike
      });
    },
  );

  it('nothing when neither the tier nor the activity moved, or when the policy is not inactivity', () => {
    const s = member({ tier: 'gold', lastActivityAt: '2026-01-01T00:00:00.000Z' });
    expect(schedulesAfterWrite(program, s, { ...s, available: 5 }, '2026-02-10T12:00:00.000Z')).toEqual({});
    expect(
      schedulesAfterWrite(
        { ...program, expiryPolicy: { kind: 'none' } },
        s,
        { ...s, lastActivityAt: '2026-02-01T00:00:00.000Z' },
        '2026-02-01T00:00:00.000Z',
      ),
    ).toEqual({});
  });

  it('a member at the entry tier needs no review', () => {
    expect(desiredSchedules(program, member({ tier: 'base' }), '2026-02-10T12:00:00.000Z').review).toBeNull();
    expect(
      desiredSchedules(program, member({ tier: 'retired-tier' }), '2026-02-10T12:00:00.000Z').review,
    ).not.toBeNull();
  });
});

describe('run planning', () => {
  it('splits windows x shards x days into at most maxBatches batches covering each partition once', () => {
    const windows = [
      { kind: 'EXPIRE', upTo: '2026-07-03T10:00:00.000Z' },
      { kind: 'INACTIVITY', upTo: '2026-07-03T10:00:00.000Z' },
    ];
    for (const [from, max] of [
      ['2026-07-03', 32],
      ['2026-06-01', 32],
      ['2025-07-03', 32],
      ['2026-07-01', 5],
    ] as const) {
      const batches = planBatches(windows, from, 8, max);
      const units = batches.flatMap((ranges) =>
        ranges.flatMap((r) => daysBetween(r.firstDay, r.lastDay).map((d) => `${r.kind}#${r.shard}#${d}`)),
      );
      const days = daysBetween(from, '2026-07-03').length;
      expect(batches.length).toBe(Math.min(max, 2 * 8 * days));
      expect(units).toHaveLength(2 * 8 * days);
      expect(new Set(units).size).toBe(units.length);
    }
  });

  it('plans nothing when the window ends before it starts', () => {
    expect(planBatches([{ kind: 'EXPIRE', upTo: '2026-07-01T00:00:00.000Z' }], '2026-07-02', 8, 32)).toEqual([]);
  });

  it('notice windows look `lead` days ahead of the span since the previous run', () => {
    expect(
      noticeWindows([{ kind: 'EXPIRE', leads: [30, 7] }], '2026-07-01T09:00:00.000Z', '2026-07-02T09:00:00.000Z'),
    ).toEqual([
      { kind: 'EXPIRE', lead: 30, after: '2026-07-31T09:00:00.000Z', upTo: '2026-08-01T09:00:00.000Z' },
      { kind: 'EXPIRE', lead: 7, after: '2026-07-08T09:00:00.000Z', upTo: '2026-07-09T09:00:00.000Z' },
    ]);
    expect(
      noticeWindows([{ kind: 'EXPIRE', leads: [30] }], '2026-07-02T09:00:00.000Z', '2026-07-02T09:00:00.000Z'),
    ).toEqual([]);
  });

  it('reads overlapping windows of one kind once, as their union (a run over many days)', () => {
    expect(
      noticeWindows(
        [
          { kind: 'EXPIRE', leads: [7, 30] },
          { kind: 'REVIEW', leads: [14] },
        ],
        '2026-07-01T00:00:00.000Z',
        '2026-08-01T00:00:00.000Z',
      ),
    ).toEqual([
      { kind: 'EXPIRE', after: '2026-07-08T00:00:00.000Z', upTo: '2026-08-31T00:00:00.000Z' },
      { kind: 'REVIEW', lead: 14, after: '2026-07-15T00:00:00.000Z', upTo: '2026-08-15T00:00:00.000Z' },
    ]);
  });
});

describe('checkpoints', () => {
  it(
    'a consuming job resumes at the run day, never later than the wall clock or a day with failures, never ' +
      'earlier than planned',
    () => {
      expect(nextConsumingCheckpoint('2026-06-01', '2026-06-03T05:00:00.000Z', '2026-06-03T05:01:00.000Z', [])).toBe(
        '2026-06-03',
      );
      expect(
        nextConsumingCheckpoint('2026-06-01', '2026-06-03T05:00:00.000Z', '2026-06-03T05:01:00.000Z', ['2026-06-02']),
      ).toBe('2026-06-02');
      expect(nextConsumingCheckpoint('2026-06-01', '2027-12-31T23:59:59.999Z', '2026-06-03T05:01:00.000Z', [])).toBe(
        '2026-06-03',
      ); // as of a future date
      expect(nextConsumingCheckpoint('2026-06-05', '2026-06-03T05:00:00.000Z', '2026-06-06T00:00:00.000Z', [])).toBe(
        '2026-06-05',
      ); // as of the past
    },
  );

  it('notices move on to the run asOf (or the wall clock, if earlier), not after a failure', () => {
    expect(
      nextNoticeCheckpoint('2026-06-01T09:00:00.000Z', '2026-06-02T09:00:00.000Z', '2026-06-02T09:00:05.000Z', false),
    ).toBe('2026-06-02T09:00:00.000Z');
    expect(
      nextNoticeCheckpoint('2026-06-01T09:00:00.000Z', '2027-01-01T00:00:00.000Z', '2026-06-02T09:00:05.000Z', false),
    ).toBe('2026-06-02T09:00:05.000Z');
    expect(
      nextNoticeCheckpoint('2026-06-01T09:00:00.000Z', '2026-06-02T09:00:00.000Z', '2026-06-02T09:00:05.000Z', true),
    ).toBe('2026-06-01T09:00:00.000Z');
  });

  it('"as of" a bare date is the end of that day everywhere (in UTC-12, the last zone to finish it)', () => {
    expect(asOfInstant('2027-12-31')).toBe('2028-01-01T11:59:59.999Z');
    expect(asOfInstant('2027-12-31T10:00:00+02:00')).toBe('2027-12-31T08:00:00.000Z');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
  });
});
