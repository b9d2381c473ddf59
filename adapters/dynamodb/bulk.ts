// Bulk writes of whole member ledgers (benches and tests that need tables of 100,000 items),
// and the bare DynamoDB requests of an earn (the bench's baseline). Items are the ones the stores
// write: built by the same entity modules, so they read back exactly as written.

import { createHash } from 'node:crypto';
import { type AttributeValue, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { PurchaseFacts } from '../../core/earning/domain/purchase';
import type { OrderRecorded } from '../../core/earning/ports';
import type { BreakdownLine, Lot, Transaction } from '../../core/ledger/domain/types';
import { lotPut } from './entities/lot';
import { orderPut } from './entities/order';
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
 * a lot. The guard, the transaction and the lot are built by the entity modules the app writes
 * through, from the purchase and a breakdown the caller took from a real earn, so they have the
 * app's shapes and sizes (and the capacity they bill follows any change to them); no rule, use case
 * or validation runs. The bench runs it beside the real handler.
 */
export async function bareEarn(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  programId: string,
  p: { purchase: PurchaseFacts; points: number; breakdown: BreakdownLine[]; id: string; now: string },
): Promise<void> {
  const { purchase, points, breakdown, id, now } = p;
  const { memberId, orderId } = purchase;
  const ctx = { tableName, programId, now };
  const memberKey = keys.member(programId, memberId);
  const orderKey = keys.order(programId, orderId);
  await ddb.send(
    new BatchGetCommand({ RequestItems: { [tableName]: { Keys: [memberKey, orderKey], ConsistentRead: true } } }),
  );
  const lines = purchase.items ?? [];
  const lot: Lot = {
    lotId: id,
    amount: points,
    remaining: points,
    earnedAt: now,
    availableAt: now,
    expiresAt: null,
    source: 'purchase',
    reason: `Purchase ${orderId}`,
    orderId,
  };
  const tx: Transaction = {
    transactionId: id,
    memberId,
    type: 'earn',
    points,
    reason: lot.reason,
    source: 'purchase',
    orderId,
    status: 'credited',
    breakdown,
    lots: [{ lotId: id, points }],
    occurredAt: purchase.occurredAt,
    recordedAt: now,
  };
  const order: OrderRecorded['order'] = {
    fingerprint: createHash('sha256').update(JSON.stringify(purchase)).digest('base64url'),
    result: { transactionId: id, orderId, memberId, points, status: 'credited', breakdown },
    purchase,
    itemPoints: lines.map((l, i) => ({
      sku: l.sku,
      quantity: l.quantity,
      points: i ? Math.floor(points / lines.length) : points - (lines.length - 1) * Math.floor(points / lines.length),
    })),
    earnedOn: purchase.amount,
    lot: { lotId: id, expiresAt: null },
    returned: { points: 0, amount: 0, quantities: {} },
    version: 0,
    memberFacts: { tier: null, purchaseCount: 1, referredBy: null },
    recordedAt: now,
  };
  await ddb.send(
    new TransactWriteCommand({
      TransactItems: [
        orderPut(ctx, { kind: 'order-recorded', order }).item,
        {
          Update: {
            TableName: tableName,
            Key: memberKey,
            UpdateExpression: 'ADD available :p, lifetimeEarned :p',
            ExpressionAttributeValues: { ':p': points },
          },
        },
        transactionPut(ctx, tx).item,
        lotPut(ctx, memberId, lot).item,
      ],
    }),
  );
}

/** An item as DynamoDB holds it (attribute values, not documents), read consistently: what the bench sizes. */
export async function getStoredItem(
  client: DynamoDBClient,
  tableName: string,
  key: Record<string, AttributeValue>,
): Promise<Record<string, AttributeValue> | undefined> {
  const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
  return Item;
}
