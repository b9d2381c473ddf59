import { apiHandler, parse } from '../adapters/http/api';
import { json } from '../adapters/http/problem';
import { ClientId, PurchaseInput } from '../core/kernel/schemas';
import { earnForPurchase } from '../core/earning/use-cases/earn-for-purchase';
import { ReturnInput, recordReturn } from '../core/earning/use-cases/record-return';
import { EngagementInput, recordEngagement } from '../core/earning/use-cases/record-engagement';
import { deps } from '../adapters/runtime/deps';

const replayHeaders = (replayed: boolean): Record<string, string> => (replayed ? { 'x-idempotent-replay': 'true' } : {});

export const handler = apiHandler({
  'POST /v1/purchases': {
    scope: 'purchases:write',
    handler: async (req) => {
      const purchase = parse(PurchaseInput, req.body);
      const { replayed, result } = await earnForPurchase(req.programId, purchase, deps(), req.correlationId);
      return json(replayed ? 200 : 201, result, replayHeaders(replayed));
    },
  },
  'POST /v1/purchases/{orderId}/returns': {
    scope: 'purchases:write',
    handler: async (req) => {
      const orderId = parse(ClientId, req.params.orderId, 'orderId');
      const input = parse(ReturnInput, req.body);
      const { replayed, result } = await recordReturn(req.programId, orderId, input, deps(), req.correlationId);
      return json(replayed ? 200 : 201, result, replayHeaders(replayed));
    },
  },
  'POST /v1/events': {
    scope: 'purchases:write',
    handler: async (req) => {
      const input = parse(EngagementInput, req.body);
      const { replayed, result } = await recordEngagement(req.programId, input, deps(), req.correlationId);
      return json(replayed ? 200 : 201, result, replayHeaders(replayed));
    },
  },
});
