import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guestMemberId, type Unmappable } from '../../core/connectors/domain/connector';
import { isWooCommercePing } from '../../core/connectors/domain/deliveries';
import { parseLosslessJson } from '../../core/connectors/domain/lossless-json';
import { initialEdits, planEdit, type Returnable, routeItems } from '../../core/connectors/domain/order-edits';
import { safeEqual, verifyHmac, verifyToken } from '../../core/connectors/domain/signature';
import { MAPPERS } from '../../core/connectors/platforms';
import { mapCommercetools } from '../../core/connectors/platforms/commercetools';
import { mapShopify } from '../../core/connectors/platforms/shopify';
import { mapWooCommerce } from '../../core/connectors/platforms/woocommerce';
import { ConnectorOptions } from '../../core/connectors/schemas';
import type { PurchaseFacts } from '../../core/earning/domain/purchase';
import { PurchaseInput, ReturnInput } from '../../core/earning/schemas';
import { fixture, hmac, shopifyOrder, wooOrder, wooOrderRefunded } from '../support/connectors';

const options = (o: Record<string, unknown> = {}) => ConnectorOptions.parse(o);
const DAY = '2026-11-22';

describe('lossless JSON', () => {
  it('keeps every digit of integers beyond 2^53, and leaves everything else as JSON.parse reads it', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n }),
        fc
          .double({ noNaN: true, noDefaultInfinity: true })
          .filter((f) => !Number.isInteger(f) || Number.isSafeInteger(f)),
        fc.string(),
        (big, float, text) => {
          const raw = `{"id":${big},"f":${JSON.stringify(float)},"s":${JSON.stringify(text)},"a":[${big}]}`;
          const parsed = parseLosslessJson(raw) as { id: unknown; f: number; s: string; a: unknown[] };
          const expected = Number.isSafeInteger(Number(big)) ? Number(big) : String(big);
          expect(parsed.id).toEqual(expected);
          expect(parsed.a[0]).toEqual(expected);
          expect(parsed.f).toBe(JSON.parse(JSON.stringify(float)));
          expect(parsed.s).toBe(text);
        },
      ),
    );
  });

  it("reads Shopify's example ids digit for digit, where JSON.parse rounds them", () => {
    const raw = fixture('shopify/orders-cancelled.json');
    expect((JSON.parse(raw) as { id: number }).id).not.toBe(820982911946154508n.toString());
    const order = parseLosslessJson(raw) as { id: string; line_items: { id: string }[]; customer: { id: string } };
    expect(order.id).toBe('820982911946154508');
    expect(order.line_items.map((l) => l.id)).toEqual(['866550311766439020', '141249953214522974']);
    expect(order.customer.id).toBe('115310627314723954');
  });

  it('refuses what is not JSON', () => {
    expect(() => parseLosslessJson('{"id": 99999999999999999999')).toThrow();
    expect(() => parseLosslessJson('webhook_id=12')).toThrow();
  });
});

describe('signatures', () => {
  const body = Buffer.from(fixture('shopify/orders-cancelled.json'));
  const secret = 'shpss_0123456789abcdef';

  it("accepts the base64 HMAC-SHA256 of the raw body under the connector's secret", () => {
    expect(verifyHmac(body, hmac(secret, body.toString()), [secret])).toBe(true);
  });

  it('refuses a missing signature, another secret, another body', () => {
    expect(verifyHmac(body, undefined, [secret])).toBe(false);
    expect(verifyHmac(body, '', [secret])).toBe(false);
    expect(verifyHmac(body, hmac('another-secret-entirely', body.toString()), [secret])).toBe(false);
    expect(verifyHmac(Buffer.concat([body, Buffer.from(' ')]), hmac(secret, body.toString()), [secret])).toBe(false);
  });

  it('accepts either secret during a rotation', () => {
    const old = 'old-secret-0123456789';
    expect(verifyHmac(body, hmac(old, body.toString()), [secret, old])).toBe(true);
  });

  it('compares in constant time whatever the lengths (hashes first)', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(verifyToken('Bearer-less-token-1234', ['Bearer-less-token-1234'])).toBe(true);
    expect(verifyToken(undefined, ['x'])).toBe(false);
  });

  it("recognises WooCommerce's unsigned ping, and nothing else", () => {
    expect(isWooCommercePing({}, Buffer.from('webhook_id=3'))).toBe(true);
    expect(isWooCommercePing({ 'x-wc-webhook-signature': 'x' }, Buffer.from('webhook_id=3'))).toBe(false);
    expect(isWooCommercePing({}, Buffer.from('{"id":727}'))).toBe(false);
  });
});

