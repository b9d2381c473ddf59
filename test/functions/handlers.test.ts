import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { apiEvent, busEvent, lambdaContext, problemOf } from '../support/events';

process.env.TABLE_NAME = 'mock-table';
process.env.EVENT_BUS_NAME = 'mock-bus';

const ddb = mockClient(DynamoDBDocumentClient);
const eb = mockClient(EventBridgeClient);
const { handler: purchases } = await import('../../functions/purchases-api');
const { handler: members } = await import('../../functions/members-api');
const { handler: consumer } = await import('../../functions/purchase-consumer');

const program = {
  pk: 'PROGRAM#shop',
  sk: 'SETTINGS',
  programId: 'shop',
  name: 'Shop',
  currency: 'USD',
  pointsPerUnit: 1,
  autoEnrol: true,
  createdAt: '2026-01-01T00:00:00Z',
};
// The handlers run on the real clock: a purchase an hour ago is inside the accepted lateness.
const validPurchase = {
  orderId: 'o-1',
  memberId: 'alice',
  occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
  currency: 'USD',
  amount: 25_00,
};

beforeEach(() => {
  ddb.reset();
  eb.reset();
  eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
});

describe('POST /v1/purchases', () => {
  const post = (body: unknown, scopes?: string) =>
    purchases(apiEvent({ method: 'POST', resource: '/v1/purchases', body, programId: 'shop', scopes }), lambdaContext);

  it('credits a valid purchase with one batch read and one transactional write', async () => {
    ddb.on(GetCommand).resolves({ Item: program });
    ddb.on(BatchGetCommand).resolves({ Responses: { 'mock-table': [] } });
    ddb.on(TransactWriteCommand).resolves({});
    const res = await post(validPurchase);
    expect(res.statusCode).toBe(201);
    expect(JSON.parse(res.body)).toMatchObject({ orderId: 'o-1', memberId: 'alice', points: 25, status: 'credited' });
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(1);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items[0]!.Put!.ConditionExpression).toBe('attribute_not_exists(pk)');
  });

  it('names every bad field in a 400 problem and touches no table', async () => {
    const res = await post({
      orderId: 'bad#id',
      memberId: '',
      occurredAt: 'yesterday',
      currency: 'usd',
      amount: 12.5,
      items: [{ sku: 'x', quantity: 0, unitPrice: 1 }],
      extra: 1,
    });
    expect(res.statusCode).toBe(400);
    const body = problemOf(res);
    expect(body.type).toBe('https://loyalty.dev/problems/validation-failed');
    expect(body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'amount',
      'currency',
      'extra',
      'items.0.quantity',
      'memberId',
      'occurredAt',
      'orderId',
    ]);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('rejects a body that is not JSON with a 400 problem', async () => {
    const res = await purchases(
      apiEvent({ method: 'POST', resource: '/v1/purchases', rawBody: '{oops', programId: 'shop' }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(400);
    expect(problemOf(res).errors).toEqual([{ field: '(body)', message: 'is not valid JSON' }]);
  });

  it('refuses prototype keys anywhere in the body with a 400 naming each, without a table call', async () => {
    const raw =
      '{"orderId":"o-1","__proto__":{"admin":true},"items":[{"sku":"a","constructor":1}],"x":{"prototype":2}}';
    const res = await purchases(
      apiEvent({ method: 'POST', resource: '/v1/purchases', rawBody: raw, programId: 'shop' }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(400);
    expect(problemOf(res).errors.map((e: { field: string }) => e.field)).toEqual([
      '__proto__',
      'items.0.constructor',
      'x.prototype',
    ]);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('refuses a body nested deeper than 32 levels, however deep, with a 400', async () => {
    for (const depth of [40, 500_000]) {
      const raw = `{"orderId":"o-1","items":${'['.repeat(depth)}${']'.repeat(depth)}}`;
      const res = await purchases(
        apiEvent({ method: 'POST', resource: '/v1/purchases', rawBody: raw, programId: 'shop' }),
        lambdaContext,
      );
      expect(res.statusCode).toBe(400);
      expect(problemOf(res).errors[0].message).toBe('nests deeper than 32 levels');
    }
    expect(ddb.calls()).toHaveLength(0);
  });

  it('a body over 1 MiB is a 413 problem, headers over 10 KiB a 431, before anything is read', async () => {
    const big = await post({ ...validPurchase, pad: 'x'.repeat(1024 * 1024) });
    expect(big.statusCode).toBe(413);
    expect(problemOf(big).type).toBe('https://loyalty.dev/problems/payload-too-large');
    const headers = await purchases(
      apiEvent({
        method: 'POST',
        resource: '/v1/purchases',
        body: validPurchase,
        headers: { 'x-padding': 'p'.repeat(10 * 1024) },
        programId: 'shop',
      }),
      lambdaContext,
    );
    expect(headers.statusCode).toBe(431);
    expect(problemOf(headers).type).toBe('https://loyalty.dev/problems/headers-too-large');
    expect(ddb.calls()).toHaveLength(0);
  });

  it('a key without purchases:write gets 403', async () => {
    const res = await post(validPurchase, 'members:read');
    expect(res.statusCode).toBe(403);
    expect(problemOf(res).type).toBe('https://loyalty.dev/problems/forbidden');
    expect(ddb.calls()).toHaveLength(0);
  });

  it('an unexpected failure is a 500 problem that reveals nothing', async () => {
    ddb.on(GetCommand).rejects(new Error('secret internals'));
    const res = await post(validPurchase);
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret');
  });
});

describe('a dependency down is a 503 with Retry-After, never a 500', () => {
  const post = (body: unknown, context = lambdaContext) =>
    purchases(apiEvent({ method: 'POST', resource: '/v1/purchases', body, programId: 'shop' }), context);

  it.each([
    ['refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' })],
    ['reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['throttled', Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' })],
    ['a service fault', Object.assign(new Error('Internal'), { name: 'InternalServerError', $fault: 'server' })],
    ['an SDK timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
  ])('DynamoDB %s', async (_, error) => {
    ddb.onAnyCommand().rejects(error);
    const res = await post(validPurchase);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(problemOf(res).type).toBe('https://loyalty.dev/problems/service-unavailable');
    expect(res.body).not.toContain('127.0.0.1');
  });

  it('a table that hangs: the answer comes before the Lambda would time out', async () => {
    ddb.onAnyCommand().callsFake(() => new Promise(() => {}));
    const started = Date.now();
    const res = await post(validPurchase, { ...lambdaContext, getRemainingTimeInMillis: () => 800 });
    expect(Date.now() - started).toBeLessThan(800);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
  });
});

describe('members API', () => {
  it('GET an unknown member is a 404 problem', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [] }); // the member view is one Query: profile + lots
    const res = await members(
      apiEvent({
        method: 'GET',
        resource: '/v1/members/{memberId}',
        pathParameters: { memberId: 'ghost' },
        programId: 'shop',
      }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(404);
    expect(problemOf(res)).toMatchObject({ type: 'https://loyalty.dev/problems/member-not-found', status: 404 });
  });

  it('rejects a limit out of range and a forged cursor', async () => {
    const res = await members(
      apiEvent({
        method: 'GET',
        resource: '/v1/members/{memberId}/transactions',
        pathParameters: { memberId: 'alice' },
        query: { limit: '1000', cursor: 'bm9wZQ' },
        programId: 'shop',
      }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(400);
    expect(problemOf(res).errors.map((e: { field: string }) => e.field)).toEqual(['limit']);
    const forged = await members(
      apiEvent({
        method: 'GET',
        resource: '/v1/members/{memberId}/transactions',
        pathParameters: { memberId: 'alice' },
        query: { cursor: Buffer.from(JSON.stringify({ sk: 'PROFILE' })).toString('base64url') },
        programId: 'shop',
      }),
      lambdaContext,
    );
    expect(problemOf(forged).errors).toEqual([
      { field: 'cursor', message: 'is not a cursor returned by this endpoint' },
    ]);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('Purchase Completed consumer', () => {
  it('throws on an invalid event (so it reaches the DLQ) without touching the table', async () => {
    await expect(consumer(busEvent('Purchase Completed', { orderId: 'o' }), lambdaContext)).rejects.toThrow(
      /programId/,
    );
    expect(ddb.calls()).toHaveLength(0);
  });

  it('throws on prototype keys in the detail, naming them, without touching the table', async () => {
    const detail = JSON.parse('{"programId":"shop","orderId":"o","__proto__":{"x":1},"items":[{"constructor":1}]}');
    await expect(consumer(busEvent('Purchase Completed', detail), lambdaContext)).rejects.toThrow(
      'detail.__proto__ is a reserved name, not a field; detail.items.0.constructor is a reserved name, not a field',
    );
    expect(ddb.calls()).toHaveLength(0);
  });

  const producers = (items: Record<string, unknown>[]) =>
    ddb
      .on(QueryCommand, { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)' })
      .resolves({ Items: items });

  it('credits a valid event from a registered producer through the same use case', async () => {
    ddb.on(GetCommand).resolves({ Item: program });
    producers([{ source: 'shop.checkout', account: null, addedAt: '2026-01-01T00:00:00Z' }]);
    ddb.on(BatchGetCommand).resolves({ Responses: { 'mock-table': [] } });
    ddb.on(TransactWriteCommand).resolves({});
    const out = await consumer(busEvent('Purchase Completed', { ...validPurchase, programId: 'shop' }), lambdaContext);
    expect(out).toEqual({ replayed: false, points: 25 });
    const query = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(query.ExpressionAttributeValues).toEqual({ ':pk': 'PROGRAM#shop#PRODUCERS', ':prefix': 'PRODUCER#' });
    // Its events come from the committed data (the table's stream): the consumer publishes nothing.
    expect(eb.commandCalls(PutEventsCommand)).toHaveLength(0);
    const tx = ddb
      .commandCalls(TransactWriteCommand)[0]!
      .args[0].input.TransactItems!.find((i) => i.Put?.Item?.entity === 'tx')!.Put!.Item!;
    expect(tx.announces).toBe(true);
  });

  it('refuses, writing nothing, an event whose source or account the program has not registered', async () => {
    ddb.on(GetCommand).resolves({ Item: program });
    producers([
      { source: 'shop.checkout', account: '111122223333', addedAt: '2026-01-01T00:00:00Z' },
      { source: 'pos.store', account: null, addedAt: '2026-01-01T00:00:00Z' },
    ]);
    const detail = { ...validPurchase, programId: 'other-program' };
    await expect(consumer(busEvent('Purchase Completed', detail), lambdaContext)).rejects.toThrow(
      'Source "shop.checkout" from account 000000000000 is not a registered producer of program "other-program"',
    );
    const fromPos = { ...busEvent('Purchase Completed', detail), source: 'pos.store', account: '999988887777' };
    await expect(consumer(fromPos, lambdaContext)).rejects.toThrow('from account 999988887777 is not a registered');
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(0);
  });
});
