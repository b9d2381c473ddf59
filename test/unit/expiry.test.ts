import { describe, expect, it } from 'vitest';
import {
  applyExpiry,
  type ExpiryPolicy,
  expireForInactivity,
  expireLots,
  expiresAtFor,
  expiryNotices,
  inactivityExpiresAtFor,
  inactivityExpiryNotice,
  upcomingExpiries,
} from '../../core/expiry/domain/expiry';
import { ExpiryPolicyInput } from '../../core/expiry/schemas';
import { dueDay, dueShard } from '../../core/jobs/domain/due-index';
import { consumeOrder } from '../../core/ledger/domain/member-state';
import type { Lot } from '../../core/ledger/domain/types';

const NY = 'America/New_York';

const lot = (overrides: Partial<Lot> & Pick<Lot, 'lotId'>): Lot => ({
  amount: 100,
  remaining: 100,
  earnedAt: '2026-01-10T12:00:00.000Z',
  availableAt: '2026-01-10T12:00:00.000Z',
  expiresAt: '2027-01-10T12:00:00.000Z',
  source: 'purchase',
  reason: 'purchase',
  ...overrides,
});

const policy = (value: unknown): ExpiryPolicy => ExpiryPolicyInput.parse(value);
const messages = (value: unknown): string[] =>
  ExpiryPolicyInput.safeParse(value).error?.issues.map((i) => i.message) ?? [];

describe('ExpiryPolicyInput', () => {
  it('accepts each policy kind', () => {
    expect(policy({ kind: 'none' })).toEqual({ kind: 'none' });
    expect(policy({ kind: 'after-earning', months: 12, roundUpTo: 'quarter' })).toEqual({
      kind: 'after-earning',
      months: 12,
      roundUpTo: 'quarter',
    });
    expect(policy({ kind: 'inactivity', months: 18 })).toEqual({ kind: 'inactivity', months: 18 });
  });

  it('defaults yearsAfter of a fixed date to 0 and accepts Feb 29', () => {
    expect(policy({ kind: 'fixed-date', month: 2, day: 29 })).toEqual({
      kind: 'fixed-date',
      month: 2,
      day: 29,
      yearsAfter: 0,
    });
  });

  it('rejects a fixed date that no year has', () => {
    expect(messages({ kind: 'fixed-date', month: 2, day: 30 })).toEqual(['month 2 has no day 30']);
    expect(messages({ kind: 'fixed-date', month: 4, day: 31 })).toEqual(['month 4 has no day 31']);
  });

  it('rejects 0 months and an unknown rounding or kind with clear messages', () => {
    expect(messages({ kind: 'after-earning', months: 0 })).toEqual(['after-earning months must be at least 1']);
    expect(messages({ kind: 'after-earning', months: 12, roundUpTo: 'week' })).toEqual([
      'roundUpTo must be "month", "quarter" or "year"',
    ]);
    expect(messages({ kind: 'sometimes' })).toEqual([
      'kind must be "none", "after-earning", "fixed-date" or "inactivity"',
    ]);
  });
});

