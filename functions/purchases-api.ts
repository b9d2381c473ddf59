import { apiHandler } from '../adapters/http/api';
import { json } from '../adapters/http/problem';
import { purchasesRoutes } from '../adapters/http/routes/purchases';
import { deps } from '../adapters/runtime/deps';
import { earnForPurchase } from '../core/earning/use-cases/earn-for-purchase';
import { recordEngagement } from '../core/earning/use-cases/record-engagement';
import { recordReturn } from '../core/earning/use-cases/record-return';

const answer = ({ replayed, result }: { replayed: boolean; result: unknown }) =>
  json(replayed ? 200 : 201, result, replayed ? { 'x-idempotent-replay': 'true' } : {});

export const handler = apiHandler(purchasesRoutes, {
  recordPurchase: async (req) => answer(await earnForPurchase(req.programId, req.body, deps(), req.correlationId)),
  recordReturn: async (req) =>
    answer(await recordReturn(req.programId, req.params.orderId, req.body, deps(), req.correlationId)),
  recordEngagement: async (req) => answer(await recordEngagement(req.programId, req.body, deps(), req.correlationId)),
});
