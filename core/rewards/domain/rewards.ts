// The rewards catalog and redemptions, decided purely: eligibility, the cost for a member's tier,
// which rewards to show a member first, whether a redemption may start, which lots a reservation
// takes (and gives back), cancellation windows, and coupon codes. No I/O; `now` and randomness
// are passed in.
import { createHash, randomBytes } from 'node:crypto';
import { endOf, type PeriodUnit, startOf, toInstant, toMs } from '../../kernel/calendar';
import type { Money } from '../../kernel/money';
import { type Activation, allocateDebit, type MemberState, settle } from '../../ledger/domain/member-state';
import type { Lot } from '../../ledger/domain/types';

// ---------------------------------------------------------------------------------------------
// Catalog

export const REWARD_TYPES = [
  'coupon-fixed',
  'coupon-percent',
  'free-shipping',
  'gift-card',
  'free-product',
  'experience',
  'donation',
] as const;
export type RewardType = (typeof REWARD_TYPES)[number];

/**
 * Instant rewards complete inside the request (Express workflow); partner rewards wait for a confirmation (Standard
 * workflow).
 */
export type FulfilmentFlow = 'instant' | 'partner';

export function fulfilmentFlow(type: RewardType): FulfilmentFlow {
  return type === 'free-product' || type === 'experience' ? 'partner' : 'instant';
}

/** Rewards delivered as a code a partner checks and marks used (GET/POST /v1/coupons/{code}). */
export function issuesCoupon(type: RewardType): boolean {
  return type === 'coupon-fixed' || type === 'coupon-percent' || type === 'free-shipping' || type === 'gift-card';
}

export type RewardDetails =
  | { type: 'coupon-fixed'; discount: Money; minimumSpend: Money | null }
  | { type: 'coupon-percent'; percent: number; maxDiscount: Money | null }
  | { type: 'free-shipping'; minimumSpend: Money | null }
  | { type: 'gift-card'; value: Money }
  | { type: 'free-product'; sku: string; productName: string | null }
  | { type: 'experience'; startsAt: string | null; venue: string | null }
  | { type: 'donation'; cause: { causeId: string; name: string }; amount: Money };

export type CodeAlphabet = 'alphanumeric' | 'numeric' | 'letters';

export interface CodeFormat {
  /** Printed before the random part, e.g. "SAVE" -> "SAVE-7KQ2-M9XD-4TRA". */
  prefix: string;
  alphabet: CodeAlphabet;
  /** Random characters (not counting the prefix and separators). */
  length: number;
  /** Random part split into groups of this size with "-" (0: one block). */
  groupSize: number;
}

export interface CouponPolicy {
  format: CodeFormat;
  /** A code is valid this many days after it is issued. */
  validityDays: number;
}

export type LimitPeriod = PeriodUnit | 'lifetime';

export interface Reward {
  rewardId: string;
  name: string;
  description: string | null;
  /** Matched against the item categories the member buys, to show them relevant rewards first. */
  category: string | null;
  type: RewardType;
  details: RewardDetails;
  /** Points per unit; `byTier` overrides it for members of those tiers. */
  cost: { points: number; byTier: Record<string, number> };
  eligibility: {
    /** Member tier must be one of these; null = any tier (or none). */
    tiers: string[] | null;
    /** Each named member attribute must equal one of the listed values (segments are attributes). */
    attributes: Record<string, (string | number | boolean)[]>;
    /** Days since enrolment. */
    minMembershipDays: number;
  };
  /** Null: unlimited. `remaining` is decremented under a condition, so it is never oversold. */
  stock: { total: number; remaining: number } | null;
  /** Per member: at most `count` units per period (in the program's time zone). */
  limit: { count: number; period: LimitPeriod } | null;
  validFrom: string | null;
  validUntil: string | null;
  /** Code format and validity, for rewards that issue a coupon. */
  coupon: CouponPolicy | null;
  /** Units per redemption request. */
  maxQuantity: number;
  /** Hours after the request during which the member may cancel (0: never). */
  cancellationWindowHours: number;
  status: 'active' | 'inactive';
  createdAt: string;
  updatedAt: string;
}

export interface MemberFacts {
  tier: string | null;
  attributes: Record<string, string | number | boolean>;
  enrolledAt: string;
}

