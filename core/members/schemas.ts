import * as z from 'zod';
import { ClientId, PageQuery, Timestamp } from '../kernel/schemas';
import { MemberView, TransactionView } from '../ledger/schemas';

export const MemberSearchQuery = z.strictObject({
  query: z
    .string({ error: 'is required: a member id, an email or a referral code' })
    .trim()
    .min(1, 'is required: a member id, an email or a referral code')
    .max(254)
    .describe('An exact member id, email (any case, spaces trimmed) or referral code'),
  ...PageQuery.shape,
});

export const MemberSearchPage = z
  .strictObject({
    items: z.array(
      z.strictObject({
        matchedBy: z.enum(['memberId', 'email', 'referralCode']),
        member: MemberView,
      }),
    ),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for more members with this email; null at the end'),
  })
  .meta({ id: 'MemberSearchPage', description: 'Members matching a query: exact matches first' });

const Doc = z.record(z.string(), z.unknown());

export const MemberExport = z
  .strictObject({
    exportedAt: Timestamp,
    programId: z.string(),
    memberId: z.string(),
    profile: z.strictObject({ ...MemberView.shape, erasedAt: Timestamp.nullable() }),
    ledger: z.strictObject({
      debt: z.int(),
      pendingLots: z.array(Doc),
      tierAchievedAt: z.string().nullable(),
      referredBy: z.string().nullable(),
      purchaseCount: z.int(),
      lastActivityAt: z.string().nullable(),
      enrolledAt: z.string(),
    }),
    lots: z.array(Doc).describe('Every lot, spent ones included'),
    transactions: z.array(TransactionView),
    redemptions: z.array(Doc),
    coupons: z.array(Doc),
    rewardUsage: z.array(z.strictObject({ rewardId: z.string(), periodKey: z.string(), used: z.int() })),
    schedules: z.array(z.strictObject({ schedule: z.string(), dueAt: z.string() })),
    notices: z.array(z.strictObject({ noticeId: z.string(), sentAt: z.string().nullable() })),
    lookups: z
      .strictObject({ referralCode: z.string().nullable(), email: z.boolean() })
      .describe('How the member can be found: their referral code, and whether their email finds them'),
  })
  .meta({ id: 'MemberExport', description: 'Everything held on a member (data protection export)' });

export const ErasureResult = z
  .strictObject({
    memberId: ClientId,
    erasedAt: Timestamp,
    erased: z.boolean().describe('False when there was nothing left to erase (an erased member: nothing written)'),
    removed: z.array(z.string()).describe('Profile fields this request removed'),
    kept: z.array(z.string()).describe('What stays, for accounting'),
  })
  .meta({ id: 'ErasureResult', description: "A member's personal data erased; the ledger kept" });
