// The hand-off of a recorded webhook delivery to the connectors worker: one event on the bus, which
// the worker's rule matches (retries and a DLQ beyond that). Only the reference travels; the body
// stays in the delivery item. A failed PutEvents throws, so the webhook answers 503 and the platform
// retries (its retry finds the delivery recorded and hands it over again).
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { DeliveryQueue, DeliveryRef } from '../../core/connectors/ports';

export const DELIVERY_SOURCE = 'loyalty.connectors';
export const DELIVERY_DETAIL_TYPE = 'Connector Delivery Received';

export function eventBridgeDeliveryQueue(client: EventBridgeClient, busName: string): DeliveryQueue {
  return {
    async enqueue(ref: DeliveryRef) {
      const out = await client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: busName,
              Source: DELIVERY_SOURCE,
              DetailType: DELIVERY_DETAIL_TYPE,
              Detail: JSON.stringify(ref),
            },
          ],
        }),
      );
      if (out.FailedEntryCount) {
        throw new Error(`PutEvents refused the delivery: ${out.Entries?.[0]?.ErrorCode ?? 'unknown'}`);
      }
    },
  };
}
