import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { EarnDeps } from './earn-for-purchase';
import { WriteConflict, activationUpdates, type LotUpdate } from '../../../adapters/dynamodb/ledger-writer';
import { keys } from '../../../adapters/dynamodb/keys';
import { domainEvent } from '../../../adapters/eventbridge/publisher';
import { PointsReversed } from '../../events/catalog';
import { planClawback, type ReturnRequest } from '../domain/returns';
import { allocateDebit, settleForWrite, type MemberState } from '../../ledger/domain/member-state';
import { applyTierProgress } from '../domain/earn-plan';
import type { BreakdownLine, Transaction } from '../../ledger/domain/types';
import { IdempotencyConflict, OrderNotFound, ProgramNotFound, Unprocessable } from '../../kernel/errors';
import { ulid } from '../../kernel/ids';
import { MAX_LEDGER_ATTEMPTS, backoff } from '../../kernel/retry';
import { ClientId, Timestamp } from '../../kernel/schemas';
import { activationEvents, publishAfterCommit } from '../../ledger/use-cases/ledger-events';

export const ReturnInput = z
  .strictObject({
    returnId: ClientId,
    occurredAt: Timestamp,
    items: z.array(z.strictObject({ sku: z.string().min(1).max(128), quantity: z.number().int('must be a whole number').min(1).max(100_000) })).min(1).max(500).optional(),
    amount: z.number().int('must be in minor units (an integer)').min(1).max(1_000_000_000_000).optional(),
  })
  .refine((r) => !(r.items && r.amount !== undefined), { message: 'send items or amount, not both (neither cancels the whole order)', path: ['amount'] });
export type ReturnInput = z.infer<typeof ReturnInput>;

/** The bus carries the same body plus the program and the order. */
export const PurchaseReturnedDetail = z.strictObject({ programId: ClientId, orderId: ClientId, returnId: ClientId, occurredAt: Timestamp, items: ReturnInput.shape.items, amount: ReturnInput.shape.amount });

export interface ReturnResult {
  returnId: string;
  orderId: string;
  memberId: string;
  transactionId: string | null;
  /** Points taken back in total: from the order's own lot, from other points, and as debt. */
  points: number;
  fromOrder: number;
  fromOtherPoints: number;
  debt: number;
  /** Points the return should have taken but the member had already spent, waived by the program's policy. */
  forgiven: number;
  orderPointsLeft: number;
  fullyReturned: boolean;
}

function fingerprint(orderId: string, input: ReturnInput): string {
  return createHash('sha256').update(JSON.stringify([orderId, Date.parse(input.occurredAt), input.items ?? null, input.amount ?? null])).digest('base64url');
}

function request(input: ReturnInput): ReturnRequest {
  if (input.items) return { kind: 'items', items: input.items };
  if (input.amount !== undefined) return { kind: 'amount', amount: input.amount };
  return { kind: 'full' };
}

/**
 * Takes back the points of returned items (or of a returned amount, or of the whole order),
 * exactly once per return id: first from the lot the order created (pending first, as it is
 * that lot), then, if those points were spent, as the program's return policy says.
 */
