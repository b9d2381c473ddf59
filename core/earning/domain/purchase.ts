import { createHash } from 'node:crypto';

/** What a purchase says, after validation. */
export interface PurchaseFacts {
  orderId: string;
  memberId: string;
  occurredAt: string;
  currency: string;
  amount: number;
  items?: { sku: string; quantity: number; unitPrice: number; category?: string }[];
  channel?: string;
}

/**
 * Stable fingerprint of what makes a purchase the same purchase. A replay must match it;
 * the same order id with another fingerprint is a conflict, never a silent second credit.
 */
export function purchaseFingerprint(p: PurchaseFacts): string {
  const items = (p.items ?? []).map((i) => [i.sku, i.quantity, i.unitPrice, i.category ?? null]);
  const canonical = JSON.stringify([
    p.memberId,
    p.currency,
    p.amount,
    Date.parse(p.occurredAt),
    items,
    p.channel ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('base64url');
}
