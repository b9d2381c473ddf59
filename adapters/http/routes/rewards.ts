import * as z from 'zod';
import { ClientId, PageQuery } from '../../../core/kernel/schemas';
import {
  CouponLookupInput,
  CouponRedeemInput,
  CouponView,
  DonationPageView,
  DonationReportView,
  FulfilmentInput,
  IdempotencyKey,
  MemberRewardsView,
  RedemptionInput,
  RedemptionPageView,
  RedemptionView,
  RewardInput,
  RewardListView,
  RewardPatch,
  RewardView,
} from '../../../core/rewards/schemas';
import { defineRoutes } from '../route';

const RewardPath = z.strictObject({ rewardId: ClientId.describe('The reward id') });
const MemberPath = z.strictObject({ memberId: ClientId.describe("The member's id in your systems") });
const RedemptionPath = z.strictObject({ redemptionId: ClientId.describe('The redemption id') });
const replayHeader = {
  'x-idempotent-replay': '`true` when this is the original answer to an earlier identical request',
};

export const rewardsAdminRoutes = defineRoutes({
  listRewards: {
    method: 'GET',
    path: '/v1/admin/rewards',
    scope: 'staff:viewer',
    group: 'rewards-admin-api',
    summary: 'The rewards catalog',
    responses: { 200: { description: 'Every reward, by name', schema: RewardListView } },
    problems: [],
  },
  createReward: {
    method: 'POST',
    path: '/v1/admin/rewards',
    scope: 'staff:manager',
    group: 'rewards-admin-api',
    summary: 'Add a reward: coupon, free shipping, gift card, free product, experience or donation',
    body: RewardInput,
    responses: {
      201: { description: 'The reward as stored', schema: RewardView, headers: { location: 'The reward' } },
    },
    problems: ['reward-exists', 'program-not-found'],
    example: {
      rewardId: 'pastry-3',
      name: '$3 off a pastry',
      category: 'bakery',
      type: 'coupon-fixed',
      details: { discount: { amount: 300, currency: 'USD' } },
      cost: { points: 15 },
      limit: { count: 3, period: 'week' },
    },
  },
  getReward: {
    method: 'GET',
    path: '/v1/admin/rewards/{rewardId}',
    scope: 'staff:viewer',
    group: 'rewards-admin-api',
    summary: 'One reward',
    params: RewardPath,
    responses: { 200: { description: 'The reward', schema: RewardView } },
    problems: ['reward-not-found'],
  },
  patchReward: {
    method: 'PATCH',
    path: '/v1/admin/rewards/{rewardId}',
    scope: 'staff:manager',
    group: 'rewards-admin-api',
    summary: 'Change a reward (its type stays); `addStock` adjusts the stock by a delta',
    params: RewardPath,
    body: RewardPatch,
    responses: { 200: { description: 'The reward after the change', schema: RewardView } },
    problems: ['reward-not-found', 'program-not-found'],
    example: { addStock: 10, status: 'active' },
  },
  listRewardDonations: {
    method: 'GET',
    path: '/v1/admin/rewards/{rewardId}/donations',
    scope: 'staff:viewer',
    group: 'rewards-admin-api',
    summary: "A donation reward's donations, oldest first, with its cause's running total",
    params: RewardPath,
    query: PageQuery,
    responses: { 200: { description: 'One page of donations', schema: DonationPageView } },
    problems: ['reward-not-found'],
  },
  donationReport: {
    method: 'GET',
    path: '/v1/admin/donations',
    scope: 'staff:viewer',
    group: 'rewards-admin-api',
    summary: 'Totals per cause over every donation reward: what to pay each cause',
    responses: { 200: { description: 'The total of each cause', schema: DonationReportView } },
    problems: [],
  },
});

