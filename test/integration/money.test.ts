import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRule } from '../../core/earning/use-cases/manage-rules';
import { getMember } from '../../core/ledger/use-cases/members';
import { apiEvent, lambdaContext, problemOf } from '../support/events';
import { ledgerFixture } from '../support/ledger';

/** The money attacks over the real API handlers, on DynamoDB Local. */
describe('money that adds up (DynamoDB Local)', () => {
  let f: Awaited<ReturnType<typeof ledgerFixture>>;
  let purchases: typeof import('../../functions/purchases-api').handler;
  let adminApi: typeof import('../../functions/program-admin-api').handler;
  // The handler runs on the real clock: an hour ago is inside the accepted lateness.
  const recent = new Date(Date.now() - 3_600_000).toISOString();
  const post = (resource: string, body: unknown, pathParameters?: Record<string, string>, programId = 'shop') =>
    purchases(
      apiEvent({ method: 'POST', resource, body, programId, ...(pathParameters ? { pathParameters } : {}) }),
      lambdaContext,
    );
  const admin = (method: string, resource: string, body: unknown, programId: string) =>
    adminApi(apiEvent({ method, resource, body, programId, scopes: 'admin' }), lambdaContext);
  const line = (sku: string, unitPrice: number, quantity = 1) => ({ sku, quantity, unitPrice });
  const buy = (orderId: string, extra: Record<string, unknown>) => ({
    orderId,
    memberId: 'mallory',
    occurredAt: recent,
    currency: 'USD',
    ...extra,
  });

  beforeAll(async () => {
    f = await ledgerFixture();
    process.env.TABLE_NAME = f.tableName;
    process.env.DYNAMODB_ENDPOINT = f.endpoint;
    process.env.EVENTBRIDGE_ENDPOINT = 'http://127.0.0.1:9';
    purchases = (await import('../../functions/purchases-api')).handler;
    adminApi = (await import('../../functions/program-admin-api')).handler;
    await f.program('shop');
    await createRule('shop', { ruleId: 'base', kind: 'base', name: 'Base', pointsPerUnit: { USD: '1' } }, 'k', f.deps);
  });
  afterAll(() => f.drop());

  it('every hostile purchase or return is a 4xx naming its fields, none a 5xx, and none writes anything', async () => {
    await post('/v1/purchases', buy('small', { amount: 10_00 }));
    const before = await f.scanAll();
    const maximal = Array.from({ length: 10 }, (_, i) => line(`x${i}`, 10 ** 12, 100_000));
    const cases: [string, number, string[], unknown, Record<string, string>?][] = [
      [
        'amount 1, one $10,000 line',
        422,
        ['amount', 'items'],
        buy('a1', { amount: 1, items: [line('tv', 10_000_00)] }),
      ],
      ['ten maximal lines', 422, ['amount', 'amount', 'items'], buy('a2', { amount: 10 ** 12, items: maximal })],
      ['beyond maxPurchaseAmount', 422, ['amount'], buy('a3', { amount: 100_000_001 })],
      [
        'a line discount above the line',
        400,
        ['items.0.discount'],
        buy('a4', { amount: 0, items: [{ ...line('a', 5_00), discount: 6_00 }] }),
      ],
      [
        'an order discount above the lines',
        422,
        ['discount', 'amount', 'items'],
        buy('a5', { amount: 0, discount: 6_00, items: [line('a', 5_00)] }),
      ],
      ['a discount without items', 422, ['discount'], buy('a6', { amount: 10_00, discount: 1_00 })],
      ['a negative discount', 400, ['discount'], buy('a7', { amount: 10_00, items: [line('a', 10_00)], discount: -1 })],
      ['a fractional shipping', 400, ['shipping'], buy('a8', { amount: 10_00, shipping: 1.5 })],
      ['shipping and tax above the amount', 422, ['amount'], buy('a9', { amount: 5_00, shipping: 4_00, tax: 2_00 })],
      [
        'an unknown line type',
        400,
        ['items.0.type'],
        buy('a10', { amount: 1_00, items: [{ ...line('a', 1_00), type: 'coupon' }] }),
      ],
      ['year 0001', 422, ['occurredAt'], { ...buy('a11', { amount: 1_00 }), occurredAt: '0001-01-01T00:00:00Z' }],
      ['an amount of 1e15', 400, ['amount'], buy('a12', { amount: 10 ** 15 })],
      [
        'an item posing as the shipping line',
        422,
        ['items.0.sku'],
        buy('a13', { amount: 1_00, items: [line('(shipping)', 1_00)] }),
      ],
      [
        'a line discount of a fraction of a cent',
        400,
        ['items.0.discount'],
        buy('a14', { amount: 1_00, items: [{ ...line('a', 2_00), discount: 0.5 }] }),
      ],
    ];
    const returns: [string, number, string[], unknown][] = [
      ['a return of more than the order', 422, ['amount'], { returnId: 'r1', occurredAt: recent, amount: 10 ** 12 }],
      ['a return dated 9999', 400, ['occurredAt'], { returnId: 'r2', occurredAt: '9999-01-01T00:00:00Z', amount: 1 }],
      [
        'a return before its purchase',
        422,
        ['occurredAt'],
        { returnId: 'r3', occurredAt: '2026-01-01T00:00:00Z', amount: 1 },
      ],
    ];

    const answers = [
      ...(await Promise.all(
        cases.map(async ([what, status, fields, body]) => ({
          what,
          status,
          fields,
          res: await post('/v1/purchases', body),
        })),
      )),
      ...(await Promise.all(
        returns.map(async ([what, status, fields, body]) => ({
          what,
          status,
          fields,
          res: await post('/v1/purchases/{orderId}/returns', body, { orderId: 'small' }),
        })),
      )),
    ];

    for (const { what, status, fields, res } of answers) {
      expect(res.statusCode, what).toBe(status);
      expect(
        problemOf(res).errors.map((e: { field: string }) => e.field),
        what,
      ).toEqual(fields);
    }
    expect(await f.scanAll()).toEqual(before);
  });

  it('a rule worth 1e15 points credits the program maximum; the member is not bricked and earns again', async () => {
    await createRule(
      'shop',
      { ruleId: 'huge', kind: 'base', name: 'Huge', pointsPerUnit: { USD: '999999999' } },
      'k',
      f.deps,
    );
    const first = await post('/v1/purchases', buy('big-1', { amount: 1_000_000_00 }));
    const second = await post('/v1/purchases', buy('big-2', { amount: 1_00 }));

    expect([first.statusCode, second.statusCode]).toEqual([201, 201]);
    expect(JSON.parse(first.body).points).toBe(1_000_000);
    expect((await getMember('shop', 'mallory', f.deps)).points.lifetimeEarned).toBeLessThan(Number.MAX_SAFE_INTEGER);
  });

  it('earns on the goods net of discounts; shipping and tax earn once the program says so', async () => {
    await f.program('store');
    const order = (orderId: string) =>
      buy(orderId, {
        memberId: 'ann',
        amount: 98_00,
        discount: 20_00,
        shipping: 10_00,
        tax: 8_00,
        items: [line('shirt', 25_00, 2), line('shoes', 50_00)],
      });

    const before = await post('/v1/purchases', order('o-1'), undefined, 'store');
    const patched = await admin('PATCH', '/v1/admin/program', { earnOn: { shipping: true, tax: true } }, 'store');
    const after = await post('/v1/purchases', order('o-2'), undefined, 'store');

    expect([before.statusCode, patched.statusCode, after.statusCode]).toEqual([201, 200, 201]);
    expect([JSON.parse(before.body).points, JSON.parse(after.body).points]).toEqual([80, 98]);
    expect(JSON.parse((await admin('GET', '/v1/admin/program', undefined, 'store')).body)).toMatchObject({
      earnOn: { shipping: true, tax: true, giftCards: false },
      amountTolerancePerLine: 1,
      maxPurchaseAmount: 100_000_000,
      maxPointsPerTransaction: 1_000_000,
    });
  });

  it('simulate refuses a purchase whose money does not add up with the same 422', async () => {
    const rulesApi = (await import('../../functions/earning-rules-api')).handler;
    const body = { purchase: buy('sim', { amount: 1, items: [line('tv', 10_000_00)] }) };

    const res = await rulesApi(
      apiEvent({
        method: 'POST',
        resource: '/v1/admin/earning-rules/simulate',
        body,
        programId: 'shop',
        scopes: 'admin',
      }),
      lambdaContext,
    );

    expect(res.statusCode).toBe(422);
    expect(problemOf(res).errors.map((e: { field: string }) => e.field)).toEqual(['amount', 'items']);
  });

  it('hostile money settings are a 400 naming each field, and change nothing', async () => {
    await f.program('settings');
    const before = await f.scanAll();

    const res = await admin(
      'PATCH',
      '/v1/admin/program',
      {
        earnOn: { coupons: true },
        amountTolerancePerLine: 1.5,
        maxPurchaseAmount: -1,
        maxPointsPerTransaction: 10 ** 15,
      },
      'settings',
    );

    expect(res.statusCode).toBe(400);
    expect(problemOf(res).errors.map((e: { field: string }) => e.field)).toEqual([
      'earnOn.coupons',
      'amountTolerancePerLine',
      'maxPurchaseAmount',
      'maxPointsPerTransaction',
    ]);
    expect(await f.scanAll()).toEqual(before);
  });

  it('a return by amount claws back in proportion to what the order earned on', async () => {
    await f.program('returns');
    const bought = await post(
      '/v1/purchases',
      buy('o', {
        memberId: 'bob',
        amount: 168_00,
        shipping: 10_00,
        tax: 8_00,
        items: [line('a', 100_00), { ...line('card', 50_00), type: 'gift-card' }],
      }),
      undefined,
      'returns',
    );
    const back = (returnId: string, amount: number) =>
      post('/v1/purchases/{orderId}/returns', { returnId, occurredAt: recent, amount }, { orderId: 'o' }, 'returns');

    const half = await back('r1', 50_00);
    const cent = await back('r2', 1);
    const rest = await back('r3', 50_00 - 1);

    expect(JSON.parse(bought.body).points).toBe(100);
    expect([half, cent, rest].map((r) => r.statusCode)).toEqual([201, 201, 201]);
    expect([half, cent, rest].map((r) => JSON.parse(r.body).points)).toEqual([50, 0, 50]);
    expect(JSON.parse(rest.body)).toMatchObject({ orderPointsLeft: 0, fullyReturned: false });
    expect((await f.deps.orders.getOrder('returns', 'o'))?.earnedOn).toBe(100_00);
  });
});
