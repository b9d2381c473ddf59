import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { INBOUND_DETAIL_TYPES } from '../adapters/eventbridge/inbound';
import type { RouteGroup } from '../adapters/http/route';
import { ROUTE_LIST } from '../adapters/http/routes';
import type { Stage, StageConfig } from './config';
import { AlarmTopic } from './constructs/alarm-topic';
import { Connectors } from './constructs/connectors';
import { DeadLetterQueue } from './constructs/dead-letter-queue';
import { LedgerStream } from './constructs/ledger-stream';
import { LoyaltyApi } from './constructs/loyalty-api';
import { LoyaltyFunction, type LoyaltyFunctionProps } from './constructs/loyalty-function';
import { Redemptions } from './constructs/redemptions';
import { ScheduledJobs } from './constructs/scheduled-jobs';
import { Webhooks } from './constructs/webhooks';

export interface StatelessStackProps extends StackProps {
  readonly config: StageConfig & { readonly stage: Stage };
  readonly table: dynamodb.ITableV2;
  readonly bus: events.IEventBus;
  /** Seals signing secrets; functions that store or use one get it through `bindSecrets`. */
  readonly secretsKey: kms.IKey;
  /** Where alarms send an email (`cdk deploy -c alarmEmail=ops@example.com`); none: the topic only. */
  readonly alarmEmail?: string;
}

/** CloudFormation Metadata on every AWS::Events::Rule: the entries of its Lambda targets. */
export const RULE_TARGETS_METADATA = 'loyalty:targets';

