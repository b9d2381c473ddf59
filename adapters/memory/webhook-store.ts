// In-memory webhooks for use-case tests: the same conditions as the DynamoDB store.
import type { DomainEvent } from '../../core/kernel/events';
import { WriteConflict } from '../../core/kernel/retry';
import type { Delivery, DeliveryAttempt, WebhookEndpoint, WebhookStore } from '../../core/webhooks/ports';
import { copy } from './tables';

export interface WebhookTables {
  endpoints: Map<string, WebhookEndpoint>;
  deliveries: Map<string, Delivery>;
  attempts: Map<string, DeliveryAttempt & { programId: string; webhookId: string }>;
}

export const newWebhookTables = (): WebhookTables => ({
  endpoints: new Map(),
  deliveries: new Map(),
  attempts: new Map(),
});

const k = (...parts: string[]) => parts.join('/');

export function memoryWebhookStore(
  t: WebhookTables = newWebhookTables(),
): WebhookStore & { tables: WebhookTables; announced: DomainEvent[] } {
  const endpoint = (programId: string, webhookId: string) => t.endpoints.get(k(programId, webhookId));
  /** What the store's changes announced (on DynamoDB, the outbox entries the stream publishes). */
  const announced: DomainEvent[] = [];
  return {
    tables: t,
    announced,
    async listEndpoints(programId) {
      return [...t.endpoints.values()].filter((e) => e.programId === programId).map(copy);
    },
    async getEndpoint(programId, webhookId) {
      const e = endpoint(programId, webhookId);
      return e ? copy(e) : null;
    },
    async createEndpoint(e) {
      if (endpoint(e.programId, e.webhookId)) throw new Error('endpoint exists');
      t.endpoints.set(k(e.programId, e.webhookId), copy(e));
    },
    async updateEndpoint(e, seenVersion) {
      const current = endpoint(e.programId, e.webhookId);
      if (!current || current.version !== seenVersion) throw new WriteConflict([`webhook:${e.webhookId}`]);
      t.endpoints.set(k(e.programId, e.webhookId), {
        ...copy(e),
        createdAt: current.createdAt,
        version: seenVersion + 1,
      });
    },
    async markFailing(programId, webhookId, at) {
      const e = endpoint(programId, webhookId);
      if (!e) throw new Error('no endpoint');
      e.failingSince ??= at;
      return e.failingSince;
    },
    async markHealthy(programId, webhookId) {
      const e = endpoint(programId, webhookId);
      if (e) e.failingSince = null;
    },
    async disable(programId, webhookId, at, reason, announce) {
      const e = endpoint(programId, webhookId);
      if (e?.status !== 'enabled') return false;
      Object.assign(e, { status: 'disabled', disabledAt: at, disabledReason: reason, updatedAt: at });
      announced.push(announce);
      return true;
    },
    async putDelivery(d) {
      const key = k(d.programId, d.webhookId, d.deliveryId);
      if (t.deliveries.has(key)) return false;
      t.deliveries.set(key, copy(d));
      return true;
    },
    async getDelivery(programId, webhookId, deliveryId) {
      const d = t.deliveries.get(k(programId, webhookId, deliveryId));
      return d ? copy(d) : null;
    },
    async recordAttempt(d, a) {
      const key = k(d.programId, d.webhookId, d.deliveryId);
      const current = t.deliveries.get(key);
      if (!current || current.attempts !== d.attempts - 1 || current.runs !== d.runs)
        throw new WriteConflict([`delivery:${d.deliveryId}`]);
      t.deliveries.set(key, copy(d));
      t.attempts.set(k(d.programId, d.webhookId, a.attemptId), {
        ...copy(a),
        programId: d.programId,
        webhookId: d.webhookId,
      });
    },
    async updateDelivery(d, seenRuns) {
      const key = k(d.programId, d.webhookId, d.deliveryId);
      const current = t.deliveries.get(key);
      if (!current || current.runs !== seenRuns) throw new WriteConflict([`delivery:${d.deliveryId}`]);
      t.deliveries.set(key, copy(d));
    },
    async listAttempts(programId, webhookId, page) {
      const all = [...t.attempts.values()]
        .filter((a) => a.programId === programId && a.webhookId === webhookId)
        .sort((a, b) => b.attemptId.localeCompare(a.attemptId));
      const start = page.cursor ? all.findIndex((a) => a.attemptId === page.cursor) + 1 : 0;
      const items = all.slice(start, start + page.limit);
      const more = start + page.limit < all.length;
      return {
        items: items.map(({ programId: _p, webhookId: _w, ...a }) => a),
        nextCursor: more ? items[items.length - 1]!.attemptId : null,
      };
    },
  };
}
