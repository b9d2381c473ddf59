// Connectors, their inbox of deliveries and their dead letters. A connector item is keyed by its id
// alone (the public webhook route reads it before it knows the program); the program lists its
// connectors through pointer items, as it lists its API keys. A delivery's body is stored deflated:
// a large order (hundreds of KB of JSON) stays far below DynamoDB's 400 KB item limit.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Connector } from '../../core/connectors/domain/connector';
import type { OrderEdits } from '../../core/connectors/domain/order-edits';
import type { ConnectorStore, DeadLetter, Delivery } from '../../core/connectors/ports';
import { isConditionFailed } from './errors';
import { collections, keys } from './keys';
import { batchGet, type Item, queryPage, queryPrefix } from './query';

/** A delivery is kept this long: past Shopify's 48 hours of retries, for a look at what came. */
const DELIVERY_TTL_SECONDS = 30 * 86_400;
/** Dead letters stay a year. */
const DEAD_LETTER_TTL_SECONDS = 365 * 86_400;
/** The largest deflated body stored (the item limit is 400 KB). */
export const MAX_STORED_BODY_BYTES = 350 * 1024;

export class BodyTooLarge extends Error {}

function connectorOf(item: Item): Connector {
  return {
    connectorId: item.connectorId,
    programId: item.programId,
    platform: item.platform,
    label: item.label ?? null,
    status: item.status,
    options: item.options,
    secrets: item.secrets,
    version: item.version,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

const ttlIn = (seconds: number) => Math.floor(Date.now() / 1000) + seconds;

export function dynamoConnectorStore(ddb: DynamoDBDocumentClient, tableName: string): ConnectorStore {
  const put = (c: Connector) => ({ ...keys.connector(c.connectorId), entity: 'connector', ...c });
  return {
    async createConnector(c) {
      try {
        await ddb.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tableName, Item: put(c), ConditionExpression: 'attribute_not_exists(pk)' } },
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...keys.programConnector(c.programId, c.connectorId),
                    entity: 'programConnector',
                    connectorId: c.connectorId,
                    createdAt: c.createdAt,
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
        return true;
      } catch (err) {
        if ((err as Error).name === 'TransactionCanceledException') return false;
        throw err;
      }
    },
    async getConnector(connectorId) {
      const out = await ddb.send(new GetCommand({ TableName: tableName, Key: keys.connector(connectorId) }));
      return out.Item ? connectorOf(out.Item) : null;
    },
    async listConnectors(programId) {
      const { pk, prefix } = collections.connectors(programId);
      const pointers = await queryPrefix(ddb, tableName, pk, prefix);
      const found = [];
      for (let i = 0; i < pointers.length; i += 100) {
        const wanted = pointers.slice(i, i + 100).map((p) => keys.connector(p.connectorId));
        const got = await batchGet(ddb, tableName, wanted);
        for (const k of wanted) {
          const item = got.get(k);
          if (item) found.push(connectorOf(item));
        }
      }
      return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },
    async saveConnector(c, seenVersion) {
      try {
        await ddb.send(
          new PutCommand({
            TableName: tableName,
            Item: put(c),
            ConditionExpression: 'version = :seen',
            ExpressionAttributeValues: { ':seen': seenVersion },
          }),
        );
        return true;
      } catch (err) {
        if (isConditionFailed(err)) return false;
        throw err;
      }
    },
    async recordDelivery(d) {
      const body = deflateRawSync(d.body);
      if (body.length > MAX_STORED_BODY_BYTES) throw new BodyTooLarge(`deflated body of ${body.length} bytes`);
      const { body: _raw, ...rest } = d;
      try {
        await ddb.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...keys.delivery(d.programId, d.connectorId, d.deliveryId),
              entity: 'delivery',
              ...rest,
              body,
              ttl: ttlIn(DELIVERY_TTL_SECONDS),
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
    async getDelivery(programId, connectorId, deliveryId) {
      const out = await ddb.send(
        new GetCommand({
          TableName: tableName,
          Key: keys.delivery(programId, connectorId, deliveryId),
          ConsistentRead: true,
        }),
      );
      const i = out.Item;
      if (!i) return null;
      const delivery: Delivery = {
        programId: i.programId,
        connectorId: i.connectorId,
        deliveryId: i.deliveryId,
        platform: i.platform,
        topic: i.topic,
        receivedAt: i.receivedAt,
        body: inflateRawSync(i.body as Uint8Array).toString('utf8'),
        status: i.status,
        ...(i.note ? { note: i.note } : {}),
      };
      return delivery;
    },
    async settleDelivery(programId, connectorId, deliveryId, outcome) {
      await ddb
        .send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.delivery(programId, connectorId, deliveryId),
            UpdateExpression: 'SET #status = :status, note = :note',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':status': outcome.status, ':note': outcome.note },
          }),
        )
        .catch((err) => {
          if (!isConditionFailed(err)) throw err; // expired meanwhile: nothing to mark
        });
    },
    async getOrderEdits(programId, orderId) {
      const out = await ddb.send(
        new GetCommand({ TableName: tableName, Key: keys.orderEdits(programId, orderId), ConsistentRead: true }),
      );
      if (!out.Item) return null;
      const { pk: _pk, sk: _sk, entity: _e, ...edits } = out.Item;
      return edits as OrderEdits;
    },
    async saveOrderEdits(edits, seenRev) {
      try {
        await ddb.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...keys.orderEdits(edits.programId, edits.orderId), entity: 'orderEdits', ...edits },
            ...(seenRev === null
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : { ConditionExpression: 'rev = :seen', ExpressionAttributeValues: { ':seen': seenRev } }),
          }),
        );
        return true;
      } catch (err) {
        if (isConditionFailed(err)) return false;
        throw err;
      }
    },
    async putDeadLetter(programId, connectorId, letter: DeadLetter) {
      await ddb.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...keys.deadLetter(programId, connectorId, letter.receivedAt, letter.deliveryId),
            entity: 'deadLetter',
            ...letter,
            ttl: ttlIn(DEAD_LETTER_TTL_SECONDS),
          },
        }),
      );
    },
    async listDeadLetters(programId, connectorId, page) {
      const { pk, prefix } = collections.deadLetters(programId, connectorId);
      const out = await queryPage(ddb, tableName, {
        pk,
        prefix,
        limit: page.limit,
        cursor: page.cursor ?? null,
        newestFirst: true,
      });
      return {
        items: out.items.map((i) => ({
          deliveryId: i.deliveryId,
          topic: i.topic,
          reason: i.reason,
          receivedAt: i.receivedAt,
          failedAt: i.failedAt,
          platformIds: i.platformIds ?? {},
        })),
        nextCursor: out.nextCursor,
      };
    },
  };
}
