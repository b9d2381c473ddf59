import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, Context, EventBridgeEvent } from 'aws-lambda';

/** A REST API proxy event as API Gateway sends it after the authorizer allowed the key. */
export function apiEvent(args: {
  method: string;
  resource: string;
  path?: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  programId?: string;
  scopes?: string;
}): APIGatewayProxyEvent {
  const path = args.path ?? args.resource.replace(/\{(\w+)\}/g, (_, p) => args.pathParameters?.[p] ?? '');
  return {
    resource: args.resource,
    path,
    httpMethod: args.method,
    headers: { 'content-type': 'application/json', ...(args.headers ?? {}) },
    multiValueHeaders: {},
    queryStringParameters: args.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: args.pathParameters ?? null,
    stageVariables: null,
    body: args.rawBody ?? (args.body === undefined ? null : JSON.stringify(args.body)),
    isBase64Encoded: false,
    requestContext: {
      requestId: randomUUID(),
      resourcePath: args.resource,
      httpMethod: args.method,
      stage: 'v1',
      authorizer:
        args.programId === undefined
          ? undefined
          : {
              programId: args.programId,
              scopes: args.scopes ?? 'members:read,members:write,purchases:write',
              keyId: 'k1',
              principalId: 'p',
            },
    } as unknown as APIGatewayProxyEvent['requestContext'],
  } as APIGatewayProxyEvent;
}

export function busEvent<D extends string, T>(detailType: D, detail: T): EventBridgeEvent<D, T> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source: 'shop.checkout',
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail,
  };
}

export const lambdaContext = {
  functionName: 'test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test',
  memoryLimitInMB: '512',
  awsRequestId: 'req',
  logGroupName: 'g',
  logStreamName: 's',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 10_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
} as Context;

export function problemOf(res: { statusCode: number; headers?: Record<string, unknown>; body?: string }) {
  expectProblemContentType(res.headers);
  return JSON.parse(res.body ?? '{}');
}

function expectProblemContentType(headers?: Record<string, unknown>) {
  if (headers?.['content-type'] !== 'application/problem+json')
    throw new Error(`expected problem+json, got ${String(headers?.['content-type'])}`);
}
