import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { memoryConnectorStore } from '../../../adapters/memory/connector-store';
import { localSecretBox } from '../../../adapters/secrets/local-secret-box';
import type { DeliveryRef } from '../../../core/connectors/ports';
import { ConnectorOptions } from '../../../core/connectors/schemas';
import { createConnector } from '../../../core/connectors/use-cases/manage-connectors';
import { processDelivery } from '../../../core/connectors/use-cases/process-delivery';
import { receiveWebhook } from '../../../core/connectors/use-cases/receive-webhook';
import { fixture, shopifyHeaders, shopifyOrder, wooHeaders, wooOrder } from '../../support/connectors';
import { BASE_RULE, memoryFixture } from './fixture';

const SECRET = 'shpss_0123456789abcdef';
const CUSTOMER = '115310627314723954';
const ORDER = '820982911946154508';
const ADDED_LINE = '866550311766439021';

async function setUp(
  platform: 'shopify' | 'woocommerce' = 'shopify',
  options: Record<string, unknown> = {},
  rules: readonly unknown[] = [BASE_RULE],
) {
  const f = memoryFixture();
  await f.program('shop', { currency: 'USD' }, rules);
  const connectors = memoryConnectorStore();
  const queued: DeliveryRef[] = [];
  const deps = {
    ...f.deps,
    connectors,
    secrets: localSecretBox(randomBytes(32)),
    queue: { enqueue: async (ref: DeliveryRef) => void queued.push(ref) },
  };
  const c = await createConnector(
    'shop',
    { platform, secret: SECRET, options: ConnectorOptions.parse({ testOrders: 'earn', ...options }) },
    (id) => `https://api.example.com/v1/connectors/${id}/webhooks`,
    deps,
  );
  const failed: DeliveryRef[] = [];
  const deliver = async (headers: Record<string, string>, body: string) => {
    await receiveWebhook(c.connectorId, { headers, body: Buffer.from(body) }, deps);
    const outcomes = [];
    while (queued.length) {
      const ref = queued.shift()!;
      outcomes.push(
        await processDelivery(ref, deps).catch((err: Error) => {
          failed.push(ref);
          return err;
        }),
      );
    }
    return outcomes;
  };
  const shopify = (body: string, topic: string, id: string) => deliver(shopifyHeaders(SECRET, body, topic, id), body);
  const available = async (member = CUSTOMER) => (await f.balance('shop', member)).available;
  const redeliver = async () => {
    const outcomes = [];
    for (const ref of [...failed]) outcomes.push(await processDelivery(ref, deps));
    return outcomes;
  };
  return { f, deps, connectors, deliver, shopify, available, redeliver, failed };
}

type Json = Record<string, any>;

/** A later version of Shopify's example order (paid, 2 x 199.00 less 20.00: 378 points), edited by `edit`. */
function version(edit: (order: Json) => void, updatedAt: string): string {
  const order = JSON.parse(shopifyOrder('2026-11-22').replace(/:\s*(\d{16,})/g, ': "$1"'));
  edit(order);
  order.updated_at = updatedAt;
  return JSON.stringify(order, null, 2).replace(/"(\d{16,})"/g, '$1');
}

/** Adds a line of `quantity` x 50.00 (SKU EARBUDS) as an order edit does. */
const addEarbuds =
  (quantity = 1) =>
  (o: Json) => {
    const line = structuredClone(o.line_items[0]);
    Object.assign(line, { id: ADDED_LINE, sku: 'EARBUDS', quantity, price: '50.00', discount_allocations: [] });
    line.price_set = { shop_money: { amount: '50.00', currency_code: 'USD' } };
    o.line_items.push(line);
  };
const setQuantity = (index: number, quantity: number) => (o: Json) => {
  o.line_items[index].quantity = quantity;
};

