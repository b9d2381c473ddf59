import { documentClient, eventBridgeClient } from './clients';
import { runtimeConfig } from './config';
import { systemClock } from '../../core/kernel/clock';
import { repositories } from '../dynamodb/repositories';
import { eventBridgePublisher } from '../eventbridge/publisher';
import { dynamoRewardsRepository } from '../dynamodb/rewards-repository';
import { dueWorkRepository } from '../dynamodb/due-work';
import { emfMetrics, logger } from './observability';

/** The composition root: real adapters, built once per cold start. */
let built: ReturnType<typeof build> | undefined;

function build() {
  const { tableName, eventBusName } = runtimeConfig();
  const ddb = documentClient();
  return {
    ...repositories(ddb, tableName),
    // Rewards catalog, redemptions, coupons (the Step Functions client is built by functions/redemptions-api.ts only).
    rewards: dynamoRewardsRepository(ddb, tableName),
    // The due-date index, member schedules, job checkpoints and outbox (tiers and expiry jobs, member view).
    due: dueWorkRepository(ddb, tableName),
    events: eventBridgePublisher(eventBridgeClient(), eventBusName),
    clock: systemClock,
    metrics: emfMetrics,
    onPublishError: (err: unknown) => logger.error('event publish failed after commit', err as Error),
  };
}

export function deps() {
  built ??= build();
  return built;
}
