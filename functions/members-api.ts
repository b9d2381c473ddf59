import { apiHandler } from '../adapters/http/api';
import { json } from '../adapters/http/problem';
import { membersRoutes } from '../adapters/http/routes/members';
import { deps } from '../adapters/runtime/deps';
import { memberWithInsights } from '../core/ledger/use-cases/member-view';
import { enrolOrUpdateMember, listMemberTransactions } from '../core/ledger/use-cases/members';

export const handler = apiHandler(membersRoutes, {
  putMember: async (req) => {
    const { created, member } = await enrolOrUpdateMember(
      req.programId,
      req.params.memberId,
      req.body,
      req.requestId,
      deps(),
    );
    return json(created ? 201 : 200, member);
  },
  getMember: async (req) => json(200, await memberWithInsights(req.programId, req.params.memberId, deps())),
  listMemberTransactions: async (req) =>
    json(200, await listMemberTransactions(req.programId, req.params.memberId, req.query, deps())),
});
