import type { z } from 'zod';
import { ulid } from './ids';
import type { BusinessMetrics } from './metrics';

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

/** Where events go once what they announce is committed (EventBridge in AWS, a list in tests). */
export interface EventPublisher {
  publish(events: DomainEvent[]): Promise<void>;
}

export function domainEvent<S extends z.ZodType>(
  def: EventDefinition<S>,
  data: z.input<S>,
  meta: { programId: string; occurredAt: string; correlationId?: string },
): DomainEvent {
  return {
    detailType: def.detailType,
    detail: { metadata: { eventId: ulid(), version: def.version, ...meta }, data: def.schema.parse(data) },
  };
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
