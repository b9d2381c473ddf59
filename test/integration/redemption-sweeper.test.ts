// The sweeper end to end: sagas crashed mid-way in the synthesized redemption state machines (the
// harness fails their tasks), then the sweep job run through the synthesized jobs state machine
// with the real job-worker on DynamoDB Local, as of instants after the redemptions' deadlines.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runJob } from '../../core/jobs/use-cases/run-job';
import { RedemptionNotAwaitingFulfilment } from '../../core/rewards/errors';
import { checkCoupon, recordFulfilment, requestRedemption } from '../../core/rewards/use-cases/redemptions';
import { type SagaHarness, sagaHarness } from '../support/redemptions';

let h: SagaHarness;
const P = 'sweep';
const MIN = 60_000;
const days = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();
const later = (instant: string, ms: number) => new Date(Date.parse(instant) + ms).toISOString();
let seq = 0;
const key = () => `key-${Date.now()}-${seq++}`;

/**
 * The named tasks fail on every attempt, as a Lambda that keeps crashing does (errorType -> Error):
 * `before` their handler runs, or `after` it committed.
 */
function crash(states: { before?: string[]; after?: string[] }) {
  h.intercept(async ({ state }, invoke) => {
    const when = states.before?.includes(state) ? 'before' : states.after?.includes(state) ? 'after' : null;
    if (!when) return invoke();
    if (when === 'after') await invoke();
    const e = new Error(JSON.stringify({ errorType: 'Lambda.ServiceException', errorMessage: 'crashed' }));
    e.name = 'Lambda.ServiceException';
    throw e;
  });
}

/** What a redemption may hold of a member's: balances, lots, limit counters (0 counts as absent), stock. */
async function footprint(memberId: string, rewardId: string) {
  const l = await h.ledger(P, memberId, rewardId);
  return {
    balances: l.balances,
    lots: l.lots,
    usage: Object.fromEntries(Object.entries(l.usage).filter(([, v]) => v !== 0)),
    stock: l.stock,
    violations: l.violations,
  };
}

const record = (memberId: string, redemptionId: string) =>
  h.deps.redemptions.getMemberRedemption(P, memberId, redemptionId).then((r) => r!);
const execution = (redemptionId: string) => h.sfn.executions().find((e) => e.name === redemptionId)!;
const movements = async (memberId: string) => {
  const txs = (await h.ledger(P, memberId)).transactions;
  return {
    redeemed: txs.filter((t) => t.type === 'redeem').map((t) => t.points),
    refunded: txs.filter((t) => t.type === 'refund').map((t) => t.points),
  };
};
const failedEvents = async (redemptionId: string) => {
  await h.drain();
  return h.events.filter((e) => e.detailType === 'Redemption Failed' && e.detail.data.redemptionId === redemptionId);
};

/**
 * A member whose coupon redemption crashed mid-saga: points, stock and limit count reserved by the
 * request, then the Lambda kept crashing before it could issue the code, its compensation too. The
 * execution failed; the redemption is still `pending`.
 */
async function stuck(memberId: string) {
  await h.member(P, memberId, [
    { points: 70, expiresAt: days(5) },
    { points: 90, expiresAt: days(60) },
  ]);
  const before = await footprint(memberId, 'coupon');
  const idempotencyKey = key();
  crash({ before: ['Issue', 'Compensate'] });
  const { redemption } = await requestRedemption(
    P,
    memberId,
    { rewardId: 'coupon', quantity: 1 },
    idempotencyKey,
    'c',
    h.deps,
  );
  h.intercept(undefined);
  return { redemption, before, idempotencyKey };
}

beforeAll(async () => {
  h = await sagaHarness();
  await h.program(P);
  await h.reward(P, {
    rewardId: 'coupon',
    name: '$5 off',
    type: 'coupon-fixed',
    details: { discount: { amount: 500, currency: 'USD' } },
    cost: { points: 100 },
    stock: { total: 50 },
    limit: { count: 5, period: 'month' },
  });
  await h.reward(P, {
    rewardId: 'tote',
    name: 'Tote bag',
    type: 'free-product',
    details: { sku: 'TOTE' },
    cost: { points: 80 },
    stock: { total: 10 },
  });
}, 120_000);
afterAll(() => h?.stop());
beforeEach(() => h.intercept(undefined));

