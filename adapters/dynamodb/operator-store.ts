// Operators' member work on DynamoDB: an adjustment's read (member + its key's guard, one BatchGet),
// members by email (a Query of the lookup partition), and everything held on a member (one Query of
// the member's partition, plus the lookups and coupons it points to).
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { AdjustmentStore } from '../../core/ledger/ports';
import type { MemberDirectory, MemberRecords } from '../../core/members/ports';
import { toLot } from './entities/lot';
import { toMember, toMemberState } from './entities/member';
import { adjustmentGuardKey, emailHash, emailLookupKey, toAdjustmentGuard } from './entities/operator';
import { toCoupon, toRedemption } from './entities/rewards';
import { toTransaction } from './entities/transaction';
import { collections, keys } from './keys';
import { batchGet, queryAll, queryPage } from './query';

export function dynamoAdjustmentStore(ddb: DynamoDBDocumentClient, tableName: string): AdjustmentStore {
  return {
    async loadForAdjustment(programId, memberId, idempotencyKey) {
      const memberKey = keys.member(programId, memberId);
      const guardKey = adjustmentGuardKey(programId, memberId, idempotencyKey);
      const items = await batchGet(ddb, tableName, [memberKey, guardKey]);
      const guard = items.get(guardKey);
      return { member: toMemberState(items.get(memberKey)), recorded: guard ? toAdjustmentGuard(guard) : null };
    },
  };
}

export function dynamoMemberDirectory(ddb: DynamoDBDocumentClient, tableName: string): MemberDirectory {
  return {
    async membersByEmail(programId, normalizedEmail, limit, cursor) {
      const { pk, prefix } = collections.emailLookup(programId, emailHash(normalizedEmail));
      const page = await queryPage(ddb, tableName, { pk, prefix, limit, cursor, newestFirst: false });
      return { items: page.items.map((i) => i.memberId as string), nextCursor: page.nextCursor };
    },

    async memberRecords(programId, memberId) {
      const items = await queryAll(ddb, tableName, {
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': collections.member(programId, memberId) },
        ConsistentRead: true,
      });
      const of = (entity: string) => items.filter((i) => i.entity === entity);
      const profile = items.find((i) => i.sk === 'PROFILE');
      const member = profile ? toMember(profile) : null;
      const redemptions = of('redemption').map(toRedemption);
      const codes = [...new Set(redemptions.flatMap((r) => (typeof r.code === 'string' ? [r.code] : [])))];
      const couponKeys = codes.map((c) => keys.coupon(programId, c));
      const email = member?.email;
      const [found, referral] = await Promise.all([
        couponKeys.length || email
          ? batchGet(ddb, tableName, [
              ...couponKeys,
              ...(email ? [emailLookupKey(programId, email.trim().toLowerCase(), memberId)] : []),
            ])
          : null,
        member?.referralCode
          ? ddb.send(new GetCommand({ TableName: tableName, Key: keys.referralCode(programId, member.referralCode) }))
          : null,
      ]);
      const records: MemberRecords = {
        member,
        lots: of('lot').map(toLot),
        transactions: of('tx').map(toTransaction),
        redemptions: redemptions as unknown as Record<string, unknown>[],
        coupons: couponKeys.flatMap((k) => {
          const c = found?.get(k);
          return c ? [toCoupon(c) as unknown as Record<string, unknown>] : [];
        }),
        rewardUsage: of('rewardUsage').map((i) => ({ rewardId: i.rewardId, periodKey: i.periodKey, used: i.used })),
        schedules: of('schedule').map((i) => ({ schedule: i.kind, dueAt: i.dueAt })),
        notices: of('notice').map((i) => ({ noticeId: i.noticeId, sentAt: i.publishedAt ?? null })),
        lookups: {
          referralCode: referral?.Item?.memberId === memberId ? (member?.referralCode ?? null) : null,
          email: Boolean(email && found?.get(emailLookupKey(programId, email.trim().toLowerCase(), memberId))),
        },
        erasedAt: (profile?.erasedAt as string | undefined) ?? null,
      };
      return records;
    },
  };
}
