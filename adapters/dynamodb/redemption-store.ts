import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { WriteConflict } from '../../core/kernel/retry';
import type { RedemptionStore } from '../../core/rewards/ports';
import { toMemberState } from './entities/member';
import {
  newRedemptionItems,
  OUT_OF_SWEEP,
  openCondition,
  openValues,
  recordKey,
  redemptionIdempotencyKey,
  stockDone,
  sweepIndexKeys,
  toRedemption,
  toReward,
} from './entities/rewards';
import { conditionFailed } from './errors';
import { collections, type ItemKey, keys } from './keys';
import { batchGet, queryPage, queryPrefix } from './query';
import { transact } from './unit-of-work';

/**
 * Redemption records live in the member's partition (listed newest first, read with the member in
 * one BatchGet), with a by-id pointer for partners and an idempotency guard per Idempotency-Key.
 */
export function dynamoRedemptionStore(ddb: DynamoDBDocumentClient, tableName: string): RedemptionStore {
  const get = async (Key: ItemKey) =>
    (await ddb.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }))).Item;

  /** A single conditional update of the redemption record (conflict: `redemption`); its new state. */
  const updateRecord = async (
    input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'ReturnValues'>,
  ) => {
    try {
      const { Attributes } = await ddb.send(
        new UpdateCommand({ TableName: tableName, ...input, ReturnValues: 'ALL_NEW' }),
      );
      return toRedemption(Attributes!);
    } catch (err) {
      throw conditionFailed(err, 'redemption');
    }
  };

  return {
    async loadRequest(programId, memberId, rewardId, idempotencyKey) {
      const memberKey = keys.member(programId, memberId);
      const rewardKey = keys.reward(programId, rewardId);
      const idemKey = redemptionIdempotencyKey(programId, memberId, idempotencyKey);
      const items = await batchGet(ddb, tableName, [memberKey, rewardKey, idemKey]);
      const m = items.get(memberKey);
      const reward = items.get(rewardKey);
      const idem = items.get(idemKey);
      return {
        member: toMemberState(m),
        profile: m ? { attributes: m.attributes ?? {}, enrolledAt: m.enrolledAt, tier: m.tier ?? null } : null,
        reward: reward ? toReward(reward) : null,
        idempotency: idem ? { redemptionId: idem.redemptionId, fingerprint: idem.fingerprint } : null,
      };
    },

    async loadForStep(programId, memberId, redemptionId) {
      const memberKey = keys.member(programId, memberId);
      const recKey = keys.memberRedemption(programId, memberId, redemptionId);
      const items = await batchGet(ddb, tableName, [memberKey, recKey]);
      const rec = items.get(recKey);
      return { member: toMemberState(items.get(memberKey)), redemption: rec ? toRedemption(rec) : null };
    },

    async createRedemption(r, now) {
      try {
        await transact(ddb, newRedemptionItems(tableName, r, now));
        return true;
      } catch (err) {
        if (err instanceof WriteConflict && err.has('idempotency')) return false;
        throw err;
      }
    },

    async getIdempotency(programId, memberId, key) {
      const item = await get(redemptionIdempotencyKey(programId, memberId, key));
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
      const page = await queryPage(ddb, tableName, {
        pk: collections.member(programId, memberId),
        prefix: collections.memberRedemptions,
        limit,
        cursor,
        newestFirst: true,
      });
      return { items: page.items.map(toRedemption), nextCursor: page.nextCursor };
    },

    async memberUsage(programId, memberId) {
      const items = await queryPrefix(
        ddb,
        tableName,
        collections.member(programId, memberId),
        collections.rewardUsage,
        {
          ConsistentRead: true,
        },
      );
      return new Map(items.map((i) => [`${i.rewardId}#${i.periodKey}`, Number(i.used ?? 0)]));
    },

    async usage(programId, memberId, rewardId, periodKey) {
      const item = await get(keys.rewardUsage(programId, memberId, rewardId, periodKey));
      return Number(item?.used ?? 0);
    },

    async awaitFulfilment(r, taskToken, now, sweepAt) {
      const index = sweepIndexKeys(r, sweepAt);
      await updateRecord({
        Key: recordKey(r),
        UpdateExpression:
          'SET taskToken = :t, #status = :awaiting, updatedAt = :now, sweepAt = :sweep, gsi1pk = :gpk, gsi1sk = :gsk',
        ConditionExpression: openCondition(['attribute_exists(reservation)', ...stockDone(r)]),
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':t': taskToken,
          ':now': now,
          ':sweep': sweepAt,
          ':gpk': index.gsi1pk,
          ':gsk': index.gsi1sk,
          ...openValues,
        },
      });
    },

    recordPartnerFulfilment(r, fulfilment, now) {
      return updateRecord({
        Key: recordKey(r),
        UpdateExpression: 'SET fulfilment = :f, updatedAt = :now',
        ConditionExpression: '#status = :awaiting AND attribute_not_exists(fulfilment)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':f': fulfilment, ':now': now, ':awaiting': 'awaiting-fulfilment' },
      });
    },

    confirm(r, now) {
      const delivered = r.flow === 'partner' ? 'attribute_exists(fulfilment)' : 'attribute_exists(fulfilledAt)';
      return updateRecord({
        Key: recordKey(r),
        UpdateExpression:
          'SET #status = :completed, completedAt = :now, updatedAt = :now, fulfilledAt = ' +
          `if_not_exists(fulfilledAt, :now) REMOVE taskToken, ${Object.keys(OUT_OF_SWEEP).join(', ')}`,
        ConditionExpression: openCondition(['attribute_exists(reservation)', delivered, ...stockDone(r)]),
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':completed': 'completed', ':now': now, ...openValues },
      });
    },
  };
}
