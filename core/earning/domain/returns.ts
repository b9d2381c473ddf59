// How many points a return takes back, decided purely from what the order earned (and on what
// money) and what was returned before. Cumulative rounding (floor of the running total) means many partial
// returns add up exactly to the whole, and never to more than the order earned. Mixing modes is
// safe: an amount return after item returns takes points only once its proportional share
// exceeds what the items already took back.
import type { FieldError } from '../../kernel/errors';
import { lineKey } from './order-lines';

export interface OrderEarnings {
  points: number;
  amount: number; // the purchase amount, minor units: no more can be returned
  /** The money the points were earned on; a return by amount takes back points in proportion to it. */
  earnedOn?: number;
  /** Per line; `lineId` when the purchase named its lines (returns then name lines by id). */
  itemPoints: { sku: string; lineId?: string; quantity: number; points: number }[];
  /** Recorded without items: it earned on its amount as one line. */
  itemised: boolean;
}

export interface Returned {
  points: number;
  amount: number;
  quantities: Record<string, number>;
  /** Money returned so far (items at their unit price, or the amounts), for spend-based tiers. */
  spend?: number;
}

export type ReturnRequest =
  | { kind: 'items'; items: { sku?: string; lineId?: string; quantity: number }[] }
  | { kind: 'amount'; amount: number }
  | { kind: 'full' };

export type ClawbackDecision =
  | { ok: true; points: number; returned: Returned; fullyReturned: boolean }
  | { ok: false; errors: FieldError[] };

/** Lines by how a return names them: line id when the purchase gave one, else SKU (keys of `quantities`). */
function bySku(order: OrderEarnings) {
  const m = new Map<string, { quantity: number; points: number }>();
  for (const l of order.itemPoints) {
    const key = lineKey(l);
    const cur = m.get(key) ?? { quantity: 0, points: 0 };
    m.set(key, { quantity: cur.quantity + l.quantity, points: cur.points + l.points });
  }
  return m;
}

/** The points a return takes back and the order's returned totals after it. */
export function planClawback(order: OrderEarnings, before: Returned, req: ReturnRequest): ClawbackDecision {
  const left = order.points - before.points;
  if (req.kind === 'full') {
    const quantities = Object.fromEntries([...bySku(order)].map(([sku, l]) => [sku, l.quantity]));
    return {
      ok: true,
      points: left,
      returned: { points: order.points, amount: order.amount, quantities },
      fullyReturned: true,
    };
  }
  if (req.kind === 'amount') {
    const cumulative = before.amount + req.amount;
    if (cumulative > order.amount) {
      return {
        ok: false,
        errors: [
          {
            field: 'amount',
            message: `exceeds what is left to return (${order.amount - before.amount} of ${order.amount})`,
          },
        ],
      };
    }
    // In proportion to the money that earned: returning all of it takes every point, whether or not
    // shipping, tax or gift cards sold (which earned nothing by default) are refunded too.
    const base = order.earnedOn !== undefined && order.earnedOn > 0 ? order.earnedOn : order.amount;
    const target = base === 0 ? 0 : Number((BigInt(order.points) * BigInt(Math.min(cumulative, base))) / BigInt(base));
    const points = Math.min(left, Math.max(0, target - before.points));
    return {
      ok: true,
      points,
      returned: { ...before, points: before.points + points, amount: cumulative },
      fullyReturned: cumulative === order.amount,
    };
  }
  if (!order.itemised)
    return {
      ok: false,
      errors: [{ field: 'items', message: 'this order was recorded without items: return an amount instead' }],
    };
  const lines = bySku(order);
  const errors: FieldError[] = [];
  const quantities = { ...before.quantities };
  let points = 0;
  for (const [i, item] of req.items.entries()) {
    const key = lineKey(item);
    const line = lines.get(key);
    if (!line) {
      const byId = order.itemPoints.some((l) => l.lineId);
      errors.push({
        field: `items.${i}.${item.lineId ? 'lineId' : 'sku'}`,
        message:
          item.lineId || !byId
            ? 'was not part of this order'
            : 'was not part of this order: its lines have ids, return them by lineId',
      });
      continue;
    }
    const prev = quantities[key] ?? 0;
    const next = prev + item.quantity;
    if (next > line.quantity) {
      errors.push({
        field: `items.${i}.quantity`,
        message: `exceeds what is left to return (${line.quantity - prev} of ${line.quantity})`,
      });
      continue;
    }
    points += Math.floor((line.points * next) / line.quantity) - Math.floor((line.points * prev) / line.quantity);
    quantities[key] = next;
  }
  if (errors.length) return { ok: false, errors };
  points = Math.min(left, points);
  const fullyReturned = [...lines].every(([sku, l]) => (quantities[sku] ?? 0) >= l.quantity);
  return {
    ok: true,
    points,
    returned: { points: before.points + points, amount: before.amount, quantities },
    fullyReturned,
  };
}
