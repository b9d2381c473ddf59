// The earning engine: pure functions from (program, rules, facts, usage counters, now) to a
// decision. It reads nothing and writes nothing; the caller persists the points, the breakdown
// and the usage delta in one transaction. The stacking rules are in docs/earning-rules.md.

import { formatMoney, minorUnitExponent } from '../../kernel/currency';
import type { BreakdownLine } from '../../ledger/domain/types';
import {
  type BaseRule,
  type CapRule,
  type EarningRule,
  type EngagementEvent,
  type MemberFacts,
  type MultiplierRule,
  type ProgramFacts,
  type PurchaseFacts,
  type PurchaseItem,
  RULE_KINDS,
  type RuleKind,
  type UsageCounters,
  type WindfallRule,
} from '../rule-schemas';
import { formatDecimal, formatRatio, largestRemainder, parseDecimal, roundRatio, SCALE } from './arithmetic';
import { checkSchedule } from './schedule';
import { MAX_CLOCK_SKEW_MS, periodKey, periodKeys, toEpochMs } from './time';
import { drawWindfall, type WindfallDraw } from './windfall';

/**
 * Earning stages in evaluation order; purchases use base, multiplier, bonus; events use event, bonus; caps close
 * both.
 */
export type Stage = 'base' | 'multiplier' | 'bonus' | 'event' | 'cap';

/** A breakdown line as persisted on the transaction, plus what the engine knows about it. */
export interface EarningLine extends BreakdownLine {
  stage: Stage;
  /** Set on the negative line a cap adds. */
  capped?: true;
  /** Set on windfall lines, won (points > 0) or lost (a 0-point line kept for audit). */
  draw?: WindfallDraw;
}

export interface RuleRef {
  ruleId: string;
  version: number;
}

/** A rule of the set that did not contribute, and why: what a "simulate" screen shows. */
export interface SkippedRule extends RuleRef {
  rule: RuleKind;
  reason: string;
}

export interface ItemPoints {
  sku: string;
  quantity: number;
  points: number;
}

/**
 * A referral the purchase completed. `refereePoints` is also a bonus line of the purchase; the referrer is credited
 * separately.
 */
export interface ReferralAward extends RuleRef {
  referrerMemberId: string;
  referrerPoints: number;
  refereePoints: number;
}

/** What the caller adds to the member's usage counters once the evaluation is committed. */
export interface UsageDelta {
  pointsByPeriod: Record<string, number>;
  eventCounts: Record<string, Record<string, number>>;
}

export interface EvaluationResult {
  /** Non-negative integer: the sum of the breakdown. */
  points: number;
  breakdown: EarningLine[];
  /** Rules that contributed a line (caps only when they cut), in evaluation order. */
  appliedRules: RuleRef[];
  skipped: SkippedRule[];
  usageDelta: UsageDelta;
}

export interface PurchaseEvaluation extends EvaluationResult {
  /** One entry per purchase item, in input order; the points sum to `points`. */
  itemPoints: ItemPoints[];
  /** The money the purchase earned on: its eligible lines net of discounts (returns by amount use it). */
  eligibleSpend: number;
  referral?: ReferralAward;
}

export type EventEvaluation = EvaluationResult;

export interface PurchaseEvaluationInput {
  program: ProgramFacts;
  /** The program's rule set; inactive rules and older versions are skipped. */
  rules: readonly EarningRule[];
  purchase: PurchaseFacts;
  member: MemberFacts;
  usage?: UsageCounters;
  now: string;
}

export interface EventEvaluationInput {
  program: ProgramFacts;
  rules: readonly EarningRule[];
  event: EngagementEvent;
  member: MemberFacts;
  usage?: UsageCounters;
  now: string;
}

/** Facts the engine cannot evaluate (the HTTP layer's zod schemas should have caught them). */
export class EarningInputError extends Error {
  override readonly name = 'EarningInputError';
}

/**
 * No line earns more than this before caps: rates and bonuses are admin input, and a line past it
 * would no longer be exact in a double. The program's per-transaction bound (a cap) then applies.
 */
export const MAX_LINE_POINTS = 1_000_000_000_000;

