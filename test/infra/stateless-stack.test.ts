import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app';
import { REPO_ROOT, TABLE_WRITE_ACTIONS } from '../../infra/constructs/loyalty-function';
import { GATEWAY_PROBLEMS } from '../../infra/constructs/problem-responses';

type Resource = { Type: string; Properties: any; Metadata?: Record<string, any> };

let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  // Arrange: the dev stage as `cdk synth` builds it, minus esbuild.
  const { stateless } = buildApp({ stage: 'dev', skipBundling: true, nag: false });
  template = Template.fromStack(stateless);
  resources = template.toJSON().Resources;
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const functionIdByEntry = (entry: string) => {
  const found = ofType('AWS::Lambda::Function').find(([, r]) => r.Metadata?.['loyalty:entry'] === entry);
  if (!found) throw new Error(`no function for ${entry}`);
  return found[0];
};
/** Every Allow statement of the inline policies attached to the function's role. */
const statementsOf = (entry: string): { Action: string | string[]; Resource: unknown }[] => {
  const roleId = resources[functionIdByEntry(entry)]!.Properties.Role['Fn::GetAtt'][0];
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
    .filter((s: any) => s.Effect === 'Allow');
};
const actionsOf = (entry: string) => statementsOf(entry).flatMap((s) => [s.Action].flat());
const ENTRIES = [
  'functions/authorizer.ts',
  'functions/members-api.ts',
  'functions/purchases-api.ts',
  'functions/purchase-consumer.ts',
  'functions/earning-rules-api.ts',
  // Rewards and redemptions (infra/constructs/redemptions.ts).
  'functions/redemption-steps.ts',
  'functions/redemptions-api.ts',
  'functions/rewards-admin-api.ts',
  'functions/coupons-api.ts',
  // Tiers and expiry (program admin API; infra/constructs/scheduled-jobs.ts).
  'functions/program-admin-api.ts',
  'functions/job-planner.ts',
  'functions/job-worker.ts',
  // Outbound webhooks (infra/constructs/webhooks.ts).
  'functions/webhooks-api.ts',
  'functions/webhook-fanout.ts',
  'functions/webhook-delivery.ts',
  // Shop connectors (infra/constructs/connectors.ts).
  'functions/connectors-api.ts',
  'functions/connectors-webhooks.ts',
  'functions/connectors-worker.ts',
  // Events from the committed data (infra/constructs/ledger-stream.ts).
  'functions/ledger-stream.ts',
];
/** Functions that read or write the table (the stream consumer only reads its stream). */
const TABLE_ENTRIES = ENTRIES.filter((e) => e !== 'functions/ledger-stream.ts');
/** Who may call PutEvents: the stream consumer, the job worker (older outbox entries), the connectors' hand-off. */
const PUBLISHERS = ['functions/connectors-webhooks.ts', 'functions/job-worker.ts', 'functions/ledger-stream.ts'];

describe('functions', () => {
  it('are exactly the handler modules we ship, each tagged with its loyalty:entry', () => {
    const entries = ofType('AWS::Lambda::Function').map(([, r]) => r.Metadata?.['loyalty:entry']);
    expect(entries.sort()).toEqual([...ENTRIES].sort());
  });

  it('point loyalty:entry at a module in the repository that exports `handler`', () => {
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      const file = path.join(REPO_ROOT, fn.Metadata!['loyalty:entry']);
      expect(existsSync(file), file).toBe(true);
      expect(readFileSync(file, 'utf8'), file).toMatch(
        /export\s+(const|let|async\s+function|function)\s+handler\b|export\s*\{[^}]*\bhandler\b/,
      );
    }
  });

  it('run on arm64 with Node.js 22 or newer', () => {
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      expect(fn.Properties.Architectures, id).toEqual(['arm64']);
      const major = Number(/^nodejs(\d+)\.x$/.exec(fn.Properties.Runtime)?.[1]);
      expect(major, id).toBeGreaterThanOrEqual(22);
    }
  });

  it('log JSON into their own log group with a retention, with X-Ray tracing active', () => {
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
      expect(fn.Properties.LoggingConfig, id).toMatchObject({ LogFormat: 'JSON', ApplicationLogLevel: 'INFO' });
      const logGroup = resources[fn.Properties.LoggingConfig.LogGroup.Ref]!;
      expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
      expect(logGroup.Properties.RetentionInDays).toBe(30);
    }
  });

  it('carry the powertools settings, the log level and source-map support', () => {
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      expect(fn.Properties.Environment.Variables, id).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'loyalty',
        POWERTOOLS_METRICS_NAMESPACE: 'Loyalty',
        LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      });
    }
  });

  it('get TABLE_NAME when bound to the table and EVENT_BUS_NAME only when bound to the bus', () => {
    const env = (entry: string) => resources[functionIdByEntry(entry)]!.Properties.Environment.Variables;
    for (const entry of TABLE_ENTRIES) expect(env(entry).TABLE_NAME, entry).toBeDefined();
    expect(env('functions/ledger-stream.ts').TABLE_NAME).toBeUndefined();
    // Only the stream consumer and the job worker (the outbox job's older entries) publish ledger events; the
    // connectors' webhook hands a recorded delivery to its worker through the bus (Connector Delivery Received).
    const publishing = ENTRIES.filter((entry) => env(entry).EVENT_BUS_NAME !== undefined);
    expect(publishing.sort()).toEqual(PUBLISHERS);
  });
});

