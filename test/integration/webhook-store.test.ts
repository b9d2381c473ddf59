import { GetCommand } from '@aws-sdk/lib-dynamodb';
// The DynamoDB webhook store's conditions on DynamoDB Local: what the use cases rely on when two
// writers meet (a retried fan-out, a duplicated task, a redelivery racing a run, two admins).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../adapters/dynamodb/keys';
import { dynamoWebhookStore } from '../../adapters/dynamodb/webhook-store';
import { ValidationFailed } from '../../core/kernel/errors';
import { domainEvent } from '../../core/kernel/events';
import { WriteConflict } from '../../core/kernel/retry';
import { WebhookEndpointDisabled } from '../../core/webhooks/events';
import type { Delivery, DeliveryAttempt, WebhookEndpoint, WebhookStore } from '../../core/webhooks/ports';
import { createTestTable } from '../support/table';

let table: Awaited<ReturnType<typeof createTestTable>>;
let store: WebhookStore;

beforeAll(async () => {
  table = await createTestTable('webhook-store');
  store = dynamoWebhookStore(table.ddb, table.tableName);
});
afterAll(() => table?.drop());

const endpoint = (webhookId: string): WebhookEndpoint => ({
  programId: 'p',
  webhookId,
  url: 'https://hooks.example.com/in',
  events: ['Points Earned'],
  description: null,
  status: 'enabled',
  secret: 'sealed',
  previousSecret: null,
  previousSecretExpiresAt: null,
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
  failingSince: null,
  disabledAt: null,
  disabledReason: null,
  version: 1,
});

const delivery = (webhookId: string, deliveryId: string): Delivery => ({
  programId: 'p',
  webhookId,
  deliveryId,
  eventId: 'e1',
  eventType: 'Points Earned',
  payload: JSON.stringify({ type: 'Points Earned', data: { points: 1 } }),
  status: 'pending',
  createdAt: '2026-12-01T10:00:00.000Z',
  attempts: 0,
  runAttempts: 0,
  runs: 1,
  lastAttemptAt: null,
  nextAttemptAt: '2026-12-01T10:00:00.000Z',
});

const attempt = (n: number, attemptId: string): DeliveryAttempt => ({
  attemptId,
  deliveryId: 'msg_1',
  eventId: 'e1',
  eventType: 'Points Earned',
  attempt: n,
  trigger: 'scheduled',
  attemptedAt: `2026-12-01T10:00:0${n}.000Z`,
  statusCode: 500,
  latencyMs: 12,
  succeeded: false,
  error: 'answered 500',
});

