import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { JobName } from '../../core/jobs/use-cases/context';
import type { Stage, StageConfig } from '../config';
import { BUSINESS_METRICS, LoyaltyFunction, retentionDays } from './loyalty-function';

/** CloudFormation Metadata on the jobs state machine: the job names it runs (the local runner finds it by this). */
export const JOBS_METADATA = 'loyalty:jobs';

/**
 * When each job runs (EventBridge Scheduler, UTC). Expiry instants and review ends fall at any
 * hour of the day in the programs' time zones, so the ledger jobs run hourly; notices once a day.
 * Each run is "as of" its scheduled time.
 */
export const JOB_SCHEDULES = {
  activate: { cron: 'cron(0 * * * ? *)', description: 'Pending points whose return window ended become available' },
  expire: {
    cron: 'cron(5 * * * ? *)',
    description: 'Lots past their expiry date, and members past their inactivity deadline',
  },
  review: { cron: 'cron(10 * * * ? *)', description: 'Tier reviews that came due (downgrades under the grace policy)' },
  notify: { cron: 'cron(0 9 * * ? *)', description: 'Points Expiring notices and Tier Downgrade Warnings' },
  outbox: { cron: 'cron(30 * * * ? *)', description: 'Events a crashed run recorded but did not publish' },
  // Every 5 minutes: an instant redemption is overdue 10 minutes after it was requested, so a
  // stuck one holds its points and stock for 15 minutes at most.
  sweep: {
    cron: 'cron(2/5 * * * ? *)',
    description: 'Redemptions left open past their deadline: give back what they hold (or complete them)',
  },
} as const satisfies Record<JobName, { cron: string; description: string }>;
export type ScheduledJob = keyof typeof JOB_SCHEDULES;

export interface ScheduledJobsProps {
  readonly config: StageConfig & { readonly stage: Stage };
  readonly table: dynamodb.ITableV2;
  readonly bus: events.IEventBus;
  /** Parallel workers per run (Map MaxConcurrency). @default 10 */
  readonly maxConcurrency?: number;
}

/**
 * The scheduled jobs of tiers, expiry and redemptions. One Standard state machine runs any job:
 *
 *   Plan (which days x shards of the due index, in batches)
 *     -> FanOut: Map over batches { Work -> done? ; else Work again with the returned cursor }
 *     -> Finish (save where the next run starts)
 *
 * Workers stop before their time runs out and hand a cursor to the next invocation, so a run of
 * any size finishes within Lambda's limits; handled entries leave the index, so a retried or
 * re-run batch resumes instead of repeating. One schedule per job starts it with
 * `{ job, asOf: <scheduled time> }`.
 */
