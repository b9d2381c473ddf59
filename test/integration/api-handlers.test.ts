import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiEvent, lambdaContext, problemOf } from '../support/events';
import { ledgerFixture } from '../support/ledger';

/** The real handlers and authorizer against DynamoDB Local, as API Gateway would call them. */
let f: Awaited<ReturnType<typeof ledgerFixture>>;
let handlers: {
  authorizer: typeof import('../../functions/authorizer').handler;
  members: typeof import('../../functions/members-api').handler;
  purchases: typeof import('../../functions/purchases-api').handler;
};
const keys: Record<string, string> = {};
/** The handlers run on the real clock: an hour ago is inside any accepted lateness. */
const RECENT = new Date(Date.now() - 3_600_000).toISOString();

/** Authorize like API Gateway, then call the route with the authorizer's context. */
async function call(key: string | undefined, req: Parameters<typeof apiEvent>[0]) {
  let ctx: Record<string, unknown>;
  try {
    const auth = await handlers.authorizer({
      type: 'REQUEST',
      methodArn: 'arn:aws:execute-api:us-east-1:1:api/v1/X/y',
      headers: key ? { 'x-api-key': key } : {},
    } as any);
    ctx = auth.context!;
  } catch {
    return { statusCode: 401, headers: {}, body: '' };
  }
  const event = apiEvent({ ...req, programId: ctx.programId as string, scopes: ctx.scopes as string });
  const fn = req.resource.startsWith('/v1/purchases') ? handlers.purchases : handlers.members;
  return fn(event, lambdaContext);
}

beforeAll(async () => {
  f = await ledgerFixture();
  process.env.TABLE_NAME = f.tableName;
  process.env.DYNAMODB_ENDPOINT = f.endpoint;
  process.env.EVENTBRIDGE_ENDPOINT = 'http://127.0.0.1:9'; // nothing listens: publishing fails, the credit must not
  handlers = {
    authorizer: (await import('../../functions/authorizer')).handler,
    members: (await import('../../functions/members-api')).handler,
    purchases: (await import('../../functions/purchases-api')).handler,
  };
  await f.program('brand-a');
  await f.program('brand-b');
  keys.a = await f.key('brand-a', ['members:read', 'members:write', 'purchases:write']);
  keys.aRead = await f.key('brand-a', ['members:read']);
  keys.b = await f.key('brand-b', ['members:read', 'members:write', 'purchases:write']);
});
afterAll(() => f.drop());

