// Shop connectors end to end on the local stack (npm start): admin create -> webhookUrl; the
// platforms' example payloads, signed as they sign, posted without an API key; the worker credits
// asynchronously over the bus, once, with dead letters visible through the API.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { guestMemberId } from '../../core/connectors/domain/connector';
import { type LocalStack, startLocalStack } from '../../local/start';
import {
  fixture,
  onDay,
  recentDay,
  shopifyHeaders,
  shopifyOrder,
  shopifyRefundOfSecondLine,
  wooHeaders,
  wooOrder,
} from '../support/connectors';

let stack: LocalStack;
const SECRET = 'shpss_integration_0123456789';
const CUSTOMER = '115310627314723954';

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    eventsPort: 0,
    dynamodbEndpoint: inject('dynamodbEndpoint') ?? process.env.DYNAMODB_ENDPOINT,
    tableName: `loyalty-connectors-it-${randomUUID().slice(0, 8)}`,
    retryBaseDelayMs: 10,
    log: () => {},
    logError: () => {},
  });
}, 120_000);

afterAll(async () => {
  await stack?.bus.whenIdle();
  await stack?.stop();
});

const admin = (path: string, init: RequestInit = {}) =>
  fetch(`${stack.apiUrl}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', 'x-api-key': stack.adminKey, ...(init.headers as object) },
  });

const points = async (memberId: string) => {
  const res = await fetch(`${stack.apiUrl}/v1/members/${memberId}`, { headers: { 'x-api-key': stack.apiKey } });
  if (res.status === 404) return 0;
  return ((await res.json()) as { points: { available: number; pending: number } }).points;
};

/** Posts to the connector's webhook URL as the platform does: the exact bytes, no x-api-key. */
const post = (webhookUrl: string, headers: Record<string, string>, body: string) =>
  fetch(webhookUrl, { method: 'POST', headers, body });

async function connector(platform: string, options: Record<string, unknown>) {
  const res = await admin('/v1/admin/connectors', {
    method: 'POST',
    body: JSON.stringify({ platform, secret: SECRET, options }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { connectorId: string; webhookUrl: string };
}

describe('shop connectors on the local stack', () => {
  let shop: { connectorId: string; webhookUrl: string };

  it('creates a Shopify connector whose webhookUrl the local gateway serves without an API key', async () => {
    shop = await connector('shopify', { testOrders: 'earn', earnOn: 'created' });
    expect(shop.webhookUrl).toBe(`${stack.apiUrl}/v1/connectors/${shop.connectorId}/webhooks`);
    const unsigned = await post(shop.webhookUrl, { 'content-type': 'application/json' }, '{}');
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ type: expect.stringMatching(/invalid-signature$/) });
    const unknown = await post(`${stack.apiUrl}/v1/connectors/con-unknown/webhooks`, {}, '{}');
    expect(unknown.status).toBe(404);
  });

  it('credits a signed orders/create once: its retry and orders/paid change nothing', async () => {
    const body = shopifyOrder(recentDay(1));
    const res = await post(shop.webhookUrl, shopifyHeaders(SECRET, body, 'orders/create', 'wh-create'), body);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: true, deliveryId: 'wh-create', duplicate: false });
    await stack.bus.whenIdle();
    const credited = await points(CUSTOMER);
    expect(credited).toMatchObject({ available: expect.any(Number) });
    const earned =
      (credited as { available: number; pending: number }).available + (credited as { pending: number }).pending;
    expect(earned).toBeGreaterThan(0);

    const again = await post(shop.webhookUrl, shopifyHeaders(SECRET, body, 'orders/create', 'wh-create'), body);
    expect(await again.json()).toMatchObject({ duplicate: true });
    await post(shop.webhookUrl, shopifyHeaders(SECRET, body, 'orders/paid', 'wh-paid'), body);
    await stack.bus.whenIdle();
    expect(await points(CUSTOMER)).toEqual(credited);
  });

  it('the same order by the API is a replay or a conflict, never a second credit', async () => {
    const before = await points(CUSTOMER);
    await fetch(`${stack.apiUrl}/v1/purchases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': stack.apiKey },
      body: JSON.stringify({
        orderId: '820982911946154508',
        memberId: CUSTOMER,
        occurredAt: `${recentDay(1)}T12:00:00Z`,
        currency: 'USD',
        amount: 38800,
      }),
    });
    expect(await points(CUSTOMER)).toEqual(before);
  });

  it('a refund by line id claws back that line, and the cancel the rest', async () => {
    const before = (await points(CUSTOMER)) as { available: number; pending: number };
    const refund = shopifyRefundOfSecondLine(recentDay(1));
    const res = await post(shop.webhookUrl, shopifyHeaders(SECRET, refund, 'refunds/create', 'wh-refund'), refund);
    expect(res.status).toBe(200);
    await stack.bus.whenIdle();
    const after = (await points(CUSTOMER)) as { available: number; pending: number };
    const total = (p: { available: number; pending: number }) => p.available + p.pending;
    expect(total(after)).toBeLessThan(total(before));
    expect(total(after)).toBeGreaterThan(0);

    const cancelled = onDay(fixture('shopify/orders-cancelled.json'), recentDay(1));
    await post(shop.webhookUrl, shopifyHeaders(SECRET, cancelled, 'orders/cancelled', 'wh-cancel'), cancelled);
    await stack.bus.whenIdle();
    expect(total((await points(CUSTOMER)) as { available: number; pending: number })).toBe(0);
  });

  it('a payload that verifies but cannot be mapped lands in the dead letters, visible by API', async () => {
    const body = shopifyOrder(recentDay(1)).replace('"id": 820982911946154508', '"id": "not an id #1"');
    const res = await post(shop.webhookUrl, shopifyHeaders(SECRET, body, 'orders/create', 'wh-bad'), body);
    expect(res.status).toBe(200);
    await stack.bus.whenIdle();
    const page = await admin(`/v1/admin/connectors/${shop.connectorId}/dead-letters`);
    expect(page.status).toBe(200);
    expect(((await page.json()) as { items: unknown[] }).items).toEqual([
      expect.objectContaining({ deliveryId: 'wh-bad', topic: 'orders/create', reason: expect.stringMatching(/id/) }),
    ]);
  });

  it("WooCommerce: the ping when a webhook is saved is a 200 with no effect; a guest's order earns", async () => {
    const woo = await connector('woocommerce', {});
    const ping = await post(woo.webhookUrl, { 'content-type': 'application/x-www-form-urlencoded' }, 'webhook_id=3');
    expect(ping.status).toBe(200);
    const dead = await admin(`/v1/admin/connectors/${woo.connectorId}/dead-letters`);
    expect(((await dead.json()) as { items: unknown[] }).items).toEqual([]);

    const body = wooOrder(recentDay(1));
    const res = await post(woo.webhookUrl, wooHeaders(SECRET, body, 'order.created', '36e520eb'), body);
    expect(res.status).toBe(200);
    await stack.bus.whenIdle();
    const guest = (await points(guestMemberId('john.doe@example.com'))) as { available: number; pending: number };
    expect(guest.available + guest.pending).toBeGreaterThan(0);
    const listed = await admin('/v1/admin/connectors');
    expect(((await listed.json()) as { items: { connectorId: string }[] }).items.map((c) => c.connectorId)).toEqual([
      shop.connectorId,
      woo.connectorId,
    ]);
  });
});
