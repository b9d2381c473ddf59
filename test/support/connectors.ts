// The platforms' example payloads (test/fixtures/connectors) as raw text, signed as each platform
// signs, and the variants tests need, derived by editing the text (so 64-bit ids stay as sent).
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/connectors');

export function fixture(file: string): string {
  return readFileSync(path.join(DIR, file), 'utf8');
}

export const hmac = (secret: string, body: string) =>
  createHmac('sha256', secret).update(body, 'utf8').digest('base64');

/** Every ISO date of the payload moved to `day` (YYYY-MM-DD), keeping the time and offset. */
export function onDay(body: string, day: string): string {
  return body.replace(/"(\d{4}-\d\d-\d\d)(T\d\d:\d\d:\d\d)/g, `"${day}$2`);
}

export const recentDay = (daysAgo = 1) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);

/** Shopify's example order, live and paid (the example is the cancelled one), on `day`. */
export function shopifyOrder(day = recentDay()): string {
  return onDay(
    fixture('shopify/orders-cancelled.json')
      .replace('"cancel_reason": "customer"', '"cancel_reason": null')
      .replace('"cancelled_at": "2021-12-31T19:00:00-05:00"', '"cancelled_at": null')
      .replace('"financial_status": "voided"', '"financial_status": "paid"'),
    day,
  );
}

/** Shopify's example refund, pointed at the example order's second line (141249953214522974). */
export function shopifyRefundOfSecondLine(day = recentDay(0)): string {
  const refund = JSON.parse(
    fixture('shopify/refunds-create.json').replace(/:\s*(\d{16,})/g, ': "$1"'), // ids as strings, to edit
  );
  refund.refund_line_items = [refund.refund_line_items[0]];
  refund.refund_line_items[0].line_item_id = '141249953214522974';
  refund.refund_line_items[0].line_item.id = '141249953214522974';
  // Back to bare numbers, as Shopify sends them.
  return onDay(JSON.stringify(refund, null, 2).replace(/"(\d{16,})"/g, '$1'), day);
}

export function shopifyHeaders(secret: string, body: string, topic: string, webhookId: string) {
  return {
    'content-type': 'application/json',
    'x-shopify-topic': topic,
    'x-shopify-hmac-sha256': hmac(secret, body),
    'x-shopify-shop-domain': 'jsmith.myshopify.com',
    'x-shopify-api-version': '2025-01',
    'x-shopify-webhook-id': webhookId,
  };
}

export function wooHeaders(secret: string, body: string, topic: string, deliveryId: string) {
  return {
    'content-type': 'application/json',
    'x-wc-webhook-topic': topic,
    'x-wc-webhook-resource': topic.split('.')[0]!,
    'x-wc-webhook-event': topic.split('.')[1]!,
    'x-wc-webhook-signature': hmac(secret, body),
    'x-wc-webhook-id': '3',
    'x-wc-webhook-delivery-id': deliveryId,
    'x-wc-webhook-source': 'https://example.com/',
  };
}

/** WooCommerce's documented order 727, on `day`. */
export const wooOrder = (day = recentDay()) => onDay(fixture('woocommerce/order.created.json'), day);

/** The order with the v3 documentation's refund 726 (10.00) listed, as an order.updated after a refund. */
export function wooOrderRefunded(day = recentDay()): string {
  const order = JSON.parse(wooOrder(day));
  order.refunds = [{ id: 726, reason: '', total: '-10.00' }];
  order.date_modified_gmt = `${recentDay(0)}T08:00:00`;
  return JSON.stringify(order, null, 2);
}
