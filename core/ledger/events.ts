// Events the ledger publishes. Each detail is `{ metadata, data }`; `data` is validated before it is sent.
import * as z from 'zod';
import type { EventDefinition } from '../kernel/events';

/** Balances after the change. */
export const balancesSchema = z.object({
  available: z.number().int(),
  pending: z.number().int(),
  lifetimeEarned: z.number().int(),
});
export const breakdownLineSchema = z.object({
  rule: z.string(),
  ruleId: z.string(),
  version: z.number().int(),
  description: z.string(),
  points: z.number().int(),
});

export const MemberEnrolled = {
  detailType: 'Member Enrolled',
  version: 1,
  description: 'A member joined the program, through the API or by a first purchase.',
  schema: z.object({ memberId: z.string(), via: z.enum(['api', 'purchase']) }),
} as const satisfies EventDefinition;

export const PointsActivated = {
  detailType: 'Points Activated',
  version: 1,
  description: 'Pending points whose return window ended became available.',
  schema: z.object({
    memberId: z.string(),
    lotId: z.string(),
    points: z.number().int().nonnegative(),
    availableAt: z.string(),
  }),
} as const satisfies EventDefinition;

export const PointsAdjusted = {
  detailType: 'Points Adjusted',
  version: 1,
  description: "An operator credited (positive points) or debited (negative) a member's points by hand, with a reason.",
  schema: z.object({
    memberId: z.string(),
    transactionId: z.string(),
    points: z.number().int(),
    reason: z.string(),
    /** Points the debit could not take from the balance: the member's debt grew by this. */
    debt: z.number().int().nonnegative(),
    by: z.object({ keyId: z.string(), role: z.string().nullable() }),
    balances: balancesSchema,
  }),
} as const satisfies EventDefinition;
