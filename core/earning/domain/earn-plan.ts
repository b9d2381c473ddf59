// What a credit does to a member's ledger, decided purely: from the program, its rules, the
// member's state and the facts, to the new state, the lot, the transaction and the events.

import { expiresAtFor } from '../../expiry/domain/expiry';
import { type Activation, creditRepayment, type MemberState, settleForWrite } from '../../ledger/domain/member-state';
import type { BreakdownLine, Lot, Transaction, TransactionSource } from '../../ledger/domain/types';
import type { ProgramSettings } from '../../programs/domain/program';
import { addToBuckets, pruneBuckets, type TierSet, tierAfterEarn } from '../../tiers/domain/tiers';
import type { EarningRule, EvaluationResult, PurchaseEvaluation } from './index';
import { acceptedFrom, baseRulesInForce, counterInWindow, periodKeys } from './index';
import { qualifyingSpend } from './order-lines';
import type { PurchaseFacts } from './purchase';

const DAY_MS = 86_400_000;

/** The rule id of the cap a program's maxPointsPerTransaction adds to every rule set. */
export const PROGRAM_MAX_RULE_ID = 'program-max-points';

/** Appended to the reason of every transaction an operator's backfill records. */
export const BACKFILLED = ' (backfill)';

/** The rule id of the flat base rate a program earns while no base rule of its own is in force. */
export const PROGRAM_BASE_RULE_ID = 'program-base';

/**
 * The program's rule set as the engine sees it at `at`: the stored rules, plus the flat base rate
 * (`pointsPerUnit`) whenever no stored base rule is in force then (none active, none inside its
 * schedule, none with a rate for the program's currency), plus tier multipliers. So an inactive
 * rule never switches default earning off, and a base rule replaces the flat rate only while it can
 * earn.
 */
export function effectiveRules(program: ProgramSettings, stored: readonly EarningRule[], at: string): EarningRule[] {
  const rules: EarningRule[] = [...stored];
  if (baseRulesInForce(stored, at, program.timeZone, program.currency).length === 0) {
    rules.push({
      kind: 'base',
      ruleId: PROGRAM_BASE_RULE_ID,
      version: 1,
      name: 'Base earning',
      active: true,
      priority: 0,
      exclusive: false,
      pointsPerUnit: { [program.currency]: String(program.pointsPerUnit) },
      rounding: 'floor',
      exclude: { skus: [], categories: [] },
    });
  }
  // The program's bound on one transaction: a last cap, so the breakdown says when it cut.
  rules.push({
    kind: 'cap',
    ruleId: PROGRAM_MAX_RULE_ID,
    version: 1,
    name: 'Program maximum per transaction',
    active: true,
    priority: -1_000_000,
    per: 'transaction',
    maxPoints: program.maxPointsPerTransaction,
    appliesTo: ['purchase', 'event'],
  });
  for (const tier of program.tierSet?.tiers ?? []) {
    if (tier.multiplier > 1) {
      rules.push({
        kind: 'multiplier',
        ruleId: `tier-${tier.id}`,
        version: 1,
        name: `${tier.name} tier x${tier.multiplier}`,
        active: true,
        priority: 0,
        exclusive: false,
        target: { by: 'tier', tiers: [tier.id] },
        factor: String(tier.multiplier),
        rounding: 'floor',
      });
    }
  }
  return rules;
}

/** Usage counters the engine reads: points per period (`u#`) and events per type per period (`e#`). */
export function usageFromCounters(counters: Record<string, number>) {
  const pointsByPeriod: Record<string, number> = {};
  const eventCounts: Record<string, Record<string, number>> = {};
  for (const [k, v] of Object.entries(counters)) {
    if (k.startsWith('u#')) pointsByPeriod[k.slice(2)] = v;
    else if (k.startsWith('e#')) {
      const [type, period] = [k.slice(2, k.lastIndexOf('#')), k.slice(k.lastIndexOf('#') + 1)];
      eventCounts[type] = { ...eventCounts[type], [period]: v };
    }
  }
  return { pointsByPeriod, eventCounts };
}

/**
 * Counters after an evaluation: the deltas added, and every counter of a period that ended before
 * `keepFrom` (the earliest occurredAt the program still accepts) dropped. Counters of every period a
 * late record can still land in stay, so a late record counts against its own period, and the item
 * stays bounded by the window. The periods of the record written (`occurredAt`) stay too: a backfill
 * writes history older than the window, oldest first, and each record must see the counts of the
 * ones before it in its periods, whatever their type.
 */
