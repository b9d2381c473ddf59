// The steps of the redemption saga, one function each, run by the state machines through
// functions/redemption-steps.ts. Every step is idempotent: its write is conditioned on the
// redemption record (status and step markers), so a retried step finds its own earlier write
// and returns the same result instead of reserving, issuing or releasing twice.
import type { Clock } from '../../kernel/clock';
import { ulid } from '../../kernel/ids';
import type { BusinessMetrics } from '../../kernel/metrics';
import { retryOnConflict, WriteConflict } from '../../kernel/retry';
import type { MemberState } from '../../ledger/domain/member-state';
import type { Transaction } from '../../ledger/domain/types';
import { MemberNotFound } from '../../ledger/errors';
import type { LedgerStore, LedgerWrite } from '../../ledger/ports';
import {
  cancellableUntil,
  type FailureReason,
  failureReason,
  generateCode,
  issuesCoupon,
  MAX_LOTS_PER_REDEMPTION,
  type PointsPlan,
  planPointsRelease,
  planPointsReservation,
  type Redemption,
  type RedemptionSnapshot,
} from '../domain/rewards';
import { awaitingSweepAt } from '../domain/sweep';
import {
  InsufficientPoints,
  OutOfStock,
  RedemptionClosed,
  RedemptionLimitReached,
  RedemptionNotFound,
  TooManyLots,
} from '../errors';
import type {
  CatalogStore,
  CouponStore,
  DonationStore,
  RedemptionCreated,
  RedemptionReleased,
  RedemptionReserved,
  RedemptionStore,
} from '../ports';

/** What giving a redemption back (compensation, cancellation, the sweeper) needs. */
export interface ReleaseDeps {
  ledger: LedgerStore;
  redemptions: RedemptionStore;
  coupons: Pick<CouponStore, 'getCoupon'>;
  clock: Clock;
  metrics?: BusinessMetrics;
  /** A courtesy after a committed step failed (telling a waiting execution to stop): logged, never an error. */
  onPublishError?: (err: unknown) => void;
}

export interface SagaDeps extends ReleaseDeps {
  catalog: CatalogStore;
  coupons: CouponStore;
  donations: DonationStore;
  /** Randomness for codes (tests pass a seeded source to force collisions). */
  random?: (n: number) => Uint8Array;
}

/**
 * A transaction holds at most 100 items: the member, the transaction and the redemption leave room for this many
 * lots.
 */
export { MAX_LOTS_PER_REDEMPTION };

/**
 * A single conditional write of a step, run again while concurrent transactions only held its
 * items (nothing was written); a failed condition is the step's to explain.
 */
function retryBusy<T>(what: string, write: () => Promise<T>): Promise<T> {
  return retryOnConflict(what, write, { retryIf: (conflict) => conflict.busy });
}

/** A redemption as its record holds it, without what only the request needs (its Idempotency-Key). */
export type RedemptionRecordView = Omit<Redemption, 'idempotencyKey' | 'fingerprint'>;

/** What clients see of a redemption (the task token and the ledger details stay inside). */
export function redemptionView(r: RedemptionRecordView) {
  const until = cancellableUntil(r);
  return {
    redemptionId: r.redemptionId,
    memberId: r.memberId,
    rewardId: r.rewardId,
    rewardName: r.rewardName,
    rewardType: r.rewardType,
    fulfilment: r.flow,
    quantity: r.quantity,
    points: r.points,
    status: r.status,
    ...(r.code ? { code: r.code, codeExpiresAt: r.codeExpiresAt } : {}),
    ...(r.donation ? { donation: { ...r.donation, receipt: r.receipt ?? null } } : {}),
    ...(r.fulfilment ? { partnerFulfilment: r.fulfilment } : {}),
    ...(r.failure ? { failure: r.failure } : {}),
    pointsReturned: r.release?.points ?? 0,
    cancellableUntil: (r.status === 'completed' || r.status === 'awaiting-fulfilment') && until ? until : null,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    ...(r.completedAt ? { completedAt: r.completedAt } : {}),
    ...(r.failedAt ? { failedAt: r.failedAt } : {}),
    ...(r.cancelledAt ? { cancelledAt: r.cancelledAt } : {}),
  };
}
export type RedemptionView = ReturnType<typeof redemptionView>;

