// The notify job: Points Expiring before lots expire (and before an inactivity deadline), and
// Tier Downgrade Warning before a review the member would not pass. It reads the same index as
// the expire and review jobs, `lead` days ahead. Each notice has a stable id; its guard item is
// claimed once (conditional put) and holds the event, which the stream publishes when the guard is written: sent once.
import { type DueRange, qualifyingBucketsOf } from '../../jobs/domain/job-plans';
import type { DueEntry, OutboxRecord } from '../../jobs/ports';
import type { JobContext, Outcome } from '../../jobs/use-cases/context';
import { type DomainEvent, domainEvent } from '../../kernel/events';
import { downgradeWarning } from '../../tiers/domain/tiers';
import { TierDowngradeWarning } from '../../tiers/events';
import { type ExpiryNotice, expiryNotices, inactivityExpiresAtFor, inactivityExpiryNotice } from '../domain/expiry';
import { PointsExpiring } from '../events';

/** Claims a notice once: the record holding its event, or null when it was claimed before. */
function claim(
  ctx: JobContext,
  programId: string,
  memberId: string,
  noticeId: string,
  event: DomainEvent,
  keepUntil: string,
): Promise<OutboxRecord | null> {
  return ctx.deps.due.claimNotice({
    kind: 'notice',
    programId,
    memberId,
    id: noticeId,
    job: ctx.job,
    events: [event],
    createdAt: ctx.wallNow(),
    keepUntil,
  });
}

async function sendExpiryNotices(
  ctx: JobContext,
  programId: string,
  memberId: string,
  notices: ExpiryNotice[],
  reason: 'expiry-date' | 'inactivity',
): Promise<number> {
  let sent = 0;
  for (const n of notices) {
    if (n.points <= 0) continue;
    const event = domainEvent(
      PointsExpiring,
      { memberId, noticeId: n.noticeId, expiresAt: n.expiresAt, daysBefore: n.daysBefore, points: n.points, reason },
      { programId, occurredAt: ctx.asOf, correlationId: ctx.runId },
    );
    const record = await claim(ctx, programId, memberId, n.noticeId, event, n.expiresAt);
    if (record) {
      ctx.publish(record);
      sent++;
    }
  }
  return sent;
}

/** A member with lots expiring `lead` days after asOf: every expiry notice due for them now. */
export async function notifyExpiringLots(entry: DueEntry, _range: DueRange, ctx: JobContext): Promise<Outcome> {
  const { programId, memberId } = entry;
  if (!ctx.once(`notify-expiry:${programId}#${memberId}`)) return { skipped: 1 };
  const lots = await ctx.deps.ledger.listLots(programId, memberId);
  const sent = await sendExpiryNotices(
    ctx,
    programId,
    memberId,
    expiryNotices(lots, ctx.asOf, ctx.settings.noticeDays),
    'expiry-date',
  );
  return { members: 1, changed: sent };
}

/** A member whose inactivity deadline is `lead` days after asOf (as scheduled): the notice, if still due. */
export async function notifyInactivity(entry: DueEntry, _range: DueRange, ctx: JobContext): Promise<Outcome> {
  const { programId, memberId } = entry;
  if (!ctx.once(`notify-inactivity:${programId}#${memberId}`)) return { skipped: 1 };
  const program = await ctx.program(programId);
  if (program?.expiryPolicy.kind !== 'inactivity') return { skipped: 1 };
  const state = await ctx.deps.ledger.loadMember(programId, memberId);
  if (!state.lastActivityAt) return { skipped: 1 };
  const deadline = inactivityExpiresAtFor(state.lastActivityAt, program.expiryPolicy, program.timeZone);
  const lots = await ctx.deps.ledger.listLots(programId, memberId);
  const notice = inactivityExpiryNotice(lots, deadline, ctx.asOf, ctx.settings.noticeDays);
  const sent = await sendExpiryNotices(ctx, programId, memberId, notice ? [notice] : [], 'inactivity');
  return { members: 1, changed: sent };
}

/** A member whose review is `lead` days after asOf: a warning if they would drop with what they have now. */
export async function warnDowngrade(entry: DueEntry, _range: DueRange, ctx: JobContext): Promise<Outcome> {
  const { programId, memberId } = entry;
  if (!ctx.once(`notify-review:${programId}#${memberId}`)) return { skipped: 1 };
  const program = await ctx.program(programId);
  if (!program?.tierSet) return { skipped: 1 };
  const state = await ctx.deps.ledger.loadMember(programId, memberId);
  if (!state.exists) return { skipped: 1 };
  const warning = downgradeWarning(
    {
      currentTierId: state.tier,
      tierAchievedAt: state.tierAchievedAt,
      buckets: qualifyingBucketsOf(state.counters),
      tierSet: program.tierSet,
      asOf: ctx.asOf,
      tz: program.timeZone,
    },
    { daysBefore: ctx.settings.warningDays },
  );
  if (!warning) return { members: 1, changed: 0 };
  const event = domainEvent(
    TierDowngradeWarning,
    { memberId, ...warning },
    { programId, occurredAt: ctx.asOf, correlationId: ctx.runId },
  );
  const record = await claim(ctx, programId, memberId, warning.warningId, event, warning.reviewAt);
  if (record) ctx.publish(record);
  return { members: 1, changed: record ? 1 : 0 };
}
