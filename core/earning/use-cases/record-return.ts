import { createHash } from 'node:crypto';
import { IdempotencyConflict, Unprocessable } from '../../kernel/errors';
import { ulid } from '../../kernel/ids';
import { retryOnConflict } from '../../kernel/retry';
import { allocateDebit, type MemberState, settleForWrite } from '../../ledger/domain/member-state';
import type { BreakdownLine, Transaction } from '../../ledger/domain/types';
import type { LotUpdate } from '../../ledger/ports';
import { announcedActivations, balancesOf } from '../../ledger/use-cases/ledger-events';
import { activationUpdates } from '../../ledger/writes';
import { DEFAULT_EARN_ON } from '../../programs/domain/program';
import { ProgramNotFound } from '../../programs/errors';
import { applyTierProgress, BACKFILLED } from '../domain/earn-plan';
import { earnedOnOf, lineKey, netBySku, orderLines, qualifyingSpend } from '../domain/order-lines';
import { planClawback, type ReturnRequest } from '../domain/returns';
import { OrderNotFound } from '../errors';
import type { OrderReturned, RecordedOrder, ReturnRecorded, ReturnResult } from '../ports';
import type { ReturnInput } from '../schemas';
import type { EarnDeps } from './earn-for-purchase';
import { assertInWindow, type RecordOptions } from './time-window';

export type { ReturnResult };

function fingerprint(orderId: string, input: ReturnInput): string {
  return createHash('sha256')
    .update(JSON.stringify([orderId, Date.parse(input.occurredAt), input.items ?? null, input.amount ?? null]))
    .digest('base64url');
}

