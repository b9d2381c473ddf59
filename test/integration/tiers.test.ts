import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { memberWithInsights } from '../../core/ledger/use-cases/member-view';
import { TierSetInput, type TierSetInputType } from '../../core/tiers/schemas';
import { deleteTierSet, putTierSet } from '../../core/tiers/use-cases/manage-tiers';
import { apiEvent, lambdaContext, problemOf } from '../support/events';
import { type JobsFixture, jobsFixture } from '../support/jobs';

// Tiers against DynamoDB Local: the admin API, immediate upgrades, reviews under the grace policy
// (core/tiers/domain/tiers.ts), downgrade warnings, and the member view.

const Q_END = { q1: '2026-03-31T23:59:59.999Z', q2: '2026-06-30T23:59:59.999Z', q3: '2026-09-30T23:59:59.999Z' };

const tierSet = (dropMode: 'one-tier' | 'to-qualifying' = 'one-tier'): TierSetInputType => ({
  metric: 'points',
  window: { kind: 'calendar', period: 'quarter' },
  review: { graceUntilEndOfNextPeriod: true, dropMode },
  tiers: [
    { id: 'base', name: 'Base', threshold: 0 },
    { id: 'silver', name: 'Silver', threshold: 100, multiplier: 1.25 },
    { id: 'gold', name: 'Gold', threshold: 500, multiplier: 1.5, attributes: { freeShipping: true } },
  ],
});

const changes = (f: JobsFixture, memberId: string) =>
  f
    .published('Tier Changed')
    .map((e) => e.detail.data as { memberId: string; from: string | null; to: string; direction: string })
    .filter((d) => d.memberId === memberId);

describe('the tiers admin API', () => {
  let f: JobsFixture;
  let admin: typeof import('../../functions/program-admin-api').handler;
  const call = (method: string, resource: string, body?: unknown, scopes = 'admin') =>
    admin(apiEvent({ method, resource, body, programId: 'shop', scopes }), lambdaContext);

  beforeAll(async () => {
    f = await jobsFixture();
    process.env.TABLE_NAME = f.tableName;
    process.env.DYNAMODB_ENDPOINT = f.endpoint;
    admin = (await import('../../functions/program-admin-api')).handler;
    await f.program('shop');
  });
  afterAll(() => f.drop());

  it('answers 404 while the program has no tier set', async () => {
    const res = await call('GET', '/v1/admin/tiers');
    expect(res.statusCode).toBe(404);
    expect(problemOf(res)).toMatchObject({ type: 'https://loyalty.dev/problems/tiers-not-configured' });
  });

  it('rejects a tier set that is not ordered, naming every failing field', async () => {
    const res = await call('PUT', '/v1/admin/tiers', {
      metric: 'spend',
      window: { kind: 'rolling', months: 40 },
      tiers: [
        { id: 'a', name: 'A', threshold: 10 },
        { id: 'b', name: 'B', threshold: 5, multiplier: 1.234 },
      ],
    });
    expect(res.statusCode).toBe(400);
    const fields = problemOf(res).errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(['window.months', 'tiers.1.multiplier', 'tiers.0.threshold', 'tiers.1.threshold']),
    );
  });

  it('stores a valid tier set with its defaults, shows it, and is admin only', async () => {
    const put = await call('PUT', '/v1/admin/tiers', tierSet());
    expect(put.statusCode).toBe(200);
    expect(JSON.parse(put.body).tierSet.tiers[0]).toEqual({
      id: 'base',
      name: 'Base',
      threshold: 0,
      multiplier: 1,
      attributes: {},
    });
    expect(JSON.parse((await call('GET', '/v1/admin/tiers')).body).tierSet.window).toEqual({
      kind: 'calendar',
      period: 'quarter',
    });
    expect((await call('GET', '/v1/admin/tiers', undefined, 'members:read')).statusCode).toBe(403);
  });

  it('sets the expiry policy and program settings, validating each', async () => {
    expect((await call('PUT', '/v1/admin/expiry-policy', { kind: 'fixed-date', month: 2, day: 30 })).statusCode).toBe(
      400,
    );
    const put = await call('PUT', '/v1/admin/expiry-policy', {
      kind: 'after-earning',
      months: 12,
      roundUpTo: 'quarter',
    });
    expect(JSON.parse(put.body)).toEqual({ expiryPolicy: { kind: 'after-earning', months: 12, roundUpTo: 'quarter' } });
    expect((await call('PATCH', '/v1/admin/program', { timeZone: 'Mars/Olympus' })).statusCode).toBe(400);
    expect((await call('PATCH', '/v1/admin/program', { pointsPerUnit: 1.5 })).statusCode).toBe(400);
    const patched = await call('PATCH', '/v1/admin/program', {
      timeZone: 'Europe/Paris',
      pendingDays: 14,
      pointsPerUnit: 2,
    });
    expect(JSON.parse(patched.body)).toMatchObject({
      programId: 'shop',
      timeZone: 'Europe/Paris',
      pendingDays: 14,
      pointsPerUnit: 2,
      expiryPolicy: { kind: 'after-earning' },
    });
  });

  it('DELETE turns tiers off', async () => {
    expect((await call('DELETE', '/v1/admin/tiers')).statusCode).toBe(204);
    expect((await call('GET', '/v1/admin/tiers')).statusCode).toBe(404);
  });
});

