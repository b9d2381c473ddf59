// A connector: one shop of one platform feeding one program. What it is, how a customer becomes a
// member, and how the platform's money strings become minor units, decided purely.
import { createHash } from 'node:crypto';
import type { PurchaseFacts } from '../../earning/domain/purchase';
import type { ReturnInput } from '../../earning/schemas';
import type { EarnOn } from '../../programs/domain/program';
import type { ConnectorOptions, Platform } from '../schemas';

export interface SealedSecret {
  sealed: string;
  addedAt: string;
  /** A rotated-out secret is accepted until then; null while current. */
  retiresAt: string | null;
}

export interface Connector {
  connectorId: string;
  programId: string;
  platform: Platform;
  label: string | null;
  status: 'active' | 'disabled';
  options: ConnectorOptions;
  secrets: SealedSecret[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** The secrets a delivery may be signed with at `now`: the current one and those still in their grace period. */
export function validSecrets(c: Pick<Connector, 'secrets'>, now: string): SealedSecret[] {
  return c.secrets.filter((s) => s.retiresAt === null || s.retiresAt > now);
}

/** What a delivery asks of the ledger, once mapped. */
export type ConnectorAction =
  /** `versionAt`: when the platform last modified the order (a version older than one credited is stale). */
  | { kind: 'purchase'; purchase: PurchaseFacts; versionAt?: string }
  | { kind: 'return'; orderId: string; input: ReturnInput; cancel: boolean }
  | { kind: 'ignore'; reason: string };

/** A payload that verified but says something the ledger cannot take: goes to the dead letters with `reason`. */
export class Unmappable extends Error {}

/** Lower-cased, trimmed, NFC: the form of an email whose hash keys a guest. */
export function normaliseEmail(email: string): string {
  return email.normalize('NFC').trim().toLowerCase();
}

/** A guest's member id: `guest-` and the hex SHA-256 of the normalised email (the email itself is never kept). */
export function guestMemberId(email: string): string {
  return `guest-${createHash('sha256').update(normaliseEmail(email)).digest('hex')}`;
}

/** The member an order belongs to, under the connector's options; null when a guest earns nothing. */
export function memberOf(
  customer: { id: string | null; email: string | null },
  options: ConnectorOptions,
): string | null {
  const { by, prefix, guests } = options.members;
  const email = customer.email && /@/.test(customer.email) ? customer.email : null;
  if (by === 'email-hash' && email) return guestMemberId(email);
  if (customer.id) return `${prefix}${customer.id}`;
  if (!email) throw new Unmappable('the order has neither a customer id nor an email: no member to credit');
  return guests === 'ignore' ? null : guestMemberId(email);
}

/** A platform id (a JSON number, or its decimal string when it was too large) as a string; digit for digit. */
export function idOf(value: unknown, what: string): string {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && /^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,63}$/.test(value)) return value;
  throw new Unmappable(`${what} is missing or not an id (got ${JSON.stringify(value)?.slice(0, 40)})`);
}

/** A decimal amount ("199.00", 89.99 or "-10.00") in minor units of a currency with `exponent` decimals. */
export function toMinor(value: unknown, exponent: number, what: string): number {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^-?\d{1,13}(\.\d+)?$/.test(text.trim())) {
    throw new Unmappable(`${what} is not an amount (got ${JSON.stringify(value)?.slice(0, 40)})`);
  }
  const [whole, fraction = ''] = text.trim().replace('-', '').split('.');
  if (fraction.length > exponent && /[1-9]/.test(fraction.slice(exponent))) {
    throw new Unmappable(`${what} has more decimals than its currency (${text})`);
  }
  const minor = Number(whole) * 10 ** exponent + Number(fraction.slice(0, exponent).padEnd(exponent, '0') || '0');
  return text.trim().startsWith('-') ? -minor : minor;
}

export interface MoneyLine {
  sku: string;
  lineId: string;
  quantity: number;
  /** The line before any discount, minor units (quantity x unit price, or the platform's subtotal). */
  gross: number;
  /** Discounts the platform allocated to this line (its own and its share of the order's). */
  discount: number;
  giftCard: boolean;
}

/**
 * A purchase from the platform's lines and charges, under the connector's policy. The unit price is
 * the ceiling of gross / quantity and the rounding goes into the line's discount, so the line's net
 * is exactly the platform's; `amount` is what the parts add up to.
 */
export function purchaseOf(
  base: { orderId: string; memberId: string; occurredAt: string; currency: string },
  parts: { lines: MoneyLine[]; orderDiscount: number; shipping: number; tax: number },
  options: ConnectorOptions,
): PurchaseFacts {
  const lines = parts.lines.filter((l) => l.quantity > 0 && !(l.giftCard && options.giftCards === 'exclude'));
  const net = options.discounts === 'net';
  const items = lines.map((l) => {
    const unitPrice = Math.ceil(l.gross / l.quantity);
    const rounding = unitPrice * l.quantity - l.gross;
    const discount = rounding + (net ? Math.min(l.discount, l.gross) : 0);
    return {
      sku: l.sku.slice(0, 128),
      lineId: l.lineId,
      quantity: l.quantity,
      unitPrice,
      ...(discount ? { discount } : {}),
      ...(l.giftCard ? { type: 'gift-card' as const } : {}),
    };
  });
  const productNet = items.reduce(
    (s, i) => s + (i.type === 'gift-card' ? 0 : i.quantity * i.unitPrice - (i.discount ?? 0)),
    0,
  );
  const orderDiscount = net ? Math.min(Math.max(0, parts.orderDiscount), productNet) : 0;
  const shipping = options.shipping === 'exclude' ? 0 : Math.max(0, parts.shipping);
  const tax = options.tax === 'exclude' ? 0 : Math.max(0, parts.tax);
  const linesNet = items.reduce((s, i) => s + i.quantity * i.unitPrice - (i.discount ?? 0), 0);
  return {
    ...base,
    amount: linesNet - orderDiscount + shipping + tax,
    items,
    ...(orderDiscount ? { discount: orderDiscount } : {}),
    ...(shipping ? { shipping } : {}),
    ...(tax ? { tax } : {}),
  };
}

/**
 * The connector's override of the program's earnOn for its orders: `earn` / `no-earn` decide, `program`
 * (and `exclude`, which sends nothing to earn on) leave it to the program.
 */
export function earnOnOverride(options: ConnectorOptions): Partial<EarnOn> {
  const out: Partial<EarnOn> = {};
  for (const k of ['shipping', 'tax', 'giftCards'] as const) {
    if (options[k] === 'earn') out[k] = true;
    else if (options[k] === 'no-earn') out[k] = false;
  }
  return out;
}

/** A purchase that earns nothing is not sent: the order has nothing a return could take back either. */
export function hasItems(p: PurchaseFacts): boolean {
  return (p.items?.length ?? 0) > 0;
}

/** The ledger's order id for a platform order. */
export function ledgerOrderId(platformOrderId: string, options: ConnectorOptions): string {
  return `${options.orderIdPrefix}${platformOrderId}`;
}

/** UTC ISO timestamp of a platform date (offsets kept by the platform are honoured). */
export function instant(value: unknown, what: string, assumeUtc = false): string {
  if (typeof value !== 'string' || !value) throw new Unmappable(`${what} is missing`);
  const text = assumeUtc && !/(Z|[+-]\d\d:?\d\d)$/.test(value) ? `${value}Z` : value;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Unmappable(`${what} is not a date (${value.slice(0, 40)})`);
  return new Date(ms).toISOString();
}

export type { Platform };
