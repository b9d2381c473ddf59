// The activate job: pending points whose return window ended become available. Reads already
// show them as available (settle on read); this persists it, moves the lots from the activation
// index to the expiry index and announces Points Activated. A lot that matured after its own
// expiry date (pending longer than it was valid) expires in the same write.
import { WriteConflict } from '../../../adapters/dynamodb/ledger-writer';
import { lotFromItem, type DueEntry } from '../../../adapters/dynamodb/due-work';
import { expireLots } from '../../expiry/domain/expiry';
import { planExpiry } from '../domain/job-plans';
import { ulid } from '../../kernel/ids';
import { MAX_LEDGER_ATTEMPTS, backoff } from '../../kernel/retry';
import type { JobContext, Outcome } from './context';
import { writeExpiry } from '../../expiry/use-cases/expire-points';

export async function activateMember(entry: DueEntry, ctx: JobContext): Promise<Outcome> {
  const { programId, memberId } = entry;
  if (!ctx.once(`activate:${programId}#${memberId}`)) return { skipped: 1 };
  const outcome: Outcome = { members: 1, changed: 0, points: 0 };
  for (let attempt = 1; ; attempt++) {
    const { member: state } = await ctx.deps.ledger.loadWith(programId, memberId, []);
    const matured = state.pendingLots.filter((l) => l.availableAt <= ctx.asOf);
    if (!state.exists || !matured.length) {
      await reindexStaleLot(entry, ctx);
      return { ...outcome, skipped: 1 };
    }
    const pastExpiry = new Set(matured.filter((l) => l.expiresAt !== null && l.expiresAt <= ctx.asOf).map((l) => l.lotId));
    const lots = pastExpiry.size ? (await ctx.deps.due.dueLots(programId, memberId, ctx.asOf)).filter((l) => pastExpiry.has(l.lotId)) : [];
    const plan = planExpiry({
      memberId,
      state,
      lots,
      asOf: ctx.asOf,
      select: (available) => expireLots(available.filter((l) => pastExpiry.has(l.lotId)), ctx.asOf),
      reason: 'expiry-date',
      transactionId: ulid(),
      recordedAt: ctx.wallNow(),
    });
    try {
      await writeExpiry(ctx, { programId, memberId, before: state, plan, reason: 'expiry-date' });
    } catch (err) {
      if (!(err instanceof WriteConflict) || attempt >= MAX_LEDGER_ATTEMPTS) throw err;
      ctx.deps.metrics?.count('LedgerWriteRetried');
      await backoff(attempt);
      continue;
    }
    const activated = plan.activations.reduce((s, a) => s + a.lot.points, 0);
    outcome.changed! += 1;
    outcome.points! += activated;
    ctx.deps.metrics?.count('PointsActivated', activated);
    if (plan.activations.length === matured.length && !plan.more) return outcome;
  }
}

/**
 * A lot in the activation index that its member no longer holds as pending (an older writer left
 * the entry): re-index it as of asOf, so it leaves the partition instead of being read every run.
 */
async function reindexStaleLot(entry: DueEntry, ctx: JobContext): Promise<void> {
  if (entry.item.entity !== 'lot') return;
  const item = await ctx.deps.due.getItem({ pk: entry.item.pk, sk: entry.item.sk });
  if (!item || !String(item.gsi1pk ?? '').startsWith('DUE#ACTIVATE#')) return;
  const lot = lotFromItem(item);
  if (lot.availableAt > ctx.asOf) return;
  await ctx.deps.ledger.write({ programId: entry.programId, members: [], lotUpdates: [{ memberId: entry.memberId, lot, take: 0 }] }, ctx.asOf);
}
