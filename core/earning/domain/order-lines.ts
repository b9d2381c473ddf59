// What a purchase's money is made of, decided purely: the lines net of their own and of the order's
// discount, shipping and tax as lines of their own, which lines earn (program policy), whether the
// amount adds up, and the bounds a program sets. The engine earns on the lines; the amount is what was
// paid and must agree with them, so neither can be inflated alone.
import type { FieldError } from '../../kernel/errors';
import type { EarnOn, ProgramSettings } from '../../programs/domain/program';
import type { PurchaseFacts } from './purchase';

/** A product; a gift card sold (stored value: it earns when spent, not when bought); shipping; tax. */
export type LineType = 'product' | 'gift-card' | 'shipping' | 'tax';

/** amountTolerancePerLine: |amount - expected| may be this many minor units per item line. */
export type TotalsPolicy = Pick<ProgramSettings, 'amountTolerancePerLine' | 'maxPurchaseAmount'>;

/** A line as the engine earns on it. `discount` is the line's own plus its share of the order's. */
export interface OrderLine {
  sku: string;
  /** The shop's id of the line, when the purchase gave one. */
  lineId?: string;
  quantity: number;
  unitPrice: number;
  category?: string;
  type: LineType;
  discount: number;
  earns: boolean;
}

/** The sku of the lines standing for the order's shipping and tax: they can be returned like items. */
export const SHIPPING_SKU = '(shipping)';
export const TAX_SKU = '(tax)';
const RESERVED_SKUS: readonly string[] = [SHIPPING_SKU, TAX_SKU];

const gross = (l: { quantity: number; unitPrice: number }) => BigInt(l.quantity) * BigInt(l.unitPrice);
const net = (l: { quantity: number; unitPrice: number; discount?: number }) => gross(l) - BigInt(l.discount ?? 0);

/**
 * Splits `total` over `weights` in proportion with cumulative rounding: each share is the floor of
 * the running total minus the shares before, so the shares sum to `total` exactly and the split is
 * deterministic. Weights summing to zero take nothing.
 */
export function cumulativeSplit(total: bigint, weights: readonly bigint[]): bigint[] {
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (sum === 0n) return weights.map(() => 0n);
  let running = 0n;
  let given = 0n;
  return weights.map((w) => {
    running += w;
    const upTo = (total * running) / sum;
    const share = upTo - given;
    given = upTo;
    return share;
  });
}

/** The order-level discount each line takes: over the product lines (gift cards are never discounted). */
function allocatedDiscounts(purchase: PurchaseFacts): bigint[] {
  const items = purchase.items ?? [];
  const discount = BigInt(purchase.discount ?? 0);
  const weights = items.map((i) => ((i.type ?? 'product') === 'product' ? net(i) : 0n));
  const room = weights.reduce((a, b) => a + b, 0n);
  return cumulativeSplit(discount < room ? discount : room, weights);
}

/**
 * The purchase as lines: its items (net of their discount and their share of the order's), then
 * shipping and tax when there are any. A purchase without items is one `order` line of the amount less
 * shipping and tax. Lines earn unless they are gift cards, shipping or tax the program does not earn on.
 */
export function orderLines(purchase: PurchaseFacts, earnOn: EarnOn): OrderLine[] {
  const shipping = purchase.shipping ?? 0;
  const tax = purchase.tax ?? 0;
  const charges: OrderLine[] = [
    ...(shipping > 0
      ? [
          {
            sku: SHIPPING_SKU,
            quantity: 1,
            unitPrice: shipping,
            type: 'shipping' as const,
            discount: 0,
            earns: earnOn.shipping,
          },
        ]
      : []),
    ...(tax > 0
      ? [{ sku: TAX_SKU, quantity: 1, unitPrice: tax, type: 'tax' as const, discount: 0, earns: earnOn.tax }]
      : []),
  ];
  if (!purchase.items?.length) {
    const goods = Math.max(0, purchase.amount - shipping - tax);
    return [{ sku: 'order', quantity: 1, unitPrice: goods, type: 'product', discount: 0, earns: true }, ...charges];
  }
  const shares = allocatedDiscounts(purchase);
  return [
    ...purchase.items.map((item, i): OrderLine => {
      const type = item.type ?? 'product';
      return {
        sku: item.sku,
        ...(item.lineId ? { lineId: item.lineId } : {}),
        quantity: item.quantity,
        unitPrice: item.unitPrice,
        ...(item.category ? { category: item.category } : {}),
        type,
        discount: (item.discount ?? 0) + Number(shares[i] ?? 0n),
        earns: type !== 'gift-card' || earnOn.giftCards,
      };
    }),
    ...charges,
  ];
}

