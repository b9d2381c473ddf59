import { BatchGetCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationFailed } from '../../core/kernel/errors';
import type { Page } from '../../core/kernel/page';
import type { ItemKey } from './keys';

export type Item = Record<string, any>;
export type QueryInput = Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName' | 'ExclusiveStartKey'>;

/** Every item a Query matches, following LastEvaluatedKey. For partitions known to be small. */
export async function queryAll(ddb: DynamoDBDocumentClient, tableName: string, input: QueryInput): Promise<Item[]> {
  const items: Item[] = [];
  let ExclusiveStartKey: Item | undefined;
  do {
    const out = await ddb.send(new QueryCommand({ TableName: tableName, ...input, ExclusiveStartKey }));
    items.push(...(out.Items ?? []));
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** The items of a partition whose sort key starts with `prefix`. */
export function queryPrefix(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  prefix: string,
  opts: Omit<QueryInput, 'KeyConditionExpression'> = {},
): Promise<Item[]> {
  return queryAll(ddb, tableName, {
    ...opts,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix, ...(opts.ExpressionAttributeValues ?? {}) },
  });
}

/** Cursors carry only the sort key; the partition always comes from the caller's program and member. */
export function encodeCursor(sk: string): string {
  return Buffer.from(JSON.stringify({ sk }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, prefix: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof parsed?.sk === 'string' && parsed.sk.startsWith(prefix)) return parsed.sk;
  } catch {
    // not ours: said below
  }
  throw new ValidationFailed([{ field: 'cursor', message: 'is not a cursor returned by this endpoint' }]);
}

/**
 * One page of a partition's items under a prefix. One extra item tells whether another page
 * exists, so the last page never comes back empty.
 */
export async function queryPage(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  q: { pk: string; prefix: string; limit: number; cursor: string | null; newestFirst: boolean },
): Promise<Page<Item>> {
  const out = await ddb.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': q.pk, ':prefix': q.prefix },
      ExclusiveStartKey: q.cursor ? { pk: q.pk, sk: decodeCursor(q.cursor, q.prefix) } : undefined,
      ScanIndexForward: !q.newestFirst,
      Limit: q.limit + 1,
    }),
  );
  const items = (out.Items ?? []).slice(0, q.limit);
  const more = (out.Items?.length ?? 0) > q.limit;
  return { items, nextCursor: more ? encodeCursor(items[items.length - 1]!.sk) : null };
}

/** Items of a BatchGet, found by key. */
export class ItemsByKey {
  constructor(private readonly items: Map<string, Item>) {}
  get(key: ItemKey): Item | undefined {
    return this.items.get(`${key.pk}|${key.sk}`);
  }
}

/** Consistent BatchGet; unprocessed keys (throttling) are retried with backoff. */
export async function batchGet(ddb: DynamoDBDocumentClient, tableName: string, wanted: ItemKey[]): Promise<ItemsByKey> {
  const found = new Map<string, Item>();
  let pending: ItemKey[] = wanted;
  for (let attempt = 0; pending.length; attempt++) {
    if (attempt > 6) throw new Error('BatchGetItem kept returning unprocessed keys');
    if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
    const out = await ddb.send(
      new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
    );
    for (const item of out.Responses?.[tableName] ?? []) found.set(`${item.pk}|${item.sk}`, item);
    pending = (out.UnprocessedKeys?.[tableName]?.Keys as ItemKey[] | undefined) ?? [];
  }
  return new ItemsByKey(found);
}
