import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { stepFunctionsWorkflows, WORKFLOW_ENV } from '../../adapters/stepfunctions/workflows';

process.env[WORKFLOW_ENV.fulfilment] = 'arn:aws:states:us-east-1:123456789012:stateMachine:Fulfilment';
const sfn = mockClient(SFNClient);
const workflows = stepFunctionsWorkflows(() => new SFNClient({ region: 'us-east-1' }));
const input = { redemption: { redemptionId: 'r-1' } } as never;
const exists = () => new ExecutionAlreadyExists({ message: 'exists', $metadata: {} });

describe('partner fulfilment executions', () => {
  it('a replay while the execution runs does not start a second one', async () => {
    sfn.reset();
    sfn.on(StartExecutionCommand).rejects(exists());
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    expect(await workflows.startFulfilment(input)).toEqual({ executionArn: null });
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]!.args[0].input.executionArn).toBe(
      'arn:aws:states:us-east-1:123456789012:execution:Fulfilment:r-1',
    );
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('a replay after the execution ended without finishing the redemption resumes it in a new execution', async () => {
    sfn.reset();
    sfn.on(StartExecutionCommand).rejectsOnce(exists()).resolves({ executionArn: 'arn:new' });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'FAILED' });
    expect(await workflows.startFulfilment(input)).toEqual({ executionArn: 'arn:new' });
    expect(sfn.commandCalls(StartExecutionCommand)[1]!.args[0].input.name).toMatch(/^r-1-[0-9a-z]+$/);
  });
});
