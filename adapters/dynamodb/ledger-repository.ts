import {
  BatchGetCommand,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Balances, BreakdownLine, Lot, Member, Transaction } from '../../core/ledger/domain/types';
import type { PurchaseFacts } from '../../core/ledger/domain/ledger';
import type { Returned } from '../../core/earning/domain/returns';
import { NEW_MEMBER, type MemberState } from '../../core/ledger/domain/member-state';
import { keys, type ItemKey } from './keys';
import { failedConditions } from './errors';
import { queryPrefix } from './query';
import { ledgerWriter, type LedgerWriterFn } from './ledger-writer';

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
  /** What returns need: the purchase, each item's share of the points, the lot it created, what was returned so far. */
  purchase: PurchaseFacts;
  itemPoints: { sku: string; quantity: number; points: number }[];
  lot: { lotId: string; expiresAt: string | null } | null;
  returned: Returned;
  version: number;
  memberFacts?: Record<string, unknown>;
}

export function toRecordedOrder(item: Record<string, any>): RecordedOrder {
  return {
    fingerprint: item.fingerprint,
    result: item.result,
    purchase: item.purchase,
    itemPoints: item.itemPoints ?? [],
    lot: item.lot ?? null,
    returned: item.returned ?? { points: 0, amount: 0, quantities: {} },
    version: item.version ?? 0,
    memberFacts: item.memberFacts,
  };
}

export interface ProfileChanges {
  email?: string | null;
  name?: string | null;
  birthDate?: string | null;
  attributes?: Member['attributes'] | null;
  /** The referring member (resolved from a referral code); set once, never overwritten. */
  referredBy?: string;
}

export interface TransactionPage {
  items: Transaction[];
  nextCursor: string | null;
}

export interface LedgerRepository {
  /** One consistent read for what an earn needs to know: the member and whether the order is known. */
  loadForEarn(programId: string, memberId: string, orderId: string): Promise<{ member: MemberState; order: RecordedOrder | null }>;
  /** One consistent BatchGet of a member and any other items (guards, orders); missing items are absent from the map. */
  loadWith(programId: string, memberId: string, others: ItemKey[]): Promise<{ member: MemberState; items: Map<string, Record<string, any>> }>;
  getOrder(programId: string, orderId: string): Promise<RecordedOrder | null>;
  getMember(programId: string, memberId: string): Promise<Member | null>;
  /** The member's lots with points left, in sort-key (expiry) order. */
  listLots(programId: string, memberId: string): Promise<Lot[]>;
  write: LedgerWriterFn;
  readonly tableName: string;
  /** The program's recorded purchases with occurredAt in [from, to], through the byProgramDate index. */
  purchasesBetween(programId: string, from: string, to: string): AsyncGenerator<RecordedOrder & { recordedAt?: string }>;
  upsertMember(programId: string, memberId: string, changes: ProfileChanges, requestId: string, now: string): Promise<{ member: Member; created: boolean }>;
  /** The member a referral code belongs to. */
  findReferralCode(programId: string, code: string): Promise<string | null>;
  /** Gives the member this code unless it is taken or the member already has one; false if not assigned. */
  assignReferralCode(programId: string, memberId: string, code: string, now: string): Promise<boolean>;
  listTransactions(programId: string, memberId: string, limit: number, cursor: string | null): Promise<TransactionPage>;
}

const BALANCE_FIELDS = ['available', 'pending', 'lifetimeEarned'] as const;

const COUNTER_PREFIXES = ['u#', 'e#', 'q#'];

/** The ledger part of a member item. Counters are top-level attributes so a write can add or drop one without touching the rest. */
export function toMemberState(item: Record<string, any> | undefined): MemberState {
  if (!item) return NEW_MEMBER;
  const counters: Record<string, number> = {};
  for (const [k, v] of Object.entries(item)) if (COUNTER_PREFIXES.some((p) => k.startsWith(p)) && typeof v === 'number') counters[k] = v;
  return {
    exists: true,
    version: item.version ?? 0,
    available: item.available ?? 0,
    pending: item.pending ?? 0,
    lifetimeEarned: item.lifetimeEarned ?? 0,
    debt: item.debt ?? 0,
    pendingLots: item.pendingLots ?? [],
    tier: item.tier ?? null,
    tierAchievedAt: item.tierAchievedAt ?? null,
    purchaseCount: item.purchaseCount ?? 0,
    referralCode: item.referralCode,
    referredBy: item.referredBy,
    referralRewarded: item.referralRewarded ?? false,
    referralRewards: item.referralRewards ?? 0,
    counters,
    lastActivityAt: item.lastActivityAt,
  };
}

export function toMember(item: Record<string, any>): Member {
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
    referralCode: item.referralCode,
    state: toMemberState(item),
  };
}

