import {
  BatchGetCommand,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Balances, BreakdownLine, Member, Transaction } from '../../domain/types';
import type { CreditPlan, PurchaseFacts } from '../../domain/ledger';
import { MemberNotFound } from '../../errors';
import { failedConditions } from './errors';
import { keys } from './keys';

export interface EarnResult {
  transactionId: string;
  orderId: string;
  memberId: string;
  points: number;
  status: Transaction['status'];
  breakdown: BreakdownLine[];
}

export interface RecordedOrder {
  fingerprint: string;
  result: EarnResult;
}

export interface ProfileChanges {
  email?: string | null;
  name?: string | null;
  birthDate?: string | null;
  attributes?: Member['attributes'] | null;
}

export interface TransactionPage {
  items: Transaction[];
  nextCursor: string | null;
}

export interface LedgerRepository {
  /** One consistent read for what an earn needs to know: the member and whether the order is known. */
  loadForEarn(programId: string, memberId: string, orderId: string): Promise<{ member: Member | null; order: RecordedOrder | null }>;
  getOrder(programId: string, orderId: string): Promise<RecordedOrder | null>;
  /**
   * Writes the order guard, lot, transaction and balance in one TransactWriteItems.
   * Returns 'duplicate' when the order guard already exists (a concurrent or earlier credit).
   */
  recordCredit(args: {
    programId: string;
    purchase: PurchaseFacts;
    fingerprint: string;
    plan: CreditPlan;
    result: EarnResult;
    enrol: boolean;
    now: string;
  }): Promise<'recorded' | 'duplicate'>;
  getMember(programId: string, memberId: string): Promise<Member | null>;
  upsertMember(programId: string, memberId: string, changes: ProfileChanges, requestId: string, now: string): Promise<{ member: Member; created: boolean }>;
  listTransactions(programId: string, memberId: string, limit: number, cursor: string | null): Promise<TransactionPage>;
}

const BALANCE_FIELDS = ['available', 'pending', 'lifetimeEarned'] as const;

function toMember(item: Record<string, any>): Member {
  return {
    programId: item.programId,
    memberId: item.memberId,
    email: item.email,
    name: item.name,
    birthDate: item.birthDate,
    attributes: item.attributes ?? {},
    tier: item.tier ?? null,
    points: { available: item.available ?? 0, pending: item.pending ?? 0, lifetimeEarned: item.lifetimeEarned ?? 0 },
    enrolledAt: item.enrolledAt,
    updatedAt: item.updatedAt,
  };
}

function toTransaction(item: Record<string, any>): Transaction {
  const { transactionId, memberId, type, points, reason, source, orderId, status, breakdown, lots, occurredAt, recordedAt } = item;
  return { transactionId, memberId, type, points, reason, source, orderId, status, breakdown, lots, occurredAt, recordedAt };
}

