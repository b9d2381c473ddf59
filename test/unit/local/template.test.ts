import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { busNameOf, extractModel, type LocalModel, loadLocalModel, synthTemplates } from '../../../local/template';
import { buildFixtureApp } from '../../fixtures/local/fixture-app';

describe('template extraction (fixture app)', () => {
  let model: LocalModel;
  beforeAll(async () => {
    model = await loadLocalModel({ buildApp: buildFixtureApp });
  });

  it('lists every Lambda proxy method with its resource path, handler entry and authorizer', () => {
    expect(model.routes.map((r) => `${r.method} ${r.resourcePath} ${r.entry} ${r.authorizer?.entry ?? '-'}`)).toEqual([
      'GET /v1/health test/fixtures/local/handlers/echo.ts -',
      'GET /v1/members/{memberId} test/fixtures/local/handlers/echo.ts test/fixtures/local/handlers/authorizer.ts',
      'PUT /v1/members/{memberId} test/fixtures/local/handlers/echo.ts test/fixtures/local/handlers/authorizer.ts',
      'POST /v1/members/{memberId}/boom test/fixtures/local/handlers/boom.ts ' +
        'test/fixtures/local/handlers/authorizer.ts',
    ]);
  });

  it('reads the authorizer type, identity source and cache ttl', () => {
    const auth = model.routes.find((r) => r.authorizer)!.authorizer!;
    expect(auth).toMatchObject({
      type: 'REQUEST',
      identitySource: 'method.request.header.x-api-key',
      resultTtlSeconds: 0,
    });
  });

  it('reads the API stage name', () => {
    expect(model.stage).toBe('v1');
  });

  it('reads a header API key source and methods that need no key nor have a stage throttle', () => {
    expect(model.apiKeySource).toBe('HEADER');
    expect(model.routes.map((r) => [r.apiKeyRequired, r.throttle])).toEqual(Array(4).fill([false, null]));
  });

  it('keeps the gateway responses with their status, templates and headers', () => {
    const unauthorized = model.gatewayResponses.find((r) => r.type === 'UNAUTHORIZED')!;
    expect(unauthorized.statusCode).toBe(401);
    expect(unauthorized.parameters).toEqual({ 'gatewayresponse.header.Content-Type': "'application/problem+json'" });
    expect(JSON.parse(unauthorized.templates['application/json']!)).toMatchObject({
      title: 'Unauthorized',
      requestId: '$context.requestId',
    });
    expect(model.gatewayResponses.find((r) => r.type === 'DEFAULT_4XX')!.statusCode).toBeNull();
  });

  it('resolves the rule bus through the cross-stack reference and keeps pattern and retry policy', () => {
    expect(model.busName).toBe('local-fixture');
    expect(model.rules).toHaveLength(1);
    const [rule] = model.rules;
    expect(rule!.eventBusName).toBe('local-fixture');
    expect(rule!.pattern).toEqual({
      source: ['fixture.shop'],
      'detail-type': ['Purchase Completed'],
      detail: { amount: [{ numeric: ['>', 0] }] },
    });
    expect(rule!.targets).toEqual([
      expect.objectContaining({
        entry: 'test/fixtures/local/handlers/consumer.ts',
        retryAttempts: 2,
        maxEventAgeSeconds: 300,
        dlq: expect.stringMatching(/^arn:aws:sqs:us-east-1:000000000000:RuleDlq/),
      }),
    ]);
  });

  it('gives functions the Lambda async defaults when no invoke config exists', () => {
    const consumer = model.functions.find((f) => f.entry?.endsWith('consumer.ts'))!;
    expect(consumer.async).toEqual({ retryAttempts: 2, maxEventAgeSeconds: 21_600, onFailure: null });
    expect(consumer.timeoutSeconds).toBe(10);
    expect(consumer.environment).toEqual({ FIXTURE_FLAG: 'on' }); // references are bound locally, not copied
  });

  it('finds the table and its template', () => {
    expect(model.table?.type).toBe('AWS::DynamoDB::GlobalTable');
    expect(model.table?.properties.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(model.table?.template.Resources?.[model.table.logicalId]).toBeDefined();
  });
});

describe('template extraction (hand-written templates)', () => {
  it('follows Fn::ImportValue to the exporting stack, and aliases to their function', () => {
    const model = extractModel({
      Data: {
        Resources: { Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'my-bus' } } },
        Outputs: { BusName: { Value: { Ref: 'Bus' }, Export: { Name: 'Data:BusName' } } },
      },
      Compute: {
        Resources: {
          Fn: {
            Type: 'AWS::Lambda::Function',
            Properties: { Handler: 'index.main', Timeout: 7 },
            Metadata: { 'loyalty:entry': 'functions/x.ts' },
          },
          Live: { Type: 'AWS::Lambda::Alias', Properties: { FunctionName: { Ref: 'Fn' }, Name: 'live' } },
          Invoke: {
            Type: 'AWS::Lambda::EventInvokeConfig',
            Properties: {
              FunctionName: { Ref: 'Fn' },
              Qualifier: '$LATEST',
              MaximumRetryAttempts: 0,
              DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:1:q' } },
            },
          },
          Rule: {
            Type: 'AWS::Events::Rule',
            Properties: {
              EventBusName: { 'Fn::ImportValue': 'Data:BusName' },
              EventPattern: JSON.stringify({ source: ['x'] }),
              Targets: [{ Id: 'T', Arn: { Ref: 'Live' }, InputPath: '$.detail' }],
            },
          },
          Nightly: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'cron(0 2 * * ? *)', Targets: [] } },
        },
      },
    });
    expect(model.rules).toEqual([
      expect.objectContaining({
        eventBusName: 'my-bus',
        pattern: { source: ['x'] },
        targets: [
          expect.objectContaining({
            entry: 'functions/x.ts',
            retryAttempts: 185,
            maxEventAgeSeconds: 86_400,
            dlq: null,
            inputPath: '$.detail',
          }),
        ],
      }),
    ]);
    const fn = model.rules[0]!.targets[0]!.function;
    expect(fn).toMatchObject({
      handlerExport: 'main',
      timeoutSeconds: 7,
      async: { retryAttempts: 0, onFailure: 'arn:aws:sqs:us-east-1:1:q' },
    });
    expect(model.warnings).toEqual([expect.stringContaining('cron(0 2 * * ? *)')]);
  });

  it('treats a rule without EventBusName as on the default bus, and a bus ARN as its name', () => {
    expect(busNameOf('arn:aws:events:us-east-1:000000000000:event-bus/local-loyalty')).toBe('local-loyalty');
    const model = extractModel({
      S: {
        Resources: {
          Fn: { Type: 'AWS::Lambda::Function', Properties: {}, Metadata: { 'loyalty:entry': 'functions/x.ts' } },
          Rule: {
            Type: 'AWS::Events::Rule',
            Properties: {
              EventPattern: { source: ['x'] },
              Targets: [{ Id: 'T', Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] } }],
            },
          },
        },
      },
    });
    expect(model.rules[0]!.eventBusName).toBe('default');
  });
});

