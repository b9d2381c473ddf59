import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export type QueryInput = Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName' | 'ExclusiveStartKey'>;

/** Every item a Query matches, following LastEvaluatedKey. For partitions known to be small. */
export async function queryAll(ddb: DynamoDBDocumentClient, tableName: string, input: QueryInput): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  let ExclusiveStartKey: Record<string, any> | undefined;
  do {
    const out = await ddb.send(new QueryCommand({ TableName: tableName, ...input, ExclusiveStartKey }));
    items.push(...(out.Items ?? []));
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** The items of a partition whose sort key starts with `prefix`. */
export function queryPrefix(ddb: DynamoDBDocumentClient, tableName: string, pk: string, prefix: string, opts: Omit<QueryInput, 'KeyConditionExpression'> = {}) {
  return queryAll(ddb, tableName, {
    ...opts,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix, ...(opts.ExpressionAttributeValues ?? {}) },
  });
}
