// Events of expiry: each is recorded in an outbox item in the same transaction as its effect (or
// its send-once guard) and keeps its eventId when re-published.
import * as z from 'zod';
import type { EventDefinition } from '../kernel/events';
import { balancesSchema } from '../ledger/events';

export const PointsExpired = {
  detailType: 'Points Expired',
  version: 1,
  description:
    'Points expired: their lots reached their expiry date, or the member was inactive too long. One per member per ' +
    'run.',
  schema: z.object({
    memberId: z.string(),
    transactionId: z.string(),
    points: z.number().int().positive(),
    /** `expiry-date`: the lots reached their expiresAt; `inactivity`: no earning for the policy's months. */
    reason: z.enum(['expiry-date', 'inactivity']),
    lots: z.array(
      z.object({ lotId: z.string(), points: z.number().int().positive(), expiresAt: z.string().nullable() }),
    ),
    balances: balancesSchema,
  }),
} as const satisfies EventDefinition;

export const PointsExpiring = {
  detailType: 'Points Expiring',
  version: 1,
  description: 'Points will expire soon (sent 30 and 7 days before by default), once per expiry and lead time.',
  schema: z.object({
    memberId: z.string(),
    /** Stable per member and expiry instant and lead time: each notice is sent once. */
    noticeId: z.string(),
    expiresAt: z.string(),
    daysBefore: z.number().int().positive(),
    points: z.number().int().positive(),
    reason: z.enum(['expiry-date', 'inactivity']),
  }),
} as const satisfies EventDefinition;
