import { apiHandler, parse } from '../shared/http/api';
import { json } from '../shared/http/problem';
import { PurchaseInput } from '../shared/use-cases/schemas';
import { earnForPurchase } from '../shared/use-cases/earn-for-purchase';
import { deps } from '../shared/deps';

export const handler = apiHandler({
  'POST /v1/purchases': {
    scope: 'purchases:write',
    handler: async (req) => {
      const purchase = parse(PurchaseInput, req.body);
      const { replayed, result } = await earnForPurchase(req.programId, purchase, deps(), req.correlationId);
      return json(replayed ? 200 : 201, result, replayed ? { 'x-idempotent-replay': 'true' } : {});
    },
  },
});