const clamp = (points: bigint): number => Number(points > BigInt(MAX_LINE_POINTS) ? BigInt(MAX_LINE_POINTS) : points);
const perUnitDescription = (quantity: number, skus: string[], each: number, points: number, units: bigint) =>
  `${quantity} x SKU ${skus.join(', ')} at ${each} each: +${points}${clamped(units)}`;

/** Said in a line's description when clamp cut it. */
const clamped = (points: bigint): string =>
  points > BigInt(MAX_LINE_POINTS) ? ` (at most ${MAX_LINE_POINTS} a line)` : '';

type EarningRuleNotCap = Exclude<EarningRule, CapRule>;

type Outcome =
  | { fired: false; reason: string; draw?: WindfallDraw }
  | { fired: true; points: number; description: string; allocation: number[]; draw?: WindfallDraw };

const STAGE_OF: Record<RuleKind, Stage> = {
  base: 'base',
  multiplier: 'multiplier',
  'first-purchase': 'bonus',
  'order-threshold': 'bonus',
  'product-bonus': 'bonus',
  windfall: 'bonus',
  referral: 'bonus',
  event: 'event',
  cap: 'cap',
};

/** Higher priority first; then fixed bonuses before windfall before referral; then ruleId, so ties are stable. */
function byPriority(a: EarningRule, b: EarningRule): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  const kinds = RULE_KINDS.indexOf(a.kind) - RULE_KINDS.indexOf(b.kind);
  if (kinds !== 0) return kinds;
  return a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0;
}

const ref = (rule: EarningRule): RuleRef => ({ ruleId: rule.ruleId, version: rule.version });
const named = (rule: EarningRule): string => `${rule.ruleId} v${rule.version}`;

/** Lines, item allocations and the rule log of one evaluation. */
class Tally {
  readonly lines: EarningLine[] = [];
  readonly applied: RuleRef[] = [];
  readonly skipped: SkippedRule[] = [];
  private readonly itemTotals: number[];

  constructor(itemCount: number) {
    this.itemTotals = new Array<number>(itemCount).fill(0);
  }

  add(
    rule: EarningRule,
    stage: Stage,
    points: number,
    description: string,
    allocation: number[],
    extra: Partial<EarningLine> = {},
  ): void {
    this.lines.push({
      rule: rule.kind,
      ruleId: rule.ruleId,
      version: rule.version,
      description,
      points,
      stage,
      ...extra,
    });
    this.applied.push(ref(rule));
    allocation.forEach((p, i) => {
      this.itemTotals[i] = (this.itemTotals[i] ?? 0) + p;
    });
  }

  /** A line that is on record but did not apply (a lost windfall draw). */
  note(rule: EarningRule, stage: Stage, description: string, extra: Partial<EarningLine>): void {
    this.lines.push({
      rule: rule.kind,
      ruleId: rule.ruleId,
      version: rule.version,
      description,
      points: 0,
      stage,
      ...extra,
    });
  }

  skip(rule: EarningRule, reason: string): void {
    this.skipped.push({ ...ref(rule), rule: rule.kind, reason });
  }

  total(): number {
    return this.lines.reduce((sum, line) => sum + line.points, 0);
  }

  items(): number[] {
    return [...this.itemTotals];
  }
}

/**
 * Keeps the newest version of each ruleId among the rules `relevant` to this evaluation and
 * drops inactive ones; both are logged as skipped.
 */
function currentRules(
  rules: readonly EarningRule[],
  relevant: (rule: EarningRule) => boolean,
  tally: Tally,
): EarningRule[] {
  const newest = new Map<string, EarningRule>();
  for (const rule of rules) {
    const seen = newest.get(rule.ruleId);
    if (!seen || rule.version > seen.version) newest.set(rule.ruleId, rule);
  }
  const current: EarningRule[] = [];
  for (const rule of rules) {
    if (!relevant(rule)) continue;
    const latest = newest.get(rule.ruleId);
    if (latest !== rule) {
      tally.skip(rule, `superseded by version ${latest?.version}`);
    } else if (!rule.active) {
      tally.skip(rule, 'inactive');
    } else {
      current.push(rule);
    }
  }
  return current.sort(byPriority);
}

interface StageContext {
  occurredAt: string;
  timeZone: string;
  tally: Tally;
}

