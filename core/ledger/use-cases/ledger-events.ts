import { domainEvent, type DomainEvent, type EventPublisher } from '../../../adapters/eventbridge/publisher';
import { MemberEnrolled, PointsActivated, PointsEarned, TierChanged } from '../../events/catalog';
import type { Credit } from '../../earning/domain/earn-plan';
import type { Activation } from '../domain/member-state';
import type { BusinessMetrics } from '../../../adapters/runtime/observability';

type Meta = { programId: string; occurredAt: string; correlationId?: string };

/** Member Enrolled (if this credit enrolled them), Points Earned, and Tier Changed on an upgrade. */
export function creditEvents(
  c: { memberId: string; enrolled: boolean; credit: Credit; balances: { available: number; pending: number; lifetimeEarned: number }; tierChange?: { from: string | null; to: string }; orderId?: string; eventId?: string },
  meta: Meta,
): DomainEvent[] {
  const tx = c.credit.transaction;
  const events: DomainEvent[] = [];
  if (c.enrolled) events.push(domainEvent(MemberEnrolled, { memberId: c.memberId, via: 'purchase' }, meta));
  events.push(
    domainEvent(
      PointsEarned,
      {
        memberId: c.memberId,
        transactionId: tx.transactionId,
        ...(c.orderId ? { orderId: c.orderId } : {}),
        ...(c.eventId ? { eventId: c.eventId } : {}),
        source: tx.source,
        points: tx.points,
        status: tx.status === 'pending' ? 'pending' : 'credited',
        breakdown: tx.breakdown,
        balances: { available: c.balances.available, pending: c.balances.pending, lifetimeEarned: c.balances.lifetimeEarned },
      },
      meta,
    ),
  );
  if (c.tierChange) events.push(domainEvent(TierChanged, { memberId: c.memberId, from: c.tierChange.from, to: c.tierChange.to, direction: 'up', reason: 'qualified' }, meta));
  return events;
}

export function activationEvents(memberId: string, activations: Activation[], meta: Meta): DomainEvent[] {
  return activations.map((a) => domainEvent(PointsActivated, { memberId, lotId: a.lot.lotId, points: a.lot.points, availableAt: a.lot.availableAt }, meta));
}

/** Events go out after the write commits; a failure to publish never turns a committed write into an error. */
export async function publishAfterCommit(
  deps: { events: EventPublisher; metrics?: BusinessMetrics; onPublishError?: (err: unknown) => void },
  events: DomainEvent[],
): Promise<void> {
  if (!events.length) return;
  try {
    await deps.events.publish(events);
  } catch (err) {
    deps.metrics?.count('EventPublishFailed');
    deps.onPublishError?.(err);
  }
}
