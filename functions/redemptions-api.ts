import { apiHandler } from '../adapters/http/api';
import { type HttpResponse, json, problem } from '../adapters/http/problem';
import { isProblemSlug } from '../adapters/http/problems';
import { redemptionsRoutes } from '../adapters/http/routes/rewards';
import { deps } from '../adapters/runtime/deps';
import { stepFunctionsWorkflows } from '../adapters/stepfunctions/workflows';
import { FAILURE_PROBLEMS } from '../core/rewards/domain/rewards';
import {
  cancelRedemption,
  getRedemption,
  listMemberRedemptions,
  listRewardsForMember,
  type RedemptionOutcome,
  recordFulfilment,
  requestRedemption,
} from '../core/rewards/use-cases/redemptions';

// The Step Functions client is built here, once per cold start: no other function needs it.
const workflows = stepFunctionsWorkflows();
const redemptionDeps = () => ({ ...deps(), workflows });

/** A failed redemption answers with the problem of its reason, and the redemption itself (points already returned). */
function redemptionResponse({ replayed, redemption }: RedemptionOutcome, requestId: string): HttpResponse {
  const headers: Record<string, string> = {
    location: `/v1/redemptions/${redemption.redemptionId}`,
    ...(replayed ? { 'x-idempotent-replay': 'true' } : {}),
  };
  const extra = { redemptionId: redemption.redemptionId, redemption };
  switch (redemption.status) {
    case 'completed':
      return json(replayed ? 200 : 201, redemption, headers);
    case 'cancelled':
      return json(200, redemption, headers);
    case 'awaiting-fulfilment':
      return json(202, redemption, headers);
    case 'pending': {
      if (redemption.fulfilment === 'partner') return json(202, redemption, headers);
      const detail = 'The redemption could not finish now; retry with the same Idempotency-Key to resume it';
      return withHeaders(problem('redemption-incomplete', detail, extra, requestId), headers);
    }
    case 'failed': {
      const returned = redemption.pointsReturned ? `; ${redemption.pointsReturned} points were returned` : '';
      const detail = `${redemption.failure?.message ?? 'The redemption failed'}${returned}`;
      const known = FAILURE_PROBLEMS[redemption.failure?.reason ?? 'internal-error'];
      if (known && isProblemSlug(known)) return withHeaders(problem(known, detail, extra, requestId), headers);
      return withHeaders(
        problem('redemption-failed', `${detail}. Nothing was spent; try again later`, extra, requestId),
        headers,
      );
    }
  }
}

function withHeaders(res: HttpResponse, headers: Record<string, string>): HttpResponse {
  return { ...res, headers: { ...res.headers, ...headers } };
}

export const handler = apiHandler(redemptionsRoutes, {
  listMemberRewards: async (req) => json(200, await listRewardsForMember(req.programId, req.params.memberId, deps())),
  redeemReward: async (req) => {
    const outcome = await requestRedemption(
      req.programId,
      req.params.memberId,
      req.body,
      req.headers['idempotency-key'],
      req.correlationId,
      redemptionDeps(),
    );
    return redemptionResponse(outcome, req.requestId);
  },
  listMemberRedemptions: async (req) =>
    json(200, await listMemberRedemptions(req.programId, req.params.memberId, req.query, deps())),
  getRedemption: async (req) => json(200, await getRedemption(req.programId, req.params.redemptionId, deps())),
  cancelRedemption: async (req) =>
    json(200, await cancelRedemption(req.programId, req.params.redemptionId, redemptionDeps())),
  recordFulfilment: async (req) => {
    const { accepted, redemption } = await recordFulfilment(
      req.programId,
      req.params.redemptionId,
      req.body,
      redemptionDeps(),
    );
    return json(accepted ? 202 : 200, redemption);
  },
});
