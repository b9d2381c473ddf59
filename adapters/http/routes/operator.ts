// The operator API (what the console uses): adjustments, member search, data protection requests
// and the audit log. Each route names the staff role it needs (docs/api.md#staff-roles).
import * as z from 'zod';
import { AuditLogPage, AuditLogQuery } from '../../../core/audit/schemas';
import { ClientId } from '../../../core/kernel/schemas';
import { AdjustmentInput, AdjustmentKey, AdjustmentResult } from '../../../core/ledger/schemas';
import { ErasureResult, MemberExport, MemberSearchPage, MemberSearchQuery } from '../../../core/members/schemas';
import { defineRoutes } from '../route';

const MemberPath = z.strictObject({ memberId: ClientId.describe("The member's id in your systems") });
const REPLAY = { 'x-idempotent-replay': '`true` when this is the original answer to an earlier identical request' };

export const memberOperatorRoutes = defineRoutes({
  adjustPoints: {
    method: 'POST',
    path: '/v1/admin/members/{memberId}/adjustments',
    scope: 'staff:support',
    group: 'members-api',
    summary: "Adjust a member's points by hand: signed points, a reason, an optional note",
    description:
      'Positive points credit a new lot (expiring as the expiry policy says); negative points debit the lots ' +
      'nearest to expiry first. A debit beyond the available points is refused (422 naming `points`) unless the ' +
      "return policy is `negative-balance`. The `support` role moves at most the program's " +
      '`supportAdjustmentLimit` points either way (403 `adjustment-over-limit`); managers and admins have no limit. ' +
      'The same Idempotency-Key and body answer the first result again; another body is a 409.',
    params: MemberPath,
    headers: z.object({
      'idempotency-key': AdjustmentKey.describe('A unique id per adjustment (a UUID fits); a retry sends the same'),
    }),
    body: AdjustmentInput,
    responses: {
      201: { description: 'Adjusted', schema: AdjustmentResult },
      200: { description: 'A replay: the first answer', schema: AdjustmentResult, headers: REPLAY },
    },
    problems: [
      'member-not-found',
      'adjustment-over-limit',
      'unprocessable',
      'idempotency-conflict',
      'concurrent-update',
    ],
    audit: 'in-transaction',
    example: { points: 250, reason: 'Goodwill: late delivery', note: 'Ticket 4711' },
  },
  findMembers: {
    method: 'GET',
    path: '/v1/admin/members',
    scope: 'staff:viewer',
    group: 'members-api',
    summary: 'Find members by exact member id, email or referral code',
    description:
      'Each kind of match is one read of an item or of a lookup kept when the profile changes; nothing is scanned. ' +
      'Exact id and referral code matches come first; members sharing an email are paged.',
    query: MemberSearchQuery,
    responses: { 200: { description: 'The members found', schema: MemberSearchPage } },
    problems: [],
  },
  exportMember: {
    method: 'POST',
    path: '/v1/admin/members/{memberId}/export',
    scope: 'staff:support',
    group: 'members-api',
    summary: 'Everything held on a member, as JSON (a data protection access request); logged in the audit log',
    params: MemberPath,
    responses: { 200: { description: "The member's data", schema: MemberExport } },
    problems: ['member-not-found'],
    audit: 'in-transaction',
  },
  eraseMember: {
    method: 'DELETE',
    path: '/v1/admin/members/{memberId}',
    scope: 'admin',
    group: 'members-api',
    summary: "Erase a member's personal data; the ledger stays, under the member id, for accounting",
    description:
      'Removes email, name, birth date, attributes and referral code, and the lookups that find the member by ' +
      'them, in one transaction with its audit entry. Balances, lots, transactions and redemptions stay. ' +
      'Erasing an erased member changes nothing (`erased: false`). See docs/operations.md#data-protection-requests.',
    params: MemberPath,
    responses: { 200: { description: 'Erased', schema: ErasureResult } },
    problems: ['member-not-found', 'concurrent-update'],
    audit: 'in-transaction',
  },
});

export const auditRoutes = defineRoutes({
  listAuditLog: {
    method: 'GET',
    path: '/v1/admin/audit-log',
    scope: 'staff:viewer',
    group: 'program-admin-api',
    summary: 'Every admin and staff action, newest first: who, what, when, before and after',
    query: AuditLogQuery,
    responses: { 200: { description: 'One page of entries', schema: AuditLogPage } },
    problems: [],
  },
});
