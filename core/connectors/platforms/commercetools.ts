// commercetools Messages (OrderCreated, ReturnInfoAdded, OrderStateChanged) as ledger actions.
// commercetools delivers them through a Subscription to a queue or to EventBridge, not to an
// HTTP URL: an EventBridge API destination (or any relay) posts each message here with the
// connector's secret as a bearer token; the EventBridge envelope is unwrapped if present.
// Money is `centAmount` in the currency's fraction digits; line ids are commercetools' UUIDs.
import {
  type ConnectorAction,
  idOf,
  instant,
  ledgerOrderId,
  type MoneyLine,
  memberOf,
  purchaseOf,
  Unmappable,
} from '../domain/connector';
import { messageOf } from '../domain/deliveries';
import type { ConnectorOptions } from '../schemas';

// biome-ignore lint/suspicious/noExplicitAny: a platform payload, read defensively field by field
type Json = Record<string, any>;

const cents = (money: unknown, what: string): number => {
  const v = (money as Json | undefined)?.centAmount;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new Unmappable(`${what}.centAmount is missing`);
  return v;
};

export function commercetoolsIds(_topic: string, body: Json): Record<string, string> {
  const m = messageOf(body) ?? {};
  const ids: Record<string, string> = {};
  if (typeof m.id === 'string') ids.messageId = m.id;
  if (typeof m.resource?.id === 'string') ids.orderId = m.resource.id;
  if (typeof m.order?.orderNumber === 'string') ids.orderNumber = m.order.orderNumber;
  return ids;
}

export function commercetoolsPurchase(order: Json, options: ConnectorOptions) {
  const total = order.totalPrice as Json | undefined;
  const currency = typeof total?.currencyCode === 'string' ? total.currencyCode : '';
  if (!/^[A-Z]{3}$/.test(currency)) throw new Unmappable('the order has no totalPrice.currencyCode');
  const memberId = memberOf(
    { id: typeof order.customerId === 'string' ? order.customerId : null, email: order.customerEmail ?? null },
    options,
  );
  const items: Json[] = Array.isArray(order.lineItems) ? order.lineItems : [];
  const lines: MoneyLine[] = items.map((l, i) => {
    const quantity = Number(l.quantity);
    if (!Number.isInteger(quantity) || quantity < 0) throw new Unmappable(`lineItems.${i}.quantity is not a count`);
    const unit = cents(l.price?.value, `lineItems.${i}.price.value`);
    const net = cents(l.totalPrice, `lineItems.${i}.totalPrice`);
    const sku = typeof l.variant?.sku === 'string' && l.variant.sku ? l.variant.sku : `product-${l.productId ?? i}`;
    const gross = unit * quantity;
    return {
      sku,
      lineId: idOf(l.id, `lineItems.${i}.id`),
      quantity,
      gross,
      discount: Math.max(0, gross - net),
      giftCard: false,
    };
  });
  for (const [i, c] of (Array.isArray(order.customLineItems) ? order.customLineItems : []).entries()) {
    const net = cents(c.totalPrice, `customLineItems.${i}.totalPrice`);
    const lineId = idOf(c.id, `customLineItems.${i}.id`);
    lines.push({ sku: `custom-${c.slug ?? lineId}`, lineId, quantity: 1, gross: net, discount: 0, giftCard: false });
  }
  const shippingInfo = order.shippingInfo as Json | undefined;
  const shipping = shippingInfo
    ? cents(shippingInfo.discountedPrice?.value ?? shippingInfo.price, 'shippingInfo.price')
    : 0;
  // A gross-priced project carries tax inside totalPrice; taxedPrice tells the net and gross apart.
  const taxed = order.taxedPrice as Json | undefined;
  const tax = taxed
    ? cents(taxed.totalGross, 'taxedPrice.totalGross') - cents(taxed.totalNet, 'taxedPrice.totalNet')
    : 0;
  const grossPriced =
    Boolean(taxed) && cents(total, 'totalPrice') === cents(taxed!.totalGross, 'taxedPrice.totalGross');
  return purchaseOf(
    {
      orderId: ledgerOrderId(idOf(order.id, 'order.id'), options),
      memberId: memberId ?? '',
      occurredAt: instant(order.createdAt, 'order.createdAt'),
      currency,
    },
    { lines, orderDiscount: 0, shipping, tax: grossPriced ? 0 : tax },
    options,
  );
}

export function mapCommercetools(topic: string, body: unknown, options: ConnectorOptions): ConnectorAction {
  const m = messageOf(body);
  if (!m) throw new Unmappable('the body is not a commercetools message');
  const type = String(m.type ?? topic);
  const orderRef = m.resource?.typeId === 'order' && typeof m.resource.id === 'string' ? m.resource.id : null;
  switch (type) {
    case 'OrderCreated': {
      const order = m.order as Json | undefined;
      if (!order) throw new Unmappable('OrderCreated without its order');
      if (options.earnOn === 'paid' && order.paymentState !== 'Paid') {
        return { kind: 'ignore', reason: `paymentState ${order.paymentState ?? 'unset'}: not paid (earnOn: paid)` };
      }
      if (options.earnOn === 'fulfilled' && order.shipmentState !== 'Shipped' && order.shipmentState !== 'Delivered') {
        return {
          kind: 'ignore',
          reason: `shipmentState ${order.shipmentState ?? 'unset'}: not shipped (earnOn: fulfilled)`,
        };
      }
      const purchase = commercetoolsPurchase(order, options);
      if (!purchase.memberId) return { kind: 'ignore', reason: 'an anonymous order (members.guests: ignore)' };
      return { kind: 'purchase', purchase };
    }
    case 'ReturnInfoAdded': {
      if (!orderRef) throw new Unmappable('ReturnInfoAdded without its order (resource)');
      const info = (m.returnInfo ?? {}) as Json;
      const items: Json[] = Array.isArray(info.items) ? info.items : [];
      const merged = new Map<string, number>();
      for (const [i, it] of items.entries()) {
        if (it.type === 'CustomLineItemReturnItem') {
          const id = idOf(it.customLineItemId, `returnInfo.items.${i}.customLineItemId`);
          merged.set(id, (merged.get(id) ?? 0) + Number(it.quantity));
        } else {
          const id = idOf(it.lineItemId, `returnInfo.items.${i}.lineItemId`);
          merged.set(id, (merged.get(id) ?? 0) + Number(it.quantity));
        }
      }
      if (!merged.size) return { kind: 'ignore', reason: 'a return without items' };
      return {
        kind: 'return',
        orderId: ledgerOrderId(orderRef, options),
        cancel: false,
        input: {
          returnId: `ct-return-${idOf(m.id, 'id')}`,
          occurredAt: instant(info.returnDate ?? m.createdAt, 'returnInfo.returnDate'),
          items: [...merged].map(([lineId, quantity]) => ({ lineId, quantity })),
        },
      };
    }
    case 'OrderStateChanged': {
      if (!orderRef) throw new Unmappable('OrderStateChanged without its order (resource)');
      if (m.orderState !== 'Cancelled') return { kind: 'ignore', reason: `order state ${m.orderState}: nothing to do` };
      return {
        kind: 'return',
        orderId: ledgerOrderId(orderRef, options),
        cancel: true,
        input: { returnId: `ct-cancel-${orderRef}`, occurredAt: instant(m.createdAt, 'createdAt') },
      };
    }
    default:
      return { kind: 'ignore', reason: `message type ${type} is not one the connector maps` };
  }
}
