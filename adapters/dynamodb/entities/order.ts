// Order items (the exactly-once guard of a purchase, with what its returns need) and the guards
// of returns and engagement events.
import type {
  EventRecorded,
  OrderRecorded,
  OrderReturned,
  RecordedOrder,
  ReturnRecorded,
} from '../../../core/earning/ports';
import { keys, purchaseByDate } from '../keys';
import type { Item } from '../query';
import { ANNOUNCES, PACKED, pack, unpack } from './packed';
import type { Tagged, WriteContext } from './types';

export function toRecordedOrder(stored: Item): RecordedOrder {
  const item = unpack(stored);
  return {
    fingerprint: item.fingerprint,
    result: item.result,
    purchase: item.purchase,
    itemPoints: item.itemPoints ?? [],
    ...(item.earnedOn !== undefined ? { earnedOn: item.earnedOn } : {}),
    lot: item.lot ?? null,
    returned: item.returned ?? { points: 0, amount: 0, quantities: {} },
    version: item.version ?? 0,
    ...(item.memberFacts ? { memberFacts: item.memberFacts } : {}),
    ...(item.recordedAt ? { recordedAt: item.recordedAt } : {}),
  };
}

/**
 * Written once per order id (conflict: `order`), listed by date for backtests. Only `returned` and its
 * `version` are ever updated (under a condition) after this write; the rest is read only with the
 * whole guard, so it is packed.
 */
export function orderPut(ctx: WriteContext, r: OrderRecorded): Tagged {
  const { returned, version, ...once } = r.order;
  const { purchase } = once;
  const occurredAt = new Date(purchase.occurredAt).toISOString();
  return {
    tag: 'order',
    item: {
      Put: {
        TableName: ctx.tableName,
        Item: {
          ...keys.order(ctx.programId, purchase.orderId),
          ...purchaseByDate(ctx.programId, occurredAt, purchase.orderId),
          entity: 'order',
          programId: ctx.programId,
          returned,
          version,
          [PACKED]: pack(once),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  };
}

/** What the order's returns took back, if no other return changed it since (conflict: `order`). */
export function orderReturnedUpdate(ctx: WriteContext, r: OrderReturned): Tagged {
  return {
    tag: 'order',
    item: {
      Update: {
        TableName: ctx.tableName,
        Key: keys.order(ctx.programId, r.orderId),
        UpdateExpression: 'SET returned = :returned, version = :next',
        ConditionExpression: r.version
          ? 'version = :prev'
          : 'attribute_exists(pk) AND (attribute_not_exists(version) OR version = :prev)',
        ExpressionAttributeValues: { ':returned': r.returned, ':next': r.version + 1, ':prev': r.version },
      },
    },
  };
}

export function returnGuardPut(ctx: WriteContext, r: ReturnRecorded): Tagged {
  const { returnId, orderId, input, fingerprint, result, announces } = r;
  return {
    tag: 'return',
    item: {
      Put: {
        TableName: ctx.tableName,
        Item: {
          ...keys.returnGuard(ctx.programId, returnId),
          entity: 'return',
          programId: ctx.programId,
          orderId,
          input,
          fingerprint,
          result,
          recordedAt: ctx.now,
          ...(announces ? { [ANNOUNCES]: true, [PACKED]: pack({ [ANNOUNCES]: announces }) } : {}),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  };
}

export function eventGuardPut(ctx: WriteContext, r: EventRecorded): Tagged {
  const { eventId, event, fingerprint, result } = r;
  return {
    tag: 'event',
    item: {
      Put: {
        TableName: ctx.tableName,
        Item: {
          ...keys.eventGuard(ctx.programId, eventId),
          entity: 'engagement',
          programId: ctx.programId,
          event,
          fingerprint,
          result,
          recordedAt: ctx.now,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  };
}
