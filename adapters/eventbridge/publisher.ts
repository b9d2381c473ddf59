import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventPublisher } from '../../core/kernel/events';

/** The `source` of every event we publish. */
export const EVENT_SOURCE = 'loyalty.ledger';

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
            throw new Error(
              `PutEvents failed for ${failed.length} event(s): ${out.Entries?.find((e) => e.ErrorCode)?.ErrorMessage}`,
            );
          }
          entries = failed;
        }
      }
    },
  };
}
