import { createHash } from 'node:crypto';
import { scheduleRecords } from '../../jobs/schedules';
import { IdempotencyConflict, ValidationFailed } from '../../kernel/errors';
import { ulid } from '../../kernel/ids';
import { retryOnConflict } from '../../kernel/retry';
import { type MemberState, settleForWrite } from '../../ledger/domain/member-state';
import { MemberNotFound } from '../../ledger/errors';
import { announcedActivations, balancesOf } from '../../ledger/use-cases/ledger-events';
import { activationUpdates } from '../../ledger/writes';
import type { ProgramSettings } from '../../programs/domain/program';
import { ProgramNotFound } from '../../programs/errors';
import { acceptedFrom, EarningInputError, type EventEvaluation, evaluateEvent } from '../domain';
import {
  BACKFILLED,
  countersAfter,
  credit,
  effectiveRules,
  toBreakdownLine,
  usageFromCounters,
} from '../domain/earn-plan';
import type { EventRecorded } from '../ports';
import type { EngagementInput } from '../schemas';
import { assertWithinLedgerBounds, type EarnDeps, programFacts, withWindfallKeys } from './earn-for-purchase';
import { assertInWindow, type RecordOptions } from './time-window';

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

export function evaluateEngagement(
  program: ProgramSettings,
  rules: Parameters<typeof effectiveRules>[1],
  event: Pick<EngagementInput, 'eventId' | 'type' | 'occurredAt'>,
  member: MemberState & { memberId: string },
  now: string,
): EventEvaluation {
  try {
    return evaluateEvent({
      program: programFacts(program),
      rules: effectiveRules(program, rules, event.occurredAt),
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
export async function recordEngagement(
  programId: string,
  input: EngagementInput,
  deps: EarnDeps,
  correlationId?: string,
  opts: RecordOptions = {},
): Promise<{ replayed: boolean; result: EngagementResult }> {
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new ProgramNotFound(programId);
  const print = createHash('sha256')
    .update(JSON.stringify([input.memberId, input.type, Date.parse(input.occurredAt), input.attributes ?? null]))
    .digest('base64url');

  return retryOnConflict(
    `Member "${input.memberId}"`,
    async () => {
      const now = deps.clock.now().toISOString();
      const { member, recorded } = await deps.orders.loadForEvent(programId, input.memberId, input.eventId);
      if (recorded) {
        if (recorded.fingerprint !== print) throw new IdempotencyConflict('Event id', input.eventId);
        return { replayed: true, result: recorded.result as EngagementResult };
      }
      assertInWindow(input.occurredAt, now, program, opts);
      if (!member.exists) throw new MemberNotFound(input.memberId);

      const { rules } = await deps.rules.getRuleSet(programId);
      const keyed = await withWindfallKeys(program, rules, deps.programs);
      const evaluation = evaluateEngagement(keyed, rules, input, { ...member, memberId: input.memberId }, now);
      const { state: settled, activations } = settleForWrite(member, now);
      const counted = {
        ...settled,
        counters: countersAfter(
          settled.counters,
          evaluation.usageDelta,
          acceptedFrom(now, program),
          program.timeZone,
          input.occurredAt,
        ),
      };
      const c = credit({
        program,
        state: counted,
        memberId: input.memberId,
        points: evaluation.points,
        breakdown: evaluation.breakdown.map(toBreakdownLine),
        source: 'event',
        reason: `Event ${input.type}${opts.backfill ? BACKFILLED : ''}`,
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
          .filter((s) =>
            rules.some(
              (r) =>
                r.ruleId === s.ruleId &&
                ((r.kind === 'event' && r.eventType === input.type) || (r.kind === 'windfall' && r.on === 'event')),
            ),
          )
          .map((s) => ({ ruleId: s.ruleId, reason: s.reason })),
      };
      const guard: EventRecorded = {
        kind: 'event-recorded',
        eventId: input.eventId,
        event: input,
        fingerprint: print,
        result,
      };
      const memberWrite = { memberId: input.memberId, before: member, after: c.state };
      assertWithinLedgerBounds([memberWrite]);
      await deps.ledger.commit(
        {
          programId,
          members: [memberWrite],
          lotPuts: c.lot ? [{ memberId: input.memberId, lot: c.lot }] : [],
          lotUpdates: activationUpdates(input.memberId, activations),
          // The stream publishes what the transaction's item announces once the write has committed.
          transactions: [
            {
              ...c.transaction,
              ...(opts.backfill
                ? {}
                : {
                    announces: {
                      memberId: input.memberId,
                      at: now,
                      ...(correlationId ? { correlationId } : {}),
                      ...(evaluation.points > 0
                        ? { credit: { balances: balancesOf(c.state), eventId: input.eventId } }
                        : {}),
                      ...announcedActivations(activations),
                    },
                  }),
            },
          ],
          // A concurrent duplicate fails the guard and another write to the member its version: both retry and decide
          // again.
          records: [...scheduleRecords(program, [memberWrite], now), guard],
        },
        now,
      );
      deps.metrics?.count('EngagementEventsRecorded');
      deps.metrics?.count('PointsAwarded', evaluation.points);
      return { replayed: false, result };
    },
    { onRetry: () => deps.metrics?.count('LedgerWriteRetried') },
  );
}
