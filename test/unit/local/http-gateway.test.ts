import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGateway, createModuleLoader, renderTemplate } from '../../../local/http-gateway';
import { loadLocalModel } from '../../../local/template';
import { buildFixtureApp } from '../../fixtures/local/fixture-app';
import { calls as authorizerCalls } from '../../fixtures/local/handlers/authorizer';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let server: Server;
let baseUrl: string;
const logs: string[] = [];
const errors: string[] = [];

beforeAll(async () => {
  const model = await loadLocalModel({ buildApp: buildFixtureApp });
  const gateway = createGateway({
    routes: model.routes,
    gatewayResponses: model.gatewayResponses,
    stage: model.stage,
    loadHandler: createModuleLoader(process.cwd()),
    log: (line) => logs.push(line),
    logError: (message) => errors.push(message),
  });
  server = createServer(gateway);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

beforeEach(() => {
  authorizerCalls.length = 0;
  logs.length = 0;
  errors.length = 0;
});

const call = (path: string, init: RequestInit & { key?: string } = {}) =>
  fetch(`${baseUrl}${path}`, {
    ...init,
    headers: { ...(init.key && { 'x-api-key': init.key }), ...(init.headers as Record<string, string>) },
  });

async function echoed(res: Response) {
  expect(res.status).toBeLessThan(300);
  return (await res.json()) as { event: any; context: any; env: any };
}

describe('local API gateway: authorization', () => {
  it(
    'answers 401 from the UNAUTHORIZED gateway response without calling the authorizer when x-api-key is ' + 'missing',
    async () => {
      const res = await call('/v1/members/m-1');
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      const body = (await res.json()) as { requestId: string };
      expect(body).toMatchObject({ title: 'Unauthorized', requestId: expect.stringMatching(UUID) });
      expect(res.headers.get('x-amzn-requestid')).toBe(body.requestId);
      expect(authorizerCalls).toHaveLength(0);
    },
  );

  it('answers 401 when the authorizer throws Unauthorized', async () => {
    const res = await call('/v1/members/m-1', { key: 'unknown' });
    expect(res.status).toBe(401);
    expect(authorizerCalls).toHaveLength(1);
  });

  it('answers 403 from the ACCESS_DENIED response when the policy denies', async () => {
    const res = await call('/v1/members/m-1', { key: 'deny' });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ title: 'Forbidden' });
  });

  it('evaluates the policy resource against the method ARN', async () => {
    expect((await call('/v1/members/m-1', { key: 'get-only' })).status).toBe(200);
    expect((await call('/v1/members/m-1', { key: 'get-only', method: 'PUT', body: '{}' })).status).toBe(403);
  });

  it('sends the authorizer a REQUEST event', async () => {
    await call('/v1/members/m-1?q=1', { key: 'good' });
    expect(authorizerCalls[0]).toMatchObject({
      type: 'REQUEST',
      methodArn: 'arn:aws:execute-api:us-east-1:000000000000:local/v1/GET/v1/members/m-1',
      resource: '/v1/members/{memberId}',
      path: '/v1/members/m-1',
      httpMethod: 'GET',
      headers: expect.objectContaining({ 'x-api-key': 'good' }),
      multiValueHeaders: expect.objectContaining({ 'x-api-key': ['good'] }),
      queryStringParameters: { q: '1' },
      pathParameters: { memberId: 'm-1' },
      requestContext: expect.objectContaining({
        stage: 'v1',
        resourcePath: '/v1/members/{memberId}',
        requestId: expect.stringMatching(UUID),
      }),
    });
  });

  it('answers 500 from DEFAULT_5XX when the authorizer fails or returns an object in its context', async () => {
    for (const key of ['crash', 'bad-context']) {
      const res = await call('/v1/members/m-1', { key });
      expect(res.status, key).toBe(500);
      expect(res.headers.get('x-amzn-errortype')).toBe('AuthorizerConfigurationException');
      expect(await res.json()).toMatchObject({ title: 'Internal Server Error' });
    }
  });

  it('calls a route without authorizer directly', async () => {
    const { event } = await echoed(await call('/v1/health'));
    expect(event.requestContext.authorizer).toBeUndefined();
    expect(authorizerCalls).toHaveLength(0);
  });
});

