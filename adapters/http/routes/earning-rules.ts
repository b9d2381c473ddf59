import * as z from 'zod';
import {
  BacktestInput,
  BacktestResult,
  EarningRuleView,
  RuleDefinitionInput,
  RuleHistoryView,
  RuleListView,
  SimulateInput,
  SimulationResult,
} from '../../../core/earning/schemas';
import { ClientId } from '../../../core/kernel/schemas';
import { defineRoutes } from '../route';

const RulePath = z.strictObject({ ruleId: ClientId.describe('The rule id') });
const weekend = {
  kind: 'multiplier',
  ruleId: 'weekend-x2',
  name: 'Double points at weekends',
  target: { by: 'order' },
  factor: '2',
  schedule: { daysOfWeek: ['sat', 'sun'], timeZone: 'America/New_York' },
};

export const earningRulesRoutes = defineRoutes({
  listRules: {
    method: 'GET',
    path: '/v1/admin/earning-rules',
    scope: 'staff:viewer',
    group: 'earning-rules-api',
    summary: "The program's earning rules (current version of each, active or not)",
    responses: { 200: { description: 'Every rule and the rule set version', schema: RuleListView } },
    problems: [],
  },
  createRule: {
    method: 'POST',
    path: '/v1/admin/earning-rules',
    scope: 'staff:manager',
    group: 'earning-rules-api',
    summary: 'Create an earning rule (version 1)',
    description:
      'The rule as `docs/earning-rules.md` describes it; `ruleId` is optional (one is assigned), `version` is ' +
      'assigned.',
    bodyDoc: RuleDefinitionInput,
    responses: { 201: { description: 'The rule as stored', schema: EarningRuleView } },
    problems: ['rule-exists', 'concurrent-change'],
    example: weekend,
  },
  simulateRules: {
    method: 'POST',
    path: '/v1/admin/earning-rules/simulate',
    scope: 'staff:manager',
    audit: 'none',
    group: 'earning-rules-api',
    summary: 'Evaluate a purchase or event against the current or a proposed rule set; nothing is written',
    body: SimulateInput,
    responses: {
      200: {
        description: 'Points, breakdown, the rules that applied and those skipped, with why',
        schema: SimulationResult,
      },
    },
    problems: ['unprocessable'],
    example: {
      purchase: { orderId: 'x', memberId: 'bob', occurredAt: '2026-11-22T10:00:00Z', currency: 'USD', amount: 5000 },
      rules: [{ ruleId: 'b', kind: 'base', name: 'Triple', pointsPerUnit: { USD: '3' } }],
    },
  },
  backtestRules: {
    method: 'POST',
    path: '/v1/admin/earning-rules/backtest',
    scope: 'staff:manager',
    audit: 'none',
    group: 'earning-rules-api',
    summary: 'Run a proposed rule set over the stored purchases of a date range, against what was awarded',
    body: BacktestInput,
    responses: {
      200: { description: 'Totals, per-rule totals and the members most affected', schema: BacktestResult },
    },
    problems: [],
    example: {
      from: '2026-11-01T00:00:00Z',
      to: '2026-11-30T23:59:59Z',
      rules: [{ ruleId: 'b', kind: 'base', name: 'Double', pointsPerUnit: { USD: '2' } }],
    },
  },
  getRule: {
    method: 'GET',
    path: '/v1/admin/earning-rules/{ruleId}',
    scope: 'staff:viewer',
    group: 'earning-rules-api',
    summary: 'A rule, with every version: who changed it and when',
    params: RulePath,
    responses: { 200: { description: 'The rule and every version of it', schema: RuleHistoryView } },
    problems: ['rule-not-found'],
  },
  updateRule: {
    method: 'PUT',
    path: '/v1/admin/earning-rules/{ruleId}',
    scope: 'staff:manager',
    group: 'earning-rules-api',
    summary: 'Change a rule: a new version',
    params: RulePath,
    bodyDoc: RuleDefinitionInput,
    responses: { 200: { description: 'The new version', schema: EarningRuleView } },
    problems: ['rule-not-found', 'concurrent-change'],
    example: { ...weekend, factor: '3' },
  },
  deactivateRule: {
    method: 'POST',
    path: '/v1/admin/earning-rules/{ruleId}/deactivate',
    scope: 'staff:manager',
    group: 'earning-rules-api',
    summary: 'Switch a rule off (a new, inactive version)',
    params: RulePath,
    responses: { 200: { description: 'The rule as it is now', schema: EarningRuleView } },
    problems: ['rule-not-found', 'concurrent-change'],
  },
});
