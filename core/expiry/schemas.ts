// Admin input of an expiry policy (PUT /v1/admin/expiry-policy).
import * as z from 'zod';
import { daysInMonth } from '../kernel/calendar';
import { MAX_EXPIRY_MONTHS } from './domain/expiry';

const monthsField = (what: string) =>
  z
    .int({ error: `${what} months must be a whole number` })
    .min(1, `${what} months must be at least 1`)
    .max(MAX_EXPIRY_MONTHS, `${what} months must be at most ${MAX_EXPIRY_MONTHS}`);

export const ExpiryPolicyInput = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('none') }),
    z.object({
      kind: z.literal('after-earning'),
      months: monthsField('after-earning'),
      roundUpTo: z
        .enum(['month', 'quarter', 'year'], { error: 'roundUpTo must be "month", "quarter" or "year"' })
        .optional(),
    }),
    z
      .object({
        kind: z.literal('fixed-date'),
        month: z
          .int({ error: 'month must be a whole number' })
          .min(1, 'month must be 1-12')
          .max(12, 'month must be 1-12'),
        day: z.int({ error: 'day must be a whole number' }).min(1, 'day must be 1-31').max(31, 'day must be 1-31'),
        yearsAfter: z
          .int({ error: 'yearsAfter must be a whole number' })
          .min(0, 'yearsAfter must not be negative')
          .max(10, 'yearsAfter must be at most 10')
          .default(0),
      })
      .superRefine((v, ctx) => {
        // Validated against a leap year: Feb 29 is allowed and falls on Feb 28 in other years.
        if (v.day > daysInMonth(2000, v.month)) {
          ctx.addIssue({ code: 'custom', path: ['day'], message: `month ${v.month} has no day ${v.day}` });
        }
      }),
    z.object({ kind: z.literal('inactivity'), months: monthsField('inactivity') }),
  ],
  { error: 'kind must be "none", "after-earning", "fixed-date" or "inactivity"' },
);

// Outputs. A stored policy is what ExpiryPolicyInput parsed (defaults filled), so its output side describes it.

export const ExpiryPolicyView = ExpiryPolicyInput.meta({
  id: 'ExpiryPolicyView',
  description: 'When points expire: never, months after earning, on a fixed date, or after months without earning',
});

export const ExpiryPolicyResult = z.strictObject({ expiryPolicy: ExpiryPolicyView }).meta({ id: 'ExpiryPolicyResult' });