describe('expiresAtFor', () => {
  it('none and inactivity give lots no expiry date', () => {
    expect(expiresAtFor('2026-05-01T12:00:00.000Z', { kind: 'none' }, NY)).toBeNull();
    expect(expiresAtFor('2026-05-01T12:00:00.000Z', { kind: 'inactivity', months: 12 }, NY)).toBeNull();
  });

  describe('after-earning', () => {
    it('expires N months later at the same local time', () => {
      expect(expiresAtFor('2026-05-01T12:00:00.000Z', policy({ kind: 'after-earning', months: 12 }), NY)).toBe(
        '2027-05-01T12:00:00.000Z',
      );
    });

    it('Jan 31 + 1 month expires on Feb 28', () => {
      expect(expiresAtFor('2026-01-31T17:00:00.000Z', policy({ kind: 'after-earning', months: 1 }), NY)).toBe(
        '2026-02-28T17:00:00.000Z',
      );
    });

    it('Jan 31 + 1 month expires on Feb 29 in a leap year', () => {
      expect(expiresAtFor('2028-01-31T17:00:00.000Z', policy({ kind: 'after-earning', months: 1 }), NY)).toBe(
        '2028-02-29T17:00:00.000Z',
      );
    });

    it('points earned on Feb 29 expire on Feb 28 a year later', () => {
      expect(expiresAtFor('2028-02-29T17:00:00.000Z', policy({ kind: 'after-earning', months: 12 }), NY)).toBe(
        '2029-02-28T17:00:00.000Z',
      );
    });

    it('keeps the local time of day across DST (10:00 EST -> 10:00 EDT)', () => {
      expect(expiresAtFor('2026-01-15T15:00:00.000Z', policy({ kind: 'after-earning', months: 6 }), NY)).toBe(
        '2026-07-15T14:00:00.000Z',
      );
    });

    it('a local time that does not exist on the expiry day moves forward by the DST gap', () => {
      expect(expiresAtFor('2026-02-08T07:30:00.000Z', policy({ kind: 'after-earning', months: 1 }), NY)).toBe(
        '2026-03-08T07:30:00.000Z',
      );
    });

    it('the month is counted on the local date: 23:30 Jan 31 in New York + 1 month is Feb 28 local', () => {
      expect(expiresAtFor('2026-02-01T04:30:00.000Z', policy({ kind: 'after-earning', months: 1 }), NY)).toBe(
        '2026-03-01T04:30:00.000Z',
      );
    });

    it('rounded up to the month expires at the last millisecond of that local month', () => {
      expect(
        expiresAtFor('2026-01-31T17:00:00.000Z', policy({ kind: 'after-earning', months: 1, roundUpTo: 'month' }), NY),
      ).toBe('2026-03-01T04:59:59.999Z');
    });

    it('rounded up to the quarter expires at the end of the local quarter, in daylight time', () => {
      expect(
        expiresAtFor(
          '2026-02-10T17:00:00.000Z',
          policy({ kind: 'after-earning', months: 1, roundUpTo: 'quarter' }),
          NY,
        ),
      ).toBe('2026-04-01T03:59:59.999Z');
    });

    it('rounded up to the year: a purchase at 23:30 on Dec 31 in New York counts from that local year', () => {
      const purchase = '2027-01-01T04:30:00.000Z'; // 2026-12-31 23:30 EST
      expect(expiresAtFor(purchase, policy({ kind: 'after-earning', months: 12, roundUpTo: 'year' }), NY)).toBe(
        '2028-01-01T04:59:59.999Z',
      );
      expect(expiresAtFor(purchase, policy({ kind: 'after-earning', months: 12, roundUpTo: 'year' }), 'UTC')).toBe(
        '2028-12-31T23:59:59.999Z',
      );
    });
  });

  describe('fixed-date', () => {
    const endOfYear = policy({ kind: 'fixed-date', month: 12, day: 31 });

    it('points earned before the date expire at the end of that date the same year', () => {
      expect(expiresAtFor('2026-03-05T12:00:00.000Z', endOfYear, NY)).toBe('2027-01-01T04:59:59.999Z');
    });

    it('points earned on the date itself (23:30 Dec 31 local) expire at the end of that day', () => {
      expect(expiresAtFor('2027-01-01T04:30:00.000Z', endOfYear, NY)).toBe('2027-01-01T04:59:59.999Z');
    });

    it('points earned after the date expire on its next occurrence', () => {
      expect(expiresAtFor('2026-07-01T12:00:00.000Z', policy({ kind: 'fixed-date', month: 6, day: 30 }), NY)).toBe(
        '2027-07-01T03:59:59.999Z',
      );
    });

    it('yearsAfter pushes the occurrence: earned during 2026 expires at the end of 2027', () => {
      const policyPlusOne = policy({ kind: 'fixed-date', month: 12, day: 31, yearsAfter: 1 });
      expect(expiresAtFor('2026-01-01T05:00:00.000Z', policyPlusOne, NY)).toBe('2028-01-01T04:59:59.999Z');
      expect(expiresAtFor('2027-01-01T04:30:00.000Z', policyPlusOne, NY)).toBe('2028-01-01T04:59:59.999Z');
    });

    it('Feb 29 falls on Feb 28 in a year without one', () => {
      expect(expiresAtFor('2027-01-10T12:00:00.000Z', policy({ kind: 'fixed-date', month: 2, day: 29 }), 'UTC')).toBe(
        '2027-02-28T23:59:59.999Z',
      );
    });

    it('Feb 29 is Feb 29 in a leap year', () => {
      expect(expiresAtFor('2027-03-01T12:00:00.000Z', policy({ kind: 'fixed-date', month: 2, day: 29 }), 'UTC')).toBe(
        '2028-02-29T23:59:59.999Z',
      );
    });

    it('points earned on Feb 28 of a common year expire that day when the date is Feb 29', () => {
      expect(expiresAtFor('2027-02-28T08:00:00.000Z', policy({ kind: 'fixed-date', month: 2, day: 29 }), 'UTC')).toBe(
        '2027-02-28T23:59:59.999Z',
      );
    });
  });

  it('the inactivity deadline is N months after the last earning, clamped', () => {
    expect(inactivityExpiresAtFor('2026-08-31T16:00:00.000Z', policy({ kind: 'inactivity', months: 6 }), NY)).toBe(
      '2027-02-28T17:00:00.000Z',
    );
    expect(inactivityExpiresAtFor('2026-08-31T16:00:00.000Z', policy({ kind: 'none' }), NY)).toBeNull();
  });
});