/** Points per unit for a member of this tier. */
export function unitCost(reward: Pick<Reward, 'cost'>, tier: string | null): number {
  const forTier = tier === null ? undefined : reward.cost.byTier[tier];
  return forTier ?? reward.cost.points;
}

/** Why a reward cannot be redeemed at all right now (inactive, not yet or no longer valid), or null. */
export function unavailability(
  reward: Pick<Reward, 'status' | 'validFrom' | 'validUntil'>,
  now: string,
): string | null {
  if (reward.status !== 'active') return 'the reward is not active';
  if (reward.validFrom && toMs(now) < toMs(reward.validFrom)) return `the reward is valid from ${reward.validFrom}`;
  if (reward.validUntil && toMs(now) > toMs(reward.validUntil))
    return `the reward was valid until ${reward.validUntil}`;
  return null;
}

export interface IneligibleReason {
  rule: 'tier' | 'attribute' | 'membership-age';
  message: string;
}

/** Every eligibility rule the member does not meet (empty: eligible). */
export function ineligibility(
  reward: Pick<Reward, 'eligibility'>,
  member: MemberFacts,
  now: string,
): IneligibleReason[] {
  const reasons: IneligibleReason[] = [];
  const { tiers, attributes, minMembershipDays } = reward.eligibility;
  if (tiers && !(member.tier !== null && tiers.includes(member.tier))) {
    reasons.push({ rule: 'tier', message: `needs tier ${tiers.join(' or ')} (member: ${member.tier ?? 'none'})` });
  }
  for (const [name, allowed] of Object.entries(attributes)) {
    const value = member.attributes[name];
    if (value === undefined || !allowed.includes(value)) {
      reasons.push({
        rule: 'attribute',
        message: `needs attribute "${name}" to be ${allowed.map((v) => JSON.stringify(v)).join(' or ')}`,
      });
    }
  }
  if (minMembershipDays > 0) {
    const days = Math.floor((toMs(now) - toMs(member.enrolledAt)) / 86_400_000);
    if (days < minMembershipDays)
      reasons.push({
        rule: 'membership-age',
        message: `needs ${minMembershipDays} days of membership (member: ${Math.max(0, days)})`,
      });
  }
  return reasons;
}

/** The counter a per-member limit is kept in: one per period, named by its first instant. */
export function limitPeriod(
  period: LimitPeriod,
  now: string,
  timeZone: string,
): { key: string; endsAt: string | null } {
  if (period === 'lifetime') return { key: 'lifetime', endsAt: null };
  return { key: `${period}-${startOf(now, period, timeZone)}`, endsAt: endOf(now, period, timeZone) };
}

// ---------------------------------------------------------------------------------------------
// May this redemption start?

export type RedemptionRefusal =
  | { kind: 'unavailable'; message: string }
  | { kind: 'not-eligible'; reasons: IneligibleReason[] }
  | { kind: 'quantity'; max: number }
  | { kind: 'limit-reached'; count: number; used: number; period: LimitPeriod }
  | { kind: 'out-of-stock'; remaining: number }
  | { kind: 'insufficient-points'; needed: number; available: number };

export interface RedemptionRequestFacts {
  reward: Reward;
  member: MemberFacts & { available: number };
  quantity: number;
  /** Units already redeemed in the limit's current period (0 without a limit). */
  used: number;
  now: string;
}

/**
 * The checks done before anything is written, in the order a member would want to hear them.
 * They are advisory: the saga enforces points, stock and limits again under conditions, so a
 * race between two requests can still end one of them `failed` (with nothing lost).
 */
export function checkRedemption(
  f: RedemptionRequestFacts,
): { ok: true; unitPoints: number; points: number } | { ok: false; refusal: RedemptionRefusal } {
  const { reward, member, quantity, now } = f;
  const unavailable = unavailability(reward, now);
  if (unavailable) return { ok: false, refusal: { kind: 'unavailable', message: unavailable } };
  const reasons = ineligibility(reward, member, now);
  if (reasons.length) return { ok: false, refusal: { kind: 'not-eligible', reasons } };
  if (quantity > reward.maxQuantity) return { ok: false, refusal: { kind: 'quantity', max: reward.maxQuantity } };
  if (reward.limit && f.used + quantity > reward.limit.count) {
    return {
      ok: false,
      refusal: { kind: 'limit-reached', count: reward.limit.count, used: f.used, period: reward.limit.period },
    };
  }
  if (reward.stock && reward.stock.remaining < quantity)
    return { ok: false, refusal: { kind: 'out-of-stock', remaining: reward.stock.remaining } };
  const unitPoints = unitCost(reward, member.tier);
  const points = unitPoints * quantity;
  if (member.available < points)
    return { ok: false, refusal: { kind: 'insufficient-points', needed: points, available: member.available } };
  return { ok: true, unitPoints, points };
}

