// Admin input of a tier set (PUT /v1/admin/tiers): every rule the tiers domain relies on, checked here.
import * as z from 'zod';
import { Attributes } from '../kernel/schemas';
import { DEFAULT_REVIEW_POLICY, MAX_ROLLING_MONTHS, MAX_TIERS, MIN_TIERS } from './domain/tiers';

const hasAtMostTwoDecimals = (n: number): boolean => Math.abs(n * 100 - Math.round(n * 100)) < 1e-9;

export const TierInput = z.object({
  id: z
    .string({ error: 'tier id is required' })
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/,
      'tier id must be 1-40 letters, digits, "-" or "_", starting with a letter or digit',
    ),
  name: z
    .string({ error: 'tier name is required' })
    .trim()
    .min(1, 'tier name must not be empty')
    .max(60, 'tier name must be at most 60 characters'),
  threshold: z
    .int({ error: 'threshold must be a whole number (points, or spend in minor units)' })
    .min(0, 'threshold must not be negative'),
  multiplier: z
    .number({ error: 'multiplier must be a number' })
    .positive('multiplier must be greater than 0')
    .max(100, 'multiplier must be at most 100')
    .refine(hasAtMostTwoDecimals, 'multiplier must have at most 2 decimal places')
    .default(1),
  attributes: Attributes.default({}),
});

export const TierWindowInput = z.discriminatedUnion(
  'kind',
  [
    z.object({
      kind: z.literal('rolling'),
      months: z
        .int({ error: 'rolling window months must be a whole number' })
        .min(1, 'rolling window must be at least 1 month')
        .max(MAX_ROLLING_MONTHS, `rolling window must be at most ${MAX_ROLLING_MONTHS} months`),
    }),
    z.object({
      kind: z.literal('calendar'),
      period: z.enum(['month', 'quarter', 'year'], {
        error: 'calendar window period must be "month", "quarter" or "year"',
      }),
    }),
  ],
  { error: 'window.kind must be "rolling" or "calendar"' },
);

export const TierReviewPolicyInput = z.object({
  graceUntilEndOfNextPeriod: z.boolean({ error: 'graceUntilEndOfNextPeriod must be true or false' }).default(true),
  dropMode: z
    .enum(['one-tier', 'to-qualifying'], { error: 'dropMode must be "one-tier" or "to-qualifying"' })
    .default('one-tier'),
});

export const TierSetInput = z
  .object({
    metric: z.enum(['points', 'spend'], { error: 'metric must be "points" or "spend"' }),
    window: TierWindowInput,
    review: TierReviewPolicyInput.default({ ...DEFAULT_REVIEW_POLICY }),
    tiers: z
      .array(TierInput, { error: 'tiers must be a list' })
      .min(MIN_TIERS, `a tier set needs at least ${MIN_TIERS} tiers`)
      .max(MAX_TIERS, `a tier set has at most ${MAX_TIERS} tiers`),
  })
  .superRefine((set, ctx) => {
    const first = set.tiers[0];
    if (first && first.threshold !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['tiers', 0, 'threshold'],
        message: `the first tier is the entry tier and must have threshold 0 (got ${first.threshold})`,
      });
    }
    const seen = new Map<string, number>();
    set.tiers.forEach((tier, i) => {
      const earlier = seen.get(tier.id);
      if (earlier !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['tiers', i, 'id'],
          message: `tier id "${tier.id}" is used more than once (tiers ${earlier} and ${i})`,
        });
      } else seen.set(tier.id, i);
      const previous = set.tiers[i - 1];
      if (previous && tier.threshold <= previous.threshold) {
        ctx.addIssue({
          code: 'custom',
          path: ['tiers', i, 'threshold'],
          message:
            `thresholds must be strictly increasing: tier "${tier.id}" (${tier.threshold}) must be above ` +
            `tier "${previous.id}" (${previous.threshold})`,
        });
      }
    });
  });

export type TierSetInputType = z.input<typeof TierSetInput>;

// Outputs. A stored tier set is what TierSetInput parsed (defaults filled), so its output side describes it.

export const TierSetView = TierSetInput.meta({
  id: 'TierSetView',
  description: 'Tiers from the entry tier (threshold 0) upwards, the window they qualify on and how reviews drop them',
});

export const TierSetResult = z.strictObject({ tierSet: TierSetView }).meta({ id: 'TierSetResult' });