async function readRecord(
  r: Pick<RedemptionSnapshot, 'programId' | 'memberId' | 'redemptionId'>,
  deps: Pick<SagaDeps, 'redemptions'>,
): Promise<Redemption> {
  const rec = await deps.redemptions.getMemberRedemption(r.programId, r.memberId, r.redemptionId);
  if (!rec) throw new RedemptionNotFound(r.redemptionId);
  return rec;
}

/**
 * The ledger write that takes a redemption's points: the member's new state, the lots taken from (each only while it
 * still holds the points), the `redeem` transaction, and `record` (what commits with it: the new redemption, or the
 * reservation on an existing one).
 */
export function pointsReservationWrite(
  r: RedemptionSnapshot,
  member: MemberState,
  plan: PointsPlan,
  transactionId: string,
  record: RedemptionCreated | RedemptionReserved,
  now: string,
): LedgerWrite {
  const tx: Transaction = {
    transactionId,
    memberId: r.memberId,
    type: 'redeem',
    points: -r.points,
    reason: `Redeemed ${r.quantity} x ${r.rewardName}`,
    source: 'redemption',
    status: 'debited',
    redemptionId: r.redemptionId,
    breakdown: [],
    lots: plan.lots.map((l) => ({ lotId: l.lotId, points: -l.points })),
    occurredAt: now,
    recordedAt: now,
  };
  return {
    programId: r.programId,
    members: [{ memberId: r.memberId, before: member, after: plan.state }],
    lotUpdates: plan.lotChanges.map((c) => ({
      memberId: r.memberId,
      lot: c.lot,
      take: c.take,
      ...(c.activated ? { activated: true } : {}),
    })),
    transactions: [tx],
    records: [record],
  };
}

/**
 * Step 1: takes the points from the nearest-expiring lots and counts the units against the member's limit, in one
 * transaction. A redemption that holds its points since it was created (`reserved`) has nothing to do here.
 */
export async function reservePoints(
  r: RedemptionSnapshot,
  deps: SagaDeps,
): Promise<{ transactionId: string; points: number; replayed: boolean }> {
  if (r.reserved) return { transactionId: r.reserved.transactionId, points: r.points, replayed: true };
  return retryOnConflict(
    `Member "${r.memberId}"`,
    async () => {
      const now = deps.clock.now().toISOString();
      const { member, redemption: rec } = await deps.redemptions.loadForStep(r.programId, r.memberId, r.redemptionId);
      if (!rec) throw new RedemptionNotFound(r.redemptionId);
      if (rec.reservation)
        return { transactionId: rec.reservation.transactionId, points: rec.reservation.points, replayed: true };
      if (rec.status !== 'pending') throw new RedemptionClosed(r.redemptionId, rec.status);
      if (!member.exists) throw new MemberNotFound(r.memberId);

      const lots = await deps.ledger.listLots(r.programId, r.memberId);
      const decision = planPointsReservation(member, lots, r.points, now);
      if (!decision.ok) throw new InsufficientPoints(decision.needed, decision.available);
      const { plan } = decision;
      if (plan.lots.length > MAX_LOTS_PER_REDEMPTION) throw new TooManyLots(plan.lots.length, MAX_LOTS_PER_REDEMPTION);

      const transactionId = ulid(Date.parse(now));
      const reserved: RedemptionReserved = {
        kind: 'redemption-reserved',
        redemption: r,
        reservation: { transactionId, points: r.points, lots: plan.lots, at: now },
      };
      try {
        await deps.ledger.commit(pointsReservationWrite(r, member, plan, transactionId, reserved, now), now);
      } catch (err) {
        if (err instanceof WriteConflict && err.has('limit') && !err.has('redemption')) {
          throw new RedemptionLimitReached(r.rewardId, `at most ${r.limit?.count} per ${r.limit?.period} per member`);
        }
        // The redemption moved (a retry of this step reserved it, or it was closed) or the member
        // changed: read both again.
        throw err;
      }
      deps.metrics?.count('PointsRedeemed', r.points);
      return { transactionId, points: r.points, replayed: false };
    },
    { onRetry: () => deps.metrics?.count('LedgerWriteRetried') },
  );
}

