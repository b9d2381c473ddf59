// The review job: members whose tier review came due are re-qualified under the program's grace
// policy (shared/domain/tiers.ts). A drop is written under the member's optimistic lock together
// with the schedule's move to the next review and the Tier Changed event; a kept tier only moves
// the schedule. The schedule move is conditional on where the job found it, so a rerun, or a run
// racing an upgrade that rescheduled the member, never reviews twice.
import { WriteConflict } from '../../../adapters/dynamodb/ledger-writer';
import type { DueEntry } from '../../../adapters/dynamodb/due-work';
import { domainEvent } from '../../../adapters/eventbridge/publisher';
import { TierChanged } from '../../events/catalog';
import { qualifyingBucketsOf } from '../../jobs/domain/job-plans';
import { reviewTier, tierIndex } from '../domain/tiers';
import { MAX_LEDGER_ATTEMPTS, backoff } from '../../kernel/retry';
import type { JobContext, Outcome } from '../../jobs/use-cases/context';

export async function reviewMember(entry: DueEntry, ctx: JobContext): Promise<Outcome> {
  const { programId, memberId } = entry;
  const seen = String(entry.item.dueAt ?? entry.at);
  const program = await ctx.program(programId);
  const tierSet = program?.tierSet;
  if (!program) {
    await ctx.deps.due.moveSchedule(programId, memberId, 'REVIEW', seen, null);
    return { skipped: 1 };
  }
  if (!tierSet) {
    // Tiers are off: members keep their tier. Check again in 30 days rather than forget them, so
    // turning tiers back on reviews them again (from their next due date on the new window).
    await ctx.deps.due.moveSchedule(programId, memberId, 'REVIEW', seen, new Date(Date.parse(ctx.asOf) + 30 * 86_400_000).toISOString());
    return { skipped: 1 };
  }
  const scheduleKey = ctx.deps.due.scheduleKey(programId, memberId, 'REVIEW');
  for (let attempt = 1; ; attempt++) {
    const { member: state, items } = await ctx.deps.ledger.loadWith(programId, memberId, [scheduleKey]);
    const schedule = items.get(`${scheduleKey.pk}|${scheduleKey.sk}`);
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
      { memberId, from: state.tier, to: result.newTierId, direction: from === -1 ? (to === 0 ? 'down' : 'up') : to < from ? 'down' : 'up', reason: result.reason === 'dropped' ? 'review' : `review:${result.reason}` },
      { programId, occurredAt: ctx.asOf, correlationId: ctx.runId },
    );
    const outbox = ctx.deps.due.outboxWrite(programId, memberId, ctx.job, [event], ctx.wallNow());
    try {
      await ctx.deps.ledger.write(
        {
          programId,
          members: [{ memberId, before: state, after: { ...state, tier: result.newTierId, tierAchievedAt: result.tierAchievedAt } }],
          extra: [ctx.deps.due.scheduleMoveWrite(programId, memberId, 'REVIEW', seen, next), outbox.extra],
        },
        ctx.asOf,
      );
    } catch (err) {
      if (!(err instanceof WriteConflict) || attempt >= MAX_LEDGER_ATTEMPTS) throw err;
      if (err.has('schedule')) return { skipped: 1 }; // an upgrade rescheduled the member meanwhile
      ctx.deps.metrics?.count('LedgerWriteRetried');
      await backoff(attempt);
      continue;
    }
    ctx.publish(outbox.record);
    ctx.deps.metrics?.count(to < from ? 'TierDowngrades' : 'TierPlacements');
    return { members: 1, changed: 1 };
  }
}
