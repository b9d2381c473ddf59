import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app';

let template: Template;

beforeAll(() => {
  // Arrange: the dev stage as `cdk synth` builds it, minus esbuild.
  const { stateful } = buildApp({ stage: 'dev', skipBundling: true, nag: false });
  template = Template.fromStack(stateful);
});

describe('stateful stack: the ledger table', () => {
  const table = () => Object.values(template.findResources('AWS::DynamoDB::GlobalTable'));

  it('is the only table and bills on demand', () => {
    expect(table()).toHaveLength(1);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { BillingMode: 'PAY_PER_REQUEST' });
  });

  it('keeps point-in-time recovery on', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: Match.arrayWith([
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ]),
    });
  });

  it('is protected from deletion and retained when the stack goes away', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        Replicas: Match.arrayWith([Match.objectLike({ DeletionProtectionEnabled: true })]),
      }),
    });
  });

  it('is encrypted at rest', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { SSESpecification: { SSEEnabled: true } });
  });

  it('expires items through the `ttl` attribute', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
  });

  it(
    'has generic pk/sk keys, the byDueDate index on gsi1pk/gsi1sk and the byProgramDate index on ' + 'gsi2pk/gsi2sk',
    () => {
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          Match.objectLike({
            IndexName: 'byDueDate',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          }),
          Match.objectLike({
            IndexName: 'byProgramDate',
            KeySchema: [
              { AttributeName: 'gsi2pk', KeyType: 'HASH' },
              { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          }),
        ],
      });
    },
  );
});

describe('stateful stack: the event bus', () => {
  it('is a custom bus named after the stage', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'dev-loyalty' });
  });

  it('archives every event of this account on the bus, with the stage retention, and keeps the archive', () => {
    template.hasResource('AWS::Events::Archive', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Bus'), 'Arn'] },
        EventPattern: { account: [{ Ref: 'AWS::AccountId' }] },
        RetentionDays: 30,
      }),
    });
  });

  it('exports the table and bus names', () => {
    template.hasOutput('TableName', {});
    template.hasOutput('EventBusName', {});
  });
});
