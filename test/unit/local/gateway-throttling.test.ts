// The local gateway meters like API Gateway: the API key the authorizer returns picks the usage
// plan (rate, burst, quota), the stage throttle covers every key, and a refusal is the template's
// gateway response (429 problem+json with Retry-After, 403 for a key in no plan). Time is injected.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGateway, createModuleLoader } from '../../../local/http-gateway';
import { extractModel, type LambdaFunctionModel, type RouteModel, synthTemplates } from '../../../local/template';
import type { UsagePlanLimits } from '../../../local/throttle';
import { FIXTURE_HANDLERS } from '../../fixtures/local/fixture-app';

const fn = (name: string, entry: string): LambdaFunctionModel => ({
  stackName: 'Fixture',
  logicalId: name,
  functionName: name,
  entry: `${FIXTURE_HANDLERS}/${entry}`,
  handlerExport: 'handler',
  timeoutSeconds: 10,
  memorySize: 128,
  environment: {},
  async: { retryAttempts: 2, maxEventAgeSeconds: 21_600, onFailure: null },
});
const authorizer = {
  entry: `${FIXTURE_HANDLERS}/authorizer.ts`,
  type: 'REQUEST' as const,
  identitySource: 'method.request.header.x-api-key',
  resultTtlSeconds: 0,
  function: fn('Authorizer', 'authorizer.ts'),
};
const route = (method: string, resourcePath: string, extra: Partial<RouteModel> = {}): RouteModel => ({
  method,
  resourcePath,
  entry: `${FIXTURE_HANDLERS}/echo.ts`,
  function: fn('Echo', 'echo.ts'),
  authorizer,
  apiKeyRequired: true,
  throttle: null,
  ...extra,
});

const PLANS: Record<string, UsagePlanLimits> = {
  noisy: { rateLimit: 2, burstLimit: 4, quota: null },
  quiet: { rateLimit: 2, burstLimit: 4, quota: null },
  capped: { rateLimit: 100, burstLimit: 100, quota: { limit: 3, period: 'DAY' } },
  big: { rateLimit: 1000, burstLimit: 1000, quota: null },
};

let server: Server;
let baseUrl: string;
let clock = Date.parse('2026-11-23T10:00:00Z');
const lookups: string[] = [];

beforeAll(async () => {
  // The gateway responses as infra synthesizes them: the problems registry's 429s and 403.
  const { gatewayResponses } = extractModel(await synthTemplates({ stage: 'local' }));
  const gateway = createGateway({
    routes: [
      route('GET', '/v1/members/{memberId}'),
      route('PUT', '/v1/members/{memberId}', { throttle: { rateLimit: 1, burstLimit: 3 } }),
      route('GET', '/v1/open', { apiKeyRequired: false, authorizer: null }),
    ],
    gatewayResponses,
    apiKeySource: 'AUTHORIZER',
    usagePlanOf: async (apiKey) => {
      lookups.push(apiKey);
      return PLANS[apiKey] ?? null;
    },
    now: () => clock,
    loadHandler: createModuleLoader(process.cwd()),
    log: () => {},
    logError: () => {},
  });
  server = createServer(gateway);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  clock += 3_600_000; // an hour on: every bucket full again
  lookups.length = 0;
});

const call = (key: string, path = '/v1/members/m-1', method = 'GET') =>
  fetch(`${baseUrl}${path}`, { method, headers: { 'x-api-key': key }, ...(method === 'PUT' && { body: '{}' }) });
const statuses = async (n: number, key: string, path?: string, method?: string) => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await call(key, path, method)).status);
  return out;
};

describe('the usage plan of the key the authorizer returns', () => {
  it('lets a program make its burst, then answers 429 throttled as problem+json with Retry-After', async () => {
    expect(await statuses(6, 'usage:noisy')).toEqual([200, 200, 200, 200, 429, 429]);

    const res = await call('usage:noisy');
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toEqual({
      type: 'https://loyalty.dev/problems/throttled',
      title: 'Too many requests',
      status: 429,
      instance: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(lookups.every((k) => k === 'noisy')).toBe(true);
  });

  it('keeps another program whole while one is throttled', async () => {
    await statuses(10, 'usage:noisy');
    expect(await statuses(4, 'usage:quiet')).toEqual([200, 200, 200, 200]);
  });

  it('refills at the rate: half a second later a 2 rps program has one more request', async () => {
    await statuses(5, 'usage:noisy');
    clock += 500;
    expect(await statuses(2, 'usage:noisy')).toEqual([200, 429]);
  });

  it('answers 429 quota-exceeded with Retry-After 3600 once the period is used up, until the next one', async () => {
    clock = Date.parse('2026-11-24T09:00:00Z');
    expect(await statuses(4, 'usage:capped')).toEqual([200, 200, 200, 429]);
    const res = await call('usage:capped');
    expect(res.headers.get('retry-after')).toBe('3600');
    expect(await res.json()).toMatchObject({ type: 'https://loyalty.dev/problems/quota-exceeded', status: 429 });

    clock = Date.parse('2026-11-25T00:00:00Z');
    expect(await statuses(1, 'usage:capped')).toEqual([200]);
  });

  it('answers 403 program-not-provisioned for a key in no usage plan, or none at all', async () => {
    const res = await call('usage:stranger');
    expect(res.status).toBe(403);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(await res.json()).toMatchObject({ type: 'https://loyalty.dev/problems/program-not-provisioned' });
    // `good` is allowed by the authorizer without a usageIdentifierKey.
    const unmetered = await call('good');
    expect(unmetered.status).toBe(403);
    expect(await unmetered.json()).toMatchObject({ type: 'https://loyalty.dev/problems/program-not-provisioned' });
  });
});

describe('the stage throttle', () => {
  it('holds every program together to the method limit, each method on its own', async () => {
    expect(await statuses(2, 'usage:big', '/v1/members/m-1', 'PUT')).toEqual([201, 201]);
    expect(await statuses(2, 'usage:quiet', '/v1/members/m-1', 'PUT')).toEqual([201, 429]);
    expect((await call('usage:quiet')).status).toBe(200);
  });

  it('does not meter a method that needs no API key by any key', async () => {
    const res = await fetch(`${baseUrl}/v1/open`);
    expect(res.status).toBe(200);
    expect(lookups).toEqual([]);
  });
});
