import type { Clock } from '../../kernel/clock';
import { ConcurrentChange, ValidationFailed } from '../../kernel/errors';
import { ulid } from '../../kernel/ids';
import { ClientId } from '../../kernel/schemas';
import { fieldErrors } from '../../kernel/validation';
import { type MemberState, NEW_MEMBER } from '../../ledger/domain/member-state';
import type { LedgerStore } from '../../ledger/ports';
import type { ProgramSettings } from '../../programs/domain/program';
import { ProgramNotFound } from '../../programs/errors';
import type { ProgramStore } from '../../programs/ports';
import { newWindfallKeys } from '../../programs/use-cases/manage-programs';
import { type EarningRule, EarningRuleSchema, EarningRuleSetSchema } from '../domain';
import { RuleExists, RuleNotFound } from '../errors';
import type { OrderStore, RuleSet, RuleStore } from '../ports';
import type { BacktestInput, SimulateInput } from '../schemas';
import { assertTotals, evaluate, withWindfallKeys } from './earn-for-purchase';
import { evaluateEngagement } from './record-engagement';

export interface RulesDeps {
  programs: ProgramStore;
  rules: RuleStore;
  ledger: Pick<LedgerStore, 'getMember'>;
  orders: Pick<OrderStore, 'purchasesBetween'>;
  clock: Clock;
}

/** A rule as an admin sends it: everything but the version, which the platform assigns. */
function parseRule(body: unknown, ruleId: string, version: number): EarningRule {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ValidationFailed([{ field: '(body)', message: 'must be a rule object' }]);
  const { version: _ignored, ...rest } = body as Record<string, unknown>;
  const parsed = EarningRuleSchema.safeParse({ ...rest, ruleId, version }, { reportInput: true });
  if (!parsed.success) throw new ValidationFailed(fieldErrors(parsed.error));
  return parsed.data;
}

async function program(deps: RulesDeps, programId: string): Promise<ProgramSettings> {
  const p = await deps.programs.getProgram(programId);
  if (!p) throw new ProgramNotFound(programId);
  return p;
}

/** Saves a new version of one rule; the rule set's version is the lock, so concurrent edits never lose one. */
async function save(
  deps: RulesDeps,
  programId: string,
  set: RuleSet,
  rule: EarningRule,
  keyId: string,
  change: 'created' | 'updated' | 'deactivated',
) {
  const ok = await deps.rules.saveRule(programId, rule, set, {
    changedAt: deps.clock.now().toISOString(),
    changedBy: keyId,
    change,
  });
  if (!ok) throw new ConcurrentChange('The earning rule set');
  return rule;
}

export async function createRule(programId: string, body: unknown, keyId: string, deps: RulesDeps) {
  const requested = (body as { ruleId?: unknown } | null)?.ruleId;
  const ruleId = typeof requested === 'string' ? requested : `rule-${ulid().toLowerCase()}`;
  if (!ClientId.safeParse(ruleId).success)
    throw new ValidationFailed([{ field: 'ruleId', message: 'must be 1-128 letters, digits and . _ : @ + -' }]);
  const rule = parseRule(body, ruleId, 1);
  const set = await deps.rules.getRuleSet(programId);
  if (set.rules.some((r) => r.ruleId === ruleId)) throw new RuleExists(ruleId);
  return save(deps, programId, set, rule, keyId, 'created');
}

export async function updateRule(programId: string, ruleId: string, body: unknown, keyId: string, deps: RulesDeps) {
  const set = await deps.rules.getRuleSet(programId);
  const current = set.rules.find((r) => r.ruleId === ruleId);
  if (!current) throw new RuleNotFound(ruleId);
  const { ruleId: bodyRuleId } = (body ?? {}) as { ruleId?: unknown };
  if (bodyRuleId !== undefined && bodyRuleId !== ruleId)
    throw new ValidationFailed([{ field: 'ruleId', message: 'cannot change; create a new rule instead' }]);
  return save(deps, programId, set, parseRule(body, ruleId, current.version + 1), keyId, 'updated');
}

export async function deactivateRule(programId: string, ruleId: string, keyId: string, deps: RulesDeps) {
  const set = await deps.rules.getRuleSet(programId);
  const current = set.rules.find((r) => r.ruleId === ruleId);
  if (!current) throw new RuleNotFound(ruleId);
  if (!current.active) return current;
  return save(deps, programId, set, { ...current, active: false, version: current.version + 1 }, keyId, 'deactivated');
}

export async function listRules(programId: string, deps: RulesDeps) {
  const set = await deps.rules.getRuleSet(programId);
  return { items: [...set.rules].sort((a, b) => a.ruleId.localeCompare(b.ruleId)), version: set.version };
}

export async function getRule(programId: string, ruleId: string, deps: RulesDeps) {
  const set = await deps.rules.getRuleSet(programId);
  const rule = set.rules.find((r) => r.ruleId === ruleId);
  if (!rule) throw new RuleNotFound(ruleId);
  return { rule, history: await deps.rules.history(programId, ruleId) };
}