/**
 * Step 2: one unit of stock per unit redeemed, under `stockRemaining >= quantity`: never oversold. Nothing to do for a
 * redemption that holds its stock since it was created.
 */
export async function reserveStock(
  r: RedemptionSnapshot,
  deps: SagaDeps,
): Promise<{ reserved: number; replayed: boolean }> {
  if (!r.stockTracked) return { reserved: 0, replayed: false };
  if (r.reserved?.stock) return { reserved: r.reserved.stock, replayed: true };
  try {
    await retryBusy(`Reward "${r.rewardId}" stock`, () => deps.catalog.reserveStock(r, deps.clock.now().toISOString()));
    return { reserved: r.quantity, replayed: false };
  } catch (err) {
    if (!(err instanceof WriteConflict)) throw err;
    if (err.has('redemption')) {
      const rec = await readRecord(r, deps);
      if (rec.stockReserved) return { reserved: rec.stockReserved, replayed: true };
      throw new RedemptionClosed(r.redemptionId, rec.status);
    }
    const reward = await deps.catalog.getReward(r.programId, r.rewardId);
    throw new OutOfStock(r.rewardId, reward?.stock?.remaining ?? 0);
  }
}

const DONATION_RECEIPT = { prefix: 'DON', alphabet: 'alphanumeric', length: 12, groupSize: 4 } as const;
const DAY_MS = 86_400_000;

/**
 * Step 3 (instant rewards): a unique, unguessable code (conditional put; a collision draws again), or a donation
 * recorded for its cause, and the redemption completed in the same write; the stream announces `Reward Redeemed`. A
 * retry that finds its own write answers with the completed redemption.
 */
export async function issue(r: RedemptionSnapshot, deps: SagaDeps): Promise<RedemptionView> {
  const now = deps.clock.now().toISOString();
  for (let attempt = 1; attempt <= 5; attempt++) {
    let delivered: Pick<Redemption, 'code' | 'codeExpiresAt' | 'receipt'>;
    try {
      if (r.donation) {
        const receipt = generateCode(DONATION_RECEIPT, deps.random);
        await retryBusy(`Cause "${r.donation.causeId}"`, () => deps.donations.recordDonation(r, receipt, now));
        delivered = { receipt };
      } else {
        if (!issuesCoupon(r.rewardType) || !r.coupon)
          throw new Error(`reward type ${r.rewardType} issues nothing instantly`);
        const code = generateCode(r.coupon.format, deps.random);
        const codeExpiresAt = new Date(Date.parse(now) + r.coupon.validityDays * DAY_MS).toISOString();
        await retryBusy(`Redemption "${r.redemptionId}"`, () => deps.coupons.issueCoupon(r, code, codeExpiresAt, now));
        deps.metrics?.count('CouponsIssued');
        delivered = { code, codeExpiresAt };
      }
    } catch (err) {
      if (!(err instanceof WriteConflict)) throw err;
      if (err.has('redemption')) {
        const rec = await readRecord(r, deps);
        if (rec.status === 'completed') return redemptionView(rec);
        // Delivered by a step that did not complete it yet (a saga started before delivering completed).
        if (rec.status === 'pending' && rec.fulfilledAt) return confirm(r, deps);
        throw new RedemptionClosed(r.redemptionId, rec.status);
      }
      deps.metrics?.count('CouponCodeCollisions');
      continue;
    }
    deps.metrics?.count('RedemptionsCompleted');
    // What the write stored, from the snapshot (the stream announces Reward Redeemed from the item itself);
    // a saga that reserved the points itself reads it back.
    const done: RedemptionRecordView = r.reserved
      ? {
          ...r,
          ...delivered,
          stockReserved: r.reserved.stock || undefined,
          status: 'completed',
          fulfilledAt: now,
          completedAt: now,
          updatedAt: now,
        }
      : await readRecord(r, deps);
    return redemptionView(done);
  }
  throw new Error('The coupon code space gave 5 collisions in a row');
}

