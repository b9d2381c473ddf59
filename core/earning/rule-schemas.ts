// Zod schemas for earning rules and for the facts the engine evaluates. The admin API validates
// rule definitions with `EarningRuleSchema` (every issue carries the path of the bad field and a
// message saying what a good value looks like); the engine's types are the schemas' outputs, so
// anything that parsed can be evaluated.
import * as z from 'zod';
import { isKnownCurrency } from '../kernel/currency';
import { DECIMAL_PLACES, parseDecimal, SCALE } from './domain/arithmetic';
import { isValidTimeZone } from './domain/time';

const MAX_POINTS = 1_000_000_000;

const Identifier = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .max(128, { error: 'must be at most 128 characters' })
  .regex(/^\S+$/, { error: 'must not contain spaces' });

const Label = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .max(200, { error: 'must be at most 200 characters' });

export const CurrencyCodeSchema = z
  .string({ error: 'must be an ISO 4217 currency code such as "USD"' })
  .refine(isKnownCurrency, { error: 'must be an ISO 4217 currency code such as "USD"' });

export const TimeZoneSchema = z
  .string({ error: 'must be an IANA time zone such as "Europe/Paris"' })
  .refine(isValidTimeZone, { error: 'must be an IANA time zone such as "Europe/Paris"' });

const Instant = z.iso.datetime({
  offset: true,
  error: 'must be an ISO-8601 date-time with a zone, such as "2026-11-23T08:00:00Z"',
});

const Points = z
  .number({ error: 'must be a number of points' })
  .int({ error: 'must be a whole number of points' })
  .min(0, { error: 'must not be negative' })
  .max(MAX_POINTS, { error: `must be at most ${MAX_POINTS}` });

const Count = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .min(1, { error: 'must be at least 1' });

const MinorAmount = z
  .number({ error: 'must be an amount in minor units (cents)' })
  .int({ error: 'must be a whole number of minor units (cents), not a decimal' })
  .min(0, { error: 'must not be negative' })
  .max(Number.MAX_SAFE_INTEGER, { error: 'is too large' });

// abort: the refinements that read the value (at least "1", at most "1") must not see one it cannot parse.
const Decimal = z.string({ error: `must be a decimal string such as "1" or "1.5"` }).regex(/^\d{1,9}(\.\d{1,4})?$/, {
  error: `must be a decimal string such as "1" or "1.5" with at most ${DECIMAL_PLACES} decimal places`,
  abort: true,
});

/** Error for a currency-keyed record: a bad key is named by its path, so say what keys must be. */
const byCurrency =
  (values: string) =>
  (issue: { code?: string }): string =>
    issue.code === 'invalid_key'
      ? 'must be keyed by ISO 4217 currency codes such as "USD"'
      : `must map ISO 4217 currency codes to ${values}`;

/** Minor-unit amounts keyed by currency: `{ USD: 5000, EUR: 4500 }`. */
const AmountByCurrency = z
  .record(CurrencyCodeSchema, MinorAmount, { error: byCurrency('amounts in minor units') })
  .refine((m) => Object.keys(m).length > 0, { error: 'must list at least one currency' });

const StringList = (what: string) =>
  z.array(Identifier, { error: `must be a list of ${what}` }).max(1000, { error: `must list at most 1000 ${what}` });

const NonEmptyStringList = (what: string) =>
  StringList(what).min(1, { error: `must list at least one of the ${what}` });

export const RoundingSchema = z.enum(['floor', 'round-half-up', 'ceil'], {
  error: 'must be "floor", "round-half-up" or "ceil"',
});

export const ChannelSchema = z.enum(['app', 'web', 'store'], { error: 'must be "app", "web" or "store"' });

export const WeekdaySchema = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], {
  error: 'must be one of "mon", "tue", "wed", "thu", "fri", "sat", "sun"',
});

export const CapPeriodSchema = z.enum(['transaction', 'day', 'week', 'month', 'quarter', 'year', 'ever'], {
  error: 'must be "transaction", "day", "week", "month", "quarter", "year" or "ever"',
});

export const LimitPeriodSchema = z.enum(['day', 'week', 'month', 'quarter', 'year', 'ever'], {
  error: 'must be "day", "week", "month", "quarter", "year" or "ever"',
});

