// The webhooks' composition root: built once per cold start, only by the webhook functions (the
// other functions never load the HTTP sender or the Step Functions client).
import { systemClock } from '../../core/kernel/clock';
import { parseDisableAfter, parseRetryDelays } from '../../core/webhooks/domain/schedule';
import { documentClient } from '../dynamodb/client';
import { dynamoWebhookStore } from '../dynamodb/webhook-store';
import { PUBLISHED_EVENTS } from '../eventbridge/catalog';
import { eventBridgeClient } from '../eventbridge/client';
import { eventBridgePublisher } from '../eventbridge/publisher';
import { secretBoxFromEnv } from '../secrets/secret-box';
import { stepFunctionsDeliveryRuns } from '../stepfunctions/webhook-runs';
import { dnsResolver, httpWebhookSender } from '../webhooks/http-sender';
import { runtimeConfig } from './config';
import { logger } from './observability';

/** Set by the local stack only (local/start.ts): http and private targets are then allowed. */
export const ALLOW_PRIVATE_TARGETS_ENV = 'WEBHOOK_ALLOW_PRIVATE_TARGETS';

let built: ReturnType<typeof build> | undefined;

function build() {
  const { tableName, eventBusName } = runtimeConfig();
  return {
    webhooks: dynamoWebhookStore(documentClient(), tableName),
    runs: stepFunctionsDeliveryRuns(),
    sender: httpWebhookSender(),
    resolver: dnsResolver(),
    get secrets() {
      return secretBoxFromEnv();
    },
    events: eventBridgePublisher(eventBridgeClient(), eventBusName),
    clock: systemClock,
    eventTypes: PUBLISHED_EVENTS.map((e) => e.detailType),
    retryDelaysMs: parseRetryDelays(process.env.WEBHOOK_RETRY_DELAYS_MS),
    disableAfterMs: parseDisableAfter(process.env.WEBHOOK_DISABLE_AFTER_MS),
    allowPrivateTargets: process.env[ALLOW_PRIVATE_TARGETS_ENV] === 'true',
    onPublishError: (err: unknown) => logger.error('event publish failed after commit', err as Error),
  };
}

export function webhookDeps() {
  built ??= build();
  return built;
}
