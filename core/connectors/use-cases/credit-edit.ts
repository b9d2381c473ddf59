// A later version of an order credits its difference once, through the same earning use cases as
// any purchase and return. The edit is first written as pending into the order's edit state (a
// conditional write on its revision), then posted: two deliveries racing with different versions
// cannot both post, and whoever reads a pending edit next (a retry after a crash) posts it again,
// which the ledger's order and return ids make a no-op.

import type { PurchaseFacts } from '../../earning/domain/purchase';
import { OrderConflict } from '../../earning/errors';
import type { RecordedOrder } from '../../earning/ports';
import type { ReturnInput } from '../../earning/schemas';
import { earnForPurchase } from '../../earning/use-cases/earn-for-purchase';
import { recordReturn } from '../../earning/use-cases/record-return';
import { ConcurrentUpdate, DomainError } from '../../kernel/errors';
import type { EarnOn } from '../../programs/domain/program';
import {
  type EditPlan,
  holderReturnId,
  initialEdits,
  type OrderEdits,
  planEdit,
  type Returnable,
  routeItems,
} from '../domain/order-edits';
import type { ProcessDeps } from './process-delivery';

const ATTEMPTS = 5;

/** Posts an edit's purchase and returns; `posted` tells, when one fails, whether any went through first. */
async function post(programId: string, plan: EditPlan, deps: ProcessDeps, earnOn: Partial<EarnOn>, cid: string) {
  let earned = 0;
  let taken = 0;
  let posted = false;
  try {
    if (plan.purchase) {
      const { result } = await earnForPurchase(programId, plan.purchase, deps, cid, { earnOn, amendment: true });
      earned = result.points;
      posted = true;
    }
    for (const r of plan.returns) {
      const { result } = await recordReturn(programId, r.orderId, r.input, deps, cid);
      taken += result.points;
      posted = true;
    }
  } catch (err) {
    throw Object.assign(err as Error, { posted });
  }
  return { earned, taken };
}

/** What each holding order can still give back of a line: bought there less returned already. */
async function returnableOf(programId: string, orderIds: readonly string[], deps: ProcessDeps): Promise<Returnable> {
  const orders = new Map<string, RecordedOrder | null>();
  for (const id of new Set(orderIds)) orders.set(id, await deps.orders.getOrder(programId, id));
  return (holder, key, heldThere) => {
    const order = orders.get(holder);
    if (!order) return 0;
    return heldThere - (order.returned.quantities[key] ?? 0);
  };
}

const holdersOf = (state: OrderEdits) => [
  state.orderId,
  ...state.lines.flatMap((l) => l.holders.map((h) => h.orderId)),
];

/**
 * Posts the pending edit of `state` and clears it; `cleared` is false when another worker moved the
 * state on meanwhile (the edit was posted all the same: its ids make a second posting a no-op).
 */
async function postPending(state: OrderEdits, deps: ProcessDeps, earnOn: Partial<EarnOn>, cid: string) {
  const pending = state.pending!;
  let points: { earned: number; taken: number };
  try {
    points = await post(state.programId, pending, deps, earnOn, cid);
  } catch (err) {
    // An edit the ledger refuses for good (too late, ...) is dropped: the order stays credited as
    // before it if nothing of it went through, else as far as it went (the dead letter says why).
    if (!(err instanceof DomainError) || err instanceof ConcurrentUpdate) throw err;
    const kept = (err as { posted?: boolean }).posted ? state : { ...pending.previous, pending: null };
    await deps.connectors.saveOrderEdits({ ...kept, pending: null, rev: state.rev + 1 }, state.rev);
    throw err;
  }
  const cleared = await deps.connectors.saveOrderEdits({ ...state, pending: null, rev: state.rev + 1 }, state.rev);
  return { ...points, cleared };
}

export type EditOutcome = { status: 'credited' | 'ignored'; note: string };

/**
 * Credits what `purchase` (a version of an order already recorded) adds to or takes from what the
 * order has credited so far, exactly once. `versionAt`: the platform's modification time of the
 * version, when it gives one (an older version than one applied is stale).
 */