export function toLot(item: Record<string, any>): Lot {
  const { lotId, amount, remaining, earnedAt, availableAt, expiresAt, source, reason, orderId } = item;
  return { lotId, amount, remaining, earnedAt, availableAt, expiresAt: expiresAt ?? null, source, reason, ...(orderId ? { orderId } : {}) };
}

function toTransaction(item: Record<string, any>): Transaction {
  const { transactionId, memberId, type, points, reason, source, orderId, eventId, returnId, redemptionId, status, breakdown, lots, occurredAt, recordedAt } = item;
  return { transactionId, memberId, type, points, reason, source, orderId, eventId, returnId, redemptionId, status, breakdown, lots, occurredAt, recordedAt };
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
    return Item ? toRecordedOrder(Item) : null;
  };

  /** Consistent BatchGet keyed "pk|sk"; unprocessed keys (throttling) are retried with backoff. */
  const batchGet = async (wanted: ItemKey[]): Promise<Map<string, Record<string, any>>> => {
    const found = new Map<string, Record<string, any>>();
    let pending: ItemKey[] = wanted;
    for (let attempt = 0; pending.length; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      if (attempt > 6) throw new Error('BatchGetItem kept returning unprocessed keys');
      const out = await ddb.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }));
      for (const item of out.Responses?.[tableName] ?? []) found.set(`${item.pk}|${item.sk}`, item);
      pending = (out.UnprocessedKeys?.[tableName]?.Keys as ItemKey[] | undefined) ?? [];
    }
    return found;
  };

  return {
    async loadWith(programId, memberId, others) {
      const memberKey = keys.member(programId, memberId);
      const items = await batchGet([memberKey, ...others]);
      return { member: toMemberState(items.get(`${memberKey.pk}|${memberKey.sk}`)), items };
    },

    async loadForEarn(programId, memberId, orderId) {
      const orderKey = keys.order(programId, orderId);
      const { member, items } = await this.loadWith(programId, memberId, [orderKey]);
      const order = items.get(`${orderKey.pk}|${orderKey.sk}`);
      return { member, order: order ? toRecordedOrder(order) : null };
    },

    getOrder,

    async listLots(programId, memberId) {
      const items = await queryPrefix(ddb, tableName, keys.memberPk(programId, memberId), keys.lotPrefix, {
        FilterExpression: 'remaining > :zero',
        ExpressionAttributeValues: { ':zero': 0 },
        ConsistentRead: true,
      });
      return items.map(toLot);
    },


    write: ledgerWriter(ddb, tableName),
    tableName,

    async *purchasesBetween(programId, from, to) {
      const d = new Date(`${from.slice(0, 7)}-01T00:00:00Z`);
      for (; d.toISOString().slice(0, 7) <= to.slice(0, 7); d.setUTCMonth(d.getUTCMonth() + 1)) {
        const month = d.toISOString().slice(0, 7);
        let ExclusiveStartKey: Record<string, any> | undefined;
        do {
          const out = await ddb.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: 'byProgramDate',
              KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
              ExpressionAttributeValues: { ':pk': keys.purchaseByDate(programId, `${month}-01`, '').gsi2pk, ':from': from, ':to': `${to}~` },
              ExclusiveStartKey,
            }),
          );
          for (const item of out.Items ?? []) yield { ...toRecordedOrder(item), recordedAt: item.recordedAt };
          ExclusiveStartKey = out.LastEvaluatedKey;
        } while (ExclusiveStartKey);
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
      if (changes.referredBy) {
        sets.push('referredBy = if_not_exists(referredBy, :referredBy)');
        values[':referredBy'] = changes.referredBy;
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
          ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      // enrolRequestId is set only by the request that created the item.
      return { member: toMember(Attributes!), created: Attributes!.enrolRequestId === requestId };
    },

    async findReferralCode(programId, code) {
      const { Item } = await ddb.send(new GetCommand({ TableName: tableName, Key: keys.referralCode(programId, code) }));
      return (Item?.memberId as string | undefined) ?? null;
    },

    async assignReferralCode(programId, memberId, code, now) {
      try {
        await ddb.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tableName, Item: { ...keys.referralCode(programId, code), entity: 'referralCode', programId, memberId, createdAt: now }, ConditionExpression: 'attribute_not_exists(pk)' } },
              {
                Update: {
                  TableName: tableName,
                  Key: keys.member(programId, memberId),
                  UpdateExpression: 'SET referralCode = :code',
                  ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(referralCode)',
                  ExpressionAttributeValues: { ':code': code },
                },
              },
            ],
          }),
        );
        return true;
      } catch (err) {
        if (failedConditions(err)) return false;
        throw err;
      }
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
