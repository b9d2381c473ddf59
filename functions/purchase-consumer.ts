import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import type { z } from 'zod';
import { INBOUND_EVENTS, type InboundDetailType } from '../adapters/eventbridge/inbound';
import { deps } from '../adapters/runtime/deps';
import { emfMetrics, logger, publishMetrics } from '../adapters/runtime/observability';
import { earnForPurchase } from '../core/earning/use-cases/earn-for-purchase';
import { recordEngagement } from '../core/earning/use-cases/record-engagement';
import { recordReturn } from '../core/earning/use-cases/record-return';
import { DomainError } from '../core/kernel/errors';
import { check, unsafeShape } from '../core/kernel/validation';
import { UnregisteredProducer } from '../core/programs/errors';
import { checkProducer } from '../core/programs/use-cases/producers';

function parseDetail<S extends z.ZodType>(schema: S, event: EventBridgeEvent<string, unknown>): z.output<S> {
  const reserved = unsafeShape(event.detail, 'detail');
  const parsed = reserved.length ? { ok: false as const, errors: reserved } : check(schema, event.detail, 'detail');
  if (parsed.ok) return parsed.value;
  const { errors } = parsed;
  logger.error('invalid event', { eventId: event.id, detailType: event['detail-type'], errors });
  emfMetrics.count('InvalidInboundEvents');
  throw new Error(
    `Invalid ${event['detail-type']} event ${event.id}: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`,
  );
}

/** The account this function runs in: a producer registered without an account sends from it. */
const ownAccount = (context: Context) => context.invokedFunctionArn?.split(':')[4] ?? '';

/** Only a registered producer of the program an event names may credit it (docs/api.md#events-we-accept). */
async function fromRegisteredProducer(programId: string, event: EventBridgeEvent<string, unknown>, context: Context) {
  try {
    await checkProducer(programId, { source: event.source, account: event.account }, ownAccount(context), deps());
  } catch (err) {
    if (err instanceof UnregisteredProducer) emfMetrics.count('UnregisteredProducerEvents');
    throw err;
  }
}

const consumers: Record<
  InboundDetailType,
  (event: EventBridgeEvent<string, unknown>, context: Context) => Promise<{ replayed: boolean; points: number }>
> = {
  'Purchase Completed': async (event, context) => {
    const { programId, ...purchase } = parseDetail(INBOUND_EVENTS['Purchase Completed'].schema, event);
    await fromRegisteredProducer(programId, event, context);
    const { replayed, result } = await earnForPurchase(programId, purchase, deps(), event.id);
    return { replayed, points: result.points };
  },
  'Purchase Returned': async (event, context) => {
    const { programId, orderId, ...input } = parseDetail(INBOUND_EVENTS['Purchase Returned'].schema, event);
    await fromRegisteredProducer(programId, event, context);
    const { replayed, result } = await recordReturn(programId, orderId, input, deps(), event.id);
    return { replayed, points: -result.points };
  },
  'Engagement Recorded': async (event, context) => {
    const { programId, ...input } = parseDetail(INBOUND_EVENTS['Engagement Recorded'].schema, event);
    await fromRegisteredProducer(programId, event, context);
    const { replayed, result } = await recordEngagement(programId, input, deps(), event.id);
    return { replayed, points: result.points };
  },
};

/**
 * Commerce events from the bus, through the same use cases as the API (so an order sent both
 * ways credits once). Bad events throw: after the rule's retries they land in the dead-letter
 * queue, where its alarm makes someone look, instead of vanishing.
 */
export const handler = middy<EventBridgeEvent<string, unknown>, { replayed: boolean; points: number }, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(publishMetrics())
  .handler(async (event, context) => {
    logger.appendKeys({ correlationId: event.id, detailType: event['detail-type'] });
    const consume = consumers[event['detail-type'] as InboundDetailType];
    if (!consume) throw new Error(`No consumer for detail-type "${event['detail-type']}"`);
    try {
      const outcome = await consume(event, context);
      logger.info('event processed', { eventId: event.id, ...outcome });
      return outcome;
    } catch (err) {
      if (err instanceof DomainError)
        logger.error('event rejected', { eventId: event.id, type: err.type, detail: err.message });
      throw err;
    }
  });