describe('an instant redemption whose saga crashed', () => {
  it('stays pending, holding its points, its stock and its limit count', async () => {
    const { redemption, before } = await stuck('held');

    expect(redemption.status).toBe('pending');
    expect(redemption.code).toBeUndefined();
    expect(execution(redemption.redemptionId).status).toBe('FAILED');
    const held = await footprint('held', 'coupon');
    expect(held.balances.available).toBe(before.balances.available - 100);
    expect(held.stock).toBe(before.stock! - 1);
    expect(Object.values(held.usage)).toEqual([1]);
    expect(held.violations).toEqual([]);
    await h.sweep(later(redemption.createdAt, 11 * MIN)); // leaves nothing for the tests below
  });

  it('is given back by the sweeper once its deadline has passed: points, stock and limit count, exactly', async () => {
    const { redemption, before } = await stuck('crashed');

    const early = await h.sweep(later(redemption.createdAt, 9 * MIN));
    expect(early.totals).toMatchObject({ entries: 0, changed: 0 });
    expect((await record('crashed', redemption.redemptionId)).status).toBe('pending');

    const run = await h.sweep(later(redemption.createdAt, 11 * MIN));

    expect(run.totals).toMatchObject({ entries: 1, changed: 1, points: 100, errors: 0 });
    expect(await footprint('crashed', 'coupon')).toEqual(before);
    expect(await movements('crashed')).toEqual({ redeemed: [-100], refunded: [100] });
    const swept = await record('crashed', redemption.redemptionId);
    expect(swept).toMatchObject({
      status: 'failed',
      failure: { reason: 'abandoned', message: expect.stringContaining('Still pending 10 minutes') },
      release: { points: 100 },
      stockReleased: 1,
    });
    expect(swept.sweepAt).toBeUndefined();
    expect(swept.code).toBeUndefined();
    expect((await failedEvents(redemption.redemptionId)).map((e) => e.detail.data)).toEqual([
      expect.objectContaining({ reason: 'abandoned', pointsReturned: 100, stockReturned: 1 }),
    ]);
  });

  it('is swept once: a rerun finds nothing left in the index and changes nothing', async () => {
    const { redemption, before } = await stuck('rerun');
    await h.sweep(later(redemption.createdAt, 11 * MIN));

    const rerun = await h.sweep(later(redemption.createdAt, 12 * MIN));

    expect(rerun.totals).toMatchObject({ entries: 0, changed: 0 });
    expect(await footprint('rerun', 'coupon')).toEqual(before);
    expect(await movements('rerun')).toEqual({ redeemed: [-100], refunded: [100] });
    expect(await failedEvents(redemption.redemptionId)).toHaveLength(1);
  });

  it('is swept once by concurrent runs: each stuck redemption given back exactly once', async () => {
    const members = ['race-a', 'race-b', 'race-c'];
    const crashed = [];
    for (const m of members) crashed.push(await stuck(m));
    const asOf = later(crashed.at(-1)!.redemption.createdAt, 11 * MIN);

    const runs = await Promise.all([h.sweep(asOf), h.sweep(asOf), h.sweep(asOf)]);

    expect(runs.reduce((n, r) => n + r.totals.changed, 0)).toBe(3);
    expect(runs.reduce((n, r) => n + r.totals.errors, 0)).toBe(0);
    for (const [i, m] of members.entries()) {
      const { redemption, before } = crashed[i]!;
      expect({ ...(await footprint(m, 'coupon')), stock: null }).toEqual({ ...before, stock: null });
      expect(await movements(m)).toEqual({ redeemed: [-100], refunded: [100] });
      expect((await record(m, redemption.redemptionId)).failure?.reason).toBe('abandoned');
      expect(await failedEvents(redemption.redemptionId)).toHaveLength(1);
    }
    // The stock is the reward's: all three units are back.
    expect((await footprint('race-a', 'coupon')).stock).toBe(crashed[0]!.before.stock);
  });

  it('replayed with its Idempotency-Key after the sweep, answers with the failed redemption', async () => {
    const { redemption, before, idempotencyKey } = await stuck('replayer');
    await h.sweep(later(redemption.createdAt, 11 * MIN));

    const replay = await requestRedemption(
      P,
      'replayer',
      { rewardId: 'coupon', quantity: 1 },
      idempotencyKey,
      'c',
      h.deps,
    );

    expect(replay.replayed).toBe(true);
    expect(replay.redemption).toMatchObject({
      redemptionId: redemption.redemptionId,
      status: 'failed',
      failure: { reason: 'abandoned' },
      pointsReturned: 100,
    });
    expect(h.sfn.executions().filter((e) => e.name === redemption.redemptionId)).toHaveLength(1);
    expect(await footprint('replayer', 'coupon')).toEqual(before);
    expect(await movements('replayer')).toEqual({ redeemed: [-100], refunded: [100] });
  });

  it('retried by its client before the deadline, resumes and completes; the sweeper then leaves it', async () => {
    const { redemption, idempotencyKey } = await stuck('patient');

    const resumed = await requestRedemption(
      P,
      'patient',
      { rewardId: 'coupon', quantity: 1 },
      idempotencyKey,
      'c',
      h.deps,
    );
    const run = await h.sweep(later(redemption.createdAt, 11 * MIN));

    expect(resumed.redemption).toMatchObject({ redemptionId: redemption.redemptionId, status: 'completed' });
    expect(run.totals.changed).toBe(0);
    expect((await record('patient', redemption.redemptionId)).status).toBe('completed');
    await expect(checkCoupon(P, resumed.redemption.code!, h.deps)).resolves.toMatchObject({ valid: true });
    expect(await movements('patient')).toEqual({ redeemed: [-100], refunded: [] });
  });
});

