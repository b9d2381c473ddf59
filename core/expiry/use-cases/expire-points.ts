// The expire job: lots that reached their expiry date, and members whose inactivity deadline passed.
// Both go through the ledger writer under the member's optimistic lock and each lot's
// `remaining >= take` condition, so a spend racing an expiry loses or wins per point, never both.
import { WriteConflict } from '../../../adapters/dynamodb/ledger-writer';
import type { DueEntry } from '../../../adapters/dynamodb/due-work';
import { domainEvent, type DomainEvent } from '../../../adapters/eventbridge/publisher';
import { PointsExpired } from '../../events/catalog';
import { expireForInactivity, expireLots, inactivityExpiresAtFor } from '../domain/expiry';
import { planExpiry, type ExpiryPlan } from '../../jobs/domain/job-plans';
import type { MemberState } from '../../ledger/domain/member-state';
import type { Lot } from '../../ledger/domain/types';
import { ulid } from '../../kernel/ids';
import { MAX_LEDGER_ATTEMPTS, backoff } from '../../kernel/retry';
import { activationEvents } from '../../ledger/use-cases/ledger-events';
import type { JobContext, Outcome } from '../../jobs/use-cases/context';

/** Points Activated for what the write settled, Points Expired for what it expired. */
export function expiryEvents(ctx: JobContext, programId: string, memberId: string, plan: ExpiryPlan, reason: 'expiry-date' | 'inactivity'): DomainEvent[] {
  const meta = { programId, occurredAt: ctx.asOf, correlationId: ctx.runId };
  const events = activationEvents(memberId, plan.activations, meta);
  if (plan.transaction) {
    events.push(
      domainEvent(
        PointsExpired,
        {
          memberId,
          transactionId: plan.transaction.transactionId,
          points: plan.total,
          reason,
          lots: plan.expired,
          balances: { available: plan.after.available, pending: plan.after.pending, lifetimeEarned: plan.after.lifetimeEarned },
        },
        meta,
      ),
    );
  }
  return events;
}

/**
 * Writes one expiry plan: member, lots, the expire transaction and the outbox item holding its
 * events, in one TransactWriteItems. `extra` adds conditional items (a schedule move).
 */
export async function writeExpiry(
  ctx: JobContext,
  args: { programId: string; memberId: string; before: MemberState; plan: ExpiryPlan; reason: 'expiry-date' | 'inactivity'; extra?: Parameters<JobContext['deps']['ledger']['write']>[0]['extra'] },
): Promise<void> {
  const { programId, memberId, before, plan } = args;
  const events = expiryEvents(ctx, programId, memberId, plan, args.reason);
  const outbox = events.length ? ctx.deps.due.outboxWrite(programId, memberId, ctx.job, events, ctx.wallNow()) : null;
  await ctx.deps.ledger.write(
    {
      programId,
      members: [{ memberId, before, after: plan.after }],
      lotUpdates: plan.takes.map((t) => ({ memberId, lot: t.lot, take: t.take })),
      transactions: plan.transaction ? [plan.transaction] : [],
      extra: [...(outbox ? [outbox.extra] : []), ...(args.extra ?? [])],
    },
    // The ledger is written as of asOf: lots settled by then leave the activation index.
    ctx.asOf,
  );
  if (outbox) ctx.publish(outbox.record);
}

/**
 * Expires every lot of the member due at asOf (not only the lot whose index entry led here), so
 * a member gets one Points Expired per run; entries of the same member in other partitions then
 * find nothing left. Lots a spend emptied meanwhile are simply not due any more.
 */
