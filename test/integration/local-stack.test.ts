// The whole embedded run, as `npm start` assembles it: template -> routes and rules, DynamoDB Local,
// the real handlers. Random ports; the DynamoDB Local of the test run; a table of its own.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/start';
import { main } from '../../tools/cli';
import { localInvoke, redriveLocal } from '../../tools/dlq';

let stack: LocalStack;
const logs: string[] = [];
const errors: string[] = [];

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    eventsPort: 0,
    dynamodbEndpoint: inject('dynamodbEndpoint') ?? process.env.DYNAMODB_ENDPOINT,
    tableName: `loyalty-local-it-${randomUUID().slice(0, 8)}`,
    retryBaseDelayMs: 10,
    log: (line) => logs.push(line),
    logError: (message, error) => errors.push(`${message}: ${error instanceof Error ? error.message : String(error)}`),
  });
}, 120_000);

afterAll(async () => {
  await stack?.bus.whenIdle();
  await stack?.stop();
});

/** The operator CLI against this stack's table, as `npm run --silent loyalty -- ...` runs it. */
async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...a) => void lines.push(a.join(' ')));
  try {
    const code = await main([...args, '--table', stack.tableName, '--endpoint', stack.dynamodbEndpoint]);
    return { code, out: lines.join('\n') };
  } finally {
    spy.mockRestore();
  }
}

