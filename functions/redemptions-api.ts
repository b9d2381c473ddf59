import { apiHandler, parse } from '../adapters/http/api';
import { json, problem, fieldErrors, type HttpResponse } from '../adapters/http/problem';
import { ValidationFailed, type FieldError } from '../core/kernel/errors';
import { ClientId } from '../core/kernel/schemas';
import { FulfilmentInput, IdempotencyKey, PageQuery, RedemptionInput } from '../core/rewards/schemas';
import {
  cancelRedemption,
  getRedemption,
  listMemberRedemptions,
  listRewardsForMember,
  recordFulfilment,
  requestRedemption,
  type RedemptionOutcome,
} from '../core/rewards/use-cases/redemptions';
import { stepFunctionsWorkflows } from '../adapters/stepfunctions/workflows';
import { deps } from '../adapters/runtime/deps';

// The Step Functions client is built here, once per cold start, not in shared/deps: no other function needs it.
const workflows = stepFunctionsWorkflows();
const redemptionDeps = () => ({ ...deps(), workflows });

/** A failed redemption answers with the problem of its reason, and the redemption itself (points already returned). */
const FAILED: Record<string, { status: number; type: string; title: string }> = {
  'insufficient-points': { status: 409, type: 'insufficient-points', title: 'Not enough points' },
  'out-of-stock': { status: 409, type: 'out-of-stock', title: 'Reward out of stock' },
  'limit-reached': { status: 409, type: 'redemption-limit-reached', title: 'Redemption limit reached' },
  'too-many-lots': { status: 422, type: 'too-many-lots', title: 'Points spread over too many lots' },
};

function redemptionResponse({ replayed, redemption }: RedemptionOutcome, requestId: string): HttpResponse {
  const headers: Record<string, string> = { location: `/v1/redemptions/${redemption.redemptionId}`, ...(replayed ? { 'x-idempotent-replay': 'true' } : {}) };
  const extra = { redemptionId: redemption.redemptionId, redemption };
  switch (redemption.status) {
    case 'completed':
      return json(replayed ? 200 : 201, redemption, headers);
    case 'cancelled':
      return json(200, redemption, headers);
    case 'awaiting-fulfilment':
      return json(202, redemption, headers);
    case 'pending':
      if (redemption.fulfilment === 'partner') return json(202, redemption, headers);
      return withHeaders(problem(503, 'redemption-incomplete', 'Redemption not finished', 'The redemption could not finish now; retry with the same Idempotency-Key to resume it', extra, requestId), headers);
    case 'failed': {
      const known = FAILED[redemption.failure?.reason ?? ''];
      const detail = `${redemption.failure?.message ?? 'The redemption failed'}${redemption.pointsReturned ? `; ${redemption.pointsReturned} points were returned` : ''}`;
      if (known) return withHeaders(problem(known.status, known.type, known.title, detail, extra, requestId), headers);
      return withHeaders(problem(503, 'redemption-failed', 'Redemption failed', `${detail}. Nothing was spent; try again later`, extra, requestId), headers);
    }
  }
}

function withHeaders(res: HttpResponse, headers: Record<string, string>): HttpResponse {
  return { ...res, headers: { ...res.headers, ...headers } };
}

/** Body and Idempotency-Key header are checked together, so one 400 names every bad field. */
function parseRedemptionRequest(body: unknown, key: string | undefined) {
  const errors: FieldError[] = [];
  const b = RedemptionInput.safeParse(body ?? {});
  if (!b.success) errors.push(...fieldErrors(b.error));
  const k = IdempotencyKey.safeParse(key);
  if (!k.success) errors.push(...fieldErrors(k.error, 'Idempotency-Key'));
  if (!b.success || !k.success) throw new ValidationFailed(errors);
  return { body: b.data, key: k.data };
}

export const handler = apiHandler({
  'GET /v1/members/{memberId}/rewards': {
    scope: 'members:read',
    handler: async (req) => json(200, await listRewardsForMember(req.programId, parse(ClientId, req.params.memberId, 'memberId'), deps())),
  },
  'POST /v1/members/{memberId}/redemptions': {
    scope: 'members:write',
    handler: async (req) => {
      const memberId = parse(ClientId, req.params.memberId, 'memberId');
      const { body, key } = parseRedemptionRequest(req.body, req.headers['idempotency-key']);
      return redemptionResponse(await requestRedemption(req.programId, memberId, body, key, req.correlationId, redemptionDeps()), req.requestId);
    },
  },
  'GET /v1/members/{memberId}/redemptions': {
    scope: 'members:read',
    handler: async (req) => {
      const memberId = parse(ClientId, req.params.memberId, 'memberId');
      return json(200, await listMemberRedemptions(req.programId, memberId, parse(PageQuery, req.query), deps()));
    },
  },
  'GET /v1/redemptions/{redemptionId}': {
    scope: 'members:read',
    handler: async (req) => json(200, await getRedemption(req.programId, parse(ClientId, req.params.redemptionId, 'redemptionId'), deps())),
  },
  'POST /v1/redemptions/{redemptionId}/cancel': {
    scope: 'members:write',
    handler: async (req) => json(200, await cancelRedemption(req.programId, parse(ClientId, req.params.redemptionId, 'redemptionId'), redemptionDeps())),
  },
  'POST /v1/redemptions/{redemptionId}/fulfilment': {
    scope: 'purchases:write',
    handler: async (req) => {
      const redemptionId = parse(ClientId, req.params.redemptionId, 'redemptionId');
      const { accepted, redemption } = await recordFulfilment(req.programId, redemptionId, parse(FulfilmentInput, req.body), redemptionDeps());
      return json(accepted ? 202 : 200, redemption);
    },
  },
});
