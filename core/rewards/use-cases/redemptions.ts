// The member side of rewards: what a member may redeem (ordered for them), redeeming with an
// Idempotency-Key, reading and cancelling redemptions, partner fulfilment and coupon checks.
// Redeeming runs the saga (redemption-saga.ts) through a state machine.

import type { OrderStore } from '../../earning/ports';
import { toMs } from '../../kernel/calendar';
import { IdempotencyConflict, ValidationFailed } from '../../kernel/errors';
import { ulid } from '../../kernel/ids';
import { retryOnConflict, WriteConflict } from '../../kernel/retry';
import { settle } from '../../ledger/domain/member-state';
import { MemberNotFound } from '../../ledger/errors';
import { ProgramNotFound } from '../../programs/errors';
import type { ProgramStore } from '../../programs/ports';
import {
  type Affinity,
  CODE_PATTERN,
  cancellationRefusal,
  checkRedemption,
  fulfilmentFlow,
  limitPeriod,
  MAX_LOTS_PER_REDEMPTION,
  normalizeCode,
  planPointsReservation,
  type Redemption,
  type RedemptionRefusal,
  type RedemptionSnapshot,
  type Reward,
  rankRewards,
  redemptionFingerprint,
  SAGA_ERRORS,
} from '../domain/rewards';
import { pendingSweepAt } from '../domain/sweep';
import {
  CancellationWindowClosed,
  CouponExpired,
  CouponNotFound,
  CouponUsed,
  CouponVoid,
  InsufficientPoints,
  NotEligible,
  OutOfStock,
  RedemptionLimitReached,
  RedemptionNotAwaitingFulfilment,
  RedemptionNotCancellable,
  RedemptionNotFound,
  RewardNotFound,
  RewardUnavailable,
} from '../errors';
import type { Coupon, RedemptionCreated, RedemptionWorkflows } from '../ports';
import type { FulfilmentInput } from '../schemas';
import {
  pointsReservationWrite,
  type RedemptionView,
  redemptionView,
  releaseRedemption,
  type SagaDeps,
} from './redemption-saga';

export interface RedemptionDeps extends SagaDeps {
  programs: Pick<ProgramStore, 'getProgram'>;
  orders: Pick<OrderStore, 'loadMemberOrders'>;
  workflows: RedemptionWorkflows;
}

// ---------------------------------------------------------------------------------------------
// Rewards for a member

const RECENT = 50;

/** What the member buys (item categories of their recent purchases) and redeemed before. */
async function affinityOf(
  programId: string,
  memberId: string,
  deps: Pick<RedemptionDeps, 'ledger' | 'orders'>,
  recentRedemptions: Redemption[],
) {
  const txs = await deps.ledger.listTransactions(programId, memberId, RECENT, null);
  const orderIds = [...new Set(txs.items.filter((t) => t.type === 'earn' && t.orderId).map((t) => t.orderId!))];
  const { member, orders } = await deps.orders.loadMemberOrders(programId, memberId, orderIds);
  const categories: Record<string, number> = {};
  for (const order of orders) {
    for (const item of order.purchase.items ?? []) {
      if (item.category) categories[item.category] = (categories[item.category] ?? 0) + item.quantity;
    }
  }
  const affinity: Affinity = { categories, rewards: {}, rewardCategories: {} };
  for (const r of recentRedemptions.filter((r) => r.status === 'completed')) {
    affinity.rewards[r.rewardId] = (affinity.rewards[r.rewardId] ?? 0) + 1;
    if (r.category) affinity.rewardCategories[r.category] = (affinity.rewardCategories[r.category] ?? 0) + 1;
  }
  return { affinity, member };
}

