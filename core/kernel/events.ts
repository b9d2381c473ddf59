import type { z } from 'zod';
import { ulid } from './ids';

/** An event we publish: `{ metadata, data }` under its detail-type; `data` is validated against its definition. */
export interface DomainEvent {
  detailType: string;
  detail: { metadata: EventMetadata; data: unknown };
}

export interface EventMetadata {
  eventId: string;
  version: number;
  programId: string;
  occurredAt: string;
  correlationId?: string;
}

/** One event type we publish: its detail-type, the version of its schema, and the schema of its `data`. */
export interface EventDefinition<S extends z.ZodType = z.ZodType> {
  readonly detailType: string;
  readonly version: number;
  readonly schema: S;
  /** What it announces, for docs/asyncapi.json. */
  readonly description: string;
}

/** Where events go once what they announce is committed (EventBridge in AWS, a list in tests): the stream consumer. */
export interface EventPublisher {
  publish(events: DomainEvent[]): Promise<void>;
}

/**
 * `eventId`: the id derived from the change that announces the event (changeEventId), so a retry
 * publishes the same id; a fresh ULID when none is given.
 */
export function domainEvent<S extends z.ZodType>(
  def: EventDefinition<S>,
  data: z.input<S>,
  meta: { programId: string; occurredAt: string; correlationId?: string; eventId?: string },
): DomainEvent {
  const { eventId = ulid(), correlationId, ...rest } = meta;
  return {
    detailType: def.detailType,
    detail: {
      metadata: { eventId, version: def.version, ...rest, ...(correlationId ? { correlationId } : {}) },
      data: def.schema.parse(data),
    },
  };
}
