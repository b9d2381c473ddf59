// The expire job: lots that reached their expiry date, and members whose inactivity deadline passed.
// Both go through the ledger writer under the member's optimistic lock and each lot's
// `remaining >= take` condition, so a spend racing an expiry loses or wins per point, never both.
import { type ExpiryPlan, planExpiry } from '../../jobs/domain/job-plans';
import type { DueEntry } from '../../jobs/ports';
import { type JobContext, type Outcome, outboxEntry } from '../../jobs/use-cases/context';
import { type DomainEvent, domainEvent } from '../../kernel/events';
import { ulid } from '../../kernel/ids';
import { retryOnConflict, WriteConflict } from '../../kernel/retry';
import type { MemberState } from '../../ledger/domain/member-state';
import type { WriteRecord } from '../../ledger/ports';
import { activationEvents } from '../../ledger/use-cases/ledger-events';
import { expireForInactivity, expireLots, inactivityExpiresAtFor } from '../domain/expiry';
import { PointsExpired } from '../events';

/** Points Activated for what the write settled, Points Expired for what it expired. */
export function expiryEvents(
  ctx: JobContext,
  programId: string,
  memberId: string,
  plan: ExpiryPlan,
  reason: 'expiry-date' | 'inactivity',
): DomainEvent[] {
  const meta = { programId, occurredAt: ctx.asOf, correlationId: ctx.runId };
  const events = activationEvents(memberId, plan.activations, meta);
  if (plan.transaction) {
    const { available, pending, lifetimeEarned } = plan.after;
    events.push(
      domainEvent(
        PointsExpired,
        {
          memberId,
          transactionId: plan.transaction.transactionId,
          points: plan.total,
          reason,
          lots: plan.expired,
          balances: { available, pending, lifetimeEarned },
        },
        meta,
      ),
    );
  }
  return events;
}

/**
 * Writes one expiry plan: member, lots, the expire transaction and the outbox item holding its
 * events, in one TransactWriteItems. `records` adds conditional records (a schedule move).
 */
export async function writeExpiry(
  ctx: JobContext,
  args: {
    programId: string;
    memberId: string;
    before: MemberState;
    plan: ExpiryPlan;
    reason: 'expiry-date' | 'inactivity';
    records?: WriteRecord[];
  },
): Promise<void> {
  const { programId, memberId, before, plan } = args;
  const events = expiryEvents(ctx, programId, memberId, plan, args.reason);
  const outbox = events.length ? outboxEntry(ctx, programId, memberId, events) : null;
  await ctx.deps.ledger.commit(
    {
      programId,
      members: [{ memberId, before, after: plan.after }],
      lotUpdates: plan.takes.map((t) => ({ memberId, lot: t.lot, take: t.take })),
      transactions: plan.transaction ? [plan.transaction] : [],
      records: [...(outbox ? [outbox] : []), ...(args.records ?? [])],
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
  for (;;) {
    // A spend, an earn or another worker that got there first fails a condition: read again.
    const more = await retryOnConflict(
      `Member "${memberId}"`,
      async () => {
        const [state, lots] = await Promise.all([
          ctx.deps.ledger.loadMember(programId, memberId),
          ctx.deps.ledger.lotsExpiringBy(programId, memberId, ctx.asOf),
        ]);
        if (!state.exists || !lots.length) return false;
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
        if (plan.total === 0 && !(plan.more && plan.activations.length)) return false;
        await writeExpiry(ctx, { programId, memberId, before: state, plan, reason: 'expiry-date' });
        outcome.changed! += 1;
        outcome.points! += plan.total;
        ctx.deps.metrics?.count('PointsExpired', plan.total);
        return plan.more;
      },
      { onRetry: () => ctx.deps.metrics?.count('LedgerWriteRetried') },
    );
    if (!more || ctx.settings.dryRun) return outcome;
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
  const seen = entry.subject.type === 'schedule' ? entry.subject.dueAt : entry.at;
  const program = await ctx.program(programId);
  const drop = async (): Promise<Outcome> => {
    await ctx.deps.due.moveSchedule(programId, memberId, 'INACTIVITY', seen, null);
    return { skipped: 1 };
  };
  if (program?.expiryPolicy.kind !== 'inactivity') return drop();
  const policy = program.expiryPolicy;
  const outcome: Outcome = { members: 1, changed: 0, points: 0 };
  for (;;) {
    const step = await retryOnConflict(`Member "${memberId}"`, async (): Promise<'done' | 'more' | Outcome> => {
      const { member: state, schedule } = await ctx.deps.due.loadWithSchedule(programId, memberId, 'INACTIVITY');
      if (!schedule || schedule.dueAt !== seen) return { ...outcome, skipped: 1 }; // moved by an earning, or handled
      if (!state.exists || !state.lastActivityAt) return drop();
      const deadline = inactivityExpiresAtFor(state.lastActivityAt, policy, program.timeZone)!;
      if (deadline > ctx.asOf) {
        await ctx.deps.due.moveSchedule(programId, memberId, 'INACTIVITY', seen, deadline);
        return 'done';
      }
      const lots = await ctx.deps.ledger.listLots(programId, memberId);
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
        return 'done';
      }
      const removeSchedule = { kind: 'schedule-moved', memberId, schedule: 'INACTIVITY', seen, next: null } as const;
      try {
        await writeExpiry(ctx, {
          programId,
          memberId,
          before: state,
          plan,
          reason: 'inactivity',
          records: plan.more ? [] : [removeSchedule],
        });
      } catch (err) {
        // An earning moved the deadline meanwhile: nothing expires.
        if (err instanceof WriteConflict && err.has('schedule')) return { ...outcome, skipped: 1 };
        throw err;
      }
      outcome.changed! += plan.total > 0 ? 1 : 0;
      outcome.points! += plan.total;
      ctx.deps.metrics?.count('PointsExpired', plan.total);
      return plan.more ? 'more' : 'done';
    });
    if (step === 'done' || (step === 'more' && ctx.settings.dryRun)) return outcome;
    if (step !== 'more') return step;
  }
}
