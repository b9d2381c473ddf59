import type { Clock } from '../../kernel/clock';
import type { LedgerRepository, EarnResult } from '../../../adapters/dynamodb/ledger-repository';
import type { ProgramRepository } from '../../../adapters/dynamodb/program-repository';
import type { RulesRepository } from '../../../adapters/dynamodb/rules-repository';
import { WriteConflict, activationUpdates, type LedgerWrite } from '../../../adapters/dynamodb/ledger-writer';
import { keys } from '../../../adapters/dynamodb/keys';
import { scheduleWrites } from '../../../adapters/dynamodb/due-work';
import type { EventPublisher } from '../../../adapters/eventbridge/publisher';
import { purchaseFingerprint, type PurchaseFacts } from '../../ledger/domain/ledger';
import { EarningInputError, evaluatePurchase, type PurchaseEvaluation } from '../domain';
import { effectiveRules, planPurchaseCredit, usageFromCounters } from '../domain/earn-plan';
import type { MemberState } from '../../ledger/domain/member-state';
import type { ProgramSettings } from '../../ledger/domain/types';
import { CurrencyMismatch, MemberNotFound, OrderConflict, ProgramNotFound, ValidationFailed } from '../../kernel/errors';
import type { BusinessMetrics } from '../../../adapters/runtime/observability';
import { noMetrics } from '../../../adapters/runtime/observability';
import { ulid } from '../../kernel/ids';
import { MAX_LEDGER_ATTEMPTS, backoff } from '../../kernel/retry';
import { activationEvents, creditEvents, publishAfterCommit } from '../../ledger/use-cases/ledger-events';
import { newReferralCode } from '../../ledger/use-cases/members';

export interface EarnDeps {
  ledger: LedgerRepository;
  programs: ProgramRepository;
  rules: RulesRepository;
  events: EventPublisher;
  clock: Clock;
  metrics?: BusinessMetrics;
  onPublishError?: (err: unknown) => void;
}

export interface EarnOutcome {
  replayed: boolean;
  result: EarnResult;
}

/** A purchase without items earns on its amount, as one line. */
export function engineItems(purchase: PurchaseFacts) {
  return purchase.items?.length
    ? purchase.items.map((i) => ({ sku: i.sku, quantity: i.quantity, unitPrice: i.unitPrice, ...(i.category ? { category: i.category } : {}) }))
    : [{ sku: 'order', quantity: 1, unitPrice: purchase.amount }];
}

/** Evaluates a purchase against a rule set, as earning, simulation and backtests all do. */
export function evaluate(program: ProgramSettings, rules: Parameters<typeof effectiveRules>[1], purchase: PurchaseFacts, member: MemberState & { memberId: string }, now: string, referrerRewards?: number): PurchaseEvaluation {
  try {
    return evaluatePurchase({
      program: { programId: program.programId, currency: program.currency, timeZone: program.timeZone },
      rules: effectiveRules(program, rules),
      purchase: { orderId: purchase.orderId, amount: purchase.amount, currency: purchase.currency, items: engineItems(purchase), occurredAt: purchase.occurredAt, ...(purchase.channel ? { channel: purchase.channel as 'app' | 'web' | 'store' } : {}) },
      member: {
        memberId: member.memberId,
        tier: member.tier,
        purchaseCount: member.purchaseCount,
        ...(member.referredBy ? { referredBy: member.referredBy } : {}),
        ...(referrerRewards !== undefined ? { referrerRewardCount: referrerRewards } : {}),
        referralRewarded: member.referralRewarded,
      },
      usage: usageFromCounters(member.counters),
      now,
    });
  } catch (err) {
    if (err instanceof EarningInputError) throw new ValidationFailed([{ field: /occurredAt/.test(err.message) ? 'occurredAt' : 'items', message: err.message }]);
    throw err;
  }
}

/**
 * Credits a purchase exactly once. The order id guards the write inside the same transaction
 * that writes the lot, the transaction and the member's balances; a replay (or a concurrent
 * duplicate) gets the original result and writes nothing.
 */
