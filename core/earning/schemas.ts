// Inputs of earning: purchases, returns and engagement events (HTTP and bus), and the rule
// simulator and backtest (the rule definitions themselves are in rule-schemas.ts); and what the
// purchases and earning-rules APIs answer.
import * as z from 'zod';
import { AttributeValue, ClientId, Currency, MAX_MINOR, Timestamp } from '../kernel/schemas';
import { BreakdownLineView } from '../ledger/schemas';
import {
  BaseRuleSchema,
  CapRuleSchema,
  EarningRuleSchema,
  EventRuleSchema,
  FirstPurchaseRuleSchema,
  MultiplierRuleSchema,
  OrderThresholdRuleSchema,
  ProductBonusRuleSchema,
  ReferralRuleSchema,
  RULE_KINDS,
  WindfallRuleSchema,
} from './rule-schemas';

const Minor = z.number().int('must be in minor units (an integer)').min(0).max(MAX_MINOR);

/** A line id as a shop gives it (Shopify's 64-bit ids as their decimal strings): returns can name the line. */
export const LineId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,63}$/, 'must be 1-64 letters, digits, . _ : @ + - (no #)');

export const PurchaseItem = z
  .strictObject({
    sku: z.string().min(1).max(128),
    lineId: LineId.optional().describe(
      "The shop's id of this line: a return can then name the line (two lines of one SKU stay apart)",
    ),
    quantity: z.number().int('must be a whole number').min(1).max(100_000),
    unitPrice: Minor.describe('Price of one unit before discounts, minor units'),
    category: z.string().min(1).max(128).optional(),
    discount: Minor.optional().describe('Discount on the whole line (not per unit), minor units; default 0'),
    type: z
      .enum(['product', 'gift-card'])
      .optional()
      .describe(
        '`gift-card`: a gift card sold (stored value), which earns only if the program says so; default `product`',
      ),
  })
  .refine((i) => (i.discount ?? 0) <= i.quantity * i.unitPrice, {
    message: 'must not exceed the line (quantity x unitPrice)',
    path: ['discount'],
  });

export const PurchaseInput = z.strictObject({
  orderId: ClientId,
  memberId: ClientId,
  occurredAt: Timestamp,
  currency: Currency,
  amount: z
    .number()
    .int('must be in minor units (an integer, e.g. 1299 for 12.99)')
    .min(0)
    .max(MAX_MINOR)
    .describe('What was paid: the items net of their discounts, less `discount`, plus `shipping` and `tax`'),
  items: z.array(PurchaseItem).max(500).optional(),
  channel: z.enum(['app', 'web', 'store']).optional(),
  discount: Minor.optional().describe('Order-level discount, spread over the product lines pro rata'),
  shipping: Minor.optional().describe('Shipping charged; earns only if the program says so'),
  tax: Minor.optional().describe('Tax charged; earns only if the program says so'),
});
export type PurchaseInput = z.infer<typeof PurchaseInput>;

/** The bus carries the same body plus the program it belongs to. */
export const PurchaseCompletedDetail = PurchaseInput.extend({ programId: ClientId });

