import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { STREAM_FILTERS } from '../../adapters/dynamodb/stream';
import type { Stage, StageConfig } from '../config';
import { DeadLetterQueue } from './dead-letter-queue';
import { LoyaltyFunction } from './loyalty-function';

export interface LedgerStreamProps {
  readonly config: StageConfig & { readonly stage: Stage };
  readonly table: dynamodb.ITableV2;
  readonly bus: events.IEventBus;
}

/**
 * How the stream reaches the consumer. Up to 100 records or 1 s, whichever comes first: an event is
 * on the bus within about a second of its commit, and a busy shard costs one invocation per 100
 * changes that announce something (the filter drops the rest before any invocation). Ordered per
 * shard (parallelization 1): a member's events leave in the order they were committed.
 */
export const STREAM_SETTINGS = {
  batchSize: 100,
  maxBatchingWindow: Duration.seconds(1),
  retryAttempts: 10,
  maxRecordAge: Duration.hours(24),
} as const;

/**
 * The table's stream to the bus (functions/ledger-stream.ts): events come from the committed data.
 * A failing batch is bisected and retried; what still fails after its retries (or a day) goes to
 * the dead-letter queue as the shard and sequence range to replay, and its alarm fires at once. The
 * iterator age alarm says the consumer is falling behind before anything is given up.
 */
export class LedgerStream extends Construct {
  readonly consumer: LoyaltyFunction;
  readonly mapping: lambda.EventSourceMapping;
  readonly dlq: DeadLetterQueue;
  readonly iteratorAgeAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: LedgerStreamProps) {
    super(scope, id);
    const { config, table, bus } = props;
    if (!table.tableStreamArn) throw new Error('The ledger table has no stream');
    this.dlq = new DeadLetterQueue(this, 'Dlq', {
      purpose:
        'Stream records whose events the ledger-stream consumer could not publish: the changes are committed, ' +
        'their events are not on the bus yet (docs/operations.md, "Replaying the ledger stream").',
    });
    Validations.of(this.dlq.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the dead-letter queue: the on-failure destination of the stream event source mapping, ' +
        'which cdk-nag does not recognise as a DLQ use (it looks only at redrive policies).',
    });
    this.consumer = new LoyaltyFunction(this, 'Consumer', {
      name: 'ledger-stream',
      config,
      description: 'The ledger table stream -> events on the bus (Points Earned, Tier Changed, Reward Redeemed, ...)',
      timeout: Duration.seconds(60),
    }).bindBus(bus);
    table.grantStreamRead(this.consumer.role);

    this.mapping = new lambda.EventSourceMapping(this, 'Mapping', {
      target: this.consumer.fn,
      eventSourceArn: table.tableStreamArn,
      startingPosition: lambda.StartingPosition.LATEST,
      batchSize: STREAM_SETTINGS.batchSize,
      maxBatchingWindow: STREAM_SETTINGS.maxBatchingWindow,
      parallelizationFactor: 1,
      bisectBatchOnError: true,
      retryAttempts: STREAM_SETTINGS.retryAttempts,
      maxRecordAge: STREAM_SETTINGS.maxRecordAge,
      reportBatchItemFailures: true,
      filters: STREAM_FILTERS.map((pattern) => lambda.FilterCriteria.filter(pattern)),
      onFailure: new SqsDlq(this.dlq.queue),
    });

    this.iteratorAgeAlarm = this.consumer.fn
      .metric('IteratorAge', { period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM })
      .createAlarm(this, 'Behind', {
        alarmDescription:
          'The ledger-stream consumer is more than 5 minutes behind the table: events reach the bus late. ' +
          'Look at its errors and throttles.',
        threshold: 300_000,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
  }
}