describe('least privilege', () => {
  it('the authorizer can read the table but holds no write action at all', () => {
    const actions = actionsOf('functions/authorizer.ts');
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
    for (const write of TABLE_WRITE_ACTIONS) expect(actions).not.toContain(write);
    expect(actions.filter((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a))).toEqual([]);
  });

  it('members-api writes the table', () => {
    const actions = actionsOf('functions/members-api.ts');
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem']));
  });

  // Ledger events come from the table's stream: the API and the consumer of the bus only write.
  it('only ledger-stream and job-worker (and the connectors hand-off) may publish, to the loyalty bus only', () => {
    const publishing = ENTRIES.filter((entry) =>
      statementsOf(entry).some((s) => [s.Action].flat().includes('events:PutEvents')),
    );
    expect(publishing.sort()).toEqual(PUBLISHERS);
    for (const entry of publishing) {
      const put = statementsOf(entry).filter((s) => [s.Action].flat().includes('events:PutEvents'));
      expect(put, entry).toHaveLength(1);
      expect(JSON.stringify(put[0]!.Resource)).toMatch(/Bus/);
      expect(put[0]!.Resource).not.toBe('*');
    }
  });

  it('no function gets a wildcard action, an AWS managed policy, or "*" outside X-Ray', () => {
    for (const entry of ENTRIES) {
      expect(
        actionsOf(entry).filter((a) => a.includes('*')),
        entry,
      ).toEqual([]);
      for (const s of statementsOf(entry)) {
        if (s.Resource === '*')
          expect(
            [s.Action].flat().every((a) => a.startsWith('xray:')),
            entry,
          ).toBe(true);
      }
    }
    const lambdaRoles = ofType('AWS::IAM::Role').filter(([, r]) =>
      JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('lambda.amazonaws.com'),
    );
    expect(lambdaRoles).toHaveLength(ENTRIES.length);
    for (const [id, role] of lambdaRoles) expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
  });

  it('index reads name the byDueDate index instead of /index/*', () => {
    const resourcesJson = JSON.stringify(statementsOf('functions/members-api.ts').map((s) => s.Resource));
    expect(resourcesJson).toContain('/index/byDueDate');
    expect(resourcesJson).not.toContain('/index/*');
  });
});

