// Events come from the committed data: the table's stream hands each committed change to the
// stream consumer, its adapter (adapters/dynamodb/stream.ts) reads the item images into the facts
// below, and announcedEvents() turns them into the events they announce. Every event id is derived
// from the change (the item's key, the detail-type, what it concerns), so a retried batch, a
// retried PutEvents or a replay of the stream publishes the same ids.
import { PointsEarned, PointsReversed } from '../../earning/events';
import { type DomainEvent, domainEvent, type EventDefinition } from '../../kernel/events';
import { changeEventId } from '../../kernel/ids';
import type { Redemption } from '../../rewards/domain/rewards';
import { redemptionCancelled, redemptionFailed, rewardRedeemed } from '../../rewards/use-cases/redemption-events';
import { TierChanged } from '../../tiers/events';
import type { Transaction } from '../domain/types';
import { MemberEnrolled, PointsActivated, PointsAdjusted } from '../events';
import type { Announcement } from '../ports';

/** One committed change, in domain terms. `key`: the changed item's identity, stable across reads of the stream. */
export type CommittedChange =
  /** A write's announcement, with the transaction whose item holds it (earn, engagement) or none (a return's guard). */
  | { kind: 'announced'; programId: string; key: string; announce: Announcement; transaction?: Transaction }
  /** A member came to exist (via the API's upsert, or enrolled by a purchase). */
  | {
      kind: 'member-enrolled';
      programId: string;
      key: string;
      memberId: string;
      via: 'api' | 'purchase';
      at: string;
      correlationId?: string;
    }
  /** A redemption reached `completed`, `failed` or `cancelled`. */
  | { kind: 'redemption-closed'; key: string; redemption: Redemption }
  /** Events a job recorded with their effect (its outbox entry, a notice's send-once guard): ids already final. */
  | { kind: 'events-recorded'; events: DomainEvent[] };

export function announcedEvents(change: CommittedChange): DomainEvent[] {
  switch (change.kind) {
    case 'announced':
      return fromAnnouncement(change.programId, change.key, change.announce, change.transaction);
    case 'member-enrolled': {
      const { programId, key, memberId, via, at, correlationId } = change;
      const eventId = changeEventId(at, key, MemberEnrolled.detailType);
      return [domainEvent(MemberEnrolled, { memberId, via }, { programId, occurredAt: at, correlationId, eventId })];
    }
    case 'redemption-closed':
      return fromRedemption(change.key, change.redemption);
    case 'events-recorded':
      return change.events;
  }
}

function fromAnnouncement(programId: string, key: string, a: Announcement, tx?: Transaction): DomainEvent[] {
  const meta = (def: EventDefinition, ...about: string[]) => ({
    programId,
    occurredAt: a.at,
    correlationId: a.correlationId,
    eventId: changeEventId(a.at, key, def.detailType, ...about),
  });
  const balances = (b: { available: number; pending: number; lifetimeEarned: number }) => ({
    available: b.available,
    pending: b.pending,
    lifetimeEarned: b.lifetimeEarned,
  });
  const events: DomainEvent[] = [];
  if (a.credit && tx) {
    const { credit } = a;
    events.push(
      domainEvent(
        PointsEarned,
        {
          memberId: a.memberId,
          transactionId: tx.transactionId,
          ...(credit.orderId ? { orderId: credit.orderId } : {}),
          ...(credit.eventId ? { eventId: credit.eventId } : {}),
          source: tx.source,
          points: tx.points,
          status: tx.status === 'pending' ? 'pending' : 'credited',
          breakdown: tx.breakdown,
          balances: balances(credit.balances),
        },
        meta(PointsEarned),
      ),
    );
    if (credit.tierChange) {
      const { from, to } = credit.tierChange;
      events.push(
        domainEvent(
          TierChanged,
          { memberId: a.memberId, from, to, direction: 'up', reason: 'qualified' },
          meta(TierChanged),
        ),
      );
    }
  }
  if (a.adjustment && tx) {
    const { reason, debt, by } = a.adjustment;
    events.push(
      domainEvent(
        PointsAdjusted,
        {
          memberId: a.memberId,
          transactionId: tx.transactionId,
          points: tx.points,
          reason,
          debt,
          by: { keyId: by.keyId, role: by.role },
          balances: balances(a.adjustment.balances),
        },
        meta(PointsAdjusted),
      ),
    );
  }
  if (a.reversal) {
    events.push(
      domainEvent(
        PointsReversed,
        { memberId: a.memberId, ...a.reversal, balances: balances(a.reversal.balances) },
        meta(PointsReversed),
      ),
    );
  }
  for (const l of a.activations ?? []) {
    events.push(
      domainEvent(
        PointsActivated,
        { memberId: a.memberId, lotId: l.lotId, points: l.points, availableAt: l.availableAt },
        meta(PointsActivated, l.lotId),
      ),
    );
  }
  return events;
}

function fromRedemption(key: string, r: Redemption): DomainEvent[] {
  const meta = (detailType: string, at: string | undefined) => {
    const occurredAt = at ?? r.updatedAt;
    return { occurredAt, eventId: changeEventId(occurredAt, key, detailType) };
  };
  switch (r.status) {
    case 'completed':
      return [rewardRedeemed(r, meta('Reward Redeemed', r.completedAt))];
    case 'failed':
      return [redemptionFailed(r, meta('Redemption Failed', r.failedAt))];
    case 'cancelled':
      return [redemptionCancelled(r, meta('Redemption Cancelled', r.cancelledAt))];
    default:
      return [];
  }
}
