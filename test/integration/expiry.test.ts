import { afterEach, describe, expect, it } from 'vitest';
import { type JobsFixture, jobsFixture } from '../support/jobs';

// Expiry jobs against DynamoDB Local. Jobs span every program of a table and keep a checkpoint, so
// each test gets its own table: members earn at chosen instants, the job runs "as of" chosen
// instants (the wall clock with it, as when the scheduler starts it), and the ledger is audited.

let f: JobsFixture;
const POLICIES = {
  monthly: { expiry: { kind: 'after-earning', months: 1 } },
  ny: { timeZone: 'America/New_York', expiry: { kind: 'after-earning', months: 1, roundUpTo: 'month' } },
  paris: { timeZone: 'Europe/Paris', expiry: { kind: 'fixed-date', month: 12, day: 31, yearsAfter: 1 } },
  yearly: { expiry: { kind: 'after-earning', months: 12 } },
  inactive: { expiry: { kind: 'inactivity', months: 6 } },
  pending: { pendingDays: 30, expiry: { kind: 'fixed-date', month: 12, day: 31, yearsAfter: 0 } },
} as const;

async function given(programId: keyof typeof POLICIES) {
  f = await jobsFixture();
  await f.program(programId, POLICIES[programId]);
}
afterEach(() => f?.drop());

const expiredEvents = (memberId: string) =>
  f.published('Points Expired').filter((e) => (e.detail.data as { memberId: string }).memberId === memberId);

describe('after-earning expiry', () => {
  it('expires a lot at its expiry instant, not a millisecond before, once', async () => {
    await given('yearly');
    await f.earn('yearly', 'y1', 100, '2026-01-31T10:00:00.000Z');

    const early = await f.run('expire', '2027-01-31T09:59:59.999Z');
    expect(early.totals.points).toBe(0);
    const due = await f.run('expire', '2027-01-31T10:00:00.000Z');
    expect(due.totals).toMatchObject({ points: 100, changed: 1, errors: 0 });

    const { balances, txs, violations } = await f.audit('yearly', 'y1');
    expect(violations).toEqual([]);
    expect(balances).toMatchObject({ available: 0, lifetimeEarned: 100 });
    expect(txs.filter((t) => t.type === 'expire')).toEqual([
      expect.objectContaining({ points: -100, source: 'expiry', status: 'debited' }),
    ]);
    expect(expiredEvents('y1')).toHaveLength(1);
    expect(expiredEvents('y1')[0]!.detail.data).toMatchObject({
      points: 100,
      reason: 'expiry-date',
      balances: { available: 0 },
    });
  });

  it('clamps month ends and honours leap days: earned Jan 31 2028, expires Feb 29 2028', async () => {
    await given('monthly');
    await f.earn('monthly', 'leap', 40, '2028-01-31T12:00:00.000Z');
    expect((await f.run('expire', '2028-02-29T11:59:59.999Z')).totals.points).toBe(0);
    expect((await f.run('expire', '2028-02-29T12:00:00.000Z')).totals.points).toBe(40);
    expect((await f.audit('monthly', 'leap')).violations).toEqual([]);
  });

  it('rounds up to the end of the month in the program time zone (New York), which is the next UTC day', async () => {
    await given('ny');
    await f.earn('ny', 'ny1', 25, '2026-10-15T12:00:00.000Z');
    // + 1 month = Nov 15; end of November in New York = 2026-11-30T23:59:59.999-05:00.
    expect((await f.run('expire', '2026-12-01T04:59:59.998Z')).totals.points).toBe(0);
    expect((await f.run('expire', '2026-12-01T04:59:59.999Z')).totals.points).toBe(25);
  });

  it('a fixed date expires everything earned during a year at the end of Dec 31 of the next, local time', async () => {
    await given('paris');
    await f.earn('paris', 'p1', 10, '2026-01-01T09:00:00.000Z');
    // still Dec 31 in UTC, already 00:30 on Jan 1 2027 in Paris
    await f.earn('paris', 'p1', 20, '2026-12-31T23:30:00.000Z');
    // End of 2027-12-31 in Paris is 22:59:59.999Z: the 2026 lot expires, the lot of Paris' Jan 1 2027 does not.
    const run = await f.run('expire', '2027-12-31');
    expect(run.totals.points).toBe(10);
    const { lots, violations } = await f.audit('paris', 'p1');
    expect(violations).toEqual([]);
    expect(lots.map((l) => [l.amount, l.remaining, l.expiresAt]).sort()).toEqual([
      [10, 0, '2027-12-31T22:59:59.999Z'],
      [20, 20, '2028-12-31T22:59:59.999Z'],
    ]);
  });

  it('expires only what spends left: spends consume the nearest-expiring lot first', async () => {
    await given('yearly');
    await f.earn('yearly', 's1', 100, '2026-02-01T00:00:00.000Z');
    await f.earn('yearly', 's1', 50, '2026-03-01T00:00:00.000Z');
    expect(await f.spend('yearly', 's1', 120, '2026-06-01T00:00:00.000Z')).toBe(120);

    const run = await f.run('expire', '2027-03-01T00:00:00.000Z');

    // The February lot went entirely to the spend; 30 points of the March lot were left to expire.
    expect(run.totals.points).toBe(30);
    const { balances, violations } = await f.audit('yearly', 's1');
    expect(violations).toEqual([]);
    expect(balances.available).toBe(0);
    expect(expiredEvents('s1')[0]!.detail.data).toMatchObject({
      points: 30,
      lots: [expect.objectContaining({ points: 30 })],
    });
  });

  it(
    'one Points Expired per member per run, however many of their lots were due in however many ' + 'partitions',
    async () => {
      await given('yearly');
      for (let i = 0; i < 6; i++) await f.earn('yearly', 'many', 10 + i, `2026-04-0${i + 1}T08:00:00.000Z`);
      const run = await f.run('expire', '2027-04-30T00:00:00.000Z');
      expect(run.totals.points).toBe(10 + 11 + 12 + 13 + 14 + 15);
      expect(expiredEvents('many')).toHaveLength(1);
      expect((expiredEvents('many')[0]!.detail.data as { lots: unknown[] }).lots).toHaveLength(6);
    },
  );
});

