import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { OrderStore, Recorded, ReturnResult } from '../../core/earning/ports';
import { toMember, toMemberState } from './entities/member';
import { toRecordedOrder } from './entities/order';
import { keys, purchasesOfMonth } from './keys';
import { batchGet, type Item } from './query';
import { TABLE_SCHEMA } from './schema';

const recorded = <R>(item: Item | undefined): Recorded<R> | null =>
  item ? { fingerprint: item.fingerprint, result: item.result as R } : null;

export function dynamoOrderStore(ddb: DynamoDBDocumentClient, tableName: string): OrderStore {
  /** The member and one guard in one consistent BatchGet. */
  const withGuard = async (programId: string, memberId: string, guard: { pk: string; sk: string }) => {
    const memberKey = keys.member(programId, memberId);
    const items = await batchGet(ddb, tableName, [memberKey, guard]);
    return { member: toMemberState(items.get(memberKey)), guard: items.get(guard) };
  };

  return {
    async loadForEarn(programId, memberId, orderId) {
      const { member, guard } = await withGuard(programId, memberId, keys.order(programId, orderId));
      return { member, order: guard ? toRecordedOrder(guard) : null };
    },

    async getOrder(programId, orderId) {
      const { Item } = await ddb.send(
        new GetCommand({ TableName: tableName, Key: keys.order(programId, orderId), ConsistentRead: true }),
      );
      return Item ? toRecordedOrder(Item) : null;
    },

    async loadForReturn(programId, memberId, returnId) {
      const { member, guard } = await withGuard(programId, memberId, keys.returnGuard(programId, returnId));
      return { member, recorded: recorded<ReturnResult>(guard) };
    },

    async loadForEvent(programId, memberId, eventId) {
      const { member, guard } = await withGuard(programId, memberId, keys.eventGuard(programId, eventId));
      return { member, recorded: recorded(guard) };
    },

    async loadMemberOrders(programId, memberId, orderIds) {
      const memberKey = keys.member(programId, memberId);
      const orderKeys = orderIds.map((id) => keys.order(programId, id));
      const items = await batchGet(ddb, tableName, [memberKey, ...orderKeys]);
      const profile = items.get(memberKey);
      return {
        member: profile ? toMember(profile) : null,
        orders: orderKeys.flatMap((k) => {
          const order = items.get(k);
          return order ? [toRecordedOrder(order)] : [];
        }),
      };
    },

    async *purchasesBetween(programId, from, to) {
      const { name, partitionKey, sortKey } = TABLE_SCHEMA.indexes.byProgramDate;
      const d = new Date(`${from.slice(0, 7)}-01T00:00:00Z`);
      for (; d.toISOString().slice(0, 7) <= to.slice(0, 7); d.setUTCMonth(d.getUTCMonth() + 1)) {
        let ExclusiveStartKey: Item | undefined;
        do {
          const out = await ddb.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: name,
              KeyConditionExpression: `${partitionKey} = :pk AND ${sortKey} BETWEEN :from AND :to`,
              ExpressionAttributeValues: {
                ':pk': purchasesOfMonth(programId, d.toISOString().slice(0, 7)),
                ':from': from,
                ':to': `${to}~`,
              },
              ExclusiveStartKey,
            }),
          );
          for (const item of out.Items ?? []) yield toRecordedOrder(item);
          ExclusiveStartKey = out.LastEvaluatedKey;
        } while (ExclusiveStartKey);
      }
    },
  };
}
