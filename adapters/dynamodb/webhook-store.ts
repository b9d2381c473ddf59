// Webhook endpoints, their deliveries and attempts (docs/data-model.md, W1-W4). An endpoint's
// deliveries and attempts share its partition; both expire after 30 days (TTL). The delivery's body
// is packed: it is read only with its item.
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { WriteConflict } from '../../core/kernel/retry';
import type { Delivery, DeliveryAttempt, WebhookEndpoint, WebhookStore } from '../../core/webhooks/ports';
import { PACKED, pack, unpack } from './entities/packed';
import { DAY_S, epochSeconds } from './entities/types';
import { conditionFailed, isConditionFailed, toWriteConflict } from './errors';
import { collections, keys } from './keys';
import { type Item, queryPage, queryPrefix } from './query';

const KEEP_DAYS = 30;
const ttlFrom = (iso: string) => epochSeconds(iso) + KEEP_DAYS * DAY_S;

const ENDPOINT_FIELDS = [
  'url',
  'events',
  'description',
  'status',
  'secret',
  'previousSecret',
  'previousSecretExpiresAt',
  'updatedAt',
  'failingSince',
  'disabledAt',
  'disabledReason',
] as const;

function toEndpoint(item: Item): WebhookEndpoint {
  return {
    programId: item.programId,
    webhookId: item.webhookId,
    url: item.url,
    events: item.events ?? [],
    description: item.description ?? null,
    status: item.status,
    secret: item.secret,
    previousSecret: item.previousSecret ?? null,
    previousSecretExpiresAt: item.previousSecretExpiresAt ?? null,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    failingSince: item.failingSince ?? null,
    disabledAt: item.disabledAt ?? null,
    disabledReason: item.disabledReason ?? null,
    version: item.version,
  };
}

function toDelivery(raw: Item): Delivery {
  const item = unpack(raw);
  return {
    programId: item.programId,
    webhookId: item.webhookId,
    deliveryId: item.deliveryId,
    eventId: item.eventId,
    eventType: item.eventType,
    payload: item.payload,
    status: item.status,
    createdAt: item.createdAt,
    attempts: item.attempts,
    runAttempts: item.runAttempts,
    runs: item.runs,
    lastAttemptAt: item.lastAttemptAt ?? null,
    nextAttemptAt: item.nextAttemptAt ?? null,
  };
}

function toAttempt(item: Item): DeliveryAttempt {
  return {
    attemptId: item.attemptId,
    deliveryId: item.deliveryId,
    eventId: item.eventId,
    eventType: item.eventType,
    attempt: item.attempt,
    trigger: item.trigger,
    attemptedAt: item.attemptedAt,
    statusCode: item.statusCode ?? null,
    latencyMs: item.latencyMs,
    succeeded: item.succeeded,
    error: item.error ?? null,
  };
}

/** The delivery fields an attempt or a redelivery changes. */
function deliveryUpdate(d: Delivery) {
  return {
    UpdateExpression:
      'SET #status = :status, attempts = :attempts, runAttempts = :runAttempts, runs = :runs, ' +
      'lastAttemptAt = :last, nextAttemptAt = :next',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':status': d.status,
      ':attempts': d.attempts,
      ':runAttempts': d.runAttempts,
      ':runs': d.runs,
      ':last': d.lastAttemptAt,
      ':next': d.nextAttemptAt,
    },
  };
}

