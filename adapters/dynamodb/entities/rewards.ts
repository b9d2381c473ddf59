// Reward items: catalog entries (with their stock), redemption records (in the member's
// partition, with a by-id pointer), idempotency guards, per-member usage counts, coupons and
// donations. The redemption steps that commit with a ledger write are built here too.
import type { Redemption, RedemptionSnapshot, Reward } from '../../../core/rewards/domain/rewards';
import type { Coupon, RedemptionCreated, RedemptionReleased, RedemptionReserved } from '../../../core/rewards/ports';
import { dueKeys, keys } from '../keys';
import type { Item } from '../query';
import { DAY_S, epochSeconds, setExpression, type Tagged, type WriteContext } from './types';

export function toReward(item: Item): Reward {
  return {
    rewardId: item.rewardId,
    name: item.name,
    description: item.description ?? null,
    category: item.category ?? null,
    type: item.type,
    details: item.details,
    cost: { points: item.cost.points, byTier: item.cost.byTier ?? {} },
    eligibility: {
      tiers: item.eligibility?.tiers ?? null,
      attributes: item.eligibility?.attributes ?? {},
      minMembershipDays: item.eligibility?.minMembershipDays ?? 0,
    },
    stock: typeof item.stockTotal === 'number' ? { total: item.stockTotal, remaining: item.stockRemaining ?? 0 } : null,
    limit: item.limit ?? null,
    validFrom: item.validFrom ?? null,
    validUntil: item.validUntil ?? null,
    coupon: item.coupon ?? null,
    maxQuantity: item.maxQuantity ?? 1,
    cancellationWindowHours: item.cancellationWindowHours ?? 0,
    status: item.status ?? 'active',
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

export function rewardItem(programId: string, reward: Reward): Item {
  const { stock, ...definition } = reward;
  return {
    ...keys.reward(programId, reward.rewardId),
    entity: 'reward',
    programId,
    ...definition,
    ...(stock ? { stockTotal: stock.total, stockRemaining: stock.remaining } : {}),
  };
}

const REDEMPTION_FIELDS = [
  'programId',
  'redemptionId',
  'memberId',
  'rewardId',
  'rewardName',
  'rewardType',
  'details',
  'category',
  'flow',
  'quantity',
  'unitPoints',
  'points',
  'stockTracked',
  'limit',
  'coupon',
  'donation',
  'cancellationWindowHours',
  'createdAt',
  'correlationId',
  'status',
  'updatedAt',
  'idempotencyKey',
  'fingerprint',
  'reservation',
  'stockReserved',
  'code',
  'codeExpiresAt',
  'receipt',
  'fulfilledAt',
  'fulfilment',
  'completedAt',
  'failedAt',
  'cancelledAt',
  'failure',
  'release',
  'stockReleased',
  'taskToken',
  'sweepAt',
] as const;

export function toRedemption(item: Item): Redemption {
  const r: Record<string, unknown> = {};
  for (const f of REDEMPTION_FIELDS) if (item[f] !== undefined) r[f] = item[f];
  return { category: null, limit: null, coupon: null, donation: null, correlationId: null, ...r } as Redemption;
}

export function toCoupon(item: Item): Coupon {
  return {
    code: item.code,
    rewardId: item.rewardId,
    rewardName: item.rewardName,
    rewardType: item.rewardType,
    details: item.details,
    memberId: item.memberId,
    redemptionId: item.redemptionId,
    status: item.status,
    issuedAt: item.issuedAt,
    expiresAt: item.expiresAt,
    usedAt: item.usedAt ?? null,
    orderId: item.orderId ?? null,
    voidedAt: item.voidedAt ?? null,
  };
}

/** Idempotency keys are remembered this long (then DynamoDB's TTL removes them). */
export const IDEMPOTENCY_TTL_DAYS = 90;

export const redemptionIdempotencyKey = (programId: string, memberId: string, key: string) =>
  keys.idempotency(programId, `REDEEM#${memberId}`, key);

export const recordKey = (r: { programId: string; memberId: string; redemptionId: string }) =>
  keys.memberRedemption(r.programId, r.memberId, r.redemptionId);

/** An open redemption sits in the due index (REDEMPTION) at its deadline, for the sweeper. */
export const sweepIndexKeys = (r: { programId: string; memberId: string; redemptionId: string }, sweepAt: string) =>
  dueKeys('REDEMPTION', sweepAt, r.programId, r.memberId, r.redemptionId);

/** What a write that closes a redemption removes: its deadline and its place in the due index. */
export const OUT_OF_SWEEP = { sweepAt: null, gsi1pk: null, gsi1sk: null } as const;

/** The guard of a redemption's Idempotency-Key, the record (in the due index while open) and its by-id pointer. */
export function newRedemptionItems(tableName: string, r: Redemption, now: string): Tagged[] {
  const ttl = epochSeconds(now) + IDEMPOTENCY_TTL_DAYS * DAY_S;
  return [
    {
      tag: 'idempotency',
      item: {
        Put: {
          TableName: tableName,
          Item: {
            ...redemptionIdempotencyKey(r.programId, r.memberId, r.idempotencyKey),
            entity: 'idempotency',
            programId: r.programId,
            memberId: r.memberId,
            redemptionId: r.redemptionId,
            fingerprint: r.fingerprint,
            createdAt: now,
            ttl,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    },
    {
      tag: 'redemption',
      item: {
        Put: {
          TableName: tableName,
          Item: {
            ...recordKey(r),
            entity: 'redemption',
            ...r,
            ...(r.sweepAt ? sweepIndexKeys(r, r.sweepAt) : {}),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    },
    {
      tag: 'pointer',
      item: {
        Put: {
          TableName: tableName,
          Item: {
            ...keys.redemption(r.programId, r.redemptionId),
            entity: 'redemptionRef',
            programId: r.programId,
            memberId: r.memberId,
            redemptionId: r.redemptionId,
            createdAt: r.createdAt,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    },
  ];
}

/** The redemption's units counted against the member's limit, never past it. */
function limitCount(ctx: WriteContext, r: RedemptionSnapshot): Tagged[] {
  if (!r.limit) return [];
  return [
    {
      tag: 'limit',
      item: {
        Update: {
          TableName: ctx.tableName,
          Key: keys.rewardUsage(r.programId, r.memberId, r.rewardId, r.limit.periodKey),
          UpdateExpression: 'SET entity = :e, rewardId = :rid, periodKey = :pk, #ttl = :ttl ADD used :q',
          ConditionExpression: 'attribute_not_exists(used) OR used <= :max',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':e': 'rewardUsage',
            ':rid': r.rewardId,
            ':pk': r.limit.periodKey,
            // Kept a year past the period, then removed by TTL; lifetime counters stay.
            ':ttl': r.limit.endsAt ? epochSeconds(r.limit.endsAt) + 365 * DAY_S : 0,
            ':q': r.quantity,
            ':max': r.limit.count - r.quantity,
          },
        },
      },
    },
  ];
}

/** `quantity` units of the reward's stock, only while that many are left: never oversold. */
export function stockTake(ctx: WriteContext, r: Pick<RedemptionSnapshot, 'programId' | 'rewardId' | 'quantity'>) {
  return {
    tag: 'stock',
    item: {
      Update: {
        TableName: ctx.tableName,
        Key: keys.reward(r.programId, r.rewardId),
        UpdateExpression: 'SET stockRemaining = stockRemaining - :q',
        ConditionExpression: 'stockRemaining >= :q',
        ExpressionAttributeValues: { ':q': r.quantity },
      },
    },
  } satisfies Tagged;
}

/** A new redemption holding its points, its limit count and its stock from the start. */
export function creationItems(ctx: WriteContext, rec: RedemptionCreated): Tagged[] {
  const r = rec.redemption;
  return [
    ...newRedemptionItems(ctx.tableName, r, ctx.now),
    ...limitCount(ctx, r),
    ...(r.stockReserved ? [stockTake(ctx, { ...r, quantity: r.stockReserved })] : []),
  ];
}

/** Points reserved on a pending redemption once, and its units counted against the member's limit. */
export function reservationItems(ctx: WriteContext, rec: RedemptionReserved): Tagged[] {
  const { redemption: r, reservation } = rec;
  return [
    {
      tag: 'redemption',
      item: {
        Update: {
          TableName: ctx.tableName,
          Key: recordKey(r),
          UpdateExpression: 'SET reservation = :r, updatedAt = :now',
          ConditionExpression: '#status = :pending AND attribute_not_exists(reservation)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':r': reservation, ':now': ctx.now, ':pending': 'pending' },
        },
      },
    },
    ...limitCount(ctx, r),
  ];
}

/**
 * An instant redemption delivered (`delivery`: its code, or its donation receipt) and completed in the same update:
 * only while it is pending, holds its points (and stock), and nothing was delivered yet. It leaves the due index.
 */
export function deliveredUpdate(
  tableName: string,
  r: RedemptionSnapshot,
  delivery: Record<string, string>,
  now: string,
): Tagged {
  const { names, values, sets } = setExpression(
    { ...delivery, fulfilledAt: now, status: 'completed', completedAt: now, updatedAt: now },
    'd',
  );
  return {
    tag: 'redemption',
    item: {
      Update: {
        TableName: tableName,
        Key: recordKey(r),
        UpdateExpression: `SET ${sets.join(', ')} REMOVE taskToken, ${Object.keys(OUT_OF_SWEEP).join(', ')}`,
        ConditionExpression: [
          '#cur = :pending',
          'attribute_exists(reservation)',
          'attribute_not_exists(fulfilledAt)',
          ...stockDone(r),
        ].join(' AND '),
        ExpressionAttributeNames: { ...names, '#cur': 'status' },
        ExpressionAttributeValues: { ...values, ':pending': 'pending' },
      },
    },
  };
}

/** Everything a redemption holds given back, and the redemption closed, exactly once. */
export function releaseItems(ctx: WriteContext, rec: RedemptionReleased): Tagged[] {
  const { redemption: r, to } = rec;
  const { tableName, now } = ctx;
  const items: Tagged[] = [];
  const unseen = (['reservation', 'stockReserved', 'code', 'fulfilledAt'] as const).filter((m) => r[m] === undefined);
  const stock = r.stockTracked && r.stockReserved && !r.stockReleased ? r.stockReserved : 0;
  const { names, values, sets, removes } = setExpression({
    status: to.status,
    updatedAt: now,
    [to.status === 'failed' ? 'failedAt' : 'cancelledAt']: now,
    failure: to.failure,
    release: to.release,
    stockReleased: stock || undefined,
    taskToken: null,
    ...OUT_OF_SWEEP,
  });
  items.push({
    tag: 'redemption',
    item: {
      Update: {
        TableName: tableName,
        Key: recordKey(r),
        UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
        // Exactly one release, of exactly what was read: the status is unchanged, nothing was given
        // back yet, and no step (of a concurrent execution) reserved or issued anything since.
        ConditionExpression: [
          '#cur = :cur',
          'attribute_not_exists(#rel)',
          ...unseen.map((m) => `attribute_not_exists(#${m})`),
        ].join(' AND '),
        ExpressionAttributeNames: {
          ...names,
          '#cur': 'status',
          '#rel': 'release',
          ...Object.fromEntries(unseen.map((m) => [`#${m}`, m])),
        },
        ExpressionAttributeValues: { ...values, ':cur': r.status },
      },
    },
  });
  if (to.release && r.limit) {
    items.push({
      tag: 'limit',
      item: {
        Update: {
          TableName: tableName,
          Key: keys.rewardUsage(r.programId, r.memberId, r.rewardId, r.limit.periodKey),
          UpdateExpression: 'ADD used :q',
          ConditionExpression: 'used >= :n',
          ExpressionAttributeValues: { ':q': -r.quantity, ':n': r.quantity },
        },
      },
    });
  }
  if (stock) {
    items.push({
      tag: 'stock',
      item: {
        Update: {
          TableName: tableName,
          Key: keys.reward(r.programId, r.rewardId),
          UpdateExpression: 'ADD stockRemaining :q',
          ExpressionAttributeValues: { ':q': stock },
        },
      },
    });
  }
  if (r.code) {
    items.push({
      tag: 'coupon',
      item: {
        Update: {
          TableName: tableName,
          Key: keys.coupon(r.programId, r.code),
          UpdateExpression: 'SET #status = :void, voidedAt = :now',
          ConditionExpression: '#status = :issued',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':void': 'void', ':issued': 'issued', ':now': now },
        },
      },
    });
  }
  if (r.receipt && r.donation) {
    items.push({
      tag: 'donation',
      item: {
        Delete: {
          TableName: tableName,
          Key: keys.donation(r.programId, r.rewardId, r.redemptionId),
          ConditionExpression: 'attribute_exists(pk)',
        },
      },
    });
    items.push({
      tag: 'donationTotal',
      item: {
        Update: {
          TableName: tableName,
          Key: keys.donationTotal(r.programId, r.donation.causeId),
          UpdateExpression: 'ADD donations :minusOne, points :p, amount :a',
          ExpressionAttributeValues: { ':minusOne': -1, ':p': -r.points, ':a': -r.donation.amount.amount },
        },
      },
    });
  }
  return items;
}

/** A redemption step's condition: the record may move on only while it is open and its earlier steps are done. */
export const openCondition = (extra: string[] = []) => ['#status IN (:pending, :awaiting)', ...extra].join(' AND ');
export const openValues = { ':pending': 'pending', ':awaiting': 'awaiting-fulfilment' };
export const stockDone = (r: RedemptionSnapshot) => (r.stockTracked ? ['attribute_exists(stockReserved)'] : []);
