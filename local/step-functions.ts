// Step Functions for the embedded run and the tests: the state machines are read from the
// synthesized template (AWS::StepFunctions::StateMachine, DefinitionString resolved) and run with
// aws-local-stepfunctions. Every Lambda Task state is overridden by the handler module of the
// function its Resource (or Parameters.FunctionName) names, found through the function's
// `loyalty:entry` Metadata, so what runs is the CDK definition itself, not a copy.
//
// Supported task resources, as AWS runs them:
//   - a Lambda ARN (LambdaInvoke payloadResponseOnly): the handler's result is the task result;
//   - arn:aws:states:::lambda:invoke: the result is { Payload, StatusCode, ExecutedVersion };
//   - arn:aws:states:::lambda:invoke.waitForTaskToken: the handler runs, then the task waits for
//     SendTaskSuccess / SendTaskFailure with the execution's `$$.Task.Token` (or its TimeoutSeconds).
// A handler error reaches Retry/Catch as AWS reports it: Error = its errorType (error.name), Cause =
// {"errorType","errorMessage"} JSON; a handler that runs past the function timeout is Sandbox.Timedout.
import { randomUUID } from 'node:crypto';
import { invokeLambda, LambdaTimeoutError, type LoadHandler } from './http-gateway';
import { type CfnTemplate, type LambdaFunctionModel, LOCAL_ACCOUNT, TemplateSet } from './template';

