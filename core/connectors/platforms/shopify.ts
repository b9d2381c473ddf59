// Shopify's order and refund webhooks (REST Admin API JSON, any recent version) as ledger actions.
// Money is the shop's (`*_set.shop_money`, else the plain fields, which are in the shop currency),
// never the presentment currency; ids are the platform's, digit for digit (lossless parse).
import { minorUnitExponent } from '../../kernel/currency';
import {
  type ConnectorAction,
  idOf,
  instant,
  ledgerOrderId,
  type MoneyLine,
  memberOf,
  purchaseOf,
  toMinor,
  Unmappable,
} from '../domain/connector';
import type { ConnectorOptions } from '../schemas';

// biome-ignore lint/suspicious/noExplicitAny: a platform payload, read defensively field by field
type Json = Record<string, any>;

export const SHOPIFY_TOPICS = [
  'orders/create',
  'orders/paid',
  'orders/fulfilled',
  'orders/updated',
  'orders/cancelled',
  'refunds/create',
] as const;

/** Shop money of a `*_set` field, else the plain amount. */
function shopMoney(set: unknown, plain: unknown, exponent: number, what: string): number {
  const amount = (set as Json | undefined)?.shop_money?.amount;
  if (amount !== undefined && amount !== null) return toMinor(amount, exponent, what);
  if (plain === undefined || plain === null) return 0;
  return toMinor(plain, exponent, what);
}

const allocated = (allocations: unknown, exponent: number, what: string): number =>
  (Array.isArray(allocations) ? allocations : []).reduce(
    (s: number, a: Json) => s + shopMoney(a?.amount_set, a?.amount, exponent, what),
    0,
  );

/** The ids a dead letter shows (order, refund, customer). */
export function shopifyIds(topic: string, body: Json): Record<string, string> {
  const ids: Record<string, string> = {};
  const put = (k: string, v: unknown) => {
    if (typeof v === 'string' || typeof v === 'number') ids[k] = String(v);
  };
  if (topic === 'orders/edited') {
    put('editId', body.order_edit?.id);
    put('orderId', body.order_edit?.order_id);
  } else if (topic.startsWith('refunds/')) {
    put('refundId', body.id);
    put('orderId', body.order_id);
  } else {
    put('orderId', body.id);
    put('orderName', body.name);
  }
  return ids;
}

function shouldEarn(topic: string, order: Json, options: ConnectorOptions): string | null {
  if (order.cancelled_at) return 'the order is cancelled';
  switch (options.earnOn) {
    case 'created':
      return null;
    case 'paid':
      return topic === 'orders/paid' || order.financial_status === 'paid' ? null : 'not paid yet (earnOn: paid)';
    case 'fulfilled':
      return topic === 'orders/fulfilled' || order.fulfillment_status === 'fulfilled'
        ? null
        : 'not fulfilled yet (earnOn: fulfilled)';
  }
}

export function shopifyPurchase(order: Json, options: ConnectorOptions) {
  const currency = typeof order.currency === 'string' ? order.currency : '';
  if (!/^[A-Z]{3}$/.test(currency)) throw new Unmappable('the order has no shop currency');
  const exp = minorUnitExponent(currency);
  const orderId = idOf(order.id, 'id');
  const customer = (order.customer ?? {}) as Json;
  const memberId = memberOf(
    {
      id: customer.id === undefined || customer.id === null ? null : idOf(customer.id, 'customer.id'),
      email: customer.email ?? order.email ?? order.contact_email ?? null,
    },
    options,
  );
  const items: Json[] = Array.isArray(order.line_items) ? order.line_items : [];
  const lines: MoneyLine[] = items.map((l, i) => {
    const lineId = idOf(l.id, `line_items.${i}.id`);
    const quantity = Number(l.quantity);
    if (!Number.isInteger(quantity) || quantity < 0) throw new Unmappable(`line_items.${i}.quantity is not a count`);
    const unit = shopMoney(l.price_set, l.price, exp, `line_items.${i}.price`);
    const sku = typeof l.sku === 'string' && l.sku.trim() ? l.sku.trim() : `variant-${l.variant_id ?? lineId}`;
    return {
      sku,
      lineId,
      quantity,
      gross: unit * quantity,
      discount: allocated(l.discount_allocations, exp, `line_items.${i}.discount_allocations`),
      giftCard: l.gift_card === true,
    };
  });
  const shippingLines: Json[] = Array.isArray(order.shipping_lines) ? order.shipping_lines : [];
  const shippingGross = shippingLines.reduce(
    (s, l, i) => s + shopMoney(l.price_set, l.price, exp, `shipping_lines.${i}.price`),
    0,
  );
  const shippingDiscount = shippingLines.reduce(
    (s, l, i) => s + allocated(l.discount_allocations, exp, `shipping_lines.${i}.discount_allocations`),
    0,
  );
  const totalDiscounts = shopMoney(order.total_discounts_set, order.total_discounts, exp, 'total_discounts');
  const lineDiscounts = lines.reduce((s, l) => s + l.discount, 0);
  // Taxes included in prices are part of the prices: no separate tax line then.
  const tax = order.taxes_included ? 0 : shopMoney(order.total_tax_set, order.total_tax, exp, 'total_tax');
  return purchaseOf(
    {
      orderId: ledgerOrderId(orderId, options),
      memberId: memberId ?? '',
      occurredAt: instant(order.created_at, 'created_at'),
      currency,
    },
    {
      lines,
      // What total_discounts holds beyond what the lines and shipping were allocated: an order discount.
      orderDiscount: totalDiscounts - lineDiscounts - shippingDiscount,
      shipping: shippingGross - shippingDiscount,
      tax,
    },
    options,
  );
}

