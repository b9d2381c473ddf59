// The operator's audit of a windfall: every draw on a recorded purchase or event, recomputed from the
// program's windfall key and the rule version that drew, and compared with what was recorded. Only
// the operator CLI runs it: the HMAC and the key never leave the operator's terminal.
import { ValidationFailed } from '../../kernel/errors';
import type { BreakdownLine } from '../../ledger/domain/types';
import { ProgramNotFound } from '../../programs/errors';
import type { ProgramStore } from '../../programs/ports';
import { drawWindfall, legacyWindfallDraw, type WindfallDraw } from '../domain/windfall';
import { OrderNotFound } from '../errors';
import type { OrderStore, RuleStore } from '../ports';

export type AuditSubject = { orderId: string } | { eventId: string; memberId: string };

export interface DrawAudit {
  ruleId: string;
  version: number;
  recorded: { roll: number; threshold: number; won: boolean; points: number; key: string | null };
  /** The draw made again, or null when it cannot be (its key or rule version is unknown: see `note`). */
  recomputed: WindfallDraw | null;
  matches: boolean;
  note?: string;
}

export async function auditWindfall(
  programId: string,
  subject: AuditSubject,
  deps: { programs: Pick<ProgramStore, 'getProgram'>; orders: OrderStore; rules: Pick<RuleStore, 'history'> },
): Promise<{ subject: AuditSubject; draws: DrawAudit[] }> {
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new ProgramNotFound(programId);
  let subjectId: string;
  let breakdown: BreakdownLine[];
  if ('orderId' in subject) {
    const order = await deps.orders.getOrder(programId, subject.orderId);
    if (!order) throw new OrderNotFound(subject.orderId);
    subjectId = subject.orderId;
    breakdown = order.result.breakdown;
  } else {
    const { recorded } = await deps.orders.loadForEvent(programId, subject.memberId, subject.eventId);
    if (!recorded)
      throw new ValidationFailed([{ field: 'eventId', message: `no event "${subject.eventId}" of this member` }]);
    subjectId = subject.eventId;
    breakdown = (recorded.result as { breakdown: BreakdownLine[] }).breakdown;
  }

  const draws: DrawAudit[] = [];
  for (const line of breakdown) {
    if (!line.draw) continue;
    const recorded = { ...line.draw, points: line.points, key: line.draw.key ?? null };
    const rule = (await deps.rules.history(programId, line.ruleId)).find((r) => r.version === line.version);
    const audit = (recomputed: WindfallDraw | null, note?: string): DrawAudit => ({
      ruleId: line.ruleId,
      version: line.version,
      recorded,
      recomputed,
      matches:
        recomputed !== null &&
        recomputed.roll === recorded.roll &&
        recomputed.threshold === recorded.threshold &&
        recomputed.won === recorded.won &&
        recomputed.points === recorded.points,
      ...(note ? { note } : {}),
    });
    if (rule?.kind !== 'windfall') {
      draws.push(audit(null, `rule ${line.ruleId} version ${line.version} is not a stored windfall rule`));
      continue;
    }
    const request = { ...rule, programId, subjectId };
    if (recorded.key === null) {
      draws.push(audit(legacyWindfallDraw(request), 'drawn before keyed draws: a plain SHA-256 of public inputs'));
      continue;
    }
    const secret = program.windfallKeys?.keys[recorded.key];
    if (secret === undefined) {
      draws.push(audit(null, `key ${recorded.key} is not among the program's windfall keys`));
      continue;
    }
    draws.push(audit(drawWindfall({ ...request, key: { id: recorded.key, secret } })));
  }
  return { subject, draws };
}