describe('an edited order credits the difference once', () => {
  it('an edit up earns the added line; the same version again, or under another topic, earns nothing', async () => {
    const { shopify, available, connectors } = await setUp();
    await shopify(shopifyOrder('2026-11-22'), 'orders/paid', 'w-1');
    expect(await available()).toBe(378);

    const edited = version(addEarbuds(), '2026-11-23T08:00:00Z');
    const first = await shopify(edited, 'orders/updated', 'w-2');
    const again = await shopify(edited, 'orders/updated', 'w-3');
    const otherTopic = await shopify(edited, 'orders/paid', 'w-4');

    expect(first).toEqual([expect.objectContaining({ status: 'credited', note: expect.stringMatching(/\+50 -0/) })]);
    expect(again).toEqual([expect.objectContaining({ status: 'ignored' })]);
    expect(otherTopic).toEqual([expect.objectContaining({ status: 'ignored' })]);
    expect(await available()).toBe(428);
    const state = await connectors.getOrderEdits('shop', ORDER);
    expect(state).toMatchObject({
      edits: 1,
      pending: null,
      editOrders: [expect.stringMatching(/^820982911946154508:edit:[0-9a-f]{16}$/)],
    });
  });

  it("an edit earns by its lines only: the order's own bonus (threshold) is not won again", async () => {
    const bonus = {
      ruleId: 'big-order',
      kind: 'order-threshold',
      name: 'Big order',
      points: 100,
      minSpend: { USD: 1000 },
    };
    const { shopify, available } = await setUp('shopify', {}, [BASE_RULE, bonus]);
    await shopify(shopifyOrder('2026-11-22'), 'orders/paid', 'w-1');
    expect(await available()).toBe(478);
    // The added line alone is over the threshold, yet the edit earns its 50 base points only.
    await shopify(version(addEarbuds(), '2026-11-23T08:00:00Z'), 'orders/updated', 'w-2');
    expect(await available()).toBe(528);
  });

  it('an edit down claws back the removed units by line', async () => {
    const { shopify, available } = await setUp();
    await shopify(version(setQuantity(0, 3), '2026-11-23T01:00:00Z'), 'orders/paid', 'w-1');
    // 3 x 199.00 + 199.00 less 20.00: 776.
    expect(await available()).toBe(776);
    const out = await shopify(version(setQuantity(0, 1), '2026-11-23T08:00:00Z'), 'orders/updated', 'w-2');
    expect(out).toEqual([expect.objectContaining({ status: 'credited' })]);
    // Two of the first line's units, 596.99 of its 596.99 + 199.00 - 20.00 share: 776 - 388.
    expect(await available()).toBe(388);
  });

  it('two successive edits each credit their own difference; an edit back to the first content too', async () => {
    const { shopify, available } = await setUp();
    await shopify(shopifyOrder('2026-11-22'), 'orders/paid', 'w-1');
    await shopify(version(addEarbuds(1), '2026-11-23T02:00:00Z'), 'orders/updated', 'w-2');
    await shopify(version(addEarbuds(3), '2026-11-23T03:00:00Z'), 'orders/updated', 'w-3');
    expect(await available()).toBe(378 + 150);
    await shopify(
      version(() => {}, '2026-11-23T04:00:00Z'),
      'orders/updated',
      'w-4',
    );
    expect(await available()).toBe(378);
    await shopify(version(addEarbuds(1), '2026-11-23T05:00:00Z'), 'orders/updated', 'w-5');
    expect(await available()).toBe(428);
  });

  it('an older version than one credited is stale and changes nothing', async () => {
    const { shopify, available } = await setUp();
    await shopify(shopifyOrder('2026-11-22'), 'orders/paid', 'w-1');
    await shopify(version(addEarbuds(2), '2026-11-23T03:00:00Z'), 'orders/updated', 'w-2');
    const stale = await shopify(version(addEarbuds(1), '2026-11-23T02:00:00Z'), 'orders/updated', 'w-3');
    expect(stale).toEqual([expect.objectContaining({ status: 'ignored', note: expect.stringMatching(/older/) })]);
    expect(await available()).toBe(478);
  });

  it('a refund of a line an edit added is returned from the edit', async () => {
    const { shopify, available } = await setUp();
    await shopify(shopifyOrder('2026-11-22'), 'orders/paid', 'w-1');
    await shopify(version(addEarbuds(2), '2026-11-23T02:00:00Z'), 'orders/updated', 'w-2');
    const refund = JSON.parse(fixture('shopify/refunds-create.json').replace(/:\s*(\d{16,})/g, ': "$1"'));
    refund.order_id = ORDER;
    refund.created_at = refund.processed_at = '2026-11-23T09:00:00Z';
    refund.refund_line_items = [{ ...refund.refund_line_items[0], line_item_id: ADDED_LINE, quantity: 1 }];
    const body = JSON.stringify(refund).replace(/"(\d{16,})"/g, '$1');
    const out = await shopify(body, 'refunds/create', 'w-3');
    const retry = await shopify(body, 'refunds/create', 'w-4');
    expect(out).toEqual([expect.objectContaining({ status: 'credited' })]);
    expect(retry).toEqual([expect.objectContaining({ status: 'ignored' })]);
    expect(await available()).toBe(428);
  });

  it('a cancellation takes back the original order and every edit', async () => {
    const { shopify, available } = await setUp();
    await shopify(shopifyOrder('2026-11-22'), 'orders/paid', 'w-1');
    await shopify(version(addEarbuds(2), '2026-11-23T02:00:00Z'), 'orders/updated', 'w-2');
    expect(await available()).toBe(478);
    const cancelled = fixture('shopify/orders-cancelled.json').replace(/2021-12-31T19/g, '2026-11-23T05');
    const out = await shopify(cancelled, 'orders/cancelled', 'w-3');
    expect(out).toEqual([expect.objectContaining({ status: 'credited', note: expect.stringMatching(/-478/) })]);
    expect(await available()).toBe(0);
  });

  it('a worker that stopped after deciding an edit is finished by the retry, without crediting twice', async () => {
    const { shopify, available, connectors, redeliver } = await setUp();
    await shopify(shopifyOrder('2026-11-22'), 'orders/paid', 'w-1');
    const save = connectors.saveOrderEdits.bind(connectors);
    let writes = 0;
    connectors.saveOrderEdits = async (e, seen) => {
      if (++writes === 2) throw new Error('table unreachable'); // the write that clears the posted edit
      return save(e, seen);
    };
    const out = await shopify(version(addEarbuds(), '2026-11-23T08:00:00Z'), 'orders/updated', 'w-2');
    expect(out[0]).toBeInstanceOf(Error);
    expect(await available()).toBe(428);
    expect(await connectors.getOrderEdits('shop', ORDER)).toMatchObject({ pending: { editId: expect.any(String) } });

    await redeliver();
    expect(await available()).toBe(428);
    expect(await connectors.getOrderEdits('shop', ORDER)).toMatchObject({ pending: null, edits: 1 });
  });

  it("orders/edited is noted (its deltas carry no prices): the order's next version credits the edit", async () => {
    const { shopify, available } = await setUp();
    await shopify(shopifyOrder('2026-11-22'), 'orders/paid', 'w-1');
    const out = await shopify(fixture('shopify/orders-edited.json'), 'orders/edited', 'w-2');
    expect(out).toEqual([expect.objectContaining({ status: 'ignored', note: expect.stringMatching(/78912328/) })]);
    expect(await available()).toBe(378);
  });

  it('a WooCommerce order.updated with more of a line earns the added units', async () => {
    const { deliver, f } = await setUp('woocommerce');
    const body = wooOrder('2026-11-22');
    const first = await deliver(wooHeaders(SECRET, body, 'order.created', '1'), body);
    const member = (first[0] as { note: string }).note.split(' to ')[1]!;
    const order = JSON.parse(body);
    // The 6.00 line (2 x 3.00) to 4 units: 12.00 more, and the total with it.
    order.line_items[0].quantity = 4;
    order.line_items[0].subtotal = '12.00';
    order.line_items[0].total = '12.00';
    order.total = '35.35';
    order.date_modified_gmt = '2026-11-23T08:00:00';
    const updated = JSON.stringify(order);
    const out = await deliver(wooHeaders(SECRET, updated, 'order.updated', '2'), updated);
    expect(out).toEqual([expect.objectContaining({ status: 'credited' })]);
    expect((await f.balance('shop', member)).available).toBe(24);
  });
});
