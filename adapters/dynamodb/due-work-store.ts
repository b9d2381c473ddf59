import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DueWork } from '../../core/jobs/ports';
import { noticeItem, scheduleItem, scheduleMove, toDueEntry } from './entities/job';
import { toLot } from './entities/lot';
import { toMemberState } from './entities/member';
import { duePartition, dueThrough, inActivationIndex, keys } from './keys';
import { batchGet } from './query';
import { TABLE_SCHEMA } from './schema';

export function dynamoDueWork(ddb: DynamoDBDocumentClient, tableName: string): DueWork {
  const index = TABLE_SCHEMA.indexes.byDueDate;
  return {
    async page(partition, bounds, cursor, limit = 100) {
      const pk = duePartition(partition.kind, partition.day, partition.shard);
      const out = await ddb.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: index.name,
          KeyConditionExpression: bounds.after
            ? `${index.partitionKey} = :p AND ${index.sortKey} BETWEEN :lo AND :hi`
            : `${index.partitionKey} = :p AND ${index.sortKey} <= :hi`,
          ExpressionAttributeValues: {
            ':p': pk,
            ':hi': dueThrough(bounds.upTo),
            ...(bounds.after ? { ':lo': dueThrough(bounds.after) } : {}),
          },
          ExclusiveStartKey: cursor,
          Limit: limit,
        }),
      );
      return {
        entries: (out.Items ?? []).map(toDueEntry),
        ...(out.LastEvaluatedKey ? { next: out.LastEvaluatedKey } : {}),
      };
    },

    async stillPendingInIndex(programId, memberId, lot) {
      const key = keys.lot(programId, memberId, lot.expiresAt, lot.lotId);
      const { Item } = await ddb.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      return Item && inActivationIndex(Item) ? toLot(Item) : null;
    },

    async getSchedule(programId, memberId, kind) {
      const { Item } = await ddb.send(
        new GetCommand({ TableName: tableName, Key: keys.schedule(programId, memberId, kind), ConsistentRead: true }),
      );
      return Item ? { dueAt: Item.dueAt } : null;
    },

    async putSchedule(programId, memberId, kind, dueAt) {
      await ddb.send(new PutCommand({ TableName: tableName, Item: scheduleItem(programId, memberId, kind, dueAt) }));
    },

    async loadWithSchedule(programId, memberId, kind) {
      const memberKey = keys.member(programId, memberId);
      const scheduleKey = keys.schedule(programId, memberId, kind);
      const items = await batchGet(ddb, tableName, [memberKey, scheduleKey]);
      const schedule = items.get(scheduleKey);
      return { member: toMemberState(items.get(memberKey)), schedule: schedule ? { dueAt: schedule.dueAt } : null };
    },

    async moveSchedule(programId, memberId, kind, seen, next) {
      const op = scheduleMove(tableName, programId, { memberId, schedule: kind, seen, next });
      try {
        if (op.Delete) await ddb.send(new DeleteCommand(op.Delete as ConstructorParameters<typeof DeleteCommand>[0]));
        else if (op.Update)
          await ddb.send(new UpdateCommand(op.Update as ConstructorParameters<typeof UpdateCommand>[0]));
        return true;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return false;
        throw err;
      }
    },

    async claimNotice(record) {
      try {
        await ddb.send(
          new PutCommand({
            TableName: tableName,
            Item: noticeItem(record),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return record;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return null;
        throw err;
      }
    },

    async noticeClaimed(r) {
      const key = keys.notice(r.programId, r.memberId, r.id);
      const { Item } = await ddb.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      return Boolean(Item);
    },

    async markPublished(records, now) {
      const requests = records.map((r) =>
        r.kind === 'outbox'
          ? { DeleteRequest: { Key: keys.outbox(r.programId, r.memberId, r.id) } }
          : { PutRequest: { Item: noticeItem(r, now) } },
      );
      for (let i = 0; i < requests.length; i += 25) {
        let pending: typeof requests = requests.slice(i, i + 25);
        for (let attempt = 0; pending.length; attempt++) {
          if (attempt > 6) throw new Error('BatchWriteItem kept returning unprocessed items');
          if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
          const out = await ddb.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
          pending = (out.UnprocessedItems?.[tableName] as typeof requests | undefined) ?? [];
        }
      }
    },

    async getCheckpoint(job) {
      const { Item } = await ddb.send(
        new GetCommand({ TableName: tableName, Key: keys.checkpoint(job), ConsistentRead: true }),
      );
      if (!Item) return null;
      return {
        job,
        from: Item.from,
        lastAsOf: Item.lastAsOf,
        lastRun: Item.lastRun,
        ...(Item.kinds ? { kinds: [...(Item.kinds as Set<string>)].sort() } : {}),
      };
    },

    async initCheckpoint(job, start, kinds) {
      const [field, value] = Object.entries(start)[0]!;
      await ddb.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.checkpoint(job),
          UpdateExpression: 'SET entity = :e, job = :j, #f = if_not_exists(#f, :v) ADD kinds :k',
          ExpressionAttributeNames: { '#f': field },
          ExpressionAttributeValues: { ':e': 'checkpoint', ':j': job, ':v': value, ':k': new Set(kinds) },
        }),
      );
    },

    async saveCheckpoint(job, value, planned) {
      const field = value.from !== undefined ? 'from' : 'lastAsOf';
      const seen = field === 'from' ? planned.from : planned.lastAsOf;
      try {
        await ddb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.checkpoint(job),
            UpdateExpression: 'SET entity = :e, job = :j, #f = :v, lastRun = :run',
            ConditionExpression: seen === undefined ? 'attribute_not_exists(#f)' : '#f = :seen',
            ExpressionAttributeNames: { '#f': field },
            ExpressionAttributeValues: {
              ':e': 'checkpoint',
              ':j': job,
              ':v': value[field],
              ':run': value.lastRun,
              ...(seen === undefined ? {} : { ':seen': seen }),
            },
          }),
        );
        return true;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return false;
        throw err;
      }
    },
  };
}
