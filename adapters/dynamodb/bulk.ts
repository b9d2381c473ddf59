// Bulk writes of whole member ledgers (benches and tests that need tables of 100,000 items),
// and the bare DynamoDB requests of an earn (the bench's baseline). Items are the ones the stores
// write: built by the same entity modules, so they read back exactly as written.
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Lot, Transaction } from '../../core/ledger/domain/types';
import { lotPut } from './entities/lot';
import { transactionPut } from './entities/transaction';
import { keys } from './keys';
import type { Item } from './query';

export interface MemberLedger {
  memberId: string;
  lots: Lot[];
  /** Earned at; also the member's last activity. */
  at: string;
}

/** The items of members holding `lots` (one earn transaction each), balances equal to the sum of the lots. */
export function ledgerItems(
  tableName: string,
  programId: string,
  members: readonly MemberLedger[],
  now: string,
): Item[] {
  const ctx = { tableName, programId, now };
  return members.flatMap(({ memberId, lots, at }) => {
    const available = lots.reduce((s, l) => s + l.remaining, 0);
    const member = {
      ...keys.member(programId, memberId),
      entity: 'member',
      programId,
      memberId,
      available,
      pending: 0,
      lifetimeEarned: available,
      version: 1,
      enrolledAt: at,
      updatedAt: at,
      attributes: {},
      lastActivityAt: at,
    };
    const rest = lots.flatMap((lot) => {
      const tx: Transaction = {
        transactionId: `T${lot.lotId}`,
        memberId,
        type: 'earn',
        points: lot.remaining,
        reason: lot.reason,
        source: lot.source,
        status: 'credited',
        breakdown: [],
        lots: [{ lotId: lot.lotId, points: lot.remaining }],
        occurredAt: at,
        recordedAt: at,
      };
      return [lotPut(ctx, memberId, lot).item.Put!.Item!, transactionPut(ctx, tx).item.Put!.Item!];
    });
    return [member, ...rest];
  });
}

/** BatchWriteItem in chunks of 25, several at once, retrying unprocessed items. */
export async function putItems(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Item[],
  concurrency = 8,
): Promise<void> {
  const chunks: Item[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < chunks.length) {
        let pending: { PutRequest: { Item: Item } }[] = chunks[next++]!.map((Item) => ({ PutRequest: { Item } }));
        while (pending.length) {
          const out = await ddb.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
          pending = (out.UnprocessedItems?.[tableName] as typeof pending | undefined) ?? [];
        }
      }
    }),
  );
}

/**
 * What an earn costs DynamoDB with no application around it: one consistent BatchGet of the
 * member and the order guard, one TransactWriteItems of the guard, the member, a transaction and
 * a lot (minimal items). The bench runs it beside the real handler.
 */
export async function bareEarn(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  programId: string,
  p: { memberId: string; orderId: string; purchase: unknown; points: number; id: string },
): Promise<void> {
  const memberKey = keys.member(programId, p.memberId);
  const orderKey = keys.order(programId, p.orderId);
  await ddb.send(
    new BatchGetCommand({ RequestItems: { [tableName]: { Keys: [memberKey, orderKey], ConsistentRead: true } } }),
  );
  await ddb.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: { ...orderKey, purchase: p.purchase, result: { points: p.points } },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Update: {
            TableName: tableName,
            Key: memberKey,
            UpdateExpression: 'ADD available :p, lifetimeEarned :p',
            ExpressionAttributeValues: { ':p': p.points },
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: { ...keys.transaction(programId, p.memberId, p.id), points: p.points, orderId: p.orderId },
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: { ...keys.lot(programId, p.memberId, null, p.id), amount: p.points, remaining: p.points },
          },
        },
      ],
    }),
  );
}
