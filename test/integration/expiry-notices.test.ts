import { afterEach, describe, expect, it } from 'vitest';
import { memberWithInsights } from '../../core/ledger/use-cases/member-view';
import { type JobsFixture, jobsFixture } from '../support/jobs';

// Points Expiring notices (default 30 and 7 days before) and the member view's upcoming expiries.

let f: JobsFixture;
afterEach(() => f?.drop());

const notices = () =>
  f
    .published('Points Expiring')
    .map(
      (e) =>
        e.detail.data as { memberId: string; daysBefore: number; points: number; expiresAt: string; noticeId: string },
    );

describe('Points Expiring', () => {
  it('goes out 30 and 7 days before each expiry, each once, with the points still there', async () => {
    f = await jobsFixture();
    await f.program('shop', { expiry: { kind: 'after-earning', months: 12 } });
    await f.earn('shop', 'n1', 80, '2026-01-31T10:00:00.000Z'); // expires 2027-01-31T10:00Z
    await f.earn('shop', 'n1', 20, '2026-01-31T10:00:00.000Z');

    await f.run('notify', '2027-01-01T09:59:59.999Z'); // 30 days + 1 ms before: nothing yet
    expect(notices()).toEqual([]);
    await f.run('notify', '2027-01-01T10:00:00.000Z');
    await f.run('notify', '2027-01-01T10:00:00.000Z');
    await f.spend('shop', 'n1', 30, '2027-01-10T00:00:00.000Z');
    await f.run('notify', '2027-01-24T10:00:00.000Z');
    await f.run('notify', '2027-01-25T10:00:00.000Z');

    expect(notices()).toEqual([
      expect.objectContaining({ memberId: 'n1', daysBefore: 30, points: 100, expiresAt: '2027-01-31T10:00:00.000Z' }),
      expect.objectContaining({ memberId: 'n1', daysBefore: 7, points: 70, expiresAt: '2027-01-31T10:00:00.000Z' }),
    ]);
  });

  it('after missed runs sends only the notice closest to the expiry', async () => {
    f = await jobsFixture();
    await f.program('shop', { expiry: { kind: 'after-earning', months: 1 } });
    await f.earn('shop', 'n2', 10, '2026-03-01T00:00:00.000Z'); // expires 2026-04-01

    await f.run('notify', '2026-03-28T00:00:00.000Z'); // the first run ever: 30 and 7 days have both passed

    expect(notices()).toEqual([expect.objectContaining({ memberId: 'n2', daysBefore: 7 })]);
  });

  it('warns before an inactivity deadline with every point that would go', async () => {
    f = await jobsFixture();
    await f.program('idle', { expiry: { kind: 'inactivity', months: 3 } });
    await f.earn('idle', 'n3', 15, '2026-01-10T00:00:00.000Z');
    await f.earn('idle', 'n3', 25, '2026-02-10T00:00:00.000Z'); // deadline 2026-05-10

    await f.run('notify', '2026-04-10T00:00:00.000Z');

    expect(notices()).toEqual([
      expect.objectContaining({
        memberId: 'n3',
        daysBefore: 30,
        points: 40,
        expiresAt: '2026-05-10T00:00:00.000Z',
        noticeId: 'inactivity#2026-05-10T00:00:00.000Z#30d',
      }),
    ]);
  });
});

describe('the member view', () => {
  it('lists every upcoming expiry with its date and points, not just the next one', async () => {
    f = await jobsFixture();
    await f.program('shop', { expiry: { kind: 'after-earning', months: 6, roundUpTo: 'month' } });
    await f.earn('shop', 'v1', 10, '2026-01-05T00:00:00.000Z');
    await f.earn('shop', 'v1', 20, '2026-01-20T00:00:00.000Z'); // same month: same expiry
    await f.earn('shop', 'v1', 30, '2026-03-03T00:00:00.000Z');
    await f.spend('shop', 'v1', 15, '2026-04-01T00:00:00.000Z');
    f.clock.set('2026-04-02T00:00:00.000Z');

    const view = await memberWithInsights('shop', 'v1', f.deps);

    expect(view.points).toEqual({ available: 45, pending: 0, lifetimeEarned: 60 });
    expect(view.upcomingExpiries).toEqual([
      { date: '2026-07-31T23:59:59.999Z', points: 15 },
      { date: '2026-09-30T23:59:59.999Z', points: 30 },
    ]);
    expect(view.tierStatus).toBeNull();
  });

  it('shows the inactivity deadline for all points earned before it', async () => {
    f = await jobsFixture();
    await f.program('idle', { expiry: { kind: 'inactivity', months: 12 } });
    await f.earn('idle', 'v2', 10, '2026-02-28T00:00:00.000Z'); // + 12 months: 2027-02-28

    const view = await memberWithInsights('idle', 'v2', f.deps);

    expect(view.upcomingExpiries).toEqual([{ date: '2027-02-28T00:00:00.000Z', points: 10 }]);
  });
});