/** Step 3 (partner rewards): remembers the task token the partner's confirmation will answer. */
export async function awaitFulfilment(
  r: RedemptionSnapshot,
  taskToken: string,
  deps: SagaDeps,
): Promise<{ waiting: true }> {
  const now = deps.clock.now().toISOString();
  try {
    // From now on the partner's answer or the execution's own timeout closes it; the sweeper only
    // looks again once that execution must have ended.
    await retryBusy(`Redemption "${r.redemptionId}"`, () =>
      deps.redemptions.awaitFulfilment(r, taskToken, now, awaitingSweepAt(now)),
    );
    return { waiting: true };
  } catch (err) {
    if (!(err instanceof WriteConflict)) throw err;
    throw new RedemptionClosed(r.redemptionId, (await readRecord(r, deps)).status);
  }
}

/** Step 4: the redemption is complete (the stream announces `Reward Redeemed` from the item). */
export async function confirm(r: RedemptionSnapshot, deps: SagaDeps): Promise<RedemptionView> {
  const now = deps.clock.now().toISOString();
  let rec: Redemption;
  try {
    rec = await retryBusy(`Redemption "${r.redemptionId}"`, () => deps.redemptions.confirm(r, now));
  } catch (err) {
    if (!(err instanceof WriteConflict)) throw err;
    const current = await readRecord(r, deps);
    if (current.status === 'completed') return redemptionView(current);
    throw new RedemptionClosed(r.redemptionId, current.status);
  }
  deps.metrics?.count('RedemptionsCompleted');
  return redemptionView(rec);
}

/**
 * Gives back whatever the redemption holds (points to their original lots, stock, the limit
 * count, a donation; the coupon is voided) and closes it as `failed` or `cancelled`, in one
 * transaction conditioned on the status it read: a release happens once. With `expect`, only a
 * redemption still in one of those statuses is released (read again after every conflict).
 * Shared by the saga's compensation, cancellation and the sweeper.
 */
