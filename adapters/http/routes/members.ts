import * as z from 'zod';
import { ClientId } from '../../../core/kernel/schemas';
import {
  MemberDetailView,
  MemberInput,
  MemberView,
  TransactionPageView,
  TransactionsQuery,
} from '../../../core/ledger/schemas';
import { defineRoutes } from '../route';

const MemberPath = z.strictObject({ memberId: ClientId.describe("The member's id in your systems") });

export const membersRoutes = defineRoutes({
  putMember: {
    method: 'PUT',
    path: '/v1/members/{memberId}',
    scope: 'members:write',
    group: 'members-api',
    summary: 'Enrol or update a member',
    description:
      'Enrols the member (201) or updates their profile (200). Sent fields are set, `null` clears, omitted fields ' +
      'are ' +
      "kept. `referralCode` (the referrer's) is accepted once, before the first purchase.",
    params: MemberPath,
    body: MemberInput,
    responses: {
      201: { description: 'Enrolled: the member', schema: MemberView },
      200: { description: 'Updated: the member', schema: MemberView },
    },
    problems: [],
    example: { email: 'bob@example.com', name: 'Bob', birthDate: '1990-04-01', attributes: { newsletter: true } },
  },
  getMember: {
    method: 'GET',
    path: '/v1/members/{memberId}',
    scope: 'members:read',
    group: 'members-api',
    summary: 'A member: profile, points, tier status and upcoming expiries',
    description:
      'Profile, `points { available, pending, lifetimeEarned }`, `tierStatus` and `upcomingExpiries`, from one Query.',
    params: MemberPath,
    responses: { 200: { description: 'The member', schema: MemberDetailView } },
    problems: ['member-not-found'],
  },
  listMemberTransactions: {
    method: 'GET',
    path: '/v1/members/{memberId}/transactions',
    scope: 'members:read',
    group: 'members-api',
    summary: "A member's transactions, newest first",
    params: MemberPath,
    query: TransactionsQuery,
    responses: { 200: { description: 'One page: `{ items, nextCursor }`', schema: TransactionPageView } },
    problems: ['member-not-found'],
  },
});
