import { z } from 'zod';
import { CLIENT_ID_PATTERN, CLIENT_ID_RULE } from './ids';
import { isKnownCurrency } from './currency';

/** Input contracts shared by the HTTP API and the event bus consumers. */
export const ClientId = z.string().regex(CLIENT_ID_PATTERN, `must be ${CLIENT_ID_RULE}`);

const MAX_MINOR = 1_000_000_000_000; // 10^12 minor units: far above any real basket, far below 2^53

export const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 code such as USD', abort: true })
  .refine(isKnownCurrency, 'is not an ISO 4217 currency');

export const Timestamp = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time with a time zone, e.g. 2026-11-23T10:00:00Z' });

export const PurchaseItem = z.strictObject({
  sku: z.string().min(1).max(128),
  quantity: z.number().int('must be a whole number').min(1).max(100_000),
  unitPrice: z.number().int('must be in minor units (an integer)').min(0).max(MAX_MINOR),
  category: z.string().min(1).max(128).optional(),
});

export const PurchaseInput = z.strictObject({
  orderId: ClientId,
  memberId: ClientId,
  occurredAt: Timestamp,
  currency: Currency,
  amount: z.number().int('must be in minor units (an integer, e.g. 1299 for 12.99)').min(0).max(MAX_MINOR),
  items: z.array(PurchaseItem).max(500).optional(),
  channel: z.enum(['app', 'web', 'store']).optional(),
});
export type PurchaseInput = z.infer<typeof PurchaseInput>;

/** The bus carries the same body plus the program it belongs to. */
export const PurchaseCompletedDetail = PurchaseInput.extend({ programId: ClientId });

const attributeValue = z.union([z.string().max(500), z.number().finite(), z.boolean()]);

export const MemberInput = z.strictObject({
  email: z.email('must be an email address').max(254).nullable().optional(),
  name: z.string().min(1).max(200).nullable().optional(),
  birthDate: z.iso
    .date('must be a date YYYY-MM-DD')
    .refine((d) => d >= '1900-01-01' && d <= new Date().toISOString().slice(0, 10), 'must be a past date after 1900')
    .nullable()
    .optional(),
  attributes: z
    .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'attribute names are 1-64 letters, digits, _ . -'), attributeValue)
    .refine((r) => Object.keys(r).length <= 50, 'at most 50 attributes')
    .nullable()
    .optional(),
  /** The referral code of the member who referred this one (only before the first purchase). */
  referralCode: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{8}$/, 'must be an 8-character referral code').optional(),
});
export type MemberInput = z.infer<typeof MemberInput>;

export const TransactionsQuery = z.strictObject({
  limit: z.coerce.number().int('must be a whole number').min(1).max(100).default(20),
  cursor: z.string().max(2048).optional(),
});
