// Outbound webhooks end to end on the local stack: a real purchase on DynamoDB Local publishes Points
// Earned, the rule runs the fan-out, the delivery run (the synthesized state machine) POSTs to a
// receiver on 127.0.0.1, which verifies each delivery with the standardwebhooks package. The retry
// schedule is shortened with WEBHOOK_RETRY_DELAYS_MS; nothing here asserts a time, only waits for
// what must happen (with a timeout).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/start';

let stack: LocalStack;
let receiver: Server;
let receiverUrl: string;

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}
const received: Received[] = [];
/** Per path: how many of the next requests answer 500 before the path answers 204. */
const failuresLeft = new Map<string, number>();

beforeAll(async () => {
  // Handlers read these at their first run: set them before the stack loads any.
  process.env.WEBHOOK_RETRY_DELAYS_MS = '0,150,300,600,1200,1200';
  process.env.WEBHOOK_DISABLE_AFTER_MS = '2000';
  receiver = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers as Record<string, string>, body });
      const left = failuresLeft.get(path) ?? 0;
      if (path.startsWith('/down') || left > 0) {
        failuresLeft.set(path, left - 1);
        res.writeHead(500).end('not now');
      } else res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  stack = await startLocalStack({
    port: 0,
    eventsPort: 0,
    dynamodbEndpoint: inject('dynamodbEndpoint') ?? process.env.DYNAMODB_ENDPOINT,
    tableName: `loyalty-webhooks-it-${randomUUID().slice(0, 8)}`,
    retryBaseDelayMs: 10,
    stepFunctionsRetryIntervalMs: 10,
    log: () => {},
    logError: () => {},
  });
}, 120_000);

afterAll(async () => {
  await stack?.bus.whenIdle();
  await stack?.stop();
  await new Promise((r) => receiver?.close(r));
});