/** Member-facing view of a reward (stock as a count left, costs for their tier). */
function memberRewardView(r: ReturnType<typeof rankRewards>[number]) {
  const { reward } = r;
  return {
    rewardId: reward.rewardId,
    name: reward.name,
    description: reward.description,
    category: reward.category,
    type: reward.type,
    details: reward.details,
    fulfilment: fulfilmentFlow(reward.type),
    cost: r.cost,
    pointsNeeded: r.pointsNeeded,
    affordable: r.affordable,
    stockRemaining: reward.stock?.remaining ?? null,
    limit: reward.limit,
    maxQuantity: reward.maxQuantity,
    validUntil: reward.validUntil,
    cancellationWindowHours: reward.cancellationWindowHours,
  };
}

export async function listRewardsForMember(
  programId: string,
  memberId: string,
  deps: Pick<RedemptionDeps, 'programs' | 'ledger' | 'orders' | 'catalog' | 'redemptions' | 'clock'>,
) {
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new ProgramNotFound(programId);
  const now = deps.clock.now().toISOString();
  const [rewards, usage, recent] = await Promise.all([
    deps.catalog.listRewards(programId),
    deps.redemptions.memberUsage(programId, memberId),
    deps.redemptions.listMemberRedemptions(programId, memberId, RECENT, null),
  ]);
  const { affinity, member } = await affinityOf(programId, memberId, deps, recent.items);
  if (!member?.state) throw new MemberNotFound(memberId);
  const state = member.state;
  const available = settle(state, now).state.available;
  const usedOf = (reward: Reward) =>
    reward.limit
      ? (usage.get(`${reward.rewardId}#${limitPeriod(reward.limit.period, now, program.timeZone).key}`) ?? 0)
      : 0;
  const facts = { tier: state.tier, attributes: member.attributes ?? {}, enrolledAt: member.enrolledAt, available };
  const ranked = rankRewards(rewards, facts, affinity, usedOf, now);
  return { memberId, available, items: ranked.map(memberRewardView) };
}

// ---------------------------------------------------------------------------------------------
// Redeem

export type RedemptionOutcome = { replayed: boolean; redemption: RedemptionView };

function refusalError(rewardId: string, refusal: RedemptionRefusal): Error {
  switch (refusal.kind) {
    case 'unavailable':
      return new RewardUnavailable(rewardId, refusal.message);
    case 'not-eligible':
      return new NotEligible(
        rewardId,
        refusal.reasons.map((r) => r.message),
      );
    case 'quantity':
      return new ValidationFailed([
        { field: 'quantity', message: `at most ${refusal.max} per redemption for this reward` },
      ]);
    case 'limit-reached':
      return new RedemptionLimitReached(
        rewardId,
        `at most ${refusal.count} per ${refusal.period} per member; ${refusal.used} already redeemed`,
      );
    case 'out-of-stock':
      return new OutOfStock(rewardId, refusal.remaining);
    case 'insufficient-points':
      return new InsufficientPoints(refusal.needed, refusal.available);
  }
}

/** What the saga is given: the facts the redemption fixed, and what its record says it holds already. */
export function snapshotOf(r: Redemption): RedemptionSnapshot {
  const {
    programId,
    redemptionId,
    memberId,
    rewardId,
    rewardName,
    rewardType,
    details,
    category,
    flow,
    quantity,
    unitPoints,
    points,
    stockTracked,
    limit,
    coupon,
    donation,
    cancellationWindowHours,
    createdAt,
    correlationId,
  } = r;
  return {
    programId,
    redemptionId,
    memberId,
    rewardId,
    rewardName,
    rewardType,
    details,
    category,
    flow,
    quantity,
    unitPoints,
    points,
    stockTracked,
    limit,
    coupon,
    donation,
    cancellationWindowHours,
    createdAt,
    correlationId,
    ...(r.reservation ? { reserved: { transactionId: r.reservation.transactionId, stock: r.stockReserved ?? 0 } } : {}),
  };
}

/**
 * Runs (or, for a replay of an unfinished one, resumes) the saga; every step is idempotent, so running it again is
 * safe.
 */
