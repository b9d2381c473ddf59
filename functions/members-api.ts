import { apiHandler } from '../adapters/http/api';
import { json } from '../adapters/http/problem';
import { membersRoutes } from '../adapters/http/routes/members';
import { memberOperatorRoutes } from '../adapters/http/routes/operator';
import { deps } from '../adapters/runtime/deps';
import { adjustPoints } from '../core/ledger/use-cases/adjustments';
import { memberWithInsights } from '../core/ledger/use-cases/member-view';
import { enrolOrUpdateMember, listMemberTransactions } from '../core/ledger/use-cases/members';
import { eraseMember, exportMember } from '../core/members/use-cases/data-protection';
import { findMembers } from '../core/members/use-cases/find-members';
import { staffRole } from '../core/programs/domain/staff-roles';

const actorOf = (req: { keyId: string; scopes: Parameters<typeof staffRole>[0] }) => ({
  keyId: req.keyId,
  role: staffRole(req.scopes),
});

export const handler = apiHandler(
  { ...membersRoutes, ...memberOperatorRoutes },
  {
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
    adjustPoints: async (req) => {
      const { replayed, result } = await adjustPoints(
        req.programId,
        req.params.memberId,
        req.body,
        {
          idempotencyKey: req.headers['idempotency-key'],
          actor: actorOf(req),
          requestId: req.requestId,
          correlationId: req.correlationId,
        },
        deps(),
      );
      return json(replayed ? 200 : 201, result, replayed ? { 'x-idempotent-replay': 'true' } : {});
    },
    findMembers: async (req) => json(200, await findMembers(req.programId, req.query, deps())),
    exportMember: async (req) =>
      json(200, await exportMember(req.programId, req.params.memberId, actorOf(req), req, deps())),
    eraseMember: async (req) =>
      json(200, await eraseMember(req.programId, req.params.memberId, actorOf(req), req, deps())),
  },
);
