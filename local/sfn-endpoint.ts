import type { RequestListener } from 'node:http';
import { awsError, readBody, reply } from './aws-json';
import { type ExecutionRecord, type LocalStepFunctions, StepFunctionsError } from './step-functions';

const seconds = (d: Date | undefined) => (d ? d.getTime() / 1000 : undefined);

function executionBody(r: ExecutionRecord) {
  return {
    executionArn: r.executionArn,
    stateMachineArn: r.stateMachineArn,
    name: r.name,
    status: r.status,
    startDate: seconds(r.startDate),
    ...(r.stopDate ? { stopDate: seconds(r.stopDate) } : {}),
    input: JSON.stringify(r.input),
    inputDetails: { included: true },
    ...(r.output !== undefined ? { output: JSON.stringify(r.output), outputDetails: { included: true } } : {}),
    ...(r.error ? { error: r.error } : {}),
    ...(r.cause !== undefined ? { cause: r.cause } : {}),
  };
}

function parseInput(raw: unknown): unknown {
  if (raw === undefined || raw === null || raw === '') return {};
  try {
    return JSON.parse(String(raw));
  } catch {
    throw new StepFunctionsError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not JSON');
  }
}

export function createSfnListener(
  sfn: LocalStepFunctions,
  opts: { logError?: (message: string, error: unknown) => void } = {},
): RequestListener {
  const logError = opts.logError ?? ((message, error) => console.error(message, error));
  const operations: Record<string, (body: any) => unknown | Promise<unknown>> = {
    StartExecution: (b) => {
      const r = sfn.startExecution(String(b.stateMachineArn ?? ''), parseInput(b.input), b.name);
      return { executionArn: r.executionArn, startDate: seconds(r.startDate) };
    },
    StartSyncExecution: async (b) =>
      executionBody(await sfn.startSyncExecution(String(b.stateMachineArn ?? ''), parseInput(b.input), b.name)),
    DescribeExecution: (b) => executionBody(sfn.describeExecution(String(b.executionArn ?? ''))),
    SendTaskSuccess: (b) => {
      sfn.sendTaskSuccess(String(b.taskToken ?? ''), parseInput(b.output));
      return {};
    },
    SendTaskFailure: (b) => {
      sfn.sendTaskFailure(String(b.taskToken ?? ''), b.error, b.cause);
      return {};
    },
    SendTaskHeartbeat: (b) => {
      sfn.sendTaskHeartbeat(String(b.taskToken ?? ''));
      return {};
    },
    ListStateMachines: () => ({
      stateMachines: sfn.machines.map((m) => ({ stateMachineArn: m.arn, name: m.name, type: m.type, creationDate: 0 })),
    }),
  };

  return (req, res) => {
    readBody(req)
      .then(async (text) => {
        if (req.method !== 'POST')
          return awsError(res, '1.0', 405, 'UnknownOperationException', `${req.method} is not supported`);
        const target = String(req.headers['x-amz-target'] ?? '');
        const op = operations[target.replace(/^AWSStepFunctions\./, '')];
        if (!target.startsWith('AWSStepFunctions.') || !op) {
          return awsError(
            res,
            '1.0',
            400,
            'UnknownOperationException',
            `Operation ${target || '(none)'} is not supported by the local Step Functions endpoint`,
          );
        }
        let body: unknown;
        try {
          body = JSON.parse(text || '{}');
        } catch {
          return awsError(res, '1.0', 400, 'SerializationException', 'Request body is not valid JSON');
        }
        try {
          reply(res, '1.0', 200, await op(body));
        } catch (err) {
          if (err instanceof StepFunctionsError) return awsError(res, '1.0', err.status, err.code, err.message);
          throw err;
        }
      })
      .catch((err) => {
        logError('Step Functions request failed', err);
        if (!res.headersSent)
          awsError(res, '1.0', 500, 'InternalFailure', 'Internal error in the local Step Functions endpoint');
      });
  };
}
