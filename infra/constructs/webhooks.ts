import { CfnOutput, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../adapters/eventbridge/publisher';
import { WEBHOOK_RUNS_ENV } from '../../adapters/stepfunctions/webhook-runs';
import type { Stage, StageConfig } from '../config';
import { DeadLetterQueue } from './dead-letter-queue';
import { LoyaltyFunction, retentionDays } from './loyalty-function';

export interface WebhooksProps {
  readonly config: StageConfig & { readonly stage: Stage };
  readonly table: dynamodb.ITableV2;
  readonly bus: events.IEventBus;
  readonly secretsKey: kms.IKey;
  /** CloudFormation Metadata naming the rule's Lambda targets (the local runtime reads it). */
  readonly ruleTargetsMetadata: string;
}

/**
 * Outbound webhooks (docs/integrations/webhooks.md). Every event we publish reaches `webhook-fanout`
 * through a rule (EventBridge retries for 24 h, Lambda twice more, then a DLQ with an alarm), which
 * writes one delivery per subscribed endpoint and starts its run: a Standard execution that calls
 * `webhook-delivery` for each attempt and waits, between attempts, until the time it answered. The
 * schedule lives in the function (WEBHOOK_RETRY_DELAYS_MS replaces it), the state in DynamoDB; the
 * execution is only the durable timer, so nothing polls and the cost follows the deliveries.
 *
 *   Attempt ──▶ Done? ── yes ──▶ Finished
 *      ▲           └─ no ──▶ WaitForNextAttempt (until $.nextAttemptAt) ──┐
 *      └───────────────────────────────────────────────────────────────┘
 */
export class Webhooks extends Construct {
  readonly api: LoyaltyFunction;
  readonly fanout: LoyaltyFunction;
  readonly delivery: LoyaltyFunction;
  readonly machine: sfn.StateMachine;
  readonly rule: events.Rule;
  readonly dlq: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: WebhooksProps) {
    super(scope, id);
    const { config, table, bus, secretsKey } = props;

    this.dlq = new DeadLetterQueue(this, 'FanoutDlq', {
      purpose: 'Published events that webhook-fanout could not turn into deliveries: no webhook was sent for them.',
    });
    this.api = new LoyaltyFunction(this, 'Api', {
      name: 'webhooks-api',
      config,
      description: 'Webhook endpoints admin: create, rotate, disable, deliveries, redeliver',
    })
      .bindTable(table, 'RW')
      .bindSecrets(secretsKey);
    this.fanout = new LoyaltyFunction(this, 'Fanout', {
      name: 'webhook-fanout',
      config,
      description: 'Published events -> one delivery (and its run) per subscribed webhook endpoint',
      timeout: Duration.seconds(30),
      deadLetterQueue: this.dlq.queue,
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    }).bindTable(table, 'RW');
    // 10 s for the target, the rest for the reads and the record.
    this.delivery = new LoyaltyFunction(this, 'Delivery', {
      name: 'webhook-delivery',
      config,
      description: 'One signed webhook POST, recorded; answers when to try again',
      timeout: Duration.seconds(25),
    })
      .bindTable(table, 'RW')
      .bindSecrets(secretsKey);

    this.machine = this.stateMachine(config);
    for (const starter of [this.api, this.fanout]) {
      this.machine.grantStartExecution(starter);
      starter.fn.addEnvironment(WEBHOOK_RUNS_ENV, this.machine.stateMachineArn);
    }

    this.rule = new events.Rule(this, 'Rule', {
      description: 'Every event we publish -> webhook-fanout',
      eventBus: bus,
      eventPattern: { source: [EVENT_SOURCE] },
    });
    this.rule.addTarget(
      new targets.LambdaFunction(this.fanout.fn, {
        deadLetterQueue: this.dlq.queue,
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
      }),
    );
    (this.rule.node.defaultChild as events.CfnRule).addMetadata(props.ruleTargetsMetadata, [this.fanout.entry]);

    new CfnOutput(this, 'DeliveryStateMachineArn', { value: this.machine.stateMachineArn });
    new CfnOutput(this, 'FanoutDlqUrl', { value: this.dlq.queue.queueUrl });
  }

  private stateMachine(config: StageConfig & { stage: Stage }): sfn.StateMachine {
    const scope = new Construct(this, 'Definition');
    const attempt = new tasks.LambdaInvoke(scope, 'Attempt', {
      lambdaFunction: this.delivery.fn,
      payload: sfn.TaskInput.fromObject({
        programId: sfn.JsonPath.stringAt('$.programId'),
        webhookId: sfn.JsonPath.stringAt('$.webhookId'),
        deliveryId: sfn.JsonPath.stringAt('$.deliveryId'),
        trigger: sfn.JsonPath.stringAt('$.trigger'),
        run: sfn.JsonPath.numberAt('$.run'),
      }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      taskTimeout: sfn.Timeout.duration(Duration.seconds(30)),
    });
    // The attempt itself never fails for what the target does (that is a recorded, failed attempt):
    // an error here is ours (DynamoDB, KMS), retried for about half an hour before the run fails.
    attempt.addRetry({
      errors: ['States.ALL'],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 10,
      maxDelay: Duration.minutes(5),
      jitterStrategy: sfn.JitterType.FULL,
    });
    const wait = new sfn.Wait(scope, 'WaitForNextAttempt', {
      time: sfn.WaitTime.timestampPath('$.nextAttemptAt'),
    });
    const finished = new sfn.Succeed(scope, 'Finished');
    const definition = attempt.next(
      new sfn.Choice(scope, 'Done')
        .when(sfn.Condition.booleanEquals('$.done', true), finished)
        .otherwise(wait.next(attempt)),
    );

    const logGroup = new logs.LogGroup(this, 'DeliveryLogs', {
      retention: retentionDays(config.logRetentionDays),
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const machine = new sfn.StateMachine(this, 'DeliveryRuns', {
      stateMachineName: `${config.prefix}-webhook-delivery`,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      // The default schedule spans at most 30.4 hours; a redelivery starts a run of its own.
      timeout: Duration.days(3),
      tracingEnabled: true,
      // Execution data holds event payloads (member ids): events only.
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      comment: 'One webhook delivery: attempts on the retry schedule until one succeeds or none is left',
    });

    machine
      .metricFailed({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM })
      .createAlarm(this, 'DeliveryRunsFailed', {
        alarmDescription:
          'A webhook delivery run failed on our side (DynamoDB or KMS errors through every retry): the delivery ' +
          'stays pending. Find the cause in webhook-delivery logs, then redeliver it (POST .../redeliver).',
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

    const v = Validations.of(machine.role);
    v.acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.delivery.logicalId}.Arn>:*]`,
      reason:
        'CDK grants lambda:InvokeFunction on webhook-delivery and its versions/aliases (ARN:*); the state machine ' +
        'can invoke nothing else.',
    });
    v.acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'CloudWatch Logs vended delivery (logs:CreateLogDelivery, ...) and X-Ray (PutTraceSegments, ...) have no ' +
        'resource-level permissions; "*" is the only valid resource.',
    });
    return machine;
  }
}