describe('REST API', () => {
  it('is regional, traced, throttled, with JSON access logs and execution logs at ERROR', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      AccessLogSetting: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('^\\{"requestId":"\\$context.requestId"'),
      },
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          ThrottlingRateLimit: Match.anyValue(),
        }),
      ]),
    });
    const stage = ofType('AWS::ApiGateway::Stage')[0]![1];
    expect(() => JSON.parse(stage.Properties.AccessLogSetting.Format)).not.toThrow();
  });

  it('has a REQUEST authorizer keyed on the x-api-key header, cached for the stage TTL', () => {
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.x-api-key',
      AuthorizerResultTtlInSeconds: 60,
    });
    const [, authorizer] = ofType('AWS::ApiGateway::Authorizer')[0]!;
    expect(JSON.stringify(authorizer.Properties.AuthorizerUri)).toContain(functionIdByEntry('functions/authorizer.ts'));
  });

  it('sends every method through the authorizer, except the public webhook route', () => {
    const authorizerId = ofType('AWS::ApiGateway::Authorizer')[0]![0];
    const methods = ofType('AWS::ApiGateway::Method');
    expect(methods.length).toBeGreaterThan(0);
    const open: string[] = [];
    for (const [id, m] of methods) {
      if (m.Properties.AuthorizationType === 'NONE') {
        expect(m.Properties.ApiKeyRequired, id).toBe(false);
        open.push(`${m.Properties.HttpMethod} ${m.Metadata!['loyalty:route'].path}`);
        continue;
      }
      expect(m.Properties.AuthorizationType, id).toBe('CUSTOM');
      expect(m.Properties.AuthorizerId, id).toEqual({ Ref: authorizerId });
      expect(m.Properties.ApiKeyRequired, id).toBe(true);
    }
    // A shop platform cannot send an API key: its signature is checked by the handler.
    expect(open).toEqual(['POST /v1/connectors/{connectorId}/webhooks']);
  });

  it('throttles the public webhook route on its own (it has no usage plan)', () => {
    const stage = ofType('AWS::ApiGateway::Stage')[0]![1];
    expect(stage.Properties.MethodSettings).toContainEqual(
      expect.objectContaining({
        HttpMethod: 'POST',
        ResourcePath: '/~1v1~1connectors~1{connectorId}~1webhooks',
        ThrottlingRateLimit: expect.any(Number),
        ThrottlingBurstLimit: expect.any(Number),
      }),
    );
  });

  it('routes each path and verb to its handler through a Lambda proxy integration', () => {
    const routes = ofType('AWS::ApiGateway::Method').map(([, m]) => {
      expect(m.Properties.Integration.Type).toBe('AWS_PROXY');
      const route = m.Metadata!['loyalty:route'];
      expect(JSON.stringify(m.Properties.Integration.Uri)).toContain(functionIdByEntry(route.entry));
      expect(m.Properties.HttpMethod).toBe(route.method);
      return `${route.method} ${route.path} -> ${route.entry}`;
    });
    expect(routes.sort()).toEqual(
      [
        'PUT /v1/members/{memberId} -> functions/members-api.ts',
        'GET /v1/members/{memberId} -> functions/members-api.ts',
        'GET /v1/members/{memberId}/transactions -> functions/members-api.ts',
        'POST /v1/purchases -> functions/purchases-api.ts',
        'POST /v1/purchases/{orderId}/returns -> functions/purchases-api.ts',
        'POST /v1/events -> functions/purchases-api.ts',
        'GET /v1/admin/keys -> functions/program-admin-api.ts',
        'POST /v1/admin/keys -> functions/program-admin-api.ts',
        'DELETE /v1/admin/keys/{keyId} -> functions/program-admin-api.ts',
        'POST /v1/admin/keys/{keyId}/rotate -> functions/program-admin-api.ts',
        'GET /v1/admin/earning-rules -> functions/earning-rules-api.ts',
        'POST /v1/admin/earning-rules -> functions/earning-rules-api.ts',
        'POST /v1/admin/earning-rules/simulate -> functions/earning-rules-api.ts',
        'POST /v1/admin/earning-rules/backtest -> functions/earning-rules-api.ts',
        'GET /v1/admin/earning-rules/{ruleId} -> functions/earning-rules-api.ts',
        'PUT /v1/admin/earning-rules/{ruleId} -> functions/earning-rules-api.ts',
        'POST /v1/admin/earning-rules/{ruleId}/deactivate -> functions/earning-rules-api.ts',
        // Rewards and redemptions
        'GET /v1/admin/rewards -> functions/rewards-admin-api.ts',
        'POST /v1/admin/rewards -> functions/rewards-admin-api.ts',
        'GET /v1/admin/rewards/{rewardId} -> functions/rewards-admin-api.ts',
        'PATCH /v1/admin/rewards/{rewardId} -> functions/rewards-admin-api.ts',
        'GET /v1/admin/rewards/{rewardId}/donations -> functions/rewards-admin-api.ts',
        'GET /v1/admin/donations -> functions/rewards-admin-api.ts',
        'GET /v1/members/{memberId}/rewards -> functions/redemptions-api.ts',
        'POST /v1/members/{memberId}/redemptions -> functions/redemptions-api.ts',
        'GET /v1/members/{memberId}/redemptions -> functions/redemptions-api.ts',
        'GET /v1/redemptions/{redemptionId} -> functions/redemptions-api.ts',
        'POST /v1/redemptions/{redemptionId}/cancel -> functions/redemptions-api.ts',
        'POST /v1/redemptions/{redemptionId}/fulfilment -> functions/redemptions-api.ts',
        'POST /v1/coupons/lookup -> functions/coupons-api.ts',
        'POST /v1/coupons/redeem -> functions/coupons-api.ts',
        // Outbound webhooks
        'GET /v1/admin/webhooks -> functions/webhooks-api.ts',
        'POST /v1/admin/webhooks -> functions/webhooks-api.ts',
        'GET /v1/admin/webhooks/{webhookId} -> functions/webhooks-api.ts',
        'PATCH /v1/admin/webhooks/{webhookId} -> functions/webhooks-api.ts',
        'POST /v1/admin/webhooks/{webhookId}/rotate -> functions/webhooks-api.ts',
        'POST /v1/admin/webhooks/{webhookId}/disable -> functions/webhooks-api.ts',
        'GET /v1/admin/webhooks/{webhookId}/deliveries -> functions/webhooks-api.ts',
        'POST /v1/admin/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver -> functions/webhooks-api.ts',
        // Tiers and expiry
        'GET /v1/admin/program -> functions/program-admin-api.ts',
        'PATCH /v1/admin/program -> functions/program-admin-api.ts',
        'GET /v1/admin/tiers -> functions/program-admin-api.ts',
        'PUT /v1/admin/tiers -> functions/program-admin-api.ts',
        'DELETE /v1/admin/tiers -> functions/program-admin-api.ts',
        'GET /v1/admin/expiry-policy -> functions/program-admin-api.ts',
        'PUT /v1/admin/expiry-policy -> functions/program-admin-api.ts',
        // Operators: adjustments, member search, data protection, the audit log
        'POST /v1/admin/members/{memberId}/adjustments -> functions/members-api.ts',
        'GET /v1/admin/members -> functions/members-api.ts',
        'POST /v1/admin/members/{memberId}/export -> functions/members-api.ts',
        'DELETE /v1/admin/members/{memberId} -> functions/members-api.ts',
        'GET /v1/admin/audit-log -> functions/program-admin-api.ts',
        // Shop connectors
        'POST /v1/admin/connectors -> functions/connectors-api.ts',
        'GET /v1/admin/connectors -> functions/connectors-api.ts',
        'GET /v1/admin/connectors/{connectorId} -> functions/connectors-api.ts',
        'PATCH /v1/admin/connectors/{connectorId} -> functions/connectors-api.ts',
        'POST /v1/admin/connectors/{connectorId}/rotate-secret -> functions/connectors-api.ts',
        'POST /v1/admin/connectors/{connectorId}/disable -> functions/connectors-api.ts',
        'GET /v1/admin/connectors/{connectorId}/dead-letters -> functions/connectors-api.ts',
        'POST /v1/connectors/{connectorId}/webhooks -> functions/connectors-webhooks.ts',
      ].sort(),
    );
  });

  it('requires and validates the path parameters of each route', () => {
    for (const [id, m] of ofType('AWS::ApiGateway::Method')) {
      const params = [...m.Metadata!['loyalty:route'].path.matchAll(/\{(\w+)\}/g)].map(
        (x) => `method.request.path.${x[1]}`,
      );
      expect(Object.keys(m.Properties.RequestParameters ?? {}).sort(), id).toEqual(params.sort());
      expect(m.Properties.RequestValidatorId, id).toBeDefined();
    }
  });
});

