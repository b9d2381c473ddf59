// An edited Shopify order on the local stack (npm start): the order, a later version with a line
// added (posted twice, under two webhook ids), a refund of the added line and a cancellation, each
// signed as Shopify signs and credited by the worker over the bus: the difference once, then back to 0.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/start';
import { fixture, onDay, recentDay, shopifyHeaders, shopifyOrder } from '../support/connectors';

let stack: LocalStack;
const SECRET = 'shpss_integration_0123456789';
const CUSTOMER = '115310627314723954';
const ORDER = '820982911946154508';
const ADDED_LINE = '866550311766439021';

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    eventsPort: 0,
    dynamodbEndpoint: inject('dynamodbEndpoint') ?? process.env.DYNAMODB_ENDPOINT,
    tableName: `loyalty-edits-it-${randomUUID().slice(0, 8)}`,
    retryBaseDelayMs: 10,
    log: () => {},
    logError: () => {},
  });
}, 120_000);

afterAll(async () => {
  await stack?.bus.whenIdle();
  await stack?.stop();
});

const total = async () => {
  const res = await fetch(`${stack.apiUrl}/v1/members/${CUSTOMER}`, { headers: { 'x-api-key': stack.apiKey } });
  if (res.status === 404) return 0;
  const { points } = (await res.json()) as { points: { available: number; pending: number } };
  return points.available + points.pending;
};

/** The example order with one line of 2 x 50.00 added, as Shopify sends it after the edit. */
function edited(): string {
  const order = JSON.parse(shopifyOrder(recentDay(1)).replace(/:\s*(\d{16,})/g, ': "$1"'));
  const line = structuredClone(order.line_items[0]);
  Object.assign(line, { id: ADDED_LINE, sku: 'EARBUDS', quantity: 2, price: '50.00', discount_allocations: [] });
  line.price_set = { shop_money: { amount: '50.00', currency_code: 'USD' } };
  order.line_items.push(line);
  order.updated_at = new Date(Date.now() - 60_000).toISOString();
  return JSON.stringify(order, null, 2).replace(/"(\d{16,})"/g, '$1');
}

describe('an edited order on the local stack', () => {
  let webhookUrl: string;
  const send = async (body: string, topic: string, id: string) => {
    const res = await fetch(webhookUrl, { method: 'POST', headers: shopifyHeaders(SECRET, body, topic, id), body });
    expect(res.status).toBe(200);
    await stack.bus.whenIdle();
  };

  it('credits the order, then the added line once, however often the edited version comes', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/admin/connectors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': stack.adminKey },
      body: JSON.stringify({ platform: 'shopify', secret: SECRET, options: { testOrders: 'earn' } }),
    });
    expect(res.status).toBe(201);
    webhookUrl = ((await res.json()) as { webhookUrl: string }).webhookUrl;

    await send(shopifyOrder(recentDay(1)), 'orders/paid', 'e-paid');
    const first = await total();
    expect(first).toBeGreaterThan(0);

    const version = edited();
    await send(version, 'orders/updated', 'e-upd-1');
    const afterEdit = await total();
    expect(afterEdit).toBeGreaterThan(first);
    await send(version, 'orders/updated', 'e-upd-2');
    await send(version, 'orders/paid', 'e-paid-2');
    expect(await total()).toBe(afterEdit);
  });

  it('a refund of the added line comes back from the edit; the cancellation takes back everything', async () => {
    const before = await total();
    const refund = JSON.parse(fixture('shopify/refunds-create.json').replace(/:\s*(\d{16,})/g, ': "$1"'));
    refund.order_id = ORDER;
    refund.created_at = refund.processed_at = new Date(Date.now() - 30_000).toISOString();
    refund.refund_line_items = [{ ...refund.refund_line_items[0], line_item_id: ADDED_LINE, quantity: 1 }];
    await send(JSON.stringify(refund).replace(/"(\d{16,})"/g, '$1'), 'refunds/create', 'e-refund');
    const afterRefund = await total();
    expect(afterRefund).toBeLessThan(before);
    expect(afterRefund).toBeGreaterThan(0);

    const dead = await fetch(`${stack.apiUrl}/v1/admin/connectors`, { headers: { 'x-api-key': stack.adminKey } });
    const [connector] = ((await dead.json()) as { items: { connectorId: string }[] }).items;
    const letters = await fetch(`${stack.apiUrl}/v1/admin/connectors/${connector!.connectorId}/dead-letters`, {
      headers: { 'x-api-key': stack.adminKey },
    });
    expect(((await letters.json()) as { items: unknown[] }).items).toEqual([]);

    await send(onDay(fixture('shopify/orders-cancelled.json'), recentDay(1)), 'orders/cancelled', 'e-cancel');
    expect(await total()).toBe(0);
  });
});