export const redemptionsRoutes = defineRoutes({
  listMemberRewards: {
    method: 'GET',
    path: '/v1/members/{memberId}/rewards',
    scope: 'members:read',
    group: 'redemptions-api',
    summary: 'What the member can redeem, most relevant first, with what they can afford',
    params: MemberPath,
    responses: { 200: { description: 'The rewards and what the member can afford', schema: MemberRewardsView } },
    problems: ['member-not-found', 'program-not-found'],
  },
  redeemReward: {
    method: 'POST',
    path: '/v1/members/{memberId}/redemptions',
    scope: 'members:write',
    group: 'redemptions-api',
    summary: 'Redeem a reward; the same Idempotency-Key answers with the same redemption',
    description:
      'Instant rewards run to their end and answer 201 with the code; partner rewards answer 202 and complete when ' +
      'the ' +
      'partner confirms. A failed redemption answers with the problem of its reason, points already returned.',
    params: MemberPath,
    headers: z.object({
      'idempotency-key': IdempotencyKey.describe(
        'A unique id per redemption, chosen by the client (a UUID fits); a retry sends the same',
      ),
    }),
    body: RedemptionInput,
    responses: {
      201: {
        description: 'Completed (instant): the code, if the reward issues one',
        schema: RedemptionView,
        headers: { location: 'The redemption' },
      },
      202: {
        description: 'Waiting for the partner to fulfil it',
        schema: RedemptionView,
        headers: { location: 'The redemption', ...replayHeader },
      },
      200: {
        description: 'A replay of a completed or cancelled redemption',
        schema: RedemptionView,
        headers: { location: 'The redemption', ...replayHeader },
      },
    },
    problems: [
      'member-not-found',
      'reward-not-found',
      'reward-unavailable',
      'not-eligible',
      'insufficient-points',
      'out-of-stock',
      'redemption-limit-reached',
      'too-many-lots',
      'idempotency-conflict',
      'concurrent-update',
      'redemption-incomplete',
      'redemption-failed',
    ],
    example: { rewardId: 'coffee-5', quantity: 1 },
  },
  listMemberRedemptions: {
    method: 'GET',
    path: '/v1/members/{memberId}/redemptions',
    scope: 'members:read',
    group: 'redemptions-api',
    summary: "The member's redemptions, newest first",
    params: MemberPath,
    query: PageQuery,
    responses: { 200: { description: 'One page: `{ items, nextCursor }`', schema: RedemptionPageView } },
    problems: ['member-not-found'],
  },
  getRedemption: {
    method: 'GET',
    path: '/v1/redemptions/{redemptionId}',
    scope: 'members:read',
    group: 'redemptions-api',
    summary: 'One redemption',
    params: RedemptionPath,
    responses: { 200: { description: 'The redemption', schema: RedemptionView } },
    problems: ['redemption-not-found'],
  },
  cancelRedemption: {
    method: 'POST',
    path: '/v1/redemptions/{redemptionId}/cancel',
    scope: 'members:write',
    group: 'redemptions-api',
    summary: "Cancel within the reward's window: points to their lots, stock and limit back, coupon withdrawn",
    params: RedemptionPath,
    responses: {
      200: { description: 'The cancelled redemption (cancelling twice answers the same)', schema: RedemptionView },
    },
    problems: ['redemption-not-found', 'redemption-not-cancellable', 'cancellation-window-closed', 'coupon-used'],
  },
  recordFulfilment: {
    method: 'POST',
    path: '/v1/redemptions/{redemptionId}/fulfilment',
    scope: 'purchases:write',
    group: 'redemptions-api',
    summary: 'A partner confirms (or fails) a redemption waiting for it',
    params: RedemptionPath,
    body: FulfilmentInput,
    responses: {
      202: {
        description: 'Accepted: the redemption completes (or is compensated) right after',
        schema: RedemptionView,
      },
      200: { description: 'Already confirmed: the redemption as it is', schema: RedemptionView },
    },
    problems: ['redemption-not-found', 'redemption-not-awaiting-fulfilment'],
    example: { outcome: 'fulfilled', reference: 'SHIP-1234' },
  },
});

export const couponsRoutes = defineRoutes({
  checkCoupon: {
    method: 'POST',
    path: '/v1/coupons/lookup',
    scope: 'purchases:write',
    group: 'coupons-api',
    summary: 'Check a coupon code at the till',
    description: 'The code is in the body, not the URL: a code is a bearer secret and URLs are logged.',
    body: CouponLookupInput,
    responses: { 200: { description: 'The coupon: status, validity, reward', schema: CouponView } },
    problems: ['coupon-not-found'],
    example: { code: 'CAFE-482VM-RJYXW' },
  },
  redeemCoupon: {
    method: 'POST',
    path: '/v1/coupons/redeem',
    scope: 'purchases:write',
    group: 'coupons-api',
    summary: 'Mark a coupon used, once',
    body: CouponRedeemInput,
    responses: { 200: { description: 'The coupon, now used', schema: CouponView } },
    problems: ['coupon-not-found', 'coupon-used', 'coupon-expired', 'coupon-void'],
    example: { code: 'CAFE-482VM-RJYXW', orderId: 'A-1001' },
  },
});