/**
 * Runs earning stages in order, each stage's rules by priority. A rule that applies while
 * `exclusive` stops everything after it: the rest of its stage and every later earning stage.
 */
function runStages(
  stages: readonly Stage[],
  rules: readonly EarningRule[],
  apply: (rule: EarningRuleNotCap) => Outcome,
  { occurredAt, timeZone, tally }: StageContext,
): void {
  let stoppedBy: EarningRule | undefined;
  for (const stage of stages) {
    for (const rule of rules) {
      if (rule.kind === 'cap' || STAGE_OF[rule.kind] !== stage) continue;
      if (stoppedBy) {
        tally.skip(rule, `stopped by exclusive rule ${named(stoppedBy)}`);
        continue;
      }
      const window = checkSchedule(rule.schedule, occurredAt, timeZone);
      if (!window.ok) {
        tally.skip(rule, window.reason);
        continue;
      }
      const outcome = apply(rule);
      if (!outcome.fired) {
        if (outcome.draw) tally.note(rule, stage, outcome.reason, { draw: outcome.draw });
        else tally.skip(rule, outcome.reason);
        continue;
      }
      tally.add(
        rule,
        stage,
        outcome.points,
        outcome.description,
        outcome.allocation,
        outcome.draw ? { draw: outcome.draw } : {},
      );
      if (rule.exclusive) stoppedBy = rule;
    }
  }
}

interface CapContext extends StageContext {
  subject: 'purchase' | 'event';
  usage: UsageCounters | undefined;
}

/**
 * Caps run last, whatever an exclusive rule said, in priority order. Each one that is exceeded
 * adds a negative line bringing the running total down to what it allows; the cut is taken from
 * the items in proportion to what they earned, so no item ends negative.
 */
function applyCaps(rules: readonly EarningRule[], ctx: CapContext): void {
  const { tally } = ctx;
  for (const rule of rules) {
    if (rule.kind !== 'cap') continue;
    const window = checkSchedule(rule.schedule, ctx.occurredAt, ctx.timeZone);
    if (!window.ok) {
      tally.skip(rule, window.reason);
      continue;
    }
    const total = tally.total();
    let allowed: number;
    let label: string;
    if (rule.per === 'transaction') {
      allowed = rule.maxPoints;
      label = `${rule.maxPoints} per transaction`;
    } else {
      const key = periodKey(rule.per, ctx.occurredAt, ctx.timeZone);
      const used = ctx.usage?.pointsByPeriod?.[key] ?? 0;
      allowed = Math.max(0, rule.maxPoints - used);
      label = `${rule.maxPoints} per ${rule.per} (${key}: ${used} earned before)`;
    }
    if (total <= allowed) {
      tally.skip(rule, `within cap: ${total} of ${allowed} allowed`);
      continue;
    }
    const cut = total - allowed;
    const items = tally.items();
    const allocation = largestRemainder(
      cut,
      items.map((p) => BigInt(p)),
    ).map((p) => -p);
    tally.add(rule, 'cap', -cut, `capped at ${label}: ${total} -> ${allowed}`, allocation, { capped: true });
  }
}

function usageDelta(points: number, occurredAt: string, timeZone: string): Record<string, number> {
  if (points <= 0) return {};
  return Object.fromEntries(periodKeys(occurredAt, timeZone).map((key) => [key, points]));
}

function assertNotFuture(occurredAt: string, now: string): void {
  let at: number;
  let nowMs: number;
  try {
    at = toEpochMs(occurredAt);
    nowMs = toEpochMs(now);
  } catch (e) {
    throw new EarningInputError((e as Error).message);
  }
  if (at > nowMs + MAX_CLOCK_SKEW_MS) {
    throw new EarningInputError(`occurredAt ${occurredAt} is in the future (now ${now})`);
  }
}

