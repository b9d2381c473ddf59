import * as z from 'zod';
import { AttributeValue, ClientId, Currency, MAX_MINOR, Timestamp } from '../kernel/schemas';
import {
  CODE_ALPHABETS,
  codeEntropyBits,
  FAILURE_REASONS,
  MAX_CODE_LENGTH,
  MIN_CODE_BITS,
  REWARD_TYPES,
  type RewardType,
} from './domain/rewards';

/** Input contracts of the rewards catalog, redemptions and coupons (HTTP API). */

const MAX_POINTS = 1_000_000_000;

export const MoneyInput = z.strictObject({
  amount: z.number().int('must be in minor units (an integer)').min(1).max(MAX_MINOR),
  currency: Currency,
});

const TierId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/, 'tier ids are 1-40 letters, digits, "-" or "_"');
const AttributeName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'attribute names are 1-64 letters, digits, _ . -');

export const DetailsInput = {
  'coupon-fixed': z.strictObject({ discount: MoneyInput, minimumSpend: MoneyInput.nullable().default(null) }),
  'coupon-percent': z.strictObject({
    percent: z.number().int('must be a whole percentage').min(1).max(100),
    maxDiscount: MoneyInput.nullable().default(null),
  }),
  'free-shipping': z.strictObject({ minimumSpend: MoneyInput.nullable().default(null) }),
  'gift-card': z.strictObject({ value: MoneyInput }),
  'free-product': z.strictObject({
    sku: z.string().min(1).max(128),
    productName: z.string().min(1).max(200).nullable().default(null),
  }),
  experience: z.strictObject({
    startsAt: Timestamp.nullable().default(null),
    venue: z.string().min(1).max(200).nullable().default(null),
  }),
  donation: z.strictObject({
    cause: z.strictObject({ causeId: ClientId, name: z.string().trim().min(1).max(200) }),
    amount: MoneyInput,
  }),
} satisfies Record<RewardType, z.ZodType>;

export const CodeFormatInput = z
  .strictObject({
    prefix: z
      .string()
      .regex(/^[A-Z0-9]{0,12}$/, 'must be 0-12 upper-case letters or digits')
      .default(''),
    alphabet: z.enum(Object.keys(CODE_ALPHABETS) as ['alphanumeric', 'numeric', 'letters']).default('alphanumeric'),
    length: z.number().int().min(4).max(MAX_CODE_LENGTH).default(12),
    groupSize: z.number().int().min(0).max(MAX_CODE_LENGTH).default(4),
  })
  .superRefine((f, ctx) => {
    const bits = codeEntropyBits(f);
    if (bits < MIN_CODE_BITS) {
      const perChar = Math.log2(CODE_ALPHABETS[f.alphabet].length);
      ctx.addIssue({
        code: 'custom',
        path: ['length'],
        message:
          `gives ${bits.toFixed(1)} bits of randomness; codes need at least ${MIN_CODE_BITS} (length >= ` +
          `${Math.ceil(MIN_CODE_BITS / perChar)} for ${f.alphabet})`,
      });
    }
  });

export const CouponPolicyInput = z.strictObject({
  format: CodeFormatInput.prefault({}),
  validityDays: z.number().int().min(1).max(3650).default(90),
});

const CostInput = z.strictObject({
  points: z.number().int('points are whole numbers').min(1).max(MAX_POINTS),
  byTier: z.record(TierId, z.number().int('points are whole numbers').min(1).max(MAX_POINTS)).default({}),
});

const EligibilityInput = z.strictObject({
  tiers: z.array(TierId).min(1).max(20).nullable().default(null),
  attributes: z
    .record(AttributeName, z.array(AttributeValue).min(1).max(50))
    .refine((r) => Object.keys(r).length <= 20, 'at most 20 attributes')
    .default({}),
  minMembershipDays: z.number().int().min(0).max(36_500).default(0),
});

const StockInput = z.strictObject({ total: z.number().int().min(0).max(MAX_POINTS) });
const LimitInput = z.strictObject({
  count: z.number().int().min(1).max(10_000),
  period: z.enum(['day', 'week', 'month', 'quarter', 'year', 'lifetime']),
});

const common = {
  rewardId: ClientId.optional(),
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).nullable().default(null),
  category: z.string().min(1).max(128).nullable().default(null),
  cost: CostInput,
  eligibility: EligibilityInput.prefault({}),
  stock: StockInput.nullable().default(null),
  limit: LimitInput.nullable().default(null),
  validFrom: Timestamp.nullable().default(null),
  validUntil: Timestamp.nullable().default(null),
  /** Coupon-issuing types get the default format (12 Crockford characters, 90 days) when absent. */
  coupon: CouponPolicyInput.nullable().optional(),
  maxQuantity: z.number().int().min(1).max(100).default(1),
  /** Default 24 hours, 0 (never) for donations. */
  cancellationWindowHours: z.number().int().min(0).max(8_760).optional(),
  status: z.enum(['active', 'inactive']).default('active'),
};