const money = (minor: bigint | number) => String(minor);

/**
 * Why the purchase's money does not add up or is out of the program's bounds, one entry per field;
 * empty when it is fine. `amount` must equal the lines net of their discounts, less the order
 * discount, plus shipping and tax, within amountTolerancePerLine per item line.
 */
export function totalsErrors(purchase: PurchaseFacts, policy: TotalsPolicy): FieldError[] {
  const errors: FieldError[] = [];
  if (purchase.amount > policy.maxPurchaseAmount) {
    errors.push({
      field: 'amount',
      message:
        `is ${purchase.amount}, more than this program's largest purchase ` +
        `(${policy.maxPurchaseAmount}, maxPurchaseAmount)`,
    });
  }
  const items = purchase.items ?? [];
  items.forEach((item, i) => {
    if (RESERVED_SKUS.includes(item.sku))
      errors.push({
        field: `items.${i}.sku`,
        message: `is reserved: send shipping and tax as \`shipping\` and \`tax\``,
      });
  });
  const shipping = BigInt(purchase.shipping ?? 0);
  const tax = BigInt(purchase.tax ?? 0);
  const discount = BigInt(purchase.discount ?? 0);
  if (items.length === 0) {
    if (discount > 0n) {
      errors.push({
        field: 'discount',
        message: 'an order discount is spread over the items: send the items, or an amount already net of it',
      });
    }
    if (shipping + tax > BigInt(purchase.amount)) {
      errors.push({ field: 'amount', message: `is less than shipping plus tax (${money(shipping + tax)})` });
    }
    return errors;
  }
  const lines = items.reduce((sum, i) => sum + net(i), 0n);
  const discountable = items.reduce((sum, i) => ((i.type ?? 'product') === 'product' ? sum + net(i) : sum), 0n);
  if (discount > discountable) {
    errors.push({
      field: 'discount',
      message: `is ${money(discount)}, more than the product lines it is spread over (${money(discountable)} net)`,
    });
  }
  const expected = lines - discount + shipping + tax;
  const tolerance = BigInt(policy.amountTolerancePerLine) * BigInt(items.length);
  const off = BigInt(purchase.amount) - expected;
  if (off > tolerance || -off > tolerance) {
    errors.push({
      field: 'amount',
      message:
        `is ${purchase.amount}, but the items net of their discounts (${money(lines)}) - discount ` +
        `(${money(discount)}) + shipping (${money(shipping)}) + tax (${money(tax)}) come to ${money(expected)} ` +
        `(${money(tolerance)} either way allowed)`,
    });
    errors.push({ field: 'items', message: `come to ${money(lines)} net of their discounts` });
  }
  return errors;
}

/**
 * The money that qualifies for spend-based tiers: what was paid for products, so neither shipping,
 * tax nor gift cards sold count. For a purchase recorded before these existed, its amount.
 */
export function qualifyingSpend(purchase: PurchaseFacts): number {
  const giftCards = (purchase.items ?? []).filter((i) => i.type === 'gift-card').reduce((sum, i) => sum + net(i), 0n);
  const spend = BigInt(purchase.amount) - BigInt(purchase.shipping ?? 0) - BigInt(purchase.tax ?? 0) - giftCards;
  return spend > 0n ? Number(spend) : 0;
}

/**
 * The money an order's points were earned on. Orders recorded before it was kept earned on their
 * items at quantity x unitPrice (the amount was not checked against them), or on their amount.
 */
export function earnedOnOf(order: { earnedOn?: number; purchase: PurchaseFacts }): number {
  if (order.earnedOn !== undefined) return order.earnedOn;
  const items = order.purchase.items ?? [];
  return items.length ? Number(items.reduce((sum, i) => sum + gross(i), 0n)) : order.purchase.amount;
}

/**
 * How a return names a line: its line id when the purchase gave one (two lines of one SKU stay
 * apart), else its SKU (lines of one SKU count together).
 */
export function lineKey(line: { sku?: string; lineId?: string }): string {
  return line.lineId ? `line:${line.lineId}` : (line.sku ?? '');
}

/** Per line key: units bought and what they came to net of every discount, with the line's type (returns). */
export function netBySku(lines: readonly OrderLine[]): Map<string, { quantity: number; net: number; type: LineType }> {
  const bySku = new Map<string, { quantity: number; net: number; type: LineType }>();
  for (const l of lines) {
    const key = lineKey(l);
    const seen = bySku.get(key) ?? { quantity: 0, net: 0, type: l.type };
    const value = net(l);
    bySku.set(key, {
      quantity: seen.quantity + l.quantity,
      net: seen.net + Number(value > 0n ? value : 0n),
      type: seen.type,
    });
  }
  return bySku;
}
