import { apiHandler, parse } from '../adapters/http/api';
import { json } from '../adapters/http/problem';
import { ClientId, MemberInput, TransactionsQuery } from '../core/kernel/schemas';
import { enrolOrUpdateMember, listMemberTransactions } from '../core/ledger/use-cases/members';
import { memberWithInsights } from '../core/ledger/use-cases/member-view';
import { deps } from '../adapters/runtime/deps';

export const handler = apiHandler({
  'PUT /v1/members/{memberId}': {
    scope: 'members:write',
    handler: async (req) => {
      const memberId = parse(ClientId, req.params.memberId, 'memberId');
      const input = parse(MemberInput, req.body ?? {});
      const { created, member } = await enrolOrUpdateMember(req.programId, memberId, input, req.requestId, deps());
      return json(created ? 201 : 200, member);
    },
  },
  'GET /v1/members/{memberId}': {
    scope: 'members:read',
    // Profile, balances, tier status and upcoming expiries from one Query (shared/use-cases/member-insights.ts).
    handler: async (req) => json(200, await memberWithInsights(req.programId, parse(ClientId, req.params.memberId, 'memberId'), deps())),
  },
  'GET /v1/members/{memberId}/transactions': {
    scope: 'members:read',
    handler: async (req) => {
      const memberId = parse(ClientId, req.params.memberId, 'memberId');
      const query = parse(TransactionsQuery, req.query);
      return json(200, await listMemberTransactions(req.programId, memberId, query, deps()));
    },
  },
});