const variant = <T extends RewardType>(type: T) =>
  z.strictObject({ type: z.literal(type), details: DetailsInput[type], ...common });

export const RewardInput = z.discriminatedUnion('type', [
  variant('coupon-fixed'),
  variant('coupon-percent'),
  variant('free-shipping'),
  variant('gift-card'),
  variant('free-product'),
  variant('experience'),
  variant('donation'),
]);
export type RewardInput = z.output<typeof RewardInput>;

/** PATCH: any definition field; the type is fixed; stock moves by a delta (`addStock`, negative removes). */
export const RewardPatch = z.strictObject({
  name: common.name.optional(),
  description: z.string().max(2000).nullable().optional(),
  category: z.string().min(1).max(128).nullable().optional(),
  details: z.unknown().optional(),
  cost: CostInput.optional(),
  eligibility: EligibilityInput.optional(),
  limit: LimitInput.nullable().optional(),
  validFrom: Timestamp.nullable().optional(),
  validUntil: Timestamp.nullable().optional(),
  coupon: CouponPolicyInput.optional(),
  maxQuantity: z.number().int().min(1).max(100).optional(),
  cancellationWindowHours: z.number().int().min(0).max(8_760).optional(),
  status: z.enum(['active', 'inactive']).optional(),
  addStock: z
    .number()
    .int()
    .min(-MAX_POINTS)
    .max(MAX_POINTS)
    .refine((n) => n !== 0, 'must not be 0')
    .optional(),
});
export type RewardPatch = z.output<typeof RewardPatch>;

export const RedemptionInput = z.strictObject({
  rewardId: ClientId,
  quantity: z.number().int('must be a whole number').min(1).max(100).default(1),
});