const deadLetters = () =>
  existsSync(stack.deadLetterFile)
    ? readFileSync(stack.deadLetterFile, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    : [];

const api = (path: string, init: RequestInit & { key?: string | null } = {}) => {
  const { key = stack.apiKey, ...rest } = init;
  return fetch(`${stack.apiUrl}${path}`, {
    ...rest,
    headers: {
      'content-type': 'application/json',
      ...(key && { 'x-api-key': key }),
      ...(rest.headers as Record<string, string>),
    },
  });
};

type MemberBody = { memberId: string; points: { available: number; pending: number; lifetimeEarned: number } };
const member = async (id: string) => {
  const res = await api(`/v1/members/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as MemberBody;
};

describe('local stack (npm start)', () => {
  it('answers a request without API key with a 401 problem document from the gateway', async () => {
    const res = await api('/v1/members/alice', { key: null });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = (await res.json()) as { type: string; status: number; instance: string };
    expect(body).toMatchObject({ type: expect.stringMatching(/\/unauthorized$/), status: 401 });
    expect(body.instance).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unknown route with the 404 problem document', async () => {
    const res = await api('/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('serves the seeded demo member with the seeded key', async () => {
    const alice = await member('alice');
    expect(alice.memberId).toBe('alice');
    expect(alice.points.lifetimeEarned).toBeGreaterThan(0);
  });

  it('enrols a member, records a purchase, and credits a Purchase Completed event from the bus', async () => {
    // The stack runs on the real clock: records of the last hours are inside the accepted lateness.
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
    const enrol = await api('/v1/members/carol', {
      method: 'PUT',
      body: JSON.stringify({ email: 'carol@example.com', name: 'Carol' }),
    });
    expect(enrol.status).toBe(201);
    expect(await member('carol')).toMatchObject({ memberId: 'carol', points: { lifetimeEarned: 0 } });

    const purchase = await api('/v1/purchases', {
      method: 'POST',
      body: JSON.stringify({
        orderId: 'it-order-1',
        memberId: 'carol',
        occurredAt: hoursAgo(3),
        currency: 'USD',
        amount: 4250,
      }),
    });
    expect(purchase.status).toBe(201);
    const earned = (await purchase.json()) as { points: number; breakdown: { ruleId: string }[] };
    expect(earned.breakdown[0]).toMatchObject({ ruleId: 'base-spend' }); // the seeded demo rules apply
    await stack.settled(); // the events the purchase announced (Points Earned ...) are published and delivered too
    const afterPurchase = (await member('carol')).points.lifetimeEarned;
    expect(afterPurchase).toBe(earned.points);

    const client = new EventBridgeClient({
      endpoint: stack.eventsEndpoint,
      region: stack.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const detail = {
      programId: stack.programId,
      orderId: 'it-order-2',
      memberId: 'carol',
      occurredAt: hoursAgo(2),
      currency: 'USD',
      amount: 1000,
    };
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: stack.busName,
            Source: 'shop.checkout',
            DetailType: 'Purchase Completed',
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(0);
    await stack.bus.whenIdle();

    const txs = (await (await api('/v1/members/carol/transactions')).json()) as {
      items: { orderId: string; points: number }[];
    };
    const fromBus = txs.items.find((t) => t.orderId === 'it-order-2');
    // 1 point per dollar (1.5 at weekends, plus a windfall if the draw wins)
    expect(fromBus?.points).toBeGreaterThanOrEqual(10);
    expect((await member('carol')).points.lifetimeEarned).toBe(afterPurchase + fromBus!.points);

    // Returns and engagement events arrive on the bus too, and reach the same use cases, from the
    // sources the program registered.
    for (const source of ['shop.returns', 'shop.reviews']) {
      expect((await cli('producer', 'add', stack.programId, '--source', source)).code).toBe(0);
    }
    await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: stack.busName,
            Source: 'shop.returns',
            DetailType: 'Purchase Returned',
            Detail: JSON.stringify({
              programId: stack.programId,
              orderId: 'it-order-2',
              returnId: 'it-return-1',
              occurredAt: hoursAgo(1),
            }),
          },
          {
            EventBusName: stack.busName,
            Source: 'shop.reviews',
            DetailType: 'Engagement Recorded',
            Detail: JSON.stringify({
              programId: stack.programId,
              eventId: 'it-review-1',
              memberId: 'carol',
              type: 'review.posted',
              occurredAt: hoursAgo(1),
            }),
          },
        ],
      }),
    );
    await stack.bus.whenIdle();
    const after = (await (await api('/v1/members/carol/transactions')).json()) as {
      items: { type: string; points: number; returnId?: string; eventId?: string }[];
    };
    expect(after.items.find((t) => t.returnId === 'it-return-1')).toMatchObject({
      type: 'reverse',
      points: -fromBus!.points,
    });
    expect(after.items.find((t) => t.eventId === 'it-review-1')).toMatchObject({ type: 'earn', points: 25 });
    expect(logs.some((l) => l.includes('Purchase Completed') && l.includes('purchase-consumer.ts ok'))).toBe(true);
    expect(errors).toEqual([]);
  });

  it('dead-letters a Purchase Completed event the consumer keeps rejecting, naming its AWS queue', async () => {
    const client = new EventBridgeClient({
      endpoint: stack.eventsEndpoint,
      region: stack.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    // no amount, no occurredAt
    const invalid = { programId: stack.programId, orderId: 'it-order-bad', memberId: 'carol', currency: 'USD' };
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: stack.busName,
            Source: 'shop.checkout',
            DetailType: 'Purchase Completed',
            Detail: JSON.stringify(invalid),
          },
        ],
      }),
    );
    await stack.bus.whenIdle();

    const letters = existsSync(stack.deadLetterFile)
      ? readFileSync(stack.deadLetterFile, 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line))
      : [];
    expect(letters).toEqual([
      expect.objectContaining({
        stage: 'lambda',
        target: 'functions/purchase-consumer.ts',
        attempts: 3, // Lambda's async invocation: 1 + 2 retries
        destination: expect.stringMatching(/^arn:aws:sqs:.*PurchaseConsumerDlq/),
        event: expect.objectContaining({ id: out.Entries![0]!.EventId, detail: invalid }),
      }),
    ]);
    errors.length = 0; // the consumer's failures were the point
  });
  it('credits only registered producers of the program an event names; others wait in the dead letters', async () => {
    const client = new EventBridgeClient({
      endpoint: stack.eventsEndpoint,
      region: stack.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    expect((await cli('program', 'create', 'brand-b', '--json')).code).toBe(0);
    const listed = JSON.parse((await cli('producer', 'list', stack.programId, '--json')).out);
    expect(listed.map((p: { source: string }) => p.source).sort()).toEqual([
      'shop.checkout', // the demo seed registers the README's source
      'shop.returns',
      'shop.reviews',
    ]);
    const purchase = (programId: string, orderId: string, Source: string) => ({
      EventBusName: stack.busName,
      Source,
      DetailType: 'Purchase Completed',
      Detail: JSON.stringify({
        programId,
        orderId,
        memberId: 'tenant-m',
        occurredAt: new Date(Date.now() - 60_000).toISOString(),
        currency: 'USD',
        amount: 5_000,
      }),
    });
    const before = deadLetters().length;
    await client.send(
      new PutEventsCommand({
        Entries: [
          purchase(stack.programId, 'tenant-rogue', 'rogue.shop'), // not registered anywhere
          purchase('brand-b', 'tenant-b', 'shop.checkout'), // registered for demo, not for brand-b
        ],
      }),
    );
    await stack.bus.whenIdle();
    const letters = deadLetters().slice(before);
    expect(letters.map((l) => [l.event.source, l.event.detail.programId, l.error.message])).toEqual([
      [
        'rogue.shop',
        'demo',
        expect.stringContaining(
          '"rogue.shop" from account 000000000000 is not a registered producer of program "demo"',
        ),
      ],
      ['shop.checkout', 'brand-b', expect.stringContaining('not a registered producer of program "brand-b"')],
    ]);
    // The rogue purchase named the demo program: it enrolled and credited no one there.
    expect((await api('/v1/members/tenant-m')).status).toBe(404);

    // brand-b registers the shop; redriving credits its purchase once and keeps the rogue one.
    expect((await cli('producer', 'add', 'brand-b', '--source', 'shop.checkout')).code).toBe(0);
    // The consumer here shares this process: it rereads a source it refused after a second.
    await new Promise((r) => setTimeout(r, 1_100));
    const invoke = localInvoke({ tableName: stack.tableName, dynamodbEndpoint: stack.dynamodbEndpoint });
    const report = await redriveLocal(stack.deadLetterFile, invoke);
    expect(report.failed.map((f) => f.reason)).toEqual([
      expect.stringContaining('detail.amount is required'), // the previous test's invalid event stays
      expect.stringContaining('"rogue.shop"'),
    ]);
    expect(report.redriven).toBe(1);
    const { apiKey } = JSON.parse((await cli('key', 'create', 'brand-b', '--scopes', 'members:read', '--json')).out);
    const b = await api('/v1/members/tenant-m', { key: apiKey });
    expect(((await b.json()) as MemberBody).points.lifetimeEarned).toBe(50);

    // Removed, the source credits brand-b no more (running consumers see it within their 30 s cache).
    expect((await cli('producer', 'remove', 'brand-b', '--source', 'shop.checkout')).code).toBe(0);
    expect(JSON.parse((await cli('producer', 'list', 'brand-b', '--json')).out)).toEqual([]);
    expect((await cli('producer', 'remove', 'brand-b', '--source', 'shop.checkout')).code).toBe(1);
    errors.length = 0; // the refusals were the point
  });
});
