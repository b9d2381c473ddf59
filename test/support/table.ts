import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import { createTableFromTemplate } from '../../adapters/dynamodb/create-table';

/** A fresh table on the run's DynamoDB Local, created from the synthesized stateful template. */
export async function createTestTable(prefix = 'test') {
  const endpoint = inject('dynamodbEndpoint');
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  const raw = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await createTableFromTemplate(raw, inject('statefulTemplate'), tableName);
  const ddb = createDocumentClient({ endpoint, region: 'us-east-1' });
  return {
    endpoint,
    tableName,
    ddb,
    /** Every item in the table: tests assert that rejected requests wrote nothing. */
    async scanAll(): Promise<Record<string, any>[]> {
      const items: Record<string, any>[] = [];
      let ExclusiveStartKey: Record<string, any> | undefined;
      do {
        const out = await ddb.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey, ConsistentRead: true }));
        items.push(...(out.Items ?? []));
        ExclusiveStartKey = out.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return items;
    },
    async drop() {
      await raw.send(new DeleteTableCommand({ TableName: tableName })).catch(() => {});
    },
  };
}
