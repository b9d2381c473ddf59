// The redemption saga end to end: the state machines CDK synthesizes, run by
// aws-local-stepfunctions with the real step function on DynamoDB Local, started by the use case
// through @aws-sdk/client-sfn. Failures are injected at every task; the ledger and the stock must
// come back exactly.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IdempotencyConflict } from '../../core/kernel/errors';
import {
  CancellationWindowClosed,
  CouponUsed,
  CouponVoid,
  InsufficientPoints,
  OutOfStock,
  RedemptionLimitReached,
} from '../../core/rewards/errors';
import {
  cancelRedemption,
  checkCoupon,
  getRedemption,
  recordFulfilment,
  requestRedemption,
  useCoupon,
} from '../../core/rewards/use-cases/redemptions';
import { type SagaHarness, sagaHarness } from '../support/redemptions';

let h: SagaHarness;
const P = 'saga';
const days = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();
let seq = 0;
const key = () => `key-${Date.now()}-${seq++}`;

/** A failure as Lambda reports it to Step Functions (errorType -> Error). */
function lambdaFailure(errorType: string, message = 'injected failure'): Error {
  const e = new Error(JSON.stringify({ errorType, errorMessage: message }));
  e.name = errorType;
  return e;
}

type Fault = { state: string; when: 'before' | 'after'; error: string; times: number };
/** Fails the named task before its handler runs, or after it committed, `times` times. */
function inject(...faults: Fault[]) {
  h.intercept(async ({ state }, invoke) => {
    const f = faults.find((x) => x.state === state && x.times > 0);
    if (!f) return invoke();
    f.times--;
    if (f.when === 'after') await invoke();
    throw lambdaFailure(f.error);
  });
}

/** The parts of the ledger a redemption touches, as a comparable value (counters at 0 count as absent). */
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

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  h = await sagaHarness();
  await h.program(P);
  await h.reward(P, {
    rewardId: 'coupon',
    name: '$5 off',
    category: 'coffee',
    type: 'coupon-fixed',
    details: { discount: { amount: 500, currency: 'USD' } },
    cost: { points: 100 },
    stock: { total: 50 },
    limit: { count: 5, period: 'month' },
  });
  await h.reward(P, {
    rewardId: 'unstocked',
    name: '10% off',
    type: 'coupon-percent',
    details: { percent: 10 },
    cost: { points: 100 },
    maxQuantity: 50,
  });
  await h.reward(P, {
    rewardId: 'tote',
    name: 'Tote bag',
    type: 'free-product',
    details: { sku: 'TOTE' },
    cost: { points: 80 },
    stock: { total: 10 },
  });
  await h.reward(P, {
    rewardId: 'tree',
    name: 'Plant a tree',
    type: 'donation',
    details: { cause: { causeId: 'trees', name: 'Trees' }, amount: { amount: 100, currency: 'USD' } },
    cost: { points: 20 },
    maxQuantity: 5,
  });
}, 120_000);
afterAll(() => h?.stop());
beforeEach(() => h.intercept(undefined));

