import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { EarnDeps } from './earn-for-purchase';
import { WriteConflict, activationUpdates } from '../../../adapters/dynamodb/ledger-writer';
import { keys } from '../../../adapters/dynamodb/keys';
import { scheduleWrites } from '../../../adapters/dynamodb/due-work';
import { EarningInputError, evaluateEvent, type EventEvaluation } from '../domain';
import { countersAfter, credit, effectiveRules, toBreakdownLine, usageFromCounters } from '../domain/earn-plan';
import { settleForWrite, type MemberState } from '../../ledger/domain/member-state';
import type { ProgramSettings } from '../../ledger/domain/types';
import { IdempotencyConflict, MemberNotFound, ProgramNotFound, ValidationFailed } from '../../kernel/errors';
import { ulid } from '../../kernel/ids';
import { MAX_LEDGER_ATTEMPTS, backoff } from '../../kernel/retry';
import { ClientId, Timestamp } from '../../kernel/schemas';
import { activationEvents, creditEvents, publishAfterCommit } from '../../ledger/use-cases/ledger-events';

const attributeValue = z.union([z.string().max(500), z.number().finite(), z.boolean()]);

export const EngagementInput = z.strictObject({
  eventId: ClientId,
  memberId: ClientId,
  /** `review.posted`, `birthday`, `app.order`, `social.share`, `profile.completed`, or any custom type. */
  type: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be 1-64 lowercase letters, digits, . _ - (e.g. review.posted)'),
  occurredAt: Timestamp,
  attributes: z.record(z.string().max(64), attributeValue).refine((r) => Object.keys(r).length <= 50, 'at most 50 attributes').optional(),
});
export type EngagementInput = z.infer<typeof EngagementInput>;

export const EngagementRecordedDetail = EngagementInput.extend({ programId: ClientId });

export interface EngagementResult {
  eventId: string;
  memberId: string;
  type: string;
  transactionId: string;
  points: number;
  status: 'credited';
  breakdown: ReturnType<typeof toBreakdownLine>[];
  /** Why rules of this type did not reward the event (a limit reached, out of schedule, ...). */
  notRewarded: { ruleId: string; reason: string }[];
}

export function evaluateEngagement(program: ProgramSettings, rules: Parameters<typeof effectiveRules>[1], event: Pick<EngagementInput, 'eventId' | 'type' | 'occurredAt'>, member: MemberState & { memberId: string }, now: string): EventEvaluation {
  try {
    return evaluateEvent({
      program: { programId: program.programId, currency: program.currency, timeZone: program.timeZone },
      rules: effectiveRules(program, rules),
      event: { eventId: event.eventId, type: event.type, occurredAt: event.occurredAt },
      member: { memberId: member.memberId, tier: member.tier, purchaseCount: member.purchaseCount },
      usage: usageFromCounters(member.counters),
      now,
    });
  } catch (err) {
    if (err instanceof EarningInputError) throw new ValidationFailed([{ field: 'occurredAt', message: err.message }]);
    throw err;
  }
}

/**
 * Rewards an engagement event exactly once per event id, within each rule's limits per member
 * per period (counted on the member, under the same optimistic lock as the balance).
 */
export async function recordEngagement(programId: string, input: EngagementInput, deps: EarnDeps, correlationId?: string): Promise<{ replayed: boolean; result: EngagementResult }> {
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new ProgramNotFound(programId);
  const print = createHash('sha256').update(JSON.stringify([input.memberId, input.type, Date.parse(input.occurredAt), input.attributes ?? null])).digest('base64url');
  const guardKey = keys.eventGuard(programId, input.eventId);

  for (let attempt = 1; ; attempt++) {
    const now = deps.clock.now().toISOString();
    const { member, items } = await deps.ledger.loadWith(programId, input.memberId, [guardKey]);
    const guard = items.get(`${guardKey.pk}|${guardKey.sk}`);
    if (guard) {
      if (guard.fingerprint !== print) throw new IdempotencyConflict('Event id', input.eventId);
      return { replayed: true, result: guard.result as EngagementResult };
    }
    if (!member.exists) throw new MemberNotFound(input.memberId);

    const { rules } = await deps.rules.getRuleSet(programId);
    const evaluation = evaluateEngagement(program, rules, input, { ...member, memberId: input.memberId }, now);
    const { state: settled, activations } = settleForWrite(member, now);
    const counted = { ...settled, counters: countersAfter(settled.counters, evaluation.usageDelta, now, program.timeZone) };
    const c = credit({
      program,
      state: counted,
      memberId: input.memberId,
      points: evaluation.points,
      breakdown: evaluation.breakdown.map(toBreakdownLine),
      source: 'event',
      reason: `Event ${input.type}`,
      occurredAt: input.occurredAt,
      now,
      ids: { transactionId: ulid(), lotId: ulid() },
      holdPending: false,
      refs: { eventId: input.eventId },
    });
    const result: EngagementResult = {
      eventId: input.eventId,
      memberId: input.memberId,
      type: input.type,
      transactionId: c.transaction.transactionId,
      points: evaluation.points,
      status: 'credited',
      breakdown: c.transaction.breakdown,
      notRewarded: evaluation.skipped
        .filter((s) => rules.some((r) => r.ruleId === s.ruleId && ((r.kind === 'event' && r.eventType === input.type) || (r.kind === 'windfall' && r.on === 'event'))))
        .map((s) => ({ ruleId: s.ruleId, reason: s.reason })),
    };
    try {
      await deps.ledger.write(
        {
          programId,
          members: [{ memberId: input.memberId, before: member, after: c.state }],
          lotPuts: c.lot ? [{ memberId: input.memberId, lot: c.lot }] : [],
          lotUpdates: activationUpdates(input.memberId, activations),
          transactions: [c.transaction],
          extra: [
            ...scheduleWrites(deps.ledger.tableName, program, [{ memberId: input.memberId, before: member, after: c.state }], now),
            {
              tag: 'event',
              item: {
                Put: {
                  TableName: deps.ledger.tableName,
                  Item: { ...guardKey, entity: 'engagement', programId, event: input, fingerprint: print, result, recordedAt: now },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            },
          ],
        },
        now,
      );
    } catch (err) {
      if (!(err instanceof WriteConflict) || attempt >= MAX_LEDGER_ATTEMPTS) throw err;
      deps.metrics?.count('LedgerWriteRetried');
      await backoff(attempt);
      continue; // a concurrent duplicate (the guard) or another write to the member: re-read and decide again
    }
    deps.metrics?.count('EngagementEventsRecorded');
    deps.metrics?.count('PointsAwarded', evaluation.points);
    const meta = { programId, occurredAt: now, correlationId };
    await publishAfterCommit(deps, [
      ...(evaluation.points > 0 ? creditEvents({ memberId: input.memberId, enrolled: false, credit: c, balances: c.state, eventId: input.eventId }, meta) : []),
      ...activationEvents(input.memberId, activations, meta),
    ]);
    return { replayed: false, result };
  }
}