async function runSaga(rec: Redemption, deps: RedemptionDeps): Promise<Redemption | RedemptionView> {
  if (rec.flow === 'partner') {
    await deps.workflows.startFulfilment({ redemption: snapshotOf(rec) });
    return rec;
  }
  const run = await deps.workflows.runInstant({ redemption: snapshotOf(rec) });
  if (run.status === 'SUCCEEDED' && run.output && typeof run.output === 'object' && 'status' in (run.output as object))
    return run.output as RedemptionView;
  // The execution itself failed (its compensation could not finish): say what the record says.
  deps.onPublishError?.(
    new Error(`redemption ${rec.redemptionId}: execution ${run.status} ${run.error ?? ''} ${run.cause ?? ''}`),
  );
  return (await deps.redemptions.getMemberRedemption(rec.programId, rec.memberId, rec.redemptionId)) ?? rec;
}

const asView = (r: Redemption | RedemptionView): RedemptionView => ('flow' in r ? redemptionView(r as Redemption) : r);

/**
 * Redeems a reward. Checks that nothing stands in the way (writing nothing if something does), then creates the
 * redemption holding what it takes in one transaction: its Idempotency-Key guard, the points (member, lots nearest to
 * expiry first, the `redeem` transaction), the limit count and the stock. Then it runs the saga: to its end for
 * instant rewards (the issued code comes back), started for partner rewards; its reserve steps find everything held.
 * A write that lost to a concurrent one reads and decides again (409 with Retry-After when it keeps losing); a limit
 * or the stock taken meanwhile is refused with nothing written. The same key with the same body returns the same
 * redemption; with another body, a 409.
 */
export async function requestRedemption(
  programId: string,
  memberId: string,
  body: { rewardId: string; quantity: number },
  idempotencyKey: string,
  correlationId: string,
  deps: RedemptionDeps,
): Promise<RedemptionOutcome> {
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new ProgramNotFound(programId);
  const fingerprint = redemptionFingerprint(body);

  const replay = async (guard: { redemptionId: string; fingerprint: string }): Promise<RedemptionOutcome> => {
    if (guard.fingerprint !== fingerprint) throw new IdempotencyConflict('Idempotency-Key', idempotencyKey);
    const rec = await deps.redemptions.getMemberRedemption(programId, memberId, guard.redemptionId);
    if (!rec) throw new RedemptionNotFound(guard.redemptionId);
    // Unfinished (the first attempt died before its saga ended): resume it.
    if (rec.status === 'pending') return { replayed: true, redemption: asView(await runSaga(rec, deps)) };
    return { replayed: true, redemption: redemptionView(rec) };
  };
  /** A concurrent request with the same key won the guard. */
  const replayWinner = async () => {
    const guard = await deps.redemptions.getIdempotency(programId, memberId, idempotencyKey);
    if (!guard) throw new Error('idempotency guard vanished');
    return replay(guard);
  };

  const created = await retryOnConflict(
    `Member "${memberId}"`,
    async (): Promise<RedemptionOutcome | Redemption> => {
      const now = deps.clock.now().toISOString();
      const { member, profile, reward, idempotency } = await deps.redemptions.loadRequest(
        programId,
        memberId,
        body.rewardId,
        idempotencyKey,
      );
      if (idempotency) return replay(idempotency);
      if (!reward) throw new RewardNotFound(body.rewardId);
      if (!member.exists || !profile) throw new MemberNotFound(memberId);

      const period = reward.limit ? limitPeriod(reward.limit.period, now, program.timeZone) : null;
      const used = period ? await deps.redemptions.usage(programId, memberId, reward.rewardId, period.key) : 0;
      const available = settle(member, now).state.available;
      const check = checkRedemption({
        reward,
        member: { tier: member.tier, attributes: profile.attributes, enrolledAt: profile.enrolledAt, available },
        quantity: body.quantity,
        used,
        now,
      });
      if (!check.ok) throw refusalError(reward.rewardId, check.refusal);

      const rec = newRedemption(programId, memberId, reward, body.quantity, check, period, now, {
        idempotencyKey,
        fingerprint,
        correlationId,
      });
      const lots = await deps.ledger.listLots(programId, memberId);
      const decision = planPointsReservation(member, lots, rec.points, now);
      if (!decision.ok) throw new InsufficientPoints(decision.needed, decision.available);
      const { plan } = decision;
      if (plan.lots.length > MAX_LOTS_PER_REDEMPTION) {
        // More lots than one transaction can take from with the redemption: created without its points, its saga
        // fails it as too-many-lots (and says so).
        if (!(await deps.redemptions.createRedemption(rec, now))) return replayWinner();
        return rec;
      }

      const transactionId = ulid(Date.parse(now));
      const holding: RedemptionCreated['redemption'] = {
        ...rec,
        reservation: { transactionId, points: rec.points, lots: plan.lots, at: now },
        ...(rec.stockTracked ? { stockReserved: rec.quantity } : {}),
      };
      try {
        await deps.ledger.commit(
          pointsReservationWrite(
            rec,
            member,
            plan,
            transactionId,
            { kind: 'redemption-created', redemption: holding },
            now,
          ),
          now,
        );
      } catch (err) {
        if (!(err instanceof WriteConflict) || err.busy) throw err;
        if (err.has('idempotency')) return replayWinner();
        if (err.has('limit'))
          throw new RedemptionLimitReached(
            reward.rewardId,
            `at most ${reward.limit?.count} per ${reward.limit?.period} per member`,
          );
        if (err.has('stock'))
          throw new OutOfStock(
            reward.rewardId,
            (await deps.catalog.getReward(programId, reward.rewardId))?.stock?.remaining ?? 0,
          );
        // The member or their lots changed since they were read: read and decide again.
        throw err;
      }
      deps.metrics?.count('PointsRedeemed', rec.points);
      return holding;
    },
    { onRetry: () => deps.metrics?.count('LedgerWriteRetried') },
  );
  if ('replayed' in created) return created;
  deps.metrics?.count('RedemptionsRequested');
  return { replayed: false, redemption: asView(await runSaga(created, deps)) };
}