describe('template extraction: API keys and the stage throttle', () => {
  it("takes a method's own throttle over the stage's /*/* one, and the account limit for a half left out", () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Throttled');
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    });
    const api = new apigw.RestApi(stack, 'Api', {
      apiKeySourceType: apigw.ApiKeySourceType.AUTHORIZER,
      deployOptions: {
        stageName: 's',
        throttlingRateLimit: 10,
        throttlingBurstLimit: 20,
        methodOptions: { '/v1/slow/GET': { throttlingRateLimit: 1 } },
      },
    });
    const v1 = api.root.addResource('v1');
    v1.addResource('slow').addMethod('GET', new apigw.LambdaIntegration(fn), { apiKeyRequired: true });
    v1.addResource('fast').addMethod('GET', new apigw.LambdaIntegration(fn));

    const model = extractModel({ Throttled: app.synth().getStackByName('Throttled').template });

    expect(model.apiKeySource).toBe('AUTHORIZER');
    expect(model.routes.map((r) => [r.resourcePath, r.apiKeyRequired, r.throttle])).toEqual([
      ['/v1/fast', false, { rateLimit: 10, burstLimit: 20 }],
      ['/v1/slow', true, { rateLimit: 1, burstLimit: 5000 }],
    ]);
  });
});

describe('template extraction (infra/app.ts)', () => {
  let model: LocalModel;
  beforeAll(async () => {
    model = extractModel(await synthTemplates({ stage: 'local' }));
  }, 60_000);

  it('every route and rule target has a handler entry that exists', async () => {
    const { existsSync } = await import('node:fs');
    const entries = [
      ...model.routes.flatMap((r) => [r.entry, r.authorizer?.entry]),
      ...model.rules.flatMap((r) => r.targets.map((t) => t.entry)),
    ].filter((e) => e !== undefined);
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) {
      expect(entry, 'loyalty:entry metadata').not.toBeNull();
      expect(existsSync(entry!), entry!).toBe(true);
    }
    expect(model.warnings.filter((w) => /loyalty:entry|not a Lambda|authorizer/.test(w))).toEqual([]);
  });

  it('agrees with the loyalty:route and loyalty:targets metadata infra puts on methods and rules', () => {
    const resources = Object.values(model.templates).flatMap((t) => Object.values(t.Resources ?? {}));
    const declaredRoutes = resources
      .filter((r) => r.Type === 'AWS::ApiGateway::Method' && r.Metadata?.['loyalty:route'])
      .map((r) => r.Metadata!['loyalty:route'] as { method: string; path: string; entry: string });
    expect(declaredRoutes.length).toBeGreaterThan(0);
    for (const declared of declaredRoutes) {
      const route = model.routes.find((r) => r.method === declared.method && r.resourcePath === declared.path);
      expect(route?.entry, `${declared.method} ${declared.path}`).toBe(declared.entry);
    }
    const declaredTargets = resources
      .filter((r) => r.Type === 'AWS::Events::Rule' && r.Metadata?.['loyalty:targets'])
      .flatMap((r) => r.Metadata!['loyalty:targets'] as string[]);
    expect(model.rules.flatMap((r) => r.targets.map((t) => t.entry)).sort()).toEqual(declaredTargets.sort());
  });

  it('routes /v1/members/{memberId} through the x-api-key REQUEST authorizer', () => {
    const getMember = model.routes.find((r) => r.method === 'GET' && r.resourcePath === '/v1/members/{memberId}');
    expect(getMember?.entry).toBe('functions/members-api.ts');
    expect(getMember?.authorizer).toMatchObject({ type: 'REQUEST', identitySource: 'method.request.header.x-api-key' });
  });

  it('meters every route by the API key the authorizer returns, within the local stage throttle', () => {
    expect(model.apiKeySource).toBe('AUTHORIZER');
    const open = model.routes.filter((r) => !r.apiKeyRequired);
    // The public webhook route: no authorizer, no key, its own method throttle.
    expect(open.map((r) => `${r.method} ${r.resourcePath}`)).toEqual(['POST /v1/connectors/{connectorId}/webhooks']);
    expect(open[0]!.authorizer).toBeNull();
    expect(open[0]!.throttle).toEqual({ rateLimit: 100, burstLimit: 200 });
    expect(new Set(model.routes.filter((r) => r.apiKeyRequired).map((r) => JSON.stringify(r.throttle)))).toEqual(
      new Set([JSON.stringify({ rateLimit: 500, burstLimit: 1000 })]),
    );
  });

  it('answers API Gateway errors with problem+json', () => {
    for (const type of [
      'UNAUTHORIZED',
      'ACCESS_DENIED',
      'INVALID_API_KEY',
      'THROTTLED',
      'QUOTA_EXCEEDED',
      'MISSING_AUTHENTICATION_TOKEN',
      'DEFAULT_4XX',
      'DEFAULT_5XX',
    ]) {
      const response = model.gatewayResponses.find((r) => r.type === type);
      expect(response, type).toBeDefined();
      expect(response!.parameters['gatewayresponse.header.Content-Type']).toBe("'application/problem+json'");
    }
  });

  it('puts the rules on the custom bus', () => {
    expect(model.busName).toBe('local-loyalty');
    expect(model.rules.length).toBeGreaterThan(0);
    for (const rule of model.rules) expect(rule.eventBusName).toBe(model.busName);
  });
});
