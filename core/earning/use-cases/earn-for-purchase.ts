import { scheduleRecords } from '../../jobs/schedules';
import type { Clock } from '../../kernel/clock';
import { Unprocessable, ValidationFailed } from '../../kernel/errors';
import { ulid } from '../../kernel/ids';
import { type BusinessMetrics, noMetrics } from '../../kernel/metrics';
import { retryOnConflict, WriteConflict } from '../../kernel/retry';
import { MAX_LEDGER_POINTS, type MemberState, outOfLedgerBounds } from '../../ledger/domain/member-state';
import { MemberNotFound } from '../../ledger/errors';
import type { Announcement, LedgerStore, LedgerWrite } from '../../ledger/ports';
import { announcedActivations, balancesOf } from '../../ledger/use-cases/ledger-events';
import { newReferralCode } from '../../ledger/use-cases/members';
import { activationUpdates } from '../../ledger/writes';
import { currentWindfallKey, type EarnOn, type ProgramSettings } from '../../programs/domain/program';
import { ProgramNotFound } from '../../programs/errors';
import type { ProgramStore } from '../../programs/ports';
import { newWindfallKeys } from '../../programs/use-cases/manage-programs';
import { EarningInputError, evaluatePurchase, type PurchaseEvaluation } from '../domain';
import { effectiveRules, planPurchaseCredit, usageFromCounters } from '../domain/earn-plan';
import { orderLines, totalsErrors } from '../domain/order-lines';
import { type PurchaseFacts, purchaseFingerprint } from '../domain/purchase';
import { CurrencyMismatch, OrderConflict } from '../errors';
import type { EarnResult, OrderRecorded, OrderStore, RuleStore } from '../ports';
import { assertInWindow, type RecordOptions } from './time-window';

export interface EarnDeps {
  ledger: LedgerStore;
  orders: OrderStore;
  programs: ProgramStore;
  rules: RuleStore;
  clock: Clock;
  metrics?: BusinessMetrics;
}

/**
 * How a purchase is recorded. `earnOn` overrides the program's policy for this purchase only: a shop
 * connector's options decide for its orders; the public API never passes it.
 */
export type EarnOptions = RecordOptions & {
  earnOn?: Partial<EarnOn>;
  /**
   * An amendment of an order already credited (a shop's order edit posted as its difference): only
   * the rules that earn per line apply; the order's own rules (first purchase, order threshold,
   * windfall, referral) applied once, to the order, so an edit cannot win them again.
   */
  amendment?: boolean;
};

/** Rules that reward an order as a whole: once per order, never again for its amendments. */
export const PER_ORDER_RULE_KINDS: ReadonlySet<string> = new Set([
  'first-purchase',
  'order-threshold',
  'windfall',
  'referral',
]);

export interface EarnOutcome {
  replayed: boolean;
  result: EarnResult;
}

/**
 * The lines the engine earns on: the items net of their own and their share of the order discount,
 * then shipping and tax; lines the program does not earn on (gift cards, shipping, tax by default)
 * are marked so. A purchase without items is one line of its amount less shipping and tax.
 */
export function engineItems(purchase: PurchaseFacts, earnOn: EarnOn) {
  return orderLines(purchase, earnOn).map((l) => ({
    sku: l.sku,
    quantity: l.quantity,
    unitPrice: l.unitPrice,
    ...(l.category ? { category: l.category } : {}),
    ...(l.discount ? { discount: l.discount } : {}),
    ...(l.earns ? {} : { earns: false }),
  }));
}

/**
 * Refuses a purchase whose money does not add up (`amount` against the lines, discounts, shipping and
 * tax) or is beyond the program's largest purchase: a 422 naming the fields, before anything is written.
 */
export function assertTotals(purchase: PurchaseFacts, program: ProgramSettings): void {
  const errors = totalsErrors(purchase, program);
  if (errors.length) throw new Unprocessable(errors);
}

/** Refuses a write that would take a member's balances or counters beyond the ledger's bound. */
export function assertWithinLedgerBounds(members: readonly { memberId: string; after: MemberState }[]): void {
  const errors = members.flatMap(({ memberId, after }) =>
    outOfLedgerBounds(after).map((what) => ({
      field: 'memberId',
      message: `${memberId}: this would take ${what} beyond ${MAX_LEDGER_POINTS}, the most a ledger holds`,
    })),
  );
  if (errors.length) throw new Unprocessable(errors);
}