/** The record of a redemption the checks allowed: what the reward and the request fix, pending. */
function newRedemption(
  programId: string,
  memberId: string,
  reward: Reward,
  quantity: number,
  check: { unitPoints: number; points: number },
  period: ReturnType<typeof limitPeriod> | null,
  now: string,
  request: { idempotencyKey: string; fingerprint: string; correlationId: string },
): Redemption {
  const d = reward.details;
  const flow = fulfilmentFlow(reward.type);
  return {
    programId,
    redemptionId: ulid(Date.parse(now)),
    memberId,
    rewardId: reward.rewardId,
    rewardName: reward.name,
    rewardType: reward.type,
    details: reward.details,
    category: reward.category,
    flow,
    quantity,
    unitPoints: check.unitPoints,
    points: check.points,
    stockTracked: !!reward.stock,
    limit: reward.limit && period ? { ...reward.limit, periodKey: period.key, endsAt: period.endsAt } : null,
    coupon: reward.coupon,
    donation:
      d.type === 'donation'
        ? {
            causeId: d.cause.causeId,
            causeName: d.cause.name,
            amount: { amount: d.amount.amount * quantity, currency: d.amount.currency },
          }
        : null,
    cancellationWindowHours: reward.cancellationWindowHours,
    createdAt: now,
    correlationId: request.correlationId,
    status: 'pending',
    updatedAt: now,
    idempotencyKey: request.idempotencyKey,
    fingerprint: request.fingerprint,
    // If its saga stops before it ends (a crash, a compensation that could not finish), the sweeper
    // gives back what it holds once this has passed.
    sweepAt: pendingSweepAt(flow, now),
  };
}

// ---------------------------------------------------------------------------------------------
// Read