export async function creditOrderEdit(
  programId: string,
  purchase: PurchaseFacts,
  versionAt: string | undefined,
  deps: ProcessDeps,
  earnOn: Partial<EarnOn>,
  correlationId: string,
): Promise<EditOutcome> {
  const original = await deps.orders.getOrder(programId, purchase.orderId);
  if (!original) throw new OrderConflict(purchase.orderId);
  const was = original.purchase;
  if (was.memberId !== purchase.memberId || was.currency !== purchase.currency) {
    return {
      status: 'ignored',
      note:
        `order ${purchase.orderId} was credited to ${was.memberId} in ${was.currency}: ` +
        'a version for another member or currency is not credited',
    };
  }
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    let stored = await deps.connectors.getOrderEdits(programId, purchase.orderId);
    if (stored?.pending) {
      if (!(await postPending(stored, deps, earnOn, correlationId)).cleared) continue;
      stored = { ...stored, pending: null, rev: stored.rev + 1 };
    }
    const state = stored ?? initialEdits(programId, was);
    if (versionAt && state.seenAt && versionAt < state.seenAt) {
      return { status: 'ignored', note: `an older version of order ${purchase.orderId} than one already credited` };
    }
    const now = deps.clock.now().toISOString();
    const at = versionAt && versionAt <= now ? (versionAt > was.occurredAt ? versionAt : was.occurredAt) : now;
    const returnable = await returnableOf(programId, holdersOf(state), deps);
    const planned = planEdit(state, purchase, at, returnable);
    if (!planned) {
      return { status: 'ignored', note: `order ${purchase.orderId} is credited as this version already` };
    }
    const next: OrderEdits = {
      ...planned.next,
      seenAt: versionAt && (!state.seenAt || versionAt > state.seenAt) ? versionAt : state.seenAt,
      pending: null,
      rev: state.rev + 1,
    };
    const { pending: _none, rev: _rev, ...previous } = state;
    const withPending: OrderEdits = { ...next, pending: { ...planned.plan, previous } };
    if (!(await deps.connectors.saveOrderEdits(withPending, stored ? stored.rev : null))) continue;
    // Not cleared: another worker read the pending edit and posted it too, as a no-op.
    const { earned, taken } = await postPending(withPending, deps, earnOn, correlationId);
    return {
      status: 'credited',
      note: `edit ${planned.plan.editId} of order ${purchase.orderId}: +${earned} -${taken} points`,
    };
  }
  throw new ConcurrentUpdate(`Order "${purchase.orderId}"`);
}

/**
 * A return (refund) or a cancellation of an order that edits changed: the refund's lines go to the
 * orders holding them; a cancellation takes back every edit purchase too. Without edits, the
 * order's own return as before. Returns the points taken back, or null if the order has no edits.
 */
export async function returnAcrossEdits(
  programId: string,
  orderId: string,
  input: ReturnInput,
  cancel: boolean,
  deps: ProcessDeps,
  correlationId: string,
): Promise<{ points: number; replayed: boolean } | null> {
  const state = await deps.connectors.getOrderEdits(programId, orderId);
  if (!state || (!state.editOrders.length && !state.pending)) return null;
  const parts: { orderId: string; input: ReturnInput }[] = [];
  if (cancel || !input.items) {
    parts.push({ orderId, input });
    if (cancel) {
      for (const e of state.editOrders) {
        parts.push({ orderId: e, input: { ...input, returnId: holderReturnId(input.returnId, e, orderId) } });
      }
    }
  } else {
    const returnable = await returnableOf(programId, holdersOf(state), deps);
    for (const [holder, items] of routeItems(state, input.items, returnable)) {
      parts.push({
        orderId: holder,
        input: { ...input, returnId: holderReturnId(input.returnId, holder, orderId), items },
      });
    }
  }
  let points = 0;
  let replayed = true;
  for (const p of parts) {
    // An edit purchase is later than the order: a return of it is no earlier than it (clock skew, or a
    // platform that stamps a cancellation with the order's own time).
    const held = p.orderId === orderId ? null : await deps.orders.getOrder(programId, p.orderId);
    const at = held && held.purchase.occurredAt > p.input.occurredAt ? held.purchase.occurredAt : p.input.occurredAt;
    const out = await recordReturn(programId, p.orderId, { ...p.input, occurredAt: at }, deps, correlationId);
    points += out.result.points;
    replayed &&= out.replayed;
  }
  return { points, replayed };
}
