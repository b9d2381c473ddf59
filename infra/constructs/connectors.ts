import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DELIVERY_DETAIL_TYPE, DELIVERY_SOURCE } from '../../adapters/eventbridge/delivery-queue';
import type { StageConfig } from '../config';
import { DeadLetterQueue } from './dead-letter-queue';
import { LoyaltyFunction } from './loyalty-function';

/** CloudFormation Metadata on every AWS::Events::Rule: the entries of its Lambda targets (as the stack's). */
const RULE_TARGETS_METADATA = 'loyalty:targets';

export interface ConnectorsProps {
  readonly config: StageConfig & { readonly stage: string };
  readonly table: dynamodb.ITableV2;
  readonly bus: events.IEventBus;
  readonly secretsKey: kms.IKey;
}

/**
 * Shop connectors: the admin API (seals secrets), the public webhook receiver (opens them to verify,
 * records the delivery, puts a reference on the bus) and the worker the bus rule delivers to, with
 * EventBridge's and Lambda's retries and a DLQ whose alarm fires on the first message.
 */
export class Connectors extends Construct {
  readonly api: LoyaltyFunction;
  readonly webhooks: LoyaltyFunction;
  readonly worker: LoyaltyFunction;
  readonly dlq: DeadLetterQueue;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ConnectorsProps) {
    super(scope, id);
    const { config, table, bus, secretsKey } = props;
    this.dlq = new DeadLetterQueue(this, 'WorkerDlq', {
      purpose: 'Verified shop webhook deliveries the connectors worker could not process: points were not awarded.',
    });
    this.api = new LoyaltyFunction(this, 'Api', {
      name: 'connectors-api',
      config,
      description: 'Shop connectors admin: create, list, options, secret rotation, dead letters',
    })
      .bindTable(table, 'RW')
      .bindSecrets(secretsKey);
    this.webhooks = new LoyaltyFunction(this, 'Webhooks', {
      name: 'connectors-webhooks',
      config,
      description: 'Public shop webhooks: verify the signature, record the delivery, hand it to the worker',
      // Shopify waits 5 s for an answer: verify, one read, one write, one PutEvents.
      timeout: Duration.seconds(5),
    })
      .bindTable(table, 'RW')
      .bindSecrets(secretsKey)
      .bindBus(bus);
    this.worker = new LoyaltyFunction(this, 'Worker', {
      name: 'connectors-worker',
      config,
      description: 'Maps recorded shop deliveries to purchases, returns and cancellations, and credits them',
      timeout: Duration.seconds(30),
      deadLetterQueue: this.dlq.queue,
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    }).bindTable(table, 'RW');

    this.rule = new events.Rule(this, 'DeliveryRule', {
      description: 'Connector Delivery Received -> connectors-worker',
      eventBus: bus,
      eventPattern: { source: [DELIVERY_SOURCE], detailType: [DELIVERY_DETAIL_TYPE] },
    });
    this.rule.addTarget(
      new targets.LambdaFunction(this.worker.fn, {
        deadLetterQueue: this.dlq.queue,
        retryAttempts: 4,
        maxEventAge: Duration.hours(2),
      }),
    );
    (this.rule.node.defaultChild as events.CfnRule).addMetadata(RULE_TARGETS_METADATA, [this.worker.entry]);
  }
}
