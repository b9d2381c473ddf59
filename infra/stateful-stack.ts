import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { StageConfig } from './config';
import { LedgerTable } from './constructs/ledger-table';

export interface StatefulStackProps extends StackProps {
  readonly config: StageConfig;
}

/** Everything that holds data: the ledger table, the event bus with its archive, the key that seals secrets. */
export class StatefulStack extends Stack {
  readonly table: dynamodb.TableV2;
  readonly bus: events.EventBus;
  /** Seals the signing secrets of connectors and webhook endpoints (adapters/secrets). */
  readonly secretsKey: kms.Key;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.table = new LedgerTable(this, 'Ledger', { retain: config.retainData }).table;

    this.bus = new events.EventBus(this, 'Bus', { eventBusName: `${config.prefix}-loyalty` });
    const archive = this.bus.archive('Archive', {
      description: 'Every loyalty event, for replay and audit',
      eventPattern: { account: [this.account] },
      retention: Duration.days(config.archiveRetentionDays),
    });
    if (config.retainData) archive.applyRemovalPolicy(RemovalPolicy.RETAIN);

    this.secretsKey = new kms.Key(this, 'SecretsKey', {
      description: 'Seals signing secrets (connectors, webhook endpoints) stored in the ledger table',
      enableKeyRotation: true,
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName });
  }
}