/** Cursors carry only the sort key; the partition always comes from the caller's program and member. */
export function encodeCursor(sk: string): string {
  return Buffer.from(JSON.stringify({ sk }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, prefix: string): string | null {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return typeof parsed?.sk === 'string' && parsed.sk.startsWith(prefix) ? parsed.sk : null;
  } catch {
    return null;
  }
}

export function dynamoLedgerRepository(ddb: DynamoDBDocumentClient, tableName: string): LedgerRepository {
  const getOrder = async (programId: string, orderId: string): Promise<RecordedOrder | null> => {
    const { Item } = await ddb.send(new GetCommand({ TableName: tableName, Key: keys.order(programId, orderId), ConsistentRead: true }));
    return Item ? { fingerprint: Item.fingerprint, result: Item.result } : null;
  };

  return {
    async loadForEarn(programId, memberId, orderId) {
      const memberKey = keys.member(programId, memberId);
      const orderKey = keys.order(programId, orderId);
      let pending: Record<string, any>[] = [memberKey, orderKey];
      const found: Record<string, any>[] = [];
      // BatchGet may return unprocessed keys under throttling; retry just those.
      for (let attempt = 0; pending.length && attempt < 5; attempt++) {
        const out = await ddb.send(
          new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        found.push(...(out.Responses?.[tableName] ?? []));
        pending = (out.UnprocessedKeys?.[tableName]?.Keys as Record<string, any>[]) ?? [];
        if (pending.length) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      }
      const memberItem = found.find((i) => i.pk === memberKey.pk && i.sk === memberKey.sk);
      const orderItem = found.find((i) => i.pk === orderKey.pk && i.sk === orderKey.sk);
      return {
        member: memberItem ? toMember(memberItem) : null,
        order: orderItem ? { fingerprint: orderItem.fingerprint, result: orderItem.result } : null,
      };
    },

    getOrder,

    async recordCredit({ programId, purchase, fingerprint, plan, result, enrol, now }) {
      const { memberId } = purchase;
      const memberKey = keys.member(programId, memberId);
      const delta = plan.delta;
      const memberUpdate = enrol
        ? {
            UpdateExpression:
              'ADD available :a, pending :p, lifetimeEarned :l, purchaseCount :one ' +
              'SET entity = :member, programId = :pid, memberId = :mid, attributes = if_not_exists(attributes, :empty), ' +
              'enrolledAt = if_not_exists(enrolledAt, :now), enrolledVia = if_not_exists(enrolledVia, :via), updatedAt = :now',
            ExpressionAttributeValues: {
              ':a': delta.available, ':p': delta.pending, ':l': delta.lifetimeEarned, ':one': 1,
              ':member': 'member', ':pid': programId, ':mid': memberId, ':empty': {}, ':now': now, ':via': 'purchase',
            },
          }
        : {
            UpdateExpression: 'ADD available :a, pending :p, lifetimeEarned :l, purchaseCount :one SET updatedAt = :now',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':a': delta.available, ':p': delta.pending, ':l': delta.lifetimeEarned, ':one': 1, ':now': now },
          };
      const tx = plan.transaction;
      try {
        await ddb.send(
          new TransactWriteCommand({
            ReturnConsumedCapacity: 'TOTAL',
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { ...keys.order(programId, purchase.orderId), entity: 'order', programId, purchase, fingerprint, result, recordedAt: now },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              { Update: { TableName: tableName, Key: memberKey, ...memberUpdate } },
              { Put: { TableName: tableName, Item: { ...keys.transaction(programId, memberId, tx.transactionId), entity: 'tx', programId, ...tx } } },
              ...(plan.lot
                ? [{ Put: { TableName: tableName, Item: { ...keys.lot(programId, memberId, plan.lot.expiresAt, plan.lot.lotId), entity: 'lot', programId, memberId, ...plan.lot } } }]
                : []),
            ],
          }),
        );
        return 'recorded';
      } catch (err) {
        const failed = failedConditions(err);
        if (failed?.includes(0)) return 'duplicate';
        if (failed?.includes(1)) throw new MemberNotFound(memberId);
        throw err;
      }
    },

    async getMember(programId, memberId) {
      const { Item } = await ddb.send(new GetCommand({ TableName: tableName, Key: keys.member(programId, memberId) }));
      return Item ? toMember(Item) : null;
    },

    async upsertMember(programId, memberId, changes, requestId, now) {
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {
        ':member': 'member', ':pid': programId, ':mid': memberId, ':now': now, ':rid': requestId, ':zero': 0,
      };
      const sets = [
        'entity = :member', 'programId = :pid', 'memberId = :mid', 'updatedAt = :now',
        'enrolledAt = if_not_exists(enrolledAt, :now)', 'enrolRequestId = if_not_exists(enrolRequestId, :rid)',
        ...BALANCE_FIELDS.map((f) => `${f} = if_not_exists(${f}, :zero)`),
      ];
      const removes: string[] = [];
      for (const field of ['email', 'name', 'birthDate', 'attributes'] as const) {
        const value = changes[field];
        if (value === undefined) continue;
        names[`#${field}`] = field;
        if (value === null) removes.push(`#${field}`);
        else {
          sets.push(`#${field} = :${field}`);
          values[`:${field}`] = value;
        }
      }
      if (changes.attributes === undefined) {
        sets.push('attributes = if_not_exists(attributes, :empty)');
        values[':empty'] = {};
      }
      const { Attributes } = await ddb.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.member(programId, memberId),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      // enrolRequestId is set only by the request that created the item.
      return { member: toMember(Attributes!), created: Attributes!.enrolRequestId === requestId };
    },

    async listTransactions(programId, memberId, limit, cursor) {
      const pk = keys.memberPk(programId, memberId);
      // One extra item tells whether another page exists, so the last page never comes back empty.
      const out = await ddb.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': pk, ':prefix': keys.transactionPrefix },
          ExclusiveStartKey: cursor ? { pk, sk: cursor } : undefined,
          ScanIndexForward: false,
          Limit: limit + 1,
        }),
      );
      const page = (out.Items ?? []).slice(0, limit);
      const more = (out.Items?.length ?? 0) > limit;
      return { items: page.map(toTransaction), nextCursor: more ? encodeCursor(page[page.length - 1]!.sk) : null };
    },
  };
}

export type { Balances };
