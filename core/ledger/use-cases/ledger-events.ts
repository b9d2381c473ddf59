import { type DomainEvent, domainEvent } from '../../kernel/events';
import type { Activation } from '../domain/member-state';
import type { Balances } from '../domain/types';
import { PointsActivated } from '../events';
import type { Announcement } from '../ports';

export type EventMeta = { programId: string; occurredAt: string; correlationId?: string };

/** Points Activated for each pending lot a write made available. */
export function activationEvents(memberId: string, activations: Activation[], meta: EventMeta): DomainEvent[] {
  return activations.map((a) =>
    domainEvent(
      PointsActivated,
      { memberId, lotId: a.lot.lotId, points: a.lot.points, availableAt: a.lot.availableAt },
      meta,
    ),
  );
}

/** The activations a write announces (Points Activated, see Announcement); absent when there are none. */
export function announcedActivations(activations: Activation[]): Pick<Announcement, 'activations'> {
  if (!activations.length) return {};
  return {
    activations: activations.map((a) => ({ lotId: a.lot.lotId, points: a.lot.points, availableAt: a.lot.availableAt })),
  };
}

/** The balances an event carries: the three figures, not the whole state. */
export const balancesOf = (b: Balances): Balances => ({
  available: b.available,
  pending: b.pending,
  lifetimeEarned: b.lifetimeEarned,
});