describe('gateway responses', () => {
  it('answer 401 "Missing or unknown API key" as an RFC 9457 problem', () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      StatusCode: '401',
      ResponseParameters: { 'gatewayresponse.header.Content-Type': "'application/problem+json'" },
    });
    const body = bodyOf('UNAUTHORIZED');
    expect(body).toEqual({
      type: 'https://loyalty.dev/problems/unauthorized',
      title: 'Missing or unknown API key',
      status: 401,
      instance: '$context.requestId',
    });
  });

  it('turn API Gateway\'s "missing authentication token" for unknown routes into a 404 "No such route"', () => {
    expect(statusOf('MISSING_AUTHENTICATION_TOKEN')).toBe('404');
    expect(bodyOf('MISSING_AUTHENTICATION_TOKEN')).toMatchObject({ title: 'No such route', status: 404 });
  });

  it(
    'cover ACCESS_DENIED, DEFAULT_4XX and DEFAULT_5XX, all as application/problem+json with type, title and ' +
      'instance',
    () => {
      const types = ofType('AWS::ApiGateway::GatewayResponse').map(([, r]) => r.Properties.ResponseType);
      expect(types).toEqual(
        expect.arrayContaining([
          'UNAUTHORIZED',
          'ACCESS_DENIED',
          'MISSING_AUTHENTICATION_TOKEN',
          'DEFAULT_4XX',
          'DEFAULT_5XX',
        ]),
      );
      expect(types).toHaveLength(GATEWAY_PROBLEMS.length);
      expect(statusOf('ACCESS_DENIED')).toBe('403');
      for (const [id, r] of ofType('AWS::ApiGateway::GatewayResponse')) {
        expect(r.Properties.ResponseParameters['gatewayresponse.header.Content-Type'], id).toBe(
          "'application/problem+json'",
        );
        const body = bodyOf(r.Properties.ResponseType);
        expect(body.type, id).toMatch(/^https:\/\/loyalty\.dev\/problems\//);
        expect(body.title, id).toEqual(expect.any(String));
        expect(body.instance, id).toBe('$context.requestId');
        if (r.Properties.StatusCode) expect(body.status, id).toBe(Number(r.Properties.StatusCode));
      }
    },
  );

  it('an authorizer that cannot decide (its table down) is a 503 with Retry-After, not a 500; too large a 413', () => {
    for (const type of ['AUTHORIZER_FAILURE', 'AUTHORIZER_CONFIGURATION_ERROR']) {
      const [, r] = ofType('AWS::ApiGateway::GatewayResponse').find(([, x]) => x.Properties.ResponseType === type)!;
      expect(r.Properties.StatusCode, type).toBe('503');
      expect(r.Properties.ResponseParameters['gatewayresponse.header.Retry-After'], type).toBe("'2'");
      expect(bodyOf(type).type).toBe('https://loyalty.dev/problems/service-unavailable');
    }
    expect(statusOf('REQUEST_TOO_LARGE')).toBe('413');
  });
});

