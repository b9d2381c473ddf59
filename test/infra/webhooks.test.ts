import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app';
import { extractStateMachines } from '../../local/step-functions';
import { extractModel } from '../../local/template';

type Resource = { Type: string; Properties: any; Metadata?: Record<string, any> };
let resources: Record<string, Resource>;
let machine: ReturnType<typeof extractStateMachines>['machines'][number];

beforeAll(() => {
  const { stateful, stateless } = buildApp({ stage: 'dev', skipBundling: true, nag: false });
  const templates = {
    [stateful.stackName]: Template.fromStack(stateful).toJSON(),
    [stateless.stackName]: Template.fromStack(stateless).toJSON(),
  };
  resources = templates[stateless.stackName]!.Resources;
  machine = extractStateMachines(templates, extractModel(templates).functions).machines.find(
    (m) => m.name === 'dev-webhook-delivery',
  )!;
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const fnId = (entry: string) =>
  ofType('AWS::Lambda::Function').find(([, r]) => r.Metadata?.['loyalty:entry'] === entry)![0];
const fn = (entry: string) => resources[fnId(entry)]!;
const statements = (entry: string) => {
  const roleId = fn(entry).Properties.Role['Fn::GetAtt'][0];
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement) as { Action: string | string[]; Resource: unknown }[];
};
const actions = (entry: string) => statements(entry).flatMap((s) => [s.Action].flat());
const webhookRule = () => {
  const rules = ofType('AWS::Events::Rule').filter(([, r]) =>
    JSON.stringify(r.Properties.Targets).includes(fnId('functions/webhook-fanout.ts')),
  );
  expect(rules).toHaveLength(1);
  return rules[0]![1];
};

describe('webhooks: from the bus to the fan-out', () => {
  it('sends every event we publish (source loyalty.ledger) on the loyalty bus to webhook-fanout', () => {
    const rule = webhookRule();
    expect(rule.Properties.EventPattern).toEqual({ source: ['loyalty.ledger'] });
    expect(JSON.stringify(rule.Properties.EventBusName)).toMatch(/Bus/);
    expect(rule.Metadata?.['loyalty:targets']).toEqual(['functions/webhook-fanout.ts']);
  });

  it('loses no event: EventBridge retries for 24 h, Lambda twice, and both give up into a DLQ with an alarm', () => {
    const [target] = webhookRule().Properties.Targets;
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 });
    const dlqArn = target.DeadLetterConfig.Arn;
    expect(fn('functions/webhook-fanout.ts').Properties.DeadLetterConfig).toEqual({ TargetArn: dlqArn });
    const [invokeConfig] = ofType('AWS::Lambda::EventInvokeConfig').filter(
      ([, c]) => c.Properties.FunctionName.Ref === fnId('functions/webhook-fanout.ts'),
    );
    expect(invokeConfig![1].Properties.MaximumRetryAttempts).toBe(2);
    const dlqId = dlqArn['Fn::GetAtt'][0];
    const alarms = ofType('AWS::CloudWatch::Alarm').filter(([, a]) =>
      JSON.stringify(a.Properties.Dimensions ?? []).includes(dlqId),
    );
    expect(alarms).toHaveLength(1);
  });
});

describe('webhooks: the delivery run', () => {
  it('is a Standard machine: Attempt, then done or wait until the time the attempt answered', () => {
    expect(machine.type).toBe('STANDARD');
    const { StartAt, States } = machine.definition;
    expect(StartAt).toBe('Attempt');
    expect(States.Attempt.Next).toBe('Done');
    expect(States.Done.Choices).toEqual([{ Variable: '$.done', BooleanEquals: true, Next: 'Finished' }]);
    expect(States.Done.Default).toBe('WaitForNextAttempt');
    expect(States.WaitForNextAttempt).toMatchObject({
      Type: 'Wait',
      TimestampPath: '$.nextAttemptAt',
      Next: 'Attempt',
    });
    expect(machine.tasks.map((t) => t.function.entry)).toEqual(['functions/webhook-delivery.ts']);
    expect(States.Attempt.Retry[0]).toMatchObject({ ErrorEquals: ['States.ALL'], MaxAttempts: 10 });
  });

  it('logs without execution data (payloads name members) and alarms on a failed run', () => {
    const [, sm] = ofType('AWS::StepFunctions::StateMachine').find(([, r]) =>
      JSON.stringify(r.Properties.StateMachineName).includes('webhook-delivery'),
    )!;
    expect(sm.Properties.LoggingConfiguration.IncludeExecutionData).toBe(false);
    const failed = ofType('AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.MetricName === 'ExecutionsFailed');
    expect(failed.some(([, a]) => a.Properties.AlarmDescription.includes('webhook'))).toBe(true);
  });

  it('gives the delivery function room for a 10 s target and the record', () => {
    expect(fn('functions/webhook-delivery.ts').Properties.Timeout).toBeGreaterThan(10);
    expect(machine.definition.States.Attempt.TimeoutSeconds).toBeGreaterThan(
      fn('functions/webhook-delivery.ts').Properties.Timeout,
    );
  });
});

describe('webhooks: least privilege', () => {
  it('lets only the admin API and the fan-out start runs, on that machine only', () => {
    for (const entry of ['functions/webhooks-api.ts', 'functions/webhook-fanout.ts']) {
      const start = statements(entry).filter((s) => [s.Action].flat().includes('states:StartExecution'));
      expect(start, entry).toHaveLength(1);
      expect(JSON.stringify(start[0]!.Resource), entry).toMatch(/WebhooksDeliveryRuns/);
      expect(fn(entry).Properties.Environment.Variables.WEBHOOK_STATE_MACHINE_ARN, entry).toBeDefined();
    }
    expect(actions('functions/webhook-delivery.ts')).not.toContain('states:StartExecution');
  });

  it('opens secrets only where they are sealed or used, with kms:Encrypt and kms:Decrypt on the key alone', () => {
    for (const entry of ['functions/webhooks-api.ts', 'functions/webhook-delivery.ts']) {
      const kms = statements(entry).filter((s) => [s.Action].flat().some((a) => a.startsWith('kms:')));
      expect(
        kms.map((s) => [s.Action].flat().sort()),
        entry,
      ).toEqual([['kms:Decrypt', 'kms:Encrypt']]);
      expect(JSON.stringify(kms[0]!.Resource), entry).not.toBe('"*"');
    }
    expect(actions('functions/webhook-fanout.ts').some((a) => a.startsWith('kms:'))).toBe(false);
  });

  it('lets none of them publish: Webhook Endpoint Disabled is an outbox entry the stream publishes', () => {
    expect(actions('functions/webhook-delivery.ts')).not.toContain('events:PutEvents');
    expect(actions('functions/webhook-fanout.ts')).not.toContain('events:PutEvents');
    expect(actions('functions/webhooks-api.ts')).not.toContain('events:PutEvents');
  });

  it('never allows private targets on AWS: no function of a deployable stage carries the local flag', () => {
    for (const stage of ['dev', 'prod']) {
      const { stateless } = buildApp({ stage, skipBundling: true, nag: false });
      expect(JSON.stringify(Template.fromStack(stateless).toJSON()), stage).not.toContain(
        'WEBHOOK_ALLOW_PRIVATE_TARGETS',
      );
    }
  });
});
