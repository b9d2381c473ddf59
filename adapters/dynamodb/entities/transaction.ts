// Transaction items: every movement of a member's points, in recording order (ULIDs).
import type { Transaction } from '../../../core/ledger/domain/types';
import type { Announcement } from '../../../core/ledger/ports';
import { keys } from '../keys';
import type { Item } from '../query';
import { ANNOUNCES, PACKED, pack, unpack } from './packed';
import type { Tagged, WriteContext } from './types';

export function toTransaction(stored: Item): Transaction {
  const item = unpack(stored);
  const { transactionId, memberId, type, points, reason, source, orderId, eventId, returnId, redemptionId } = item;
  const { status, breakdown, lots, occurredAt, recordedAt, note, adjustedBy } = item;
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
    ...(note !== undefined ? { note } : {}),
    ...(adjustedBy !== undefined ? { adjustedBy } : {}),
  };
}

/**
 * The breakdown is read only with the transaction, never queried or filtered on: packed, with what
 * the transaction announces (read only by the stream consumer). A transaction that announces
 * something is marked by a plain `announces: true`, which the stream's filter matches.
 */
export function transactionPut(ctx: WriteContext, tx: Transaction & { announces?: Announcement }): Tagged {
  const { breakdown, announces, ...rest } = tx;
  return {
    tag: `tx:${tx.transactionId}`,
    item: {
      Put: {
        TableName: ctx.tableName,
        Item: {
          ...keys.transaction(ctx.programId, tx.memberId, tx.transactionId),
          entity: 'tx',
          programId: ctx.programId,
          ...rest,
          ...(announces ? { [ANNOUNCES]: true } : {}),
          [PACKED]: pack(announces ? { breakdown, [ANNOUNCES]: announces } : { breakdown }),
        },
      },
    },
  };
}
