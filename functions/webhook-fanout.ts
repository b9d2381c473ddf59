// The rule's target: every event we publish (source loyalty.ledger), turned into one delivery per
// endpoint subscribed to it, each with its run of the retry schedule. Invoked asynchronously: a
// failure is retried by Lambda, then lands in the DLQ (nothing is lost; a retry makes nothing twice).
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { logger } from '../adapters/runtime/observability';
import { webhookDeps } from '../adapters/runtime/webhook-deps';
import type { EventMetadata } from '../core/kernel/events';
import { fanOut } from '../core/webhooks/use-cases/deliver';

type Detail = { metadata?: Partial<EventMetadata>; data?: unknown };

export const handler = middy<EventBridgeEvent<string, Detail>, { deliveries: number }>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const m = event.detail?.metadata;
    if (!m?.eventId || !m.programId || !m.occurredAt || typeof m.version !== 'number') {
      // Not one of ours (the rule matches our source only): nothing could be delivered, say so and drop it.
      logger.error('event without metadata', { id: event.id, detailType: event['detail-type'] });
      return { deliveries: 0 };
    }
    const metadata = m as EventMetadata;
    logger.appendKeys({ programId: metadata.programId, eventId: metadata.eventId });
    const result = await fanOut({ detailType: event['detail-type'], metadata, data: event.detail.data }, webhookDeps());
    if (result.deliveries) logger.info('deliveries started', { ...result, detailType: event['detail-type'] });
    return result;
  });