describe('the DynamoDB webhook store', () => {
  it('updates an endpoint only at the version it read', async () => {
    await store.createEndpoint(endpoint('wh_a'));
    await store.updateEndpoint({ ...endpoint('wh_a'), url: 'https://hooks.example.com/v2' }, 1);
    await expect(
      store.updateEndpoint({ ...endpoint('wh_a'), url: 'https://late.example.com/' }, 1),
    ).rejects.toBeInstanceOf(WriteConflict);
    expect(await store.getEndpoint('p', 'wh_a')).toMatchObject({ url: 'https://hooks.example.com/v2', version: 2 });
  });

  it('keeps the start of a failure streak until a success ends it; disables once', async () => {
    await store.createEndpoint(endpoint('wh_b'));
    expect(await store.markFailing('p', 'wh_b', '2026-12-01T10:00:00.000Z')).toBe('2026-12-01T10:00:00.000Z');
    expect(await store.markFailing('p', 'wh_b', '2026-12-02T10:00:00.000Z')).toBe('2026-12-01T10:00:00.000Z');
    await store.markHealthy('p', 'wh_b');
    expect(await store.markFailing('p', 'wh_b', '2026-12-03T10:00:00.000Z')).toBe('2026-12-03T10:00:00.000Z');
    // An admin's enable writes failingSince null: the next failure starts a streak.
    await store.updateEndpoint({ ...endpoint('wh_b'), failingSince: null }, 1);
    expect(await store.markFailing('p', 'wh_b', '2026-12-04T10:00:00.000Z')).toBe('2026-12-04T10:00:00.000Z');
    const announce = domainEvent(
      WebhookEndpointDisabled,
      { webhookId: 'wh_b', url: 'https://hooks.example.com/', failingSince: 'x', disabledAt: 'y', reason: 'failing' },
      { programId: 'p', occurredAt: '2026-12-09T10:00:00.000Z' },
    );
    expect(await store.disable('p', 'wh_b', '2026-12-09T10:00:00.000Z', 'failing', announce)).toBe(true);
    expect(await store.disable('p', 'wh_b', '2026-12-09T10:00:01.000Z', 'failing', announce)).toBe(false);
    // The event is an outbox entry beside the endpoint, written once, for the stream to publish.
    const outbox = await table.ddb.send(
      new GetCommand({
        TableName: table.tableName,
        Key: keys.webhookOutbox('p', 'wh_b', announce.detail.metadata.eventId),
      }),
    );
    expect(outbox.Item).toMatchObject({ entity: 'outbox', programId: 'p', events: [announce] });
  });

  it('writes a delivery once, its body packed and expiring in 30 days', async () => {
    expect(await store.putDelivery(delivery('wh_c', 'msg_1'))).toBe(true);
    expect(await store.putDelivery({ ...delivery('wh_c', 'msg_1'), eventId: 'other' })).toBe(false);
    expect(await store.getDelivery('p', 'wh_c', 'msg_1')).toEqual(delivery('wh_c', 'msg_1'));
    const [item] = (await table.scanAll()).filter((i) => i.sk === keys.webhookDelivery('p', 'wh_c', 'msg_1').sk);
    expect(item!.payload).toBeUndefined();
    expect(item!.ttl).toBe(Math.floor(Date.parse('2026-12-01T10:00:00.000Z') / 1000) + 30 * 86_400);
  });

  it('records an attempt only if no other was recorded meanwhile, and only for the current run', async () => {
    await store.putDelivery(delivery('wh_d', 'msg_1'));
    const first = { ...delivery('wh_d', 'msg_1'), attempts: 1, runAttempts: 1 };
    await store.recordAttempt(first, attempt(1, '01KB0000000000000000000001'));
    // The same attempt again (a duplicated task): refused, nothing written.
    await expect(store.recordAttempt(first, attempt(1, '01KB0000000000000000000009'))).rejects.toBeInstanceOf(
      WriteConflict,
    );
    // A redelivery started run 2: run 1's attempt is refused.
    await store.updateDelivery({ ...first, runs: 2, runAttempts: 0 }, 1);
    await expect(
      store.recordAttempt({ ...first, attempts: 2, runs: 1 }, attempt(2, '01KB0000000000000000000002')),
    ).rejects.toBeInstanceOf(WriteConflict);
    await expect(store.updateDelivery({ ...first, runs: 3 }, 1)).rejects.toBeInstanceOf(WriteConflict);
    expect((await store.listAttempts('p', 'wh_d', { limit: 10, cursor: null })).items).toHaveLength(1);
  });

  it('lists attempts newest first, page by page, with cursors that stay in their partition', async () => {
    await store.putDelivery(delivery('wh_e', 'msg_1'));
    for (let n = 1; n <= 5; n++) {
      await store.recordAttempt(
        { ...delivery('wh_e', 'msg_1'), attempts: n, runAttempts: n },
        attempt(n, `01KB000000000000000000000${n}`),
      );
    }
    const first = await store.listAttempts('p', 'wh_e', { limit: 2, cursor: null });
    expect(first.items.map((a) => a.attempt)).toEqual([5, 4]);
    const second = await store.listAttempts('p', 'wh_e', { limit: 2, cursor: first.nextCursor });
    const third = await store.listAttempts('p', 'wh_e', { limit: 2, cursor: second.nextCursor });
    expect([...second.items, ...third.items].map((a) => a.attempt)).toEqual([3, 2, 1]);
    expect(third.nextCursor).toBeNull();
    const foreign = Buffer.from(JSON.stringify({ sk: 'DELIVERY#msg_1' })).toString('base64url');
    await expect(store.listAttempts('p', 'wh_e', { limit: 2, cursor: foreign })).rejects.toBeInstanceOf(
      ValidationFailed,
    );
  });
});
