import { ConditionalCheckFailedException, TransactionCanceledException, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Member, Money } from '../../core/ledger/domain/types';
import type { MemberState } from '../../core/ledger/domain/member-state';
import type { Redemption, RedemptionSnapshot, RedemptionStatus, Reward, ReservedLot } from '../../core/rewards/domain/rewards';
import { RewardExists, RewardNotFound, ValidationFailed } from '../../core/kernel/errors';
import { failedConditions } from './errors';
import { keys, type ItemKey } from './keys';
import { decodeCursor, encodeCursor, toMemberState } from './ledger-repository';
import { WriteConflict, type ExtraItem } from './ledger-writer';
import { queryPrefix } from './query';

/**
 * The catalog, redemptions, coupons and donations: every key and request for them is built here.
 * Saga steps change a redemption only under a condition on its status and step markers, so a
 * retried step finds its own earlier write instead of repeating it.
 */

type TxItem = ExtraItem['item'];

/**
 * Another transaction held one of the items (DynamoDB cancels with `TransactionConflict`, or
 * rejects a plain write with TransactionConflictException): nothing was written, trying again is safe.
 */
export function isTransactionConflict(err: unknown): boolean {
  if (err instanceof TransactionConflictException) return true;
  if (!(err instanceof TransactionCanceledException)) return false;
  const reasons = err.CancellationReasons ?? [];
  return reasons.some((r) => r.Code === 'TransactionConflict') && !reasons.some((r) => r.Code === 'ConditionalCheckFailed');
}
type Tagged = { tag: string; item: TxItem };

export interface Coupon {
  code: string;
  rewardId: string;
  rewardName: string;
  rewardType: string;
  details: Reward['details'];
  memberId: string;
  redemptionId: string;
  status: 'issued' | 'used' | 'void';
  issuedAt: string;
  expiresAt: string;
  usedAt: string | null;
  orderId: string | null;
  voidedAt: string | null;
}

export interface DonationEntry {
  redemptionId: string;
  memberId: string;
  rewardId: string;
  causeId: string;
  causeName: string;
  points: number;
  amount: Money;
  receipt: string;
  donatedAt: string;
}

