// Inputs of earning: purchases, returns and engagement events (HTTP and bus), and the rule
// simulator and backtest. The rule definitions themselves are in rule-schemas.ts.
import { z } from 'zod';
import { AttributeValue, ClientId, Currency, MAX_MINOR, Timestamp } from '../kernel/schemas';

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

const ReturnedItem = z.strictObject({
  sku: z.string().min(1).max(128),
  quantity: z.number().int('must be a whole number').min(1).max(100_000),
});

export const ReturnInput = z
  .strictObject({
    returnId: ClientId,
    occurredAt: Timestamp,
    items: z.array(ReturnedItem).min(1).max(500).optional(),
    amount: z.number().int('must be in minor units (an integer)').min(1).max(MAX_MINOR).optional(),
  })
  .refine((r) => !(r.items && r.amount !== undefined), {
    message: 'send items or amount, not both (neither cancels the whole order)',
    path: ['amount'],
  });
export type ReturnInput = z.infer<typeof ReturnInput>;

/** The bus carries the same body plus the program and the order. */
export const PurchaseReturnedDetail = z.strictObject({
  programId: ClientId,
  orderId: ClientId,
  returnId: ClientId,
  occurredAt: Timestamp,
  items: ReturnInput.shape.items,
  amount: ReturnInput.shape.amount,
});

export const EngagementInput = z.strictObject({
  eventId: ClientId,
  memberId: ClientId,
  /** `review.posted`, `birthday`, `app.order`, `social.share`, `profile.completed`, or any custom type. */
  type: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be 1-64 lowercase letters, digits, . _ - (e.g. review.posted)'),
  occurredAt: Timestamp,
  attributes: z
    .record(z.string().max(64), AttributeValue)
    .refine((r) => Object.keys(r).length <= 50, 'at most 50 attributes')
    .optional(),
});
export type EngagementInput = z.infer<typeof EngagementInput>;

export const EngagementRecordedDetail = EngagementInput.extend({ programId: ClientId });

export const SimulateInput = z
  .strictObject({
    purchase: PurchaseInput.optional(),
    event: EngagementInput.optional(),
    /** Evaluate for this member as they are now (tier, purchase count, usage so far)... */
    memberId: ClientId.optional(),
    /** ...or for a hypothetical member. */
    member: z
      .strictObject({
        tier: z.string().nullable().default(null),
        purchaseCount: z.number().int().min(0).default(0),
      })
      .optional(),
    /** A proposed rule set (full list); the current rules when omitted. */
    rules: z.array(z.unknown()).max(500).optional(),
    at: Timestamp.optional(),
  })
  .refine((s) => Boolean(s.purchase) !== Boolean(s.event), {
    message: 'send either a purchase or an event',
    path: ['purchase'],
  });
export type SimulateInput = z.infer<typeof SimulateInput>;

export const BacktestInput = z
  .strictObject({
    from: Timestamp,
    to: Timestamp,
    rules: z.array(z.unknown()).max(500),
    top: z.number().int().min(1).max(100).default(10),
  })
  .refine((b) => Date.parse(b.from) < Date.parse(b.to), { message: 'must be after from', path: ['to'] })
  .refine((b) => Date.parse(b.to) - Date.parse(b.from) <= 366 * 86_400_000, {
    message: 'a backtest covers at most 366 days',
    path: ['to'],
  });
export type BacktestInput = z.infer<typeof BacktestInput>;