describe('a spend racing an expiry', () => {
  it('each point goes exactly once: to the spend or to the expiry, never both, never below zero', async () => {
    await given('monthly');
    for (let round = 0; round < 6; round++) {
      const member = `race-${round}`;
      await f.earn('monthly', member, 30, '2026-05-01T00:00:00.000Z');
      await f.earn('monthly', member, 20, '2026-05-02T00:00:00.000Z');
      await f.earn('monthly', member, 70, '2026-06-20T00:00:00.000Z'); // not due at the race
      const asOf = '2026-06-10T00:00:00.000Z';

      const [spent, run] = await Promise.all([
        f.spend('monthly', member, 60, asOf),
        f.run('expire', asOf, { since: '2026-05-01' }),
      ]);

      const { balances, lots, violations } = await f.audit('monthly', member);
      expect(violations).toEqual([]);
      const expired = (await f.audit('monthly', member)).txs
        .filter((t) => t.type === 'expire')
        .reduce((s, t) => s - t.points, 0);
      expect(spent + expired + balances.available).toBe(120);
      expect(expired).toBeLessThanOrEqual(50);
      for (const l of lots) expect(l.remaining).toBeGreaterThanOrEqual(0);
      expect(run.totals.errors).toBe(0);
      // Whoever came second found the due lots already taken: the spend takes from the 70 instead.
      expect(lots.find((l) => l.amount === 30)!.remaining + lots.find((l) => l.amount === 20)!.remaining).toBe(0);
    }
  });
});

