// Events of tiers.
import * as z from 'zod';
import type { EventDefinition } from '../kernel/events';

export const TierChanged = {
  detailType: 'Tier Changed',
  version: 1,
  description: 'A member moved up (immediately, on the earn that qualified) or down (at a review) a tier.',
  schema: z.object({
    memberId: z.string(),
    from: z.string().nullable(),
    to: z.string(),
    direction: z.enum(['up', 'down']),
    reason: z.string(),
  }),
} as const satisfies EventDefinition;

export const TierDowngradeWarning = {
  detailType: 'Tier Downgrade Warning',
  version: 1,
  description: 'A member would drop a tier at the coming review as things stand, with what keeping it still takes.',
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
} as const satisfies EventDefinition;
