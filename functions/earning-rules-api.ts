import { apiHandler } from '../adapters/http/api';
import { json } from '../adapters/http/problem';
import { earningRulesRoutes } from '../adapters/http/routes/earning-rules';
import { deps } from '../adapters/runtime/deps';
import {
  backtest,
  createRule,
  deactivateRule,
  getRule,
  listRules,
  simulate,
  updateRule,
} from '../core/earning/use-cases/manage-rules';

export const handler = apiHandler(
  earningRulesRoutes,
  {
    listRules: async (req) => json(200, await listRules(req.programId, deps())),
    createRule: async (req) => json(201, await createRule(req.programId, req.body, req.keyId, deps())),
    simulateRules: async (req) => json(200, await simulate(req.programId, req.body, deps())),
    backtestRules: async (req) => json(200, await backtest(req.programId, req.body, deps())),
    getRule: async (req) => json(200, await getRule(req.programId, req.params.ruleId, deps())),
    updateRule: async (req) =>
      json(200, await updateRule(req.programId, req.params.ruleId, req.body, req.keyId, deps())),
    deactivateRule: async (req) => json(200, await deactivateRule(req.programId, req.params.ruleId, req.keyId, deps())),
  },
  {
    // The audit log's "before" of each change (the answer is the "after").
    before: {
      updateRule: (req) => getRule(req.programId, req.params.ruleId, deps()),
      deactivateRule: (req) => getRule(req.programId, req.params.ruleId, deps()),
    },
  },
);