function assertPurchase(purchase: PurchaseFacts): void {
  const bad = (what: string): never => {
    throw new EarningInputError(`purchase ${purchase.orderId}: ${what}`);
  };
  if (!Number.isSafeInteger(purchase.amount) || purchase.amount < 0)
    bad('amount must be non-negative integer minor units');
  if (purchase.items.length === 0) bad('a purchase needs at least one item');
  purchase.items.forEach((item, i) => {
    if (!Number.isSafeInteger(item.quantity) || item.quantity < 1)
      bad(`items[${i}].quantity must be a positive integer`);
    if (!Number.isSafeInteger(item.unitPrice) || item.unitPrice < 0)
      bad(`items[${i}].unitPrice must be non-negative integer minor units`);
    const discount = item.discount ?? 0;
    if (
      !Number.isSafeInteger(discount) ||
      discount < 0 ||
      BigInt(discount) > BigInt(item.unitPrice) * BigInt(item.quantity)
    )
      bad(`items[${i}].discount must be integer minor units from 0 to the line's quantity x unitPrice`);
  });
}

const isPurchaseRule = (rule: EarningRule): boolean => {
  switch (rule.kind) {
    case 'event':
      return false;
    case 'windfall':
      return rule.on === 'purchase';
    case 'cap':
      return rule.appliesTo.includes('purchase');
    default:
      return true;
  }
};

/**
 * The base rules that can earn on a purchase at `occurredAt` in `currency`: the newest version of
 * their rule id, active, inside their schedule, with a rate for the currency. An inactive or
 * out-of-schedule base rule is as if it did not exist: it changes neither what the others earn
 * nor which items are eligible, and the program's flat rate applies when none is in force.
 */
export function baseRulesInForce(
  rules: readonly EarningRule[],
  occurredAt: string,
  timeZone: string,
  currency: string,
): BaseRule[] {
  const newest = new Map<string, number>();
  for (const r of rules) newest.set(r.ruleId, Math.max(newest.get(r.ruleId) ?? 0, r.version));
  return rules.filter(
    (r): r is BaseRule =>
      r.kind === 'base' &&
      r.active &&
      newest.get(r.ruleId) === r.version &&
      r.pointsPerUnit[currency] !== undefined &&
      checkSchedule(r.schedule, occurredAt, timeZone).ok,
  );
}

const excludes = (rule: BaseRule, item: PurchaseItem): boolean =>
  rule.exclude.skus.includes(item.sku) ||
  (item.category !== undefined && rule.exclude.categories.includes(item.category));

/** Splits `points` over the item `indices` in proportion to `weights` (indexed like the items). */
function spread(points: number, indices: readonly number[], weights: readonly bigint[], itemCount: number): number[] {
  const shares = largestRemainder(
    points,
    indices.map((i) => weights[i] ?? 0n),
  );
  const allocation = new Array<number>(itemCount).fill(0);
  indices.forEach((itemIndex, k) => {
    allocation[itemIndex] = shares[k] ?? 0;
  });
  return allocation;
}

/** Draws a windfall for one purchase (orderId) or event (eventId); a lost draw stays on record. */
function windfall(
  rule: WindfallRule,
  program: ProgramFacts,
  subjectId: string,
  allocate: (points: number) => number[],
): Outcome {
  if (!program.windfallKey) return { fired: false, reason: 'the program has no windfall key to draw with' };
  const draw = drawWindfall({ ...rule, programId: program.programId, subjectId, key: program.windfallKey });
  const odds = `roll ${draw.roll} of 10000 against ${draw.threshold} (p=${rule.probability})`;
  if (!draw.won) return { fired: false, draw, reason: `windfall not won: ${odds}` };
  return {
    fired: true,
    draw,
    points: draw.points,
    description: `windfall won: ${odds}, drew ${draw.points} from ${rule.minPoints}-${rule.maxPoints}`,
    allocation: allocate(draw.points),
  };
}

function describeTarget(target: MultiplierRule['target']): string {
  switch (target.by) {
    case 'sku':
      return `SKU ${target.skus.join(', ')}`;
    case 'category':
      return `category ${target.categories.join(', ')}`;
    case 'tier':
      return `tier ${target.tiers.join(', ')}`;
    case 'channel':
      return `channel ${target.channels.join(', ')}`;
    case 'order':
      return 'the whole order';
  }
}