describe('expireLots', () => {
  it('expires the remaining points of lots whose expiry is at or before asOf', () => {
    const lots = [
      lot({ lotId: 'due-exactly', remaining: 40, expiresAt: '2027-01-01T00:00:00.000Z' }),
      lot({ lotId: 'overdue', remaining: 25, expiresAt: '2026-12-01T00:00:00.000Z' }),
      lot({ lotId: 'not-yet', expiresAt: '2027-01-01T00:00:00.001Z' }),
    ];

    expect(expireLots(lots, '2027-01-01T00:00:00.000Z')).toEqual({
      expired: [
        { lotId: 'overdue', points: 25 },
        { lotId: 'due-exactly', points: 40 },
      ],
      total: 65,
    });
  });

  it('lots already at 0 and lots that never expire produce nothing', () => {
    const lots = [
      lot({ lotId: 'spent', remaining: 0, expiresAt: '2026-01-01T00:00:00.000Z' }),
      lot({ lotId: 'forever', expiresAt: null }),
    ];
    expect(expireLots(lots, '2030-01-01T00:00:00.000Z')).toEqual({ expired: [], total: 0 });
  });

  it('compares instants, not strings', () => {
    const lots = [lot({ lotId: 'offset', expiresAt: '2026-12-31T20:00:00-05:00' })]; // 2027-01-01T01:00Z
    expect(expireLots(lots, '2027-01-01T00:30:00.000Z').total).toBe(0);
  });

  it('applying an expiry lowers each lot by what expired, and only those lots', () => {
    const lots = [
      lot({ lotId: 'a', remaining: 30, expiresAt: '2026-01-01T00:00:00.000Z' }),
      lot({ lotId: 'b', remaining: 50 }),
    ];
    const after = applyExpiry(lots, expireLots(lots, '2026-06-01T00:00:00.000Z'));
    expect(after.map((l) => [l.lotId, l.remaining])).toEqual([
      ['a', 0],
      ['b', 50],
    ]);
  });
});

describe('expireForInactivity', () => {
  const lots = [
    lot({ lotId: 'old', remaining: 70, earnedAt: '2025-01-01T00:00:00.000Z', expiresAt: null }),
    lot({ lotId: 'newer', remaining: 30, earnedAt: '2025-06-01T00:00:00.000Z', expiresAt: null }),
    lot({ lotId: 'after-deadline', remaining: 10, earnedAt: '2026-08-01T00:00:00.000Z', expiresAt: null }),
  ];

  it('expires nothing before the deadline', () => {
    expect(expireForInactivity(lots, '2026-06-01T00:00:00.000Z', '2026-05-31T23:59:59.999Z').total).toBe(0);
  });

  it('expires every point earned before the deadline once it has passed', () => {
    expect(expireForInactivity(lots, '2026-06-01T00:00:00.000Z', '2026-09-01T00:00:00.000Z')).toEqual({
      expired: [
        { lotId: 'old', points: 70 },
        { lotId: 'newer', points: 30 },
      ],
      total: 100,
    });
  });

  it('expires nothing without a deadline', () => {
    expect(expireForInactivity(lots, null, '2030-01-01T00:00:00.000Z').total).toBe(0);
  });
});

describe('upcomingExpiries', () => {
  it(
    'groups remaining points by expiry instant, soonest first, skipping expired, empty and never-expiring ' + 'lots',
    () => {
      const lots = [
        lot({ lotId: 'a', remaining: 10, expiresAt: '2027-03-01T00:00:00.000Z' }),
        lot({ lotId: 'b', remaining: 5, expiresAt: '2027-01-01T00:00:00.000Z' }),
        lot({ lotId: 'c', remaining: 7, expiresAt: '2027-03-01T00:00:00.000Z' }),
        lot({ lotId: 'gone', remaining: 9, expiresAt: '2026-11-01T00:00:00.000Z' }),
        lot({ lotId: 'spent', remaining: 0, expiresAt: '2027-02-01T00:00:00.000Z' }),
        lot({ lotId: 'forever', remaining: 3, expiresAt: null }),
      ];

      expect(upcomingExpiries(lots, '2026-11-23T08:00:00.000Z', 10)).toEqual([
        { date: '2027-01-01T00:00:00.000Z', points: 5 },
        { date: '2027-03-01T00:00:00.000Z', points: 17 },
      ]);
    },
  );

  it('returns at most `limit` groups', () => {
    const lots = [
      lot({ lotId: 'a', expiresAt: '2027-01-01T00:00:00.000Z' }),
      lot({ lotId: 'b', expiresAt: '2027-02-01T00:00:00.000Z' }),
    ];
    expect(upcomingExpiries(lots, '2026-11-23T08:00:00.000Z', 1)).toHaveLength(1);
  });
});