/** Idempotency-Key header: a client-chosen id (a UUID fits), never containing the key separator. */
export const IdempotencyKey = z
  .string({ error: 'is required (send a unique Idempotency-Key header per redemption; a retry sends the same one)' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be 1-128 characters: letters, digits and . _ : - (a UUID fits)');

export const FulfilmentInput = z.discriminatedUnion('outcome', [
  z.strictObject({
    outcome: z.literal('fulfilled'),
    reference: z.string().min(1).max(200).nullable().default(null),
    note: z.string().max(1000).nullable().default(null),
  }),
  z.strictObject({ outcome: z.literal('failed'), reason: z.string().min(1).max(1000) }),
]);
export type FulfilmentInput = z.output<typeof FulfilmentInput>;

/**
 * A coupon code travels in the body, never in a URL: URLs end up in access logs, proxies and
 * browser histories, and a code is a bearer secret. The format is checked by the use case.
 */
const CouponCode = z
  .string()
  .min(1)
  .max(200)
  .describe('The code as the member shows it (case and dashes do not matter)');

export const CouponLookupInput = z.strictObject({ code: CouponCode });

export const CouponRedeemInput = z.strictObject({ code: CouponCode, orderId: ClientId.optional() });

export { PageQuery } from '../kernel/schemas';

export { REWARD_TYPES };

// ---- Outputs ------------------------------------------------------------------------------
// What the rewards, redemptions and coupons APIs answer. Strict, so the API contract test fails
// on a field the document does not declare. Stored definitions are what the inputs parsed, so
// the inputs' output side describes them.

export const MoneyView = z
  .strictObject({ amount: z.int().describe('Minor units (cents for USD)'), currency: z.string().describe('ISO 4217') })
  .meta({ id: 'MoneyView' });

const detailsOf = <T extends RewardType>(type: T) =>
  z.strictObject({ type: z.literal(type), ...DetailsInput[type].shape });

export const RewardDetailsView = z
  .discriminatedUnion('type', [
    detailsOf('coupon-fixed'),
    detailsOf('coupon-percent'),
    detailsOf('free-shipping'),
    detailsOf('gift-card'),
    detailsOf('free-product'),
    detailsOf('experience'),
    detailsOf('donation'),
  ])
  .meta({ id: 'RewardDetailsView', description: 'What the reward gives, by its type' });

const RewardTypeView = z.enum(REWARD_TYPES);
const LimitView = LimitInput.nullable().describe('Per member: at most `count` units per period; null: no limit');

export const RewardView = z
  .strictObject({
    rewardId: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    category: z.string().nullable().describe('Matched against the categories the member buys'),
    type: RewardTypeView,
    details: RewardDetailsView,
    cost: CostInput.describe('Points per unit; `byTier` overrides it for members of those tiers'),
    eligibility: EligibilityInput,
    stock: z.strictObject({ total: z.int(), remaining: z.int() }).nullable().describe('Null: unlimited'),
    limit: LimitView,
    validFrom: Timestamp.nullable(),
    validUntil: Timestamp.nullable(),
    coupon: CouponPolicyInput.nullable().describe('Code format and validity, for rewards that issue a code'),
    maxQuantity: z.int().describe('Units per redemption'),
    cancellationWindowHours: z.int().describe('Hours after the request during which it may be cancelled (0: never)'),
    status: z.enum(['active', 'inactive']),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'RewardView', description: 'A reward of the catalog' });

export const RewardListView = z
  .strictObject({ items: z.array(RewardView).describe('By name') })
  .meta({ id: 'RewardListView' });

const Cause = z.strictObject({ causeId: z.string(), name: z.string() });

export const DonationTotalView = z
  .strictObject({ causeId: z.string(), causeName: z.string(), donations: z.int(), points: z.int(), amount: MoneyView })
  .meta({ id: 'DonationTotalView', description: "A cause's running total: what to pay it" });

export const DonationPageView = z
  .strictObject({
    rewardId: z.string(),
    cause: Cause,
    causeTotal: DonationTotalView.nullable().describe('Null before the first donation'),
    items: z.array(
      z.strictObject({
        redemptionId: z.string(),
        memberId: z.string(),
        rewardId: z.string(),
        causeId: z.string(),
        causeName: z.string(),
        points: z.int(),
        amount: MoneyView,
        receipt: z.string(),
        donatedAt: Timestamp,
      }),
    ),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last one'),
  })
  .meta({ id: 'DonationPageView', description: "One page of a donation reward's donations, oldest first" });

export const DonationReportView = z
  .strictObject({ causes: z.array(DonationTotalView).describe('By cause name') })
  .meta({ id: 'DonationReportView' });

const Fulfilment = z.enum(['instant', 'partner']).describe('`partner`: completes when the partner confirms');

export const MemberRewardsView = z
  .strictObject({
    memberId: z.string(),
    available: z.int().describe("The member's spendable points"),
    items: z
      .array(
        z.strictObject({
          rewardId: z.string(),
          name: z.string(),
          description: z.string().nullable(),
          category: z.string().nullable(),
          type: RewardTypeView,
          details: RewardDetailsView,
          fulfilment: Fulfilment,
          cost: z.int().describe("Points per unit for this member (their tier's price)"),
          pointsNeeded: z.int().describe('Points still missing for one unit (0: affordable)'),
          affordable: z.boolean(),
          stockRemaining: z.int().nullable().describe('Null: unlimited'),
          limit: LimitView,
          maxQuantity: z.int(),
          validUntil: Timestamp.nullable(),
          cancellationWindowHours: z.int(),
        }),
      )
      .describe('Affordable first (most relevant first), then by how close they are'),
  })
  .meta({ id: 'MemberRewardsView', description: 'The rewards a member may redeem now, in the order to show them' });

export const RedemptionView = z
  .strictObject({
    redemptionId: z.string(),
    memberId: z.string(),
    rewardId: z.string(),
    rewardName: z.string(),
    rewardType: RewardTypeView,
    fulfilment: Fulfilment,
    quantity: z.int(),
    points: z.int().describe('Points the redemption costs'),
    status: z.enum(['pending', 'awaiting-fulfilment', 'completed', 'failed', 'cancelled']),
    code: z.string().optional().describe('The coupon code, for rewards that issue one'),
    codeExpiresAt: Timestamp.optional(),
    donation: z
      .strictObject({ causeId: z.string(), causeName: z.string(), amount: MoneyView, receipt: z.string().nullable() })
      .optional(),
    partnerFulfilment: z
      .strictObject({ reference: z.string().nullable(), note: z.string().nullable(), confirmedAt: Timestamp })
      .optional()
      .describe("The partner's confirmation"),
    failure: z
      .strictObject({
        reason: z.enum(FAILURE_REASONS),
        message: z.string(),
      })
      .optional(),
    pointsReturned: z.int().describe('Points given back by a failure or a cancellation'),
    cancellableUntil: Timestamp.nullable().describe('Null once it can no longer be cancelled'),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    completedAt: Timestamp.optional(),
    failedAt: Timestamp.optional(),
    cancelledAt: Timestamp.optional(),
  })
  .meta({ id: 'RedemptionView', description: 'A redemption: what was redeemed, where it stands, the code if any' });

export const RedemptionPageView = z
  .strictObject({
    items: z.array(RedemptionView),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last one'),
  })
  .meta({ id: 'RedemptionPageView', description: "One page of a member's redemptions, newest first" });

export const CouponView = z
  .strictObject({
    code: z.string(),
    status: z.enum(['issued', 'used', 'void', 'expired']).describe('`void`: its redemption was cancelled or failed'),
    valid: z.boolean().describe('Issued, not expired: it may be used now'),
    rewardId: z.string(),
    rewardName: z.string(),
    rewardType: RewardTypeView,
    details: RewardDetailsView,
    memberId: z.string(),
    redemptionId: z.string(),
    issuedAt: Timestamp,
    expiresAt: Timestamp,
    usedAt: Timestamp.nullable(),
    orderId: z.string().nullable().describe('The order it was used on, if the partner said'),
  })
  .meta({ id: 'CouponView', description: 'A coupon code: what it gives and whether it can be used' });