function refundAction(refund: Json, options: ConnectorOptions): ConnectorAction {
  const refundId = idOf(refund.id, 'id');
  const orderId = ledgerOrderId(idOf(refund.order_id, 'order_id'), options);
  const occurredAt = instant(refund.processed_at ?? refund.created_at, 'created_at');
  const returnId = `shopify-refund-${refundId}`;
  const lines: Json[] = Array.isArray(refund.refund_line_items) ? refund.refund_line_items : [];
  const items = lines
    .map((l, i) => ({
      lineId: idOf(l.line_item_id, `refund_line_items.${i}.line_item_id`),
      quantity: Number(l.quantity),
    }))
    .filter((l) => Number.isInteger(l.quantity) && l.quantity > 0);
  const shippingRefunded =
    (Array.isArray(refund.refund_shipping_lines) && refund.refund_shipping_lines.length > 0) ||
    (Array.isArray(refund.order_adjustments) &&
      refund.order_adjustments.some((a: Json) => a?.kind === 'shipping_refund'));
  const merged = new Map<string, number>();
  for (const i of items) merged.set(i.lineId, (merged.get(i.lineId) ?? 0) + i.quantity);
  const returned = [...merged].map(([lineId, quantity]) => ({ lineId, quantity }));
  if (returned.length || shippingRefunded) {
    return {
      kind: 'return',
      orderId,
      cancel: false,
      input: {
        returnId,
        occurredAt,
        items: [...returned, ...(shippingRefunded ? [{ sku: '(shipping)', quantity: 1 }] : [])],
      },
    };
  }
  // A refund of money alone (goodwill, a discrepancy): the successful refund transactions' amount.
  const currency = typeof refund.currency === 'string' ? refund.currency : null;
  const exp = currency && /^[A-Z]{3}$/.test(currency) ? minorUnitExponent(currency) : 2;
  const txs: Json[] = Array.isArray(refund.transactions) ? refund.transactions : [];
  const amount = txs
    .filter((t) => t?.kind === 'refund' && t?.status === 'success')
    .reduce((s, t, i) => s + toMinor(t.amount, exp, `transactions.${i}.amount`), 0);
  if (amount <= 0) return { kind: 'ignore', reason: 'the refund returns no line, no shipping and no money' };
  return { kind: 'return', orderId, cancel: false, input: { returnId, occurredAt, amount } };
}

/** The ledger action of one Shopify delivery. */
export function mapShopify(topic: string, body: unknown, options: ConnectorOptions): ConnectorAction {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Unmappable('the body is not a JSON object');
  const json = body as Json;
  if (topic === 'refunds/create') return refundAction(json, options);
  if (topic === 'orders/edited') {
    // The edit's deltas name lines and quantities but carry no prices: the order's next full version
    // (orders/updated, which Shopify sends with the edit) credits the difference.
    const edit = (json.order_edit ?? {}) as Json;
    return {
      kind: 'ignore',
      reason: `edit ${edit.id ?? '?'} of order ${edit.order_id ?? '?'}: credited from the order's orders/updated`,
    };
  }
  if (!SHOPIFY_TOPICS.includes(topic as (typeof SHOPIFY_TOPICS)[number])) {
    return { kind: 'ignore', reason: `topic ${topic} is not one the connector maps` };
  }
  if (json.test === true && options.testOrders !== 'earn') {
    return { kind: 'ignore', reason: 'a test order (testOrders: ignore)' };
  }
  const orderId = ledgerOrderId(idOf(json.id, 'id'), options);
  if (topic === 'orders/cancelled') {
    return {
      kind: 'return',
      orderId,
      cancel: true,
      input: {
        returnId: `shopify-cancel-${idOf(json.id, 'id')}`,
        occurredAt: instant(json.cancelled_at ?? json.updated_at, 'cancelled_at'),
      },
    };
  }
  const not = shouldEarn(topic, json, options);
  if (not) return { kind: 'ignore', reason: not };
  const purchase = shopifyPurchase(json, options);
  if (!purchase.memberId) return { kind: 'ignore', reason: 'a guest order (members.guests: ignore)' };
  return {
    kind: 'purchase',
    purchase,
    ...(json.updated_at ? { versionAt: instant(json.updated_at, 'updated_at') } : {}),
  };
}