export function countersAfter(
  counters: Record<string, number>,
  delta: EvaluationResult['usageDelta'],
  keepFrom: string,
  timeZone: string,
  occurredAt?: string,
): Record<string, number> {
  const own = new Set(occurredAt === undefined ? [] : periodKeys(occurredAt, timeZone));
  const next: Record<string, number> = {};
  for (const [k, v] of Object.entries(counters)) {
    const keep =
      k.startsWith('q#') || counterInWindow(k, keepFrom, timeZone) || own.has(k.slice(k.lastIndexOf('#') + 1));
    if (keep) next[k] = v;
  }
  for (const [period, n] of Object.entries(delta.pointsByPeriod))
    if (n) next[`u#${period}`] = (next[`u#${period}`] ?? 0) + n;
  for (const [type, byPeriod] of Object.entries(delta.eventCounts)) {
    for (const [period, n] of Object.entries(byPeriod))
      if (n) next[`e#${type}#${period}`] = (next[`e#${type}#${period}`] ?? 0) + n;
  }
  return next;
}

function qualifyingBuckets(counters: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counters)
      .filter(([k]) => k.startsWith('q#'))
      .map(([k, v]) => [k.slice(2), v]),
  );
}

/** Adds qualifying value (points or spend) at `at` and moves the member up if it reaches a higher tier. */
export function applyTierProgress(
  state: MemberState,
  tierSet: TierSet | null,
  value: { points: number; spend: number },
  at: string,
  now: string,
  timeZone: string,
): { state: MemberState; tierChange?: { from: string | null; to: string } } {
  if (!tierSet) return { state };
  const amount = tierSet.metric === 'points' ? value.points : value.spend;
  let buckets = qualifyingBuckets(state.counters);
  if (amount) buckets = addToBuckets(buckets, at, amount, timeZone);
  buckets = pruneBuckets(buckets, tierSet, now, timeZone).buckets;
  const counters = Object.fromEntries(Object.entries(state.counters).filter(([k]) => !k.startsWith('q#')));
  for (const [k, v] of Object.entries(buckets)) counters[`q#${k}`] = v;
  const change = tierAfterEarn(state.tier, buckets, tierSet, now, timeZone);
  const next = { ...state, counters, tier: change.tierId, tierAchievedAt: change.changed ? now : state.tierAchievedAt };
  return change.changed ? { state: next, tierChange: { from: state.tier, to: change.tierId } } : { state: next };
}

export interface CreditInput {
  program: ProgramSettings;
  state: MemberState; // already settled
  memberId: string;
  points: number;
  breakdown: BreakdownLine[];
  source: TransactionSource;
  reason: string;
  occurredAt: string;
  now: string;
  ids: { transactionId: string; lotId: string };
  /** Purchase points may be held pending; engagement and referral points never are. */
  holdPending: boolean;
  refs?: { orderId?: string; eventId?: string };
}

export interface Credit {
  state: MemberState;
  lot: Lot | null;
  transaction: Transaction;
}

/**
 * One credit: a lot (pending for the return window if the program holds purchase points), a transaction, new
 * balances.
 */
export function credit(c: CreditInput): Credit {
  const { program, points, now } = c;
  const pending = c.holdPending && program.pendingDays > 0 && points > 0;
  const availableAt = pending ? new Date(Date.parse(now) + program.pendingDays * DAY_MS).toISOString() : now;
  const expiresAt = expiresAtFor(now, program.expiryPolicy, program.timeZone);
  const repaid = creditRepayment(c.state, points, pending);
  const lot: Lot | null =
    points > 0
      ? {
          lotId: c.ids.lotId,
          amount: points,
          remaining: points - repaid,
          earnedAt: now,
          availableAt,
          expiresAt,
          source: c.source,
          reason: c.reason,
          ...(c.refs?.orderId ? { orderId: c.refs.orderId } : {}),
        }
      : null;
  const state: MemberState = {
    ...c.state,
    available: c.state.available + (pending ? 0 : points),
    pending: c.state.pending + (pending ? points : 0),
    lifetimeEarned: c.state.lifetimeEarned + points,
    debt: c.state.debt - repaid,
    pendingLots:
      pending && lot
        ? [...c.state.pendingLots, { lotId: lot.lotId, points, availableAt, expiresAt }]
        : c.state.pendingLots,
    lastActivityAt: now,
  };
  const transaction: Transaction = {
    transactionId: c.ids.transactionId,
    memberId: c.memberId,
    type: 'earn',
    points,
    reason: c.reason,
    source: c.source,
    ...(c.refs?.orderId ? { orderId: c.refs.orderId } : {}),
    ...(c.refs?.eventId ? { eventId: c.refs.eventId } : {}),
    status: pending ? 'pending' : 'credited',
    breakdown: repaid
      ? [
          ...c.breakdown,
          {
            rule: 'debt',
            ruleId: 'debt-repayment',
            version: 1,
            description: `${repaid} point(s) repaid a negative balance`,
            points: 0,
          },
        ]
      : c.breakdown,
    lots: lot ? [{ lotId: lot.lotId, points }] : [],
    occurredAt: c.occurredAt,
    recordedAt: now,
  };
  return { state, lot, transaction };
}