export async function releaseRedemption(
  ref: Pick<RedemptionSnapshot, 'programId' | 'memberId' | 'redemptionId'>,
  to: ({ status: 'failed'; failure: { reason: FailureReason; message: string } } | { status: 'cancelled' }) & {
    expect?: Redemption['status'][];
  },
  deps: ReleaseDeps,
): Promise<{ redemption: Redemption; released: boolean }> {
  return retryOnConflict(`Redemption "${ref.redemptionId}"`, async () => {
    const now = deps.clock.now().toISOString();
    const { member, redemption: rec } = await deps.redemptions.loadForStep(
      ref.programId,
      ref.memberId,
      ref.redemptionId,
    );
    if (!rec) throw new RedemptionNotFound(ref.redemptionId);
    if (rec.status === 'completed' && to.status === 'failed') return { redemption: rec, released: false };
    if (rec.status === 'failed' || rec.status === 'cancelled') return { redemption: rec, released: false };
    if (to.expect && !to.expect.includes(rec.status)) return { redemption: rec, released: false };

    const release = rec.reservation
      ? { transactionId: ulid(Date.parse(now)), points: rec.reservation.points, at: now }
      : undefined;
    const released: RedemptionReleased = {
      kind: 'redemption-released',
      redemption: rec,
      to: {
        status: to.status,
        ...(to.status === 'failed' ? { failure: to.failure } : {}),
        ...(release ? { release } : {}),
      },
    };
    try {
      if (rec.reservation && release) {
        const plan = planPointsRelease(member, rec.reservation.lots, now);
        const refund: Transaction = {
          transactionId: release.transactionId,
          memberId: rec.memberId,
          type: 'refund',
          points: release.points,
          reason:
            to.status === 'cancelled'
              ? `Cancelled redemption of ${rec.rewardName}`
              : `Redemption of ${rec.rewardName} failed: points returned`,
          source: 'redemption',
          status: 'credited',
          redemptionId: rec.redemptionId,
          breakdown: [],
          lots: rec.reservation.lots.map((l) => ({ lotId: l.lotId, points: l.points })),
          occurredAt: now,
          recordedAt: now,
        };
        await deps.ledger.commit(
          {
            programId: rec.programId,
            members: [{ memberId: rec.memberId, before: member, after: plan.state }],
            lotUpdates: plan.lotChanges.map((c) => ({
              memberId: rec.memberId,
              lot: c.lot,
              take: c.take,
              ...(c.activated ? { activated: true } : {}),
            })),
            transactions: [refund],
            records: [released],
          },
          now,
        );
      } else {
        // Nothing to give back to the member (no points were reserved): only the redemption's own items.
        await deps.ledger.commit({ programId: rec.programId, members: [], records: [released] }, now);
      }
    } catch (err) {
      if (err instanceof WriteConflict && err.has('coupon') && !err.has('redemption')) {
        // The code was used before we could withdraw it: the member has the reward, so it stands.
        const coupon = rec.code ? await deps.coupons.getCoupon(rec.programId, rec.code) : null;
        if (coupon?.status === 'used' && to.status === 'failed') {
          const confirmed = await deps.redemptions.confirm(rec, now).catch(() => null);
          if (confirmed) deps.metrics?.count('RedemptionsCompleted');
          return { redemption: confirmed ?? (await readRecord(rec, deps)), released: false };
        }
        if (coupon?.status === 'used') return { redemption: rec, released: false };
      }
      throw err; // a concurrent step or write moved something: read again and decide again
    }
    return {
      redemption: (await deps.redemptions.getMemberRedemption(rec.programId, rec.memberId, rec.redemptionId)) ?? rec,
      released: true,
    };
  });
}

/**
 * The compensation: after any failure, whatever was reserved goes back and the redemption ends `failed` with its
 * reason.
 */
export async function compensate(
  r: RedemptionSnapshot,
  error: { Error?: string; Cause?: string } | undefined,
  deps: SagaDeps,
): Promise<RedemptionView> {
  const before = await readRecord(r, deps);
  const reason = failureReason(error?.Error ?? '', before.status === 'awaiting-fulfilment');
  const { redemption } = await failRedemption(r, { reason, message: causeMessage(error) }, deps);
  return redemptionView(redemption);
}

/**
 * Releases the redemption as `failed` with this reason (see releaseRedemption) and, if this call
 * released it, counts it (the stream announces `Redemption Failed` from the closed item).
 */
export async function failRedemption(
  ref: Pick<RedemptionSnapshot, 'programId' | 'memberId' | 'redemptionId'>,
  failure: { reason: FailureReason; message: string },
  deps: ReleaseDeps,
  expect?: Redemption['status'][],
): Promise<{ redemption: Redemption; released: boolean }> {
  const { redemption, released } = await releaseRedemption(
    ref,
    { status: 'failed', failure, ...(expect ? { expect } : {}) },
    deps,
  );
  if (released) deps.metrics?.count('RedemptionsFailed');
  return { redemption, released };
}

/**
 * Lambda errors reach the Catch as `{ Error, Cause }` where Cause is `{"errorType","errorMessage",...}` JSON (or
 * plain text from SendTaskFailure).
 */
export function causeMessage(error: { Error?: string; Cause?: string } | undefined): string {
  if (!error) return 'unknown failure';
  const cause = error.Cause ?? '';
  try {
    const parsed = JSON.parse(cause);
    if (parsed && typeof parsed.errorMessage === 'string') return parsed.errorMessage.slice(0, 500);
  } catch {
    // not JSON: a SendTaskFailure cause or a States.* message
  }
  return (cause || error.Error || 'unknown failure').slice(0, 500);
}