export class ScheduledJobs extends Construct {
  readonly planner: LoyaltyFunction;
  readonly worker: LoyaltyFunction;
  readonly stateMachine: sfn.StateMachine;
  readonly schedules: Record<ScheduledJob, scheduler.Schedule>;
  /** RedemptionsSwept > 0: the sweeper closed a redemption whose saga stopped. */
  readonly sweptAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ScheduledJobsProps) {
    super(scope, id);
    const { config, table, bus } = props;

    this.planner = new LoyaltyFunction(this, 'Planner', {
      name: 'job-planner',
      config,
      description: 'Scheduled jobs: plans a run over the due-date index and saves its checkpoint',
      timeout: Duration.seconds(60),
    }).bindTable(table, 'RW');
    this.worker = new LoyaltyFunction(this, 'Worker', {
      name: 'job-worker',
      config,
      description: 'Scheduled jobs: activates, expires, reviews, notifies, sweeps one batch of due-index partitions',
      timeout: Duration.minutes(5),
    })
      .bindTable(table, 'RW')
      .bindBus(bus);

    const definition = new Construct(this, 'Definition');
    const plan = new tasks.LambdaInvoke(definition, 'Plan', {
      lambdaFunction: this.planner.fn,
      payload: sfn.TaskInput.fromObject({ step: 'plan', run: sfn.JsonPath.entirePayload }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
    });
    const work = new tasks.LambdaInvoke(definition, 'Work', {
      lambdaFunction: this.worker.fn,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      comment: 'Returns { done: true, totals } or, out of time, the same batch with a cursor',
    });
    const finish = new tasks.LambdaInvoke(definition, 'Finish', {
      lambdaFunction: this.planner.fn,
      payload: sfn.TaskInput.fromObject({ step: 'finish', run: sfn.JsonPath.entirePayload }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
    });
    // Any failure is retried: a retried batch re-reads its partitions, where only unhandled entries are left.
    for (const task of [plan, work, finish]) {
      task.addRetry({
        errors: ['States.ALL'],
        interval: Duration.seconds(2),
        backoffRate: 2,
        maxAttempts: 4,
        maxDelay: Duration.seconds(30),
        jitterStrategy: sfn.JitterType.FULL,
      });
    }
    const batchDone = new sfn.Choice(definition, 'BatchDone')
      .when(sfn.Condition.booleanEquals('$.done', true), new sfn.Succeed(definition, 'Batch finished'))
      .otherwise(work);
    const fanOut = new sfn.Map(definition, 'FanOut', {
      itemsPath: '$.batches',
      maxConcurrency: props.maxConcurrency ?? 10,
      itemSelector: {
        job: sfn.JsonPath.stringAt('$.job'),
        asOf: sfn.JsonPath.stringAt('$.asOf'),
        runId: sfn.JsonPath.stringAt('$.runId'),
        settings: sfn.JsonPath.objectAt('$.settings'),
        ranges: sfn.JsonPath.objectAt('$$.Map.Item.Value.ranges'),
      },
      resultPath: '$.results',
    });
    fanOut.itemProcessor(work.next(batchDone));

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: retentionDays(config.logRetentionDays),
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: `${config.prefix}-loyalty-jobs`,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(plan.next(fanOut).next(finish)),
      timeout: Duration.hours(12),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      comment: 'Tiers and expiry jobs: plan -> fan out over the due-date index -> checkpoint',
    });
    (this.stateMachine.node.defaultChild as sfn.CfnStateMachine).addMetadata(JOBS_METADATA, Object.keys(JOB_SCHEDULES));

    this.schedules = Object.fromEntries(
      (Object.entries(JOB_SCHEDULES) as [ScheduledJob, (typeof JOB_SCHEDULES)[ScheduledJob]][]).map(([job, s]) => [
        job,
        new scheduler.Schedule(this, `${job[0]!.toUpperCase()}${job.slice(1)}Schedule`, {
          description: s.description,
          schedule: scheduler.ScheduleExpression.expression(s.cron),
          target: new schedulerTargets.StepFunctionsStartExecution(this.stateMachine, {
            input: scheduler.ScheduleTargetInput.fromObject({ job, asOf: scheduler.ContextAttribute.scheduledTime }),
            retryAttempts: 3,
            maxEventAge: Duration.hours(1),
          }),
        }),
      ]),
    ) as Record<ScheduledJob, scheduler.Schedule>;

    // A failed or timed-out run saved no checkpoint: the next run resumes it. Someone should still look.
    for (const [metric, what] of [
      [this.stateMachine.metricFailed(), 'Failed'],
      [this.stateMachine.metricTimedOut(), 'TimedOut'],
    ] as const) {
      metric
        .with({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM })
        .createAlarm(this, `Run${what}Alarm`, {
          alarmDescription:
            `A scheduled job run ${what === 'Failed' ? 'failed' : 'timed out'}. The next run ` +
            `resumes from the saved checkpoint; look at the execution's failed batch (job-worker logs: "job entry ` +
            `failed").`,
          threshold: 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
    }

    // The sweeper acting means a redemption saga stopped before it ended (a crash, a compensation that
    // could not finish): the member got their points back, but the cause is worth finding.
    this.sweptAlarm = new cloudwatch.Metric({
      namespace: BUSINESS_METRICS.namespace,
      metricName: 'RedemptionsSwept',
      dimensionsMap: { service: BUSINESS_METRICS.service },
      period: Duration.minutes(5),
      statistic: cloudwatch.Stats.SUM,
    }).createAlarm(this, 'RedemptionsSweptAlarm', {
      alarmDescription:
        'The sweeper closed redemptions left open past their deadline: their sagas stopped before they ended ' +
        '(points and stock are back, or a partner-confirmed one was completed). Find them in the job-worker logs ' +
        '("redemption swept"), then why their executions failed (the redemption state machines\' failed ' +
        'executions and redemption-steps logs).',
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const v = Validations.of(this.stateMachine.role);
    for (const f of [this.planner, this.worker]) {
      v.acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${f.logicalId}.Arn>:*]`,
        reason:
          `CDK grants lambda:InvokeFunction on ${f.entry} and its versions/aliases (ARN:*); the jobs state ` +
          `machine invokes nothing else.`,
      });
    }
    v.acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'CloudWatch Logs vended delivery (logs:CreateLogDelivery, ...) and X-Ray (PutTraceSegments, ...) have no ' +
        'resource-level permissions; "*" is the only valid resource.',
    });

    new CfnOutput(Stack.of(this), 'JobsStateMachineArn', { value: this.stateMachine.stateMachineArn });
  }
}