export function dynamoWebhookStore(ddb: DynamoDBDocumentClient, tableName: string): WebhookStore {
  return {
    async listEndpoints(programId) {
      const c = collections.webhooks(programId);
      return (await queryPrefix(ddb, tableName, c.pk, c.prefix, { ConsistentRead: true })).map(toEndpoint);
    },

    async getEndpoint(programId, webhookId) {
      const out = await ddb.send(
        new GetCommand({ TableName: tableName, Key: keys.webhook(programId, webhookId), ConsistentRead: true }),
      );
      return out.Item ? toEndpoint(out.Item) : null;
    },

    async createEndpoint(e) {
      await ddb.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...keys.webhook(e.programId, e.webhookId), entity: 'webhook', ...e },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },

    async updateEndpoint(e, seenVersion) {
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = { ':seen': seenVersion, ':next': seenVersion + 1 };
      const sets = ENDPOINT_FIELDS.map((f) => {
        names[`#${f}`] = f;
        values[`:${f}`] = e[f];
        return `#${f} = :${f}`;
      });
      try {
        await ddb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.webhook(e.programId, e.webhookId),
            UpdateExpression: `SET ${sets.join(', ')}, version = :next`,
            ConditionExpression: 'version = :seen',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
      } catch (err) {
        throw conditionFailed(err, `webhook:${e.webhookId}`);
      }
    },

    async markFailing(programId, webhookId, at) {
      const out = await ddb.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.webhook(programId, webhookId),
          UpdateExpression: 'SET failingSince = if_not_exists(failingSince, :at)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      // A null left by an admin's enable counts as no streak: start one now.
      const since = out.Attributes?.failingSince;
      if (typeof since === 'string') return since;
      await ddb.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.webhook(programId, webhookId),
          UpdateExpression: 'SET failingSince = :at',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
      return at;
    },

    async markHealthy(programId, webhookId) {
      await ddb.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.webhook(programId, webhookId),
          UpdateExpression: 'REMOVE failingSince',
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
    },

    async disable(programId, webhookId, at, reason, announce) {
      // The event is an outbox entry committed with the change: the table's stream publishes it
      // (adapters/dynamodb/stream.ts), so a crash after the commit cannot lose it.
      const outbox = keys.webhookOutbox(programId, webhookId, announce.detail.metadata.eventId);
      try {
        await ddb.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: keys.webhook(programId, webhookId),
                  UpdateExpression:
                    'SET #status = :disabled, disabledAt = :at, disabledReason = :reason, updatedAt = :at',
                  ConditionExpression: '#status = :enabled',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: {
                    ':disabled': 'disabled',
                    ':enabled': 'enabled',
                    ':at': at,
                    ':reason': reason,
                  },
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: { ...outbox, entity: 'outbox', programId, events: [announce], ttl: ttlFrom(at) },
                },
              },
            ],
          }),
        );
        return true;
      } catch (err) {
        const conflict = toWriteConflict(err, ['endpoint', 'outbox']);
        if (conflict instanceof WriteConflict && conflict.tags.includes('endpoint')) return false;
        throw conflict;
      }
    },

    async putDelivery(d) {
      const { payload, ...plain } = d;
      try {
        await ddb.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...keys.webhookDelivery(d.programId, d.webhookId, d.deliveryId),
              entity: 'webhookDelivery',
              ...plain,
              [PACKED]: pack({ payload }),
              ttl: ttlFrom(d.createdAt),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (err) {
        if (isConditionFailed(err)) return false;
        throw err;
      }
    },

    async getDelivery(programId, webhookId, deliveryId) {
      const out = await ddb.send(
        new GetCommand({
          TableName: tableName,
          Key: keys.webhookDelivery(programId, webhookId, deliveryId),
          ConsistentRead: true,
        }),
      );
      return out.Item ? toDelivery(out.Item) : null;
    },

    async recordAttempt(d, a) {
      const update = deliveryUpdate(d);
      try {
        await ddb.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: keys.webhookDelivery(d.programId, d.webhookId, d.deliveryId),
                  ...update,
                  ConditionExpression: 'attempts = :seen AND runs = :runs',
                  ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':seen': d.attempts - 1 },
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...keys.webhookAttempt(d.programId, d.webhookId, a.attemptId),
                    entity: 'webhookAttempt',
                    ...a,
                    ttl: ttlFrom(a.attemptedAt),
                  },
                },
              },
            ],
          }),
        );
      } catch (err) {
        throw toWriteConflict(err, [`delivery:${d.deliveryId}`, `attempt:${a.attemptId}`]);
      }
    },

    async updateDelivery(d, seenRuns) {
      const update = deliveryUpdate(d);
      try {
        await ddb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.webhookDelivery(d.programId, d.webhookId, d.deliveryId),
            ...update,
            ConditionExpression: 'runs = :seenRuns',
            ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':seenRuns': seenRuns },
          }),
        );
      } catch (err) {
        throw conditionFailed(err, `delivery:${d.deliveryId}`);
      }
    },

    async listAttempts(programId, webhookId, page) {
      const c = collections.webhookAttempts(programId, webhookId);
      const out = await queryPage(ddb, tableName, {
        pk: c.pk,
        prefix: c.prefix,
        limit: page.limit,
        cursor: page.cursor,
        newestFirst: true,
      });
      return { items: out.items.map(toAttempt), nextCursor: out.nextCursor };
    },
  };
}
