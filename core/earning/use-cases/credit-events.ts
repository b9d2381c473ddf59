import { type DomainEvent, domainEvent } from '../../kernel/events';
import type { Balances } from '../../ledger/domain/types';
import { MemberEnrolled } from '../../ledger/events';
import type { EventMeta } from '../../ledger/use-cases/ledger-events';
import { TierChanged } from '../../tiers/events';
import type { Credit } from '../domain/earn-plan';
import { PointsEarned } from '../events';

/** Member Enrolled (if this credit enrolled them), Points Earned, and Tier Changed on an upgrade. */
export function creditEvents(
  c: {
    memberId: string;
    enrolled: boolean;
    credit: Credit;
    balances: Balances;
    tierChange?: { from: string | null; to: string };
    orderId?: string;
    eventId?: string;
  },
  meta: EventMeta,
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
        balances: {
          available: c.balances.available,
          pending: c.balances.pending,
          lifetimeEarned: c.balances.lifetimeEarned,
        },
      },
      meta,
    ),
  );
  if (c.tierChange) {
    const { from, to } = c.tierChange;
    events.push(
      domainEvent(TierChanged, { memberId: c.memberId, from, to, direction: 'up', reason: 'qualified' }, meta),
    );
  }
  return events;
}
