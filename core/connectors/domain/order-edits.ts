// An edited order credits its difference once. What an order has credited is kept line by line (the
// original purchase plus every edit applied), with which ledger order holds each line's units: a
// later version of the order is compared with that cumulative content, not with the last delivery,
// so an edit back to an earlier content credits too. More of a line earns as a purchase
// `<orderId>:edit:<editId>`, less is returned by line from the orders that hold it, newest first.
// The edit id hashes the number of edits applied and the new content: the same version arriving
// twice (a retry, two topics) plans the same edit, and two successive edits never share an id.
import { createHash } from 'node:crypto';
import { lineKey } from '../../earning/domain/order-lines';
import type { PurchaseFacts } from '../../earning/domain/purchase';
import type { ReturnInput } from '../../earning/schemas';

/** A product or gift-card line as credited so far: its units and what they came to, net of every discount. */
export interface CreditedLine {
  key: string;
  sku: string;
  lineId?: string;
  giftCard: boolean;
  quantity: number;
  net: number;
  /** The ledger orders holding the line's units, oldest first (the original order, then edits). */
  holders: { orderId: string; quantity: number }[];
}

/** What posting one edit does: a purchase of what was added, returns of what was taken away. */
export interface EditPlan {
  editId: string;
  purchase: PurchaseFacts | null;
  returns: { orderId: string; input: ReturnInput }[];
}

export interface OrderEdits {
  programId: string;
  /** The ledger order the edits amend (the original purchase). */
  orderId: string;
  memberId: string;
  /** How many edits were applied: part of the next edit's id. */
  edits: number;
  lines: CreditedLine[];
  /** The order-level discount credited so far (the original's, plus what edits took off added lines). */
  discount: number;
  /** The edit purchases recorded, oldest first (a cancellation takes them back too). */
  editOrders: string[];
  /** The newest platform version applied (its modification time); an older one is stale. */
  seenAt: string | null;
  /** An edit decided but perhaps not yet posted: whoever reads the state next posts it (idempotently). */
  pending: (EditPlan & { previous: Omit<OrderEdits, 'pending' | 'rev'> }) | null;
  /** Optimistic lock of the stored state. */
  rev: number;
}

/**
 * The creditable content of a purchase: its product and gift-card lines, each at its own net (its
 * units at their price less the line's own discount). The order-level discount is kept apart: an
 * edit that adds a line does not reprice the others because the order discount is spread anew.
 */
export function contentOf(purchase: PurchaseFacts): Omit<CreditedLine, 'holders'>[] {
  const byKey = new Map<string, Omit<CreditedLine, 'holders'>>();
  for (const i of purchase.items ?? []) {
    const key = lineKey(i);
    const net = i.quantity * i.unitPrice - (i.discount ?? 0);
    const seen = byKey.get(key);
    if (seen) byKey.set(key, { ...seen, quantity: seen.quantity + i.quantity, net: seen.net + net });
    else
      byKey.set(key, {
        key,
        sku: i.sku,
        ...(i.lineId ? { lineId: i.lineId } : {}),
        giftCard: i.type === 'gift-card',
        quantity: i.quantity,
        net,
      });
  }
  return [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key));
}

/** The state before any edit: the original purchase, every line held by the original order. */
export function initialEdits(programId: string, original: PurchaseFacts): OrderEdits {
  return {
    programId,
    orderId: original.orderId,
    memberId: original.memberId,
    edits: 0,
    lines: contentOf(original).map((l) => ({ ...l, holders: [{ orderId: original.orderId, quantity: l.quantity }] })),
    discount: original.discount ?? 0,
    editOrders: [],
    seenAt: null,
    pending: null,
    rev: 0,
  };
}

