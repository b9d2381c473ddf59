// The review job: members whose tier review came due are re-qualified under the program's grace
// policy (core/tiers/domain/tiers.ts). A drop is written under the member's optimistic lock together
// with the schedule's move to the next review and the Tier Changed event; a kept tier only moves
// the schedule. The schedule move is conditional on where the job found it, so a rerun, or a run
// racing an upgrade that rescheduled the member, never reviews twice.
import { qualifyingBucketsOf } from '../../jobs/domain/job-plans';
import type { DueEntry, ScheduleMoved } from '../../jobs/ports';
import { type JobContext, type Outcome, outboxEntry } from '../../jobs/use-cases/context';
import { domainEvent } from '../../kernel/events';
import { retryOnConflict, WriteConflict } from '../../kernel/retry';
import { reviewTier, tierIndex } from '../domain/tiers';
import { TierChanged } from '../events';

export async function reviewMember(entry: DueEntry, ctx: JobContext): Promise<Outcome> {
  const { programId, memberId } = entry;
  const seen = entry.subject.type === 'schedule' ? entry.subject.dueAt : entry.at;
  const program = await ctx.program(programId);
  const tierSet = program?.tierSet;
  if (!program) {
    await ctx.deps.due.moveSchedule(programId, memberId, 'REVIEW', seen, null);
    return { skipped: 1 };
  }
  if (!tierSet) {
    // Tiers are off: members keep their tier. Check again in 30 days rather than forget them, so
    // turning tiers back on reviews them again (from their next due date on the new window).
    await ctx.deps.due.moveSchedule(
      programId,
      memberId,
      'REVIEW',
      seen,
      new Date(Date.parse(ctx.asOf) + 30 * 86_400_000).toISOString(),
    );
    return { skipped: 1 };
  }
  return retryOnConflict(
    `Member "${memberId}"`,
    async (): Promise<Outcome> => {
      const { member: state, schedule } = await ctx.deps.due.loadWithSchedule(programId, memberId, 'REVIEW');
      if (!schedule || schedule.dueAt !== seen) return { skipped: 1 };
      if (!state.exists) {
        await ctx.deps.due.moveSchedule(programId, memberId, 'REVIEW', seen, null);
        return { skipped: 1 };
      }
      const result = reviewTier({
        currentTierId: state.tier,
        tierAchievedAt: state.tierAchievedAt,
        buckets: qualifyingBucketsOf(state.counters),
        tierSet,
        asOf: ctx.asOf,
        tz: program.timeZone,
      });
      // Members at the entry tier have nothing to lose: no review until they move up again.
      const next = tierIndex(result.newTierId, tierSet) > 0 ? result.nextReviewAt : null;
      if (!result.changed) {
        await ctx.deps.due.moveSchedule(programId, memberId, 'REVIEW', seen, next);
        return { members: 1, changed: 0 };
      }
      const from = tierIndex(state.tier, tierSet);
      const to = tierIndex(result.newTierId, tierSet);
      const event = domainEvent(
        TierChanged,
        {
          memberId,
          from: state.tier,
          to: result.newTierId,
          direction: from === -1 ? (to === 0 ? 'down' : 'up') : to < from ? 'down' : 'up',
          reason: result.reason === 'dropped' ? 'review' : `review:${result.reason}`,
        },
        { programId, occurredAt: ctx.asOf, correlationId: ctx.runId },
      );
      const outbox = outboxEntry(ctx, programId, memberId, [event]);
      const move: ScheduleMoved = { kind: 'schedule-moved', memberId, schedule: 'REVIEW', seen, next };
      try {
        await ctx.deps.ledger.commit(
          {
            programId,
            members: [
              {
                memberId,
                before: state,
                after: { ...state, tier: result.newTierId, tierAchievedAt: result.tierAchievedAt },
              },
            ],
            records: [move, outbox],
          },
          ctx.asOf,
        );
      } catch (err) {
        // an upgrade rescheduled the member meanwhile
        if (err instanceof WriteConflict && err.has('schedule')) return { skipped: 1 };
        throw err;
      }
      ctx.publish(outbox.record);
      ctx.deps.metrics?.count(to < from ? 'TierDowngrades' : 'TierPlacements');
      return { members: 1, changed: 1 };
    },
    { onRetry: () => ctx.deps.metrics?.count('LedgerWriteRetried') },
  );
}