/** Points for a purchase. Throws EarningInputError on facts no schema would accept. */
export function evaluatePurchase(input: PurchaseEvaluationInput): PurchaseEvaluation {
  const { program, purchase, member, usage, now } = input;
  assertPurchase(purchase);
  assertNotFuture(purchase.occurredAt, now);

  const items = purchase.items;
  const n = items.length;
  const currency = purchase.currency;
  const tally = new Tally(n);
  const rules = currentRules(input.rules, isPurchaseRule, tally);
  const ctx: StageContext = { occurredAt: purchase.occurredAt, timeZone: program.timeZone, tally };

  // An item every base rule in force excludes (gift cards, say) is invisible to all purchase rules.
  const baseRules = baseRulesInForce(rules, purchase.occurredAt, program.timeZone, currency);
  // A line the program does not earn on (shipping, tax, a gift card sold) is invisible the same way.
  const eligible = items.map(
    (item) => item.earns !== false && (baseRules.length === 0 || !baseRules.every((r) => excludes(r, item))),
  );
  const eligibleIdx = items.flatMap((_, i) => (eligible[i] ? [i] : []));
  const lineTotals = items.map((item) => BigInt(item.unitPrice) * BigInt(item.quantity) - BigInt(item.discount ?? 0));
  const quantities = items.map((item) => BigInt(item.quantity));
  const eligibleSpend = eligibleIdx.reduce((sum, i) => sum + (lineTotals[i] ?? 0n), 0n);
  const money = (amount: bigint | number): string => formatMoney(Number(amount), currency);

  // Exact base points per item, as numerators over `denominator`, for the multipliers to multiply.
  const denominator = 10n ** BigInt(minorUnitExponent(currency)) * SCALE;
  const baseNum = new Array<bigint>(n).fill(0n);
  let referral: ReferralAward | undefined;

  const byAmount = (indices: readonly number[]): readonly bigint[] =>
    indices.some((i) => (lineTotals[i] ?? 0n) > 0n) ? lineTotals : quantities;
  const orderLevel = (points: number): number[] => spread(points, eligibleIdx, byAmount(eligibleIdx), n);

  /** Reason a per-currency minimum is not met, if it is not. */
  const belowMinimum = (minimum: Record<string, number> | undefined, what: string): string | undefined => {
    const min = minimum?.[currency];
    if (min === undefined || eligibleSpend >= BigInt(min)) return undefined;
    return `${what} ${money(eligibleSpend)} is below ${money(min)}`;
  };

  const apply = (rule: EarningRuleNotCap): Outcome => {
    switch (rule.kind) {
      case 'base': {
        const rate = rule.pointsPerUnit[currency];
        if (rate === undefined) return { fired: false, reason: `no rate for ${currency}` };
        const idx = eligibleIdx.filter((i) => !excludes(rule, items[i]!));
        const inRule = new Set(idx);
        if (idx.length === 0) return { fired: false, reason: 'every item is excluded' };
        const spend = idx.reduce((sum, i) => sum + (lineTotals[i] ?? 0n), 0n);
        const min = rule.minOrderAmount?.[currency];
        if (min !== undefined && spend < BigInt(min)) {
          return { fired: false, reason: `eligible spend ${money(spend)} is below the minimum ${money(min)}` };
        }
        const scaledRate = parseDecimal(rate);
        const nums = lineTotals.map((total, i) => (inRule.has(i) ? total * scaledRate : 0n));
        const exact = nums.reduce((a, b) => a + b, 0n);
        const rounded = roundRatio(exact, denominator, rule.rounding);
        const points = clamp(rounded);
        nums.forEach((num, i) => {
          baseNum[i] = (baseNum[i] ?? 0n) + num;
        });
        return {
          fired: true,
          points,
          description:
            `${formatDecimal(scaledRate)} pt per ${currency} on ${money(spend)} = ` +
            `${formatRatio(exact, denominator)} pt, ${rule.rounding} -> ${points}${clamped(rounded)}`,
          allocation: spread(points, idx, nums, n),
        };
      }
      case 'multiplier': {
        const target = rule.target;
        let idx: number[];
        switch (target.by) {
          case 'sku':
            idx = eligibleIdx.filter((i) => target.skus.includes(items[i]!.sku));
            break;
          case 'category':
            idx = eligibleIdx.filter(
              (i) => items[i]!.category !== undefined && target.categories.includes(items[i]!.category!),
            );
            break;
          case 'tier':
            if (member.tier === null || !target.tiers.includes(member.tier)) {
              return {
                fired: false,
                reason: `member tier ${member.tier ?? '(none)'} is not ${target.tiers.join(', ')}`,
              };
            }
            idx = eligibleIdx;
            break;
          case 'channel':
            if (purchase.channel === undefined || !target.channels.includes(purchase.channel)) {
              return {
                fired: false,
                reason: `channel ${purchase.channel ?? '(unknown)'} is not ${target.channels.join(', ')}`,
              };
            }
            idx = eligibleIdx;
            break;
          case 'order':
            idx = eligibleIdx;
            break;
        }
        const base = idx.reduce((sum, i) => sum + (baseNum[i] ?? 0n), 0n);
        if (base === 0n) return { fired: false, reason: `no base points on ${describeTarget(target)}` };
        const factor = parseDecimal(rule.factor);
        const rounded = roundRatio(base * (factor - SCALE), denominator * SCALE, rule.rounding);
        const points = clamp(rounded);
        return {
          fired: true,
          points,
          description:
            `${formatDecimal(factor)}x on ${describeTarget(target)} adds ` +
            `${formatDecimal(factor - SCALE)} x ${formatRatio(base, denominator)} base pt, ${rule.rounding} -> ` +
            `+${points}${clamped(rounded)}`,
          allocation: spread(points, idx, baseNum, n),
        };
      }
      case 'first-purchase': {
        if (member.purchaseCount !== 0) {
          return { fired: false, reason: `not the first purchase (${member.purchaseCount} before)` };
        }
        const below = belowMinimum(rule.minSpend, 'eligible spend');
        if (below) return { fired: false, reason: below };
        return {
          fired: true,
          points: rule.points,
          description: `first purchase bonus: +${rule.points}`,
          allocation: orderLevel(rule.points),
        };
      }
      case 'order-threshold': {
        const min = rule.minSpend[currency];
        if (min === undefined) return { fired: false, reason: `no threshold in ${currency}` };
        if (eligibleSpend < BigInt(min)) {
          return { fired: false, reason: `eligible spend ${money(eligibleSpend)} is below ${money(min)}` };
        }
        return {
          fired: true,
          points: rule.points,
          description: `spend of ${money(eligibleSpend)} reached ${money(min)}: +${rule.points}`,
          allocation: orderLevel(rule.points),
        };
      }
      case 'product-bonus': {
        const idx = eligibleIdx.filter((i) => rule.skus.includes(items[i]!.sku));
        const quantity = idx.reduce((sum, i) => sum + items[i]!.quantity, 0);
        if (quantity === 0 || quantity < rule.minQuantity) {
          return {
            fired: false,
            reason: `${quantity} of SKU ${rule.skus.join(', ')} bought, ${rule.minQuantity} needed`,
          };
        }
        if (rule.per === 'unit') {
          const units = idx.reduce((sum, i) => sum + BigInt(rule.points) * BigInt(items[i]!.quantity), 0n);
          const points = clamp(units);
          const perUnit = items.map((item, i) =>
            rule.skus.includes(item.sku) && eligible[i] ? BigInt(rule.points) * BigInt(item.quantity) : 0n,
          );
          const allocation = spread(points, eligibleIdx, perUnit, n);
          return {
            fired: true,
            points,
            description: perUnitDescription(quantity, rule.skus, rule.points, points, units),
            allocation,
          };
        }
        return {
          fired: true,
          points: rule.points,
          description: `bought SKU ${rule.skus.join(', ')} (${quantity}): +${rule.points}`,
          allocation: spread(rule.points, idx, byAmount(idx), n),
        };
      }
      case 'windfall': {
        const below = belowMinimum(rule.minSpend, 'eligible spend');
        if (below) return { fired: false, reason: below };
        return windfall(rule, program, purchase.orderId, orderLevel);
      }
      case 'referral': {
        const referrer = member.referredBy;
        if (referrer === undefined) return { fired: false, reason: 'member was not referred' };
        if (referrer === member.memberId) return { fired: false, reason: 'self-referral' };
        const alreadyRewarded = member.referralRewarded ?? member.purchaseCount > 0;
        if (alreadyRewarded) return { fired: false, reason: 'referral already rewarded' };
        const below = belowMinimum(rule.minSpend, 'eligible spend');
        if (below) return { fired: false, reason: below };
        const collected = member.referrerRewardCount ?? 0;
        if (rule.maxRewardsPerReferrer !== undefined && collected >= rule.maxRewardsPerReferrer) {
          return {
            fired: false,
            reason:
              `referrer ${referrer} already collected ${collected} of ${rule.maxRewardsPerReferrer} referral ` +
              `rewards`,
          };
        }
        referral = {
          ...ref(rule),
          referrerMemberId: referrer,
          referrerPoints: rule.referrerPoints,
          refereePoints: rule.refereePoints,
        };
        return {
          fired: true,
          points: rule.refereePoints,
          description: `referred by ${referrer}: +${rule.refereePoints} (referrer earns ${rule.referrerPoints})`,
          allocation: orderLevel(rule.refereePoints),
        };
      }
      case 'event':
        return { fired: false, reason: 'event rules apply to engagement events' };
    }
  };

  if (eligibleIdx.length === 0) {
    for (const rule of rules) tally.skip(rule, 'every item is excluded from earning');
  } else {
    runStages(['base', 'multiplier', 'bonus'], rules, apply, ctx);
    applyCaps(rules, { ...ctx, subject: 'purchase', usage });
  }

  const points = tally.total();
  const shares = tally.items();
  return {
    points,
    breakdown: tally.lines,
    appliedRules: tally.applied,
    skipped: tally.skipped,
    itemPoints: items.map((item, i) => ({ sku: item.sku, quantity: item.quantity, points: shares[i] ?? 0 })),
    eligibleSpend: Number(eligibleSpend),
    ...(referral ? { referral } : {}),
    usageDelta: { pointsByPeriod: usageDelta(points, purchase.occurredAt, program.timeZone), eventCounts: {} },
  };
}

