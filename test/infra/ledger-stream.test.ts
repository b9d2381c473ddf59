import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { STREAM_FILTERS } from '../../adapters/dynamodb/stream';
import { buildApp } from '../../infra/app';
import { STREAM_SETTINGS } from '../../infra/constructs/ledger-stream';

type Resource = { Type: string; Properties: any; Metadata?: Record<string, any> };

let resources: Record<string, Resource>;
let stateful: Record<string, Resource>;

beforeAll(() => {
  const app = buildApp({ stage: 'dev', skipBundling: true, nag: false });
  resources = Template.fromStack(app.stateless).toJSON().Resources;
  stateful = Template.fromStack(app.stateful).toJSON().Resources;
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const consumerId = () =>
  ofType('AWS::Lambda::Function').find(([, r]) => r.Metadata?.['loyalty:entry'] === 'functions/ledger-stream.ts')![0];
const statementsOfConsumer = () => {
  const roleId = resources[consumerId()]!.Properties.Role['Fn::GetAtt'][0];
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
};

describe('the ledger stream', () => {
  it('is the table stream with new and old images', () => {
    const table = Object.values(stateful).find((r) => r.Type === 'AWS::DynamoDB::GlobalTable')!;
    expect(table.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
  });

  it('feeds ledger-stream through one mapping: batched, ordered, bisected, retried, reporting item failures', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(1);
    const [, mapping] = mappings[0]!;
    expect(mapping.Properties.FunctionName).toEqual({ Ref: consumerId() });
    expect(JSON.stringify(mapping.Properties.EventSourceArn)).toMatch(/StreamArn|Stateful/);
    expect(mapping.Properties).toMatchObject({
      StartingPosition: 'LATEST',
      BatchSize: STREAM_SETTINGS.batchSize,
      MaximumBatchingWindowInSeconds: 1,
      ParallelizationFactor: 1,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: STREAM_SETTINGS.retryAttempts,
      MaximumRecordAgeInSeconds: 86_400,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('invokes the consumer only for records that announce something (the filters the adapter declares)', () => {
    const [, mapping] = ofType('AWS::Lambda::EventSourceMapping')[0]!;
    const patterns = mapping.Properties.FilterCriteria.Filters.map((f: { Pattern: string }) => JSON.parse(f.Pattern));
    expect(patterns).toEqual(STREAM_FILTERS);
    expect(patterns.length).toBeLessThanOrEqual(5); // Lambda's default quota of filters per mapping
  });

  it('sends what it gives up on to a dead-letter queue whose alarm fires on the first message', () => {
    const [, mapping] = ofType('AWS::Lambda::EventSourceMapping')[0]!;
    const destination = mapping.Properties.DestinationConfig.OnFailure.Destination;
    const queueId = destination['Fn::GetAtt'][0];
    expect(resources[queueId]!.Type).toBe('AWS::SQS::Queue');
    expect(queueId).toMatch(/LedgerStreamDlq/);
    const alarm = ofType('AWS::CloudWatch::Alarm').find(([, a]) =>
      JSON.stringify(a.Properties.Dimensions ?? []).includes(queueId),
    );
    expect(alarm?.[1].Properties).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    expect(alarm?.[1].Properties.AlarmActions).toBeDefined();
  });

  it('alarms when the consumer falls behind the table', () => {
    const alarm = ofType('AWS::CloudWatch::Alarm').find(([, a]) => a.Properties.MetricName === 'IteratorAge');
    expect(JSON.stringify(alarm?.[1].Properties.Dimensions)).toContain(consumerId());
    expect(alarm?.[1].Properties.AlarmActions).toBeDefined();
  });

  it('lets the consumer read the stream, send to its queue and publish to the bus, and never touch the table', () => {
    const actions = statementsOfConsumer().flatMap((s: any) => [s.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:DescribeStream']),
    );
    expect(actions).toContain('events:PutEvents');
    expect(actions).toContain('sqs:SendMessage');
    expect(actions.filter((a: string) => /^dynamodb:(Get|Put|Update|Delete|Query|Scan|Batch)(Item|$)/.test(a))).toEqual(
      [],
    );
    const env = resources[consumerId()]!.Properties.Environment.Variables;
    expect(env.EVENT_BUS_NAME).toBeDefined();
    expect(env.TABLE_NAME).toBeUndefined();
  });
});