describe('members and purchases over the API (DynamoDB Local)', () => {
  it('an unknown key is 401', async () => {
    expect(
      (
        await call('lk_unknown', {
          method: 'GET',
          resource: '/v1/members/{memberId}',
          pathParameters: { memberId: 'x' },
        })
      ).statusCode,
    ).toBe(401);
  });

  it('enrols with 201, updates with 200, and shows the profile with its points', async () => {
    const put = (body: unknown) =>
      call(keys.a, { method: 'PUT', resource: '/v1/members/{memberId}', pathParameters: { memberId: 'carol' }, body });
    const created = await put({
      email: 'carol@example.com',
      name: 'Carol',
      birthDate: '1990-02-28',
      attributes: { vip: true },
    });
    expect(created.statusCode).toBe(201);
    const updated = await put({ name: 'Carol C.' });
    expect(updated.statusCode).toBe(200);
    const got = await call(keys.a, {
      method: 'GET',
      resource: '/v1/members/{memberId}',
      pathParameters: { memberId: 'carol' },
    });
    expect(JSON.parse(got.body)).toMatchObject({
      memberId: 'carol',
      email: 'carol@example.com',
      name: 'Carol C.',
      birthDate: '1990-02-28',
      attributes: { vip: true },
      tier: null,
      points: { available: 0, pending: 0, lifetimeEarned: 0 },
    });
  });

  it('a purchase is 201, its replay 200 with the same body, even when events cannot be published', async () => {
    const body = {
      orderId: 'A-1001',
      memberId: 'carol',
      occurredAt: RECENT,
      currency: 'USD',
      amount: 42_50,
    };
    const first = await call(keys.a, { method: 'POST', resource: '/v1/purchases', body });
    expect(first.statusCode).toBe(201);
    const again = await call(keys.a, { method: 'POST', resource: '/v1/purchases', body });
    expect(again.statusCode).toBe(200);
    expect(JSON.parse(again.body)).toEqual(JSON.parse(first.body));
    const got = await call(keys.a, {
      method: 'GET',
      resource: '/v1/members/{memberId}',
      pathParameters: { memberId: 'carol' },
    });
    expect(JSON.parse(got.body).points).toEqual({ available: 42, pending: 0, lifetimeEarned: 42 });
    const txs = await call(keys.a, {
      method: 'GET',
      resource: '/v1/members/{memberId}/transactions',
      pathParameters: { memberId: 'carol' },
    });
    expect(JSON.parse(txs.body)).toMatchObject({
      items: [{ orderId: 'A-1001', points: 42, type: 'earn' }],
      nextCursor: null,
    });
  });

  it('cross-program access is impossible: brand B cannot see or credit brand A members', async () => {
    const seen = await call(keys.b, {
      method: 'GET',
      resource: '/v1/members/{memberId}',
      pathParameters: { memberId: 'carol' },
    });
    expect(seen.statusCode).toBe(404);
    const txs = await call(keys.b, {
      method: 'GET',
      resource: '/v1/members/{memberId}/transactions',
      pathParameters: { memberId: 'carol' },
    });
    expect(txs.statusCode).toBe(404);
    // The same order id in brand B is brand B's own order: it creates B's member, never touches A's.
    const res = await call(keys.b, {
      method: 'POST',
      resource: '/v1/purchases',
      body: { orderId: 'A-1001', memberId: 'carol', occurredAt: RECENT, currency: 'USD', amount: 1_00 },
    });
    expect(res.statusCode).toBe(201);
    const a = await call(keys.a, {
      method: 'GET',
      resource: '/v1/members/{memberId}',
      pathParameters: { memberId: 'carol' },
    });
    expect(JSON.parse(a.body).points.available).toBe(42);
  });

  it('a purchase older than the accepted lateness is a 422 too-late naming occurredAt; nothing written', async () => {
    const before = await f.scanAll();

    const res = await call(keys.a, {
      method: 'POST',
      resource: '/v1/purchases',
      body: { orderId: 'old', memberId: 'carol', occurredAt: '0001-01-01T00:00:00Z', currency: 'USD', amount: 1_00 },
    });

    expect(res.statusCode).toBe(422);
    expect(problemOf(res)).toMatchObject({
      type: 'https://loyalty.dev/problems/too-late',
      errors: [{ field: 'occurredAt', message: expect.stringContaining('30 day(s) late') }],
    });
    expect(await f.scanAll()).toEqual(before);
  });

  it('a key lacking the scope gets 403 and writes nothing', async () => {
    // The authorizer records the day a key is first used (once a day, the key's own write): done first.
    await call(keys.aRead, { method: 'GET', resource: '/v1/members/{memberId}', pathParameters: { memberId: 'x' } });
    const before = await f.scanAll();
    const res = await call(keys.aRead, {
      method: 'POST',
      resource: '/v1/purchases',
      body: { orderId: 'A-2', memberId: 'carol', occurredAt: RECENT, currency: 'USD', amount: 1_00 },
    });
    expect(res.statusCode).toBe(403);
    expect(await f.scanAll()).toEqual(before);
  });

  it('bad input gets a 4xx naming each field and writes nothing', async () => {
    const before = await f.scanAll();
    const cases: Parameters<typeof apiEvent>[0][] = [
      {
        method: 'POST',
        resource: '/v1/purchases',
        body: { orderId: 'x', memberId: 'carol', occurredAt: RECENT, currency: 'USD', amount: -5 },
      },
      {
        method: 'POST',
        resource: '/v1/purchases',
        body: { orderId: 'x', memberId: 'carol', occurredAt: '2030-01-01T00:00:00Z', currency: 'USD', amount: 5 },
      },
      {
        method: 'POST',
        resource: '/v1/purchases',
        body: { orderId: 'x', memberId: 'carol', occurredAt: RECENT, currency: 'EUR', amount: 5 },
      },
      {
        method: 'POST',
        resource: '/v1/purchases',
        body: { orderId: 'x', memberId: 'carol', occurredAt: '0001-01-01T00:00:00Z', currency: 'USD', amount: 5 },
      },
      {
        method: 'POST',
        resource: '/v1/purchases/{orderId}/returns',
        pathParameters: { orderId: 'A-1001' },
        body: { returnId: 'r-x', occurredAt: '9999-01-01T00:00:00Z', amount: 1 },
      },
      {
        method: 'POST',
        resource: '/v1/purchases/{orderId}/returns',
        pathParameters: { orderId: 'A-1001' },
        body: { returnId: 'r-y', occurredAt: '2020-01-01T00:00:00Z', amount: 1 },
      },
      { method: 'POST', resource: '/v1/purchases', body: [] },
      { method: 'POST', resource: '/v1/purchases', rawBody: 'not json' },
      { method: 'PUT', resource: '/v1/members/{memberId}', pathParameters: { memberId: 'has#hash' }, body: {} },
      {
        method: 'PUT',
        resource: '/v1/members/{memberId}',
        pathParameters: { memberId: 'dave' },
        body: { email: 'nope', birthDate: '2999-01-01', attributes: { '': 1 } },
      },
    ];
    for (const req of cases) {
      const res = await call(keys.a, req);
      expect(res.statusCode, JSON.stringify(req)).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, JSON.stringify(req)).toBeLessThan(500);
      expect(problemOf(res).status).toBe(res.statusCode);
    }
    expect(await f.scanAll()).toEqual(before);
  });
});
