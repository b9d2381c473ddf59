// Lot items: every credit, with what is left of it. Lots with something still to happen are in
// the due index: pending ones until they become available, dated ones until they expire.
import type { Lot } from '../../../core/ledger/domain/types';
import type { LotUpdate } from '../../../core/ledger/ports';
import { dueKeys, keys } from '../keys';
import type { Item } from '../query';
import type { Tagged, WriteContext } from './types';

export function toLot(item: Item): Lot {
  const { lotId, amount, remaining, earnedAt, availableAt, expiresAt, source, reason, orderId } = item;
  return {
    lotId,
    amount,
    remaining,
    earnedAt,
    availableAt,
    expiresAt: expiresAt ?? null,
    source,
    reason,
    ...(orderId ? { orderId } : {}),
  };
}

/** Pending lots wait in the activation index; available lots with an expiry wait in the expiry index. */
export function lotIndexKeys(programId: string, memberId: string, lot: Lot, now: string): Record<string, string> {
  if (lot.availableAt > now) return dueKeys('ACTIVATE', lot.availableAt, programId, memberId, lot.lotId);
  // Points given back to a lot already past its expiry (a cancelled redemption) are due now, in
  // today's partition, so a run that already finished the lot's own day still finds them.
  if (lot.expiresAt && lot.remaining > 0) {
    return dueKeys('EXPIRE', lot.expiresAt > now ? lot.expiresAt : now, programId, memberId, lot.lotId);
  }
  return {};
}

export function lotPut(ctx: WriteContext, memberId: string, lot: Lot): Tagged {
  const { tableName, programId, now } = ctx;
  return {
    tag: `lot:${lot.lotId}`,
    item: {
      Put: {
        TableName: tableName,
        Item: {
          ...keys.lot(programId, memberId, lot.expiresAt, lot.lotId),
          entity: 'lot',
          programId,
          memberId,
          ...lot,
          ...lotIndexKeys(programId, memberId, lot, now),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  };
}

/** Takes points from a lot only if it still holds them (conflict: `lot:<id>`), and re-indexes it. */
export function lotTake(ctx: WriteContext, u: LotUpdate): Tagged {
  const remaining = u.lot.remaining - u.take;
  const index = lotIndexKeys(ctx.programId, u.memberId, { ...u.lot, remaining }, ctx.now);
  const setIndex = index.gsi1pk ? ', gsi1pk = :gpk, gsi1sk = :gsk' : '';
  return {
    tag: `lot:${u.lot.lotId}`,
    item: {
      Update: {
        TableName: ctx.tableName,
        Key: keys.lot(ctx.programId, u.memberId, u.lot.expiresAt, u.lot.lotId),
        UpdateExpression: `SET remaining = remaining - :take${setIndex}${index.gsi1pk ? '' : ' REMOVE gsi1pk, gsi1sk'}`,
        ConditionExpression: 'remaining >= :take',
        ExpressionAttributeValues: {
          ':take': u.take,
          ...(index.gsi1pk ? { ':gpk': index.gsi1pk, ':gsk': index.gsi1sk } : {}),
        },
      },
    },
  };
}
