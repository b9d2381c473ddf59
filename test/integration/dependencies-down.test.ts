// A bad day: DynamoDB goes away. On the embedded stack (as `npm start` runs it) with a DynamoDB
// Local of its own, killed and restarted: every route, the authorizer's path included, answers a
// 503 problem with Retry-After within a second; a burst of PutEvents during the outage is accepted,
// its purchases dead-lettered, and after the restart `dlq redrive` credits each exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_LIST } from '../../adapters/http/routes';
import { type DynamoDbLocal, freePort, startDynamoDbLocal } from '../../local/dynamodb';
import { type LocalStack, startLocalStack } from '../../local/start';
import { dlqCommand, listLocal } from '../../tools/dlq';

let stack: LocalStack;
let ddb: DynamoDbLocal;
let port: number;
let dir: string;
let bus: EventBridgeClient;

const restart = async () => {
  ddb = await startDynamoDbLocal({ port, dbPath: join(dir, 'db') });
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'loyalty-down-'));
  port = await freePort();
  await restart();
  stack = await startLocalStack({
    port: 0,
    eventsPort: 0,
    stepFunctionsPort: 0,
    stepFunctionsRetryIntervalMs: 10,
    dynamodbEndpoint: ddb.endpoint,
    tableName: 'loyalty-down-it',
    stateDir: join(dir, 'state'),
    retryBaseDelayMs: 10,
    log: () => {},
    logError: () => {},
  });
  bus = new EventBridgeClient({
    endpoint: stack.eventsEndpoint,
    region: stack.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}, 120_000);

afterAll(async () => {
  bus?.destroy();
  await stack?.bus.whenIdle();
  await stack?.stop();
  await ddb?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const PARAMS: Record<string, string> = {
  memberId: 'alice',
  orderId: 'seed-order-1',
  ruleId: 'base',
  rewardId: 'coffee-5',
  redemptionId: 'r-1',
};

async function call(route: (typeof ROUTE_LIST)[number], key: string) {
  const path = route.path.replace(/\{(\w+)\}/g, (_, n: string) => PARAMS[n] ?? 'x');
  const started = Date.now();
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method: route.method,
    headers: { 'content-type': 'application/json', 'x-api-key': key, 'idempotency-key': `down-${route.operationId}` },
    ...(route.example === undefined ? {} : { body: JSON.stringify(route.example) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, ms: Date.now() - started };
}

const purchaseEvent = (i: number) => ({
  Source: 'shop.checkout',
  DetailType: 'Purchase Completed',
  EventBusName: stack.busName,
  Detail: JSON.stringify({
    programId: stack.programId,
    orderId: `burst-${i}`,
    memberId: `burst-member-${i}`,
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    currency: 'USD',
    amount: 10_00 + i,
  }),
});

describe('DynamoDB down (its own DynamoDB Local, killed and restarted)', () => {
  it('every route, and the authorizer, answers 503 with Retry-After within a second', async () => {
    const warm = await fetch(`${stack.apiUrl}/v1/members/alice`, { headers: { 'x-api-key': stack.apiKey } });
    expect(warm.status).toBe(200);
    await ddb.kill();

    const answers: string[] = [];
    for (const route of ROUTE_LIST) {
      const res = await call(route, route.scope === 'admin' ? stack.adminKey : stack.apiKey);
      answers.push(
        `${route.operationId} ${res.status} ${res.headers.get('retry-after')} ${res.ms < 1000 ? 'fast' : res.ms}`,
      );
      expect(res.headers.get('content-type'), `${route.operationId}: ${res.text}`).toBe('application/problem+json');
    }
    expect(answers).toEqual(ROUTE_LIST.map((r) => `${r.operationId} 503 2 fast`));

    // A key the authorizer has not seen: it cannot look it up, so it cannot say 401 either.
    const unknown = await call(ROUTE_LIST.find((r) => r.operationId === 'getMember')!, 'lk_never_seen_before_0000');
    expect([unknown.status, unknown.headers.get('retry-after'), unknown.ms < 1000]).toEqual([503, '2', true]);
    expect(JSON.parse(unknown.text).type).toMatch(/service-unavailable$/);
  }, 60_000);

  it('PutEvents across the outage: every accepted purchase credited once after restart and redrive', async () => {
    await restart();
    const N = 40;
    const accepted: number[] = [];
    const send = async (from: number) => {
      const entries = Array.from({ length: 10 }, (_, k) => purchaseEvent(from + k));
      const out = await bus.send(new PutEventsCommand({ Entries: entries }));
      expect(out.FailedEntryCount).toBe(0);
      accepted.push(...entries.map((_, k) => from + k));
    };
    await send(0);
    // These ten are credited before the outage, and the events they announce published and fanned out.
    await stack.settled();
    await send(10);
    await ddb.kill(); // mid-burst: these ten are in flight
    await send(20);
    await send(30);
    await stack.bus.whenIdle();
    expect(accepted).toHaveLength(N);
    const dead = listLocal(stack.deadLetterFile);
    // The purchases the consumer could not credit; the events the first ten announced (published by the
    // stream) may also reach the webhook fan-out during the outage and wait beside them, to be redriven too.
    const purchases = dead.filter((d) => d.detailType === 'Purchase Completed');
    expect(purchases.length).toBeGreaterThanOrEqual(20);
    expect(purchases.length).toBeLessThanOrEqual(30);

    await restart();
    const stateFile = join(dir, 'state', 'state.json');
    const logs: string[] = [];
    const log = console.log;
    console.log = (line: string) => logs.push(line);
    try {
      const code = await dlqCommand('redrive', { stateFile, json: true });
      expect(JSON.parse(logs.at(-1)!)).toEqual({ redriven: dead.length, failed: [] });
      expect(code).toBe(0);
      expect(listLocal(stack.deadLetterFile)).toEqual([]);
      // Redriving again finds nothing; sending every event again credits nothing more.
      expect(await dlqCommand('redrive', { stateFile, json: true })).toBe(0);
      expect(JSON.parse(logs.at(-1)!)).toEqual({ redriven: 0, failed: [] });
    } finally {
      console.log = log;
    }
    for (let from = 0; from < N; from += 10) await send(from);
    await stack.bus.whenIdle();

    for (const i of accepted) {
      const res = await fetch(`${stack.apiUrl}/v1/members/burst-member-${i}/transactions`, {
        headers: { 'x-api-key': stack.apiKey },
      });
      const { items } = (await res.json()) as { items: { source: string; points: number }[] };
      expect(
        items.filter((t) => t.source === 'purchase'),
        `burst-${i}`,
      ).toHaveLength(1);
    }
    console.log(
      `dependencies down: ${N} accepted, ${dead.length} dead-lettered, ${dead.length} redriven, ${N} credited once`,
    );
  }, 120_000);
});