// aws-local-stepfunctions 3 calls Promise.withResolvers (Node >= 22) in every Task state; on Node 20
// every task would fail with a TypeError that a Catch on States.ALL would quietly turn into a
// compensation. Install it before the library ever runs.
if (typeof (Promise as unknown as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(this: PromiseConstructor) {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new this<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

export const STATE_MACHINE_TYPE = 'AWS::StepFunctions::StateMachine';

type Json = any;

export interface TaskBinding {
  state: string;
  kind: 'lambda' | 'lambda-invoke' | 'lambda-wait';
  function: LambdaFunctionModel;
}

export interface StateMachineModel {
  stackName: string;
  logicalId: string;
  name: string;
  arn: string;
  type: 'STANDARD' | 'EXPRESS';
  /** The ASL as synthesized, intrinsics resolved. */
  definition: Json;
  tasks: TaskBinding[];
  metadata: Record<string, unknown>;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  input: Json;
  output?: Json;
  error?: string;
  cause?: string;
  startDate: Date;
  stopDate?: Date;
  /** Every task invocation, in order: which state, which attempt, how it ended. */
  tasks: { state: string; attempt: number; outcome: 'succeeded' | 'failed'; error?: string }[];
}

/** Wraps each task invocation: tests use it to fail a step before or after its handler ran. */
export type TaskInterceptor = (
  ctx: { machine: StateMachineModel; state: string; attempt: number; payload: Json; execution: ExecutionRecord },
  invoke: () => Promise<Json>,
) => Promise<Json>;

export class StepFunctionsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export interface LocalStepFunctionsOptions {
  templates: Record<string, CfnTemplate>;
  functions: LambdaFunctionModel[];
  loadHandler: LoadHandler;
  region?: string;
  /**
   * Pause before each retry, instead of the definition's IntervalSeconds/BackoffRate (the retry counts still apply).
   */
  retryIntervalMs?: number;
  intercept?: TaskInterceptor;
  log?: (line: string) => void;
  logError?: (message: string, error: unknown) => void;
}

export interface LocalStepFunctions {
  machines: StateMachineModel[];
  /** Environment variables whose template value references a state machine, bound to its local ARN. */
  environment: Record<string, string>;
  warnings: string[];
  startExecution(stateMachineArn: string, input: Json, name?: string): { executionArn: string; startDate: Date };
  startSyncExecution(stateMachineArn: string, input: Json, name?: string): Promise<ExecutionRecord>;
  describeExecution(executionArn: string): ExecutionRecord;
  /** Resolves when the execution has stopped (at once if it has). */
  waitForExecution(executionArn: string): Promise<ExecutionRecord>;
  executions(): ExecutionRecord[];
  sendTaskSuccess(taskToken: string, output: Json): void;
  sendTaskFailure(taskToken: string, error?: string, cause?: string): void;
  sendTaskHeartbeat(taskToken: string): void;
  /** Fails every task waiting for a callback and aborts running executions. */
  close(): Promise<void>;
}

const LAMBDA_ARN = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/;
const LAMBDA_INVOKE = /^arn:[^:]+:states:::lambda:invoke(\.waitForTaskToken)?$/;

/** Every Task state, nested ones (Parallel branches, Map iterators) included. */
function taskStates(states: Record<string, Json>): [string, Json][] {
  return Object.entries(states).flatMap(([name, s]) => [
    ...(s.Type === 'Task' ? [[name, s] as [string, Json]] : []),
    ...(s.Branches ?? []).flatMap((b: Json) => taskStates(b.States ?? {})),
    ...[s.Iterator, s.ItemProcessor].filter(Boolean).flatMap((p: Json) => taskStates(p.States ?? {})),
  ]);
}

/**
 * The state machines of the templates, with each Lambda task bound to the function model (and so to its handler
 * module).
 */
export function extractStateMachines(
  templates: Record<string, CfnTemplate>,
  functions: LambdaFunctionModel[],
  region = 'us-east-1',
) {
  const set = new TemplateSet(templates, region);
  const warnings: string[] = [];
  const byName = new Map(functions.map((f) => [f.functionName, f]));
  const machines: StateMachineModel[] = [];
  const arnOf = new Map<string, string>();

  for (const { stackName, logicalId, resource } of set.resources(STATE_MACHINE_TYPE)) {
    const p = resource.Properties ?? {};
    const name = p.StateMachineName ? String(set.resolve(p.StateMachineName, stackName)) : logicalId;
    const arn = `arn:aws:states:${region}:${LOCAL_ACCOUNT}:stateMachine:${name}`;
    arnOf.set(`${stackName}/${logicalId}`, arn);
    const raw = p.DefinitionString ?? p.Definition;
    const definition =
      typeof raw === 'object' && !('Fn::Join' in raw) && !('Fn::Sub' in raw)
        ? set.resolve(raw, stackName)
        : JSON.parse(String(set.resolve(raw, stackName)));
    const tasks: TaskBinding[] = [];
    for (const [state, s] of taskStates(definition.States ?? {})) {
      const resourceArn = String(s.Resource ?? '');
      const invoke = LAMBDA_INVOKE.exec(resourceArn);
      const target = invoke ? String(s.Parameters?.FunctionName ?? '') : resourceArn;
      const fnName = LAMBDA_ARN.exec(target)?.[1] ?? target;
      const fn = byName.get(fnName);
      if (!fn || (!invoke && !LAMBDA_ARN.test(resourceArn))) {
        warnings.push(
          `${name}/${state}: task resource ${resourceArn} is not a Lambda function of the templates; it fails locally`,
        );
        continue;
      }
      tasks.push({ state, kind: invoke ? (invoke[1] ? 'lambda-wait' : 'lambda-invoke') : 'lambda', function: fn });
    }
    machines.push({
      stackName,
      logicalId,
      name,
      arn,
      type: p.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
      definition,
      tasks,
      metadata: resource.Metadata ?? {},
    });
  }

  // Functions get the ARN of a state machine through an environment variable (a Ref in the template).
  const environment: Record<string, string> = {};
  for (const { stackName, resource } of set.resources('AWS::Lambda::Function')) {
    for (const [key, value] of Object.entries<unknown>(resource.Properties?.Environment?.Variables ?? {})) {
      if (typeof value !== 'object') continue;
      const ref = set.referencedResource(value, stackName);
      if (ref?.resource.Type === STATE_MACHINE_TYPE) environment[key] = arnOf.get(`${ref.stackName}/${ref.logicalId}`)!;
    }
  }
  return { machines, environment, warnings };
}

interface Waiter {
  executionArn: string;
  resolve(output: Json): void;
  reject(err: Error): void;
}

export async function createLocalStepFunctions(opts: LocalStepFunctionsOptions): Promise<LocalStepFunctions> {
  const { StateMachine, ExecutionTimeoutError, ExecutionAbortedError } = await import('aws-local-stepfunctions');
  const region = opts.region ?? 'us-east-1';
  const log = opts.log ?? (() => {});
  const { machines, environment, warnings } = extractStateMachines(opts.templates, opts.functions, region);
  const byArn = new Map(machines.map((m) => [m.arn, m]));
  const executions = new Map<string, ExecutionRecord & { done: Promise<void>; abort?: () => void }>();
  const waiters = new Map<string, Waiter>();
  const compiled = new Map(
    machines.map((m) => [
      m.arn,
      new StateMachine(m.definition, { validationOptions: { checkArn: true, checkPaths: true } }),
    ]),
  );

  const lambdaError = (err: unknown): Error => {
    const errorType =
      err instanceof LambdaTimeoutError ? 'Sandbox.Timedout' : err instanceof Error ? err.name || 'Error' : 'Error';
    const errorMessage = err instanceof Error ? err.message : String(err);
    const e = new Error(JSON.stringify({ errorType, errorMessage }));
    e.name = errorType;
    return e;
  };

  const overridesFor = (m: StateMachineModel, exec: ExecutionRecord, taskToken: string) => {
    const attempts = new Map<string, number>();
    const handlers: Record<string, (input: Json) => Promise<Json>> = {};
    for (const task of m.tasks) {
      handlers[task.state] = async (input: Json) => {
        const attempt = (attempts.get(task.state) ?? 0) + 1;
        attempts.set(task.state, attempt);
        const payload = task.kind === 'lambda' ? input : input?.Payload;
        const call = async () => {
          try {
            return await invokeLambda(task.function, opts.loadHandler, payload ?? {}, { region });
          } catch (err) {
            throw lambdaError(err);
          }
        };
        const run = () =>
          opts.intercept
            ? opts.intercept({ machine: m, state: task.state, attempt, payload, execution: exec }, call)
            : call();
        try {
          const result = await run();
          let out: Json;
          if (task.kind === 'lambda') out = result ?? null;
          else if (task.kind === 'lambda-invoke')
            out = { ExecutedVersion: '$LATEST', Payload: result ?? null, StatusCode: 200 };
          else {
            out = await new Promise<Json>((resolve, reject) =>
              waiters.set(taskToken, { executionArn: exec.executionArn, resolve, reject }),
            );
          }
          exec.tasks.push({ state: task.state, attempt, outcome: 'succeeded' });
          return out;
        } catch (err) {
          exec.tasks.push({ state: task.state, attempt, outcome: 'failed', error: (err as Error).name });
          throw err;
        } finally {
          if (task.kind === 'lambda-wait' && waiters.get(taskToken)?.executionArn === exec.executionArn)
            waiters.delete(taskToken);
        }
      };
    }
    return handlers;
  };

  const retryOverrides = (m: StateMachineModel) => {
    if (opts.retryIntervalMs === undefined) return undefined;
    const all = (states: Record<string, Json>): string[] =>
      Object.entries(states).flatMap(([n, s]) => [
        ...(s.Retry ? [n] : []),
        ...(s.Branches ?? []).flatMap((b: Json) => all(b.States ?? {})),
        ...[s.Iterator, s.ItemProcessor].filter(Boolean).flatMap((p: Json) => all(p.States ?? {})),
      ]);
    return Object.fromEntries(all(m.definition.States ?? {}).map((n) => [n, opts.retryIntervalMs!]));
  };

  const start = (stateMachineArn: string, input: Json, name?: string) => {
    const m = byArn.get(stateMachineArn);
    if (!m)
      throw new StepFunctionsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    const execName = name ?? randomUUID();
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(execName))
      throw new StepFunctionsError('InvalidName', `Invalid Name: '${execName}'`);
    const express = m.type === 'EXPRESS';
    const executionArn =
      `arn:aws:states:${region}:${LOCAL_ACCOUNT}:${express ? 'express' : 'execution'}:${m.name}:${execName}` +
      (express ? `:${randomUUID()}` : '');
    if (m.type === 'STANDARD') {
      const existing = executions.get(executionArn);
      // AWS: the same name and input while it runs is the same execution; anything else is refused.
      if (existing && existing.status === 'RUNNING' && JSON.stringify(existing.input) === JSON.stringify(input))
        return existing;
      if (existing)
        throw new StepFunctionsError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const taskToken = `local-token-${randomUUID()}`;
    const record: ExecutionRecord & { done: Promise<void>; abort?: () => void } = {
      executionArn,
      stateMachineArn,
      name: execName,
      status: 'RUNNING',
      input,
      startDate: new Date(),
      tasks: [],
      done: Promise.resolve(),
    };
    executions.set(executionArn, record);
    const execution = compiled.get(stateMachineArn)!.run(input, {
      overrides: {
        taskResourceLocalHandlers: overridesFor(m, record, taskToken) as never,
        retryIntervalOverrides: retryOverrides(m),
      },
      context: {
        Execution: {
          Id: executionArn,
          Name: execName,
          RoleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/${m.logicalId}Role`,
        },
        StateMachine: { Id: stateMachineArn, Name: m.name },
        Task: { Token: taskToken },
      },
    });
    record.abort = execution.abort;
    record.done = execution.result.then(
      (output: Json) => {
        Object.assign(record, { status: 'SUCCEEDED', output, stopDate: new Date() });
      },
      (err: Error) => {
        const inner = (err as { cause?: Error }).cause;
        if (err instanceof ExecutionTimeoutError)
          Object.assign(record, {
            status: 'TIMED_OUT',
            error: 'States.Timeout',
            cause: 'The execution timed out',
            stopDate: new Date(),
          });
        else if (err instanceof ExecutionAbortedError)
          Object.assign(record, { status: 'ABORTED', stopDate: new Date() });
        else
          Object.assign(record, {
            status: 'FAILED',
            error: inner?.name ?? err.name,
            cause: inner?.message ?? err.message,
            stopDate: new Date(),
          });
        if (record.status === 'FAILED') log(`execution ${m.name}:${execName} FAILED ${record.error}: ${record.cause}`);
      },
    );
    return record;
  };

  const waiter = (token: string) => {
    const w = waiters.get(token);
    if (!w) throw new StepFunctionsError('TaskDoesNotExist', 'Task Does Not Exist');
    waiters.delete(token);
    return w;
  };

  const publicRecord = (r: ExecutionRecord): ExecutionRecord => {
    const { done: _done, abort: _abort, ...rest } = r as ExecutionRecord & { done?: unknown; abort?: unknown };
    return rest;
  };

  return {
    machines,
    environment,
    warnings,
    startExecution(stateMachineArn, input, name) {
      const r = start(stateMachineArn, input, name);
      return { executionArn: r.executionArn, startDate: r.startDate };
    },
    async startSyncExecution(stateMachineArn, input, name) {
      const m = byArn.get(stateMachineArn);
      if (m && m.type !== 'EXPRESS')
        throw new StepFunctionsError(
          'StateMachineTypeNotSupported',
          'This operation is only supported by EXPRESS state machines',
        );
      const r = start(stateMachineArn, input, name);
      await r.done;
      return publicRecord(r);
    },
    describeExecution(executionArn) {
      const r = executions.get(executionArn);
      if (!r) throw new StepFunctionsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
      return publicRecord(r);
    },
    async waitForExecution(executionArn) {
      const r = executions.get(executionArn);
      if (!r) throw new StepFunctionsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
      await r.done;
      return publicRecord(r);
    },
    executions: () => [...executions.values()].map(publicRecord),
    sendTaskSuccess(token, output) {
      waiter(token).resolve(output);
    },
    sendTaskFailure(token, error = 'States.TaskFailed', cause = '') {
      const e = new Error(cause);
      e.name = error;
      waiter(token).reject(e);
    },
    sendTaskHeartbeat(token) {
      if (!waiters.has(token)) throw new StepFunctionsError('TaskDoesNotExist', 'Task Does Not Exist');
    },
    async close() {
      // Abort first: a task failing after its execution was aborted does not lead to any further state (no compensation
      // on shutdown).
      for (const r of executions.values()) if (r.status === 'RUNNING') r.abort?.();
      for (const [token, w] of [...waiters]) {
        waiters.delete(token);
        const e = new Error('The local Step Functions runner stopped');
        e.name = 'States.Runtime';
        w.reject(e);
      }
      await Promise.allSettled([...executions.values()].map((r) => r.done));
    },
  };
}