const purchaseOf = (action: ReturnType<typeof mapShopify>) => {
  if (action.kind !== 'purchase') throw new Error(`expected a purchase, got ${JSON.stringify(action)}`);
  expect(PurchaseInput.safeParse(action.purchase).success).toBe(true);
  return action.purchase;
};

describe('Shopify mapping', () => {
  const order = () => parseLosslessJson(shopifyOrder(DAY));

  it('maps the example order: lossless ids, two lines of one SKU kept apart, the money of the shop', () => {
    const p = purchaseOf(mapShopify('orders/paid', order(), options({ testOrders: 'earn' })));
    expect(p).toMatchObject({
      orderId: '820982911946154508',
      memberId: '115310627314723954',
      currency: 'USD',
      amount: 388_00,
      discount: 20_00,
      shipping: 10_00,
    });
    expect(p.items).toEqual([
      { sku: 'IPOD2008PINK', lineId: '866550311766439020', quantity: 1, unitPrice: 199_00 },
      { sku: 'IPOD2008PINK', lineId: '141249953214522974', quantity: 1, unitPrice: 199_00 },
    ]);
    // 19:00 at -05:00 on DAY is midnight UTC the day after.
    expect(p.occurredAt).toBe('2026-11-23T00:00:00.000Z');
    // The parts add up to what Shopify charged.
    expect(p.amount).toBe(398_00 - 20_00 + 10_00);
  });

  it("is keyed by the platform's id, not the order name (#9999)", () => {
    const p = purchaseOf(mapShopify('orders/create', order(), options({ testOrders: 'earn', earnOn: 'created' })));
    expect(p.orderId).toBe('820982911946154508');
    expect(JSON.stringify(p)).not.toContain('#9999');
  });

  it('a test order earns nothing unless the options say so', () => {
    expect(mapShopify('orders/paid', order(), options())).toMatchObject({
      kind: 'ignore',
      reason: expect.stringMatching(/test/),
    });
  });

  it('earns on the topic the options name: orders/create waits for payment under earnOn paid', () => {
    const unpaid = parseLosslessJson(
      shopifyOrder(DAY).replace('"financial_status": "paid"', '"financial_status": "pending"'),
    );
    expect(mapShopify('orders/create', unpaid, options({ testOrders: 'earn' })).kind).toBe('ignore');
    expect(mapShopify('orders/paid', unpaid, options({ testOrders: 'earn' })).kind).toBe('purchase');
    expect(mapShopify('orders/create', unpaid, options({ testOrders: 'earn', earnOn: 'created' })).kind).toBe(
      'purchase',
    );
  });

  it('takes shop money, not presentment money', () => {
    const raw = shopifyOrder(DAY).replace(
      /"presentment_money": \{\s*"amount": "199.00",\s*"currency_code": "USD"/g,
      '"presentment_money": { "amount": "181.00", "currency_code": "EUR"',
    );
    const p = purchaseOf(mapShopify('orders/paid', parseLosslessJson(raw), options({ testOrders: 'earn' })));
    expect(p.items!.map((i) => i.unitPrice)).toEqual([199_00, 199_00]);
  });

  it('allocated line discounts stay on their lines; the rest of total_discounts is the order discount', () => {
    const o = order() as any;
    o.line_items[0].discount_allocations = [
      { amount: '5.00', amount_set: { shop_money: { amount: '5.00', currency_code: 'USD' } } },
    ];
    const p = purchaseOf(mapShopify('orders/paid', o, options({ testOrders: 'earn' })));
    expect(p.items![0]!.discount).toBe(5_00);
    expect(p.discount).toBe(15_00);
    expect(p.amount).toBe(388_00);
  });

  it('a guest is keyed by the hash of the normalised email, never the email', () => {
    const o = order() as any;
    delete o.customer;
    const p = purchaseOf(mapShopify('orders/paid', o, options({ testOrders: 'earn' })));
    expect(p.memberId).toBe(guestMemberId(' Jon@Example.com '));
    expect(p.memberId).toMatch(/^guest-[0-9a-f]{64}$/);
    expect(JSON.stringify(p)).not.toContain('jon@example.com');
  });

  it('a cancelled order claws back the whole order; a refund names its lines by id', () => {
    const cancelled = mapShopify(
      'orders/cancelled',
      parseLosslessJson(fixture('shopify/orders-cancelled.json')),
      options({ testOrders: 'earn' }),
    );
    expect(cancelled).toMatchObject({ kind: 'return', orderId: '820982911946154508', cancel: true });
    const refund = mapShopify('refunds/create', parseLosslessJson(fixture('shopify/refunds-create.json')), options());
    expect(refund).toMatchObject({
      kind: 'return',
      orderId: '820982911946154508',
      input: {
        returnId: 'shopify-refund-890088186047892319',
        items: [
          { lineId: '487817672276298554', quantity: 1 },
          { lineId: '976318377106520349', quantity: 1 },
        ],
      },
    });
    expect(ReturnInput.safeParse((refund as { input: unknown }).input).success).toBe(true);
  });

  it('a refund of shipping returns the shipping line too', () => {
    const r = parseLosslessJson(fixture('shopify/refunds-create.json')) as any;
    r.order_adjustments = [{ kind: 'shipping_refund', amount: '-10.00' }];
    const action = mapShopify('refunds/create', r, options());
    expect((action as any).input.items).toContainEqual({ sku: '(shipping)', quantity: 1 });
  });

  it('says why a payload cannot be mapped', () => {
    const o = order() as any;
    o.currency = undefined;
    expect(() => mapShopify('orders/paid', o, options({ testOrders: 'earn' }))).toThrow(/currency/);
    o.currency = 'USD';
    o.line_items[0].price_set.shop_money.amount = 'free';
    expect(() => mapShopify('orders/paid', o, options({ testOrders: 'earn' }))).toThrow(
      /not an amount/ as unknown as Unmappable & RegExp,
    );
  });
});

describe('WooCommerce mapping', () => {
  it('maps the documented order: a guest by email hash, an empty SKU named by its product, totals that add up', () => {
    const p = purchaseOf(mapWooCommerce('order.created', parseLosslessJson(wooOrder(DAY)), options()));
    expect(p).toMatchObject({
      orderId: '727',
      memberId: guestMemberId('john.doe@example.com'),
      currency: 'USD',
      amount: 29_35,
      shipping: 10_00,
      tax: 1_35,
    });
    expect(p.items).toEqual([
      { sku: 'product-93', lineId: '315', quantity: 2, unitPrice: 3_00 },
      { sku: 'Bar3', lineId: '316', quantity: 1, unitPrice: 12_00 },
    ]);
  });

  it('a listed refund comes back by amount, keyed by its refund id; a cancelled order claws back', () => {
    const refunded = mapWooCommerce('order.updated', parseLosslessJson(wooOrderRefunded(DAY)), options());
    expect(refunded).toMatchObject({
      kind: 'return',
      orderId: '727',
      input: { returnId: 'wc-refund-726', amount: 10_00 },
    });
    const cancelled = wooOrder(DAY).replace('"status": "processing"', '"status": "cancelled"');
    expect(mapWooCommerce('order.updated', parseLosslessJson(cancelled), options())).toMatchObject({
      kind: 'return',
      cancel: true,
    });
  });

  it('a pending order does not earn yet', () => {
    const pending = wooOrder(DAY)
      .replace('"status": "processing"', '"status": "pending"')
      .replace(/"date_paid(_gmt)?": "[^"]+"/g, '"date_paid$1": null');
    expect(mapWooCommerce('order.created', parseLosslessJson(pending), options()).kind).toBe('ignore');
  });
});

describe('commercetools mapping', () => {
  it('maps OrderCreated: line ids, discounted lines, shipping, tax on top of net prices', () => {
    const p = purchaseOf(
      mapCommercetools('OrderCreated', parseLosslessJson(fixture('commercetools/order-created.json')), options()),
    );
    expect(p).toMatchObject({
      orderId: '2f9e5c1d-8d3c-4c65-9a43-6f1f2e0d7b11',
      memberId: '6a4c4e3f-2f4b-4b8e-9d59-3f6f0a3c1e22',
      currency: 'EUR',
      shipping: 4_90,
      tax: 7_58,
      amount: 47_48,
    });
    expect(p.items).toEqual([
      {
        sku: 'CUP-ESP-01',
        lineId: 'b1f3a0c2-4d5e-4f60-8a71-92b3c4d5e6f7',
        quantity: 2,
        unitPrice: 12_50,
        discount: 2_50,
      },
      { sku: 'CUP-ESP-01', lineId: 'c2e4b1d3-5e6f-4071-9b82-a3c4d5e6f708', quantity: 1, unitPrice: 12_50 },
    ]);
  });

  it('unwraps an EventBridge envelope, maps returns by line id and a cancellation', () => {
    const message = parseLosslessJson(fixture('commercetools/return-info-added.json'));
    const wrapped = {
      version: '0',
      id: 'e-1',
      'detail-type': 'ReturnInfoAdded',
      source: 'aws.partner/commercetools.com/x',
      detail: message,
    };
    expect(mapCommercetools('ReturnInfoAdded', wrapped, options())).toMatchObject({
      kind: 'return',
      input: { items: [{ lineId: 'b1f3a0c2-4d5e-4f60-8a71-92b3c4d5e6f7', quantity: 1 }] },
    });
    const state = parseLosslessJson(fixture('commercetools/order-state-changed.json'));
    expect(mapCommercetools('OrderStateChanged', state, options())).toMatchObject({ kind: 'return', cancel: true });
  });
});

describe('order edits', () => {
  const original = (quantities: number[]): PurchaseFacts => ({
    orderId: 'o-1',
    memberId: 'm-1',
    occurredAt: '2026-11-22T10:00:00Z',
    currency: 'USD',
    amount: quantities.reduce((s, q) => s + q * 10_00, 0),
    items: quantities.flatMap((quantity, i) =>
      quantity ? [{ sku: `sku-${i}`, lineId: `l-${i}`, quantity, unitPrice: 10_00 }] : [],
    ),
  });
  const everything: Returnable = (_holder, _key, held) => held;

  it('Shopify orders/edited is noted with its ids; a later order version carries its updated_at', () => {
    const edited = parseLosslessJson(fixture('shopify/orders-edited.json'));
    expect(mapShopify('orders/edited', edited, options())).toMatchObject({ kind: 'ignore' });
    expect(MAPPERS.shopify.ids('orders/edited', edited)).toEqual({ editId: '78912328', orderId: '820982911946154508' });
    const updated = mapShopify('orders/updated', parseLosslessJson(shopifyOrder(DAY)), options({ testOrders: 'earn' }));
    expect(updated).toMatchObject({ kind: 'purchase', versionAt: '2026-11-23T00:00:00.000Z' });
  });

  it('whatever the versions, what is credited ends as the last version, and the edits add up to the change', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 4 }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.array(fc.nat({ max: 4 }), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 5 }),
        (first, versions) => {
          fc.pre(first.some((q) => q > 0));
          let state = initialEdits('p', original(first));
          const ids = new Set<string>();
          const units = [0, 0, 0];
          for (const v of versions) {
            const planned = planEdit(state, original(v), '2026-11-23T10:00:00Z', everything);
            if (!planned) continue;
            expect(ids.has(planned.plan.editId)).toBe(false);
            ids.add(planned.plan.editId);
            for (const i of planned.plan.purchase?.items ?? []) units[Number(i.lineId!.slice(2))]! += i.quantity;
            for (const r of planned.plan.returns)
              for (const i of r.input.items ?? []) units[Number(i.lineId!.slice(2))]! -= i.quantity;
            state = { ...planned.next, pending: null, rev: state.rev + 1 };
          }
          // An unchanged version plans nothing: either way, what is credited is the last version.
          const last = versions[versions.length - 1]!;
          for (const [i, q] of last.entries()) {
            const line = state.lines.find((l) => l.lineId === `l-${i}`);
            expect(line?.quantity ?? 0).toBe(q);
            expect(line ? line.holders.reduce((s, h) => s + h.quantity, 0) : 0).toBe(q);
            expect(units[i]).toBe(q - first[i]!);
          }
        },
      ),
    );
  });

  it('the same version planned twice from the same state is the same edit (a retry, another topic)', () => {
    const state = initialEdits('p', original([1, 1, 0]));
    const a = planEdit(state, original([1, 2, 1]), '2026-11-23T10:00:00Z', everything);
    const b = planEdit(state, original([1, 2, 1]), '2026-11-23T11:00:00Z', everything);
    expect(a!.plan.editId).toBe(b!.plan.editId);
    expect(a!.plan.purchase!.orderId).toBe(`o-1:edit:${a!.plan.editId}`);
    expect(planEdit(state, original([1, 1, 0]), '2026-11-23T10:00:00Z', everything)).toBeNull();
  });

  it('a refund of units an edit added is routed to the edit, the rest to the original order', () => {
    const state = initialEdits('p', original([1, 0, 0]));
    const planned = planEdit(state, original([3, 0, 0]), '2026-11-23T10:00:00Z', everything)!;
    const routed = routeItems(planned.next, [{ lineId: 'l-0', quantity: 2 }], everything);
    expect([...routed]).toEqual([
      ['o-1', [{ lineId: 'l-0', quantity: 1 }]],
      [planned.plan.purchase!.orderId, [{ lineId: 'l-0', quantity: 1 }]],
    ]);
  });
});
