// Rewards and redemptions over HTTP on the embedded run, as `npm start` assembles it: routes from
// the template, the real handlers, the redemptions API starting the synthesized state machines
// through the local Step Functions endpoint with the unchanged SDK client.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import { dynamoStores } from '../../adapters/dynamodb/stores';
import { systemClock } from '../../core/kernel/clock';
import { createProgram } from '../../core/programs/use-cases/manage-programs';
import { type LocalStack, startLocalStack } from '../../local/start';

let stack: LocalStack;
const logs: string[] = [];

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    eventsPort: 0,
    stepFunctionsPort: 0,
    stepFunctionsRetryIntervalMs: 10,
    dynamodbEndpoint: inject('dynamodbEndpoint') ?? process.env.DYNAMODB_ENDPOINT,
    tableName: `loyalty-redeem-it-${randomUUID().slice(0, 8)}`,
    retryBaseDelayMs: 10,
    log: (line) => logs.push(line),
    logError: (message, error) =>
      logs.push(`ERROR ${message}: ${error instanceof Error ? error.message : String(error)}`),
  });
}, 120_000);

afterAll(async () => {
  await stack?.bus.whenIdle();
  await stack?.stop();
});

type Res = { status: number; body: any; headers: Headers };
async function call(
  method: string,
  path: string,
  opts: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Res> {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-api-key': opts.key ?? stack.apiKey, ...opts.headers },
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}
const admin = (method: string, path: string, body?: unknown) => call(method, path, { key: stack.adminKey, body });
const redeem = (memberId: string, body: unknown, key: string | null = randomUUID()) =>
  call('POST', `/v1/members/${memberId}/redemptions`, { body, headers: key ? { 'idempotency-key': key } : {} });
const points = async (memberId: string) =>
  (await call('GET', `/v1/members/${memberId}`)).body.points.available as number;

async function memberWithPoints(memberId: string, dollars: number) {
  await call('PUT', `/v1/members/${memberId}`, { body: { name: memberId } });
  const occurredAt = new Date(Date.now() - 60_000).toISOString();
  const res = await call('POST', '/v1/purchases', {
    body: {
      orderId: `o-${memberId}`,
      memberId,
      occurredAt,
      currency: 'USD',
      amount: dollars * 100,
      items: [{ sku: 'LATTE', quantity: 2, unitPrice: dollars * 50, category: 'coffee' }],
    },
  });
  expect(res.status).toBe(201);
  return points(memberId);
}

async function until(path: string, ok: (b: any) => boolean): Promise<any> {
  for (let i = 0; i < 200; i++) {
    const res = await call('GET', path);
    if (ok(res.body)) return res.body;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting on ${path}`);
}

describe('rewards catalog (admin)', () => {
  it('names every bad field of a reward in one 400 and writes nothing', async () => {
    const before = (await admin('GET', '/v1/admin/rewards')).body.items.length;
    const res = await admin('POST', '/v1/admin/rewards', {
      type: 'coupon-fixed',
      name: '',
      details: { discount: { amount: 5.5, currency: 'usd' } },
      cost: { points: 0 },
      coupon: { format: { alphabet: 'numeric', length: 6 } },
      colour: 'red',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'colour',
      'cost.points',
      'coupon.format.length',
      'details.discount.amount',
      'details.discount.currency',
      'name',
    ]);
    expect((await admin('GET', '/v1/admin/rewards')).body.items).toHaveLength(before);
  });

  it(
    "rejects a currency other than the program's and a tier the program does not have (400, nothing " + 'written)',
    async () => {
      const res = await admin('POST', '/v1/admin/rewards', {
        rewardId: 'bad-eur',
        type: 'gift-card',
        name: 'EUR card',
        details: { value: { amount: 1000, currency: 'EUR' } },
        cost: { points: 10, byTier: { platinum: 5 } },
      });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'cost.byTier.platinum',
        'details.value.currency',
      ]);
      expect((await admin('GET', '/v1/admin/rewards/bad-eur')).status).toBe(404);
    },
  );

  it('creates, reads, restocks and changes a reward; admin only', async () => {
    const created = await admin('POST', '/v1/admin/rewards', {
      rewardId: 'it-coupon',
      type: 'coupon-fixed',
      name: 'IT coupon',
      category: 'coffee',
      details: { discount: { amount: 300, currency: 'USD' } },
      cost: { points: 20 },
      stock: { total: 3 },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      rewardId: 'it-coupon',
      stock: { total: 3, remaining: 3 },
      coupon: { format: { alphabet: 'alphanumeric', length: 12 }, validityDays: 90 },
      cancellationWindowHours: 24,
    });
    expect(
      (
        await admin('POST', '/v1/admin/rewards', {
          rewardId: 'it-coupon',
          type: 'free-shipping',
          name: 'dup',
          details: {},
          cost: { points: 1 },
        })
      ).status,
    ).toBe(409);
    const patched = await admin('PATCH', '/v1/admin/rewards/it-coupon', { addStock: 7, cost: { points: 25 } });
    expect(patched.body).toMatchObject({ stock: { total: 10, remaining: 10 }, cost: { points: 25 } });
    expect((await admin('PATCH', '/v1/admin/rewards/it-coupon', { addStock: -11 })).body.errors).toEqual([
      { field: 'addStock', message: 'cannot remove more than the 10 units left' },
    ]);
    expect((await call('GET', '/v1/admin/rewards')).status).toBe(403);
  });
});

describe('redeeming (member API)', () => {
  it('lists the rewards a member may redeem with the points still needed, affordable first', async () => {
    await admin('POST', '/v1/admin/rewards', {
      rewardId: 'it-dream',
      type: 'gift-card',
      name: 'Dream card',
      details: { value: { amount: 100_000, currency: 'USD' } },
      cost: { points: 100_000 },
    });
    const available = await memberWithPoints('lister', 30);
    const res = await call('GET', '/v1/members/lister/rewards');
    expect(res.status).toBe(200);
    const items = res.body.items as { rewardId: string; cost: number; pointsNeeded: number; affordable: boolean }[];
    for (const i of items) expect(i.pointsNeeded).toBe(Math.max(0, i.cost - available));
    const firstOut = items.findIndex((i) => !i.affordable);
    expect(firstOut).toBeGreaterThan(0); // some affordable, some not
    expect(items.at(-1)).toMatchObject({ rewardId: 'it-dream', pointsNeeded: 100_000 - available });
    expect(items.slice(firstOut).every((i) => !i.affordable)).toBe(true);
    // New members are not eligible for the chef's table (30 days of membership).
    expect(items.map((i) => i.rewardId)).not.toContain('chefs-table');
  });

  it(
    'an instant reward completes within the request and returns its code; a retry returns the same ' + 'redemption',
    async () => {
      const before = await memberWithPoints('redeemer', 80);
      const key = randomUUID();

      const res = await redeem('redeemer', { rewardId: 'coffee-5' }, key);

      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ status: 'completed', rewardId: 'coffee-5', points: 25 });
      expect(res.body.code).toMatch(/^CAFE-[0-9A-Z]{5}-[0-9A-Z]{5}$/);
      expect(res.headers.get('location')).toBe(`/v1/redemptions/${res.body.redemptionId}`);
      expect(await points('redeemer')).toBe(before - 25);
      const run = stack.stepFunctions.executions().find((e) => e.name === res.body.redemptionId)!;
      expect(run.stateMachineArn).toMatch(/:stateMachine:local-redemption-instant$/);
      expect(run.tasks.map((t) => `${t.state}:${t.outcome}`)).toEqual(['ReservePoints:succeeded', 'Issue:succeeded']);

      const again = await redeem('redeemer', { rewardId: 'coffee-5' }, key);
      expect(again.status).toBe(200);
      expect(again.headers.get('x-idempotent-replay')).toBe('true');
      expect(again.body).toEqual(res.body);
      const conflict = await redeem('redeemer', { rewardId: 'coffee-5', quantity: 2 }, key);
      expect(conflict.status).toBe(409);
      expect(conflict.body.type).toBe('https://loyalty.dev/problems/idempotency-conflict');
      expect(await points('redeemer')).toBe(before - 25);

      expect((await call('GET', `/v1/redemptions/${res.body.redemptionId}`)).body).toEqual(res.body);
      expect(
        (await call('GET', '/v1/members/redeemer/redemptions')).body.items.map(
          (r: { redemptionId: string }) => r.redemptionId,
        ),
      ).toEqual([res.body.redemptionId]);
    },
  );

  it('names a missing Idempotency-Key and a bad quantity in one 400, and writes nothing', async () => {
    await memberWithPoints('careless', 40);
    const before = await points('careless');
    const res = await redeem('careless', { rewardId: 'coffee-5', quantity: 0 }, null);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['Idempotency-Key', 'quantity']);
    expect((await call('GET', '/v1/members/careless/redemptions')).body.items).toEqual([]);
    expect(await points('careless')).toBe(before);
  });

  it('refuses what the member cannot have with the matching problem and writes nothing', async () => {
    await call('PUT', '/v1/members/poor', { body: { name: 'Poor' } });
    const before = await points('poor');
    const cases: [unknown, number, string][] = [
      [{ rewardId: 'gift-card-10' }, 409, 'insufficient-points'],
      [{ rewardId: 'chefs-table' }, 422, 'not-eligible'],
      [{ rewardId: 'no-such-reward' }, 404, 'reward-not-found'],
      [{ rewardId: 'plant-a-tree', quantity: 11 }, 400, 'validation-failed'],
    ];
    for (const [body, status, type] of cases) {
      const res = await redeem('poor', body);
      expect([res.status, res.body.type], JSON.stringify(body)).toEqual([
        status,
        `https://loyalty.dev/problems/${type}`,
      ]);
    }
    expect((await call('GET', '/v1/members/poor/redemptions')).body.items).toEqual([]);
    expect(await points('poor')).toBe(before);
  });

  it('a partner checks a coupon and uses it once; a second use is a 409', async () => {
    await memberWithPoints('couponer', 40);
    const { body } = await redeem('couponer', { rewardId: 'coffee-5' });
    const check = await call('POST', '/v1/coupons/lookup', { body: { code: body.code } });
    expect(check.body).toMatchObject({ status: 'issued', valid: true, rewardId: 'coffee-5', memberId: 'couponer' });
    const used = await call('POST', '/v1/coupons/redeem', { body: { code: body.code, orderId: 'pos-1' } });
    expect(used.body).toMatchObject({
      status: 'used',
      orderId: 'pos-1',
    });
    const second = await call('POST', '/v1/coupons/redeem', { body: { code: body.code } });
    expect([second.status, second.body.type]).toEqual([409, 'https://loyalty.dev/problems/coupon-used']);
    expect((await call('POST', '/v1/coupons/lookup', { body: { code: 'NOPE-NOPE-NOPE' } })).status).toBe(404);
    expect((await call('POST', '/v1/coupons/lookup', { body: { code: '#bad' } })).status).toBe(400);
  });

  it('a cancellation within the window returns the points and the stock', async () => {
    const before = await memberWithPoints('canceller', 100);
    const stockBefore = (await admin('GET', '/v1/admin/rewards/gift-card-10')).body.stock;
    const { body } = await redeem('canceller', { rewardId: 'gift-card-10' });
    expect(body.status).toBe('completed');
    const cancelled = await call('POST', `/v1/redemptions/${body.redemptionId}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', pointsReturned: 100 });
    expect(await points('canceller')).toBe(before);
    expect((await admin('GET', '/v1/admin/rewards/gift-card-10')).body.stock).toEqual(stockBefore);
    expect((await call('POST', '/v1/coupons/lookup', { body: { code: body.code } })).body.status).toBe('void');
  });

  it('a partner reward answers 202, waits for the partner, and completes on confirmation', async () => {
    await memberWithPoints('collector', 100);
    const res = await redeem('collector', { rewardId: 'tote-bag' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'pending', fulfilment: 'partner' });
    const id = res.body.redemptionId;
    await until(`/v1/redemptions/${id}`, (b) => b.status === 'awaiting-fulfilment');

    const confirm = await call('POST', `/v1/redemptions/${id}/fulfilment`, {
      body: { outcome: 'fulfilled', reference: 'DHL-42' },
    });
    expect(confirm.status).toBe(202);
    const done = await until(`/v1/redemptions/${id}`, (b) => b.status === 'completed');
    expect(done.partnerFulfilment).toMatchObject({ reference: 'DHL-42' });
    expect((await call('POST', `/v1/redemptions/${id}/fulfilment`, { body: { outcome: 'fulfilled' } })).status).toBe(
      200,
    );
    const run = stack.stepFunctions.executions().find((e) => e.name === id)!;
    expect(run.stateMachineArn).toMatch(/:stateMachine:local-redemption-partner$/);
  });

  it('donations are recorded and reported per cause', async () => {
    await memberWithPoints('giver', 60);
    const { body } = await redeem('giver', { rewardId: 'plant-a-tree', quantity: 2 });
    expect(body).toMatchObject({
      status: 'completed',
      points: 40,
      donation: { causeId: 'one-tree', amount: { amount: 200, currency: 'USD' } },
    });
    const report = await admin('GET', '/v1/admin/donations');
    expect(report.body.causes).toEqual([
      expect.objectContaining({
        causeId: 'one-tree',
        donations: expect.any(Number),
        amount: { amount: expect.any(Number), currency: 'USD' },
      }),
    ]);
    const list = await admin('GET', '/v1/admin/rewards/plant-a-tree/donations');
    expect(list.body.items.map((d: { redemptionId: string }) => d.redemptionId)).toContain(body.redemptionId);
  });

  it("redemptions stay in their program: another program's key sees nothing", async () => {
    await memberWithPoints('isolated', 40);
    const { body } = await redeem('isolated', { rewardId: 'coffee-5' });
    const ddb = createDocumentClient({ endpoint: stack.dynamodbEndpoint, region: stack.region });
    const { adminKey } = await createProgram(
      { programId: `other-${randomUUID().slice(0, 6)}` },
      { ...dynamoStores(ddb, stack.tableName, { cache: false }), clock: systemClock },
    );
    expect((await call('GET', `/v1/redemptions/${body.redemptionId}`, { key: adminKey })).status).toBe(404);
    expect((await call('POST', '/v1/coupons/lookup', { body: { code: body.code }, key: adminKey })).status).toBe(404);
    expect((await call('POST', `/v1/redemptions/${body.redemptionId}/cancel`, { key: adminKey })).status).toBe(404);
  });
});