/** What the engine needs of a program: its id, currency, time zone and current windfall key. */
export function programFacts(program: ProgramSettings) {
  const windfallKey = currentWindfallKey(program);
  return {
    programId: program.programId,
    currency: program.currency,
    timeZone: program.timeZone,
    ...(windfallKey ? { windfallKey } : {}),
  };
}

/**
 * The program with windfall keys: a program created before draws were keyed gets its keys the first
 * time one of its active windfall rules draws (one conditional write; concurrent first draws agree).
 */
export async function withWindfallKeys(
  program: ProgramSettings,
  rules: readonly { kind: string; active: boolean }[],
  programs: Pick<ProgramStore, 'ensureWindfallKeys'>,
): Promise<ProgramSettings> {
  if (program.windfallKeys || !rules.some((r) => r.kind === 'windfall' && r.active)) return program;
  return programs.ensureWindfallKeys(program.programId, newWindfallKeys());
}

/** Evaluates a purchase against a rule set, as earning, simulation and backtests all do. */
export function evaluate(
  program: ProgramSettings,
  rules: Parameters<typeof effectiveRules>[1],
  purchase: PurchaseFacts,
  member: MemberState & { memberId: string },
  now: string,
  referrerRewards?: number,
): PurchaseEvaluation {
  try {
    return evaluatePurchase({
      program: programFacts(program),
      rules: effectiveRules(program, rules, purchase.occurredAt),
      purchase: {
        orderId: purchase.orderId,
        amount: purchase.amount,
        currency: purchase.currency,
        items: engineItems(purchase, program.earnOn),
        occurredAt: purchase.occurredAt,
        ...(purchase.channel ? { channel: purchase.channel as 'app' | 'web' | 'store' } : {}),
      },
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
    if (err instanceof EarningInputError) {
      throw new ValidationFailed([
        { field: /occurredAt/.test(err.message) ? 'occurredAt' : 'items', message: err.message },
      ]);
    }
    throw err;
  }
}

/**
 * Credits a purchase exactly once. The order id guards the write inside the same transaction
 * that writes the lot, the transaction and the member's balances; a replay (or a concurrent
 * duplicate) gets the original result and writes nothing.
 */
export async function earnForPurchase(
  programId: string,
  purchase: PurchaseFacts,
  deps: EarnDeps,
  correlationId?: string,
  opts: EarnOptions = {},
): Promise<EarnOutcome> {
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

  return retryOnConflict(
    `Member "${purchase.memberId}"`,
    async () => {
      const now = deps.clock.now().toISOString();
      const { member, order } = await deps.orders.loadForEarn(programId, purchase.memberId, purchase.orderId);
      if (order) return replay(order);
      assertInWindow(purchase.occurredAt, now, program, opts);
      assertTotals(purchase, program);
      if (!member.exists && !program.autoEnrol) throw new MemberNotFound(purchase.memberId);

      const { rules: stored } = await deps.rules.getRuleSet(programId);
      const rules = opts.amendment ? stored.filter((r) => !PER_ORDER_RULE_KINDS.has(r.kind)) : stored;
      const keyed = await withWindfallKeys(program, rules, deps.programs);
      // A referred member's first qualifying purchase credits the referrer too: read the referrer only then.
      let referrer: { memberId: string; state: MemberState } | undefined;
      if (member.referredBy && !member.referralRewarded && rules.some((r) => r.kind === 'referral' && r.active)) {
        const found = await deps.ledger.getMember(programId, member.referredBy);
        if (found?.state) referrer = { memberId: member.referredBy, state: found.state };
      }
      const evaluation = evaluate(
        opts.earnOn ? { ...keyed, earnOn: { ...keyed.earnOn, ...opts.earnOn } } : keyed,
        rules,
        purchase,
        { ...member, memberId: purchase.memberId },
        now,
        referrer?.state.referralRewards,
      );
      const plan = planPurchaseCredit({
        program,
        memberId: purchase.memberId,
        state: member,
        evaluation,
        purchase,
        now,
        ids: { transactionId: ulid(), lotId: ulid(), referrerTransactionId: ulid(), referrerLotId: ulid() },
        referrer: evaluation.referral && referrer ? referrer : undefined,
        backfill: opts.backfill,
      });
      const result: EarnResult = {
        transactionId: plan.member.transaction.transactionId,
        orderId: purchase.orderId,
        memberId: purchase.memberId,
        points: evaluation.points,
        status: plan.member.transaction.status,
        breakdown: plan.member.transaction.breakdown,
      };
      // A member enrolled by this purchase gets their referral code in the same transaction.
      const members = [
        {
          memberId: purchase.memberId,
          before: member,
          after: plan.member.state,
          ...(member.exists
            ? {}
            : {
                enrol: { via: opts.backfill ? ('backfill' as const) : ('purchase' as const), now },
                referralCode: newReferralCode(),
              }),
        },
        ...(plan.referrer
          ? [{ memberId: plan.referrer.memberId, before: referrer!.state, after: plan.referrer.state }]
          : []),
      ];
      assertWithinLedgerBounds(members);
      const orderRecorded: OrderRecorded = {
        kind: 'order-recorded',
        order: {
          purchase,
          fingerprint,
          result,
          itemPoints: evaluation.itemPoints,
          earnedOn: evaluation.eligibleSpend,
          lot: plan.member.lot ? { lotId: plan.member.lot.lotId, expiresAt: plan.member.lot.expiresAt } : null,
          returned: { points: 0, amount: 0, quantities: {} },
          version: 0,
          memberFacts: {
            tier: member.tier,
            purchaseCount: member.purchaseCount,
            referredBy: member.referredBy ?? null,
          },
          recordedAt: now,
        },
      };
      // Imported history announces nothing: its events happened long ago.
      const announced = (a: Omit<Announcement, 'at' | 'correlationId'>) =>
        opts.backfill ? {} : { announces: { ...a, at: now, ...(correlationId ? { correlationId } : {}) } };
      const write: LedgerWrite = {
        programId,
        members,
        lotPuts: [
          ...(plan.member.lot ? [{ memberId: purchase.memberId, lot: plan.member.lot }] : []),
          ...(plan.referrer?.lot ? [{ memberId: plan.referrer.memberId, lot: plan.referrer.lot }] : []),
        ],
        lotUpdates: [
          ...activationUpdates(purchase.memberId, plan.activations),
          ...(plan.referrer ? activationUpdates(plan.referrer.memberId, plan.referrer.activations) : []),
        ],
        // What the credit announces rides on its transaction's item: the stream publishes it once committed
        // (Member Enrolled comes from the member's new item).
        transactions: [
          {
            ...plan.member.transaction,
            ...announced({
              memberId: purchase.memberId,
              credit: {
                balances: balancesOf(plan.member.state),
                orderId: purchase.orderId,
                ...(plan.tierChange ? { tierChange: plan.tierChange } : {}),
              },
              ...announcedActivations(plan.activations),
            }),
          },
          ...(plan.referrer
            ? [
                {
                  ...plan.referrer.transaction,
                  ...announced({
                    memberId: plan.referrer.memberId,
                    credit: { balances: balancesOf(plan.referrer.state) },
                    ...announcedActivations(plan.referrer.activations),
                  }),
                },
              ]
            : []),
        ],
        // A tier upgrade schedules its review; earning under an inactivity policy moves the deadline.
        records: [...scheduleRecords(program, members, now), orderRecorded],
      };
      try {
        await deps.ledger.commit(write, now);
      } catch (err) {
        if (!(err instanceof WriteConflict)) throw err;
        if (err.has('order')) {
          const recorded = await deps.orders.getOrder(programId, purchase.orderId);
          if (recorded) return replay(recorded);
        }
        if (err.has('member') && !member.exists && !program.autoEnrol) throw new MemberNotFound(purchase.memberId);
        throw err;
      }

      metrics.count('PurchasesCredited');
      metrics.count('PointsAwarded', evaluation.points);
      return { replayed: false, result };
    },
    { onRetry: () => metrics.count('LedgerWriteRetried') },
  );
}