export interface PurchaseCreditPlan {
  member: Credit;
  activations: Activation[];
  tierChange?: { from: string | null; to: string };
  referrer?: Credit & { memberId: string; activations: Activation[] };
}

/**
 * A purchase: settle matured pending points, credit the evaluated points, count usage, advance
 * the tier, and credit the referrer when the purchase completes a referral.
 */
export function planPurchaseCredit(args: {
  program: ProgramSettings;
  memberId: string;
  state: MemberState;
  evaluation: PurchaseEvaluation;
  purchase: PurchaseFacts;
  now: string;
  ids: { transactionId: string; lotId: string; referrerTransactionId: string; referrerLotId: string };
  referrer?: { memberId: string; state: MemberState };
  /** Recorded by an operator's backfill: the transactions say so. */
  backfill?: boolean;
}): PurchaseCreditPlan {
  const { program, evaluation, purchase, now } = args;
  const { state: settled, activations } = settleForWrite(args.state, now);
  const counted = {
    ...settled,
    counters: countersAfter(
      settled.counters,
      evaluation.usageDelta,
      acceptedFrom(now, program),
      program.timeZone,
      purchase.occurredAt,
    ),
    purchaseCount: settled.purchaseCount + 1,
  };
  const tiered = applyTierProgress(
    counted,
    program.tierSet,
    { points: evaluation.points, spend: qualifyingSpend(purchase) },
    purchase.occurredAt,
    now,
    program.timeZone,
  );
  const member = credit({
    program,
    state: { ...tiered.state, referralRewarded: tiered.state.referralRewarded || Boolean(evaluation.referral) },
    memberId: args.memberId,
    points: evaluation.points,
    breakdown: evaluation.breakdown.map(toBreakdownLine),
    source: 'purchase',
    reason: `Purchase ${purchase.orderId}${args.backfill ? BACKFILLED : ''}`,
    occurredAt: purchase.occurredAt,
    now,
    ids: args.ids,
    holdPending: true,
    refs: { orderId: purchase.orderId },
  });
  let referrer: PurchaseCreditPlan['referrer'];
  if (evaluation.referral && args.referrer && evaluation.referral.referrerPoints > 0) {
    // The referrer's credit is a transaction of its own: the program's bound applies to it too.
    const points = Math.min(evaluation.referral.referrerPoints, program.maxPointsPerTransaction);
    const bounded = points < evaluation.referral.referrerPoints ? ` (at most ${points} per transaction)` : '';
    const { state: refSettled, activations: refActivations } = settleForWrite(args.referrer.state, now);
    const refCredit = credit({
      program,
      state: { ...refSettled, referralRewards: refSettled.referralRewards + 1 },
      memberId: args.referrer.memberId,
      points,
      breakdown: [
        {
          rule: 'referral',
          ruleId: evaluation.referral.ruleId,
          version: evaluation.referral.version,
          description: `Referred ${args.memberId}, who made a first qualifying purchase${bounded}`,
          points,
        },
      ],
      source: 'referral',
      reason: `Referral of ${args.memberId}${args.backfill ? BACKFILLED : ''}`,
      occurredAt: purchase.occurredAt,
      now,
      ids: { transactionId: args.ids.referrerTransactionId, lotId: args.ids.referrerLotId },
      holdPending: false,
      refs: { orderId: purchase.orderId },
    });
    referrer = { ...refCredit, memberId: args.referrer.memberId, activations: refActivations };
  }
  return {
    member,
    activations,
    ...(tiered.tierChange ? { tierChange: tiered.tierChange } : {}),
    ...(referrer ? { referrer } : {}),
  };
}

/**
 * Breakdown lines as stored and returned: `capped` kept, stage dropped, and of a windfall draw
 * only what an auditor needs besides the known inputs (program, order, rule, version): the roll,
 * the threshold, the outcome and the id of the key. The operator recomputes the HMAC with the key
 * (`npm run loyalty -- windfall audit`); members and partners see the roll but can never predict it.
 */
export function toBreakdownLine(line: EvaluationResult['breakdown'][number]): BreakdownLine {
  const { stage: _stage, draw, ...rest } = line;
  return draw ? { ...rest, draw: { roll: draw.roll, threshold: draw.threshold, won: draw.won, key: draw.key } } : rest;
}