/**
 * Points for an engagement event (`review.posted`, `birthday`, ...): the matching event rules
 * within their limits, then event windfalls (only when an event rule rewarded the event, so
 * limits also bound the draws), then caps.
 */
export function evaluateEvent(input: EventEvaluationInput): EventEvaluation {
  const { program, event, usage, now } = input;
  assertNotFuture(event.occurredAt, now);
  const tally = new Tally(1);
  const relevant = (rule: EarningRule): boolean => {
    switch (rule.kind) {
      case 'event':
        return rule.eventType === event.type;
      case 'windfall':
        return rule.on === 'event' && (rule.eventTypes === undefined || rule.eventTypes.includes(event.type));
      case 'cap':
        return rule.appliesTo.includes('event');
      default:
        return false;
    }
  };
  const rules = currentRules(input.rules, relevant, tally);
  const ctx: StageContext = { occurredAt: event.occurredAt, timeZone: program.timeZone, tally };
  let rewarded = false;

  runStages(
    ['event', 'bonus'],
    rules,
    (rule) => {
      if (rule.kind === 'event') {
        for (const limit of rule.limits) {
          const key = periodKey(limit.period, event.occurredAt, program.timeZone);
          const count = usage?.eventCounts?.[event.type]?.[key] ?? 0;
          if (count >= limit.max) {
            return {
              fired: false,
              reason: `limit reached: ${count} of ${limit.max} ${event.type} per ${limit.period} (${key})`,
            };
          }
        }
        rewarded = true;
        return {
          fired: true,
          points: rule.points,
          description: `${event.type}: +${rule.points}`,
          allocation: [rule.points],
        };
      }
      if (rule.kind === 'windfall') {
        if (!rewarded) return { fired: false, reason: 'no event rule rewarded this event' };
        return windfall(rule, program, event.eventId, (points) => [points]);
      }
      return { fired: false, reason: `${rule.kind} rules apply to purchases` };
    },
    ctx,
  );
  applyCaps(rules, { ...ctx, subject: 'event', usage });

  const points = tally.total();
  const keys = periodKeys(event.occurredAt, program.timeZone);
  return {
    points,
    breakdown: tally.lines,
    appliedRules: tally.applied,
    skipped: tally.skipped,
    usageDelta: {
      pointsByPeriod: usageDelta(points, event.occurredAt, program.timeZone),
      eventCounts: rewarded ? { [event.type]: Object.fromEntries(keys.map((key) => [key, 1])) } : {},
    },
  };
}
