// The asynchronous leg: a recorded delivery is mapped and credited through the same use cases as
// the API, so the order id (the platform's) keys the ledger and an order that arrives twice (a
// platform retry, orders/create then orders/paid, the webhook and the API) credits once; a later
// version with other lines credits its difference once (credit-edit.ts). What
// verified but cannot be mapped or credited goes to the connector's dead letters with the reason;
// anything else (a dependency down) throws, so the bus retries and, in the end, the DLQ keeps it.

import { OrderConflict, OrderNotFound } from '../../earning/errors';
import { PurchaseInput, ReturnInput } from '../../earning/schemas';
import { type EarnDeps, earnForPurchase } from '../../earning/use-cases/earn-for-purchase';
import { recordReturn } from '../../earning/use-cases/record-return';
import { ConcurrentUpdate, DomainError, IdempotencyConflict } from '../../kernel/errors';
import { check, unsafeShape } from '../../kernel/validation';
import { type ConnectorAction, earnOnOverride, Unmappable } from '../domain/connector';
import { parseLosslessJson } from '../domain/lossless-json';
import { MAPPERS } from '../platforms';
import type { ConnectorStore, Delivery, DeliveryRef } from '../ports';
import type { ConnectorOptions } from '../schemas';
import { creditOrderEdit, returnAcrossEdits } from './credit-edit';

export type ProcessDeps = EarnDeps & { connectors: ConnectorStore };

export type Outcome = { status: 'credited' | 'ignored' | 'dead' | 'absent' | 'done-before'; note: string };

async function apply(
  programId: string,
  action: ConnectorAction,
  deps: ProcessDeps,
  correlationId: string,
  options: ConnectorOptions,
) {
  if (action.kind === 'ignore') return { status: 'ignored' as const, note: action.reason };
  if (action.kind === 'purchase') {
    const valid = check(PurchaseInput, action.purchase, 'purchase');
    if (!valid.ok) throw new Unmappable(valid.errors.map((e) => `${e.field} ${e.message}`).join('; '));
    const earnOn = earnOnOverride(options);
    let credited: { points: number } | null = null;
    try {
      const { replayed, result } = await earnForPurchase(programId, valid.value, deps, correlationId, { earnOn });
      if (!replayed) {
        return {
          status: 'credited' as const,
          note: `order ${result.orderId}: ${result.points} points to ${result.memberId}`,
        };
      }
      credited = result;
    } catch (err) {
      if (!(err instanceof OrderConflict)) throw err;
    }
    // The order was credited before: this version credits what it changes, once (an edit back to the
    // credited content changes nothing). An order recorded without line ids (by the API) stays as it was.
    const order = await deps.orders.getOrder(programId, valid.value.orderId);
    const byLine = order?.purchase.items?.length && order.purchase.items.every((i) => i.lineId);
    if (!byLine) {
      return {
        status: 'ignored' as const,
        note: credited
          ? `order ${valid.value.orderId} was credited before (${credited.points} points)`
          : `order ${valid.value.orderId} was recorded before with other content, without line ids: ` +
            'it stays as recorded',
      };
    }
    return creditOrderEdit(programId, valid.value, action.versionAt, deps, earnOn, correlationId);
  }
  let input = action.input;
  const order = await deps.orders.getOrder(programId, action.orderId);
  if (!order) {
    if (action.cancel)
      return { status: 'ignored' as const, note: `order ${action.orderId} never earned: nothing to cancel` };
    throw new Unmappable(`order ${action.orderId} is not recorded (it never earned here, or not yet)`);
  }
  // A refunded shipping line comes back only if the order recorded shipping.
  if (input.items && !order.purchase.shipping) {
    const items = input.items.filter((i) => i.sku !== '(shipping)');
    if (!items.length) return { status: 'ignored' as const, note: 'only shipping was refunded; the order had none' };
    input = { ...input, items };
  }
  const valid = check(ReturnInput, input, 'return');
  if (!valid.ok) throw new Unmappable(valid.errors.map((e) => `${e.field} ${e.message}`).join('; '));
  try {
    const across = await returnAcrossEdits(programId, action.orderId, valid.value, action.cancel, deps, correlationId);
    if (across) {
      return {
        status: (across.replayed ? 'ignored' : 'credited') as 'ignored' | 'credited',
        note:
          `${across.replayed ? 'recorded before: ' : ''}return ${valid.value.returnId} of ${action.orderId} ` +
          `and its edits: -${across.points} points`,
      };
    }
    const { replayed, result } = await recordReturn(programId, action.orderId, valid.value, deps, correlationId);
    return {
      status: (replayed ? 'ignored' : 'credited') as 'ignored' | 'credited',
      note:
        `${replayed ? 'recorded before: ' : ''}return ${result.returnId} of ${action.orderId}: ` +
        `-${result.points} points`,
    };
  } catch (err) {
    if (err instanceof IdempotencyConflict) return { status: 'ignored' as const, note: err.message };
    if (err instanceof OrderNotFound) throw new Unmappable(err.message);
    throw err;
  }
}

export async function processDelivery(ref: DeliveryRef, deps: ProcessDeps): Promise<Outcome> {
  const { programId, connectorId, deliveryId } = ref;
  const delivery = await deps.connectors.getDelivery(programId, connectorId, deliveryId);
  if (!delivery) return { status: 'absent', note: 'no such delivery (expired, or never recorded)' };
  if (delivery.status !== 'received') return { status: 'done-before', note: delivery.note ?? delivery.status };
  const connector = await deps.connectors.getConnector(connectorId);
  if (!connector || connector.programId !== programId) return { status: 'absent', note: 'the connector is gone' };
  const mapper = MAPPERS[connector.platform];

  let body: unknown;
  const dead = async (reason: string): Promise<Outcome> => {
    await deps.connectors.putDeadLetter(programId, connectorId, {
      deliveryId,
      topic: delivery.topic,
      reason: reason.slice(0, 1000),
      receivedAt: delivery.receivedAt,
      failedAt: deps.clock.now().toISOString(),
      platformIds: mapper.ids(delivery.topic, body),
    });
    await settle(deps, delivery, { status: 'dead', note: reason.slice(0, 500) });
    return { status: 'dead', note: reason };
  };

  try {
    body = parseLosslessJson(delivery.body);
  } catch {
    return dead('the body is not JSON');
  }
  if (unsafeShape(body).length) return dead('the body holds object-machinery keys or nests too deep');
  try {
    const action = mapper.map(delivery.topic, body, connector.options);
    const outcome = await apply(programId, action, deps, `${connectorId}:${deliveryId}`, connector.options);
    await settle(deps, delivery, outcome);
    return outcome;
  } catch (err) {
    if (err instanceof Unmappable) return dead(err.message);
    // A contention that outlasted the retries, like a dependency down, is worth another try.
    if (err instanceof DomainError && !(err instanceof ConcurrentUpdate)) return dead(`${err.type}: ${err.message}`);
    throw err;
  }
}

function settle(deps: ProcessDeps, d: Delivery, outcome: { status: Delivery['status']; note: string }) {
  return deps.connectors.settleDelivery(d.programId, d.connectorId, d.deliveryId, outcome);
}