describe('upgrades, reviews and warnings', () => {
  let f: JobsFixture;
  afterEach(() => f?.drop());

  async function goldInJanuary(dropMode: 'one-tier' | 'to-qualifying' = 'one-tier') {
    f = await jobsFixture();
    await f.program('club', { tiers: tierSet(dropMode) });
    await f.earn('club', 'ann', 600, '2026-01-15T10:00:00.000Z');
  }

  it(
    'an earn that crosses a threshold upgrades at once and schedules the review at the end of the ' + 'period',
    async () => {
      await goldInJanuary();
      await f.events.drain(); // the upgrade is announced by the earn's transaction, on the stream
      expect(changes(f, 'ann')).toEqual([expect.objectContaining({ from: null, to: 'gold', direction: 'up' })]);
      expect(await f.due.getSchedule('club', 'ann', 'REVIEW')).toEqual({ dueAt: Q_END.q1 });
    },
  );

  it(
    'keeps a tier obtained during the reviewed period until the end of the next one (grace), then drops one tier ' +
      'at a time',
    async () => {
      await goldInJanuary();

      const q1 = await f.run('review', Q_END.q1);
      expect(q1.totals).toMatchObject({ members: 1, changed: 0 });
      expect(await f.due.getSchedule('club', 'ann', 'REVIEW')).toEqual({ dueAt: Q_END.q2 });

      await f.earn('club', 'ann', 150, '2026-06-20T10:00:00.000Z'); // Q2: 150 x 1.5 = 225 points, not 500
      const q2 = await f.run('review', Q_END.q2);
      expect(q2.totals.changed).toBe(1);
      expect(changes(f, 'ann').at(-1)).toMatchObject({ from: 'gold', to: 'silver', direction: 'down' });
      expect((await f.audit('club', 'ann')).profile).toMatchObject({ tier: 'silver', tierAchievedAt: Q_END.q2 });

      // A tier set by a review must be re-qualified in the next period: Q3 has nothing.
      await f.run('review', Q_END.q3);
      expect(changes(f, 'ann').at(-1)).toMatchObject({ from: 'silver', to: 'base', direction: 'down' });
      expect(await f.due.getSchedule('club', 'ann', 'REVIEW')).toBeNull(); // nothing left to lose
    },
  );

  it(
    'while tiers are off members keep their tier and stay scheduled; turned back on, they are reviewed ' + 'again',
    async () => {
      await goldInJanuary();
      await deleteTierSet('club', f.deps);
      await f.run('review', Q_END.q1);
      const moved = (await f.due.getSchedule('club', 'ann', 'REVIEW'))!.dueAt!;
      expect(moved > Q_END.q1).toBe(true); // not forgotten
      expect((await f.audit('club', 'ann')).profile).toMatchObject({ tier: 'gold' });
      await putTierSet('club', TierSetInput.parse(tierSet('one-tier')), f.deps);
      await f.run('review', moved); // Q1 is where gold was obtained: grace keeps it until the end of Q2
      expect(await f.due.getSchedule('club', 'ann', 'REVIEW')).toEqual({ dueAt: Q_END.q2 });
      await f.run('review', Q_END.q2);
      expect(changes(f, 'ann').at(-1)).toMatchObject({ from: 'gold', to: 'silver', direction: 'down' });
    },
  );

  it('drops straight to the qualifying tier under dropMode to-qualifying', async () => {
    await goldInJanuary('to-qualifying');
    await f.run('review', Q_END.q1);
    await f.run('review', Q_END.q2);
    expect(changes(f, 'ann').at(-1)).toMatchObject({ from: 'gold', to: 'base', direction: 'down' });
  });

  it('a review run twice, or late, changes the tier once', async () => {
    await goldInJanuary();
    await f.run('review', Q_END.q1);
    await f.run('review', Q_END.q1);
    expect(changes(f, 'ann')).toHaveLength(1); // the upgrade only

    await f.run('review', Q_END.q2, { wall: '2026-07-03T00:00:00.000Z' });
    await f.run('review', '2026-07-03T00:00:00.000Z');
    expect(changes(f, 'ann').filter((c) => c.direction === 'down')).toHaveLength(1);
  });

  it('warns N days before a review the member would not pass, with what is still needed, once', async () => {
    await goldInJanuary();
    await f.run('review', Q_END.q1);
    await f.earn('club', 'ann', 100, '2026-05-02T10:00:00.000Z'); // 150 points in Q2

    const asOf = '2026-06-16T23:59:59.999Z'; // 14 days before the end of Q2
    const first = await f.run('notify', asOf);
    const again = await f.run('notify', asOf);

    const warnings = f.published('Tier Downgrade Warning');
    expect(first.totals.changed).toBe(1);
    expect(again.totals.changed).toBe(0);
    expect(warnings.map((w) => w.detail.data)).toEqual([
      expect.objectContaining({
        memberId: 'ann',
        tierId: 'gold',
        wouldDropTo: 'silver',
        reviewAt: Q_END.q2,
        daysBefore: 14,
        qualifyingValue: 150,
        needed: 350,
      }),
    ]);
  });

  it('the member view shows the tier, progress to the next one and what keeping it takes', async () => {
    f = await jobsFixture();
    await f.program('club', { tiers: tierSet() });
    await f.earn('club', 'bo', 120, '2026-02-01T10:00:00.000Z');
    f.clock.set('2026-02-10T00:00:00.000Z');

    const view = await memberWithInsights('club', 'bo', f.deps);

    expect(view.tier).toBe('silver');
    expect(view.tierStatus).toEqual({
      tier: { id: 'silver', name: 'Silver', multiplier: 1.25, attributes: {} },
      metric: 'points',
      qualifyingValue: 120,
      window: { start: '2026-01-01T00:00:00.000Z', end: Q_END.q1 },
      nextTier: { id: 'gold', name: 'Gold', threshold: 500, needed: 380 },
      keep: { needed: 0, secured: true, reviewAt: Q_END.q1 },
    });
  });
});
