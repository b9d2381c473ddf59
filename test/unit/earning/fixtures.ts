// Typed builders for earning tests. Rules go through the zod schema, so every fixture is a rule
// the admin API would accept, with its defaults filled in.
import {
  type EarningRule,
  type EarningRuleInput,
  EarningRuleSchema,
  type EngagementEvent,
  type EventEvaluation,
  evaluateEvent,
  evaluatePurchase,
  type MemberFacts,
  type ProgramFacts,
  type PurchaseEvaluation,
  type PurchaseFacts,
  type PurchaseItem,
  type UsageCounters,
} from '../../../core/earning/domain';
import {
  DEFAULT_AMOUNT_TOLERANCE_PER_LINE,
  DEFAULT_EARN_ON,
  DEFAULT_MAX_POINTS_PER_TRANSACTION,
  DEFAULT_MAX_PURCHASE_AMOUNT,
  type ProgramSettings,
} from '../../../core/programs/domain/program';

type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type InputOf<K extends EarningRuleInput['kind']> = Extract<EarningRuleInput, { kind: K }>;
type Overrides<K extends EarningRuleInput['kind']> = Partial<Without<InputOf<K>, 'kind'>>;

export const NOW = '2026-11-23T12:00:00.000Z'; // a Monday

/** A fixed windfall key, so draws are reproducible in tests (a real program's is 32 random bytes). */
export const WINDFALL_KEY = { id: 'wk-test', secret: Buffer.alloc(32, 7).toString('base64url') };

export const program: ProgramFacts = {
  programId: 'prog-1',
  currency: 'USD',
  timeZone: 'UTC',
  windfallKey: WINDFALL_KEY,
};

export const rule = (input: EarningRuleInput): EarningRule => EarningRuleSchema.parse(input);

const common = (ruleId: string) => ({ ruleId, version: 1, name: ruleId });

export const baseRule = (o: Overrides<'base'> = {}): EarningRule =>
  rule({ ...common('base'), kind: 'base', pointsPerUnit: { USD: '1' }, ...o } as InputOf<'base'>);

export const multiplier = (o: Overrides<'multiplier'> & Pick<InputOf<'multiplier'>, 'target'>): EarningRule =>
  rule({ ...common(`mult-${o.target.by}`), kind: 'multiplier', factor: '2', ...o } as InputOf<'multiplier'>);

export const firstPurchase = (o: Overrides<'first-purchase'> = {}): EarningRule =>
  rule({ ...common('first'), kind: 'first-purchase', points: 100, ...o } as InputOf<'first-purchase'>);

export const orderThreshold = (o: Overrides<'order-threshold'> = {}): EarningRule =>
  rule({
    ...common('over-100'),
    kind: 'order-threshold',
    points: 50,
    minSpend: { USD: 10_000 },
    ...o,
  } as InputOf<'order-threshold'>);

export const productBonus = (o: Overrides<'product-bonus'> = {}): EarningRule =>
  rule({ ...common('product'), kind: 'product-bonus', skus: ['promo'], points: 30, ...o } as InputOf<'product-bonus'>);

export const windfallRule = (o: Overrides<'windfall'> = {}): EarningRule =>
  rule({
    ...common('windfall'),
    kind: 'windfall',
    probability: '1',
    minPoints: 10,
    maxPoints: 100,
    ...o,
  } as InputOf<'windfall'>);

export const eventRule = (o: Overrides<'event'> = {}): EarningRule =>
  rule({ ...common('review'), kind: 'event', eventType: 'review.posted', points: 25, ...o } as InputOf<'event'>);

export const referralRule = (o: Overrides<'referral'> = {}): EarningRule =>
  rule({
    ...common('referral'),
    kind: 'referral',
    referrerPoints: 500,
    refereePoints: 200,
    ...o,
  } as InputOf<'referral'>);

export const capRule = (o: Overrides<'cap'> = {}): EarningRule =>
  rule({ ...common('cap'), kind: 'cap', per: 'transaction', maxPoints: 1000, ...o } as InputOf<'cap'>);

export const item = (sku: string, unitPrice: number, quantity = 1, category?: string): PurchaseItem =>
  category === undefined ? { sku, unitPrice, quantity } : { sku, unitPrice, quantity, category };

export function purchase(o: Partial<PurchaseFacts> = {}): PurchaseFacts {
  const items = o.items ?? [item('tee', 2_000, 1, 'apparel')];
  return {
    orderId: 'order-1',
    amount: items.reduce((sum, i) => sum + i.unitPrice * i.quantity, 0),
    currency: 'USD',
    occurredAt: '2026-11-23T10:00:00.000Z',
    ...o,
    items,
  };
}

export const member = (o: Partial<MemberFacts> = {}): MemberFacts => ({
  memberId: 'mem-1',
  tier: null,
  purchaseCount: 3,
  ...o,
});

export interface PurchaseCase {
  rules: EarningRule[];
  purchase?: Partial<PurchaseFacts>;
  member?: Partial<MemberFacts>;
  usage?: UsageCounters;
  program?: Partial<ProgramFacts>;
  now?: string;
}

/** Evaluates a purchase; `now` defaults to the purchase time. */
export function earn(c: PurchaseCase): PurchaseEvaluation {
  const facts = purchase(c.purchase);
  return evaluatePurchase({
    program: { ...program, ...c.program },
    rules: c.rules,
    purchase: facts,
    member: member(c.member),
    ...(c.usage ? { usage: c.usage } : {}),
    now: c.now ?? facts.occurredAt,
  });
}

export interface EventCase {
  rules: EarningRule[];
  event?: Partial<EngagementEvent>;
  member?: Partial<MemberFacts>;
  usage?: UsageCounters;
  program?: Partial<ProgramFacts>;
  now?: string;
}

/** Evaluates an engagement event; `now` defaults to the event time. */
export function engage(c: EventCase): EventEvaluation {
  const event = { eventId: 'evt-1', type: 'review.posted', occurredAt: '2026-11-23T10:00:00.000Z', ...c.event };
  return evaluateEvent({
    program: { ...program, ...c.program },
    rules: c.rules,
    event,
    member: member(c.member),
    ...(c.usage ? { usage: c.usage } : {}),
    now: c.now ?? event.occurredAt,
  });
}

export const pointsOf = (
  result: { breakdown: { ruleId: string; points: number }[] },
  ruleId: string,
): number | undefined => result.breakdown.find((line) => line.ruleId === ruleId)?.points;

export const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** Program settings as a store reads them, defaults filled in (USD, UTC, 1 point per unit). */
export const programSettings = (over: Partial<ProgramSettings> = {}): ProgramSettings => ({
  programId: 'p',
  name: 'P',
  currency: 'USD',
  timeZone: 'UTC',
  pointsPerUnit: 1,
  autoEnrol: true,
  pendingDays: 0,
  latenessDays: 30,
  earnOn: DEFAULT_EARN_ON,
  amountTolerancePerLine: DEFAULT_AMOUNT_TOLERANCE_PER_LINE,
  maxPurchaseAmount: DEFAULT_MAX_PURCHASE_AMOUNT,
  maxPointsPerTransaction: DEFAULT_MAX_POINTS_PER_TRANSACTION,
  returnPolicy: 'cap-at-balance',
  expiryPolicy: { kind: 'none' },
  tierSet: null,
  createdAt: '2026-01-01T00:00:00Z',
  ...over,
});
