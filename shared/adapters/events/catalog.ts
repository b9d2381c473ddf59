import { z } from 'zod';

/** Events we emit. Each detail is `{ metadata, data }`; `data` is validated before it is sent. */
export const EVENT_SOURCE = 'loyalty.ledger';

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
    balances: z.object({ available: z.number().int(), pending: z.number().int(), lifetimeEarned: z.number().int() }).optional(),
  }),
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
