import { CfnOutput, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { WORKFLOW_ENV } from '../../adapters/stepfunctions/workflows';
import { type FulfilmentFlow, SAGA_ERRORS, type SagaStep } from '../../core/rewards/domain/rewards';
import { PARTNER_EXECUTION_DAYS, PARTNER_FULFILMENT_DAYS } from '../../core/rewards/domain/sweep';
import type { Stage, StageConfig } from '../config';
import { LoyaltyFunction, retentionDays } from './loyalty-function';

/** CloudFormation Metadata on each state machine: `{ name, flow }` (the local runner reads the definition itself). */
export const STATE_MACHINE_METADATA = 'loyalty:state-machine';

export interface RedemptionsProps {
  readonly config: StageConfig & { readonly stage: Stage };
  readonly table: dynamodb.ITableV2;
}

/** Errors worth another attempt: Lambda's own, throttling, timeouts, and what the step function calls transient. */
const TRANSIENT_ERRORS = [
  'Lambda.TooManyRequestsException',
  'Lambda.ThrottlingException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.Unknown',
  // The function ran past its timeout (it may have committed: the retried step finds its own write).
  'Sandbox.Timedout',
  'States.Timeout',
  SAGA_ERRORS.transient,
];

/**
 * Rewards and redemptions: the catalog, member and partner APIs, and the redemption saga as two
 * state machines over one step function. Instant rewards run the Express machine synchronously
 * from the API (the code comes back in the response); partner rewards run the Standard machine,
 * which waits on a task token until the partner confirms. In both, a failure after a reservation
 * runs the compensation, which gives everything back and records why. A redemption holds its points
 * and stock from its creation, so the reserve steps find nothing to do (they still reserve for a
 * redemption created without them); issuing completes an instant redemption in the same write.
 *
 *   ReservePoints -> [stock tracked?] ReserveStock -> Issue ----------------------------> Completed
 *                                                  \-> AwaitFulfilment -> Confirm ------/
 *        \______________________\_____________________\________________\__ Catch -> Compensate -> Compensated
 */
export class Redemptions extends Construct {
  readonly steps: LoyaltyFunction;
  readonly redemptionsApi: LoyaltyFunction;
  readonly adminApi: LoyaltyFunction;
  readonly couponsApi: LoyaltyFunction;
  readonly instant: sfn.StateMachine;
  readonly fulfilment: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: RedemptionsProps) {
    super(scope, id);
    const { config, table } = props;
    const fn = (name: string, fid: string, description: string, timeout = Duration.seconds(10)) =>
      new LoyaltyFunction(this, fid, { name, config, description, timeout });

    this.steps = fn(
      'redemption-steps',
      'Steps',
      'Redemption saga steps: reserve points and stock, issue, confirm, compensate',
    ).bindTable(table, 'RW');
    // Waits for the Express execution of instant rewards: below API Gateway's 29 s.
    this.redemptionsApi = fn(
      'redemptions-api',
      'RedemptionsApi',
      'Member rewards, redemptions, cancellation, partner fulfilment',
      Duration.seconds(28),
    ).bindTable(table, 'RW');
    this.adminApi = fn('rewards-admin-api', 'AdminApi', 'Rewards catalog admin and donation report').bindTable(
      table,
      'RW',
    );
    this.couponsApi = fn('coupons-api', 'CouponsApi', 'Coupon check and use, for partners').bindTable(table, 'RW');

    this.instant = this.stateMachine('Instant', 'instant', config, sfn.StateMachineType.EXPRESS, Duration.seconds(25));
    // How long a partner has to confirm, and the execution's own limit: domain constants, because the
    // sweeper looks at a redemption still waiting only once its execution must have ended.
    this.fulfilment = this.stateMachine(
      'Fulfilment',
      'partner',
      config,
      sfn.StateMachineType.STANDARD,
      Duration.days(PARTNER_EXECUTION_DAYS),
      Duration.days(PARTNER_FULFILMENT_DAYS),
    );

    this.instant.grantStartSyncExecution(this.redemptionsApi);
    this.fulfilment.grantStartExecution(this.redemptionsApi);
    this.fulfilment.grantTaskResponse(this.redemptionsApi);
    this.redemptionsApi.fn.addEnvironment(WORKFLOW_ENV.instant, this.instant.stateMachineArn);
    this.redemptionsApi.fn.addEnvironment(WORKFLOW_ENV.fulfilment, this.fulfilment.stateMachineArn);

    new CfnOutput(this, 'InstantStateMachineArn', { value: this.instant.stateMachineArn });
    new CfnOutput(this, 'FulfilmentStateMachineArn', { value: this.fulfilment.stateMachineArn });
  }

  private stateMachine(
    id: string,
    flow: FulfilmentFlow,
    config: StageConfig & { stage: Stage },
    type: sfn.StateMachineType,
    timeout: Duration,
    fulfilmentTimeout?: Duration,
  ): sfn.StateMachine {
    const scope = new Construct(this, `${id}Definition`);
    const step = (stateId: string, stepName: SagaStep, resultPath: string, extra: Record<string, unknown> = {}) => {
      const task = new tasks.LambdaInvoke(scope, stateId, {
        lambdaFunction: this.steps.fn,
        payload: sfn.TaskInput.fromObject({
          step: stepName,
          redemption: sfn.JsonPath.objectAt('$.redemption'),
          ...extra,
        }),
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        resultPath,
        taskTimeout: sfn.Timeout.duration(Duration.seconds(15)),
      });
      return task;
    };
    const retryTransient = (task: sfn.TaskStateBase) =>
      task.addRetry({
        errors: TRANSIENT_ERRORS,
        interval: Duration.seconds(1),
        backoffRate: 2,
        maxAttempts: 3,
        maxDelay: Duration.seconds(4),
        jitterStrategy: sfn.JitterType.FULL,
      });

    // The compensation must finish: it retries on anything, for longer. If it still fails the
    // execution fails, which the ExecutionsFailed alarm reports (points would be held, not lost).
    const compensate = step('Compensate', 'compensate', '$.outcome', { error: sfn.JsonPath.objectAt('$.error') });
    compensate.addRetry({
      errors: ['States.ALL'],
      interval: Duration.seconds(1),
      backoffRate: 2,
      maxAttempts: 6,
      maxDelay: Duration.seconds(10),
      jitterStrategy: sfn.JitterType.FULL,
    });
    const compensated = new sfn.Succeed(scope, 'Compensated', {
      outputPath: '$.outcome',
      comment: 'Everything reserved was given back; the redemption is failed (or was cancelled).',
    });
    compensate.next(compensated);

    const forward = (task: sfn.TaskStateBase) => {
      task.addCatch(compensate, { errors: ['States.ALL'], resultPath: '$.error' });
      return task;
    };

    const reservePoints = forward(retryTransient(step('ReservePoints', 'reservePoints', '$.reserved')));
    const reserveStock = forward(retryTransient(step('ReserveStock', 'reserveStock', '$.stock')));
    const completed = new sfn.Succeed(scope, 'Completed', { outputPath: '$.outcome' });

    let deliver: sfn.TaskStateBase;
    if (flow === 'instant') {
      // Issuing completes the redemption in the same write: its answer is the outcome.
      deliver = forward(retryTransient(step('Issue', 'issue', '$.outcome')));
      deliver.next(completed);
    } else {
      const wait = new tasks.LambdaInvoke(scope, 'AwaitFulfilment', {
        lambdaFunction: this.steps.fn,
        integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: sfn.TaskInput.fromObject({
          step: 'awaitFulfilment' satisfies SagaStep,
          redemption: sfn.JsonPath.objectAt('$.redemption'),
          taskToken: sfn.JsonPath.taskToken,
        }),
        retryOnServiceExceptions: false,
        resultPath: '$.partner',
        taskTimeout: sfn.Timeout.duration(fulfilmentTimeout!),
      });
      // Lambda could not take the token: try again. A partner's failure, a cancellation or the timeout go to the
      // compensation.
      wait.addRetry({
        errors: TRANSIENT_ERRORS.filter((e) => e !== 'States.Timeout'),
        interval: Duration.seconds(1),
        backoffRate: 2,
        maxAttempts: 3,
        maxDelay: Duration.seconds(4),
        jitterStrategy: sfn.JitterType.FULL,
      });
      deliver = forward(wait);
      deliver.next(forward(retryTransient(step('Confirm', 'confirm', '$.outcome'))).next(completed));
    }

    const stockTracked = new sfn.Choice(scope, 'StockTracked')
      .when(sfn.Condition.booleanEquals('$.redemption.stockTracked', true), reserveStock.next(deliver))
      .otherwise(deliver);
    const definition = reservePoints.next(stockTracked);

    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: retentionDays(config.logRetentionDays),
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const machine = new sfn.StateMachine(this, id, {
      stateMachineName: `${config.prefix}-redemption-${flow}`,
      stateMachineType: type,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout,
      tracingEnabled: true,
      // Execution data would put reward codes (bearer secrets) in the logs: events only.
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      comment: `Redemption saga (${flow} rewards)`,
    });
    (machine.node.defaultChild as sfn.CfnStateMachine).addMetadata(STATE_MACHINE_METADATA, {
      name: `redemption-${flow}`,
      flow,
    });

    // A failed or timed-out execution means its compensation could not finish: a redemption holds points or stock until
    // someone looks.
    for (const [metric, what] of [
      [machine.metricFailed(), 'failed'],
      [machine.metricTimedOut(), 'timed out'],
    ] as const) {
      metric
        .with({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM })
        .createAlarm(this, `${id}${what === 'failed' ? 'Failed' : 'TimedOut'}Alarm`, {
          alarmDescription:
            `A redemption-${flow} execution ${what}: its redemption may still hold points or ` +
            `stock. The sweep job gives them back once it is overdue (RedemptionsSwept follows); find why ` +
            `the execution stopped (its failed task, redemption-steps logs).`,
          threshold: 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
    }

    const v = Validations.of(machine.role);
    v.acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.steps.logicalId}.Arn>:*]`,
      reason:
        'CDK grants lambda:InvokeFunction on the step function and its versions/aliases (ARN:*); the state machine ' +
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
