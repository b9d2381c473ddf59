// The API contract against the running API: a tour of every route on the embedded stack (as
// `npm start` runs it), each answer parsed with the response schema its route declares (strict:
// an undeclared field fails) and each problem with the Problem schema, its type one the route
// documents. Then the documentation the stack serves without a key.
import { createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ProblemDocument, routeProblems } from '../../adapters/http/openapi';
import { PROBLEM_BASE, PROBLEMS, type ProblemSlug } from '../../adapters/http/problems';
import { type OperationId, ROUTE_LIST } from '../../adapters/http/routes';
import { type LocalStack, startLocalStack } from '../../local/start';

let stack: LocalStack;
const errors: string[] = [];

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    eventsPort: 0,
    stepFunctionsPort: 0,
    stepFunctionsRetryIntervalMs: 10,
    dynamodbEndpoint: inject('dynamodbEndpoint') ?? process.env.DYNAMODB_ENDPOINT,
    tableName: `loyalty-contract-it-${randomUUID().slice(0, 8)}`,
    retryBaseDelayMs: 10,
    // Many requests back to back, none about throttling (throttling.test.ts is): the bucket stays out of the way.
    demoThrottle: { rateLimit: 5_000, burstLimit: 5_000 },
    log: () => {},
    logError: (message, error) => errors.push(`${message}: ${error instanceof Error ? error.message : String(error)}`),
  });
}, 120_000);

afterAll(async () => {
  await stack?.bus.whenIdle();
  await stack?.stop();
});

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** Statuses each operation answered with, to show the tour covered every route. */
const answered = new Map<OperationId, Set<number>>();

interface CallOptions {
  params?: Record<string, string>;
  query?: Record<string, string | number>;
  body?: unknown;
  headers?: Record<string, string>;
  /** `admin` for the admin key; the partner key (members and purchases scopes) otherwise. */
  as?: 'admin' | 'partner';
  /** Another key (a staff key created by the test). */
  key?: string;
}

