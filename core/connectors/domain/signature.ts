// How each platform signs a delivery, checked over the raw bytes before anything is parsed.
// Shopify (X-Shopify-Hmac-Sha256) and WooCommerce (X-WC-Webhook-Signature) both send the base64
// HMAC-SHA256 of the body under the webhook's secret; a commercetools relay (an EventBridge API
// destination) sends the connector's secret itself in a header. Every comparison is timing-safe.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export function hmacBase64(secret: string, body: Buffer | string): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

/** Equal strings, in time that does not depend on where they differ (hashed first: lengths may differ). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/** Whether `signature` is the base64 HMAC-SHA256 of `body` under one of `secrets` (a rotation keeps two). */
export function verifyHmac(body: Buffer, signature: string | undefined, secrets: readonly string[]): boolean {
  if (!signature) return false;
  let ok = false;
  // Every secret is tried, so the time does not tell which one matched.
  for (const secret of secrets) ok = safeEqual(hmacBase64(secret, body), signature.trim()) || ok;
  return ok;
}

/** Whether a presented token is one of `secrets` (commercetools relays authenticate with the secret itself). */
export function verifyToken(token: string | undefined, secrets: readonly string[]): boolean {
  if (!token) return false;
  let ok = false;
  for (const secret of secrets) ok = safeEqual(secret, token.trim()) || ok;
  return ok;
}
