// Standard Webhooks signatures (https://www.standardwebhooks.com): the HMAC-SHA256, under the
// secret's bytes (base64 after `whsec_`), of `<webhook-id>.<webhook-timestamp>.<body>`, sent as
// `v1,<base64>`; several space-separated when a rotated secret is still in its grace period.
import { createHmac, randomBytes } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';

/** A new endpoint secret: 24 random bytes (Standard Webhooks asks 24 to 64), base64, prefixed. */
export function newEndpointSecret(): string {
  return SECRET_PREFIX + randomBytes(24).toString('base64');
}

export function sign(secret: string, webhookId: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${webhookId}.${timestampSeconds}.${body}`).digest('base64')}`;
}

/** The three headers of a delivery, signed with every secret given (the current one first). */
export function signedHeaders(
  secrets: readonly string[],
  webhookId: string,
  timestampSeconds: number,
  body: string,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': webhookId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': secrets.map((s) => sign(s, webhookId, timestampSeconds, body)).join(' '),
  };
}
