import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { z } from 'zod';
import { ulid } from '../../core/kernel/ids';
import { EVENT_SOURCE, type EventDefinition } from '../../core/events/catalog';

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

/** Publishes in batches of 10 (the PutEvents limit); entries that failed are retried once, then reported. */
export function eventBridgePublisher(client: EventBridgeClient, busName: string): EventPublisher {
  return {
    async publish(events) {
      for (let i = 0; i < events.length; i += 10) {
        let entries = events.slice(i, i + 10).map((e) => ({
          EventBusName: busName,
          Source: EVENT_SOURCE,
          DetailType: e.detailType,
          Detail: JSON.stringify(e.detail),
          Time: new Date(e.detail.metadata.occurredAt),
        }));
        for (let attempt = 0; entries.length; attempt++) {
          const out = await client.send(new PutEventsCommand({ Entries: entries }));
          if (!out.FailedEntryCount) break;
          const failed = entries.filter((_, j) => out.Entries?.[j]?.ErrorCode);
          if (attempt >= 1) {
            throw new Error(`PutEvents failed for ${failed.length} event(s): ${out.Entries?.find((e) => e.ErrorCode)?.ErrorMessage}`);
          }
          entries = failed;
        }
      }
    },
  };
}

/** For tests and the bench: keeps what was published. */
export function memoryPublisher(): EventPublisher & { events: DomainEvent[] } {
  const events: DomainEvent[] = [];
  return { events, publish: async (e) => void events.push(...e) };
}
