import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DonationStore } from '../../core/rewards/ports';
import { deliveredUpdate } from './entities/rewards';
import { collections, keys } from './keys';
import { queryPage, queryPrefix } from './query';
import { transact } from './unit-of-work';

/** One entry per donation under its reward, and a running total per cause (what to pay each cause). */
export function dynamoDonationStore(ddb: DynamoDBDocumentClient, tableName: string): DonationStore {
  return {
    async recordDonation(r, receipt, now) {
      const d = r.donation!;
      await transact(ddb, [
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
              UpdateExpression:
                'SET entity = :e, causeId = :cid, causeName = :cname, currency = :cur ADD donations :one, points ' +
                ':p, amount :a',
              ExpressionAttributeValues: {
                ':e': 'donationTotal',
                ':cid': d.causeId,
                ':cname': d.causeName,
                ':cur': d.amount.currency,
                ':one': 1,
                ':p': r.points,
                ':a': d.amount.amount,
              },
            },
          },
        },
        deliveredUpdate(tableName, r, { receipt }, now),
      ]);
    },

    async donationTotals(programId) {
      const { pk, prefix } = collections.donationTotals(programId);
      const items = await queryPrefix(ddb, tableName, pk, prefix);
      return items.map((i) => ({
        causeId: i.causeId,
        causeName: i.causeName,
        donations: i.donations ?? 0,
        points: i.points ?? 0,
        amount: { amount: i.amount ?? 0, currency: i.currency },
      }));
    },

    async listDonations(programId, rewardId, limit, cursor) {
      const { pk, prefix } = collections.donations(programId, rewardId);
      const page = await queryPage(ddb, tableName, { pk, prefix, limit, cursor, newestFirst: false });
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
