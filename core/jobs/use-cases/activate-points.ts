// The activate job: pending points whose return window ended become available. Reads already
// show them as available (settle on read); this persists it, moves the lots from the activation
// index to the expiry index and announces Points Activated. A lot that matured after its own
// expiry date (pending longer than it was valid) expires in the same write.
import { expireLots } from '../../expiry/domain/expiry';
import { writeExpiry } from '../../expiry/use-cases/expire-points';
import { ulid } from '../../kernel/ids';
import { retryOnConflict } from '../../kernel/retry';
import { planExpiry } from '../domain/job-plans';
import type { DueEntry } from '../ports';
import type { JobContext, Outcome } from './context';

export async function activateMember(entry: DueEntry, ctx: JobContext): Promise<Outcome> {
  const { programId, memberId } = entry;
  if (!ctx.once(`activate:${programId}#${memberId}`)) return { skipped: 1 };
  const outcome: Outcome = { members: 1, changed: 0, points: 0 };
  // One write activates a bounded number of lots: go on until none has matured.
  for (;;) {
    const more = await retryOnConflict(
      `Member "${memberId}"`,
      async () => {
        const state = await ctx.deps.ledger.loadMember(programId, memberId);
        const matured = state.pendingLots.filter((l) => l.availableAt <= ctx.asOf);
        if (!state.exists || !matured.length) {
          await reindexStaleLot(entry, ctx);
          outcome.skipped = 1;
          return false;
        }
        const pastExpiry = new Set(
          matured.filter((l) => l.expiresAt !== null && l.expiresAt <= ctx.asOf).map((l) => l.lotId),
        );
        const lots = pastExpiry.size
          ? (await ctx.deps.ledger.lotsExpiringBy(programId, memberId, ctx.asOf)).filter((l) => pastExpiry.has(l.lotId))
          : [];
        const plan = planExpiry({
          memberId,
          state,
          lots,
          asOf: ctx.asOf,
          select: (available) =>
            expireLots(
              available.filter((l) => pastExpiry.has(l.lotId)),
              ctx.asOf,
            ),
          reason: 'expiry-date',
          transactionId: ulid(),
          recordedAt: ctx.wallNow(),
        });
        await writeExpiry(ctx, { programId, memberId, before: state, plan, reason: 'expiry-date' });
        const activated = plan.activations.reduce((s, a) => s + a.lot.points, 0);
        outcome.changed! += 1;
        outcome.points! += activated;
        ctx.deps.metrics?.count('PointsActivated', activated);
        return plan.activations.length !== matured.length || plan.more;
      },
      { onRetry: () => ctx.deps.metrics?.count('LedgerWriteRetried') },
    );
    if (!more || ctx.settings.dryRun) return outcome;
  }
}

/**
 * A lot in the activation index that its member no longer holds as pending (an older writer left
 * the entry): re-index it as of asOf, so it leaves the partition instead of being read every run.
 */
async function reindexStaleLot(entry: DueEntry, ctx: JobContext): Promise<void> {
  if (entry.subject.type !== 'lot') return;
  const lot = await ctx.deps.due.stillPendingInIndex(entry.programId, entry.memberId, entry.subject.lot);
  if (!lot || lot.availableAt > ctx.asOf) return;
  await ctx.deps.ledger.commit(
    { programId: entry.programId, members: [], lotUpdates: [{ memberId: entry.memberId, lot, take: 0 }] },
    ctx.asOf,
  );
}
