import type { OrderStore, Recorded, ReturnResult } from '../../core/earning/ports';
import { copy, key, type StoredGuard, type Tables, toMember, toMemberState, toRecordedOrder } from './tables';

const recorded = <R>(guard: StoredGuard<unknown> | undefined): Recorded<R> | null =>
  guard ? copy({ fingerprint: guard.fingerprint, result: guard.result as R }) : null;

export function memoryOrderStore(t: Tables): OrderStore {
  const member = (programId: string, memberId: string) => toMemberState(t.members.get(key(programId, memberId)));
  const order = (programId: string, orderId: string) => {
    const o = t.orders.get(key(programId, orderId));
    return o ? toRecordedOrder(o) : null;
  };

  return {
    async loadForEarn(programId, memberId, orderId) {
      return { member: member(programId, memberId), order: order(programId, orderId) };
    },

    async getOrder(programId, orderId) {
      return order(programId, orderId);
    },

    async loadForReturn(programId, memberId, returnId) {
      return {
        member: member(programId, memberId),
        recorded: recorded<ReturnResult>(t.returns.get(key(programId, returnId))),
      };
    },

    async loadForEvent(programId, memberId, eventId) {
      return { member: member(programId, memberId), recorded: recorded(t.events.get(key(programId, eventId))) };
    },

    async loadMemberOrders(programId, memberId, orderIds) {
      const profile = t.members.get(key(programId, memberId));
      return {
        member: profile ? toMember(profile) : null,
        orders: orderIds.flatMap((id) => {
          const o = order(programId, id);
          return o ? [o] : [];
        }),
      };
    },

    async *purchasesBetween(programId, from, to) {
      // The DynamoDB index's sort key and bounds: `<occurredAt as ISO>#<orderId>` BETWEEN from AND `<to>~`.
      const byDate = [...t.orders.entries()]
        .filter(([k]) => k.startsWith(`${key(programId)}/`))
        .map(([, o]) => ({ sk: `${new Date(o.purchase.occurredAt).toISOString()}#${o.purchase.orderId}`, o }))
        .filter(({ sk }) => sk.slice(0, 7) >= from.slice(0, 7) && sk.slice(0, 7) <= to.slice(0, 7))
        .filter(({ sk }) => sk >= from && sk <= `${to}~`)
        .sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0));
      for (const { o } of byDate) yield toRecordedOrder(o);
    },
  };
}
