import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PENDING_DEADLINE_MS } from '../../core/rewards/domain/sweep';
import { buildApp } from '../../infra/app';
import { JOB_SCHEDULES } from '../../infra/constructs/scheduled-jobs';

type Resource = { Type: string; Properties: any; Metadata?: Record<string, any> };

let resources: Record<string, Resource>;
let template: Template;

beforeAll(() => {
  const { stateless } = buildApp({ stage: 'prod', skipBundling: true, nag: false });
  template = Template.fromStack(stateless);
  resources = template.toJSON().Resources;
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const jobsMachine = () => {
  const found = ofType('AWS::StepFunctions::StateMachine').filter(([, r]) => r.Metadata?.['loyalty:jobs']);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const functionId = (entry: string) =>
  ofType('AWS::Lambda::Function').find(([, r]) => r.Metadata?.['loyalty:entry'] === entry)![0];
/** The ASL with Lambda ARNs replaced by the logical id of their function. */
const definition = () => {
  const parts = jobsMachine()[1].Properties.DefinitionString['Fn::Join'][1] as unknown[];
  return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : `<${(p as any)['Fn::GetAtt'][0]}>`)).join(''));
};

describe('the jobs state machine', () => {
  it('is a Standard workflow, traced, logging every event, with a time limit', () => {
    const [, sm] = jobsMachine();
    expect(sm.Properties.StateMachineType).toBe('STANDARD');
    expect(sm.Properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(sm.Properties.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
    expect(definition().TimeoutSeconds).toBe(12 * 3600);
  });

  it(
    'plans, fans out over the batches with a bounded Map, loops each worker until its batch is done, then ' +
      'finishes',
    () => {
      const asl = definition();
      expect(asl.StartAt).toBe('Plan');
      expect(asl.States.Plan).toMatchObject({
        Type: 'Task',
        Resource: `<${functionId('functions/job-planner.ts')}>`,
        Parameters: { step: 'plan', 'run.$': '$' },
        Next: 'FanOut',
      });
      expect(asl.States.FanOut).toMatchObject({
        Type: 'Map',
        ItemsPath: '$.batches',
        MaxConcurrency: 10,
        ResultPath: '$.results',
        Next: 'Finish',
      });
      expect(asl.States.FanOut.ItemSelector).toMatchObject({
        'ranges.$': '$$.Map.Item.Value.ranges',
        'asOf.$': '$.asOf',
        'job.$': '$.job',
      });
      const inner = asl.States.FanOut.ItemProcessor.States;
      expect(inner.Work).toMatchObject({
        Type: 'Task',
        Resource: `<${functionId('functions/job-worker.ts')}>`,
        Next: 'BatchDone',
      });
      expect(inner.BatchDone).toMatchObject({
        Type: 'Choice',
        Choices: [{ Variable: '$.done', BooleanEquals: true, Next: 'Batch finished' }],
        Default: 'Work',
      });
      expect(asl.States.Finish).toMatchObject({
        Type: 'Task',
        Parameters: { step: 'finish', 'run.$': '$' },
        End: true,
      });
      for (const task of [asl.States.Plan, inner.Work, asl.States.Finish])
        expect(task.Retry).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], MaxAttempts: 4 })]);
    },
  );

  it('alarms when a run fails or times out', () => {
    const [smId] = jobsMachine();
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/States',
        MetricName: metric,
        Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: smId } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
  });
});

describe('the sweeper', () => {
  it('alarms as soon as it closes a redemption (RedemptionsSwept > 0), on the metric the functions emit', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Loyalty',
      MetricName: 'RedemptionsSwept',
      Dimensions: [{ Name: 'service', Value: 'loyalty' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    expect(resources[functionId('functions/job-worker.ts')]!.Properties.Environment.Variables).toMatchObject({
      POWERTOOLS_METRICS_NAMESPACE: 'Loyalty',
      POWERTOOLS_SERVICE_NAME: 'loyalty',
    });
  });

  it('runs in the jobs state machine, whose run-failed and run-timed-out alarms cover it like every job', () => {
    const [, sm] = jobsMachine();
    expect(sm.Metadata!['loyalty:jobs']).toContain('sweep');
  });
});

describe('schedules', () => {
  const schedules = () => ofType('AWS::Scheduler::Schedule').map(([, r]) => r.Properties);

  it('start each job on its own EventBridge Scheduler schedule, as of the scheduled time', () => {
    const [smId] = jobsMachine();
    const byJob: Record<string, any> = Object.fromEntries(schedules().map((s) => [JSON.parse(s.Target.Input).job, s]));
    expect(Object.keys(byJob).sort()).toEqual(['activate', 'expire', 'notify', 'outbox', 'review', 'sweep']);
    for (const [job, s] of Object.entries(byJob)) {
      expect(s.ScheduleExpression).toBe(JOB_SCHEDULES[job as keyof typeof JOB_SCHEDULES].cron);
      expect(s.State).toBe('ENABLED');
      expect(s.Target.Arn).toEqual({ Ref: smId });
      expect(JSON.parse(s.Target.Input)).toEqual({ job, asOf: '<aws.scheduler.scheduled-time>' });
      expect(s.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 });
    }
  });

  it('sweep every 5 minutes: an instant redemption overdue at 10 minutes is closed within 15', () => {
    const sweep = schedules().find((s) => JSON.parse(s.Target.Input).job === 'sweep');
    expect(sweep.ScheduleExpression).toBe('cron(2/5 * * * ? *)');
    const everyMinutes = Number(/^cron\(\d+\/(\d+) /.exec(sweep.ScheduleExpression)![1]);
    expect(PENDING_DEADLINE_MS.instant + everyMinutes * 60_000).toBe(15 * 60_000);
  });

  it('use a role that may start this state machine and nothing else', () => {
    const [smId] = jobsMachine();
    const roleIds = new Set(schedules().map((s) => s.Target.RoleArn['Fn::GetAtt'][0]));
    const statements = ofType('AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: any) => roleIds.has(r.Ref)))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: smId } }),
    ]);
  });
});

describe('job functions', () => {
  const env = (entry: string) => resources[functionId(entry)]!.Properties.Environment.Variables;

  it('the worker may publish events and has minutes to work; the planner only keeps the checkpoint', () => {
    expect(env('functions/job-worker.ts')).toMatchObject({
      TABLE_NAME: expect.anything(),
      EVENT_BUS_NAME: expect.anything(),
    });
    expect(env('functions/job-planner.ts').EVENT_BUS_NAME).toBeUndefined();
    expect(resources[functionId('functions/job-worker.ts')]!.Properties.Timeout).toBe(300);
    expect(resources[functionId('functions/job-planner.ts')]!.Properties.Timeout).toBe(60);
  });
});
