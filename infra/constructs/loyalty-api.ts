import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { HttpMethod } from '../../adapters/http/route';
import type { StageConfig } from '../config';
import { type LoyaltyFunction, retentionDays } from './loyalty-function';
import { addProblemResponses } from './problem-responses';

/** One line of the route table. */
export interface Route {
  readonly method: HttpMethod;
  /** Full path including the version, e.g. `/v1/members/{memberId}`. */
  readonly path: string;
  readonly handler: LoyaltyFunction;
  /** `signature`: a public method (no API key, no authorizer): the handler checks the caller's signature. */
  readonly auth?: 'api-key' | 'signature';
}

/** CloudFormation Metadata on every AWS::ApiGateway::Method: `{ method, path, entry }`. */
export const ROUTE_METADATA = 'loyalty:route';

export const API_KEY_HEADER = 'x-api-key';

export interface LoyaltyApiProps {
  readonly config: StageConfig & { readonly stage: string };
  readonly authorizer: LoyaltyFunction;
  /** Public methods get their own throttle (they have no usage plan), keyed `<path>/<METHOD>`. */
  readonly publicRoutes?: readonly { readonly method: HttpMethod; readonly path: string }[];
}

/**
 * A regional REST API where every method goes through the API-key authorizer, answers in
 * application/problem+json when API Gateway itself rejects a request, and logs every request
 * as one JSON line. Every method requires an API key, which the authorizer supplies (the
 * program's usage identifier), so each program is metered by its own usage plan within the
 * stage throttle. Routes are added with addRoute(); the API owns the rest.
 */
export class LoyaltyApi extends Construct {
  readonly api: apigw.RestApi;
  readonly authorizer: apigw.RequestAuthorizer;
  readonly accessLogs: logs.LogGroup;
  private readonly validator: apigw.RequestValidator;