export function editIdOf(edits: number, content: readonly Omit<CreditedLine, 'holders'>[], discount: number): string {
  const canonical = JSON.stringify([
    edits,
    content.map((l) => [l.key, l.sku, l.giftCard, l.quantity, l.net]),
    discount,
  ]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

export const editOrderId = (orderId: string, editId: string) => `${orderId}:edit:${editId}`;

/**
 * The return id of an edit, a refund or a cancellation (`baseId`) on one of the orders holding the
 * lines: the id itself on the original order, `<baseId>:<the holder's edit id>` on an edit purchase.
 */
export const holderReturnId = (baseId: string, holder: string, original: string) =>
  holder === original ? baseId : `${baseId}:${holder.slice(holder.lastIndexOf(':') + 1)}`;

/** How many units of a line a holder can still give back (bought there, less returned already). */
export type Returnable = (holder: string, key: string, heldThere: number) => number;

/**
 * Takes `units` of a line from its holders, newest first, as far as they can still give them back.
 * Returns the per-holder quantities taken and the holders left.
 */
export function takeUnits(line: CreditedLine, units: number, returnable: Returnable) {
  const taken: { orderId: string; quantity: number }[] = [];
  const holders = line.holders.map((h) => ({ ...h }));
  let left = units;
  for (let i = holders.length - 1; i >= 0 && left > 0; i--) {
    const h = holders[i]!;
    const can = Math.min(left, h.quantity, Math.max(0, returnable(h.orderId, line.key, h.quantity)));
    // The units leave what is credited even where a refund gave them back already: only the rest is returned.
    const gone = Math.min(left, h.quantity);
    h.quantity -= gone;
    left -= gone;
    if (can > 0) taken.push({ orderId: h.orderId, quantity: can });
  }
  return { taken, holders: holders.filter((h) => h.quantity > 0) };
}

/**
 * The edit that brings what was credited (`state`) to the new version `purchase`, or null when the
 * creditable content is the same. A line with more units at the same price per unit earns the
 * added units; fewer units are returned; a line whose price per unit changed is returned in full and
 * earned again at its new price.
 */
export function planEdit(
  state: OrderEdits,
  purchase: PurchaseFacts,
  occurredAt: string,
  returnable: Returnable,
): { plan: EditPlan; next: Omit<OrderEdits, 'pending' | 'rev'> } | null {
  const content = contentOf(purchase);
  const discount = purchase.discount ?? 0;
  const before = new Map(state.lines.map((l) => [l.key, l]));
  const after = new Map(content.map((l) => [l.key, l]));
  const same =
    state.lines.length === content.length &&
    content.every((l) => {
      const b = before.get(l.key);
      return b && b.quantity === l.quantity && b.net === l.net && b.giftCard === l.giftCard;
    });
  // A change of the order discount alone credits nothing (below): the same content is the same.
  if (same) return null;

  const editId = editIdOf(state.edits, content, discount);
  const editOrder = editOrderId(state.orderId, editId);
  const added: (Omit<CreditedLine, 'holders'> & { quantity: number; net: number })[] = [];
  const returns = new Map<string, { sku?: string; lineId?: string; quantity: number }[]>();
  const lines: CreditedLine[] = [];
  const remove = (line: CreditedLine, units: number) => {
    const { taken, holders } = takeUnits(line, units, returnable);
    for (const t of taken) {
      const item = line.lineId ? { lineId: line.lineId } : { sku: line.sku };
      returns.set(t.orderId, [...(returns.get(t.orderId) ?? []), { ...item, quantity: t.quantity }]);
    }
    return holders;
  };
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(key);
    const a = after.get(key);
    const proportional =
      b && a && b.giftCard === a.giftCard && BigInt(b.net) * BigInt(a.quantity) === BigInt(a.net) * BigInt(b.quantity);
    if (b && a && proportional) {
      if (a.quantity > b.quantity) {
        added.push({ ...a, quantity: a.quantity - b.quantity, net: a.net - b.net });
        lines.push({ ...a, holders: [...b.holders, { orderId: editOrder, quantity: a.quantity - b.quantity }] });
      } else if (a.quantity < b.quantity) {
        lines.push({ ...a, holders: remove(b, b.quantity - a.quantity) });
      } else lines.push(b);
      continue;
    }
    if (b) remove(b, b.quantity);
    if (a && a.quantity > 0) {
      added.push(a);
      lines.push({ ...a, holders: [{ orderId: editOrder, quantity: a.quantity }] });
    }
  }
  const items = added.map((l) => {
    const unitPrice = Math.ceil(Math.max(0, l.net) / l.quantity);
    const discount = unitPrice * l.quantity - Math.max(0, l.net);
    return {
      sku: l.sku,
      ...(l.lineId ? { lineId: l.lineId } : {}),
      quantity: l.quantity,
      unitPrice,
      ...(discount ? { discount } : {}),
      ...(l.giftCard ? { type: 'gift-card' as const } : {}),
    };
  });
  // A larger order discount is taken off the added lines (as far as they go); a smaller one is not
  // credited back: the order's earlier lines keep what they earned.
  const addedNet = added.reduce((sum, l) => sum + Math.max(0, l.net), 0);
  const moreDiscount = Math.min(Math.max(0, discount - state.discount), addedNet);
  const editPurchase: PurchaseFacts | null = items.length
    ? {
        orderId: editOrder,
        memberId: state.memberId,
        occurredAt,
        currency: purchase.currency,
        amount: addedNet - moreDiscount,
        items,
        ...(moreDiscount ? { discount: moreDiscount } : {}),
      }
    : null;
  const returnId = editOrderId(state.orderId, editId);
  const plan: EditPlan = {
    editId,
    purchase: editPurchase,
    returns: [...returns].map(([orderId, its]) => ({
      orderId,
      input: { returnId: holderReturnId(returnId, orderId, state.orderId), occurredAt, items: its },
    })),
  };
  return {
    plan,
    next: {
      programId: state.programId,
      orderId: state.orderId,
      memberId: state.memberId,
      edits: state.edits + 1,
      lines: lines.sort((x, y) => x.key.localeCompare(y.key)),
      discount: state.discount + (editPurchase ? moreDiscount : 0),
      editOrders: editPurchase ? [...state.editOrders, editOrder] : state.editOrders,
      seenAt: state.seenAt,
    },
  };
}

/**
 * A refund's or return's items split over the orders holding their lines: the original order first
 * (a platform refunds the order it knows), then the edits, as far as each can still give units back.
 */
export function routeItems(
  state: Pick<OrderEdits, 'orderId' | 'lines'>,
  items: readonly { sku?: string; lineId?: string; quantity: number }[],
  returnable: Returnable,
): Map<string, { sku?: string; lineId?: string; quantity: number }[]> {
  const byKey = new Map(state.lines.map((l) => [l.key, l]));
  const out = new Map<string, { sku?: string; lineId?: string; quantity: number }[]>();
  const put = (orderId: string, item: { sku?: string; lineId?: string; quantity: number }) =>
    out.set(orderId, [...(out.get(orderId) ?? []), item]);
  for (const item of items) {
    const line = byKey.get(lineKey(item));
    if (!line) {
      put(state.orderId, item); // not a line the edits know (shipping, or not in the order): as the platform says
      continue;
    }
    let left = item.quantity;
    for (const h of line.holders) {
      if (left <= 0) break;
      const can = Math.min(left, Math.max(0, returnable(h.orderId, line.key, h.quantity)));
      if (can > 0) put(h.orderId, { ...item, quantity: can });
      left -= can;
    }
    if (left > 0) put(state.orderId, { ...item, quantity: left }); // the ledger says why it cannot
  }
  return out;
}
