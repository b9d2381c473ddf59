// The sweep job: redemptions still open past their deadline (domain/sweep.ts), found through the
// due-date index, never a scan. Each is read again and closed at most once: the release (or the
// confirmation) is conditioned on the status it read and on no step having moved since, and takes
// the redemption out of the index in the same write, so a rerun or a concurrent run finds nothing
// left to do. A redemption that moved on meanwhile only leaves the index, by the write that moved it.
import type { DueEntry } from '../../jobs/ports';
import type { JobContext, Outcome } from '../../jobs/use-cases/context';
import { WriteConflict } from '../../kernel/retry';
import type { Redemption } from '../domain/rewards';
import { sweepDecision } from '../domain/sweep';
import { failRedemption, type ReleaseDeps } from './redemption-saga';

export type SweepResult =
  | {
      /** abandoned / timed-out: released as failed; completed: confirmed (the partner had delivered). */
      action: 'abandoned' | 'timed-out' | 'completed';
      redemption: Redemption;
      pointsReturned: number;
      stockReturned: number;
      /** A dry run: what it would do, nothing written. */
      dryRun?: true;
    }
  | { action: 'none'; why: 'closed' | 'not-due' | 'moved-on' | 'missing'; redemption: Redemption | null };

/**
 * Closes one overdue redemption as of `asOf`. Pending past its deadline: everything it holds goes
 * back through releaseRedemption and it ends `failed` (`abandoned`); a replay of its request then
 * answers with that failed redemption. Still waiting for its partner after its execution must have
 * ended: completed if the partner confirmed, otherwise released as `fulfilment-timed-out`.
 */
export async function sweepRedemption(
  ref: { programId: string; memberId: string; redemptionId: string },
  asOf: string,
  deps: ReleaseDeps,
  opts: { dryRun?: boolean } = {},
): Promise<SweepResult> {
  const rec = await deps.redemptions.getMemberRedemption(ref.programId, ref.memberId, ref.redemptionId);
  if (!rec) return { action: 'none', why: 'missing', redemption: null };
  const decision = sweepDecision(rec, asOf);
  if (decision.kind === 'leave') return { action: 'none', why: decision.why, redemption: rec };

  const action = decision.kind === 'abandon' ? 'abandoned' : decision.kind === 'time-out' ? 'timed-out' : 'completed';
  if (opts.dryRun) {
    const giveBack = action !== 'completed';
    return {
      action,
      redemption: rec,
      pointsReturned: giveBack ? (rec.reservation?.points ?? 0) : 0,
      stockReturned: giveBack ? (rec.stockReserved ?? 0) : 0,
      dryRun: true,
    };
  }

  if (decision.kind === 'complete') {
    const now = deps.clock.now().toISOString();
    let done: Redemption;
    try {
      done = await deps.redemptions.confirm(rec, now);
    } catch (err) {
      if (err instanceof WriteConflict) return { action: 'none', why: 'moved-on', redemption: rec };
      throw err;
    }
    deps.metrics?.count('RedemptionsCompleted');
    deps.metrics?.count('RedemptionsSwept');
    return { action, redemption: done, pointsReturned: 0, stockReturned: 0 };
  }

  const { redemption, released } = await failRedemption(
    rec,
    { reason: decision.kind === 'abandon' ? 'abandoned' : 'fulfilment-timed-out', message: decision.message },
    deps,
    // Only from the status judged overdue: one that a replay moved on meanwhile is not abandoned.
    [rec.status],
  );
  if (!released) return { action: 'none', why: 'moved-on', redemption };
  deps.metrics?.count('RedemptionsSwept');
  return {
    action,
    redemption,
    pointsReturned: redemption.release?.points ?? 0,
    stockReturned: redemption.stockReleased ?? 0,
  };
}

/** The sweep job's handler of a REDEMPTION entry of the due index. */
export async function sweepDueRedemption(entry: DueEntry, ctx: JobContext): Promise<Outcome> {
  if (entry.subject.type !== 'redemption') return { skipped: 1 };
  const { programId, memberId, id: redemptionId } = entry;
  const result = await sweepRedemption({ programId, memberId, redemptionId }, ctx.asOf, ctx.deps, {
    dryRun: ctx.settings.dryRun,
  });
  if (result.action === 'none') return { skipped: 1 };
  const { redemption: r } = result;
  // Someone should know why a saga stopped: the sweeper's alarm points here.
  ctx.deps.log?.('redemption swept', {
    job: ctx.job,
    programId,
    memberId,
    redemptionId,
    action: result.action,
    rewardId: r.rewardId,
    flow: r.flow,
    createdAt: r.createdAt,
    pointsReturned: result.pointsReturned,
    stockReturned: result.stockReturned,
    ...(result.dryRun ? { dryRun: true } : {}),
  });
  return { members: 1, changed: 1, points: result.pointsReturned };
}