// ---------------------------------------------------------------------------------------------
// What to show a member first

export interface Affinity {
  /** Units bought per item category (recent purchases). */
  categories: Record<string, number>;
  /** Redemptions per reward id, and per reward category. */
  rewards: Record<string, number>;
  rewardCategories: Record<string, number>;
}

export const NO_AFFINITY: Affinity = Object.freeze({ categories: {}, rewards: {}, rewardCategories: {} }) as Affinity;

/**
 * 0..2: the share of the member's purchases in the reward's category (0..1), plus 1 if they
 * redeemed this reward before or 0.5 if they redeemed another reward of its category.
 */
export function affinityScore(reward: Pick<Reward, 'rewardId' | 'category'>, a: Affinity): number {
  const bought = Object.values(a.categories).reduce((s, n) => s + n, 0);
  const share = reward.category && bought > 0 ? (a.categories[reward.category] ?? 0) / bought : 0;
  const redeemed =
    (a.rewards[reward.rewardId] ?? 0) > 0
      ? 1
      : reward.category && (a.rewardCategories[reward.category] ?? 0) > 0
        ? 0.5
        : 0;
  return share + redeemed;
}

export interface RankedReward {
  reward: Reward;
  /** Points per unit for this member. */
  cost: number;
  pointsNeeded: number;
  affordable: boolean;
  affinity: number;
}

/**
 * The rewards a member may redeem, in the order to show them: affordable now first (the ones
 * they are most drawn to first, then the cheaper), then the rest by how close they are, where
 * affinity shortens the distance by up to a half (a favourite 100 points away comes before an
 * unrelated reward 60 points away). Rewards the member is not eligible for, that are not
 * available, out of stock or at their limit are left out.
 */
