import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app';

type Resource = { Type: string; Properties: any };

function stateless(context: Record<string, string> = {}) {
  const previous = { ...process.env };
  try {
    // buildApp reads CDK context from the CLI's environment when it runs under `cdk`.
    process.env.CDK_CONTEXT_JSON = JSON.stringify(context);
    const { stateless } = buildApp({ stage: 'dev', skipBundling: true, nag: false });
    return Template.fromStack(stateless).toJSON().Resources as Record<string, Resource>;
  } finally {
    process.env = previous;
  }
}

const ofType = (resources: Record<string, Resource>, type: string) =>
  Object.entries(resources).filter(([, r]) => r.Type === type);

describe('alarms', () => {
  it('every alarm notifies the one alarm topic, when it fires and when it clears', () => {
    const resources = stateless();
    const [[topicId]] = ofType(resources, 'AWS::SNS::Topic') as [[string, Resource]];
    const alarms = ofType(resources, 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThanOrEqual(7);
    for (const [id, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions, id).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions, id).toEqual([{ Ref: topicId }]);
    }
  });

  it('the topic is encrypted with a rotated key CloudWatch may use, and refuses plain HTTP', () => {
    const resources = stateless();
    const [[, topic]] = ofType(resources, 'AWS::SNS::Topic') as [[string, Resource]];
    const [[keyId, key]] = ofType(resources, 'AWS::KMS::Key') as [[string, Resource]];
    expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const cloudwatch = key.Properties.KeyPolicy.Statement.find(
      (s: any) => s.Principal?.Service === 'cloudwatch.amazonaws.com',
    );
    expect(cloudwatch.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    const [[, policy]] = ofType(resources, 'AWS::SNS::TopicPolicy') as [[string, Resource]];
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('aws:SecureTransport');
  });

  it('-c alarmEmail subscribes that address; without it there is no subscription', () => {
    expect(ofType(stateless(), 'AWS::SNS::Subscription')).toEqual([]);
    const [[, sub]] = ofType(stateless({ alarmEmail: 'ops@example.com' }), 'AWS::SNS::Subscription') as [
      [string, Resource],
    ];
    expect(sub.Properties).toMatchObject({ Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  it('an alarmEmail that is not an address fails the synth, naming it', () => {
    expect(() => stateless({ alarmEmail: 'ops' })).toThrow(/alarmEmail=ops is not an email address/);
  });
});
