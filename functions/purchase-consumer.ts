import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { PurchaseCompletedDetail } from '../shared/use-cases/schemas';
import { earnForPurchase } from '../shared/use-cases/earn-for-purchase';
import { fieldErrors } from '../shared/http/problem';
import { DomainError } from '../shared/errors';
import { deps } from '../shared/deps';
import { emfMetrics, logger, publishMetrics } from '../shared/observability';

/**
 * `Purchase Completed` from the bus. Same use case as the API, so a purchase posted both ways
 * credits once. Bad events throw: after the rule's retries they land in the dead-letter queue,
 * where its alarm makes someone look, instead of vanishing.
 */
export const handler = middy<EventBridgeEvent<'Purchase Completed', unknown>, { replayed: boolean; points: number }, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(publishMetrics())
  .handler(async (event) => {
    logger.appendKeys({ correlationId: event.id });
    const parsed = PurchaseCompletedDetail.safeParse(event.detail);
    if (!parsed.success) {
      const errors = fieldErrors(parsed.error, 'detail');
      logger.error('invalid Purchase Completed event', { eventId: event.id, errors });
      emfMetrics.count('InvalidPurchaseEvents');
      throw new Error(`Invalid Purchase Completed event ${event.id}: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`);
    }
    const { programId, ...purchase } = parsed.data;
    logger.appendKeys({ programId });
    try {
      const { replayed, result } = await earnForPurchase(programId, purchase, deps(), event.id);
      logger.info('purchase event processed', { orderId: purchase.orderId, replayed, points: result.points });
      return { replayed, points: result.points };
    } catch (err) {
      if (err instanceof DomainError) logger.error('purchase event rejected', { eventId: event.id, type: err.type, detail: err.message });
      throw err;
    }
  });