const ClockTime = z
  .string({ error: 'must be a local time "HH:MM"' })
  .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, { error: 'must be a local time "HH:MM" between 00:00 and 24:00' });

/**
 * When a rule applies, judged on the purchase's (or event's) `occurredAt` in `timeZone`
 * (default: the program's). `from` is inclusive, `until` exclusive; `hours.end` is exclusive and
 * an `end` earlier than `start` wraps past midnight ("22:00"-"02:00"). Every given condition must hold.
 */
export const ScheduleSchema = z
  .strictObject(
    {
      timeZone: TimeZoneSchema.optional(),
      from: Instant.optional(),
      until: Instant.optional(),
      daysOfWeek: z
        .array(WeekdaySchema, { error: 'must be a list of weekdays such as ["sat", "sun"]' })
        .min(1, { error: 'must list at least one weekday' })
        .optional(),
      hours: z
        .strictObject({ start: ClockTime, end: ClockTime }, { error: 'must be { start: "HH:MM", end: "HH:MM" }' })
        .refine((h) => h.start !== h.end, { error: 'start and end must differ', path: ['end'] })
        .optional(),
    },
    { error: 'must be an object with from, until, daysOfWeek, hours and timeZone' },
  )
  .refine((s) => !s.from || !s.until || Date.parse(s.from) < Date.parse(s.until), {
    error: 'must be after from',
    path: ['until'],
  });

const ruleFields = {
  ruleId: Identifier,
  version: Count,
  name: Label,
  description: z
    .string({ error: 'must be a string' })
    .max(1000, { error: 'must be at most 1000 characters' })
    .optional(),
  active: z.boolean({ error: 'must be true or false' }).default(true),
  /** Higher runs first within a stage. */
  priority: z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(-1_000_000, { error: 'must be at least -1000000' })
    .max(1_000_000, { error: 'must be at most 1000000' })
    .default(0),
  schedule: ScheduleSchema.optional(),
};

const earningFields = {
  ...ruleFields,
  /**
   * When this rule applies, no lower-priority rule of its stage and no rule of a later earning stage applies. Caps
   * still do.
   */
  exclusive: z.boolean({ error: 'must be true or false' }).default(false),
};

export const BaseRuleSchema = z.strictObject({
  ...earningFields,
  kind: z.literal('base'),
  /** Points per whole currency unit, by currency: `{ USD: "1", EUR: "1.5" }`. */
  pointsPerUnit: z
    .record(CurrencyCodeSchema, Decimal, { error: byCurrency('decimal strings such as "1.5"') })
    .refine((m) => Object.keys(m).length > 0, { error: 'must list at least one currency' }),
  rounding: RoundingSchema.default('floor'),
  exclude: z
    .strictObject(
      { skus: StringList('SKUs').default([]), categories: StringList('categories').default([]) },
      { error: 'must be { skus: [...], categories: [...] }' },
    )
    .default({ skus: [], categories: [] }),
  /** Minimum eligible spend, by currency; a currency not listed has no minimum. */
  minOrderAmount: AmountByCurrency.optional(),
});

const MultiplierTargetSchema = z.discriminatedUnion(
  'by',
  [
    z.strictObject({ by: z.literal('sku'), skus: NonEmptyStringList('SKUs') }),
    z.strictObject({ by: z.literal('category'), categories: NonEmptyStringList('categories') }),
    z.strictObject({ by: z.literal('tier'), tiers: NonEmptyStringList('tiers') }),
    z.strictObject({
      by: z.literal('channel'),
      channels: z
        .array(ChannelSchema, { error: 'must be a list of channels' })
        .min(1, { error: 'must list at least one channel' }),
    }),
    z.strictObject({ by: z.literal('order') }),
  ],
  { error: 'must be { by: "sku" | "category" | "tier" | "channel" | "order", ... }' },
);

export const MultiplierRuleSchema = z.strictObject({
  ...earningFields,
  kind: z.literal('multiplier'),
  target: MultiplierTargetSchema,
  /** "2" doubles the base points of the target: it adds (factor - 1) x base. */
  factor: Decimal.refine((f) => parseDecimal(f) >= SCALE, { error: 'must be at least "1"' }),
  rounding: RoundingSchema.default('floor'),
});

export const FirstPurchaseRuleSchema = z.strictObject({
  ...earningFields,
  kind: z.literal('first-purchase'),
  points: Points,
  minSpend: AmountByCurrency.optional(),
});