const ReturnedItem = z
  .strictObject({
    sku: z.string().min(1).max(128).optional(),
    lineId: LineId.optional().describe('The line of the purchase (its `lineId`); instead of `sku`'),
    quantity: z.number().int('must be a whole number').min(1).max(100_000),
  })
  .refine((i) => (i.sku === undefined) !== (i.lineId === undefined), {
    message: 'name the item by sku or by lineId (one of them)',
    path: ['sku'],
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

/**
 * One line of an operator's backfill file (JSON lines): a purchase, an engagement event or a return
 * as the API takes them, with `record` saying which and, for a return, the `orderId` it returns.
 */
export const BackfillRecord = z.discriminatedUnion('record', [
  PurchaseInput.extend({ record: z.literal('purchase') }),
  EngagementInput.extend({ record: z.literal('event') }),
  z
    .strictObject({
      record: z.literal('return'),
      orderId: ClientId,
      returnId: ClientId,
      occurredAt: Timestamp,
      items: ReturnInput.shape.items,
      amount: ReturnInput.shape.amount,
    })
    .refine((r) => !(r.items && r.amount !== undefined), {
      message: 'send items or amount, not both (neither cancels the whole order)',
      path: ['amount'],
    }),
]);
export type BackfillRecord = z.infer<typeof BackfillRecord>;

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

// ---- Rule definitions as an admin sends them (documentation) --------------------------------

type RuleSchema = (typeof EarningRuleSchema)['options'][number];

/** A rule's fields without the version the platform assigns, and with the id optional. */
function definitionOf<S extends RuleSchema>(rule: S) {
  const { version: _assigned, ...fields } = rule.shape;
  return z.strictObject({ ...fields, ruleId: fields.ruleId.optional() });
}

/**
 * The body of POST and PUT /v1/admin/earning-rules: a rule without its version (assigned; one sent
 * is ignored) and, on create, without its id (one is assigned). Documentation only: the use case
 * validates the body with EarningRuleSchema, which adds the checks that span fields.
 */
export const RuleDefinitionInput = z.discriminatedUnion('kind', [
  definitionOf(BaseRuleSchema),
  definitionOf(MultiplierRuleSchema),
  definitionOf(FirstPurchaseRuleSchema),
  definitionOf(OrderThresholdRuleSchema),
  definitionOf(ProductBonusRuleSchema),
  definitionOf(WindfallRuleSchema),
  definitionOf(EventRuleSchema),
  definitionOf(ReferralRuleSchema),
  definitionOf(CapRuleSchema),
]);

// ---- Outputs ------------------------------------------------------------------------------
// What the purchases and earning-rules APIs answer. Strict, so the API contract test fails on a
// field the document does not declare.

const Points = z.int();

export const PurchaseResult = z
  .strictObject({
    transactionId: z.string(),
    orderId: z.string(),
    memberId: z.string(),
    points: Points.describe('Points the purchase earned'),
    status: z.enum(['credited', 'pending']).describe('`pending` while the program holds purchase points (pendingDays)'),
    breakdown: z.array(BreakdownLineView),
  })
  .meta({ id: 'PurchaseResult', description: 'What a purchase earned, rule by rule' });

export const ReturnResult = z
  .strictObject({
    returnId: z.string(),
    orderId: z.string(),
    memberId: z.string(),
    transactionId: z.string().nullable().describe('Null when the return took no points'),
    points: Points.describe('Points taken back in total: from the order, from other points and as debt'),
    fromOrder: Points.describe('Taken from the lot the order earned'),
    fromOtherPoints: Points.describe('Taken from other points, nearest expiry first: the order points were spent'),
    debt: Points.describe('Left as a negative balance (return policy negative-balance)'),
    forgiven: Points.describe('Already spent and waived (return policy cap-at-balance)'),
    orderPointsLeft: Points.describe('Points the order still holds after this return'),
    fullyReturned: z.boolean(),
  })
  .meta({ id: 'ReturnResult', description: 'What a return took back, and from where' });

export const EngagementResult = z
  .strictObject({
    eventId: z.string(),
    memberId: z.string(),
    type: z.string(),
    transactionId: z.string(),
    points: Points,
    status: z.literal('credited'),
    breakdown: z.array(BreakdownLineView),
    notRewarded: z
      .array(z.strictObject({ ruleId: z.string(), reason: z.string() }))
      .describe('Rules of this event type that did not reward it, and why (a limit reached, out of schedule, ...)'),
  })
  .meta({ id: 'EngagementResult', description: 'What an engagement event earned' });

export const EarningRuleView = EarningRuleSchema.meta({
  id: 'EarningRuleView',
  description: 'An earning rule as stored: what EarningRuleSchema parsed, defaults filled (docs/earning-rules.md)',
});

export const RuleListView = z
  .strictObject({
    items: z.array(EarningRuleView).describe('The current version of every rule, active or not, by rule id'),
    version: z.int().describe('The rule set version: bumps on every change'),
  })
  .meta({ id: 'RuleListView' });

const RuleChange = {
  changedAt: Timestamp,
  changedBy: z.string().describe('Key id of the admin key that made the change'),
  change: z.enum(['created', 'updated', 'deactivated']),
};

export const RuleHistoryView = z
  .strictObject({
    rule: EarningRuleView,
    history: z
      .array(
        z.discriminatedUnion('kind', [
          BaseRuleSchema.safeExtend(RuleChange),
          MultiplierRuleSchema.safeExtend(RuleChange),
          FirstPurchaseRuleSchema.safeExtend(RuleChange),
          OrderThresholdRuleSchema.safeExtend(RuleChange),
          ProductBonusRuleSchema.safeExtend(RuleChange),
          WindfallRuleSchema.safeExtend(RuleChange),
          EventRuleSchema.safeExtend(RuleChange),
          ReferralRuleSchema.safeExtend(RuleChange),
          CapRuleSchema.safeExtend(RuleChange),
        ]),
      )
      .describe('Every version, oldest first, with who changed it and when'),
  })
  .meta({ id: 'RuleHistoryView' });

const RuleRef = { ruleId: z.string(), version: z.int() };

const EarningLineView = z.strictObject({
  rule: z.enum(RULE_KINDS),
  ...RuleRef,
  description: z.string(),
  points: Points,
  stage: z.enum(['base', 'multiplier', 'bonus', 'event', 'cap']),
  capped: z.literal(true).optional().describe('Set on the negative line a cap adds'),
  draw: z
    .strictObject({
      input: z.string().describe('The exact string the HMAC is taken of'),
      key: z.string().describe("Id of the windfall key: in a simulation, a one-off key, not the program's"),
      hash: z.string().describe('Hex HMAC-SHA256 of input under that key'),
      roll: z.int(),
      threshold: z.int(),
      won: z.boolean(),
      points: Points,
    })
    .optional()
    .describe("A windfall's draw. A simulation draws with a one-off key, so it shows the odds, not a real draw"),
});

const evaluated = {
  rules: z.enum(['current', 'proposed']).describe('Which rule set was evaluated'),
  points: Points,
  breakdown: z.array(EarningLineView),
  appliedRules: z.array(z.strictObject(RuleRef)).describe('Rules that contributed a line, in evaluation order'),
  skipped: z.array(z.strictObject({ ...RuleRef, rule: z.enum(RULE_KINDS), reason: z.string() })),
};

export const SimulationResult = z
  .union([
    z
      .strictObject({
        ...evaluated,
        itemPoints: z.array(z.strictObject({ sku: z.string(), quantity: z.int(), points: Points })),
        referral: z
          .strictObject({ ...RuleRef, referrerMemberId: z.string(), referrerPoints: Points, refereePoints: Points })
          .nullable()
          .describe('The referral the purchase would complete'),
      })
      .describe('A purchase evaluated'),
    z.strictObject(evaluated).describe('An event evaluated'),
  ])
  .meta({ id: 'SimulationResult', description: 'What the rules make of a purchase or an event; nothing is written' });

const compared = { awarded: Points, proposed: Points, delta: Points.describe('proposed - awarded') };

export const BacktestResult = z
  .strictObject({
    from: Timestamp,
    to: Timestamp,
    purchases: z.int(),
    ...compared,
    perRule: z.array(z.strictObject({ ruleId: z.string(), ...compared })).describe('By the size of the change'),
    mostAffectedMembers: z.array(z.strictObject({ memberId: z.string(), purchases: z.int(), ...compared })),
  })
  .meta({ id: 'BacktestResult', description: 'A proposed rule set against what the stored purchases were awarded' });