export interface DonationTotal {
  causeId: string;
  causeName: string;
  donations: number;
  points: number;
  amount: Money;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** What a reward definition change may set (stock is adjusted separately, by a delta). */
export type RewardChanges = Partial<Omit<Reward, 'rewardId' | 'type' | 'stock' | 'createdAt' | 'updatedAt'>>;

const DAY_S = 86_400;
const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
/** Idempotency keys are remembered this long (then DynamoDB's TTL removes them). */
export const IDEMPOTENCY_TTL_DAYS = 90;

export function toReward(item: Record<string, any>): Reward {
  return {
    rewardId: item.rewardId,
    name: item.name,
    description: item.description ?? null,
    category: item.category ?? null,
    type: item.type,
    details: item.details,
    cost: { points: item.cost.points, byTier: item.cost.byTier ?? {} },
    eligibility: { tiers: item.eligibility?.tiers ?? null, attributes: item.eligibility?.attributes ?? {}, minMembershipDays: item.eligibility?.minMembershipDays ?? 0 },
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

const REDEMPTION_FIELDS = [
  'programId', 'redemptionId', 'memberId', 'rewardId', 'rewardName', 'rewardType', 'category', 'flow', 'quantity', 'unitPoints', 'points',
  'stockTracked', 'limit', 'coupon', 'donation', 'cancellationWindowHours', 'createdAt', 'correlationId', 'status', 'updatedAt', 'idempotencyKey',
  'fingerprint', 'reservation', 'stockReserved', 'code', 'codeExpiresAt', 'receipt', 'fulfilledAt', 'fulfilment', 'completedAt', 'failedAt',
  'cancelledAt', 'failure', 'release', 'stockReleased', 'taskToken',
] as const;

export function toRedemption(item: Record<string, any>): Redemption {
  const r: Record<string, unknown> = {};
  for (const f of REDEMPTION_FIELDS) if (item[f] !== undefined) r[f] = item[f];
  return { category: null, limit: null, coupon: null, donation: null, correlationId: null, ...r } as Redemption;
}

function toCoupon(item: Record<string, any>): Coupon {
  return {
    code: item.code, rewardId: item.rewardId, rewardName: item.rewardName, rewardType: item.rewardType, details: item.details, memberId: item.memberId,
    redemptionId: item.redemptionId, status: item.status, issuedAt: item.issuedAt, expiresAt: item.expiresAt, usedAt: item.usedAt ?? null,
    orderId: item.orderId ?? null, voidedAt: item.voidedAt ?? null,
  };
}

/** `SET a = :a, ...` with every name aliased (status, limit, name, ttl... are reserved words). */
function setExpression(values: Record<string, unknown>, prefix = 's') {
  const names: Record<string, string> = {};
  const vals: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  Object.entries(values).forEach(([k, v], i) => {
    if (v === undefined) return;
    names[`#${prefix}${i}`] = k;
    if (v === null) removes.push(`#${prefix}${i}`);
    else {
      vals[`:${prefix}${i}`] = v;
      sets.push(`#${prefix}${i} = :${prefix}${i}`);
    }
  });
  return { names, values: vals, sets, removes };
}

export interface RewardsRepository {
  readonly tableName: string;

  createReward(programId: string, reward: Reward): Promise<void>;
  updateReward(programId: string, rewardId: string, changes: RewardChanges, addStock: number | undefined, now: string): Promise<Reward>;
  getReward(programId: string, rewardId: string): Promise<Reward | null>;
  listRewards(programId: string): Promise<Reward[]>;

  /** One consistent BatchGet of what a redemption request decides on: the member, the reward, the idempotency key. */
  loadRequest(programId: string, memberId: string, rewardId: string, idempotencyKey: string): Promise<{
    member: MemberState;
    profile: Pick<Member, 'attributes' | 'enrolledAt' | 'tier'> | null;
    reward: Reward | null;
    idempotency: { redemptionId: string; fingerprint: string } | null;
  }>;
  /** Idempotency guard, redemption and its by-id pointer in one transaction; false when the key is already used. */
  createRedemption(redemption: Redemption, now: string): Promise<boolean>;
  getIdempotency(programId: string, memberId: string, key: string): Promise<{ redemptionId: string; fingerprint: string } | null>;
  /** By id (the pointer, then the record): any member of the caller's program. */
  getRedemption(programId: string, redemptionId: string): Promise<Redemption | null>;
  getMemberRedemption(programId: string, memberId: string, redemptionId: string): Promise<Redemption | null>;
  listMemberRedemptions(programId: string, memberId: string, limit: number, cursor: string | null): Promise<Page<Redemption>>;
  /** Units the member redeemed of each reward in each period: `rewardId#periodKey` -> used. */
  memberUsage(programId: string, memberId: string): Promise<Map<string, number>>;
  usage(programId: string, memberId: string, rewardId: string, periodKey: string): Promise<number>;

  // Items the saga adds to a ledger write (reserve / release points in the same transaction).
  reservationItems(r: RedemptionSnapshot, reservation: NonNullable<Redemption['reservation']>, now: string): ExtraItem[];
  releaseItems(r: Redemption, to: { status: 'failed' | 'cancelled'; failure?: Redemption['failure']; release?: Redemption['release'] }, now: string): ExtraItem[];

  reserveStock(r: RedemptionSnapshot, now: string): Promise<void>;
  issueCoupon(r: RedemptionSnapshot, reward: Pick<Coupon, 'details'>, code: string, expiresAt: string, now: string): Promise<void>;
  recordDonation(r: RedemptionSnapshot, receipt: string, now: string): Promise<void>;
  awaitFulfilment(r: RedemptionSnapshot, taskToken: string, now: string): Promise<void>;
  recordPartnerFulfilment(r: Redemption, fulfilment: NonNullable<Redemption['fulfilment']>, now: string): Promise<Redemption>;
  confirm(r: RedemptionSnapshot, now: string): Promise<Redemption>;
  /** Transaction of extra items alone (a release with no points to give back). */
  transact(items: ExtraItem[]): Promise<void>;

  getCoupon(programId: string, code: string): Promise<Coupon | null>;
  /** Marks an issued, unexpired coupon used; false when the condition failed (read it to say why). */
  useCoupon(programId: string, code: string, now: string, orderId: string | null): Promise<Coupon | null>;

  donationTotals(programId: string): Promise<DonationTotal[]>;
  listDonations(programId: string, rewardId: string, limit: number, cursor: string | null): Promise<Page<DonationEntry>>;
}

export function dynamoRewardsRepository(ddb: DynamoDBDocumentClient, tableName: string): RewardsRepository {
  const recordKey = (r: { programId: string; memberId: string; redemptionId: string }) => keys.memberRedemption(r.programId, r.memberId, r.redemptionId);

  const transact = async (tagged: Tagged[]) => {
    try {
      await ddb.send(new TransactWriteCommand({ TransactItems: tagged.map((t) => t.item) }));
    } catch (err) {
      const failed = failedConditions(err);
      if (failed) throw new WriteConflict(failed.map((i) => tagged[i]!.tag));
      throw err;
    }
  };

  /** The redemption record may move on only while it is open and its earlier steps are done. */
  const openCondition = (extra: string[] = []) => [`#status IN (:pending, :awaiting)`, ...extra].join(' AND ');
  const openValues = { ':pending': 'pending' satisfies RedemptionStatus, ':awaiting': 'awaiting-fulfilment' satisfies RedemptionStatus };
  const stockDone = (r: RedemptionSnapshot) => (r.stockTracked ? ['attribute_exists(stockReserved)'] : []);

  const queryPage = async (pk: string, prefix: string, limit: number, cursor: string | null, forward: boolean) => {
    const out = await ddb.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
        ExclusiveStartKey: cursor ? { pk, sk: cursor } : undefined,
        ScanIndexForward: forward,
        Limit: limit + 1,
      }),
    );
    const page = (out.Items ?? []).slice(0, limit);
    const more = (out.Items?.length ?? 0) > limit;
    return { items: page, nextCursor: more ? encodeCursor(page[page.length - 1]!.sk) : null };
  };