describe('instant redemption (Express state machine, run synchronously)', () => {
  it('runs the synthesized definition through every task handler and issues a code', async () => {
    await h.member(P, 'happy', [{ points: 150, expiresAt: days(30) }]);

    const { redemption } = await requestRedemption(
      P,
      'happy',
      { rewardId: 'coupon', quantity: 1 },
      key(),
      'corr-1',
      h.deps,
    );

    expect(redemption).toMatchObject({ status: 'completed', points: 100, pointsReturned: 0 });
    expect(redemption.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    const run = h.sfn.executions().find((e) => e.name === redemption.redemptionId)!;
    expect(run.status).toBe('SUCCEEDED');
    // The handlers really ran (a broken task runtime would be caught and compensated, not succeed).
    // The request reserved the points and the stock: the reserve steps found them held; Issue completed it.
    expect(run.tasks).toEqual([
      { state: 'ReservePoints', attempt: 1, outcome: 'succeeded' },
      { state: 'ReserveStock', attempt: 1, outcome: 'succeeded' },
      { state: 'Issue', attempt: 1, outcome: 'succeeded' },
    ]);
    const after = await h.ledger(P, 'happy', 'coupon');
    expect(after.balances.available).toBe(50);
    expect(after.violations).toEqual([]);
    expect(after.transactions.filter((t) => t.type === 'redeem').map((t) => t.points)).toEqual([-100]);
    expect(await checkCoupon(P, redemption.code!, h.deps)).toMatchObject({
      status: 'issued',
      valid: true,
      rewardId: 'coupon',
      memberId: 'happy',
    });
    await h.drain();
    expect(h.events.filter((e) => e.detailType === 'Reward Redeemed').map((e) => e.detail.data.redemptionId)).toContain(
      redemption.redemptionId,
    );
  });
});

describe('failure injected at every task: the ledger and the stock come back exactly', () => {
  const forward = ['ReservePoints', 'ReserveStock', 'Issue'];

  it.each(forward)('%s fails before running, every retry: compensated, nothing lost or held', async (state) => {
    const m = `before-${state}`;
    await h.member(P, m, [
      { points: 70, expiresAt: days(5) },
      { points: 90, expiresAt: days(60) },
    ]);
    const before = await footprint(m, 'coupon');
    inject({ state, when: 'before', error: 'Lambda.ServiceException', times: 99 });

    const { redemption } = await requestRedemption(P, m, { rewardId: 'coupon', quantity: 1 }, key(), 'c', h.deps);

    expect(redemption).toMatchObject({ status: 'failed', failure: { reason: 'internal-error' } });
    const run = h.sfn.executions().find((e) => e.name === redemption.redemptionId)!;
    expect(run.tasks.filter((t) => t.state === state)).toHaveLength(4); // 1 + 3 retries (Retry MaxAttempts 3)
    expect(run.tasks.at(-1)).toEqual({ state: 'Compensate', attempt: 1, outcome: 'succeeded' });
    expect(await footprint(m, 'coupon')).toEqual(before);
  });

  it.each(forward.slice(0, 2))(
    '%s commits then keeps failing: the compensation undoes what the request reserved',
    async (state) => {
      const m = `after-${state}`;
      await h.member(P, m, [
        { points: 70, expiresAt: days(5) },
        { points: 90, expiresAt: days(60) },
      ]);
      const before = await footprint(m, 'coupon');
      inject({ state, when: 'after', error: 'Lambda.Unknown', times: 99 });

      const { redemption } = await requestRedemption(P, m, { rewardId: 'coupon', quantity: 1 }, key(), 'c', h.deps);

      expect(redemption).toMatchObject({ status: 'failed', failure: { reason: 'internal-error' } });
      expect(redemption.pointsReturned).toBe(100);
      expect(await footprint(m, 'coupon')).toEqual(before);
      const l = await h.ledger(P, m);
      expect(l.transactions.filter((t) => t.type === 'redeem').map((t) => t.points)).toEqual([-100]);
      expect(l.transactions.filter((t) => t.type === 'refund').map((t) => t.points)).toEqual([100]);
      await h.drain();
      expect(
        h.events.find(
          (e) => e.detailType === 'Redemption Failed' && e.detail.data.redemptionId === redemption.redemptionId,
        )?.detail.data,
      ).toMatchObject({
        reason: 'internal-error',
        pointsReturned: 100,
        stockReturned: 1,
      });
    },
  );

  it(
    'Issue commits (code and completion in one write) then keeps failing: the redemption stands (the member has ' +
      'the code), nothing is refunded',
    async () => {
      const m = 'after-Issue';
      await h.member(P, m, [{ points: 160 }]);
      inject({ state: 'Issue', when: 'after', error: 'Lambda.Unknown', times: 99 });

      const { redemption } = await requestRedemption(P, m, { rewardId: 'coupon', quantity: 1 }, key(), 'c', h.deps);

      expect(redemption).toMatchObject({ status: 'completed', pointsReturned: 0 });
      expect(await checkCoupon(P, redemption.code!, h.deps)).toMatchObject({ status: 'issued', valid: true });
      const l = await h.ledger(P, m);
      expect(l.balances.available).toBe(60);
      expect(l.transactions.filter((t) => t.type === 'refund')).toEqual([]);
      expect(l.violations).toEqual([]);
      await h.drain();
      expect(
        h.events.filter(
          (e) => e.detailType === 'Reward Redeemed' && e.detail.data.redemptionId === redemption.redemptionId,
        ),
      ).toHaveLength(1);
    },
  );

  it.each(forward)(
    '%s crashes once after committing and is retried: it does not reserve, issue or confirm twice',
    async (state) => {
      const m = `retry-${state}`;
      await h.member(P, m, [{ points: 160 }]);
      const stockBefore = (await footprint(m, 'coupon')).stock!;
      inject({ state, when: 'after', error: 'Lambda.ServiceException', times: 1 });

      const { redemption } = await requestRedemption(P, m, { rewardId: 'coupon', quantity: 1 }, key(), 'c', h.deps);

      expect(redemption.status).toBe('completed');
      const run = h.sfn.executions().find((e) => e.name === redemption.redemptionId)!;
      expect(run.tasks.filter((t) => t.state === state).map((t) => t.outcome)).toEqual(['failed', 'succeeded']);
      const l = await h.ledger(P, m, 'coupon');
      expect(l.balances.available).toBe(60);
      expect(l.transactions.filter((t) => t.type === 'redeem')).toHaveLength(1);
      expect(l.stock).toBe(stockBefore - 1);
      expect(Object.values(l.usage)).toEqual([1]);
      const coupons = (await h.table.scanAll()).filter(
        (i) => i.entity === 'coupon' && i.redemptionId === redemption.redemptionId,
      );
      expect(coupons).toHaveLength(1);
      expect(coupons[0]!.code).toBe(redemption.code);
      await h.drain();
      expect(
        h.events.filter(
          (e) => e.detailType === 'Reward Redeemed' && e.detail.data.redemptionId === redemption.redemptionId,
        ),
      ).toHaveLength(1);
    },
  );

  it('a throttled task is retried with backoff and the redemption completes', async () => {
    await h.member(P, 'throttled', [{ points: 100 }]);
    inject({ state: 'ReservePoints', when: 'before', error: 'Lambda.TooManyRequestsException', times: 2 });

    const { redemption } = await requestRedemption(
      P,
      'throttled',
      { rewardId: 'unstocked', quantity: 1 },
      key(),
      'c',
      h.deps,
    );

    expect(redemption.status).toBe('completed');
    const run = h.sfn.executions().find((e) => e.name === redemption.redemptionId)!;
    expect(run.tasks.filter((t) => t.state === 'ReservePoints').map((t) => t.outcome)).toEqual([
      'failed',
      'failed',
      'succeeded',
    ]);
    expect((await h.ledger(P, 'throttled')).balances.available).toBe(0);
  });

  it('points spent by another request between the read and the write: refused, nothing written', async () => {
    await h.member(P, 'refused', [{ points: 100 }]);
    // Between this request's read of the lots and its write, another redemption spends the 100 points.
    let fired = false;
    const racing = {
      ...h.deps,
      ledger: {
        ...h.deps.ledger,
        async listLots(programId: string, memberId: string) {
          const lots = await h.deps.ledger.listLots(programId, memberId);
          if (!fired) {
            fired = true;
            const other = await requestRedemption(
              P,
              'refused',
              { rewardId: 'unstocked', quantity: 1 },
              key(),
              'c',
              h.deps,
            );
            expect(other.redemption.status).toBe('completed');
          }
          return lots;
        },
      },
    };
    const runs = h.sfn.executions().length;

    await expect(
      requestRedemption(P, 'refused', { rewardId: 'unstocked', quantity: 1 }, key(), 'c', racing),
    ).rejects.toBeInstanceOf(InsufficientPoints);

    expect(h.sfn.executions()).toHaveLength(runs + 1); // the other request's only
    const l = await h.ledger(P, 'refused');
    expect(l.balances.available).toBe(0);
    expect(l.transactions.filter((t) => t.type === 'redeem')).toHaveLength(1);
    expect(l.violations).toEqual([]);
    const records = (await h.table.scanAll()).filter((i) => i.entity === 'redemption' && i.memberId === 'refused');
    expect(records.map((r) => r.status)).toEqual(['completed']);
  });

  it('a compensation that fails twice is retried and still gives everything back exactly once', async () => {
    const m = 'flaky-compensation';
    await h.member(P, m, [{ points: 40, expiresAt: days(3) }, { points: 120 }]);
    const before = await footprint(m, 'coupon');
    inject(
      { state: 'Issue', when: 'before', error: 'OutOfCodes', times: 1 },
      { state: 'Compensate', when: 'after', error: 'Lambda.ServiceException', times: 2 },
    );

    const { redemption } = await requestRedemption(P, m, { rewardId: 'coupon', quantity: 1 }, key(), 'c', h.deps);

    expect(redemption.status).toBe('failed');
    expect(await footprint(m, 'coupon')).toEqual(before);
    expect((await h.ledger(P, m)).transactions.filter((t) => t.type === 'refund')).toHaveLength(1);
  });
});

describe('points', () => {
  it(
    'are taken from the lots nearest to expiry first, and a cancellation puts them back in the same lots (same ' +
      'expiry)',
    async () => {
      const m = 'expiry-order';
      const lots = await h.member(P, m, [
        { points: 100, expiresAt: days(90) },
        { points: 30, expiresAt: days(10) },
        { points: 100, expiresAt: null },
        { points: 50, expiresAt: days(40) },
      ]);
      const before = await footprint(m, 'coupon');

      const { redemption } = await requestRedemption(P, m, { rewardId: 'coupon', quantity: 1 }, key(), 'c', h.deps);

      const remaining = Object.fromEntries((await h.ledger(P, m)).lots.map((l) => [l.lotId, l.remaining]));
      expect([lots[0], lots[1], lots[2], lots[3]].map((l) => remaining[l!.lotId])).toEqual([80, 0, 100, 0]);

      const cancelled = await cancelRedemption(P, redemption.redemptionId, h.deps);
      expect(cancelled).toMatchObject({ status: 'cancelled', pointsReturned: 100 });
      expect(await footprint(m, 'coupon')).toEqual(before);
      await expect(useCoupon(P, redemption.code!, {}, h.deps)).rejects.toBeInstanceOf(CouponVoid);
      await h.drain();
      expect(
        h.events.find(
          (e) =>
            e.detailType === 'Redemption Cancelled' && (e.detail.data as any).redemptionId === redemption.redemptionId,
        )?.detail.data,
      ).toMatchObject({ pointsReturned: 100, stockReturned: 1 });
      // A second cancel changes nothing.
      expect((await cancelRedemption(P, redemption.redemptionId, h.deps)).status).toBe('cancelled');
      expect((await h.ledger(P, m)).transactions.filter((t) => t.type === 'refund')).toHaveLength(1);
    },
  );

  it('a used coupon cannot be cancelled, and a coupon is used once', async () => {
    await h.member(P, 'user', [{ points: 200 }]);
    const { redemption } = await requestRedemption(P, 'user', { rewardId: 'coupon', quantity: 1 }, key(), 'c', h.deps);
    await useCoupon(P, redemption.code!.toLowerCase(), { orderId: 'o-1' }, h.deps);
    await expect(useCoupon(P, redemption.code!, {}, h.deps)).rejects.toBeInstanceOf(CouponUsed);
    const before = await footprint('user', 'coupon');
    await expect(cancelRedemption(P, redemption.redemptionId, h.deps)).rejects.toBeInstanceOf(CouponUsed);
    expect(await footprint('user', 'coupon')).toEqual(before);
  });

  it('a reward without a cancellation window cannot be cancelled (donations by default)', async () => {
    await h.member(P, 'donor', [{ points: 100 }]);
    const { redemption } = await requestRedemption(P, 'donor', { rewardId: 'tree', quantity: 3 }, key(), 'c', h.deps);
    expect(redemption).toMatchObject({
      status: 'completed',
      points: 60,
      donation: { causeId: 'trees', amount: { amount: 300, currency: 'USD' } },
    });
    expect(redemption.donation!.receipt).toMatch(/^DON-/);
    await expect(cancelRedemption(P, redemption.redemptionId, h.deps)).rejects.toBeInstanceOf(CancellationWindowClosed);
    const totals = await h.deps.donations.donationTotals(P);
    expect(totals).toEqual([
      { causeId: 'trees', causeName: 'Trees', donations: 1, points: 60, amount: { amount: 300, currency: 'USD' } },
    ]);
  });
});

describe('the due-date index', () => {
  const stored = async (redemptionId: string) =>
    (await h.table.scanAll()).find((i) => i.entity === 'redemption' && i.redemptionId === redemptionId)!;
  const minutes = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 60_000;

  it('holds an open redemption at its deadline, and loses it when the redemption completes or fails', async () => {
    await h.member(P, 'indexed', [{ points: 300 }]);
    let whilePending: Record<string, any> | undefined;
    h.intercept(async ({ state, payload }, invoke) => {
      if (state === 'ReservePoints') whilePending = await stored((payload as any).redemption.redemptionId);
      return invoke();
    });

    const { redemption } = await requestRedemption(
      P,
      'indexed',
      { rewardId: 'unstocked', quantity: 1 },
      key(),
      'c',
      h.deps,
    );
    inject({ state: 'Issue', when: 'before', error: 'OutOfCodes', times: 1 });
    const failed = await requestRedemption(P, 'indexed', { rewardId: 'unstocked', quantity: 1 }, key(), 'c', h.deps);

    expect(minutes(whilePending!.createdAt, whilePending!.sweepAt)).toBe(10);
    expect(whilePending!.gsi1pk).toMatch(new RegExp(`^DUE#REDEMPTION#${whilePending!.sweepAt.slice(0, 10)}#[0-7]$`));
    expect(whilePending!.gsi1sk).toBe(`${whilePending!.sweepAt}#${P}#indexed#${redemption.redemptionId}`);
    for (const [id, status] of [
      [redemption.redemptionId, 'completed'],
      [failed.redemption.redemptionId, 'failed'],
    ]) {
      const item = await stored(id!);
      expect(item.status).toBe(status);
      expect(item).not.toHaveProperty('gsi1pk');
      expect(item).not.toHaveProperty('gsi1sk');
      expect(item).not.toHaveProperty('sweepAt');
    }
  });

  it('moves a waiting partner redemption to a day after its execution limit; a cancel takes it out', async () => {
    await h.member(P, 'indexed-partner', [{ points: 100 }]);
    const { redemption } = await requestRedemption(
      P,
      'indexed-partner',
      { rewardId: 'tote', quantity: 1 },
      key(),
      'c',
      h.deps,
    );
    const waiting = await until(
      () => stored(redemption.redemptionId),
      (i) => i.status === 'awaiting-fulfilment',
    );

    await cancelRedemption(P, redemption.redemptionId, h.deps);

    expect(minutes(waiting.createdAt, waiting.sweepAt) / (24 * 60)).toBeCloseTo(16, 2);
    expect(waiting.gsi1pk).toMatch(new RegExp(`^DUE#REDEMPTION#${waiting.sweepAt.slice(0, 10)}#[0-7]$`));
    const cancelled = await stored(redemption.redemptionId);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled).not.toHaveProperty('gsi1pk');
    expect(cancelled).not.toHaveProperty('sweepAt');
  });
});

