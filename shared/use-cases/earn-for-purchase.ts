import type { Clock } from '../clock';
import type { LedgerRepository, EarnResult } from '../adapters/dynamodb/ledger-repository';
import type { ProgramRepository } from '../adapters/dynamodb/program-repository';
import type { EventPublisher } from '../adapters/events/publisher';
import { domainEvent } from '../adapters/events/publisher';
import { MemberEnrolled, PointsEarned } from '../adapters/events/catalog';
import { basePoints, baseBreakdown, planPurchaseCredit, purchaseFingerprint, type PurchaseFacts } from '../domain/ledger';
import { CurrencyMismatch, MemberNotFound, OrderConflict, ProgramNotFound, ValidationFailed } from '../errors';
import type { BusinessMetrics } from '../observability';
import { noMetrics } from '../observability';
import { ulid } from '../ids';

export interface EarnDeps {
  ledger: LedgerRepository;
  programs: ProgramRepository;
  events: EventPublisher;
  clock: Clock;
  metrics?: BusinessMetrics;
  onPublishError?: (err: unknown) => void;
}

export interface EarnOutcome {
  replayed: boolean;
  result: EarnResult;
}

/** Clock skew we tolerate on a purchase's occurredAt before calling it "in the future". */
const FUTURE_TOLERANCE_MS = 10 * 60_000;

/**
 * Credits a purchase exactly once. The order id guards the write inside the same transaction
 * that writes the lot, the transaction and the balance; a replay (or a concurrent duplicate)
 * gets the original result and writes nothing.
 */
export async function earnForPurchase(programId: string, purchase: PurchaseFacts, deps: EarnDeps, correlationId?: string): Promise<EarnOutcome> {
  const metrics = deps.metrics ?? noMetrics;
  const now = deps.clock.now();
  if (Date.parse(purchase.occurredAt) > now.getTime() + FUTURE_TOLERANCE_MS) {
    throw new ValidationFailed([{ field: 'occurredAt', message: 'must not be in the future' }]);
  }
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new ProgramNotFound(programId);
  if (purchase.currency !== program.currency) throw new CurrencyMismatch(purchase.currency, program.currency);

  const fingerprint = purchaseFingerprint(purchase);
  const replay = (recorded: { fingerprint: string; result: EarnResult }): EarnOutcome => {
    if (recorded.fingerprint !== fingerprint) throw new OrderConflict(purchase.orderId);
    metrics.count('PurchaseReplayed');
    return { replayed: true, result: recorded.result };
  };

  const { member, order } = await deps.ledger.loadForEarn(programId, purchase.memberId, purchase.orderId);
  if (order) return replay(order);
  if (!member && !program.autoEnrol) throw new MemberNotFound(purchase.memberId);

  const points = basePoints(purchase.amount, purchase.currency, program.pointsPerUnit);
  const nowIso = now.toISOString();
  const plan = planPurchaseCredit({
    purchase,
    points,
    breakdown: baseBreakdown(program, points),
    transactionId: ulid(now.getTime()),
    lotId: ulid(now.getTime()),
    now: nowIso,
  });
  const result: EarnResult = {
    transactionId: plan.transaction.transactionId,
    orderId: purchase.orderId,
    memberId: purchase.memberId,
    points,
    status: plan.transaction.status,
    breakdown: plan.transaction.breakdown,
  };

  const outcome = await deps.ledger.recordCredit({ programId, purchase, fingerprint, plan, result, enrol: !member, now: nowIso });
  if (outcome === 'duplicate') {
    const recorded = await deps.ledger.getOrder(programId, purchase.orderId);
    if (!recorded) throw new Error(`Order guard for ${purchase.orderId} vanished`);
    return replay(recorded);
  }

  metrics.count('PurchasesCredited');
  metrics.count('PointsAwarded', points);
  const meta = { programId, occurredAt: nowIso, correlationId };
  const events = [domainEvent(PointsEarned, { memberId: purchase.memberId, transactionId: result.transactionId, orderId: purchase.orderId, points, status: result.status as 'credited' | 'pending', breakdown: result.breakdown }, meta)];
  if (!member) events.unshift(domainEvent(MemberEnrolled, { memberId: purchase.memberId, via: 'purchase' }, meta));
  try {
    await deps.events.publish(events);
  } catch (err) {
    // The credit is committed; an event that cannot be published must not turn it into an error.
    metrics.count('EventPublishFailed');
    deps.onPublishError?.(err);
  }
  return { replayed: false, result };
}