export const OrderThresholdRuleSchema = z.strictObject({
  ...earningFields,
  kind: z.literal('order-threshold'),
  points: Points,
  /** Eligible spend at or above which the bonus applies; a currency not listed never qualifies. */
  minSpend: AmountByCurrency,
});

export const ProductBonusRuleSchema = z.strictObject({
  ...earningFields,
  kind: z.literal('product-bonus'),
  skus: NonEmptyStringList('SKUs'),
  points: Points,
  minQuantity: Count.default(1),
  /** "unit": points for every unit bought; "order": points once. */
  per: z.enum(['unit', 'order'], { error: 'must be "unit" or "order"' }).default('order'),
});

export const WindfallRuleSchema = z
  .strictObject({
    ...earningFields,
    kind: z.literal('windfall'),
    /** Chance of a win, "0" to "1": "0.05" is one purchase in twenty. */
    probability: Decimal.refine((p) => parseDecimal(p) <= SCALE, { error: 'must be between "0" and "1"' }),
    minPoints: Points,
    maxPoints: Points,
    on: z.enum(['purchase', 'event'], { error: 'must be "purchase" or "event"' }).default('purchase'),
    /** With on = "event": the event types that can win (all when omitted). */
    eventTypes: NonEmptyStringList('event types').optional(),
    minSpend: AmountByCurrency.optional(),
  })
  .refine((r) => r.minPoints <= r.maxPoints, { error: 'must be at least minPoints', path: ['maxPoints'] })
  .refine((r) => r.on === 'event' || r.eventTypes === undefined, {
    error: 'only applies to windfalls with on = "event"',
    path: ['eventTypes'],
  });

export const EventLimitSchema = z.strictObject(
  { period: LimitPeriodSchema, max: Count },
  { error: 'must be { period, max }' },
);

export const EventRuleSchema = z.strictObject({
  ...earningFields,
  kind: z.literal('event'),
  /** `review.posted`, `birthday`, `app.order`, `social.share`, `profile.completed` or any custom type. */
  eventType: Identifier,
  points: Points,
  /** Rewarded events of this type per member per period; all must have room. */
  limits: z
    .array(EventLimitSchema, { error: 'must be a list of { period, max }' })
    .refine((ls) => new Set(ls.map((l) => l.period)).size === ls.length, { error: 'must name each period once' })
    .default([]),
});

export const ReferralRuleSchema = z.strictObject({
  ...earningFields,
  kind: z.literal('referral'),
  referrerPoints: Points,
  refereePoints: Points,
  /** Eligible spend the referred member's purchase must reach; a currency not listed has no minimum. */
  minSpend: AmountByCurrency.optional(),
  /** Referral rewards one referrer can collect, ever. */
  maxRewardsPerReferrer: Count.optional(),
});

export const CapRuleSchema = z.strictObject({
  ...ruleFields,
  kind: z.literal('cap'),
  per: CapPeriodSchema,
  maxPoints: Points,
  appliesTo: z
    .array(z.enum(['purchase', 'event'], { error: 'must be "purchase" or "event"' }), {
      error: 'must be a list such as ["purchase", "event"]',
    })
    .min(1, { error: 'must list "purchase", "event" or both' })
    .default(['purchase', 'event']),
});

export const RULE_KINDS = [
  'base',
  'multiplier',
  'first-purchase',
  'order-threshold',
  'product-bonus',
  'windfall',
  'event',
  'referral',
  'cap',
] as const;

export const EarningRuleSchema = z.discriminatedUnion(
  'kind',
  [
    BaseRuleSchema,
    MultiplierRuleSchema,
    FirstPurchaseRuleSchema,
    OrderThresholdRuleSchema,
    ProductBonusRuleSchema,
    WindfallRuleSchema,
    EventRuleSchema,
    ReferralRuleSchema,
    CapRuleSchema,
  ],
  { error: `kind must be one of ${RULE_KINDS.map((k) => `"${k}"`).join(', ')}` },
);