describe('expiryNotices', () => {
  const expiresAt = '2027-01-01T04:59:59.999Z';
  const lots = [lot({ lotId: 'a', remaining: 60, expiresAt }), lot({ lotId: 'b', remaining: 40, expiresAt })];

  it('is not due before the first lead time', () => {
    expect(expiryNotices(lots, '2026-11-30T12:00:00.000Z')).toEqual([]);
  });

  it('sends the 30-day notice for all points expiring at that instant', () => {
    expect(expiryNotices(lots, '2026-12-02T12:00:00.000Z')).toEqual([
      { noticeId: `expiry#${expiresAt}#30d`, expiresAt, daysBefore: 30, points: 100, lotIds: ['a', 'b'] },
    ]);
  });

  it('sends a notice once: an id in alreadySent is not due again', () => {
    expect(expiryNotices(lots, '2026-12-10T12:00:00.000Z', [30, 7], new Set([`expiry#${expiresAt}#30d`]))).toEqual([]);
  });

  it('sends the 7-day notice after the 30-day one', () => {
    const notices = expiryNotices(lots, '2026-12-26T12:00:00.000Z', [30, 7], new Set([`expiry#${expiresAt}#30d`]));
    expect(notices.map((n) => n.noticeId)).toEqual([`expiry#${expiresAt}#7d`]);
  });

  it('sends only the closest notice when a missed run finds several due', () => {
    expect(expiryNotices(lots, '2026-12-26T12:00:00.000Z').map((n) => n.daysBefore)).toEqual([7]);
  });

  it('sends nothing for points already expired or spent', () => {
    const spent = [lot({ lotId: 'x', remaining: 0, expiresAt })];
    expect(expiryNotices(spent, '2026-12-26T12:00:00.000Z')).toEqual([]);
    expect(expiryNotices(lots, '2027-01-02T00:00:00.000Z')).toEqual([]);
  });

  it('warns once before the inactivity deadline for all points earned before it', () => {
    const held = [lot({ lotId: 'a', remaining: 60, expiresAt: null })];
    expect(inactivityExpiryNotice(held, '2027-01-01T00:00:00.000Z', '2026-12-25T00:00:00.000Z')).toMatchObject({
      noticeId: 'inactivity#2027-01-01T00:00:00.000Z#7d',
      points: 60,
    });
    expect(inactivityExpiryNotice(held, null, '2026-12-25T00:00:00.000Z')).toBeNull();
  });
});

describe('consumeOrder', () => {
  it('consumes the lot nearest to expiry first and never-expiring lots last', () => {
    const lots = [
      lot({ lotId: 'forever', expiresAt: null }),
      lot({ lotId: 'later', expiresAt: '2027-06-01T00:00:00.000Z' }),
      lot({ lotId: 'soon', expiresAt: '2027-01-01T00:00:00.000Z' }),
    ];
    expect(consumeOrder(lots).map((l) => l.lotId)).toEqual(['soon', 'later', 'forever']);
  });

  it('breaks ties by earnedAt, then lotId', () => {
    const lots = [
      lot({ lotId: 'b', earnedAt: '2026-01-01T00:00:00.000Z' }),
      lot({ lotId: 'c', earnedAt: '2025-12-01T00:00:00.000Z' }),
      lot({ lotId: 'a', earnedAt: '2026-01-01T00:00:00.000Z' }),
    ];
    expect(consumeOrder(lots).map((l) => l.lotId)).toEqual(['c', 'a', 'b']);
  });

  it('does not reorder its input', () => {
    const lots = [lot({ lotId: 'later', expiresAt: '2028-01-01T00:00:00.000Z' }), lot({ lotId: 'soon' })];
    consumeOrder(lots);
    expect(lots.map((l) => l.lotId)).toEqual(['later', 'soon']);
  });
});

describe('due-date index', () => {
  it('the shard of an id is stable (FNV-1a), so index keys written today are found tomorrow', () => {
    expect(dueShard('member-123', 16)).toBe(14);
    expect(dueShard('a', 1_000)).toBe(220);
  });

  it('rejects a shard count below 1', () => {
    expect(() => dueShard('member-123', 0)).toThrow(RangeError);
  });

  it('the due day is the UTC date of the instant', () => {
    expect(dueDay('2026-11-23T23:30:00-05:00')).toBe('2026-11-24');
  });
});