describe('local API gateway: Lambda proxy integration', () => {
  it('builds the proxy event API Gateway sends', async () => {
    const { event } = await echoed(await call('/v1/members/a%20b?x=1&x=2&y=3', { key: 'good' }));
    expect(event).toMatchObject({
      resource: '/v1/members/{memberId}',
      path: '/v1/members/a%20b',
      httpMethod: 'GET',
      queryStringParameters: { x: '2', y: '3' },
      multiValueQueryStringParameters: { x: ['1', '2'], y: ['3'] },
      pathParameters: { memberId: 'a b' },
      stageVariables: null,
      body: null,
      isBase64Encoded: false,
    });
    expect(event.headers['x-api-key']).toBe('good');
    expect(event.multiValueHeaders['x-api-key']).toEqual(['good']);
    expect(event.requestContext).toMatchObject({
      stage: 'v1',
      path: '/v1/v1/members/a%20b',
      resourcePath: '/v1/members/{memberId}',
      httpMethod: 'GET',
      requestId: expect.stringMatching(UUID),
      accountId: '000000000000',
      identity: expect.objectContaining({ sourceIp: '127.0.0.1' }),
    });
  });

  it('passes the authorizer context stringified, with the principal id', async () => {
    const { event } = await echoed(await call('/v1/members/m-1', { key: 'good' }));
    expect(event.requestContext.authorizer).toMatchObject({
      programId: 'p1',
      count: '3',
      flag: 'true',
      principalId: 'fixture-principal',
    });
  });

  it('gives null query parameters when there are none', async () => {
    const { event } = await echoed(await call('/v1/members/m-1', { key: 'good' }));
    expect(event.queryStringParameters).toBeNull();
    expect(event.multiValueQueryStringParameters).toBeNull();
  });

  it('passes the body as a string and writes the status, headers and multi-value headers', async () => {
    const res = await call('/v1/members/m-1', {
      key: 'good',
      method: 'PUT',
      body: '{"name":"Alice"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-echo')).toBe('yes');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    const { event } = (await res.json()) as { event: { body: string } };
    expect(event.body).toBe('{"name":"Alice"}');
  });

  it('keeps header names as the client sent them', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        `${baseUrl}/v1/members/m-1`,
        { headers: { 'X-Api-Key': 'good', 'X-Trace': 'abc' } },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end();
    });
    const { event } = JSON.parse(body);
    expect(event.headers).toMatchObject({ 'X-Api-Key': 'good', 'X-Trace': 'abc' });
  });

  it('gives the handler a Lambda context and the function environment', async () => {
    const { context, env } = await echoed(await call('/v1/members/m-1', { key: 'good' }));
    expect(context.awsRequestId).toMatch(UUID);
    expect(context.functionName).toMatch(/Echo/);
    expect(context.remainingMs).toBeGreaterThan(0);
    expect(context.remainingMs).toBeLessThanOrEqual(10_000);
    expect(env.FIXTURE_FLAG).toBe('on');
  });

  it('ignores a trailing slash', async () => {
    expect((await call('/v1/health/')).status).toBe(200);
  });

  it('logs one line per request: method, path, status, duration', async () => {
    await call('/v1/health');
    expect(logs).toEqual([expect.stringMatching(/^GET \/v1\/health 200 \d+ms$/)]);
  });
});

describe('local API gateway: errors', () => {
  it('answers an unknown path from the MISSING_AUTHENTICATION_TOKEN response (404 here)', async () => {
    const res = await call('/v1/nope', { key: 'good' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ title: 'Not Found' });
  });

  it('answers an unknown method on a known path the same way, as API Gateway does', async () => {
    expect((await call('/v1/members/m-1', { key: 'good', method: 'DELETE' })).status).toBe(404);
  });

  it('answers from DEFAULT_5XX and logs when the handler throws', async () => {
    const res = await call('/v1/members/m-1/boom', { key: 'good', method: 'POST' });
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(body).toMatchObject({ title: 'Internal Server Error', requestId: expect.stringMatching(UUID) });
    expect(JSON.stringify(body)).not.toContain('kaboom');
    expect(errors).toEqual([expect.stringContaining('boom.ts threw')]);
  });

  it('answers from DEFAULT_5XX when the handler result is not a proxy response', async () => {
    const res = await call('/v1/members/malformed/boom', { key: 'good', method: 'POST' });
    expect(res.status).toBe(500);
    expect(errors).toEqual([expect.stringContaining('malformed Lambda proxy response')]);
  });
});

describe('gateway response templates', () => {
  it('substitutes $context variables in every VTL spelling', () => {
    const vars = { requestId: 'r-1', 'error.message': 'Unauthorized', 'error.messageString': '"Unauthorized"' };
    expect(renderTemplate('{"id":"$context.requestId","m":$context.error.messageString}', vars)).toBe(
      '{"id":"r-1","m":"Unauthorized"}',
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Velocity template, not a JavaScript one.
    expect(renderTemplate('${context.requestId}|$!{context.requestId}|$!context.requestId', vars)).toBe('r-1|r-1|r-1');
    expect(renderTemplate('id $context.requestId.', vars)).toBe('id r-1.');
    expect(renderTemplate('[$context.unknown]', vars)).toBe('[]');
  });
});
