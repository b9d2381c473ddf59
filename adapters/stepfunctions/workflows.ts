import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import type { RedemptionWorkflows } from '../../core/rewards/ports';

/** Environment the redemptions API reads (set by infra/constructs/redemptions.ts, or by local/start.ts). */
export const WORKFLOW_ENV = {
  instant: 'REDEMPTION_INSTANT_STATE_MACHINE_ARN',
  fulfilment: 'REDEMPTION_FULFILMENT_STATE_MACHINE_ARN',
  /** Local runs only: the embedded Step Functions endpoint (local/sfn-endpoint.ts). */
  endpoint: 'STEPFUNCTIONS_ENDPOINT',
} as const;

let client: SFNClient | undefined;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}

/** Created once per cold start, on first use (functions that never start a saga never read these variables). */
export function sfnClient(): SFNClient {
  if (!client) {
    const endpoint = process.env[WORKFLOW_ENV.endpoint] || undefined;
    client = new SFNClient({
      region: process.env.AWS_REGION ?? 'us-east-1',
      endpoint,
      // StartSyncExecution goes to the `sync-` host in AWS; a local endpoint has no such host.
      disableHostPrefix: !!endpoint,
      maxAttempts: 3,
      // A connection not up in 1 s will not come; no request timeout: a synchronous saga runs its course.
      requestHandler: { connectionTimeout: 1_000 },
      ...(endpoint && !process.env.AWS_ACCESS_KEY_ID
        ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
        : {}),
    });
  }
  return client;
}

const gone = (err: unknown) =>
  err instanceof TaskDoesNotExist || err instanceof TaskTimedOut || err instanceof InvalidToken;

export function stepFunctionsWorkflows(sfn: () => SFNClient = sfnClient): RedemptionWorkflows {
  return {
    async runInstant(input) {
      const out = await sfn().send(
        new StartSyncExecutionCommand({
          stateMachineArn: required(WORKFLOW_ENV.instant),
          name: input.redemption.redemptionId,
          input: JSON.stringify(input),
        }),
      );
      return {
        status: out.status ?? 'FAILED',
        output: out.output ? JSON.parse(out.output) : null,
        error: out.error,
        cause: out.cause,
        executionArn: out.executionArn,
      };
    },
    async startFulfilment(input) {
      try {
        const out = await sfn().send(
          new StartExecutionCommand({
            stateMachineArn: required(WORKFLOW_ENV.fulfilment),
            name: input.redemption.redemptionId,
            input: JSON.stringify(input),
          }),
        );
        return { executionArn: out.executionArn ?? null };
      } catch (err) {
        if (!(err instanceof ExecutionAlreadyExists)) throw err;
        // A replay of the same request. Still running: it is not started twice. Ended without
        // finishing the redemption (it is still pending): resume it in a new execution, since every
        // step is idempotent.
        const stateMachineArn = required(WORKFLOW_ENV.fulfilment);
        const executions = stateMachineArn.replace(':stateMachine:', ':execution:');
        const executionArn = `${executions}:${input.redemption.redemptionId}`;
        const { status } = await sfn().send(new DescribeExecutionCommand({ executionArn }));
        if (status === 'RUNNING' || status === 'PENDING_REDRIVE') return { executionArn: null };
        const resumed = await sfn().send(
          new StartExecutionCommand({
            stateMachineArn,
            name: `${input.redemption.redemptionId}-${Date.now().toString(36)}`,
            input: JSON.stringify(input),
          }),
        );
        return { executionArn: resumed.executionArn ?? null };
      }
    },
    async sendTaskSuccess(taskToken, output) {
      try {
        await sfn().send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
        return 'sent';
      } catch (err) {
        if (gone(err)) return 'gone';
        throw err;
      }
    },
    async sendTaskFailure(taskToken, error, cause) {
      try {
        await sfn().send(new SendTaskFailureCommand({ taskToken, error, cause }));
        return 'sent';
      } catch (err) {
        if (gone(err)) return 'gone';
        throw err;
      }
    },
  };
}