const admin = (path: string, init: RequestInit = {}) =>
  fetch(`${stack.apiUrl}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', 'x-api-key': stack.adminKey },
  });

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function createEndpoint(path: string, events = ['Points Earned']) {
  const res = await admin('/v1/admin/webhooks', {
    method: 'POST',
    body: JSON.stringify({ url: `${receiverUrl}${path}`, events }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { webhookId: string; secret: string };
}

let orders = 0;
async function purchase(memberId: string) {
  const res = await fetch(`${stack.apiUrl}/v1/purchases`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': stack.apiKey },
    body: JSON.stringify({
      orderId: `wh-order-${++orders}-${randomUUID().slice(0, 6)}`,
      memberId,
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      currency: 'USD',
      amount: 2500,
    }),
  });
  expect(res.status).toBe(201);
}

const at = (path: string) => received.filter((r) => r.path === path);

type Attempt = { deliveryId: string; attempt: number; statusCode: number | null; succeeded: boolean; trigger: string };
async function attempts(webhookId: string): Promise<Attempt[]> {
  const res = await admin(`/v1/admin/webhooks/${webhookId}/deliveries?limit=100`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: Attempt[] }).items;
}

describe('outbound webhooks on the local stack', () => {
  it('delivers a real Points Earned, signed so that standardwebhooks verifies it', async () => {
    const { secret } = await createEndpoint('/ok');
    await purchase('alice');
    const [delivery] = await until('a delivery', () => (at('/ok').length ? at('/ok') : undefined));
    const payload = new Webhook(secret).verify(delivery!.body, delivery!.headers) as Record<string, any>;
    expect(payload).toMatchObject({ type: 'Points Earned', programId: stack.programId });
    expect(payload.data).toMatchObject({ memberId: 'alice' });
    expect(delivery!.headers['webhook-id']).toMatch(/^msg_/);
  });

  it('retries a failing receiver on the schedule with the same webhook-id, then records the success', async () => {
    const { webhookId, secret } = await createEndpoint('/flaky');
    failuresLeft.set('/flaky', 2);
    await purchase('alice');
    const deliveries = await until('three attempts', () => (at('/flaky').length >= 3 ? at('/flaky') : undefined));
    expect(new Set(deliveries.map((d) => d.headers['webhook-id'])).size).toBe(1);
    for (const d of deliveries) expect(new Webhook(secret).verify(d.body, d.headers)).toBeTruthy();
    const list = await until('the success recorded', async () => {
      const items = await attempts(webhookId);
      return items.some((a) => a.succeeded) ? items : undefined;
    });
    expect(list.map((a) => [a.attempt, a.statusCode, a.succeeded])).toEqual([
      [3, 204, true],
      [2, 500, false],
      [1, 500, false],
    ]);

    // Redelivery: the same delivery again, recorded as such.
    const res = await admin(`/v1/admin/webhooks/${webhookId}/deliveries/${list[0]!.deliveryId}/redeliver`, {
      method: 'POST',
    });
    expect(res.status).toBe(202);
    await until('the redelivery', () => (at('/flaky').length >= 4 ? true : undefined));
    expect(at('/flaky')[3]!.headers['webhook-id']).toBe(list[0]!.deliveryId);
    const again = await until('the redelivery recorded', async () => {
      const items = await attempts(webhookId);
      return items.length >= 4 ? items : undefined;
    });
    expect(again[0]).toMatchObject({ attempt: 4, trigger: 'redelivery', succeeded: true });
  });

  it('disables an endpoint that keeps failing and announces it with Webhook Endpoint Disabled', async () => {
    const { webhookId } = await createEndpoint('/down');
    const watcher = await createEndpoint('/watch', ['Webhook Endpoint Disabled']);
    await purchase('alice');
    const disabled = await until(
      'the endpoint disabled',
      async () => {
        const view = (await (await admin(`/v1/admin/webhooks/${webhookId}`)).json()) as { status: string };
        return view.status === 'disabled' ? view : undefined;
      },
      30_000,
    );
    expect(disabled).toMatchObject({
      status: 'disabled',
      disabledReason: expect.stringContaining('every attempt failed'),
    });
    // The event reached the endpoint subscribed to it.
    const [announced] = await until('the announcement', () => (at('/watch').length ? at('/watch') : undefined));
    const payload = new Webhook(watcher.secret).verify(announced!.body, announced!.headers) as Record<string, any>;
    expect(payload).toMatchObject({ type: 'Webhook Endpoint Disabled', data: { webhookId } });
    // Nothing more goes to it.
    const before = at('/down').length;
    await purchase('alice');
    await stack.bus.whenIdle();
    expect(at('/down').length).toBe(before);
  });

  it('signs with both secrets during a rotation grace', async () => {
    const { webhookId, secret: old } = await createEndpoint('/rotating');
    const rotated = await admin(`/v1/admin/webhooks/${webhookId}/rotate`, {
      method: 'POST',
      body: JSON.stringify({ graceSeconds: 600 }),
    });
    expect(rotated.status).toBe(201);
    const { secret: fresh } = (await rotated.json()) as { secret: string };
    await purchase('alice');
    const [d] = await until('a delivery', () => (at('/rotating').length ? at('/rotating') : undefined));
    expect(new Webhook(old).verify(d!.body, d!.headers)).toBeTruthy();
    expect(new Webhook(fresh).verify(d!.body, d!.headers)).toBeTruthy();
  });

  it('answers unknown ids and unknown events with problems, and writes nothing', async () => {
    const unknown = await admin('/v1/admin/webhooks/wh_01KB2YQ6Z3Q8D7C6XW1Y6S5E0T');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { type: string }).type).toMatch(/webhook-not-found$/);
    const { webhookId } = await createEndpoint('/ids');
    const noDelivery = await admin(
      `/v1/admin/webhooks/${webhookId}/deliveries/msg_01KB2YQ6Z3Q8D7C6XW1Y6S5E0T/redeliver`,
      { method: 'POST' },
    );
    expect(noDelivery.status).toBe(404);
    const count = ((await (await admin('/v1/admin/webhooks')).json()) as { items: unknown[] }).items.length;
    const bad = await admin('/v1/admin/webhooks', {
      method: 'POST',
      body: JSON.stringify({ url: `${receiverUrl}/x`, events: ['Points Earned', 'Nope'] }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['events[1]']);
    expect(((await (await admin('/v1/admin/webhooks')).json()) as { items: unknown[] }).items).toHaveLength(count);
  });
});
