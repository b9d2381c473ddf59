// What a delivery says about itself before and after it is verified: which header carries the
// signature, the topic, and the delivery id that makes a platform's retry of it a no-op.
import { createHash } from 'node:crypto';
import type { Platform } from '../schemas';

/** The header a platform signs with (commercetools relays: the connector's secret as a bearer token). */
export const SIGNATURE_HEADER: Record<Platform, string> = {
  shopify: 'x-shopify-hmac-sha256',
  woocommerce: 'x-wc-webhook-signature',
  commercetools: 'authorization',
};

/** WooCommerce's test delivery when a webhook is saved: an unsigned form body `webhook_id=<n>`. */
export function isWooCommercePing(headers: Record<string, string>, body: Buffer): boolean {
  return (
    !headers[SIGNATURE_HEADER.woocommerce] &&
    body.length < 64 &&
    /^webhook_id=\d{1,20}$/.test(body.toString('utf8').trim())
  );
}

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,99}$/;

/** The platform's delivery id when it sent a usable one, else the body's SHA-256 (same body, same delivery). */
export function deliveryIdOf(platform: Platform, headers: Record<string, string>, body: Buffer, parsed?: unknown) {
  const given =
    platform === 'shopify'
      ? (headers['x-shopify-webhook-id'] ?? headers['x-shopify-event-id'])
      : platform === 'woocommerce'
        ? headers['x-wc-webhook-delivery-id']
        : messageOf(parsed)?.id;
  if (typeof given === 'string' && SAFE_ID.test(given)) return given;
  return `sha256-${createHash('sha256').update(body).digest('hex')}`;
}

/** A commercetools message, sent as it is or wrapped in an EventBridge event (an API destination's default). */
// biome-ignore lint/suspicious/noExplicitAny: a platform message, read defensively field by field
type Json = Record<string, any>;

export function messageOf(parsed: unknown): Json | null {
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const p = parsed as Json;
  if (p.detail && typeof p.detail === 'object' && typeof p['detail-type'] === 'string') return p.detail;
  return p;
}

export function topicOf(platform: Platform, headers: Record<string, string>, parsed: unknown): string {
  if (platform === 'shopify') return headers['x-shopify-topic'] ?? '(none)';
  if (platform === 'woocommerce') return headers['x-wc-webhook-topic'] ?? '(none)';
  const type = messageOf(parsed)?.type;
  return typeof type === 'string' ? type.slice(0, 100) : '(none)';
}
