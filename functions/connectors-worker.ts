import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { deps } from '../adapters/runtime/deps';
import { emfMetrics, logger, publishMetrics } from '../adapters/runtime/observability';
import { ConnectorIdParams } from '../core/connectors/schemas';
import { type Outcome, processDelivery } from '../core/connectors/use-cases/process-delivery';
import { ClientId } from '../core/kernel/schemas';

const Ref = ConnectorIdParams.extend({ programId: ClientId, deliveryId: ClientId });

/**
 * Maps and credits a recorded webhook delivery. A delivery that cannot be mapped is dead-lettered
 * (visible through the connector's API) and the event succeeds; a failure worth retrying throws,
 * so EventBridge and Lambda retry, then the DLQ keeps the event and its alarm fires.
 */
export const handler = middy<EventBridgeEvent<string, unknown>, Outcome, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(publishMetrics())
  .handler(async (event) => {
    logger.appendKeys({ correlationId: event.id });
    const ref = Ref.safeParse(event.detail);
    if (!ref.success) throw new Error(`Invalid delivery reference in event ${event.id}`);
    const outcome = await processDelivery(ref.data, deps());
    if (outcome.status === 'dead') emfMetrics.count('ConnectorDeadLetters');
    logger.info('delivery processed', { ...ref.data, ...outcome });
    return outcome;
  });
