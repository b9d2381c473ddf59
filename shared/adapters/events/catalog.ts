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