/** Calls an operation and checks its answer against the contract: a declared status, a body its schema parses. */
async function call(operationId: OperationId, opts: CallOptions = {}): Promise<Answer> {
  const route = ROUTE_LIST.find((r) => r.operationId === operationId)!;
  const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(opts.params?.[name] ?? `missing-${name}`),
  );
  const query = opts.query
    ? `?${new URLSearchParams(Object.entries(opts.query).map(([k, v]) => [k, String(v)] as [string, string]))}`
    : '';
  const res = await fetch(`${stack.apiUrl}${path}${query}`, {
    method: route.method,
    headers: {
      'content-type': 'application/json',
      'x-api-key': opts.key ?? (opts.as === 'admin' ? stack.adminKey : stack.apiKey),
      ...opts.headers,
    },
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  const text = await res.text();
  const answer = { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  const where = `${operationId} answered ${answer.status} ${text.slice(0, 300)}`;
  const success = route.responses[answer.status];
  if (success) {
    expect(res.headers.get('x-correlation-id'), where).toBeTruthy();
    if (success.schema) {
      expect(res.headers.get('content-type'), where).toMatch(/^application\/json/);
      expect(success.schema.safeParse(answer.body).error?.issues ?? [], where).toEqual([]);
    } else expect(text, where).toBe('');
  } else {
    expectProblem(answer, where, routeProblems(route));
  }
  answered.set(operationId, (answered.get(operationId) ?? new Set()).add(answer.status));
  return answer;
}

function expectProblem(answer: Answer, where: string, documented: readonly ProblemSlug[]): ProblemSlug {
  expect(answer.headers.get('content-type'), where).toBe('application/problem+json');
  expect(ProblemDocument.safeParse(answer.body).error?.issues ?? [], where).toEqual([]);
  const slug = String(answer.body.type).slice(PROBLEM_BASE.length) as ProblemSlug;
  expect(documented, `${where}: ${slug} is not among the route's problems`).toContain(slug);
  expect(answer.status, where).toBe(PROBLEMS[slug].status);
  return slug;
}

const ok = (answer: Answer, status: number) => {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  return answer.body;
};

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const MEMBER = 'dana';
const ORDER = 'contract-order-1';

describe('the API answers as its contract says', () => {
  it('members: enrol, update, read, and a missing member is a documented problem', async () => {
    const profile = {
      email: 'dana@example.com',
      name: 'Dana',
      birthDate: '1991-05-20',
      attributes: { newsletter: true },
    };
    expect(ok(await call('putMember', { params: { memberId: MEMBER }, body: profile }), 201)).toMatchObject({
      memberId: MEMBER,
    });
    ok(await call('putMember', { params: { memberId: MEMBER }, body: { name: 'Dana Example' } }), 200);
    expect(ok(await call('getMember', { params: { memberId: MEMBER } }), 200).tierStatus).not.toBeNull();
    expect((await call('getMember', { params: { memberId: 'nobody-here' } })).status).toBe(404);
    expect((await call('putMember', { params: { memberId: MEMBER }, body: { email: 'not an email' } })).status).toBe(
      400,
    );
  });

  it('purchases, replays, returns and engagement events', async () => {
    const purchase = {
      orderId: ORDER,
      memberId: MEMBER,
      occurredAt: minutesAgo(30),
      currency: 'USD',
      amount: 12_000,
      channel: 'web',
      items: [
        { sku: 'beans', quantity: 2, unitPrice: 4_000, category: 'coffee' },
        { sku: 'mug', quantity: 1, unitPrice: 4_000 },
      ],
    };
    const credited = ok(await call('recordPurchase', { body: purchase }), 201);
    expect(credited.points).toBeGreaterThan(200);
    const replay = await call('recordPurchase', { body: purchase });
    expect(replay.headers.get('x-idempotent-replay')).toBe('true');
    expect(ok(replay, 200)).toEqual(credited);
    expect((await call('recordPurchase', { body: { ...purchase, amount: 1 } })).status).toBe(409);

    const ret = { returnId: 'contract-return-1', occurredAt: minutesAgo(10), items: [{ sku: 'mug', quantity: 1 }] };
    expect(ok(await call('recordReturn', { params: { orderId: ORDER }, body: ret }), 201).fromOrder).toBeGreaterThan(0);
    ok(await call('recordReturn', { params: { orderId: ORDER }, body: ret }), 200);
    expect((await call('recordReturn', { params: { orderId: 'no-such-order' }, body: ret })).status).toBe(404);

    const review = { eventId: 'contract-review-1', memberId: MEMBER, type: 'review.posted', occurredAt: minutesAgo(5) };
    expect(ok(await call('recordEngagement', { body: review }), 201).points).toBe(25);
    ok(await call('recordEngagement', { body: review }), 200);
  });

  it('transactions, page by page', async () => {
    const first = ok(await call('listMemberTransactions', { params: { memberId: MEMBER }, query: { limit: 2 } }), 200);
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const next = { limit: 2, cursor: first.nextCursor };
    expect(
      ok(await call('listMemberTransactions', { params: { memberId: MEMBER }, query: next }), 200).items.length,
    ).toBeGreaterThan(0);
  });

  it('earning rules: list, create, read, change, deactivate, simulate and backtest', async () => {
    ok(await call('listRules', { as: 'admin' }), 200);
    const rule = {
      kind: 'multiplier',
      ruleId: 'contract-weekend',
      name: 'Double points at weekends',
      target: { by: 'order' },
      factor: '2',
      schedule: { daysOfWeek: ['sat', 'sun'], timeZone: 'America/New_York' },
    };
    expect(ok(await call('createRule', { as: 'admin', body: rule }), 201).version).toBe(1);
    expect((await call('createRule', { as: 'admin', body: rule })).status).toBe(409);
    const params = { ruleId: rule.ruleId };
    expect(ok(await call('updateRule', { as: 'admin', params, body: { ...rule, factor: '3' } }), 200).version).toBe(2);
    expect(ok(await call('deactivateRule', { as: 'admin', params }), 200).active).toBe(false);
    expect(ok(await call('getRule', { as: 'admin', params }), 200).history).toHaveLength(3);
    expect((await call('getRule', { as: 'admin', params: { ruleId: 'no-such-rule' } })).status).toBe(404);

    const simulated = {
      purchase: { orderId: 'sim-1', memberId: MEMBER, occurredAt: minutesAgo(1), currency: 'USD', amount: 5_000 },
    };
    expect(
      ok(await call('simulateRules', { as: 'admin', body: { ...simulated, memberId: MEMBER } }), 200).itemPoints,
    ).toBeDefined();
    const event = { event: { eventId: 'sim-2', memberId: MEMBER, type: 'birthday', occurredAt: minutesAgo(1) } };
    expect(ok(await call('simulateRules', { as: 'admin', body: event }), 200).points).toBe(200);
    const proposal = [{ ruleId: 'triple', kind: 'base', name: 'Triple', pointsPerUnit: { USD: '3' } }];
    const backtest = { from: minutesAgo(24 * 60), to: minutesAgo(0), rules: proposal };
    expect(ok(await call('backtestRules', { as: 'admin', body: backtest }), 200).purchases).toBeGreaterThanOrEqual(1);
  });

  it('program settings, tiers and the expiry policy', async () => {
    ok(await call('getProgram', { as: 'admin' }), 200);
    expect(
      ok(await call('patchProgram', { as: 'admin', body: { returnPolicy: 'negative-balance' } }), 200).returnPolicy,
    ).toBe('negative-balance');
    const { tierSet } = ok(await call('getTiers', { as: 'admin' }), 200);
    expect(await call('deleteTiers', { as: 'admin' })).toMatchObject({ status: 204 });
    expect((await call('getTiers', { as: 'admin' })).status).toBe(404);
    ok(await call('putTiers', { as: 'admin', body: tierSet }), 200);
    const { expiryPolicy } = ok(await call('getExpiryPolicy', { as: 'admin' }), 200);
    ok(await call('putExpiryPolicy', { as: 'admin', body: expiryPolicy }), 200);
    expect((await call('getProgram')).status).toBe(403);
  });

  it('API keys: create, use, list, rotate with a grace, revoke; the authorizer refuses ended keys', async () => {
    const asKey = (key: string) => ({ headers: { 'x-api-key': key } });
    const created = ok(
      await call('createKey', { as: 'admin', body: { scopes: ['members:read'], label: 'contract reader' } }),
      201,
    );
    expect(created).toMatchObject({ scopes: ['members:read'], status: 'active', label: 'contract reader' });
    expect(created.apiKey).toMatch(/^lk_/);
    // The new key works for its scope, and its use is recorded for the day.
    expect((await call('getMember', { params: { memberId: MEMBER }, ...asKey(created.apiKey) })).status).toBe(200);
    const listed = ok(await call('listKeys', { as: 'admin' }), 200).items;
    const mine = listed.find((k: { keyId: string }) => k.keyId === created.keyId);
    expect(mine).toMatchObject({ status: 'active', lastUsedOn: new Date().toISOString().slice(0, 10) });
    expect(JSON.stringify(listed)).not.toContain(created.apiKey);

    // Rotation: a new key at once, the old one for the grace period; a grace of 0 ends it now.
    const rotated = ok(
      await call('rotateKey', { as: 'admin', params: { keyId: created.keyId }, body: { graceSeconds: 0 } }),
      201,
    );
    expect(rotated.previous).toMatchObject({ keyId: created.keyId, status: 'expired' });
    expect(rotated.key).toMatchObject({ scopes: ['members:read'], label: 'contract reader', status: 'active' });
    expect((await call('getMember', { params: { memberId: MEMBER }, ...asKey(created.apiKey) })).status).toBe(401);
    expect((await call('getMember', { params: { memberId: MEMBER }, ...asKey(rotated.key.apiKey) })).status).toBe(200);

    const revoked = ok(await call('revokeKey', { as: 'admin', params: { keyId: rotated.key.keyId } }), 200);
    expect(revoked).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });
    expect((await call('getMember', { params: { memberId: MEMBER }, ...asKey(rotated.key.apiKey) })).status).toBe(401);

    // Documented refusals.
    expect((await call('revokeKey', { as: 'admin', params: { keyId: '01JUNKNOWNKEY0000000000000' } })).status).toBe(
      404,
    );
    const adminKeyId = listed.find((k: { scopes: string[] }) => k.scopes.includes('admin')).keyId;
    expect((await call('revokeKey', { as: 'admin', params: { keyId: adminKeyId } })).status).toBe(409);
    expect(
      (await call('createKey', { as: 'admin', body: { scopes: ['everything'], expiresAt: 'soon' } })).body.errors,
    ).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'scopes.0' }),
        expect.objectContaining({ field: 'expiresAt' }),
      ]),
    );
    expect((await call('listKeys')).status).toBe(403);
  });

  it('the rewards catalog and the donation report', async () => {
    expect(ok(await call('listRewards', { as: 'admin' }), 200).items.length).toBeGreaterThanOrEqual(7);
    const reward = {
      rewardId: 'contract-5',
      name: '$5 off, contract edition',
      category: 'coffee',
      type: 'coupon-fixed',
      details: { discount: { amount: 500, currency: 'USD' } },
      cost: { points: 25 },
      stock: { total: 10 },
    };
    const created = await call('createReward', { as: 'admin', body: reward });
    expect(created.headers.get('location')).toBe('/v1/admin/rewards/contract-5');
    ok(created, 201);
    ok(await call('getReward', { as: 'admin', params: { rewardId: 'contract-5' } }), 200);
    expect(
      ok(await call('patchReward', { as: 'admin', params: { rewardId: 'contract-5' }, body: { addStock: 5 } }), 200)
        .stock,
    ).toEqual({
      total: 15,
      remaining: 15,
    });
    expect((await call('getReward', { as: 'admin', params: { rewardId: 'no-such-reward' } })).status).toBe(404);
  });

  let couponRedemption: string;
  let code: string;

  it('redemptions: the rewards a member can afford, instant redemptions, replays, reading and cancelling', async () => {
    expect(ok(await call('listMemberRewards', { params: { memberId: MEMBER } }), 200).items.length).toBeGreaterThan(0);
    const key = randomUUID();
    const redeem = (body: unknown, idempotencyKey = randomUUID()) =>
      call('redeemReward', { params: { memberId: MEMBER }, headers: { 'idempotency-key': idempotencyKey }, body });

    const first = await redeem({ rewardId: 'contract-5' }, key);
    const redemption = ok(first, 201);
    expect(redemption).toMatchObject({ status: 'completed', code: expect.any(String) });
    expect(first.headers.get('location')).toBe(`/v1/redemptions/${redemption.redemptionId}`);
    const replay = await redeem({ rewardId: 'contract-5' }, key);
    expect(replay.headers.get('x-idempotent-replay')).toBe('true');
    expect(ok(replay, 200).redemptionId).toBe(redemption.redemptionId);
    expect((await redeem({ rewardId: 'contract-5', quantity: 2 }, key)).status).toBe(409);
    expect((await redeem({ rewardId: 'chefs-table' })).status).toBe(422); // needs 30 days of membership

    ok(await redeem({ rewardId: 'plant-a-tree', quantity: 2 }), 201);
    const donations = ok(
      await call('listRewardDonations', { as: 'admin', params: { rewardId: 'plant-a-tree' }, query: { limit: 5 } }),
      200,
    );
    expect(donations.items).toHaveLength(1);
    expect(ok(await call('donationReport', { as: 'admin' }), 200).causes).toHaveLength(1);

    const kept = ok(await redeem({ rewardId: 'contract-5' }), 201);
    couponRedemption = kept.redemptionId;
    code = kept.code;

    expect(
      ok(await call('listMemberRedemptions', { params: { memberId: MEMBER }, query: { limit: 10 } }), 200).items,
    ).toHaveLength(3);
    ok(await call('getRedemption', { params: { redemptionId: redemption.redemptionId } }), 200);
    expect(
      ok(await call('cancelRedemption', { params: { redemptionId: redemption.redemptionId } }), 200),
    ).toMatchObject({
      status: 'cancelled',
      pointsReturned: 25,
    });
    ok(await call('cancelRedemption', { params: { redemptionId: redemption.redemptionId } }), 200);
    expect((await call('getRedemption', { params: { redemptionId: 'no-such-redemption' } })).status).toBe(404);
  });

  it('partner fulfilment: 202 while the partner has it, 202 for its confirmation, 200 for a second one', async () => {
    const requested = ok(
      await call('redeemReward', {
        params: { memberId: MEMBER },
        headers: { 'idempotency-key': randomUUID() },
        body: { rewardId: 'tote-bag' },
      }),
      202,
    );
    const params = { redemptionId: requested.redemptionId };
    const read = async () => ok(await call('getRedemption', { params }), 200);
    await until(read, (r) => r.status === 'awaiting-fulfilment', 'the partner saga to wait for its partner');
    const body = { outcome: 'fulfilled', reference: 'SHIP-1234' };
    ok(await call('recordFulfilment', { as: 'partner', params, body }), 202);
    const done = await until(read, (r) => r.status === 'completed', 'the partner saga to complete');
    expect(done.partnerFulfilment).toMatchObject({ reference: 'SHIP-1234' });
    ok(await call('recordFulfilment', { params, body }), 200);
  });

  it('coupons: checked at the till, used once', async () => {
    expect(ok(await call('checkCoupon', { body: { code } }), 200)).toMatchObject({
      valid: true,
      redemptionId: couponRedemption,
    });
    expect(ok(await call('redeemCoupon', { body: { code, orderId: 'till-42' } }), 200)).toMatchObject({
      status: 'used',
    });
    expect((await call('redeemCoupon', { body: { code } })).status).toBe(409);
    expect((await call('checkCoupon', { body: { code: 'NOPE-NOPE-NOPE' } })).status).toBe(404);
    expect((await call('cancelRedemption', { params: { redemptionId: couponRedemption } })).status).toBe(409);
  });

  it('operators: adjust, find, export, erase, and the audit log of it all', async () => {
    const support = ok(
      await call('createKey', { as: 'admin', body: { scopes: ['staff:support'], label: 'desk' } }),
      201,
    );
    const params = { memberId: 'erin' };
    ok(await call('putMember', { params, body: { email: 'Erin@Example.com', name: 'Erin' } }), 201);
    const body = { points: 40, reason: 'Goodwill', note: 'contract' };
    const headers = { 'idempotency-key': randomUUID() };
    const adjusted = ok(await call('adjustPoints', { key: support.apiKey, params, body, headers }), 201);
    expect(adjusted.transaction).toMatchObject({ type: 'adjust', points: 40, adjustedBy: { role: 'support' } });
    const replay = await call('adjustPoints', { key: support.apiKey, params, body, headers });
    expect(ok(replay, 200)).toEqual(adjusted);
    expect(replay.headers.get('x-idempotent-replay')).toBe('true');
    const over = await call('adjustPoints', {
      key: support.apiKey,
      params,
      body: { points: 100_000, reason: 'too much' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(over.status).toBe(403);
    expect(over.body.errors).toEqual([expect.objectContaining({ field: 'points' })]);

    const found = ok(await call('findMembers', { key: support.apiKey, query: { query: 'erin@example.com' } }), 200);
    expect(found.items.map((i: { member: { memberId: string } }) => i.member.memberId)).toEqual(['erin']);
    const exported = ok(await call('exportMember', { key: support.apiKey, params }), 200);
    expect(exported.transactions.map((t: { type: string }) => t.type)).toEqual(['adjust']);
    expect((await call('eraseMember', { key: support.apiKey, params })).status).toBe(403);
    expect(ok(await call('eraseMember', { as: 'admin', params }), 200)).toMatchObject({ erased: true });
    expect(ok(await call('findMembers', { as: 'admin', query: { query: 'erin@example.com' } }), 200).items).toEqual([]);
    const log = ok(await call('listAuditLog', { key: support.apiKey, query: { limit: 50 } }), 200);
    expect(log.items.map((e: { operation: string }) => e.operation)).toEqual(
      expect.arrayContaining(['eraseMember', 'exportMember', 'adjustPoints', 'createKey']),
    );
    expect(JSON.stringify(log)).not.toContain(support.apiKey);
  });

  it('webhooks: create, read, change, rotate, a purchase delivered, its attempts, redeliver, disable', async () => {
    const receiver = createServer((req, res) => req.resume().on('end', () => res.writeHead(204).end()));
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const created = ok(await call('createWebhook', { as: 'admin', body: { url, events: ['Points Earned'] } }), 201);
      expect(created.secret).toMatch(/^whsec_/);
      const params = { webhookId: created.webhookId };
      expect(ok(await call('listWebhooks', { as: 'admin' }), 200).items).toHaveLength(1);
      ok(await call('getWebhook', { as: 'admin', params }), 200);
      const body = { description: 'contract tour', events: ['Points Earned', 'Tier Changed'] };
      expect(ok(await call('updateWebhook', { as: 'admin', params, body }), 200).events).toHaveLength(2);
      const rotated = ok(await call('rotateWebhookSecret', { as: 'admin', params, body: { graceSeconds: 60 } }), 201);
      expect(rotated.secret).not.toBe(created.secret);
      const purchase = { orderId: 'contract-webhook-1', memberId: MEMBER, occurredAt: minutesAgo(5), currency: 'USD' };
      ok(await call('recordPurchase', { body: { ...purchase, amount: 1500 } }), 201);
      const page = await until(
        async () => ok(await call('listWebhookDeliveries', { as: 'admin', params, query: { limit: 5 } }), 200),
        (p) => p.items.length > 0,
        'the purchase delivered to the webhook',
      );
      expect(page.items[0]).toMatchObject({ eventType: 'Points Earned', statusCode: 204, succeeded: true });
      const delivery = { ...params, deliveryId: page.items[0].deliveryId };
      expect(ok(await call('redeliverWebhook', { as: 'admin', params: delivery }), 202)).toMatchObject({ runs: 2 });
      await until(
        async () => ok(await call('listWebhookDeliveries', { as: 'admin', params }), 200),
        (p) => p.items.length > 1,
        'the redelivery',
      );
      expect(ok(await call('disableWebhook', { as: 'admin', params }), 200).status).toBe('disabled');
      expect((await call('redeliverWebhook', { as: 'admin', params: delivery })).status).toBe(409);
      const unknown = { webhookId: 'wh_01KB2YQ6Z3Q8D7C6XW1Y6S5E0T' };
      expect((await call('getWebhook', { as: 'admin', params: unknown })).status).toBe(404);
      expect((await call('listWebhooks')).status).toBe(403);
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  });

  it('shop connectors: create, list, get, change, rotate, a signed webhook, dead letters, disable', async () => {
    const secret = 'shpss_contract_0123456789';
    const created = ok(
      await call('createConnector', { as: 'admin', body: { platform: 'woocommerce', secret, label: 'contract' } }),
      201,
    );
    const params = { connectorId: created.connectorId };
    expect(
      ok(await call('listConnectors', { as: 'admin' }), 200).items.map((c: { connectorId: string }) => c.connectorId),
    ).toContain(created.connectorId);
    ok(await call('getConnector', { as: 'admin', params }), 200);
    ok(await call('updateConnector', { as: 'admin', params, body: { options: { earnOn: 'created' } } }), 200);
    const rotated = ok(
      await call('rotateConnectorSecret', { as: 'admin', params, body: { secret: `${secret}-new`, graceHours: 1 } }),
      200,
    );
    expect(rotated.secrets).toHaveLength(2);
    const order = { id: 4242, status: 'processing', currency: 'USD', customer_id: 7, line_items: [], total: '0.00' };
    const signature = createHmac('sha256', `${secret}-new`).update(JSON.stringify(order)).digest('base64');
    const received = ok(
      await call('receiveWebhook', {
        params,
        body: order,
        headers: {
          'x-api-key': '',
          'x-wc-webhook-topic': 'order.created',
          'x-wc-webhook-delivery-id': 'contract-1',
          'x-wc-webhook-signature': signature,
        },
      }),
      200,
    );
    expect(received).toEqual({ received: true, deliveryId: 'contract-1', duplicate: false });
    ok(await call('listDeadLetters', { as: 'admin', params, query: { limit: 5 } }), 200);
    expect(ok(await call('disableConnector', { as: 'admin', params }), 200).status).toBe('disabled');
    expect((await call('receiveWebhook', { params, body: order })).status).toBe(410);
    expect((await call('getConnector', { as: 'admin', params: { connectorId: 'con-none' } })).status).toBe(404);
  });

  it('called every route, each with a success', () => {
    const without = ROUTE_LIST.filter(
      (r) => ![...(answered.get(r.operationId as OperationId) ?? [])].some((s) => s in r.responses),
    );
    expect(without.map((r) => r.operationId)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("answers API Gateway's own problems in the same format", async () => {
    const noKey = await fetch(`${stack.apiUrl}/v1/members/${MEMBER}`);
    const body = await noKey.json();
    expectProblem({ status: noKey.status, headers: noKey.headers, body }, 'no key', ['unauthorized']);
    const unknown = await fetch(`${stack.apiUrl}/v1/nothing-here`, { headers: { 'x-api-key': stack.apiKey } });
    expectProblem({ status: unknown.status, headers: unknown.headers, body: await unknown.json() }, 'unknown route', [
      'not-found',
    ]);
  });
});

describe('the documentation the local stack serves, without an API key', () => {
  it('serves the OpenAPI and AsyncAPI documents', async () => {
    const res = await fetch(`${stack.apiUrl}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, unknown> };
    expect(doc).toMatchObject({ openapi: '3.1.0', info: { title: 'Loyalty points API' } });
    expect(Object.keys(doc.paths)).toEqual([...new Set(ROUTE_LIST.map((r) => r.path))]);
    const events = await fetch(`${stack.apiUrl}/asyncapi.json`);
    expect(await events.json()).toMatchObject({ asyncapi: '3.0.0' });
  });

  it('serves the Redoc reference, built here, loading no script or stylesheet from elsewhere', async () => {
    const res = await fetch(`${stack.apiUrl}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('Loyalty points API');
    const sources = [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*["']?([^"'\s>]+)/gi)].map(
      (m) => m[1],
    );
    expect(sources.filter((s) => /^(https?:)?\/\//i.test(s!))).toEqual([]);
    expect((await fetch(`${stack.apiUrl}/docs`)).status).toBe(200);
  }, 120_000);

  it('serves the problems page with an anchor per type, and a type by its slug', async () => {
    const page = await fetch(`${stack.apiUrl}/problems`);
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const slug of Object.keys(PROBLEMS)) expect(html).toContain(`id="${slug}"`);
    const one = await fetch(`${stack.apiUrl}/problems/coupon-used`, { redirect: 'manual' });
    expect(one.status).toBe(302);
    expect(one.headers.get('location')).toBe('/problems#coupon-used');
    const unknown = await fetch(`${stack.apiUrl}/problems/no-such-problem`);
    expect(unknown.status).toBe(404);
    expectProblem({ status: unknown.status, headers: unknown.headers, body: await unknown.json() }, 'unknown slug', [
      'not-found',
    ]);
  });
});
