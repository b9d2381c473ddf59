// Transaction items: every movement of a member's points, in recording order (ULIDs).
import type { Transaction } from '../../../core/ledger/domain/types';
import { keys } from '../keys';
import type { Item } from '../query';
import type { Tagged, WriteContext } from './types';

export function toTransaction(item: Item): Transaction {
  const { transactionId, memberId, type, points, reason, source, orderId, eventId, returnId, redemptionId } = item;
  const { status, breakdown, lots, occurredAt, recordedAt } = item;
  return {
    transactionId,
    memberId,
    type,
    points,
    reason,
    source,
    orderId,
    eventId,
    returnId,
    redemptionId,
    status,
    breakdown,
    lots,
    occurredAt,
    recordedAt,
  };
}

export function transactionPut(ctx: WriteContext, tx: Transaction): Tagged {
  return {
    tag: `tx:${tx.transactionId}`,
    item: {
      Put: {
        TableName: ctx.tableName,
        Item: {
          ...keys.transaction(ctx.programId, tx.memberId, tx.transactionId),
          entity: 'tx',
          programId: ctx.programId,
          ...tx,
        },
      },
    },
  };
}