/** A program's rule set: each (ruleId, version) at most once. */
export const EarningRuleSetSchema = z.array(EarningRuleSchema).superRefine((rules, ctx) => {
  const seen = new Set<string>();
  rules.forEach((rule, index) => {
    const key = `${rule.ruleId}@${rule.version}`;
    if (seen.has(key)) {
      ctx.addIssue({
        code: 'custom',
        message: `duplicates rule ${rule.ruleId} version ${rule.version}`,
        path: [index, 'version'],
      });
    }
    seen.add(key);
  });
});

export type EarningRuleInput = z.input<typeof EarningRuleSchema>;
export type EarningRule = z.output<typeof EarningRuleSchema>;
export type RuleKind = EarningRule['kind'];
export type RuleOfKind<K extends RuleKind> = Extract<EarningRule, { kind: K }>;
export type BaseRule = RuleOfKind<'base'>;
export type MultiplierRule = RuleOfKind<'multiplier'>;
export type MultiplierTarget = MultiplierRule['target'];
export type FirstPurchaseRule = RuleOfKind<'first-purchase'>;
export type OrderThresholdRule = RuleOfKind<'order-threshold'>;
export type ProductBonusRule = RuleOfKind<'product-bonus'>;
export type WindfallRule = RuleOfKind<'windfall'>;
export type EventRule = RuleOfKind<'event'>;
export type ReferralRule = RuleOfKind<'referral'>;
export type CapRule = RuleOfKind<'cap'>;
export type Schedule = z.output<typeof ScheduleSchema>;
export type Channel = z.output<typeof ChannelSchema>;

// ---- Facts the engine evaluates ------------------------------------------------------------

export const ProgramFactsSchema = z.object({
  programId: Identifier,
  currency: CurrencyCodeSchema,
  timeZone: TimeZoneSchema,
  /** The key windfall draws are made with (HMAC); without one, windfall rules do not draw. */
  windfallKey: z.object({ id: z.string().min(1), secret: z.string().min(1) }).optional(),
});

export const PurchaseItemSchema = z.object({
  sku: Identifier,
  quantity: Count,
  /** Minor units per unit: points are earned on quantity x unitPrice - discount. */
  unitPrice: MinorAmount,
  category: Identifier.optional(),
  /** Discount on the whole line (its own and its share of the order's), minor units. */
  discount: MinorAmount.optional(),
  /** False for a line the program does not earn on (shipping, tax, gift cards by default): invisible to rules. */
  earns: z.boolean().optional(),
});

export const PurchaseFactsSchema = z.object({
  orderId: Identifier,
  /** The order total as paid, checked against the lines before; earning and thresholds use the lines. */
  amount: MinorAmount,
  currency: CurrencyCodeSchema,
  items: z
    .array(PurchaseItemSchema, { error: 'must be a list of items' })
    .min(1, { error: 'must list at least one item' }),
  channel: ChannelSchema.optional(),
  occurredAt: Instant,
});

export const MemberFactsSchema = z.object({
  memberId: Identifier,
  tier: Identifier.nullable(),
  /** Purchases recorded before this one: 0 means this is the first. */
  purchaseCount: z.number().int().min(0, { error: 'must not be negative' }),
  referredBy: Identifier.optional(),
  /** Referral rewards the referrer (`referredBy`) has already collected. */
  referrerRewardCount: z.number().int().min(0, { error: 'must not be negative' }).optional(),
  /** Whether this member's referral was already rewarded; when unknown, only a first purchase can qualify. */
  referralRewarded: z.boolean().optional(),
});

const Counter = z.number().int().min(0, { error: 'must not be negative' });

export const UsageCountersSchema = z.object({
  /** Points the member earned per period key (`day:2026-11-23`, `ever`, ...) before this evaluation. */
  pointsByPeriod: z.record(z.string(), Counter).optional(),
  /** Rewarded engagement events per event type, then per period key. */
  eventCounts: z.record(z.string(), z.record(z.string(), Counter)).optional(),
});

export const EngagementEventSchema = z.object({
  eventId: Identifier,
  type: Identifier,
  occurredAt: Instant,
});

export type ProgramFacts = z.output<typeof ProgramFactsSchema>;
export type PurchaseItem = z.output<typeof PurchaseItemSchema>;
export type PurchaseFacts = z.output<typeof PurchaseFactsSchema>;
export type MemberFacts = z.output<typeof MemberFactsSchema>;
export type UsageCounters = z.output<typeof UsageCountersSchema>;
export type EngagementEvent = z.output<typeof EngagementEventSchema>;
