import { systemClock } from '../../core/kernel/clock';
import { documentClient } from '../dynamodb/client';
import { dynamoStores } from '../dynamodb/stores';
import { eventBridgeClient } from '../eventbridge/client';
import { eventBridgePublisher } from '../eventbridge/publisher';
import { runtimeConfig } from './config';
import { emfMetrics, logger } from './observability';

/** The composition root: real adapters, built once per cold start. */
let built: ReturnType<typeof build> | undefined;

function build() {
  const { tableName, eventBusName } = runtimeConfig();
  return {
    ...dynamoStores(documentClient(), tableName),
    events: eventBridgePublisher(eventBridgeClient(), eventBusName),
    clock: systemClock,
    metrics: emfMetrics,
    // A courtesy after a committed step that failed (telling a waiting execution to stop): logged only.
    onPublishError: (err: unknown) => logger.error('a step after the commit failed', err as Error),
  };
}

export function deps() {
  built ??= build();
  return built;
}
