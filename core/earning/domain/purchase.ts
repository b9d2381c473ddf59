import { createHash } from 'node:crypto';

/** What a purchase says, after validation. */
export interface PurchaseFacts {
  orderId: string;
  memberId: string;
  occurredAt: string;
  currency: string;
  /** What was paid, in minor units: the lines net of discounts, plus shipping and tax. */
  amount: number;
  items?: {
    sku: string;
    /** The shop's id of the line: returns can name it. */
    lineId?: string;
    quantity: number;
    unitPrice: number;
    category?: string;
    /** Discount on the whole line, minor units. */
    discount?: number;
    type?: 'product' | 'gift-card';
  }[];
  channel?: string;
  /** Order-level discount, spread over the product lines. */
  discount?: number;
  shipping?: number;
  tax?: number;
}

/**
 * Stable fingerprint of what makes a purchase the same purchase. A replay must match it;
 * the same order id with another fingerprint is a conflict, never a silent second credit.
 * Discounts, line types, line ids, shipping and tax join it only when set, so purchases recorded before they
 * existed keep their fingerprint.
 */
export function purchaseFingerprint(p: PurchaseFacts): string {
  const items = (p.items ?? []).map((i) => {
    const line = [i.sku, i.quantity, i.unitPrice, i.category ?? null];
    const type = i.type ?? 'product';
    if (i.lineId) return [...line, i.discount ?? 0, type, i.lineId];
    return i.discount || type !== 'product' ? [...line, i.discount ?? 0, type] : line;
  });
  const charges = p.discount || p.shipping || p.tax ? [[p.discount ?? 0, p.shipping ?? 0, p.tax ?? 0]] : [];
  const canonical = JSON.stringify([
    p.memberId,
    p.currency,
    p.amount,
    Date.parse(p.occurredAt),
    items,
    p.channel ?? null,
    ...charges,
  ]);
  return createHash('sha256').update(canonical).digest('base64url');
}