describe('Idempotency-Key', () => {
  it('a retry with the same key and body returns the same redemption and spends once', async () => {
    await h.member(P, 'idem', [{ points: 300 }]);
    const k = key();
    const first = await requestRedemption(P, 'idem', { rewardId: 'unstocked', quantity: 1 }, k, 'c', h.deps);
    const again = await requestRedemption(P, 'idem', { rewardId: 'unstocked', quantity: 1 }, k, 'c', h.deps);
    expect(again.replayed).toBe(true);
    expect(again.redemption).toEqual(first.redemption);
    expect((await h.ledger(P, 'idem')).balances.available).toBe(200);
  });

  it('the same key with another body is a conflict and writes nothing', async () => {
    await h.member(P, 'idem2', [{ points: 300 }]);
    const k = key();
    await requestRedemption(P, 'idem2', { rewardId: 'unstocked', quantity: 1 }, k, 'c', h.deps);
    const before = await h.table.scanAll();
    await expect(
      requestRedemption(P, 'idem2', { rewardId: 'unstocked', quantity: 2 }, k, 'c', h.deps),
    ).rejects.toBeInstanceOf(IdempotencyConflict);
    expect(await h.table.scanAll()).toEqual(before);
  });

  it('concurrent requests with the same key make one redemption', async () => {
    await h.member(P, 'idem3', [{ points: 1_000 }]);
    const k = key();
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        requestRedemption(P, 'idem3', { rewardId: 'unstocked', quantity: 1 }, k, 'c', h.deps),
      ),
    );
    expect(new Set(results.map((r) => r.redemption.redemptionId)).size).toBe(1);
    expect(results.every((r) => r.redemption.status === 'completed')).toBe(true);
    expect((await h.ledger(P, 'idem3')).balances.available).toBe(900);
  });

  it('keys are per member: another member may use the same key', async () => {
    await h.member(P, 'k-a', [{ points: 100 }]);
    await h.member(P, 'k-b', [{ points: 100 }]);
    const a = await requestRedemption(P, 'k-a', { rewardId: 'unstocked', quantity: 1 }, 'shared-key', 'c', h.deps);
    const b = await requestRedemption(P, 'k-b', { rewardId: 'unstocked', quantity: 1 }, 'shared-key', 'c', h.deps);
    expect(a.redemption.redemptionId).not.toBe(b.redemption.redemptionId);
    expect(b.replayed).toBe(false);
  });
});

