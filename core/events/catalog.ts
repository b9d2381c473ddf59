import { z } from 'zod';

/** Events we emit. Each detail is `{ metadata, data }`; `data` is validated before it is sent. */
export const EVENT_SOURCE = 'loyalty.ledger';

const balances = z.object({ available: z.number().int(), pending: z.number().int(), lifetimeEarned: z.number().int() });
const breakdownLine = z.object({ rule: z.string(), ruleId: z.string(), version: z.number().int(), description: z.string(), points: z.number().int() });

export const PointsEarned = {
  detailType: 'Points Earned',
  version: 1,
  schema: z.object({
    memberId: z.string(),
    transactionId: z.string(),
    orderId: z.string().optional(),
    points: z.number().int().nonnegative(),
    status: z.enum(['credited', 'pending']),
    breakdown: z.array(breakdownLine),
    eventId: z.string().optional(),
    source: z.string().optional(),
    balances: balances.optional(),
  }),
} as const;

export const PointsActivated = {
  detailType: 'Points Activated',
  version: 1,
  schema: z.object({ memberId: z.string(), lotId: z.string(), points: z.number().int().nonnegative(), availableAt: z.string() }),
} as const;

export const PointsReversed = {
  detailType: 'Points Reversed',
  version: 1,
  schema: z.object({
    memberId: z.string(),
    transactionId: z.string(),
    orderId: z.string(),
    returnId: z.string(),
    points: z.number().int().nonnegative(),
    fromOrder: z.number().int().nonnegative(),
    fromOtherPoints: z.number().int().nonnegative(),
    forgiven: z.number().int().nonnegative(),
    debt: z.number().int().nonnegative(),
    balances,
  }),
} as const;

export const TierChanged = {
  detailType: 'Tier Changed',
  version: 1,
  schema: z.object({ memberId: z.string(), from: z.string().nullable(), to: z.string(), direction: z.enum(['up', 'down']), reason: z.string() }),
} as const;

export const MemberEnrolled = {
  detailType: 'Member Enrolled',
  version: 1,
  schema: z.object({ memberId: z.string(), via: z.enum(['api', 'purchase']) }),
} as const;

export interface EventDefinition<S extends z.ZodType> {
  readonly detailType: string;
  readonly version: number;
  readonly schema: S;
}

// --- Rewards and redemptions (redemption saga). Codes are bearer secrets: events never carry them.

const money = z.object({ amount: z.number().int(), currency: z.string() });

export const RewardRedeemed = {
  detailType: 'Reward Redeemed',
  version: 1,
  schema: z.object({
    memberId: z.string(),
    redemptionId: z.string(),
    rewardId: z.string(),
    rewardType: z.string(),
    quantity: z.number().int().positive(),
    points: z.number().int().positive(),
    transactionId: z.string(),
    codeIssued: z.boolean(),
    donation: z.object({ causeId: z.string(), causeName: z.string(), amount: money }).optional(),
    fulfilmentReference: z.string().optional(),
  }),
} as const;

export const RedemptionFailed = {
  detailType: 'Redemption Failed',
  version: 1,
  schema: z.object({
    memberId: z.string(),
    redemptionId: z.string(),
    rewardId: z.string(),
    reason: z.string(),
    message: z.string(),
    pointsReturned: z.number().int().nonnegative(),
    stockReturned: z.number().int().nonnegative(),
  }),
} as const;

export const RedemptionCancelled = {
  detailType: 'Redemption Cancelled',
  version: 1,
  schema: z.object({
    memberId: z.string(),
    redemptionId: z.string(),
    rewardId: z.string(),
    pointsReturned: z.number().int().nonnegative(),
    stockReturned: z.number().int().nonnegative(),
    transactionId: z.string().optional(),
  }),
} as const;

// --- Tiers and expiry (scheduled jobs). Each is recorded in an outbox item in the same
// transaction as its effect (or its send-once guard) and keeps its eventId when re-published.

export const PointsExpired = {
  detailType: 'Points Expired',
  version: 1,
  schema: z.object({
    memberId: z.string(),
    transactionId: z.string(),
    points: z.number().int().positive(),
    /** `expiry-date`: the lots reached their expiresAt; `inactivity`: no earning for the policy's months. */
    reason: z.enum(['expiry-date', 'inactivity']),
    lots: z.array(z.object({ lotId: z.string(), points: z.number().int().positive(), expiresAt: z.string().nullable() })),
    balances,
  }),
} as const;

export const PointsExpiring = {
  detailType: 'Points Expiring',
  version: 1,
  schema: z.object({
    memberId: z.string(),
    /** Stable per member and expiry instant and lead time: each notice is sent once. */
    noticeId: z.string(),
    expiresAt: z.string(),
    daysBefore: z.number().int().positive(),
    points: z.number().int().positive(),
    reason: z.enum(['expiry-date', 'inactivity']),
  }),
} as const;

export const TierDowngradeWarning = {
  detailType: 'Tier Downgrade Warning',
  version: 1,
  schema: z.object({
    memberId: z.string(),
    warningId: z.string(),
    tierId: z.string(),
    wouldDropTo: z.string(),
    reviewAt: z.string(),
    daysBefore: z.number().int().positive(),
    metric: z.enum(['points', 'spend']),
    qualifyingValue: z.number().int(),
    /** Points, or spend in minor units, still needed before reviewAt to keep tierId. */
    needed: z.number().int().nonnegative(),
  }),
} as const;
