// WooCommerce's order webhooks (order.created, order.updated: the REST API v3 order resource) as
// ledger actions. Line totals are after coupons (WooCommerce allocates them to the lines itself)
// and before tax; a guest (customer_id 0) is known by the billing email only. The order resource
// lists refunds by id and total only, so a refund comes back by amount (docs/integrations/woocommerce.md).
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

const PAID = ['processing', 'completed'];
const NOT_YET = ['pending', 'failed', 'checkout-draft', 'draft'];

export function wooCommerceIds(_topic: string, body: Json): Record<string, string> {
  const ids: Record<string, string> = {};
  if (typeof body.id === 'number' || typeof body.id === 'string') ids.orderId = String(body.id);
  if (typeof body.number === 'string') ids.orderNumber = body.number;
  return ids;
}

function shouldEarn(order: Json, options: ConnectorOptions): string | null {
  const status = String(order.status ?? '');
  if (NOT_YET.includes(status)) return `status ${status}: not placed yet`;
  switch (options.earnOn) {
    case 'created':
      return null;
    case 'paid':
      return PAID.includes(status) || order.date_paid ? null : `status ${status}: not paid yet (earnOn: paid)`;
    case 'fulfilled':
      return status === 'completed' ? null : `status ${status}: not completed yet (earnOn: fulfilled)`;
  }
}

export function wooCommercePurchase(order: Json, options: ConnectorOptions) {
  const currency = typeof order.currency === 'string' ? order.currency : '';
  if (!/^[A-Z]{3}$/.test(currency)) throw new Unmappable('the order has no currency');
  const exp = minorUnitExponent(currency);
  const orderId = idOf(order.id, 'id');
  const customerId = Number(order.customer_id) > 0 ? idOf(order.customer_id, 'customer_id') : null;
  const memberId = memberOf({ id: customerId, email: order.billing?.email ?? null }, options);
  const items: Json[] = Array.isArray(order.line_items) ? order.line_items : [];
  const lines: MoneyLine[] = items.map((l, i) => {
    const lineId = idOf(l.id, `line_items.${i}.id`);
    const quantity = Number(l.quantity);
    if (!Number.isInteger(quantity) || quantity < 0) throw new Unmappable(`line_items.${i}.quantity is not a count`);
    const subtotal = toMinor(l.subtotal, exp, `line_items.${i}.subtotal`);
    const total = toMinor(l.total, exp, `line_items.${i}.total`);
    const sku =
      typeof l.sku === 'string' && l.sku.trim() ? l.sku.trim() : `product-${l.variation_id || l.product_id || lineId}`;
    return { sku, lineId, quantity, gross: subtotal, discount: Math.max(0, subtotal - total), giftCard: false };
  });
  // Fees: a positive fee is a line of its own, a negative one (a discount added by a plugin) an order discount.
  let feeDiscount = 0;
  for (const [i, f] of (Array.isArray(order.fee_lines) ? order.fee_lines : []).entries()) {
    const total = toMinor(f.total, exp, `fee_lines.${i}.total`);
    if (total > 0) {
      const lineId = idOf(f.id, `fee_lines.${i}.id`);
      lines.push({ sku: `fee-${lineId}`, lineId, quantity: 1, gross: total, discount: 0, giftCard: false });
    } else feeDiscount -= total;
  }
  const purchase = purchaseOf(
    {
      orderId: ledgerOrderId(orderId, options),
      memberId: memberId ?? '',
      occurredAt: instant(order.date_created_gmt ?? order.date_created, 'date_created_gmt', true),
      currency,
    },
    {
      lines,
      orderDiscount: feeDiscount,
      shipping: toMinor(order.shipping_total ?? '0', exp, 'shipping_total'),
      tax: toMinor(order.total_tax ?? '0', exp, 'total_tax'),
    },
    options,
  );
  // Whatever the policy left out, the parts must be WooCommerce's own total when nothing was left out.
  const total = toMinor(order.total, exp, 'total');
  const everything = options.shipping !== 'exclude' && options.tax !== 'exclude' && options.discounts === 'net';
  if (everything && Math.abs(purchase.amount - total) > lines.length) {
    throw new Unmappable(
      `the lines, fees, shipping and tax come to ${purchase.amount}, but the order's total is ${total}`,
    );
  }
  return purchase;
}

export function mapWooCommerce(topic: string, body: unknown, options: ConnectorOptions): ConnectorAction {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Unmappable('the body is not a JSON object');
  const order = body as Json;
  if (topic !== 'order.created' && topic !== 'order.updated') {
    return { kind: 'ignore', reason: `topic ${topic} is not one the connector maps` };
  }
  const id = idOf(order.id, 'id');
  const orderId = ledgerOrderId(id, options);
  const status = String(order.status ?? '');
  const at = instant(
    order.date_modified_gmt ?? order.date_modified ?? order.date_created_gmt,
    'date_modified_gmt',
    true,
  );
  if (status === 'cancelled') {
    return { kind: 'return', orderId, cancel: true, input: { returnId: `wc-cancel-${id}`, occurredAt: at } };
  }
  const refunds: Json[] = Array.isArray(order.refunds) ? order.refunds : [];
  if (refunds.length) {
    // The newest refund the order lists; earlier ones were recorded by earlier updates (or are replays).
    const exp = minorUnitExponent(
      typeof order.currency === 'string' && /^[A-Z]{3}$/.test(order.currency) ? order.currency : 'USD',
    );
    const latest = refunds.reduce((a, b) => (Number(b.id) > Number(a.id) ? b : a));
    const amount = Math.abs(toMinor(latest.total, exp, 'refunds.total'));
    if (amount > 0) {
      return {
        kind: 'return',
        orderId,
        cancel: false,
        input: { returnId: `wc-refund-${idOf(latest.id, 'refunds.id')}`, occurredAt: at, amount },
      };
    }
  }
  const not = shouldEarn(order, options);
  if (not) return { kind: 'ignore', reason: not };
  const purchase = wooCommercePurchase(order, options);
  if (!purchase.memberId) return { kind: 'ignore', reason: 'a guest order (members.guests: ignore)' };
  return { kind: 'purchase', purchase, versionAt: at };
}