describe('limits of one transaction', () => {
  it(
    'points spread over more lots than one transaction can debit: the redemption fails as too-many-lots, nothing ' +
      'spent',
    async () => {
      await h.reward(P, {
        rewardId: 'crumb-card',
        name: 'Gift card',
        type: 'gift-card',
        details: { value: { amount: 1_000, currency: 'USD' } },
        cost: { points: 170 },
      });
      const m = 'crumbs';
      await h.member(
        P,
        m,
        Array.from({ length: 90 }, () => ({ points: 2 })),
      );
      const before = await footprint(m, 'crumb-card');
      // 170 points: 85 lots
      const out = await requestRedemption(P, m, { rewardId: 'crumb-card', quantity: 1 }, key(), 'c', h.deps);
      expect(out.redemption).toMatchObject({ status: 'failed', failure: { reason: 'too-many-lots' } });
      expect(await footprint(m, 'crumb-card')).toEqual(before);
    },
  );
});

describe('concurrency', () => {
  it('many simultaneous redemptions against one balance succeed exactly as far as it allows', async () => {
    const m = 'rush';
    await h.member(P, m, [{ points: 400, expiresAt: days(20) }, { points: 600 }]);

    const settled = await Promise.allSettled(
      Array.from({ length: 25 }, () =>
        requestRedemption(P, m, { rewardId: 'unstocked', quantity: 1 }, key(), 'c', h.deps),
      ),
    );

    const completed = settled.filter((s) => s.status === 'fulfilled' && s.value.redemption.status === 'completed');
    const failedInSaga = settled.filter((s) => s.status === 'fulfilled' && s.value.redemption.status === 'failed');
    const refused = settled.filter((s) => s.status === 'rejected');
    expect(completed).toHaveLength(10);
    for (const f of failedInSaga)
      expect((f as PromiseFulfilledResult<any>).value.redemption.failure.reason).toBe('insufficient-points');
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(InsufficientPoints);
    expect(completed.length + failedInSaga.length + refused.length).toBe(25);
    const l = await h.ledger(P, m);
    expect(l.balances.available).toBe(0);
    expect(l.violations).toEqual([]);
    expect(l.lots.every((x) => x.remaining === 0)).toBe(true);
  });

  it(
    'many members racing for the last item: exactly one gets it, every other member keeps their points ' + 'exactly',
    async () => {
      await h.reward(P, {
        rewardId: 'last-one',
        name: 'Last one',
        type: 'gift-card',
        details: { value: { amount: 5_000, currency: 'USD' } },
        cost: { points: 200 },
        stock: { total: 1 },
      });
      const members = Array.from({ length: 8 }, (_, i) => `racer-${i}`);
      for (const m of members) await h.member(P, m, [{ points: 250, expiresAt: days(15) }]);
      const before = Object.fromEntries(
        await Promise.all(members.map(async (m) => [m, (await footprint(m, 'last-one')).lots] as const)),
      );

      const settled = await Promise.allSettled(
        members.map((m) => requestRedemption(P, m, { rewardId: 'last-one', quantity: 1 }, key(), 'c', h.deps)),
      );

      const winners = settled.flatMap((s, i) =>
        s.status === 'fulfilled' && s.value.redemption.status === 'completed' ? [members[i]!] : [],
      );
      expect(winners).toHaveLength(1);
      for (const [i, s] of settled.entries()) {
        if (members[i] === winners[0]) continue;
        if (s.status === 'fulfilled')
          expect(s.value.redemption).toMatchObject({ status: 'failed', failure: { reason: 'out-of-stock' } });
        else expect(s.reason).toBeInstanceOf(OutOfStock);
        const l = await footprint(members[i]!, 'last-one');
        expect(l.balances.available).toBe(250);
        expect(l.lots).toEqual(before[members[i]!]);
        expect(l.violations).toEqual([]);
      }
      expect((await footprint(winners[0]!, 'last-one')).stock).toBe(0);
    },
  );

  it('a per-member limit holds under concurrency', async () => {
    await h.reward(P, {
      rewardId: 'twice',
      name: 'Twice a month',
      type: 'free-shipping',
      details: {},
      cost: { points: 10 },
      limit: { count: 2, period: 'month' },
    });
    await h.member(P, 'limited', [{ points: 500 }]);

    const settled = await Promise.allSettled(
      Array.from({ length: 6 }, () =>
        requestRedemption(P, 'limited', { rewardId: 'twice', quantity: 1 }, key(), 'c', h.deps),
      ),
    );

    expect(settled.filter((s) => s.status === 'fulfilled' && s.value.redemption.status === 'completed')).toHaveLength(
      2,
    );
    for (const s of settled) {
      if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(RedemptionLimitReached);
      else if (s.value.redemption.status !== 'completed')
        expect(s.value.redemption.failure?.reason).toBe('limit-reached');
    }
    const l = await h.ledger(P, 'limited');
    expect(l.balances.available).toBe(480);
    expect(Object.values(l.usage)).toEqual([2]);
  });
});

