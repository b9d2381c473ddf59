import { apiHandler, parse } from '../shared/http/api';
import { json } from '../shared/http/problem';
import { ClientId } from '../shared/use-cases/schemas';
import { BacktestInput, SimulateInput, backtest, createRule, deactivateRule, getRule, listRules, simulate, updateRule } from '../shared/use-cases/earning-rules';
import { deps } from '../shared/deps';

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