export async function getRedemption(
  programId: string,
  redemptionId: string,
  deps: Pick<RedemptionDeps, 'redemptions'>,
): Promise<RedemptionView> {
  const rec = await deps.redemptions.getRedemption(programId, redemptionId);
  if (!rec) throw new RedemptionNotFound(redemptionId);
  return redemptionView(rec);
}

export async function listMemberRedemptions(
  programId: string,
  memberId: string,
  query: { limit: number; cursor?: string },
  deps: Pick<RedemptionDeps, 'redemptions' | 'ledger'>,
) {
  const cursor = query.cursor ?? null;
  const page = await deps.redemptions.listMemberRedemptions(programId, memberId, query.limit, cursor);
  if (page.items.length === 0 && !cursor && !(await deps.ledger.getMember(programId, memberId)))
    throw new MemberNotFound(memberId);
  return { items: page.items.map(redemptionView), nextCursor: page.nextCursor };
}

// ---------------------------------------------------------------------------------------------
// Cancel

/**
 * Within the reward's window, gives back the points (to their original lots, keeping their
 * expiry), the stock and the limit count, and withdraws an unused coupon, in one transaction.
 * A redemption waiting for its partner is cancelled the same way, then its execution is told to
 * stop (its compensation finds nothing left to release). Cancelling twice returns the same result.
 */
export async function cancelRedemption(
  programId: string,
  redemptionId: string,
  deps: RedemptionDeps,
): Promise<RedemptionView> {
  const rec = await deps.redemptions.getRedemption(programId, redemptionId);
  if (!rec) throw new RedemptionNotFound(redemptionId);
  if (rec.status === 'cancelled') return redemptionView(rec);
  const now = deps.clock.now().toISOString();
  const refusal = cancellationRefusal(rec, now);
  if (refusal?.kind === 'not-cancellable') throw new RedemptionNotCancellable(redemptionId, refusal.status);
  if (refusal?.kind === 'window-closed') throw new CancellationWindowClosed(redemptionId, refusal.until);
  if (rec.code) {
    const coupon = await deps.coupons.getCoupon(programId, rec.code);
    if (coupon?.status === 'used') throw new CouponUsed(coupon.usedAt);
  }
  const { redemption, released } = await releaseRedemption(
    rec,
    { status: 'cancelled', expect: ['completed', 'awaiting-fulfilment'] },
    deps,
  );
  if (!released) {
    if (redemption.status === 'cancelled') return redemptionView(redemption);
    if (redemption.code && (await deps.coupons.getCoupon(programId, redemption.code))?.status === 'used')
      throw new CouponUsed(null);
    throw new RedemptionNotCancellable(redemptionId, redemption.status);
  }
  deps.metrics?.count('RedemptionsCancelled');
  // The cancellation is committed (the stream announces it). Stopping the execution waiting for the partner is
  // a courtesy: if it fails, that execution times out and its compensation finds nothing to release.
  if (rec.taskToken) {
    await deps.workflows
      .sendTaskFailure(rec.taskToken, SAGA_ERRORS.cancelled, 'The redemption was cancelled')
      .catch((err: unknown) => deps.onPublishError?.(err));
  }
  return redemptionView(redemption);
}

// ---------------------------------------------------------------------------------------------
// Partner fulfilment

/**
 * A partner confirms (or reports it could not fulfil) a redemption waiting for it. The
 * confirmation is recorded on the redemption, then handed to the waiting task; the state machine
 * completes the redemption (or compensates it) right after, so the answer is 202.
 */
