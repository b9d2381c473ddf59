import { apiHandler, parse } from '../adapters/http/api';
import { json } from '../adapters/http/problem';
import { ClientId } from '../core/kernel/schemas';
import { BacktestInput, SimulateInput, backtest, createRule, deactivateRule, getRule, listRules, simulate, updateRule } from '../core/earning/use-cases/manage-rules';
import { deps } from '../adapters/runtime/deps';

export const handler = apiHandler({
  'GET /v1/admin/earning-rules': { scope: 'admin', handler: async (req) => json(200, await listRules(req.programId, deps())) },
  'POST /v1/admin/earning-rules': { scope: 'admin', handler: async (req) => json(201, await createRule(req.programId, req.body, req.keyId, deps())) },
  'GET /v1/admin/earning-rules/{ruleId}': {
    scope: 'admin',
    handler: async (req) => json(200, await getRule(req.programId, parse(ClientId, req.params.ruleId, 'ruleId'), deps())),
  },
  'PUT /v1/admin/earning-rules/{ruleId}': {
    scope: 'admin',
    handler: async (req) => json(200, await updateRule(req.programId, parse(ClientId, req.params.ruleId, 'ruleId'), req.body, req.keyId, deps())),
  },
  'POST /v1/admin/earning-rules/{ruleId}/deactivate': {
    scope: 'admin',
    handler: async (req) => json(200, await deactivateRule(req.programId, parse(ClientId, req.params.ruleId, 'ruleId'), req.keyId, deps())),
  },
  'POST /v1/admin/earning-rules/simulate': { scope: 'admin', handler: async (req) => json(200, await simulate(req.programId, parse(SimulateInput, req.body), deps())) },
  'POST /v1/admin/earning-rules/backtest': { scope: 'admin', handler: async (req) => json(200, await backtest(req.programId, parse(BacktestInput, req.body), deps())) },
});