/** Functions, the API and the event rules. Holds no data: it can be destroyed and redeployed at will. */
export class StatelessStack extends Stack {
  readonly functions: {
    readonly authorizer: LoyaltyFunction;
    readonly membersApi: LoyaltyFunction;
    readonly purchasesApi: LoyaltyFunction;
    readonly purchaseConsumer: LoyaltyFunction;
    readonly earningRulesApi: LoyaltyFunction;
  };
  readonly api: LoyaltyApi;
  readonly redemptions: Redemptions;
  readonly programAdminApi: LoyaltyFunction;
  readonly jobs: ScheduledJobs;
  readonly webhooks: Webhooks;
  readonly ledgerStream: LedgerStream;
  readonly purchaseCompletedRule: events.Rule;
  readonly purchaseConsumerDlq: DeadLetterQueue;
  readonly alarms: AlarmTopic;
  readonly connectors: Connectors;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, table, bus } = props;

    // Holds Purchase Completed events the consumer never processed, whichever side gave up:
    // EventBridge (could not invoke) or Lambda (the invocation kept failing).
    this.purchaseConsumerDlq = new DeadLetterQueue(this, 'PurchaseConsumerDlq', {
      purpose: 'Purchase Completed events that purchase-consumer could not process: points were not awarded.',
    });

    const fn = (name: string, id: string, extra: Omit<LoyaltyFunctionProps, 'name' | 'config'> = {}) =>
      new LoyaltyFunction(this, id, { name, config, ...extra });

    this.functions = {
      authorizer: fn('authorizer', 'Authorizer', {
        description: 'API-key REQUEST authorizer',
        timeout: Duration.seconds(5),
      }).bindTable(table, 'R'),
      // The API and the consumer only write: the ledger stream publishes what their writes announce.
      membersApi: fn('members-api', 'MembersApi', { description: 'Members and their transactions' }).bindTable(
        table,
        'RW',
      ),
      purchasesApi: fn('purchases-api', 'PurchasesApi', {
        description: 'Purchases, returns and engagement events: earning and claw-backs',
      }).bindTable(table, 'RW'),
      purchaseConsumer: fn('purchase-consumer', 'PurchaseConsumer', {
        description: 'Purchase Completed, Purchase Returned and Engagement Recorded events from the bus',
        timeout: Duration.seconds(30),
        deadLetterQueue: this.purchaseConsumerDlq.queue,
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
      }).bindTable(table, 'RW'),
      earningRulesApi: fn('earning-rules-api', 'EarningRulesApi', {
        description: 'Earning rules admin: versions, simulate, backtest',
        timeout: Duration.seconds(29),
      }).bindTable(table, 'RW'),
    };
    const { membersApi, purchasesApi, purchaseConsumer, earningRulesApi } = this.functions;

    this.api = new LoyaltyApi(this, 'Http', {
      config,
      authorizer: this.functions.authorizer,
      publicRoutes: ROUTE_LIST.filter((r) => r.auth === 'signature'),
    });
    // Shop connectors: the admin API, the public webhook receiver and the worker that credits deliveries.
    this.connectors = new Connectors(this, 'Connectors', { config, table, bus, secretsKey: props.secretsKey });

    // Rewards and redemptions: the catalog, member and partner APIs, the redemption saga's state machines.
    this.redemptions = new Redemptions(this, 'Redemptions', { config, table });
    // Tiers and expiry: program, tier set and expiry policy admin.
    this.programAdminApi = fn('program-admin-api', 'ProgramAdminApi', {
      description: 'Program settings, tier set and expiry policy admin',
    }).bindTable(table, 'RW');

    // Outbound webhooks: endpoints admin, fan-out of every published event, signed deliveries with retries.
    this.webhooks = new Webhooks(this, 'Webhooks', {
      config,
      table,
      bus,
      secretsKey: props.secretsKey,
      ruleTargetsMetadata: RULE_TARGETS_METADATA,
    });

    // Every route of the registry, on the function of its group.
    const groups: Record<RouteGroup, LoyaltyFunction> = {
      'members-api': membersApi,
      'purchases-api': purchasesApi,
      'earning-rules-api': earningRulesApi,
      'program-admin-api': this.programAdminApi,
      'rewards-admin-api': this.redemptions.adminApi,
      'redemptions-api': this.redemptions.redemptionsApi,
      'coupons-api': this.redemptions.couponsApi,
      'webhooks-api': this.webhooks.api,
      'connectors-api': this.connectors.api,
      'connectors-webhooks': this.connectors.webhooks,
    };
    this.api.addRoutes(
      ROUTE_LIST.map((r) => ({ method: r.method, path: r.path, handler: groups[r.group], auth: r.auth })),
    );

    this.jobs = new ScheduledJobs(this, 'Jobs', { config, table, bus });

    // Events come from the committed data: the table's stream -> ledger-stream -> the bus.
    this.ledgerStream = new LedgerStream(this, 'LedgerStream', { config, table, bus });

    this.purchaseCompletedRule = new events.Rule(this, 'PurchaseCompletedRule', {
      description: 'Purchase Completed / Purchase Returned / Engagement Recorded -> purchase-consumer',
      eventBus: bus,
      eventPattern: { detailType: INBOUND_DETAIL_TYPES },
    });
    this.purchaseCompletedRule.addTarget(
      new targets.LambdaFunction(purchaseConsumer.fn, {
        deadLetterQueue: this.purchaseConsumerDlq.queue,
        retryAttempts: 4,
        maxEventAge: Duration.hours(2),
      }),
    );
    (this.purchaseCompletedRule.node.defaultChild as events.CfnRule).addMetadata(RULE_TARGETS_METADATA, [
      purchaseConsumer.entry,
    ]);

    // Last, so it finds every alarm the constructs above made.
    this.alarms = new AlarmTopic(this, 'Alarms', { email: props.alarmEmail, retain: config.retainData });
    this.alarms.watch(this);

    new CfnOutput(this, 'ApiUrl', { value: this.api.url });
    // What the operator CLI attaches each program's usage plan to (`program sync --aws`).
    new CfnOutput(this, 'RestApiId', { value: this.api.api.restApiId });
    new CfnOutput(this, 'ApiStageName', { value: this.api.api.deploymentStage.stageName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
    for (const [key, f] of Object.entries(this.functions)) {
      new CfnOutput(this, `${key.charAt(0).toUpperCase()}${key.slice(1)}FunctionName`, { value: f.functionName });
    }
    new CfnOutput(this, 'PurchaseConsumerDlqUrl', { value: this.purchaseConsumerDlq.queue.queueUrl });
    new CfnOutput(this, 'ConnectorsWorkerDlqUrl', { value: this.connectors.dlq.queue.queueUrl });
    new CfnOutput(this, 'LedgerStreamDlqUrl', { value: this.ledgerStream.dlq.queue.queueUrl });
    new CfnOutput(this, 'LedgerStreamFunctionName', { value: this.ledgerStream.consumer.functionName });
  }
}