export async function recordFulfilment(
  programId: string,
  redemptionId: string,
  input: FulfilmentInput,
  deps: RedemptionDeps,
): Promise<{ accepted: boolean; redemption: RedemptionView }> {
  let rec = await deps.redemptions.getRedemption(programId, redemptionId);
  if (!rec) throw new RedemptionNotFound(redemptionId);
  const now = deps.clock.now().toISOString();
  if (input.outcome === 'fulfilled') {
    if (rec.status === 'completed' && rec.fulfilment) return { accepted: false, redemption: redemptionView(rec) };
    if (rec.status !== 'awaiting-fulfilment' || !rec.taskToken)
      throw new RedemptionNotAwaitingFulfilment(redemptionId, rec.status);
    if (!rec.fulfilment) {
      try {
        rec = await deps.redemptions.recordPartnerFulfilment(
          rec,
          { reference: input.reference, note: input.note, confirmedAt: now },
          now,
        );
      } catch (err) {
        // Another confirmation (or a cancellation) got there first: answer from what is stored now.
        if (!(err instanceof WriteConflict)) throw err;
        rec = (await deps.redemptions.getRedemption(programId, redemptionId))!;
        if (rec.status !== 'awaiting-fulfilment' || !rec.fulfilment)
          throw new RedemptionNotAwaitingFulfilment(redemptionId, rec.status);
      }
    }
    const sent = await deps.workflows.sendTaskSuccess(rec.taskToken!, { fulfilment: rec.fulfilment });
    if (sent === 'gone') {
      const latest = (await deps.redemptions.getRedemption(programId, redemptionId))!;
      if (latest.status === 'completed') return { accepted: false, redemption: redemptionView(latest) };
      throw new RedemptionNotAwaitingFulfilment(redemptionId, latest.status);
    }
    return { accepted: true, redemption: redemptionView(rec) };
  }
  if (rec.status !== 'awaiting-fulfilment' || !rec.taskToken)
    throw new RedemptionNotAwaitingFulfilment(redemptionId, rec.status);
  const sent = await deps.workflows.sendTaskFailure(rec.taskToken, SAGA_ERRORS.fulfilmentFailed, input.reason);
  if (sent === 'gone')
    throw new RedemptionNotAwaitingFulfilment(
      redemptionId,
      (await deps.redemptions.getRedemption(programId, redemptionId))!.status,
    );
  return { accepted: true, redemption: redemptionView(rec) };
}

// ---------------------------------------------------------------------------------------------
// Coupons (partners)

function parseCode(raw: string): string {
  if (!CODE_PATTERN.test(raw.trim()))
    throw new ValidationFailed([
      { field: 'code', message: 'is not a coupon code (letters, digits and -, 4-80 characters)' },
    ]);
  return normalizeCode(raw);
}

function couponView(c: Coupon, now: string) {
  const expired = c.status === 'issued' && toMs(now) >= toMs(c.expiresAt);
  return {
    code: c.code,
    status: expired ? ('expired' as const) : c.status,
    valid: c.status === 'issued' && !expired,
    rewardId: c.rewardId,
    rewardName: c.rewardName,
    rewardType: c.rewardType,
    details: c.details,
    memberId: c.memberId,
    redemptionId: c.redemptionId,
    issuedAt: c.issuedAt,
    expiresAt: c.expiresAt,
    usedAt: c.usedAt,
    orderId: c.orderId,
  };
}

export async function checkCoupon(programId: string, rawCode: string, deps: Pick<RedemptionDeps, 'coupons' | 'clock'>) {
  const coupon = await deps.coupons.getCoupon(programId, parseCode(rawCode));
  if (!coupon) throw new CouponNotFound();
  return couponView(coupon, deps.clock.now().toISOString());
}

/** Marks a coupon used, once: a second use, an expired or a withdrawn code is a 409 saying which. */
export async function useCoupon(
  programId: string,
  rawCode: string,
  input: { orderId?: string },
  deps: Pick<RedemptionDeps, 'coupons' | 'clock'>,
) {
  const code = parseCode(rawCode);
  const now = deps.clock.now().toISOString();
  const used = await deps.coupons.useCoupon(programId, code, now, input.orderId ?? null);
  if (used) return couponView(used, now);
  const coupon = await deps.coupons.getCoupon(programId, code);
  if (!coupon) throw new CouponNotFound();
  if (coupon.status === 'used') throw new CouponUsed(coupon.usedAt);
  if (coupon.status === 'void') throw new CouponVoid();
  throw new CouponExpired(coupon.expiresAt);
}
