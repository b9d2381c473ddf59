import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationFailed } from '../../core/kernel/errors';
import { RewardExists, RewardNotFound } from '../../core/rewards/errors';
import type { CatalogStore } from '../../core/rewards/ports';
import { recordKey, rewardItem, stockTake, toReward } from './entities/rewards';
import { setExpression } from './entities/types';
import { collections, keys } from './keys';
import { queryPrefix } from './query';
import { transact } from './unit-of-work';

/** The rewards catalog: definitions, and stock counted down under a condition so it is never oversold. */
export function dynamoCatalogStore(ddb: DynamoDBDocumentClient, tableName: string): CatalogStore {
  const get = async (programId: string, rewardId: string) =>
    (
      await ddb.send(
        new GetCommand({ TableName: tableName, Key: keys.reward(programId, rewardId), ConsistentRead: true }),
      )
    ).Item;

  return {
    async createReward(programId, reward) {
      try {
        await ddb.send(
          new PutCommand({
            TableName: tableName,
            Item: rewardItem(programId, reward),
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
            UpdateExpression: [
              `SET ${sets.join(', ')}`,
              removes.length ? `REMOVE ${removes.join(', ')}` : '',
              adds.length ? `ADD ${adds.join(', ')}` : '',
            ]
              .filter(Boolean)
              .join(' '),
            ConditionExpression: conditions.join(' AND '),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        );
        return toReward(Attributes!);
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
        const old = await get(programId, rewardId);
        if (!old) throw new RewardNotFound(rewardId);
        if (typeof old.stockTotal !== 'number') {
          throw new ValidationFailed([
            { field: 'addStock', message: 'this reward has no stock to adjust (it was created without one)' },
          ]);
        }
        throw new ValidationFailed([
          { field: 'addStock', message: `cannot remove more than the ${old.stockRemaining} units left` },
        ]);
      }
    },

    async getReward(programId, rewardId) {
      const item = await get(programId, rewardId);
      return item ? toReward(item) : null;
    },

    async listRewards(programId) {
      const { pk, prefix } = collections.rewards(programId);
      return (await queryPrefix(ddb, tableName, pk, prefix)).map(toReward);
    },

    async reserveStock(r, now) {
      await transact(ddb, [
        stockTake({ tableName, programId: r.programId, now }, r),
        {
          tag: 'redemption',
          item: {
            Update: {
              TableName: tableName,
              Key: recordKey(r),
              UpdateExpression: 'SET stockReserved = :q, updatedAt = :now',
              ConditionExpression:
                '#status = :pending AND attribute_exists(reservation) AND attribute_not_exists(stockReserved)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':q': r.quantity, ':now': now, ':pending': 'pending' },
            },
          },
        },
      ]);
    },
  };
}