describe('a spend racing an expiry, interleaved on purpose', () => {
  it(
    'a spend that commits between the expiry read and its write wins; the expiry retries and takes only what is ' +
      'left',
    async () => {
      await given('monthly');
      await f.earn('monthly', 'r1', 50, '2026-05-01T00:00:00.000Z');
      const asOf = '2026-06-05T00:00:00.000Z';
      let spent = 0;
      const ledger = {
        ...f.deps.ledger,
        commit: async (...args: Parameters<typeof f.deps.ledger.commit>) => {
          if (!spent) spent = await f.spend('monthly', 'r1', 35, asOf); // commits first: the job's version is stale now
          return f.deps.ledger.commit(...args);
        },
      };

      const run = await f.run('expire', asOf, { deps: { ledger } });

      expect(spent).toBe(35);
      expect(run.totals).toMatchObject({ points: 15, errors: 0 });
      const { balances, violations } = await f.audit('monthly', 'r1');
      expect(violations).toEqual([]);
      expect(balances.available).toBe(0);
    },
  );

  it(
    'an expiry that commits between a spend read and its write wins; the spend retries and finds nothing ' + 'left',
    async () => {
      await given('monthly');
      await f.earn('monthly', 'r2', 50, '2026-05-01T00:00:00.000Z');
      const asOf = '2026-06-05T00:00:00.000Z';
      let expired = 0;

      const spent = await f.spend('monthly', 'r2', 35, asOf, {
        beforeWrite: async (attempt) => {
          if (attempt === 1) expired = (await f.run('expire', asOf)).totals.points;
        },
      });

      expect(expired).toBe(50);
      expect(spent).toBe(0);
      expect((await f.audit('monthly', 'r2')).violations).toEqual([]);
    },
  );
});

describe('inactivity expiry', () => {
  it('moves the deadline when the member earned since, and expires everything once it passes', async () => {
    await given('inactive');
    await f.earn('inactive', 'i1', 100, '2026-01-10T09:00:00.000Z');
    await f.earn('inactive', 'i1', 40, '2026-03-01T09:00:00.000Z'); // deadline moves to 2026-09-01T09:00Z

    const early = await f.run('expire', '2026-08-31T23:00:00.000Z');
    expect(early.totals.points).toBe(0);
    expect(await f.due.getSchedule('inactive', 'i1', 'INACTIVITY')).toEqual({ dueAt: '2026-09-01T09:00:00.000Z' });

    const run = await f.run('expire', '2026-09-01T09:00:00.000Z');
    expect(run.totals.points).toBe(140);
    expect(await f.due.getSchedule('inactive', 'i1', 'INACTIVITY')).toBeNull();
    expect(expiredEvents('i1').map((e) => e.detail.data)).toEqual([
      expect.objectContaining({ points: 140, reason: 'inactivity' }),
    ]);
    expect((await f.audit('inactive', 'i1')).violations).toEqual([]);
  });

  it('a schedule left behind by an earning that did not move it is moved, not acted on', async () => {
    await given('inactive');
    await f.earn('inactive', 'i2', 10, '2026-01-05T00:00:00.000Z');
    // An earning through a path without the schedule hook: lastActivityAt moves, the schedule does not.
    await f.due.putSchedule('inactive', 'i2', 'INACTIVITY', '2026-07-05T00:00:00.000Z');
    await f.earn('inactive', 'i2', 5, '2026-05-01T00:00:00.000Z');
    await f.due.putSchedule('inactive', 'i2', 'INACTIVITY', '2026-07-05T00:00:00.000Z');

    const run = await f.run('expire', '2026-07-06T00:00:00.000Z');

    expect(run.totals.points).toBe(0);
    expect(await f.due.getSchedule('inactive', 'i2', 'INACTIVITY')).toEqual({ dueAt: '2026-11-01T00:00:00.000Z' });
  });
});

describe('pending points and expiry', () => {
  it('a lot still pending at its expiry date expires when it activates, in the same write', async () => {
    await given('pending');
    // Earned Dec 20 with 30 pending days: available Jan 19, but the fixed date (Dec 31) came first.
    await f.earn('pending', 'pe1', 60, '2026-12-20T12:00:00.000Z');
    // pending: not spendable, not expired yet
    expect((await f.run('expire', '2027-01-01T00:00:00.000Z')).totals.points).toBe(0);

    const run = await f.run('activate', '2027-01-19T12:00:00.000Z');

    expect(run.totals).toMatchObject({ changed: 1, errors: 0 });
    const { balances, violations } = await f.audit('pending', 'pe1');
    expect(violations).toEqual([]);
    expect(balances).toMatchObject({ available: 0, pending: 0 });
    expect(
      f.published('Points Activated').some((e) => (e.detail.data as { memberId: string }).memberId === 'pe1'),
    ).toBe(true);
    expect(expiredEvents('pe1')).toHaveLength(1);
  });
});
