import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { memoryConnectorStore } from '../../../adapters/memory/connector-store';
import { localSecretBox } from '../../../adapters/secrets/local-secret-box';
import { BadSignature, ConnectorNotFound, HandOffFailed } from '../../../core/connectors/errors';
import type { DeliveryRef } from '../../../core/connectors/ports';
import { ConnectorOptions } from '../../../core/connectors/schemas';
import {
  createConnector,
  listDeadLetters,
  rotateConnectorSecret,
} from '../../../core/connectors/use-cases/manage-connectors';
import { processDelivery } from '../../../core/connectors/use-cases/process-delivery';
import { receiveWebhook } from '../../../core/connectors/use-cases/receive-webhook';
import { earnForPurchase } from '../../../core/earning/use-cases/earn-for-purchase';
import {
  fixture,
  shopifyHeaders,
  shopifyOrder,
  shopifyRefundOfSecondLine,
  wooHeaders,
  wooOrder,
} from '../../support/connectors';
import { BASE_RULE, memoryFixture } from './fixture';

const SECRET = 'shpss_0123456789abcdef';
const url = (id: string) => `https://api.example.com/v1/connectors/${id}/webhooks`;

async function setUp(
  platform: 'shopify' | 'woocommerce' = 'shopify',
  options: Record<string, unknown> = { testOrders: 'earn' },
  program: { earnOn?: { shipping?: boolean; tax?: boolean; giftCards?: boolean } } = {},
) {
  const f = memoryFixture();
  await f.program('shop', { currency: 'USD', ...program }, [BASE_RULE]);
  const connectors = memoryConnectorStore();
  const queued: DeliveryRef[] = [];
  let queueDown = false;
  const deps = {
    ...f.deps,
    connectors,
    secrets: localSecretBox(randomBytes(32)),
    queue: {
      async enqueue(ref: DeliveryRef) {
        if (queueDown) throw new Error('bus down');
        queued.push(ref);
      },
    },
  };
  const c = await createConnector(
    'shop',
    { platform, secret: SECRET, options: ConnectorOptions.parse(options) },
    url,
    deps,
  );
  /** Receives a delivery, then runs the worker on what was queued. */
  const deliver = async (headers: Record<string, string>, body: string) => {
    const receipt = await receiveWebhook(c.connectorId, { headers, body: Buffer.from(body) }, deps);
    const outcomes = [];
    while (queued.length) outcomes.push(await processDelivery(queued.shift()!, deps));
    return { receipt, outcomes };
  };
  const setQueueDown = (down: boolean) => {
    queueDown = down;
  };
  return { f, deps, connectors, c, deliver, queueDown: setQueueDown };
}

const shopify = (body: string, topic: string, id: string, secret = SECRET) =>
  [shopifyHeaders(secret, body, topic, id), body] as const;

