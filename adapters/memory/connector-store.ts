// Connectors on plain maps, with the same conditions as the DynamoDB store (an id taken, a version
// moved on, a delivery recorded before), for use-case tests without a JVM.
import type { Connector } from '../../core/connectors/domain/connector';
import type { OrderEdits } from '../../core/connectors/domain/order-edits';
import type { ConnectorStore, DeadLetter, Delivery } from '../../core/connectors/ports';
import { ValidationFailed } from '../../core/kernel/errors';

const clone = <T>(v: T): T => structuredClone(v);

export function memoryConnectorStore() {
  const connectors = new Map<string, Connector>();
  const deliveries = new Map<string, Delivery>();
  const orderEdits = new Map<string, OrderEdits>();
  const deadLetters = new Map<string, DeadLetter & { programId: string; connectorId: string }>();
  const dk = (p: string, c: string, d: string) => `${p}/${c}/${d}`;
  const store: ConnectorStore = {
    async createConnector(c) {
      if (connectors.has(c.connectorId)) return false;
      connectors.set(c.connectorId, clone(c));
      return true;
    },
    async getConnector(id) {
      const c = connectors.get(id);
      return c ? clone(c) : null;
    },
    async listConnectors(programId) {
      return [...connectors.values()].filter((c) => c.programId === programId).map(clone);
    },
    async saveConnector(c, seen) {
      const cur = connectors.get(c.connectorId);
      if (!cur || cur.version !== seen) return false;
      connectors.set(c.connectorId, clone(c));
      return true;
    },
    async recordDelivery(d) {
      const k = dk(d.programId, d.connectorId, d.deliveryId);
      if (deliveries.has(k)) return false;
      deliveries.set(k, clone(d));
      return true;
    },
    async getDelivery(p, c, d) {
      const found = deliveries.get(dk(p, c, d));
      return found ? clone(found) : null;
    },
    async settleDelivery(p, c, d, outcome) {
      const found = deliveries.get(dk(p, c, d));
      if (found) deliveries.set(dk(p, c, d), { ...found, ...outcome });
    },
    async getOrderEdits(programId, orderId) {
      const found = orderEdits.get(`${programId}/${orderId}`);
      return found ? clone(found) : null;
    },
    async saveOrderEdits(e, seenRev) {
      const cur = orderEdits.get(`${e.programId}/${e.orderId}`);
      if ((cur?.rev ?? null) !== seenRev) return false;
      orderEdits.set(`${e.programId}/${e.orderId}`, clone(e));
      return true;
    },
    async putDeadLetter(programId, connectorId, letter) {
      deadLetters.set(dk(programId, connectorId, `${letter.receivedAt}#${letter.deliveryId}`), {
        ...clone(letter),
        programId,
        connectorId,
      });
    },
    async listDeadLetters(programId, connectorId, page) {
      const all = [...deadLetters.entries()]
        .filter(([, l]) => l.programId === programId && l.connectorId === connectorId)
        .sort(([a], [b]) => b.localeCompare(a));
      let start = 0;
      if (page.cursor) {
        start = all.findIndex(([k]) => k === page.cursor) + 1;
        if (start === 0)
          throw new ValidationFailed([{ field: 'cursor', message: 'is not a cursor returned by this endpoint' }]);
      }
      const slice = all.slice(start, start + page.limit);
      const more = all.length > start + page.limit;
      return {
        items: slice.map(([, { programId: _p, connectorId: _c, ...l }]) => l),
        nextCursor: more ? slice[slice.length - 1]![0] : null,
      };
    },
  };
  return Object.assign(store, {
    /** Every delivery recorded (tests assert nothing was written). */
    deliveries: deliveries as ReadonlyMap<string, Readonly<Delivery>>,
  });
}
