import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CouponStore } from '../../core/rewards/ports';
import { deliveredUpdate, toCoupon } from './entities/rewards';
import { DAY_S, epochSeconds } from './entities/types';
import { keys } from './keys';
import { transact } from './unit-of-work';

/** Coupons are keyed by their code: a new code is a conditional put, so a collision draws again. */
export function dynamoCouponStore(ddb: DynamoDBDocumentClient, tableName: string): CouponStore {
  return {
    async issueCoupon(r, code, expiresAt, now) {
      await transact(ddb, [
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
                details: r.details,
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
        deliveredUpdate(tableName, r, { code, codeExpiresAt: expiresAt }, now),
      ]);
    },

    async getCoupon(programId, code) {
      const { Item } = await ddb.send(
        new GetCommand({ TableName: tableName, Key: keys.coupon(programId, code), ConsistentRead: true }),
      );
      return Item ? toCoupon(Item) : null;
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
            ExpressionAttributeValues: {
              ':used': 'used',
              ':issued': 'issued',
              ':now': now,
              ...(orderId ? { ':order': orderId } : {}),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return toCoupon(Attributes!);
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return null;
        throw err;
      }
    },
  };
}
