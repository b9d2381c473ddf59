import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AWAITING_DEADLINE_DAYS,
  PARTNER_EXECUTION_DAYS,
  PARTNER_FULFILMENT_DAYS,
} from '../../core/rewards/domain/sweep';
import { buildApp } from '../../infra/app';
import { extractStateMachines } from '../../local/step-functions';
import { extractModel } from '../../local/template';

type Resource = { Type: string; Properties: any; Metadata?: Record<string, any> };
let resources: Record<string, Resource>;
let machines: ReturnType<typeof extractStateMachines>['machines'];

beforeAll(() => {
  const { stateful, stateless } = buildApp({ stage: 'dev', skipBundling: true, nag: false });
  const templates = {
    [stateful.stackName]: Template.fromStack(stateful).toJSON(),
    [stateless.stackName]: Template.fromStack(stateless).toJSON(),
  };
  resources = templates[stateless.stackName]!.Resources;
  // The same reading of the template the local runner does: the ASL as deployed, references resolved.
  machines = extractStateMachines(templates, extractModel(templates).functions).machines.filter((m) =>
    m.name.includes('redemption'),
  );
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const fnId = (entry: string) =>
  ofType('AWS::Lambda::Function').find(([, r]) => r.Metadata?.['loyalty:entry'] === entry)![0];
const machine = (flow: 'instant' | 'partner') => machines.find((m) => m.name === `dev-redemption-${flow}`)!;
const statements = (roleId: string) =>
  ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);

describe('redemption state machines', () => {
  it(
    'instant rewards run an Express machine, partner rewards a Standard one, both logged (without execution data) ' +
      'and traced',
    () => {
      expect(machine('instant').type).toBe('EXPRESS');
      expect(machine('partner').type).toBe('STANDARD');
      for (const [id, sm] of ofType('AWS::StepFunctions::StateMachine').filter(
        ([, r]) => r.Metadata?.['loyalty:state-machine'],
      )) {
        expect(sm.Properties.LoggingConfiguration, id).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
        expect(sm.Properties.TracingConfiguration, id).toEqual({ Enabled: true });
      }
    },
  );

  it(
    'run reserve points -> (stock) -> issue (which completes) | wait for the partner -> confirm, every task on ' +
      'the one step function',
    () => {
      const steps = fnId('functions/redemption-steps.ts');
      for (const flow of ['instant', 'partner'] as const) {
        const m = machine(flow);
        expect(m.definition.StartAt).toBe('ReservePoints');
        expect(m.definition.States.ReservePoints.Next).toBe('StockTracked');
        expect(m.definition.States.StockTracked.Choices[0]).toMatchObject({
          Variable: '$.redemption.stockTracked',
          BooleanEquals: true,
          Next: 'ReserveStock',
        });
        const deliver = flow === 'instant' ? 'Issue' : 'AwaitFulfilment';
        expect(m.definition.States.StockTracked.Default).toBe(deliver);
        expect(m.definition.States.ReserveStock.Next).toBe(deliver);
        if (flow === 'instant') {
          expect(m.definition.States.Issue).toMatchObject({ ResultPath: '$.outcome', Next: 'Completed' });
          expect(m.definition.States).not.toHaveProperty('Confirm');
        } else {
          expect(m.definition.States[deliver].Next).toBe('Confirm');
          expect(m.definition.States.Confirm.Next).toBe('Completed');
        }
        expect(m.tasks.every((t) => t.function.logicalId === steps)).toBe(true);
      }
    },
  );

  it('every forward task retries throttling and transient errors with backoff, then compensates on any error', () => {
    for (const flow of ['instant', 'partner'] as const) {
      const states = machine(flow).definition.States;
      for (const name of [
        'ReservePoints',
        'ReserveStock',
        ...(flow === 'instant' ? ['Issue'] : ['AwaitFulfilment', 'Confirm']),
      ]) {
        const s = states[name];
        expect(s.TimeoutSeconds, name).toBeGreaterThan(0);
        const retry = s.Retry.find((r: any) => r.ErrorEquals.includes('Lambda.TooManyRequestsException'));
        expect(retry, name).toMatchObject({ BackoffRate: 2, JitterStrategy: 'FULL' });
        expect(retry.ErrorEquals, name).toEqual(
          expect.arrayContaining(['Lambda.ServiceException', 'Sandbox.Timedout', 'TransientError']),
        );
        expect(retry.ErrorEquals, name).not.toContain('InsufficientPoints');
        expect(s.Catch, name).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Compensate' }]);
      }
      expect(states.Compensate.Retry).toEqual([
        expect.objectContaining({ ErrorEquals: ['States.ALL'], MaxAttempts: 6 }),
      ]);
      expect(states.Compensate.Parameters).toEqual({
        step: 'compensate',
        'redemption.$': '$.redemption',
        'error.$': '$.error',
      });
      expect(states.Compensate.Next).toBe('Compensated');
    }
  });

  it(
    'the partner wait hands its task token to the step function and gives up after 14 days, without retrying the ' +
      'timeout',
    () => {
      const wait = machine('partner').definition.States.AwaitFulfilment;
      expect(wait.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
      expect(wait.Parameters.Payload).toEqual({
        step: 'awaitFulfilment',
        'redemption.$': '$.redemption',
        'taskToken.$': '$$.Task.Token',
      });
      expect(wait.TimeoutSeconds).toBe(14 * 86_400);
      expect(wait.Retry.flatMap((r: any) => r.ErrorEquals)).not.toContain('States.Timeout');
    },
  );

  it('the partner execution has ended before the sweeper looks at a redemption still waiting for its partner', () => {
    const { definition } = machine('partner');
    expect(definition.States.AwaitFulfilment.TimeoutSeconds).toBe(PARTNER_FULFILMENT_DAYS * 86_400);
    expect(definition.TimeoutSeconds).toBe(PARTNER_EXECUTION_DAYS * 86_400);
    expect(definition.TimeoutSeconds).toBeLessThan(AWAITING_DEADLINE_DAYS * 86_400);
  });

  it('alarm when an execution fails or times out (a compensation that could not finish)', () => {
    const ids = machines.map((m) => m.logicalId);
    const alarms = ofType('AWS::CloudWatch::Alarm').filter(
      ([, a]) => a.Properties.Namespace === 'AWS/States' && ids.includes(a.Properties.Dimensions?.[0]?.Value?.Ref),
    );
    expect(
      alarms
        .map(
          ([, a]) => `${a.Properties.Dimensions[0].Value.Ref} ${a.Properties.MetricName} > ${a.Properties.Threshold}`,
        )
        .sort(),
    ).toEqual(ids.flatMap((id) => [`${id} ExecutionsFailed > 0`, `${id} ExecutionsTimedOut > 0`]).sort());
  });
});

describe('least privilege', () => {
  const roleOf = (entry: string) => resources[fnId(entry)]!.Properties.Role['Fn::GetAtt'][0];
  const machineId = (flow: string) =>
    ofType('AWS::StepFunctions::StateMachine').find(
      ([, r]) => r.Metadata?.['loyalty:state-machine']?.flow === flow,
    )![0];

  it(
    'redemptions-api may start the Express machine synchronously, start the Standard one and answer its tasks, ' +
      'nothing else',
    () => {
      const states = statements(roleOf('functions/redemptions-api.ts')).filter((s: any) =>
        [s.Action].flat().some((a: string) => a.startsWith('states:')),
      );
      const byAction = Object.fromEntries(
        states.flatMap((s: any) => [s.Action].flat().map((a: string) => [a, JSON.stringify(s.Resource)])),
      );
      expect(Object.keys(byAction).sort()).toEqual([
        'states:SendTaskFailure',
        'states:SendTaskHeartbeat',
        'states:SendTaskSuccess',
        'states:StartExecution',
        'states:StartSyncExecution',
      ]);
      expect(byAction['states:StartSyncExecution']).toContain(machineId('instant'));
      for (const a of ['states:StartExecution', 'states:SendTaskSuccess', 'states:SendTaskFailure'])
        expect(byAction[a]).toContain(machineId('partner'));
      const env = resources[fnId('functions/redemptions-api.ts')]!.Properties.Environment.Variables;
      expect(env.REDEMPTION_INSTANT_STATE_MACHINE_ARN).toEqual({ Ref: machineId('instant') });
      expect(env.REDEMPTION_FULFILMENT_STATE_MACHINE_ARN).toEqual({ Ref: machineId('partner') });
    },
  );

  it('no other function can touch the state machines', () => {
    const sagas = ofType('AWS::StepFunctions::StateMachine')
      .filter(([, r]) => JSON.stringify(r.Properties.StateMachineName).includes('redemption'))
      .map(([id]) => id);
    expect(sagas).toHaveLength(2);
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      if (fn.Metadata?.['loyalty:entry'] === 'functions/redemptions-api.ts') continue;
      // Webhook functions start their own machine (test/infra/webhooks.test.ts): none may reach a saga's.
      const onStates = statements(fn.Properties.Role['Fn::GetAtt'][0]).filter((s: any) =>
        [s.Action].flat().some((a: string) => a.startsWith('states:')),
      );
      for (const s of onStates) {
        expect(JSON.stringify(s.Resource), id).not.toMatch(/\*/);
        for (const saga of sagas) expect(JSON.stringify(s.Resource), id).not.toContain(saga);
      }
    }
  });

  it('the state machines may invoke the step function only', () => {
    for (const flow of ['instant', 'partner']) {
      const role = resources[machineId(flow)]!.Properties.RoleArn['Fn::GetAtt'][0];
      const invoke = statements(role).filter((s: any) => [s.Action].flat().includes('lambda:InvokeFunction'));
      expect(JSON.stringify(invoke.map((s: any) => s.Resource))).toContain(fnId('functions/redemption-steps.ts'));
      expect(
        JSON.stringify(invoke.map((s: any) => s.Resource))
          .match(/"Fn::GetAtt":\["(\w+)"/g)!
          .every((m) => m.includes(fnId('functions/redemption-steps.ts'))),
      ).toBe(true);
    }
  });
});
