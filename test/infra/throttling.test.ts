// Per-program throttling as synthesized: every method metered by the key the authorizer returns,
// the stage throttle of each stage, and API Gateway's 429s and 403 as problem documents.
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app';
import { STAGES } from '../../infra/config';

type Resource = { Type: string; Properties: any };

const synth = (stage: 'dev' | 'prod') => {
  const { stateless } = buildApp({ stage, skipBundling: true, nag: false });
  return Template.fromStack(stateless).toJSON() as {
    Resources: Record<string, Resource>;
    Outputs: Record<string, { Value: unknown }>;
  };
};
const dev = synth('dev');
const ofType = (t: typeof dev, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);
const gatewayResponse = (type: string) => {
  const found = ofType(dev, 'AWS::ApiGateway::GatewayResponse').find(([, r]) => r.Properties.ResponseType === type);
  if (!found) throw new Error(`no ${type} gateway response`);
  return found[1].Properties;
};

describe('usage plans keyed by the authorizer', () => {
  it('takes the API key from the authorizer, not from a header clients send', () => {
    const apis = ofType(dev, 'AWS::ApiGateway::RestApi');
    expect(apis).toHaveLength(1);
    expect(apis[0]![1].Properties.ApiKeySourceType).toBe('AUTHORIZER');
  });

  it('requires an API key on every method but the public webhook, which has a throttle of its own', () => {
    const methods = ofType(dev, 'AWS::ApiGateway::Method');
    expect(methods.length).toBeGreaterThan(30);
    const open = methods.filter(([, m]) => m.Properties.ApiKeyRequired !== true);
    expect(
      open.map(([, m]) => (m as { Metadata?: Record<string, { path: string }> }).Metadata?.['loyalty:route']?.path),
    ).toEqual(['/v1/connectors/{connectorId}/webhooks']);
    const settings = ofType(dev, 'AWS::ApiGateway::Stage')[0]![1].Properties.MethodSettings;
    expect(settings).toContainEqual(
      expect.objectContaining({
        ResourcePath: '/~1v1~1connectors~1{connectorId}~1webhooks',
        HttpMethod: 'POST',
        ThrottlingRateLimit: STAGES.dev.webhookThrottle.rateLimit,
        ThrottlingBurstLimit: STAGES.dev.webhookThrottle.burstLimit,
      }),
    );
  });

  it('creates no usage plan or key itself: they are per program, made by the operator CLI', () => {
    expect(ofType(dev, 'AWS::ApiGateway::UsagePlan')).toEqual([]);
    expect(ofType(dev, 'AWS::ApiGateway::ApiKey')).toEqual([]);
  });

  it('publishes the REST API id and stage name the CLI attaches usage plans to', () => {
    const restApiId = ofType(dev, 'AWS::ApiGateway::RestApi')[0]![0];
    const stageId = ofType(dev, 'AWS::ApiGateway::Stage')[0]![0];
    expect(dev.Outputs.RestApiId?.Value).toEqual({ Ref: restApiId });
    expect(dev.Outputs.ApiStageName?.Value).toEqual({ Ref: stageId });
    expect(ofType(dev, 'AWS::ApiGateway::Stage')[0]![1].Properties.StageName).toBe('dev');
  });
});

describe('the stage throttle', () => {
  it.each([
    ['dev', 100, 200],
    ['prod', 500, 1000],
  ] as const)(
    '%s: every route takes %i requests/s with bursts of %i from all programs together',
    (stage, rate, burst) => {
      const template = stage === 'dev' ? dev : synth(stage);
      const [, resource] = ofType(template, 'AWS::ApiGateway::Stage')[0]!;
      const defaults = resource.Properties.MethodSettings.filter(
        (m: any) => m.HttpMethod === '*' && m.ResourcePath === '/*',
      );
      expect(defaults).toHaveLength(1);
      expect(defaults[0]).toMatchObject({ ThrottlingRateLimit: rate, ThrottlingBurstLimit: burst });
      expect(STAGES[stage].apiThrottle).toEqual({ rateLimit: rate, burstLimit: burst });
    },
  );

  it('is ten times the default program rate in prod, so one program cannot take a route alone', () => {
    expect(STAGES.prod.apiThrottle.rateLimit).toBe(10 * 50);
  });
});

describe("API Gateway's throttling answers", () => {
  it.each([
    ['THROTTLED', 'throttled', '1'],
    ['QUOTA_EXCEEDED', 'quota-exceeded', '3600'],
  ])('%s is a 429 problem+json of type %s with Retry-After %s', (type, slug, retryAfter) => {
    const r = gatewayResponse(type);
    expect(r.StatusCode).toBe('429');
    expect(r.ResponseParameters).toEqual({
      'gatewayresponse.header.Content-Type': "'application/problem+json'",
      'gatewayresponse.header.Retry-After': `'${retryAfter}'`,
    });
    expect(JSON.parse(r.ResponseTemplates['application/json'])).toEqual({
      type: `https://loyalty.dev/problems/${slug}`,
      title: expect.any(String),
      status: 429,
      instance: '$context.requestId',
    });
  });

  it('INVALID_API_KEY (the program has no key in a usage plan of this stage) is a 403 program-not-provisioned', () => {
    const r = gatewayResponse('INVALID_API_KEY');
    expect(r.StatusCode).toBe('403');
    expect(JSON.parse(r.ResponseTemplates['application/json'])).toMatchObject({
      type: 'https://loyalty.dev/problems/program-not-provisioned',
      status: 403,
    });
    expect(r.ResponseParameters['gatewayresponse.header.Retry-After']).toBeUndefined();
  });
});
