// Events of earning and returns.
import * as z from 'zod';
import type { EventDefinition } from '../kernel/events';
import { balancesSchema, breakdownLineSchema } from '../ledger/events';

export const PointsEarned = {
  detailType: 'Points Earned',
  version: 1,
  description:
    'Points credited for a purchase, an engagement event or a referral, with the rule-by-rule breakdown and the ' +
    'new balances.',
  schema: z.object({
    memberId: z.string(),
    transactionId: z.string(),
    orderId: z.string().optional(),
    points: z.number().int().nonnegative(),
    status: z.enum(['credited', 'pending']),
    breakdown: z.array(breakdownLineSchema),
    eventId: z.string().optional(),
    source: z.string().optional(),
    balances: balancesSchema.optional(),
  }),
} as const satisfies EventDefinition;

export const PointsReversed = {
  detailType: 'Points Reversed',
  version: 1,
  description: 'A return took points back: from the order, from other points, or as debt; what was forgiven.',
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
    balances: balancesSchema,
  }),
} as const satisfies EventDefinition;
