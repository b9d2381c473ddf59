import * as z from 'zod';
import { Attributes, AttributeValue, PageQuery, Timestamp } from '../kernel/schemas';
import { MAX_POINTS_PER_TRANSACTION } from '../programs/domain/program';

export const MemberInput = z.strictObject({
  email: z.email('must be an email address').max(254).nullable().optional(),
  name: z.string().min(1).max(200).nullable().optional(),
  birthDate: z.iso
    .date('must be a date YYYY-MM-DD')
    .refine((d) => d >= '1900-01-01' && d <= new Date().toISOString().slice(0, 10), 'must be a past date after 1900')
    .nullable()
    .optional(),
  attributes: Attributes.nullable().optional(),
  /** The referral code of the member who referred this one (only before the first purchase). */
  referralCode: z
    .string()
    .regex(/^[0-9A-HJKMNP-TV-Z]{8}$/, 'must be an 8-character referral code')
    .optional(),
});
export type MemberInput = z.infer<typeof MemberInput>;

export const TransactionsQuery = PageQuery;

// Outputs: what the members API answers (the OpenAPI document's response schemas; the API
// contract test parses real answers with them, so they are strict: a field not declared here fails).

const Points = z.int().describe('Points (an integer)');

export const BalancesView = z
  .strictObject({
    available: Points.describe(
      'Spendable now (pending points past their time included); negative while a return left a debt',
    ),
    pending: Points.describe('Earned but held until the return window ends'),
    lifetimeEarned: Points.describe('Everything ever earned, less what returns took back'),
  })
  .meta({ id: 'BalancesView' });

export const BreakdownLineView = z
  .strictObject({
    rule: z.string().describe('The rule kind (base, multiplier, ...); return, debt or referral on ledger lines'),
    ruleId: z.string(),
    version: z.int(),
    description: z.string(),
    points: Points.describe('Signed: a cap or a return adds a negative line'),
    capped: z.boolean().optional().describe('Set on the negative line a cap adds'),
    draw: z
      .strictObject({
        roll: z.int(),
        threshold: z.int(),
        won: z.boolean(),
        key: z.string().optional().describe("Id of the program's windfall key (absent on draws made before keys)"),
      })
      .optional()
      .describe("A windfall's draw: roll (0-9999) against the threshold (probability x 10000)"),
  })
  .meta({ id: 'BreakdownLineView', description: "One rule's share of a transaction's points" });

export const MemberView = z
  .strictObject({
    memberId: z.string(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    birthDate: z.iso.date().nullable(),
    attributes: z.record(z.string(), AttributeValue).describe('Free-form attributes the program keeps on its members'),
    tier: z.string().nullable().describe('The tier id on record (null before tiers placed the member)'),
    points: BalancesView,
    referralCode: z.string().nullable().describe('The code this member gives to the people they refer'),
    enrolledAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'MemberView', description: 'A member: profile, tier and balances' });

const TierStatusView = z
  .strictObject({
    tier: z.strictObject({
      id: z.string(),
      name: z.string(),
      multiplier: z.number(),
      attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    }),
    metric: z.enum(['points', 'spend']),
    qualifyingValue: z.int().describe('Points earned, or spend in minor units, in the current qualification window'),
    window: z.strictObject({ start: Timestamp, end: Timestamp }),
    nextTier: z
      .strictObject({ id: z.string(), name: z.string(), threshold: z.int(), needed: z.int() })
      .nullable()
      .describe('Null at the top tier'),
    keep: z
      .strictObject({ needed: z.int(), secured: z.boolean(), reviewAt: Timestamp })
      .describe('What keeping the current tier takes by the next review (0 and secured when nothing)'),
  })
  .nullable()
  .describe('Null when the program has no tiers');

export const MemberDetailView = z
  .strictObject({
    ...MemberView.shape,
    tierStatus: TierStatusView,
    upcomingExpiries: z
      .array(z.strictObject({ date: Timestamp, points: Points }))
      .describe('Points that will expire, soonest first (at most 12 dates)'),
  })
  .meta({ id: 'MemberDetailView', description: 'A member with tier progress and upcoming expiries' });

export const TransactionView = z
  .strictObject({
    transactionId: z.string(),
    memberId: z.string(),
    type: z.enum(['earn', 'redeem', 'expire', 'adjust', 'reverse', 'refund']),
    points: Points.describe('Signed: credits positive, debits negative'),
    reason: z.string(),
    source: z.enum(['purchase', 'event', 'referral', 'admin', 'redemption', 'return', 'expiry']),
    orderId: z.string().optional(),
    status: z.enum(['credited', 'pending', 'debited']),
    eventId: z.string().optional(),
    returnId: z.string().optional(),
    redemptionId: z.string().optional(),
    breakdown: z.array(BreakdownLineView),
    lots: z
      .array(z.strictObject({ lotId: z.string(), points: Points }))
      .describe('Lots created (credit) or consumed (debit, negative points)'),
    occurredAt: Timestamp.describe('When it happened at the source (the purchase time)'),
    recordedAt: Timestamp.describe('When the ledger recorded it'),
    note: z.string().optional().describe("An adjustment's note"),
    adjustedBy: z
      .strictObject({ keyId: z.string(), role: z.string().nullable() })
      .optional()
      .describe('Who made an adjustment: their key and staff role'),
  })
  .meta({ id: 'TransactionView', description: "A movement of a member's points" });

export const TransactionPageView = z
  .strictObject({
    items: z.array(TransactionView),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last one'),
  })
  .meta({ id: 'TransactionPageView', description: 'One page of transactions, newest first' });

// Operator adjustments (POST /v1/admin/members/{memberId}/adjustments).

export const AdjustmentInput = z.strictObject({
  points: z
    .int('must be a whole number of points')
    .min(-MAX_POINTS_PER_TRANSACTION)
    .max(MAX_POINTS_PER_TRANSACTION)
    .refine((p) => p !== 0, 'must not be 0: positive credits, negative debits')
    .describe('Signed: positive credits the member, negative debits them'),
  reason: z
    .string({ error: 'is required: say why (it is shown on the transaction)' })
    .trim()
    .min(1, 'is required: say why (it is shown on the transaction)')
    .max(200),
  note: z.string().trim().max(1000).optional().describe('For other operators; never personal data'),
});
export type AdjustmentInput = z.infer<typeof AdjustmentInput>;

export const AdjustmentResult = z
  .strictObject({
    memberId: z.string(),
    transactionId: z.string(),
    points: Points.describe('As asked: signed'),
    debt: z.int().describe('Points a debit could not take from the balance (negative-balance policy only)'),
    balances: BalancesView,
    transaction: TransactionView,
  })
  .meta({ id: 'AdjustmentResult', description: "An adjustment and the member's balances after it" });
export type AdjustmentResult = z.infer<typeof AdjustmentResult>;

/** Idempotency-Key of an adjustment: a client-chosen id (a UUID fits), never containing the key separator. */
export const AdjustmentKey = z
  .string({ error: 'is required (send a unique Idempotency-Key header per adjustment; a retry sends the same one)' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be 1-128 characters: letters, digits and . _ : - (a UUID fits)');