describe('partner fulfilment (Standard state machine waiting on a task token)', () => {
  const awaiting = (m: string, id: string) =>
    until(
      () => h.deps.redemptions.getMemberRedemption(P, m, id),
      (r) => r?.status === 'awaiting-fulfilment',
    );

  it('waits for the partner, then completes', async () => {
    await h.member(P, 'shopper', [{ points: 100 }]);
    const { redemption } = await requestRedemption(P, 'shopper', { rewardId: 'tote', quantity: 1 }, key(), 'c', h.deps);
    expect(redemption.status).toBe('pending');
    expect((await awaiting('shopper', redemption.redemptionId))?.status).toBe('awaiting-fulfilment');

    const res = await recordFulfilment(
      P,
      redemption.redemptionId,
      { outcome: 'fulfilled', reference: 'UPS-123', note: null },
      h.deps,
    );
    expect(res.accepted).toBe(true);

    const run = h.sfn.executions().find((e) => e.name === redemption.redemptionId)!;
    expect((await h.sfn.waitForExecution(run.executionArn)).status).toBe('SUCCEEDED');
    expect(await getRedemption(P, redemption.redemptionId, h.deps)).toMatchObject({
      status: 'completed',
      partnerFulfilment: { reference: 'UPS-123' },
    });
    expect(h.sfn.describeExecution(run.executionArn).tasks.map((t) => t.state)).toEqual([
      'ReservePoints',
      'ReserveStock',
      'AwaitFulfilment',
      'Confirm',
    ]);
    await h.drain();
    expect(
      h.events.find((e) => e.detailType === 'Reward Redeemed' && e.detail.data.redemptionId === redemption.redemptionId)
        ?.detail.data.fulfilmentReference,
    ).toBe('UPS-123');
  });

  it.each([
    ['the partner cannot fulfil', 'fulfilment-failed'],
    ['the partner never answers (task timeout)', 'fulfilment-timed-out'],
  ])('%s: compensated, points and stock back exactly', async (_what, reason) => {
    const m = `partner-${reason}`;
    await h.member(P, m, [{ points: 30, expiresAt: days(7) }, { points: 70 }]);
    const before = await footprint(m, 'tote');
    const { redemption } = await requestRedemption(P, m, { rewardId: 'tote', quantity: 1 }, key(), 'c', h.deps);
    const waiting = (await awaiting(m, redemption.redemptionId))!;

    if (reason === 'fulfilment-failed')
      await recordFulfilment(
        P,
        redemption.redemptionId,
        { outcome: 'failed', reason: 'warehouse out of totes' },
        h.deps,
      );
    // what the TimeoutSeconds of AwaitFulfilment raises
    else h.sfn.sendTaskFailure(waiting.taskToken!, 'States.Timeout', 'Task timed out');

    const run = h.sfn.executions().find((e) => e.name === redemption.redemptionId)!;
    await h.sfn.waitForExecution(run.executionArn);
    expect(await getRedemption(P, redemption.redemptionId, h.deps)).toMatchObject({
      status: 'failed',
      failure: { reason },
      pointsReturned: 80,
    });
    expect(await footprint(m, 'tote')).toEqual(before);
  });

  it('the wait task failing on every retry (before the partner is asked): compensated exactly', async () => {
    const m = 'wait-broken';
    await h.member(P, m, [{ points: 100, expiresAt: days(4) }]);
    const before = await footprint(m, 'tote');
    inject({ state: 'AwaitFulfilment', when: 'before', error: 'Lambda.ServiceException', times: 99 });
    const { redemption } = await requestRedemption(P, m, { rewardId: 'tote', quantity: 1 }, key(), 'c', h.deps);
    const run = h.sfn.executions().find((e) => e.name === redemption.redemptionId)!;
    await h.sfn.waitForExecution(run.executionArn);
    expect(await getRedemption(P, redemption.redemptionId, h.deps)).toMatchObject({
      status: 'failed',
      failure: { reason: 'internal-error' },
    });
    expect(await footprint(m, 'tote')).toEqual(before);
  });

  it(
    'a member may cancel while the partner has not confirmed: everything back, the execution ends without a ' +
      'second release',
    async () => {
      const m = 'changed-mind';
      await h.member(P, m, [{ points: 100, expiresAt: days(9) }]);
      const before = await footprint(m, 'tote');
      const { redemption } = await requestRedemption(P, m, { rewardId: 'tote', quantity: 1 }, key(), 'c', h.deps);
      await awaiting(m, redemption.redemptionId);

      expect(await cancelRedemption(P, redemption.redemptionId, h.deps)).toMatchObject({
        status: 'cancelled',
        pointsReturned: 80,
      });

      const run = h.sfn.executions().find((e) => e.name === redemption.redemptionId)!;
      expect((await h.sfn.waitForExecution(run.executionArn)).status).toBe('SUCCEEDED');
      expect(h.sfn.describeExecution(run.executionArn).tasks.at(-1)).toMatchObject({
        state: 'Compensate',
        outcome: 'succeeded',
      });
      expect((await getRedemption(P, redemption.redemptionId, h.deps)).status).toBe('cancelled');
      expect(await footprint(m, 'tote')).toEqual(before);
      expect((await h.ledger(P, m)).transactions.filter((t) => t.type === 'refund')).toHaveLength(1);
    },
  );
});
