// A program's audit log: one partition per program (admin writes are few), sorted by time, read
// newest first between two instants, optionally one key's entries (a filter on the Query).
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditStore } from '../../core/audit/ports';
import { auditItem, toAuditEntry } from './entities/operator';
import { collections } from './keys';
import { decodeCursor, encodeCursor } from './query';

/** Sort keys are `AUDIT#<at>#<id>`: `~` follows every id, so `AUDIT#<to>#~` bounds entries at `to`. */
export function dynamoAuditStore(ddb: DynamoDBDocumentClient, tableName: string): AuditStore {
  return {
    async append(programId, entry) {
      await ddb.send(
        new PutCommand({
          TableName: tableName,
          Item: auditItem(programId, entry),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },

    async list(programId, q) {
      const { pk, prefix } = collections.auditLog(programId);
      const values: Record<string, unknown> = {
        ':pk': pk,
        ':from': `${prefix}${q.from ?? ''}`,
        ':to': `${prefix}${q.to ?? '9999'}#~`,
      };
      if (q.actor) values[':actor'] = q.actor;
      // A filter reads past entries of other keys: keep reading until the page is full or the range ends.
      const items: Record<string, unknown>[] = [];
      let start = q.cursor ? { pk, sk: decodeCursor(q.cursor, prefix) } : undefined;
      do {
        const out = await ddb.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ...(q.actor ? { FilterExpression: 'actorKeyId = :actor' } : {}),
            ExpressionAttributeValues: values,
            ExclusiveStartKey: start,
            ScanIndexForward: false,
            Limit: q.limit + 1,
          }),
        );
        items.push(...(out.Items ?? []));
        start = out.LastEvaluatedKey as typeof start;
      } while (items.length <= q.limit && start);
      const page = items.slice(0, q.limit);
      return {
        items: page.map(toAuditEntry),
        nextCursor: items.length > q.limit ? encodeCursor(page[page.length - 1]!.sk as string) : null,
      };
    },
  };
}