  constructor(scope: Construct, id: string, props: LoyaltyApiProps) {
    super(scope, id);
    const { config } = props;

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: retentionDays(config.logRetentionDays),
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: `${config.prefix}-loyalty`,
      description: 'Loyalty points API',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // Usage plans (one per program, created by the operator CLI) are keyed by what the authorizer returns.
      apiKeySourceType: apigw.ApiKeySourceType.AUTHORIZER,
      // Execution logging (below) needs the account-level CloudWatch role. It is a per-region
      // account setting, so it is retained rather than removed with the stack.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: config.stage,
        tracingEnabled: true,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: accessLogFormat(),
        // ERROR, not INFO, and no data trace: full request logs would contain the API keys.
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        // Per route, all programs together; each program's usage plan is its share.
        throttlingRateLimit: config.apiThrottle.rateLimit,
        throttlingBurstLimit: config.apiThrottle.burstLimit,
        methodOptions: Object.fromEntries(
          (props.publicRoutes ?? []).map((r) => [
            `${r.path}/${r.method}`,
            {
              throttlingRateLimit: config.webhookThrottle.rateLimit,
              throttlingBurstLimit: config.webhookThrottle.burstLimit,
            },
          ]),
        ),
      },
    });

    this.authorizer = new apigw.RequestAuthorizer(this, 'ApiKeyAuthorizer', {
      handler: props.authorizer.fn,
      identitySources: [apigw.IdentitySource.header(API_KEY_HEADER)],
      resultsCacheTtl: Duration.seconds(config.authorizerCacheSeconds),
    });

    // Path parameters are checked here; bodies are validated by the handlers (zod), which can
    // name every failing field in the problem document.
    this.validator = this.api.addRequestValidator('Parameters', {
      validateRequestParameters: true,
      validateRequestBody: false,
    });

    addProblemResponses(this.api);
    this.acknowledgeNagRules();
  }

  addRoute({ method, path, handler, auth }: Route): apigw.Method {
    const pathParams = [...path.matchAll(/\{(\w+)\+?\}/g)].map((m) => m[1]!);
    const resource = this.api.root.resourceForPath(path);
    const open = auth === 'signature';
    const m = resource.addMethod(
      method,
      // One invoke permission per function for the whole API instead of one per method.
      new apigw.LambdaIntegration(handler.fn, { proxy: true, scopePermissionToMethod: false }),
      {
        ...(open
          ? { authorizationType: apigw.AuthorizationType.NONE, apiKeyRequired: false }
          : { authorizer: this.authorizer, authorizationType: apigw.AuthorizationType.CUSTOM, apiKeyRequired: true }),
        requestValidator: this.validator,
        requestParameters: Object.fromEntries(pathParams.map((p) => [`method.request.path.${p}`, true])),
      },
    );
    (m.node.defaultChild as apigw.CfnMethod).addMetadata(ROUTE_METADATA, { method, path, entry: handler.entry });
    if (open) {
      const v = Validations.of(m);
      v.acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'A shop platform posts its webhooks here and cannot send an API key: the handler verifies the ' +
          "platform's HMAC signature over the raw body with the connector's secret before reading anything, and " +
          'the method has its own throttle.',
      });
      v.acknowledge({
        id: 'AwsSolutions-COG4',
        reason: 'Shop platforms are not Cognito users; the webhook signature authenticates each request.',
      });
    }
    return m;
  }

  addRoutes(routes: readonly Route[]): void {
    for (const r of routes) this.addRoute(r);
  }

  get url(): string {
    return this.api.url;
  }

  private acknowledgeNagRules(): void {
    const v = Validations.of(this.api);
    v.acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'No WAF in front of v1: callers are server-side integrations (POS, e-commerce back ends) holding API keys, ' +
        'every method goes through the authorizer, each program has its own usage plan and the stage throttle ' +
        'bounds the rest. A regional WebACL (managed common rules + rate rule) is the planned step when the API ' +
        'is exposed to browsers; it is optional at this stage.',
    });
    v.acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'The request validator checks required path parameters on every method. Bodies are validated by zod in the ' +
        'handlers, which report every failing field in one RFC 9457 problem document; API Gateway model ' +
        'validation would report only the first error, in its own format.',
    });
    v.acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'Callers are machines, not Cognito users: every method uses the REQUEST authorizer that checks the ' +
        'x-api-key header against hashed API keys and their scopes in the ledger table.',
    });
    v.acknowledge({
      id: `AwsSolutions-IAM4[Policy::${PUSH_TO_CLOUDWATCH_POLICY}]`,
      reason:
        'The account-level API Gateway CloudWatch role uses the AWS-maintained policy for exactly this purpose; it ' +
        'is assumed only by apigateway.amazonaws.com to write execution logs.',
    });
  }
}

/** The AWS-managed policy of the account-level API Gateway CloudWatch role, as cdk-nag names it. */
const PUSH_TO_CLOUDWATCH_POLICY =
  'arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs';

function accessLogFormat(): apigw.AccessLogFormat {
  const f = apigw.AccessLogField;
  return apigw.AccessLogFormat.custom(
    JSON.stringify({
      requestId: f.contextRequestId(),
      requestTime: f.contextRequestTime(),
      ip: f.contextIdentitySourceIp(),
      userAgent: f.contextIdentityUserAgent(),
      method: f.contextHttpMethod(),
      // The route template, not the path: paths carry member ids, which may be email addresses.
      resourcePath: f.contextResourcePath(),
      status: f.contextStatus(),
      responseLength: f.contextResponseLength(),
      responseLatency: f.contextResponseLatency(),
      integrationLatency: f.contextIntegrationLatency(),
      integrationStatus: f.contextIntegrationStatus(),
      principalId: f.contextAuthorizerPrincipalId(),
      authorizerError: f.contextAuthorizeError(),
      authorizerStatus: f.contextAuthorizeStatus(),
      authorizerLatency: f.contextAuthorizeLatency(),
      errorType: f.contextErrorResponseType(),
      errorMessage: f.contextErrorMessage(),
      xrayTraceId: f.contextXrayTraceId(),
    }),
  );
}