export async function earnForPurchase(programId: string, purchase: PurchaseFacts, deps: EarnDeps, correlationId?: string): Promise<EarnOutcome> {
  const metrics = deps.metrics ?? noMetrics;
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new ProgramNotFound(programId);
  if (purchase.currency !== program.currency) throw new CurrencyMismatch(purchase.currency, program.currency);

  const fingerprint = purchaseFingerprint(purchase);
  const replay = (recorded: { fingerprint: string; result: EarnResult }): EarnOutcome => {
    if (recorded.fingerprint !== fingerprint) throw new OrderConflict(purchase.orderId);
    metrics.count('PurchaseReplayed');
    return { replayed: true, result: recorded.result };
  };

  for (let attempt = 1; ; attempt++) {
    const now = deps.clock.now().toISOString();
    const { member, order } = await deps.ledger.loadForEarn(programId, purchase.memberId, purchase.orderId);
    if (order) return replay(order);
    if (!member.exists && !program.autoEnrol) throw new MemberNotFound(purchase.memberId);

    const { rules } = await deps.rules.getRuleSet(programId);
    // A referred member's first qualifying purchase credits the referrer too: read the referrer only then.
    let referrer: { memberId: string; state: MemberState } | undefined;
    if (member.referredBy && !member.referralRewarded && rules.some((r) => r.kind === 'referral' && r.active)) {
      const found = await deps.ledger.getMember(programId, member.referredBy);
      if (found?.state) referrer = { memberId: member.referredBy, state: found.state };
    }
    const evaluation = evaluate(program, rules, purchase, { ...member, memberId: purchase.memberId }, now, referrer?.state.referralRewards);
    const plan = planPurchaseCredit({
      program,
      memberId: purchase.memberId,
      state: member,
      evaluation,
      purchase,
      now,
      ids: { transactionId: ulid(), lotId: ulid(), referrerTransactionId: ulid(), referrerLotId: ulid() },
      referrer: evaluation.referral && referrer ? referrer : undefined,
    });
    const result: EarnResult = {
      transactionId: plan.member.transaction.transactionId,
      orderId: purchase.orderId,
      memberId: purchase.memberId,
      points: evaluation.points,
      status: plan.member.transaction.status,
      breakdown: plan.member.transaction.breakdown,
    };
    const occurredAt = new Date(purchase.occurredAt).toISOString();
    // A member enrolled by this purchase gets their referral code in the same transaction.
    const referralCode = member.exists ? undefined : newReferralCode();
    const members = [
      { memberId: purchase.memberId, before: member, after: plan.member.state, ...(referralCode ? { enrol: { via: 'purchase', now }, set: { referralCode } } : {}) },
      ...(plan.referrer ? [{ memberId: plan.referrer.memberId, before: referrer!.state, after: plan.referrer.state }] : []),
    ];
    const write: LedgerWrite = {
      programId,
      members,
      lotPuts: [
        ...(plan.member.lot ? [{ memberId: purchase.memberId, lot: plan.member.lot }] : []),
        ...(plan.referrer?.lot ? [{ memberId: plan.referrer.memberId, lot: plan.referrer.lot }] : []),
      ],
      lotUpdates: [...activationUpdates(purchase.memberId, plan.activations), ...(plan.referrer ? activationUpdates(plan.referrer.memberId, plan.referrer.activations) : [])],
      transactions: [plan.member.transaction, ...(plan.referrer ? [plan.referrer.transaction] : [])],
      extra: [
        // A tier upgrade schedules its review; earning under an inactivity policy moves the deadline.
        ...scheduleWrites(deps.ledger.tableName, program, members, now),
        ...(referralCode
          ? [{ tag: 'refcode', item: { Put: { TableName: deps.ledger.tableName, Item: { ...keys.referralCode(programId, referralCode), entity: 'referralCode', programId, memberId: purchase.memberId, createdAt: now }, ConditionExpression: 'attribute_not_exists(pk)' } } }]
          : []),
        {
          tag: 'order',
          item: {
            Put: {
              TableName: deps.ledger.tableName,
              Item: {
                ...keys.order(programId, purchase.orderId),
                ...keys.purchaseByDate(programId, occurredAt, purchase.orderId),
                entity: 'order',
                programId,
                purchase,
                fingerprint,
                result,
                itemPoints: evaluation.itemPoints,
                lot: plan.member.lot ? { lotId: plan.member.lot.lotId, expiresAt: plan.member.lot.expiresAt } : null,
                returned: { points: 0, amount: 0, quantities: {} },
                version: 0,
                memberFacts: { tier: member.tier, purchaseCount: member.purchaseCount, referredBy: member.referredBy ?? null },
                recordedAt: now,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        },
      ],
    };
    try {
      await deps.ledger.write(write, now);
    } catch (err) {
      if (!(err instanceof WriteConflict)) throw err;
      if (err.has('order')) {
        const recorded = await deps.ledger.getOrder(programId, purchase.orderId);
        if (recorded) return replay(recorded);
      }
      if (err.has('member') && !member.exists && !program.autoEnrol) throw new MemberNotFound(purchase.memberId);
      if (attempt >= MAX_LEDGER_ATTEMPTS) throw err;
      metrics.count('LedgerWriteRetried');
      await backoff(attempt);
      continue;
    }

    metrics.count('PurchasesCredited');
    metrics.count('PointsAwarded', evaluation.points);
    const meta = { programId, occurredAt: now, correlationId };
    await publishAfterCommit(deps, [
      ...creditEvents({ memberId: purchase.memberId, enrolled: !member.exists, credit: plan.member, tierChange: plan.tierChange, balances: plan.member.state, orderId: purchase.orderId }, meta),
      ...(plan.referrer ? creditEvents({ memberId: plan.referrer.memberId, enrolled: false, credit: plan.referrer, balances: plan.referrer.state }, meta) : []),
      ...activationEvents(purchase.memberId, plan.activations, meta),
      ...(plan.referrer ? activationEvents(plan.referrer.memberId, plan.referrer.activations, meta) : []),
    ]);
    return { replayed: false, result };
  }
}
