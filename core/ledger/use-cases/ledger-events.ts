import { type DomainEvent, domainEvent } from '../../kernel/events';
import type { Activation } from '../domain/member-state';
import { PointsActivated } from '../events';

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