export function rankRewards(
  rewards: readonly Reward[],
  member: MemberFacts & { available: number },
  affinity: Affinity,
  usedOf: (reward: Reward) => number,
  now: string,
): RankedReward[] {
  const ranked: RankedReward[] = [];
  for (const reward of rewards) {
    if (unavailability(reward, now) || ineligibility(reward, member, now).length) continue;
    if (reward.stock && reward.stock.remaining < 1) continue;
    if (reward.limit && usedOf(reward) >= reward.limit.count) continue;
    const cost = unitCost(reward, member.tier);
    const pointsNeeded = Math.max(0, cost - member.available);
    ranked.push({
      reward,
      cost,
      pointsNeeded,
      affordable: pointsNeeded === 0,
      affinity: affinityScore(reward, affinity),
    });
  }
  const distance = (r: RankedReward) => r.pointsNeeded * (1 - r.affinity / 4);
  return ranked.sort((a, b) => {
    if (a.affordable !== b.affordable) return a.affordable ? -1 : 1;
    const byPreference = a.affordable
      ? b.affinity - a.affinity || a.cost - b.cost
      : distance(a) - distance(b) || b.affinity - a.affinity;
    return (
      byPreference || a.reward.name.localeCompare(b.reward.name) || a.reward.rewardId.localeCompare(b.reward.rewardId)
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Points: reserve (debit nearest-expiring lots first) and give back

/** A lot a reservation took points from; giving them back restores that lot, so they keep its expiry. */
export interface ReservedLot {
  lotId: string;
  points: number;
  expiresAt: string | null;
  availableAt: string;
  earnedAt: string;
}

export interface LotChange {
  lot: Lot;
  /** Points taken from the lot; negative gives points back. */
  take: number;
  activated?: boolean;
}

export interface PointsPlan {
  state: MemberState;
  lots: ReservedLot[];
  lotChanges: LotChange[];
  activations: Activation[];
}

/** The lot item an activation touches (its sort key holds the expiry). */
function activationLot(a: Activation, stored: Lot | undefined): Lot {
  return (
    stored ?? {
      lotId: a.lot.lotId,
      amount: a.lot.points,
      remaining: a.lot.points,
      earnedAt: a.lot.availableAt,
      availableAt: a.lot.availableAt,
      expiresAt: a.lot.expiresAt,
      source: 'purchase',
      reason: '',
    }
  );
}

/** One change per lot: a transaction may touch an item once. */
function mergeChanges(changes: LotChange[]): LotChange[] {
  const byLot = new Map<string, LotChange>();
  for (const c of changes) {
    const prev = byLot.get(c.lot.lotId);
    byLot.set(
      c.lot.lotId,
      prev ? { lot: prev.lot, take: prev.take + c.take, activated: !!(prev.activated || c.activated) } : c,
    );
  }
  return [...byLot.values()];
}

/**
 * Matured pending lots a redemption write activates on the way (the rest mature in later writes):
 * with at most MAX_LOTS_PER_REDEMPTION lots reserved (or given back) and the redemption's own items,
 * a reservation or a release stays below DynamoDB's 100 items per transaction.
 */
export const REDEMPTION_ACTIVATIONS = 10;
export const MAX_LOTS_PER_REDEMPTION = 80;

/**
 * Takes `points` from the member: matured pending points are settled first (persisted in the same
 * write), then spendable lots are debited nearest-expiry first. Refused when the available
 * balance (or, defensively, the lots) cannot cover it.
 */
export function planPointsReservation(
  state: MemberState,
  lots: readonly Lot[],
  points: number,
  now: string,
): { ok: true; plan: PointsPlan } | { ok: false; needed: number; available: number } {
  if (!Number.isSafeInteger(points) || points <= 0) throw new RangeError('points must be a positive integer');
  const { state: settled, activations } = settle(state, now, REDEMPTION_ACTIVATIONS);
  if (settled.available < points) return { ok: false, needed: points, available: Math.max(0, settled.available) };
  const repaid = new Map(activations.map((a) => [a.lot.lotId, a.repaid]));
  const current = lots.map((l) => (repaid.get(l.lotId) ? { ...l, remaining: l.remaining - repaid.get(l.lotId)! } : l));
  const { allocations, shortfall } = allocateDebit(current, points, now);
  if (shortfall > 0) return { ok: false, needed: points, available: points - shortfall };
  const byId = new Map(lots.map((l) => [l.lotId, l]));
  const lotChanges = mergeChanges([
    ...activations.map((a) => ({ lot: activationLot(a, byId.get(a.lot.lotId)), take: a.repaid, activated: true })),
    ...allocations.map((a) => ({ lot: byId.get(a.lot.lotId)!, take: a.points })),
  ]).filter((c) => c.take !== 0 || c.activated);
  return {
    ok: true,
    plan: {
      // Spending is not earning activity: it does not postpone an inactivity expiry.
      state: { ...settled, available: settled.available - points },
      lots: allocations.map((a) => ({
        lotId: a.lot.lotId,
        points: a.points,
        expiresAt: a.lot.expiresAt,
        availableAt: a.lot.availableAt,
        earnedAt: a.lot.earnedAt,
      })),
      lotChanges,
      activations,
    },
  };
}

/** Gives reserved points back to the very lots they came from (so they keep their expiry). */
export function planPointsRelease(state: MemberState, reserved: readonly ReservedLot[], now: string): PointsPlan {
  const { state: settled, activations } = settle(state, now, REDEMPTION_ACTIVATIONS);
  const points = reserved.reduce((s, l) => s + l.points, 0);
  const giveBack = reserved.map((l) => ({
    // `remaining` only places the lot in the expiry index; the write adds the points to what is stored.
    lot: {
      lotId: l.lotId,
      amount: l.points,
      remaining: 0,
      earnedAt: l.earnedAt,
      availableAt: l.availableAt,
      expiresAt: l.expiresAt,
      source: 'redemption' as const,
      reason: '',
    },
    take: -l.points,
  }));
  return {
    state: { ...settled, available: settled.available + points },
    lots: [...reserved],
    lotChanges: mergeChanges([
      ...activations.map((a) => ({ lot: activationLot(a, undefined), take: a.repaid, activated: true })),
      ...giveBack,
    ]).filter((c) => c.take !== 0 || c.activated),
    activations,
  };
}

// ---------------------------------------------------------------------------------------------
// Redemptions

export type RedemptionStatus = 'pending' | 'awaiting-fulfilment' | 'completed' | 'failed' | 'cancelled';
export const OPEN_STATUSES: readonly RedemptionStatus[] = ['pending', 'awaiting-fulfilment'];

/** Why a redemption failed (documented in docs/rewards-and-redemptions.md); the API's schema lists the same. */
export const FAILURE_REASONS = [
  'insufficient-points',
  'out-of-stock',
  'limit-reached',
  'fulfilment-failed',
  'fulfilment-timed-out',
  'too-many-lots',
  'abandoned',
  'internal-error',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/**
 * The facts a redemption fixes when it is requested; the saga works from these, so a later catalog edit does not
 * change it.
 */
export interface RedemptionSnapshot {
  programId: string;
  redemptionId: string;
  memberId: string;
  rewardId: string;
  rewardName: string;
  rewardType: RewardType;
  details: RewardDetails;
  category: string | null;
  flow: FulfilmentFlow;
  quantity: number;
  unitPoints: number;
  points: number;
  stockTracked: boolean;
  limit: { count: number; period: LimitPeriod; periodKey: string; endsAt: string | null } | null;
  coupon: CouponPolicy | null;
  donation: { causeId: string; causeName: string; amount: Money } | null;
  cancellationWindowHours: number;
  createdAt: string;
  correlationId: string | null;
  /**
   * What the redemption already held when its saga was started, as its record said (a request reserves the points
   * and the stock when it creates the redemption): the steps that would reserve them do nothing, without a read.
   * Given to the saga, never stored.
   */
  reserved?: { transactionId: string; stock: number };
}

export interface Redemption extends RedemptionSnapshot {
  status: RedemptionStatus;
  updatedAt: string;
  idempotencyKey: string;
  fingerprint: string;
  reservation?: { transactionId: string; points: number; lots: ReservedLot[]; at: string };
  stockReserved?: number;
  code?: string;
  codeExpiresAt?: string;
  receipt?: string;
  fulfilledAt?: string;
  fulfilment?: { reference: string | null; note: string | null; confirmedAt: string };
  completedAt?: string;
  failedAt?: string;
  cancelledAt?: string;
  failure?: { reason: FailureReason; message: string };
  release?: { transactionId: string; points: number; at: string };
  stockReleased?: number;
  taskToken?: string;
  /** While open: when the sweeper closes it if it is still in this status (domain/sweep.ts). */
  sweepAt?: string;
}

/** Same Idempotency-Key, same request: the reward and the quantity. */
export function redemptionFingerprint(req: { rewardId: string; quantity: number }): string {
  return createHash('sha256')
    .update(JSON.stringify([req.rewardId, req.quantity]))
    .digest('base64url');
}

export function cancellableUntil(r: Pick<Redemption, 'createdAt' | 'cancellationWindowHours'>): string | null {
  return r.cancellationWindowHours > 0 ? toInstant(toMs(r.createdAt) + r.cancellationWindowHours * 3_600_000) : null;
}

export type CancellationRefusal =
  | { kind: 'window-closed'; until: string | null }
  | { kind: 'not-cancellable'; status: RedemptionStatus };

/** Completed redemptions and those waiting for a partner may be cancelled within the reward's window. */
export function cancellationRefusal(
  r: Pick<Redemption, 'status' | 'createdAt' | 'cancellationWindowHours'>,
  now: string,
): CancellationRefusal | null {
  if (r.status !== 'completed' && r.status !== 'awaiting-fulfilment')
    return { kind: 'not-cancellable', status: r.status };
  const until = cancellableUntil(r);
  if (!until || toMs(now) > toMs(until)) return { kind: 'window-closed', until };
  return null;
}

// ---------------------------------------------------------------------------------------------
// The saga's contract with its state machines (infra/constructs/redemptions.ts)

/** What each task of the state machines asks the step function to do. */
export const SAGA_STEPS = [
  'reservePoints',
  'reserveStock',
  'issue',
  'awaitFulfilment',
  'confirm',
  'compensate',
] as const;
export type SagaStep = (typeof SAGA_STEPS)[number];

/**
 * Error names the step function raises (Lambda's errorType). Business refusals are not retried
 * and go straight to the compensation; `TransientError` (throttling, contention, anything
 * unexpected) is retried with backoff first. `FulfilmentFailed` and `RedemptionCancelled` are sent
 * by the API with SendTaskFailure to a redemption waiting for its partner.
 */
export const SAGA_ERRORS = {
  insufficientPoints: 'InsufficientPoints',
  outOfStock: 'OutOfStock',
  limitReached: 'RedemptionLimitReached',
  closed: 'RedemptionClosed',
  notFound: 'RedemptionNotFound',
  fulfilmentFailed: 'FulfilmentFailed',
  cancelled: 'RedemptionCancelled',
  transient: 'TransientError',
  tooManyLots: 'TooManyLots',
} as const;

/** The reason a failed redemption records, from the error that stopped its saga. */
/**
 * The problem a failed redemption answers with, by its failure reason (the registry's slugs): a
 * business refusal says what stood in the way; anything else failed for a transient reason.
 */
export const FAILURE_PROBLEMS: Readonly<Partial<Record<FailureReason, string>>> = {
  'insufficient-points': 'insufficient-points',
  'out-of-stock': 'out-of-stock',
  'limit-reached': 'redemption-limit-reached',
  'too-many-lots': 'too-many-lots',
};

export function failureReason(error: string, awaitingPartner: boolean): FailureReason {
  switch (error) {
    case SAGA_ERRORS.insufficientPoints:
      return 'insufficient-points';
    case SAGA_ERRORS.outOfStock:
      return 'out-of-stock';
    case SAGA_ERRORS.limitReached:
      return 'limit-reached';
    case SAGA_ERRORS.fulfilmentFailed:
      return 'fulfilment-failed';
    case SAGA_ERRORS.tooManyLots:
      return 'too-many-lots';
    case 'States.Timeout':
    case 'States.HeartbeatTimeout':
      return awaitingPartner ? 'fulfilment-timed-out' : 'internal-error';
    default:
      return 'internal-error';
  }
}

// ---------------------------------------------------------------------------------------------
// Codes

/** Crockford's base32 (no I, L, O, U), digits, and letters without I and O: nothing to misread. */
export const CODE_ALPHABETS: Record<CodeAlphabet, string> = {
  alphanumeric: '0123456789ABCDEFGHJKMNPQRSTVWXYZ',
  numeric: '0123456789',
  letters: 'ABCDEFGHJKLMNPQRSTUVWXYZ',
};

/**
 * A code must carry at least this much randomness: guessing one among a million issued takes ~2^20 tries per hit at
 * 40 bits.
 */
export const MIN_CODE_BITS = 40;
export const MAX_CODE_LENGTH = 32;
/** What a code in a URL may look like (before it is looked up). */
export const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{3,79}$/;

export function codeEntropyBits(format: Pick<CodeFormat, 'alphabet' | 'length'>): number {
  return format.length * Math.log2(CODE_ALPHABETS[format.alphabet].length);
}

export const DEFAULT_CODE_FORMAT: CodeFormat = Object.freeze({
  prefix: '',
  alphabet: 'alphanumeric',
  length: 12,
  groupSize: 4,
}) as CodeFormat;

/** Codes are stored and compared upper-case; partners may type them in any case. */
export function normalizeCode(code: string): string {
  return code.trim().toUpperCase();
}

/**
 * A code in the reward's format from cryptographic randomness, each character drawn uniformly
 * (rejection sampling: no modulo bias). Uniqueness is the store's job (a conditional put).
 */
export function generateCode(format: CodeFormat, random: (n: number) => Uint8Array = randomBytes): string {
  const alphabet = CODE_ALPHABETS[format.alphabet];
  const limit = 256 - (256 % alphabet.length);
  let body = '';
  while (body.length < format.length) {
    for (const byte of random(format.length * 2)) {
      if (byte >= limit) continue;
      body += alphabet[byte % alphabet.length];
      if (body.length === format.length) break;
    }
  }
  const groups = format.groupSize > 0 ? body.match(new RegExp(`.{1,${format.groupSize}}`, 'g'))! : [body];
  return [format.prefix, ...groups].filter(Boolean).join('-');
}
