import { z } from 'zod';
import { AttributeValue, PageQuery } from '../kernel/schemas';

export const MemberInput = z.strictObject({
  email: z.email('must be an email address').max(254).nullable().optional(),
  name: z.string().min(1).max(200).nullable().optional(),
  birthDate: z.iso
    .date('must be a date YYYY-MM-DD')
    .refine((d) => d >= '1900-01-01' && d <= new Date().toISOString().slice(0, 10), 'must be a past date after 1900')
    .nullable()
    .optional(),
  attributes: z
    .record(
      z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'attribute names are 1-64 letters, digits, _ . -'),
      AttributeValue,
    )
    .refine((r) => Object.keys(r).length <= 50, 'at most 50 attributes')
    .nullable()
    .optional(),
  /** The referral code of the member who referred this one (only before the first purchase). */
  referralCode: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{8}$/, 'must be an 8-character referral code').optional(),
});
export type MemberInput = z.infer<typeof MemberInput>;

export const TransactionsQuery = PageQuery;