  const queryAll = (pk: string, prefix: string, consistent = false) => queryPrefix(ddb, tableName, pk, prefix, { ConsistentRead: consistent });


  /** Consistent BatchGet keyed "pk|sk"; unprocessed keys (throttling) are retried with backoff. */
  const batchGet = async (wanted: ItemKey[]): Promise<Map<string, Record<string, any>>> => {
    const found = new Map<string, Record<string, any>>();
    let pending: ItemKey[] = wanted;
    for (let attempt = 0; pending.length; attempt++) {
      if (attempt > 6) throw new Error('BatchGetItem kept returning unprocessed keys');
      if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      const out = await ddb.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }));
      for (const item of out.Responses?.[tableName] ?? []) found.set(`${item.pk}|${item.sk}`, item);
      pending = (out.UnprocessedKeys?.[tableName]?.Keys as ItemKey[] | undefined) ?? [];
    }
    return found;
  };
  const at = (items: Map<string, Record<string, any>>, k: ItemKey) => items.get(`${k.pk}|${k.sk}`);

  const get = async (Key: ItemKey, consistent = true) => (await ddb.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: consistent }))).Item;

  return {
    tableName,

    async createReward(programId, reward) {
      const { stock, ...definition } = reward;
      try {
        await ddb.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...keys.reward(programId, reward.rewardId),
              entity: 'reward',
              programId,
              ...definition,
              ...(stock ? { stockTotal: stock.total, stockRemaining: stock.remaining } : {}),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) throw new RewardExists(reward.rewardId);
        throw err;
      }
    },

    async updateReward(programId, rewardId, changes, addStock, now) {
      const { names, values, sets, removes } = setExpression({ ...changes, updatedAt: now });
      const conditions = ['attribute_exists(pk)'];
      const adds: string[] = [];
      if (addStock) {
        adds.push('stockRemaining :add, stockTotal :add');
        values[':add'] = addStock;
        conditions.push('attribute_exists(stockTotal)');
        if (addStock < 0) {
          conditions.push('stockRemaining >= :take');
          values[':take'] = -addStock;
        }
      }
      try {
        const { Attributes } = await ddb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.reward(programId, rewardId),
            UpdateExpression: [`SET ${sets.join(', ')}`, removes.length ? `REMOVE ${removes.join(', ')}` : '', adds.length ? `ADD ${adds.join(', ')}` : ''].filter(Boolean).join(' '),
            ConditionExpression: conditions.join(' AND '),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        );
        return toReward(Attributes!);
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
        const old = await get(keys.reward(programId, rewardId));
        if (!old) throw new RewardNotFound(rewardId);
        if (typeof old.stockTotal !== 'number') throw new ValidationFailed([{ field: 'addStock', message: 'this reward has no stock to adjust (it was created without one)' }]);
        throw new ValidationFailed([{ field: 'addStock', message: `cannot remove more than the ${old.stockRemaining} units left` }]);
      }
    },

    async getReward(programId, rewardId) {
      const item = await get(keys.reward(programId, rewardId));
      return item ? toReward(item) : null;
    },

    async listRewards(programId) {
      return (await queryAll(keys.rewardsPk(programId), 'REWARD#')).map(toReward);
    },

    async loadRequest(programId, memberId, rewardId, idempotencyKey) {
      const memberKey = keys.member(programId, memberId);
      const rewardKey = keys.reward(programId, rewardId);
      const idemKey = keys.idempotency(programId, `REDEEM#${memberId}`, idempotencyKey);
      const items = await batchGet([memberKey, rewardKey, idemKey]);
      const m = at(items, memberKey);
      const reward = at(items, rewardKey);
      const idem = at(items, idemKey);
      return {
        member: toMemberState(m),
        profile: m ? { attributes: m.attributes ?? {}, enrolledAt: m.enrolledAt, tier: m.tier ?? null } : null,
        reward: reward ? toReward(reward) : null,
        idempotency: idem ? { redemptionId: idem.redemptionId, fingerprint: idem.fingerprint } : null,
      };
    },

    async createRedemption(r, now) {
      const idemKey = keys.idempotency(r.programId, `REDEEM#${r.memberId}`, r.idempotencyKey);
      try {
        await transact([
          {
            tag: 'idempotency',
            item: {
              Put: {
                TableName: tableName,
                Item: { ...idemKey, entity: 'idempotency', programId: r.programId, memberId: r.memberId, redemptionId: r.redemptionId, fingerprint: r.fingerprint, createdAt: now, ttl: epochSeconds(now) + IDEMPOTENCY_TTL_DAYS * DAY_S },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          },
          { tag: 'redemption', item: { Put: { TableName: tableName, Item: { ...recordKey(r), entity: 'redemption', ...r }, ConditionExpression: 'attribute_not_exists(pk)' } } },
          {
            tag: 'pointer',
            item: {
              Put: {
                TableName: tableName,
                Item: { ...keys.redemption(r.programId, r.redemptionId), entity: 'redemptionRef', programId: r.programId, memberId: r.memberId, redemptionId: r.redemptionId, createdAt: r.createdAt },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          },
        ]);
        return true;
      } catch (err) {
        if (err instanceof WriteConflict && err.has('idempotency')) return false;
        throw err;
      }
    },

    async getIdempotency(programId, memberId, key) {
      const item = await get(keys.idempotency(programId, `REDEEM#${memberId}`, key));
      return item ? { redemptionId: item.redemptionId, fingerprint: item.fingerprint } : null;
    },

    async getRedemption(programId, redemptionId) {
      const ref = await get(keys.redemption(programId, redemptionId));
      if (!ref) return null;
      const item = await get(keys.memberRedemption(programId, ref.memberId, redemptionId));
      return item ? toRedemption(item) : null;
    },

    async getMemberRedemption(programId, memberId, redemptionId) {
      const item = await get(keys.memberRedemption(programId, memberId, redemptionId));
      return item ? toRedemption(item) : null;
    },

    async listMemberRedemptions(programId, memberId, limit, cursor) {
      const page = await queryPage(keys.memberPk(programId, memberId), keys.memberRedemptionPrefix, limit, cursor, false);
      return { items: page.items.map(toRedemption), nextCursor: page.nextCursor };
    },

    async memberUsage(programId, memberId) {
      const items = await queryAll(keys.memberPk(programId, memberId), keys.rewardUsagePrefix, true);
      return new Map(items.map((i) => [`${i.rewardId}#${i.periodKey}`, Number(i.used ?? 0)]));
    },

    async usage(programId, memberId, rewardId, periodKey) {
      const item = await get(keys.rewardUsage(programId, memberId, rewardId, periodKey));
      return Number(item?.used ?? 0);
    },

    reservationItems(r, reservation, now) {
      const items: ExtraItem[] = [
        {
          tag: 'redemption',
          item: {
            Update: {
              TableName: tableName,
              Key: recordKey(r),
              UpdateExpression: 'SET reservation = :r, updatedAt = :now',
              ConditionExpression: '#status = :pending AND attribute_not_exists(reservation)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':r': reservation, ':now': now, ':pending': 'pending' },
            },
          },
        },
      ];
      if (r.limit) {
        items.push({
          tag: 'limit',
          item: {
            Update: {
              TableName: tableName,
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
        });
      }
      return items;
    },

    releaseItems(r, to, now) {
      const items: ExtraItem[] = [];
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
            ConditionExpression: ['#cur = :cur', 'attribute_not_exists(#rel)', ...unseen.map((m) => `attribute_not_exists(#${m})`)].join(' AND '),
            ExpressionAttributeNames: { ...names, '#cur': 'status', '#rel': 'release', ...Object.fromEntries(unseen.map((m) => [`#${m}`, m])) },
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
          item: { Update: { TableName: tableName, Key: keys.reward(r.programId, r.rewardId), UpdateExpression: 'ADD stockRemaining :q', ExpressionAttributeValues: { ':q': stock } } },
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
          item: { Delete: { TableName: tableName, Key: keys.donation(r.programId, r.rewardId, r.redemptionId), ConditionExpression: 'attribute_exists(pk)' } },
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
    },

    async reserveStock(r, now) {
      await transact([
        {
          tag: 'stock',
          item: {
            Update: {
              TableName: tableName,
              Key: keys.reward(r.programId, r.rewardId),
              UpdateExpression: 'SET stockRemaining = stockRemaining - :q',
              ConditionExpression: 'stockRemaining >= :q',
              ExpressionAttributeValues: { ':q': r.quantity },
            },
          },
        },
        {
          tag: 'redemption',
          item: {
            Update: {
              TableName: tableName,
              Key: recordKey(r),
              UpdateExpression: 'SET stockReserved = :q, updatedAt = :now',
              ConditionExpression: '#status = :pending AND attribute_exists(reservation) AND attribute_not_exists(stockReserved)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':q': r.quantity, ':now': now, ':pending': 'pending' },
            },
          },
        },
      ]);
    },

    async issueCoupon(r, reward, code, expiresAt, now) {
      await transact([
        {
          tag: 'coupon',
          item: {
            Put: {
              TableName: tableName,
              Item: {
                ...keys.coupon(r.programId, code),
                entity: 'coupon',
                programId: r.programId,
                code,
                rewardId: r.rewardId,
                rewardName: r.rewardName,
                rewardType: r.rewardType,
                details: reward.details,
                memberId: r.memberId,
                redemptionId: r.redemptionId,
                status: 'issued',
                issuedAt: now,
                expiresAt,
                ttl: epochSeconds(expiresAt) + 365 * DAY_S,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        },
        {
          tag: 'redemption',
          item: {
            Update: {
              TableName: tableName,
              Key: recordKey(r),
              UpdateExpression: 'SET code = :code, codeExpiresAt = :exp, fulfilledAt = :now, updatedAt = :now',
              ConditionExpression: ['#status = :pending', 'attribute_exists(reservation)', 'attribute_not_exists(fulfilledAt)', ...stockDone(r)].join(' AND '),
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':code': code, ':exp': expiresAt, ':now': now, ':pending': 'pending' },
            },
          },
        },
      ]);
    },

    async recordDonation(r, receipt, now) {
      const d = r.donation!;
      await transact([
        {
          tag: 'donation',
          item: {
            Put: {
              TableName: tableName,
              Item: {
                ...keys.donation(r.programId, r.rewardId, r.redemptionId),
                entity: 'donation',
                programId: r.programId,
                rewardId: r.rewardId,
                redemptionId: r.redemptionId,
                memberId: r.memberId,
                causeId: d.causeId,
                causeName: d.causeName,
                points: r.points,
                amount: d.amount,
                receipt,
                donatedAt: now,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        },
        {
          tag: 'donationTotal',
          item: {
            Update: {
              TableName: tableName,
              Key: keys.donationTotal(r.programId, d.causeId),
              UpdateExpression: 'SET entity = :e, causeId = :cid, causeName = :cname, currency = :cur ADD donations :one, points :p, amount :a',
              ExpressionAttributeValues: { ':e': 'donationTotal', ':cid': d.causeId, ':cname': d.causeName, ':cur': d.amount.currency, ':one': 1, ':p': r.points, ':a': d.amount.amount },
            },
          },
        },
        {
          tag: 'redemption',
          item: {
            Update: {
              TableName: tableName,
              Key: recordKey(r),
              UpdateExpression: 'SET receipt = :receipt, fulfilledAt = :now, updatedAt = :now',
              ConditionExpression: ['#status = :pending', 'attribute_exists(reservation)', 'attribute_not_exists(fulfilledAt)', ...stockDone(r)].join(' AND '),
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':receipt': receipt, ':now': now, ':pending': 'pending' },
            },
          },
        },
      ]);
    },

    async awaitFulfilment(r, taskToken, now) {
      try {
        await ddb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: recordKey(r),
            UpdateExpression: 'SET taskToken = :t, #status = :awaiting, updatedAt = :now',
            ConditionExpression: openCondition(['attribute_exists(reservation)', ...stockDone(r)]),
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':t': taskToken, ':now': now, ...openValues },
          }),
        );
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) throw new WriteConflict(['redemption']);
        throw err;
      }
    },

    async recordPartnerFulfilment(r, fulfilment, now) {
      try {
        const { Attributes } = await ddb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: recordKey(r),
            UpdateExpression: 'SET fulfilment = :f, updatedAt = :now',
            ConditionExpression: '#status = :awaiting AND attribute_not_exists(fulfilment)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':f': fulfilment, ':now': now, ':awaiting': 'awaiting-fulfilment' },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return toRedemption(Attributes!);
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) throw new WriteConflict(['redemption']);
        throw err;
      }
    },

    async confirm(r, now) {
      const delivered = r.flow === 'partner' ? 'attribute_exists(fulfilment)' : 'attribute_exists(fulfilledAt)';
      try {
        const { Attributes } = await ddb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: recordKey(r),
            UpdateExpression: 'SET #status = :completed, completedAt = :now, updatedAt = :now, fulfilledAt = if_not_exists(fulfilledAt, :now) REMOVE taskToken',
            ConditionExpression: openCondition(['attribute_exists(reservation)', delivered, ...stockDone(r)]),
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':completed': 'completed', ':now': now, ...openValues },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return toRedemption(Attributes!);
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) throw new WriteConflict(['redemption']);
        throw err;
      }
    },

    transact,

    async getCoupon(programId, code) {
      const item = await get(keys.coupon(programId, code));
      return item ? toCoupon(item) : null;
    },

    async useCoupon(programId, code, now, orderId) {
      try {
        const { Attributes } = await ddb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.coupon(programId, code),
            UpdateExpression: `SET #status = :used, usedAt = :now${orderId ? ', orderId = :order' : ''}`,
            ConditionExpression: '#status = :issued AND expiresAt > :now',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':used': 'used', ':issued': 'issued', ':now': now, ...(orderId ? { ':order': orderId } : {}) },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return toCoupon(Attributes!);
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return null;
        throw err;
      }
    },

    async donationTotals(programId) {
      const items = await queryAll(keys.donationTotalsPk(programId), 'CAUSE#');
      return items.map((i) => ({
        causeId: i.causeId,
        causeName: i.causeName,
        donations: i.donations ?? 0,
        points: i.points ?? 0,
        amount: { amount: i.amount ?? 0, currency: i.currency },
      }));
    },

    async listDonations(programId, rewardId, limit, cursor) {
      const page = await queryPage(keys.rewardDonationsPk(programId, rewardId), keys.donationPrefix, limit, cursor, true);
      return {
        items: page.items.map((i) => ({
          redemptionId: i.redemptionId,
          memberId: i.memberId,
          rewardId: i.rewardId,
          causeId: i.causeId,
          causeName: i.causeName,
          points: i.points,
          amount: i.amount,
          receipt: i.receipt,
          donatedAt: i.donatedAt,
        })),
        nextCursor: page.nextCursor,
      };
    },
  };
}

export { decodeCursor };
export type { ReservedLot };