/** What returned units of products were paid, net of discounts, by cumulative rounding per line. */
function productValueReturned(
  purchase: RecordedOrder['purchase'],
  before: Record<string, number>,
  items: { sku?: string; lineId?: string; quantity: number }[],
): number {
  const lines = netBySku(orderLines(purchase, DEFAULT_EARN_ON));
  const returned = { ...before };
  let value = 0n;
  for (const item of items) {
    const key = lineKey(item);
    const { quantity } = item;
    const line = lines.get(key);
    const prev = returned[key] ?? 0;
    returned[key] = prev + quantity;
    if (line?.type !== 'product' || line.quantity === 0) continue;
    const upTo = (units: number) => (BigInt(line.net) * BigInt(Math.min(units, line.quantity))) / BigInt(line.quantity);
    value += upTo(prev + quantity) - upTo(prev);
  }
  return Number(value);
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
export async function recordReturn(
  programId: string,
  orderId: string,
  input: ReturnInput,
  deps: EarnDeps,
  correlationId?: string,
  opts: RecordOptions = {},
): Promise<{ replayed: boolean; result: ReturnResult }> {
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new ProgramNotFound(programId);
  const print = fingerprint(orderId, input);

  return retryOnConflict(
    `Order "${orderId}"`,
    async () => {
      const now = deps.clock.now().toISOString();
      const order = await deps.orders.getOrder(programId, orderId);
      if (!order) throw new OrderNotFound(orderId);
      const memberId = order.purchase.memberId;
      const { member, recorded } = await deps.orders.loadForReturn(programId, memberId, input.returnId);
      if (recorded) {
        if (recorded.fingerprint !== print) throw new IdempotencyConflict('Return id', input.returnId);
        return { replayed: true, result: recorded.result };
      }
      assertInWindow(input.occurredAt, now, program, opts);
      if (Date.parse(input.occurredAt) < Date.parse(order.purchase.occurredAt)) {
        throw new Unprocessable([
          { field: 'occurredAt', message: `is before the purchase it returns (${order.purchase.occurredAt})` },
        ]);
      }

      const decision = planClawback(
        {
          points: order.result.points,
          amount: order.purchase.amount,
          earnedOn: earnedOnOf(order),
          // Item i earned itemPoints[i]: its line id (kept with the purchase) names it for returns.
          itemPoints: order.itemPoints.map((p, i) => {
            const lineId = order.purchase.items?.[i]?.lineId;
            return lineId ? { ...p, lineId } : p;
          }),
          itemised: Boolean(order.purchase.items?.length),
        },
        order.returned,
        request(input),
      );
      if (!decision.ok) throw new Unprocessable(decision.errors);

      const { state: settled, activations } = settleForWrite(member, now);
      const lots = decision.points > 0 ? await deps.ledger.listLots(programId, memberId) : [];
      const orderLot = lots.find((l) => l.lotId === order.lot?.lotId);
      // A pending order lot that matured in this write first repays debt: only the rest can come back.
      const repaidFromOrder = activations.find((a) => a.lot.lotId === orderLot?.lotId)?.repaid ?? 0;
      const fromOrder = Math.min((orderLot?.remaining ?? 0) - repaidFromOrder, decision.points);
      const orderLotPending = Boolean(orderLot && orderLot.availableAt > now);
      let state: MemberState = orderLotPending
        ? {
            ...settled,
            pending: settled.pending - fromOrder,
            pendingLots: settled.pendingLots
              .map((l) => (l.lotId === orderLot!.lotId ? { ...l, points: l.points - fromOrder } : l))
              .filter((l) => l.points > 0),
          }
        : { ...settled, available: settled.available - fromOrder };

      // Spent already: take what is left of the member's available points, nearest expiry first.
      const shortfall = decision.points - fromOrder;
      const others = allocateDebit(
        lots.filter((l) => l.lotId !== orderLot?.lotId),
        Math.min(shortfall, Math.max(0, state.available)),
        now,
      );
      const fromOther = others.allocations.reduce((s, a) => s + a.points, 0);
      const rest = shortfall - fromOther;
      const debt = program.returnPolicy === 'negative-balance' ? rest : 0;
      const forgiven = rest - debt;
      const taken = fromOrder + fromOther + debt;
      state = {
        ...state,
        available: state.available - fromOther - debt,
        debt: state.debt + debt,
        lifetimeEarned: state.lifetimeEarned - taken,
      };
      // The tier's qualifying value loses what the order no longer earned (points) or the money returned (spend).
      // Products only, net of every discount: shipping, tax and gift cards sold never qualified.
      const spentBefore = order.returned.spend ?? 0;
      const qualifying = qualifyingSpend(order.purchase);
      const requested = input.items
        ? productValueReturned(order.purchase, order.returned.quantities, input.items)
        : (input.amount ?? qualifying - spentBefore);
      const spendBack = Math.max(0, Math.min(requested, qualifying - spentBefore));
      const returned = { ...decision.returned, spend: spentBefore + spendBack };
      state = applyTierProgress(
        state,
        program.tierSet,
        { points: -decision.points, spend: -spendBack },
        order.purchase.occurredAt,
        now,
        program.timeZone,
      ).state;

      const breakdown: BreakdownLine[] = [
        {
          rule: 'return',
          ruleId: 'order-lot',
          version: 1,
          description: `Taken back from the points order ${orderId} earned`,
          points: -fromOrder,
        },
        ...(fromOther
          ? [
              {
                rule: 'return',
                ruleId: 'spent-points',
                version: 1,
                description: 'Order points already spent: taken from other points, nearest expiry first',
                points: -fromOther,
              },
            ]
          : []),
        ...(debt
          ? [
              {
                rule: 'return',
                ruleId: 'negative-balance',
                version: 1,
                description: 'Not enough points left: the balance goes negative (program policy)',
                points: -debt,
              },
            ]
          : []),
        ...(forgiven
          ? [
              {
                rule: 'return',
                ruleId: 'forgiven',
                version: 1,
                description: `${forgiven} point(s) already spent and waived (program policy: take only what is left)`,
                points: 0,
              },
            ]
          : []),
      ];
      const transaction: Transaction | null =
        decision.points > 0
          ? {
              transactionId: ulid(),
              memberId,
              type: 'reverse',
              points: -taken,
              reason: `Return ${input.returnId} of order ${orderId}${opts.backfill ? BACKFILLED : ''}`,
              source: 'return',
              orderId,
              returnId: input.returnId,
              status: 'debited',
              breakdown,
              lots: [
                ...(fromOrder ? [{ lotId: orderLot!.lotId, points: -fromOrder }] : []),
                ...others.allocations.map((a) => ({ lotId: a.lot.lotId, points: -a.points })),
              ],
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
      const guard: ReturnRecorded = {
        kind: 'return-recorded',
        returnId: input.returnId,
        orderId,
        input,
        fingerprint: print,
        result,
        // The guard is new with every return: it carries what the return announces (Points Reversed, activations).
        ...(opts.backfill
          ? {}
          : {
              announces: {
                memberId,
                at: now,
                ...(correlationId ? { correlationId } : {}),
                ...(transaction
                  ? {
                      reversal: {
                        transactionId: transaction.transactionId,
                        orderId,
                        returnId: input.returnId,
                        points: taken,
                        fromOrder,
                        fromOtherPoints: fromOther,
                        forgiven,
                        debt,
                        balances: balancesOf(state),
                      },
                    }
                  : {}),
                ...announcedActivations(activations),
              },
            }),
      };
      const orderReturned: OrderReturned = { kind: 'order-returned', orderId, returned, version: order.version };
      // Another return, spend or earn that got there first fails a condition: read again and decide again.
      await deps.ledger.commit(
        {
          programId,
          members: [{ memberId, before: member, after: state }],
          lotUpdates,
          transactions: transaction ? [transaction] : [],
          records: [guard, orderReturned],
        },
        now,
      );
      deps.metrics?.count('ReturnsRecorded');
      deps.metrics?.count('PointsReversed', taken);
      return { replayed: false, result };
    },
    { onRetry: () => deps.metrics?.count('LedgerWriteRetried') },
  );
}
