// Events of redemptions. Codes are bearer secrets: events never carry them.
import * as z from 'zod';
import type { EventDefinition } from '../kernel/events';

const money = z.object({ amount: z.number().int(), currency: z.string() });

export const RewardRedeemed = {
  detailType: 'Reward Redeemed',
  version: 1,
  description: 'A redemption completed: the points are spent and the reward issued (codes never travel in events).',
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
} as const satisfies EventDefinition;

export const RedemptionFailed = {
  detailType: 'Redemption Failed',
  version: 1,
  description: 'A redemption failed and everything it held (points, stock, limit) was given back.',
  schema: z.object({
    memberId: z.string(),
    redemptionId: z.string(),
    rewardId: z.string(),
    reason: z.string(),
    message: z.string(),
    pointsReturned: z.number().int().nonnegative(),
    stockReturned: z.number().int().nonnegative(),
  }),
} as const satisfies EventDefinition;

export const RedemptionCancelled = {
  detailType: 'Redemption Cancelled',
  version: 1,
  description: 'A redemption was cancelled within its window; points and stock went back.',
  schema: z.object({
    memberId: z.string(),
    redemptionId: z.string(),
    rewardId: z.string(),
    pointsReturned: z.number().int().nonnegative(),
    stockReturned: z.number().int().nonnegative(),
    transactionId: z.string().optional(),
  }),
} as const satisfies EventDefinition;