describe('connectors', () => {
  it('creates a connector with its webhook URL; the secret is sealed, never shown', async () => {
    const { c, connectors } = await setUp();
    expect(c.webhookUrl).toBe(url(c.connectorId));
    expect(JSON.stringify(c)).not.toContain(SECRET);
    expect(JSON.stringify(await connectors.getConnector(c.connectorId))).not.toContain(SECRET);
  });

  it('credits a signed Shopify order once, across retries and across orders/create then orders/paid', async () => {
    const { f, deliver } = await setUp('shopify', { testOrders: 'earn', earnOn: 'created' });
    const body = shopifyOrder('2026-11-22');

    const first = await deliver(...shopify(body, 'orders/create', 'w-1'));
    const retry = await deliver(...shopify(body, 'orders/create', 'w-1'));
    const paid = await deliver(...shopify(body, 'orders/paid', 'w-2'));

    expect(first.outcomes).toEqual([expect.objectContaining({ status: 'credited' })]);
    expect(retry.receipt).toMatchObject({ kind: 'accepted', duplicate: true });
    expect(retry.outcomes).toEqual([]);
    expect(paid.outcomes).toEqual([expect.objectContaining({ status: 'ignored' })]);
    expect(await f.balance('shop', '115310627314723954')).toMatchObject({ available: 378 });
  });

  it('a bad or missing signature is refused and writes nothing', async () => {
    const { deliver, connectors } = await setUp();
    const body = shopifyOrder('2026-11-22');
    await expect(deliver(...shopify(body, 'orders/paid', 'w-1', 'the-wrong-secret-123'))).rejects.toThrow(BadSignature);
    const { 'x-shopify-hmac-sha256': _gone, ...unsigned } = shopifyHeaders(SECRET, body, 'orders/paid', 'w-1');
    await expect(deliver(unsigned, body)).rejects.toThrow(BadSignature);
    expect(connectors.deliveries.size).toBe(0);
  });

  it('an unknown connector is not found', async () => {
    const { deps } = await setUp();
    await expect(receiveWebhook('con-nope', { headers: {}, body: Buffer.from('{}') }, deps)).rejects.toThrow(
      ConnectorNotFound,
    );
  });

  it('a failed hand-off answers 503-worthy; the retry hands the recorded delivery over again', async () => {
    const { f, deliver, queueDown } = await setUp();
    const body = shopifyOrder('2026-11-22');
    queueDown(true);
    await expect(deliver(...shopify(body, 'orders/paid', 'w-1'))).rejects.toThrow(HandOffFailed);
    queueDown(false);
    const retry = await deliver(...shopify(body, 'orders/paid', 'w-1'));
    expect(retry.outcomes).toEqual([expect.objectContaining({ status: 'credited' })]);
    expect(await f.balance('shop', '115310627314723954')).toMatchObject({ available: 378 });
  });

  it('a refund by line id claws back that line only; a cancel claws back the rest', async () => {
    const { f, deliver } = await setUp();
    await deliver(...shopify(shopifyOrder('2026-11-22'), 'orders/paid', 'w-1'));
    f.clock.advance(3_600_000);

    const refund = await deliver(...shopify(shopifyRefundOfSecondLine('2026-11-22'), 'refunds/create', 'w-2'));
    expect(refund.outcomes).toEqual([expect.objectContaining({ status: 'credited' })]);
    // 378 points on 378.00 of goods: the second line is 199.00 less its 10.00 share of the 20.00 discount.
    expect(await f.balance('shop', '115310627314723954')).toMatchObject({ available: 189 });

    const cancelled = fixture('shopify/orders-cancelled.json').replace(/2021-12-31/g, '2026-11-22');
    await deliver(...shopify(cancelled, 'orders/cancelled', 'w-3'));
    expect(await f.balance('shop', '115310627314723954')).toMatchObject({ available: 0 });
  });

  it('the same order by the API first credits once', async () => {
    const { f, deliver } = await setUp();
    await earnForPurchase(
      'shop',
      {
        orderId: '820982911946154508',
        memberId: '115310627314723954',
        occurredAt: '2026-11-22T12:00:00Z',
        currency: 'USD',
        amount: 388_00,
      },
      f.deps,
    );
    const { outcomes } = await deliver(...shopify(shopifyOrder('2026-11-22'), 'orders/paid', 'w-1'));
    expect(outcomes).toEqual([expect.objectContaining({ status: 'ignored' })]);
    expect(await f.balance('shop', '115310627314723954')).toMatchObject({ available: 388 });
  });

  it('a payload that verifies but cannot be mapped is a dead letter, with its reason and ids', async () => {
    const { deliver, deps, c } = await setUp();
    const body = shopifyOrder('2026-11-22').replace('"currency": "USD"', '"currency": "usd dollars"');
    const { outcomes } = await deliver(...shopify(body, 'orders/paid', 'w-9'));
    expect(outcomes).toEqual([expect.objectContaining({ status: 'dead' })]);
    const page = await listDeadLetters('shop', c.connectorId, { limit: 10 }, deps);
    expect(page.items).toEqual([
      expect.objectContaining({
        deliveryId: 'w-9',
        topic: 'orders/paid',
        reason: expect.stringMatching(/currency/),
        platformIds: { orderId: '820982911946154508', orderName: '#9999' },
      }),
    ]);
  });

  it("WooCommerce's ping gets its answer and changes nothing; its guest order earns under the email hash", async () => {
    const { deliver, connectors, f } = await setUp('woocommerce', {});
    const ping = await deliver({ 'content-type': 'application/x-www-form-urlencoded' }, 'webhook_id=3');
    expect(ping.receipt).toEqual({ kind: 'ping' });
    expect(connectors.deliveries.size).toBe(0);
    const body = wooOrder('2026-11-22');
    const { outcomes } = await deliver(wooHeaders(SECRET, body, 'order.created', '101'), body);
    expect(outcomes).toEqual([expect.objectContaining({ status: 'credited' })]);
    const member = outcomes[0]!.note.split(' to ')[1]!;
    expect(member).toMatch(/^guest-[0-9a-f]{64}$/);
    expect(await f.balance('shop', member)).toMatchObject({ available: 18 });
  });

  it('a rotated secret keeps the previous one valid for the grace period', async () => {
    const { deliver, deps, c, f } = await setUp();
    await rotateConnectorSecret('shop', c.connectorId, { secret: 'the-new-secret-0123', graceHours: 1 }, url, deps);
    const body = shopifyOrder('2026-11-22');
    await expect(deliver(...shopify(body, 'orders/paid', 'w-1'))).resolves.toBeDefined();
    await expect(deliver(...shopify(body, 'orders/paid', 'w-2', 'the-new-secret-0123'))).resolves.toBeDefined();
    f.clock.advance(2 * 3_600_000);
    await expect(deliver(...shopify(body, 'orders/paid', 'w-3'))).rejects.toThrow(BadSignature);
  });

  it("the connector's shipping and tax options decide whether they earn for its orders", async () => {
    const body = wooOrder('2026-11-22');
    const earn = await setUp('woocommerce', { shipping: 'earn', tax: 'earn' });
    const { outcomes } = await earn.deliver(wooHeaders(SECRET, body, 'order.created', '101'), body);
    // 18.00 of goods, 10.00 of shipping and 1.35 of tax, at a point per dollar.
    expect(await earn.f.balance('shop', outcomes[0]!.note.split(' to ')[1]!)).toMatchObject({ available: 29 });

    const shop = await setUp('shopify', { testOrders: 'earn', shipping: 'earn' });
    await shop.deliver(...shopify(shopifyOrder('2026-11-22'), 'orders/paid', 'w-1'));
    expect(await shop.f.balance('shop', '115310627314723954')).toMatchObject({ available: 388 });

    const shippingEarns = { earnOn: { shipping: true } };
    const program = await setUp('woocommerce', {}, shippingEarns);
    const off = await setUp('woocommerce', { shipping: 'no-earn' }, shippingEarns);
    const a = await program.deliver(wooHeaders(SECRET, body, 'order.created', '101'), body);
    const b = await off.deliver(wooHeaders(SECRET, body, 'order.created', '101'), body);
    expect(await program.f.balance('shop', a.outcomes[0]!.note.split(' to ')[1]!)).toMatchObject({ available: 28 });
    expect(await off.f.balance('shop', b.outcomes[0]!.note.split(' to ')[1]!)).toMatchObject({ available: 18 });
  });
});