function ruleSet(rules: unknown): EarningRule[] {
  // Proposed rules may omit versions: each is a draft at version 1.
  const drafts = Array.isArray(rules)
    ? rules.map((r) => (r && typeof r === 'object' && !('version' in r) ? { ...r, version: 1 } : r))
    : rules;
  const parsed = EarningRuleSetSchema.safeParse(drafts, { reportInput: true });
  if (!parsed.success) throw new ValidationFailed(fieldErrors(parsed.error, 'rules'));
  return parsed.data;
}

/**
 * A purchase or event evaluated against the current or a proposed rule set. Nothing is written.
 * Windfalls draw with a one-off key: a simulation shows the odds and the range, never the draw a real
 * purchase with that order id would get (else any admin key could pick winning order ids).
 */
export async function simulate(programId: string, input: SimulateInput, deps: RulesDeps) {
  const p = { ...(await program(deps, programId)), windfallKeys: newWindfallKeys() };
  const rules = input.rules ? ruleSet(input.rules) : (await deps.rules.getRuleSet(programId)).rules;
  const now = input.at ?? deps.clock.now().toISOString();
  let member: MemberState & { memberId: string } = {
    ...NEW_MEMBER,
    memberId: input.memberId ?? 'simulated',
    tier: input.member?.tier ?? null,
    purchaseCount: input.member?.purchaseCount ?? 0,
  };
  if (input.memberId) {
    const found = await deps.ledger.getMember(programId, input.memberId);
    if (found?.state) member = { ...found.state, memberId: input.memberId };
  }
  const rulesUsed = input.rules ? 'proposed' : 'current';
  if (input.purchase) {
    assertTotals(input.purchase, p);
    const e = evaluate(p, rules, { ...input.purchase, memberId: member.memberId }, member, now);
    return {
      rules: rulesUsed,
      points: e.points,
      breakdown: e.breakdown,
      itemPoints: e.itemPoints,
      appliedRules: e.appliedRules,
      skipped: e.skipped,
      referral: e.referral ?? null,
    };
  }
  const e = evaluateEngagement(p, rules, input.event!, member, now);
  return {
    rules: rulesUsed,
    points: e.points,
    breakdown: e.breakdown,
    appliedRules: e.appliedRules,
    skipped: e.skipped,
  };
}

/** Most purchases one backtest evaluates (in memory, within a Lambda's time). */
export const BACKTEST_LIMIT = 20_000;

/**
 * Runs a proposed rule set over the program's stored purchases of a date range (through the
 * purchases-by-date index, one partition per month), and compares with what was awarded: totals,
 * per-rule totals and the members most affected. Each purchase is evaluated with the member as
 * they were when it was recorded (tier, purchase count).
 */
export async function backtest(programId: string, input: BacktestInput, deps: RulesDeps) {
  const rules = ruleSet(input.rules);
  // Stored purchases only, with the program's own key: the proposed windfalls draw as they would have.
  const p = await withWindfallKeys(await program(deps, programId), rules, deps.programs);
  const from = new Date(input.from).toISOString();
  const to = new Date(input.to).toISOString();
  const perRule = new Map<string, { ruleId: string; awarded: number; proposed: number }>();
  const members = new Map<string, { memberId: string; purchases: number; awarded: number; proposed: number }>();
  let purchases = 0;
  let awarded = 0;
  let proposed = 0;
  for await (const order of deps.orders.purchasesBetween(programId, from, to)) {
    if (++purchases > BACKTEST_LIMIT)
      throw new ValidationFailed([
        { field: 'to', message: `the range holds more than ${BACKTEST_LIMIT} purchases: narrow it` },
      ]);
    const facts: Partial<NonNullable<typeof order.memberFacts>> = order.memberFacts ?? {};
    const member = {
      ...NEW_MEMBER,
      memberId: order.purchase.memberId,
      tier: facts.tier ?? null,
      purchaseCount: facts.purchaseCount ?? 0,
      referredBy: facts.referredBy ?? undefined,
    };
    const e = evaluate(p, rules, order.purchase, member, order.recordedAt ?? order.purchase.occurredAt);
    const was = order.result.points;
    awarded += was;
    proposed += e.points;
    const add = (ruleId: string, field: 'awarded' | 'proposed', points: number) => {
      const r = perRule.get(ruleId) ?? { ruleId, awarded: 0, proposed: 0 };
      r[field] += points;
      perRule.set(ruleId, r);
    };
    for (const line of order.result.breakdown) add(line.ruleId, 'awarded', line.points);
    for (const line of e.breakdown) add(line.ruleId, 'proposed', line.points);
    const m = members.get(member.memberId) ?? { memberId: member.memberId, purchases: 0, awarded: 0, proposed: 0 };
    m.purchases++;
    m.awarded += was;
    m.proposed += e.points;
    members.set(member.memberId, m);
  }
  const withDelta = <T extends { awarded: number; proposed: number }>(x: T) => ({
    ...x,
    delta: x.proposed - x.awarded,
  });
  return {
    from,
    to,
    purchases,
    awarded,
    proposed,
    delta: proposed - awarded,
    perRule: [...perRule.values()]
      .map(withDelta)
      .sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || a.ruleId.localeCompare(b.ruleId)),
    mostAffectedMembers: [...members.values()]
      .map(withDelta)
      .sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || a.memberId.localeCompare(b.memberId))
      .slice(0, input.top),
  };
}
