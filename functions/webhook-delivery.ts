// One attempt of a delivery, as a task of the delivery state machine (infra/constructs/webhooks.ts):
// it answers whether the run is done, or when the next attempt is due (the machine waits until then).
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '../adapters/runtime/observability';
import { webhookDeps } from '../adapters/runtime/webhook-deps';
import { type AttemptInput, type AttemptResult, attemptDelivery } from '../core/webhooks/use-cases/deliver';

export const handler = middy<AttemptInput, AttemptInput & AttemptResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (input) => {
    if (!input?.programId || !input.webhookId || !input.deliveryId || typeof input.run !== 'number')
      throw new Error(`Not a webhook delivery: ${JSON.stringify(input).slice(0, 200)}`);
    const { programId, webhookId, deliveryId, trigger, run } = input;
    logger.appendKeys({ programId, webhookId, deliveryId });
    const result = await attemptDelivery({ programId, webhookId, deliveryId, trigger, run }, webhookDeps());
    logger.info('attempt', { ...result });
    return { programId, webhookId, deliveryId, trigger, run, ...result };
  });
