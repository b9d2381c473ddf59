import { z } from 'zod';
import { CODE_ALPHABETS, codeEntropyBits, MAX_CODE_LENGTH, MIN_CODE_BITS, REWARD_TYPES, type RewardType } from './domain/rewards';
import { AttributeValue, ClientId, Currency, MAX_MINOR, Timestamp } from '../kernel/schemas';

/** Input contracts of the rewards catalog, redemptions and coupons (HTTP API). */

const MAX_POINTS = 1_000_000_000;

export const MoneyInput = z.strictObject({
  amount: z.number().int('must be in minor units (an integer)').min(1).max(MAX_MINOR),
  currency: Currency,
});

const TierId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/, 'tier ids are 1-40 letters, digits, "-" or "_"');
const AttributeName = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'attribute names are 1-64 letters, digits, _ . -');

export const DetailsInput = {
  'coupon-fixed': z.strictObject({ discount: MoneyInput, minimumSpend: MoneyInput.nullable().default(null) }),
  'coupon-percent': z.strictObject({ percent: z.number().int('must be a whole percentage').min(1).max(100), maxDiscount: MoneyInput.nullable().default(null) }),
  'free-shipping': z.strictObject({ minimumSpend: MoneyInput.nullable().default(null) }),
  'gift-card': z.strictObject({ value: MoneyInput }),
  'free-product': z.strictObject({ sku: z.string().min(1).max(128), productName: z.string().min(1).max(200).nullable().default(null) }),
  experience: z.strictObject({ startsAt: Timestamp.nullable().default(null), venue: z.string().min(1).max(200).nullable().default(null) }),
  donation: z.strictObject({ cause: z.strictObject({ causeId: ClientId, name: z.string().trim().min(1).max(200) }), amount: MoneyInput }),
} satisfies Record<RewardType, z.ZodType>;

export const CodeFormatInput = z
  .strictObject({
    prefix: z.string().regex(/^[A-Z0-9]{0,12}$/, 'must be 0-12 upper-case letters or digits').default(''),
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
        message: `gives ${bits.toFixed(1)} bits of randomness; codes need at least ${MIN_CODE_BITS} (length >= ${Math.ceil(MIN_CODE_BITS / perChar)} for ${f.alphabet})`,
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
const LimitInput = z.strictObject({ count: z.number().int().min(1).max(10_000), period: z.enum(['day', 'week', 'month', 'quarter', 'year', 'lifetime']) });

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

const variant = <T extends RewardType>(type: T) => z.strictObject({ type: z.literal(type), details: DetailsInput[type], ...common });

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
  addStock: z.number().int().min(-MAX_POINTS).max(MAX_POINTS).refine((n) => n !== 0, 'must not be 0').optional(),
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
  z.strictObject({ outcome: z.literal('fulfilled'), reference: z.string().min(1).max(200).nullable().default(null), note: z.string().max(1000).nullable().default(null) }),
  z.strictObject({ outcome: z.literal('failed'), reason: z.string().min(1).max(1000) }),
]);
export type FulfilmentInput = z.output<typeof FulfilmentInput>;

export const CouponRedeemInput = z.strictObject({ orderId: ClientId.optional() });

export { PageQuery } from '../kernel/schemas';

export { REWARD_TYPES };
