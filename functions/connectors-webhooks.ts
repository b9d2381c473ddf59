import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { BodyTooLarge } from '../adapters/dynamodb/connector-store';
import { eventBridgeClient } from '../adapters/eventbridge/client';
import { eventBridgeDeliveryQueue } from '../adapters/eventbridge/delivery-queue';
import { type HttpResponse, json, problem, toProblem } from '../adapters/http/problem';
import { MAX_WEBHOOK_BODY_BYTES } from '../adapters/http/routes/connectors';
import { runtimeConfig } from '../adapters/runtime/config';
import { deps } from '../adapters/runtime/deps';
import { emfMetrics, logger, publishMetrics } from '../adapters/runtime/observability';
import { secretBoxFromEnv } from '../adapters/secrets/secret-box';
import { receiveWebhook } from '../core/connectors/use-cases/receive-webhook';
import { DomainError } from '../core/kernel/errors';
import { CLIENT_ID_PATTERN } from '../core/kernel/ids';

let queue: ReturnType<typeof eventBridgeDeliveryQueue> | undefined;

const lower = (headers: APIGatewayProxyEvent['headers']) =>
  Object.fromEntries(
    Object.entries(headers ?? {}).flatMap(([k, v]) => (typeof v === 'string' ? [[k.toLowerCase(), v]] : [])),
  ) as Record<string, string>;

async function receive(event: APIGatewayProxyEvent): Promise<HttpResponse> {
  const requestId = event.requestContext?.requestId ?? 'unknown';
  const connectorId = event.pathParameters?.connectorId ?? '';
  // The body exactly as sent: API Gateway passes it as a string, base64 when it is binary.
  const body = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64') : Buffer.from(event.body ?? '', 'utf8');
  if (body.length > MAX_WEBHOOK_BODY_BYTES) return problem('payload-too-large', undefined, {}, requestId);
  logger.appendKeys({ connectorId });
  try {
    if (!CLIENT_ID_PATTERN.test(connectorId)) return problem('connector-not-found', 'No such connector', {}, requestId);
    queue ??= eventBridgeDeliveryQueue(eventBridgeClient(), runtimeConfig().eventBusName);
    const receipt = await receiveWebhook(
      connectorId,
      { headers: lower(event.headers), body },
      {
        ...deps(),
        secrets: secretBoxFromEnv(),
        queue,
        onHandOffError: (err) => logger.error('delivery hand-off failed', err as Error),
      },
    );
    if (receipt.kind === 'ping') {
      logger.info('ping answered');
      return json(200, { received: true, deliveryId: 'ping', duplicate: false });
    }
    emfMetrics.count(receipt.duplicate ? 'WebhookDuplicates' : 'WebhooksReceived');
    logger.info('delivery recorded', { deliveryId: receipt.deliveryId, duplicate: receipt.duplicate });
    return json(200, { received: true, deliveryId: receipt.deliveryId, duplicate: receipt.duplicate });
  } catch (err) {
    if (err instanceof BodyTooLarge) return problem('payload-too-large', err.message, {}, requestId);
    if (err instanceof DomainError) {
      if (err.type === 'invalid-signature') emfMetrics.count('WebhookSignatureRejected');
      logger.info('delivery rejected', { type: err.type, detail: err.message });
    } else logger.error('delivery failed', err as Error);
    return toProblem(err, requestId);
  }
}

/**
 * The public webhook route (no API key, no authorizer): verify the signature over the raw body,
 * record the delivery once, hand it to the worker, answer 200 well within the platforms' timeouts.
 */
export const handler = middy<APIGatewayProxyEvent, HttpResponse, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(publishMetrics())
  .handler(async (event) => {
    const res = await receive(event);
    const requestId = event.requestContext?.requestId ?? 'unknown';
    res.headers['x-correlation-id'] = lower(event.headers)['x-correlation-id'] ?? requestId;
    return res;
  });