describe('redemptions that end normally', () => {
  it('are never swept: they leave the due index when they complete', async () => {
    await h.member(P, 'happy', [{ points: 300 }]);
    const { redemption } = await requestRedemption(P, 'happy', { rewardId: 'coupon', quantity: 1 }, key(), 'c', h.deps);
    const item = (await h.table.scanAll()).find(
      (i) => i.entity === 'redemption' && i.redemptionId === redemption.redemptionId,
    )!;
    const before = await footprint('happy', 'coupon');

    const run = await h.sweep(later(redemption.createdAt, 2 * 60 * MIN));

    expect(redemption.status).toBe('completed');
    expect(item).not.toHaveProperty('gsi1pk');
    expect(item).not.toHaveProperty('sweepAt');
    expect(run.totals.changed).toBe(0);
    expect(await footprint('happy', 'coupon')).toEqual(before);
    expect((await record('happy', redemption.redemptionId)).status).toBe('completed');
  });
});

describe('partner redemptions', () => {
  const waiting = async (memberId: string, redemptionId: string) => {
    const end = Date.now() + 10_000;
    for (;;) {
      const r = await record(memberId, redemptionId);
      if (r.status === 'awaiting-fulfilment' || Date.now() > end) return r;
      await new Promise((res) => setTimeout(res, 20));
    }
  };

  it('one stuck before the partner wait is abandoned after an hour, not after ten minutes', async () => {
    const m = 'partner-stuck';
    await h.member(P, m, [{ points: 100, expiresAt: days(4) }]);
    const before = await footprint(m, 'tote');
    crash({ before: ['AwaitFulfilment', 'Compensate'] });
    const { redemption } = await requestRedemption(P, m, { rewardId: 'tote', quantity: 1 }, key(), 'c', h.deps);
    expect((await h.sfn.waitForExecution(execution(redemption.redemptionId).executionArn)).status).toBe('FAILED');
    h.intercept(undefined);

    await h.sweep(later(redemption.createdAt, 11 * MIN));
    const early = await record(m, redemption.redemptionId);
    await h.sweep(later(redemption.createdAt, 61 * MIN));

    expect(early.status).toBe('pending');
    expect(await record(m, redemption.redemptionId)).toMatchObject({
      status: 'failed',
      failure: { reason: 'abandoned', message: expect.stringContaining('Still pending 60 minutes') },
    });
    expect(await footprint(m, 'tote')).toEqual(before);
  });

  it(
    'one still waiting after its execution ended without closing it is timed out a day after the execution ' +
      'limit: points and stock back',
    async () => {
      const m = 'partner-orphan';
      await h.member(P, m, [{ points: 100, expiresAt: days(9) }]);
      const before = await footprint(m, 'tote');
      const { redemption } = await requestRedemption(P, m, { rewardId: 'tote', quantity: 1 }, key(), 'c', h.deps);
      const wait = await waiting(m, redemption.redemptionId);
      // The wait times out and its compensation keeps crashing: the execution fails, the redemption still waits.
      crash({ before: ['Compensate'] });
      h.sfn.sendTaskFailure(wait.taskToken!, 'States.Timeout', 'Task timed out');
      expect((await h.sfn.waitForExecution(execution(redemption.redemptionId).executionArn)).status).toBe('FAILED');
      h.intercept(undefined);

      await h.sweep(later(redemption.createdAt, 2 * 60 * MIN));
      const early = await record(m, redemption.redemptionId);
      const run = await h.sweep(wait.sweepAt!);

      expect(early.status).toBe('awaiting-fulfilment');
      expect(run.totals.errors).toBe(0);
      expect(await record(m, redemption.redemptionId)).toMatchObject({
        status: 'failed',
        failure: { reason: 'fulfilment-timed-out' },
        release: { points: 80 },
      });
      expect(await footprint(m, 'tote')).toEqual(before);
      expect(await failedEvents(redemption.redemptionId)).toHaveLength(1);
    },
  );

  it('one the partner confirmed after its execution had ended is completed by the sweeper', async () => {
    const m = 'partner-late';
    await h.member(P, m, [{ points: 100 }]);
    const { redemption } = await requestRedemption(P, m, { rewardId: 'tote', quantity: 1 }, key(), 'c', h.deps);
    const wait = await waiting(m, redemption.redemptionId);
    crash({ before: ['Compensate'] });
    h.sfn.sendTaskFailure(wait.taskToken!, 'States.Timeout', 'Task timed out');
    await h.sfn.waitForExecution(execution(redemption.redemptionId).executionArn);
    h.intercept(undefined);
    // The confirmation is recorded, but no execution waits for it any more.
    await expect(
      recordFulfilment(P, redemption.redemptionId, { outcome: 'fulfilled', reference: 'UPS-9', note: null }, h.deps),
    ).rejects.toBeInstanceOf(RedemptionNotAwaitingFulfilment);
    const held = await footprint(m, 'tote');

    await h.sweep(wait.sweepAt!);

    expect(await record(m, redemption.redemptionId)).toMatchObject({
      status: 'completed',
      fulfilment: { reference: 'UPS-9' },
    });
    expect(await footprint(m, 'tote')).toEqual(held);
    await h.drain();
    expect(
      h.events.filter(
        (e) => e.detailType === 'Reward Redeemed' && e.detail.data.redemptionId === redemption.redemptionId,
      ),
    ).toHaveLength(1);
  });
});

describe('the sweep job', () => {
  it('counts what it closes (RedemptionsSwept); a dry run says what it would do and writes nothing', async () => {
    const { redemption, before } = await stuck('counted');
    const counts: Record<string, number> = {};
    const metrics = {
      count: (name: string, n = 1) => {
        counts[name] = (counts[name] ?? 0) + n;
      },
    };
    const asOf = later(redemption.createdAt, 11 * MIN);
    const input = { job: 'sweep' as const, asOf, allowFuture: true, settings: { firstRunLookbackDays: 0 } };

    // The jobs' publisher serves only the outbox job: the sweep's events come from the stream.
    const events = { publish: async () => {} };
    const dry = await runJob({ ...input, dryRun: true }, { ...h.deps, events, metrics });
    const held = await record('counted', redemption.redemptionId);
    const real = await runJob(input, { ...h.deps, events, metrics });

    expect(dry.totals).toMatchObject({ changed: 1, points: 100 });
    expect(held.status).toBe('pending');
    expect(real.totals).toMatchObject({ changed: 1, points: 100 });
    expect(counts).toMatchObject({ RedemptionsSwept: 1, RedemptionsFailed: 1 });
    expect(await footprint('counted', 'coupon')).toEqual(before);
  });
});
