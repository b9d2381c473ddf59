// A full tour of the local stack with every log on (DEBUG), then every line it printed is
// searched for what must never be logged: API keys, coupon codes, members' email addresses.
import { randomUUID } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/start';

let stack: LocalStack;
const printed: string[] = [];
const writes = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };

const MEMBER = 'eve@example.com';
const EMAIL = 'eve.private@example.org';
const STRANGER = 'nobody@example.com';

beforeAll(async () => {
  process.env.LOG_LEVEL = 'DEBUG';
  const capture = (chunk: unknown) => {
    printed.push(String(chunk));
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  stack = await startLocalStack({
    port: 0,
    eventsPort: 0,
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    tableName: `loyalty-logs-${randomUUID().slice(0, 8)}`,
    retryBaseDelayMs: 5,
    log: (line) => printed.push(line),
    logError: (message, error) => printed.push(`${message} ${error instanceof Error ? error.message : String(error)}`),
  });
}, 120_000);

afterAll(async () => {
  await stack?.bus.whenIdle();
  await stack?.stop();
  process.stdout.write = writes.out;
  process.stderr.write = writes.err;
  process.env.LOG_LEVEL = 'SILENT';
});

async function call(method: string, path: string, body?: unknown, key: string | null = stack.apiKey) {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(key ? { 'x-api-key': key } : {}),
      'idempotency-key': randomUUID(),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, any> };
}

describe('logs of a full tour', () => {
  it('carry no API key, coupon code or member email', async () => {
    const now = new Date(Date.now() - 60_000).toISOString();
    const path = `/v1/members/${encodeURIComponent(MEMBER)}`;
    expect((await call('PUT', path, { email: EMAIL, name: 'Eve' })).status).toBe(201);
    const purchase = { orderId: 'logs-1', memberId: MEMBER, occurredAt: now, currency: 'USD', amount: 9_000 };
    expect((await call('POST', '/v1/purchases', purchase)).status).toBe(201);
    expect((await call('POST', '/v1/purchases', purchase)).status).toBe(200);
    expect((await call('GET', path)).status).toBe(200);
    expect((await call('GET', `${path}/transactions`)).status).toBe(200);
    expect((await call('GET', `/v1/members/${encodeURIComponent(STRANGER)}`)).status).toBe(404);
    const ret = { returnId: 'logs-r1', occurredAt: now, amount: 1_000 };
    expect((await call('POST', '/v1/purchases/logs-1/returns', ret)).status).toBe(201);
    const event = { eventId: 'logs-e1', memberId: MEMBER, type: 'review.posted', occurredAt: now };
    expect((await call('POST', '/v1/events', event)).status).toBe(201);
    const redeemed = await call('POST', `${path}/redemptions`, { rewardId: 'coffee-5' });
    expect(redeemed.status).toBe(201);
    const code = redeemed.body.code as string;
    expect(code).toBeTruthy();
    expect((await call('POST', '/v1/coupons/lookup', { code })).status).toBe(200);
    expect((await call('POST', '/v1/coupons/redeem', { code, orderId: 'till-1' })).status).toBe(200);
    expect((await call('POST', '/v1/coupons/redeem', { code })).status).toBe(409);
    expect((await call('GET', '/v1/admin/earning-rules', undefined, stack.adminKey)).status).toBe(200);
    expect((await call('GET', path, undefined, 'lk_not-a-key-of-anyone-at-all-000000')).status).toBe(401);
    const bus = new EventBridgeClient({ endpoint: stack.eventsEndpoint, region: stack.region });
    const detail = { programId: stack.programId, ...purchase, orderId: 'logs-2' };
    await bus.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: stack.busName,
            Source: 'shop.checkout',
            DetailType: 'Purchase Completed',
            Detail: JSON.stringify(detail),
          },
          {
            EventBusName: stack.busName,
            Source: 'shop.checkout',
            DetailType: 'Purchase Completed',
            Detail: JSON.stringify({ ...detail, orderId: 'logs-3', memberId: STRANGER, amount: 'lots' }),
          },
        ],
      }),
    );
    bus.destroy();
    await stack.bus.whenIdle();

    const output = printed.join('\n');
    expect(output.length).toBeGreaterThan(1_000);
    for (const secret of [stack.apiKey, stack.adminKey, code, MEMBER, EMAIL, STRANGER]) {
      expect(output.includes(secret), `a log line carries ${secret}`).toBe(false);
    }
  });
});