export async function recordReturn(programId: string, orderId: string, input: ReturnInput, deps: EarnDeps, correlationId?: string): Promise<{ replayed: boolean; result: ReturnResult }> {
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new ProgramNotFound(programId);
  const print = fingerprint(orderId, input);
  const guardKey = keys.returnGuard(programId, input.returnId);

  for (let attempt = 1; ; attempt++) {
    const now = deps.clock.now().toISOString();
    const order = await deps.ledger.getOrder(programId, orderId);
    if (!order) throw new OrderNotFound(orderId);
    const memberId = order.purchase.memberId;
    const { member, items } = await deps.ledger.loadWith(programId, memberId, [guardKey]);
    const guard = items.get(`${guardKey.pk}|${guardKey.sk}`);
    if (guard) {
      if (guard.fingerprint !== print) throw new IdempotencyConflict('Return id', input.returnId);
      return { replayed: true, result: guard.result as ReturnResult };
    }

    const decision = planClawback(
      { points: order.result.points, amount: order.purchase.amount, itemPoints: order.itemPoints, itemised: Boolean(order.purchase.items?.length) },
      order.returned,
      request(input),
    );
    if (!decision.ok) throw new Unprocessable(decision.errors);

    const { state: settled, activations } = settleForWrite(member, now);
    const lots = decision.points > 0 ? await deps.ledger.listLots(programId, memberId) : [];
    const orderLot = lots.find((l) => l.lotId === order.lot?.lotId);
    const fromOrder = Math.min(orderLot?.remaining ?? 0, decision.points);
    const orderLotPending = Boolean(orderLot && orderLot.availableAt > now);
    let state: MemberState = orderLotPending
      ? {
          ...settled,
          pending: settled.pending - fromOrder,
          pendingLots: settled.pendingLots.map((l) => (l.lotId === orderLot!.lotId ? { ...l, points: l.points - fromOrder } : l)).filter((l) => l.points > 0),
        }
      : { ...settled, available: settled.available - fromOrder };

    // Spent already: take what is left of the member's available points, nearest expiry first.
    const shortfall = decision.points - fromOrder;
    const others = allocateDebit(lots.filter((l) => l.lotId !== orderLot?.lotId), Math.min(shortfall, Math.max(0, state.available)), now);
    const fromOther = others.allocations.reduce((s, a) => s + a.points, 0);
    const rest = shortfall - fromOther;
    const debt = program.returnPolicy === 'negative-balance' ? rest : 0;
    const forgiven = rest - debt;
    const taken = fromOrder + fromOther + debt;
    state = { ...state, available: state.available - fromOther - debt, debt: state.debt + debt, lifetimeEarned: state.lifetimeEarned - taken };
    // The tier's qualifying value loses what the order no longer earned (points) or the money returned (spend).
    const spentBefore = order.returned.spend ?? 0;
    const priceOf = (sku: string) => order.purchase.items?.find((i) => i.sku === sku)?.unitPrice ?? 0;
    const requested = input.items ? input.items.reduce((sum, i) => sum + priceOf(i.sku) * i.quantity, 0) : (input.amount ?? order.purchase.amount - spentBefore);
    const spendBack = Math.max(0, Math.min(requested, order.purchase.amount - spentBefore));
    const returned = { ...decision.returned, spend: spentBefore + spendBack };
    state = applyTierProgress(state, program.tierSet, { points: -decision.points, spend: -spendBack }, order.purchase.occurredAt, now, program.timeZone).state;

    const breakdown: BreakdownLine[] = [
      { rule: 'return', ruleId: 'order-lot', version: 1, description: `Taken back from the points order ${orderId} earned`, points: -fromOrder },
      ...(fromOther ? [{ rule: 'return', ruleId: 'spent-points', version: 1, description: 'Order points already spent: taken from other points, nearest expiry first', points: -fromOther }] : []),
      ...(debt ? [{ rule: 'return', ruleId: 'negative-balance', version: 1, description: 'Not enough points left: the balance goes negative (program policy)', points: -debt }] : []),
      ...(forgiven ? [{ rule: 'return', ruleId: 'forgiven', version: 1, description: `${forgiven} point(s) already spent and waived (program policy: take only what is left)`, points: 0 }] : []),
    ];
    const transaction: Transaction | null = decision.points > 0
      ? {
          transactionId: ulid(),
          memberId,
          type: 'reverse',
          points: -taken,
          reason: `Return ${input.returnId} of order ${orderId}`,
          source: 'return',
          orderId,
          returnId: input.returnId,
          status: 'debited',
          breakdown,
          lots: [...(fromOrder ? [{ lotId: orderLot!.lotId, points: -fromOrder }] : []), ...others.allocations.map((a) => ({ lotId: a.lot.lotId, points: -a.points }))],
          occurredAt: input.occurredAt,
          recordedAt: now,
        }
      : null;
    const result: ReturnResult = {
      returnId: input.returnId,
      orderId,
      memberId,
      transactionId: transaction?.transactionId ?? null,
      points: taken,
      fromOrder,
      fromOtherPoints: fromOther,
      debt,
      forgiven,
      orderPointsLeft: order.result.points - decision.returned.points,
      fullyReturned: decision.fullyReturned,
    };
    const lotUpdates: LotUpdate[] = [
      ...activationUpdates(memberId, activations),
      ...(fromOrder ? [{ memberId, lot: orderLot!, take: fromOrder }] : []),
      ...others.allocations.map((a) => ({ memberId, lot: a.lot, take: a.points })),
    ];
    try {
      await deps.ledger.write(
        {
          programId,
          members: [{ memberId, before: member, after: state }],
          lotUpdates,
          transactions: transaction ? [transaction] : [],
          extra: [
            { tag: 'return', item: { Put: { TableName: deps.ledger.tableName, Item: { ...guardKey, entity: 'return', programId, orderId, input, fingerprint: print, result, recordedAt: now }, ConditionExpression: 'attribute_not_exists(pk)' } } },
            {
              tag: 'order',
              item: {
                Update: {
                  TableName: deps.ledger.tableName,
                  Key: keys.order(programId, orderId),
                  UpdateExpression: 'SET returned = :returned, version = :next',
                  ConditionExpression: order.version ? 'version = :prev' : 'attribute_not_exists(version) OR version = :prev',
                  ExpressionAttributeValues: { ':returned': returned, ':next': order.version + 1, ':prev': order.version },
                },
              },
            },
          ],
        },
        now,
      );
    } catch (err) {
      if (!(err instanceof WriteConflict) || attempt >= MAX_LEDGER_ATTEMPTS) throw err;
      deps.metrics?.count('LedgerWriteRetried');
      await backoff(attempt);
      continue; // another return, spend or earn got there first: re-read and decide again
    }
    deps.metrics?.count('ReturnsRecorded');
    deps.metrics?.count('PointsReversed', taken);
    const meta = { programId, occurredAt: now, correlationId };
    await publishAfterCommit(deps, [
      ...(transaction
        ? [domainEvent(PointsReversed, { memberId, transactionId: transaction.transactionId, orderId, returnId: input.returnId, points: taken, fromOrder, fromOtherPoints: fromOther, forgiven, debt, balances: { available: state.available, pending: state.pending, lifetimeEarned: state.lifetimeEarned } }, meta)]
        : []),
      ...activationEvents(memberId, activations, meta),
    ]);
    return { replayed: false, result };
  }
}
