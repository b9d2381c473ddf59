import type { DomainEvent, EventPublisher } from '../../core/kernel/events';

/** For tests and the bench: keeps what was published. */
export function memoryPublisher(): EventPublisher & { events: DomainEvent[] } {
  const events: DomainEvent[] = [];
  return { events, publish: async (e) => void events.push(...e) };
}