export async function expireDueLots(entry: DueEntry, ctx: JobContext): Promise<Outcome> {
  const { programId, memberId } = entry;
  if (!ctx.once(`expire:${programId}#${memberId}`)) return { skipped: 1 };
  const outcome: Outcome = { members: 1, changed: 0, points: 0 };
  for (let attempt = 1; ; attempt++) {
    const [{ member: state }, lots] = await Promise.all([ctx.deps.ledger.loadWith(programId, memberId, []), ctx.deps.due.dueLots(programId, memberId, ctx.asOf)]);
    if (!state.exists || !lots.length) return outcome;
    const plan = planExpiry({
      memberId,
      state,
      lots,
      asOf: ctx.asOf,
      select: (available) => expireLots(available, ctx.asOf),
      reason: 'expiry-date',
      transactionId: ulid(),
      recordedAt: ctx.wallNow(),
    });
    // Nothing expired but matured pending lots filled the write: persist them, then plan again.
    if (plan.total === 0 && !(plan.more && plan.activations.length)) return outcome;
    try {
      await writeExpiry(ctx, { programId, memberId, before: state, plan, reason: 'expiry-date' });
    } catch (err) {
      if (!(err instanceof WriteConflict) || attempt >= MAX_LEDGER_ATTEMPTS) throw err;
      ctx.deps.metrics?.count('LedgerWriteRetried');
      await backoff(attempt);
      continue; // a spend, an earn or another worker got there first: read again
    }
    outcome.changed! += 1;
    outcome.points! += plan.total;
    ctx.deps.metrics?.count('PointsExpired', plan.total);
    if (!plan.more) return outcome;
  }
}

/**
 * Inactivity policy: the member's schedule came due. The deadline is recomputed from the member's
 * last earning: if they earned since, the schedule moves to the new deadline instead; otherwise
 * every point earned before the deadline expires and the schedule is removed (the next earning
 * creates it again).
 */
export async function expireInactiveMember(entry: DueEntry, ctx: JobContext): Promise<Outcome> {
  const { programId, memberId } = entry;
  const seen = String(entry.item.dueAt ?? entry.at);
  const program = await ctx.program(programId);
  const drop = async (): Promise<Outcome> => {
    await ctx.deps.due.moveSchedule(programId, memberId, 'INACTIVITY', seen, null);
    return { skipped: 1 };
  };
  if (!program || program.expiryPolicy.kind !== 'inactivity') return drop();
  const outcome: Outcome = { members: 1, changed: 0, points: 0 };
  const scheduleKey = ctx.deps.due.scheduleKey(programId, memberId, 'INACTIVITY');
  for (let attempt = 1; ; attempt++) {
    const { member: state, items } = await ctx.deps.ledger.loadWith(programId, memberId, [scheduleKey]);
    const schedule = items.get(`${scheduleKey.pk}|${scheduleKey.sk}`);
    if (!schedule || schedule.dueAt !== seen) return { ...outcome, skipped: 1 }; // moved by an earning, or handled
    if (!state.exists || !state.lastActivityAt) return drop();
    const deadline = inactivityExpiresAtFor(state.lastActivityAt, program.expiryPolicy, program.timeZone)!;
    if (deadline > ctx.asOf) {
      await ctx.deps.due.moveSchedule(programId, memberId, 'INACTIVITY', seen, deadline);
      return outcome;
    }
    const lots: Lot[] = await ctx.deps.ledger.listLots(programId, memberId);
    const plan = planExpiry({
      memberId,
      state,
      lots,
      asOf: ctx.asOf,
      select: (available) => expireForInactivity(available, deadline, ctx.asOf),
      reason: 'inactivity',
      transactionId: ulid(),
      recordedAt: ctx.wallNow(),
    });
    if (plan.total === 0 && !plan.activations.length) {
      await drop();
      return outcome;
    }
    try {
      await writeExpiry(ctx, {
        programId,
        memberId,
        before: state,
        plan,
        reason: 'inactivity',
        extra: plan.more ? [] : [ctx.deps.due.scheduleMoveWrite(programId, memberId, 'INACTIVITY', seen, null)],
      });
    } catch (err) {
      if (!(err instanceof WriteConflict) || attempt >= MAX_LEDGER_ATTEMPTS) throw err;
      if (err.has('schedule')) return { ...outcome, skipped: 1 }; // an earning moved the deadline: nothing expires
      await backoff(attempt);
      continue;
    }
    outcome.changed! += plan.total > 0 ? 1 : 0;
    outcome.points! += plan.total;
    ctx.deps.metrics?.count('PointsExpired', plan.total);
    if (!plan.more) return outcome;
  }
}