describe('Purchase Completed consumer', () => {
  const rule = () => {
    const rules = ofType('AWS::Events::Rule').filter(([, r]) =>
      JSON.stringify(r.Properties.EventPattern).includes('Purchase Completed'),
    );
    expect(rules).toHaveLength(1);
    return rules[0]![1];
  };
  const dlqId = () => ofType('AWS::SQS::Queue')[0]![0];

  it(
    'matches the inbound detail-types (Purchase Completed, Purchase Returned, Engagement Recorded) on the loyalty ' +
      'bus, not the default bus',
    () => {
      expect(rule().Properties.EventPattern).toEqual({
        'detail-type': ['Purchase Completed', 'Purchase Returned', 'Engagement Recorded'],
      });
      expect(JSON.stringify(rule().Properties.EventBusName)).toMatch(/Bus/);
    },
  );

  it('targets purchase-consumer with a retry policy and a dead-letter queue', () => {
    const [target] = rule().Properties.Targets;
    expect(target.Arn).toEqual({ 'Fn::GetAtt': [functionIdByEntry('functions/purchase-consumer.ts'), 'Arn'] });
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: expect.any(Number) });
    expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [dlqId(), 'Arn'] } });
    expect(rule().Metadata?.['loyalty:targets']).toEqual(['functions/purchase-consumer.ts']);
  });

  it('sends events the consumer keeps failing on to the same dead-letter queue', () => {
    const consumer = resources[functionIdByEntry('functions/purchase-consumer.ts')]!;
    expect(consumer.Properties.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [dlqId(), 'Arn'] } });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionIdByEntry('functions/purchase-consumer.ts') },
      MaximumRetryAttempts: 2,
    });
  });

  it('has an encrypted dead-letter queue that refuses non-TLS requests', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: dlqId() }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('alarms as soon as one message is visible in the dead-letter queue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId(), 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
    });
  });
});

describe('outputs', () => {
  it('publish the API URL and every function name', () => {
    const outputs = Object.keys(template.toJSON().Outputs);
    expect(outputs).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'AuthorizerFunctionName',
        'MembersApiFunctionName',
        'PurchasesApiFunctionName',
        'PurchaseConsumerFunctionName',
      ]),
    );
  });
});

function gatewayResponse(type: string): Resource {
  const found = ofType('AWS::ApiGateway::GatewayResponse').find(([, r]) => r.Properties.ResponseType === type);
  if (!found) throw new Error(`no ${type} gateway response`);
  return found[1];
}
function statusOf(type: string): string | undefined {
  return gatewayResponse(type).Properties.StatusCode;
}
function bodyOf(type: string): any {
  return JSON.parse(gatewayResponse(type).Properties.ResponseTemplates['application/json']);
}
