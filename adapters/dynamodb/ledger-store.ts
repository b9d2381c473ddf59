import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { retryOnConflict, WriteConflict } from '../../core/kernel/retry';
import type { LedgerStore, ProfileChanges } from '../../core/ledger/ports';
import { normalizeEmail } from '../../core/members/domain/lookups';
import { toLot } from './entities/lot';
import { referralCodePut, toMember, toMemberState } from './entities/member';
import { emailLookupDelete, emailLookupPut } from './entities/operator';
import { toTransaction } from './entities/transaction';
import { toWriteConflict } from './errors';
import { collections, keys } from './keys';
import { batchGet, queryAll, queryPage, queryPrefix } from './query';
import { ledgerCommitter, transact } from './unit-of-work';

const BALANCE_FIELDS = ['available', 'pending', 'lifetimeEarned'] as const;

export function dynamoLedgerStore(ddb: DynamoDBDocumentClient, tableName: string): LedgerStore {
  return {
    async loadMember(programId, memberId) {
      const memberKey = keys.member(programId, memberId);
      const items = await batchGet(ddb, tableName, [memberKey]);
      return toMemberState(items.get(memberKey));
    },

    async getMember(programId, memberId) {
      const { Item } = await ddb.send(new GetCommand({ TableName: tableName, Key: keys.member(programId, memberId) }));
      return Item ? toMember(Item) : null;
    },

    async memberWithLots(programId, memberId) {
      const items = await queryAll(ddb, tableName, {
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        FilterExpression: 'attribute_not_exists(remaining) OR remaining > :zero',
        ExpressionAttributeValues: {
          ':pk': collections.member(programId, memberId),
          ':from': collections.memberView.from,
          ':to': collections.memberView.to,
          ':zero': 0,
        },
      });
      const profile = items.find((i) => i.sk === 'PROFILE');
      return { member: profile ? toMember(profile) : null, lots: items.filter((i) => i.entity === 'lot').map(toLot) };
    },

    async listLots(programId, memberId) {
      const items = await queryPrefix(ddb, tableName, collections.member(programId, memberId), collections.lots, {
        FilterExpression: 'remaining > :zero',
        ExpressionAttributeValues: { ':zero': 0 },
        ConsistentRead: true,
      });
      return items.map(toLot);
    },

    async lotsExpiringBy(programId, memberId, asOf) {
      const items = await queryAll(ddb, tableName, {
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        FilterExpression: 'remaining > :zero',
        ExpressionAttributeValues: {
          ':pk': collections.member(programId, memberId),
          ':from': collections.lots,
          ':to': collections.lotsThrough(asOf),
          ':zero': 0,
        },
        ConsistentRead: true,
      });
      return items.map(toLot);
    },

    async listTransactions(programId, memberId, limit, cursor) {
      const page = await queryPage(ddb, tableName, {
        pk: collections.member(programId, memberId),
        prefix: collections.transactions,
        limit,
        cursor,
        newestFirst: true,
      });
      return { items: page.items.map(toTransaction), nextCursor: page.nextCursor };
    },

    commit: ledgerCommitter(ddb, tableName),

    async upsertMember(programId, memberId, changes, requestId, now) {
      const update = profileUpdate(tableName, programId, memberId, changes, requestId, now);
      if (changes.email === undefined) {
        const { Attributes } = await ddb.send(new UpdateCommand({ ...update, ReturnValues: 'ALL_NEW' }));
        // enrolRequestId is set only by the request that created the item.
        return { member: toMember(Attributes!), created: Attributes!.enrolRequestId === requestId };
      }
      // A new email moves the member's email lookup in the same transaction as the profile, under the email read.
      const ctx = { tableName, programId, now };
      const next = changes.email === null ? null : normalizeEmail(changes.email);
      await retryOnConflict(`Member "${memberId}"`, async () => {
        const { Item } = await ddb.send(
          new GetCommand({ TableName: tableName, Key: keys.member(programId, memberId), ConsistentRead: true }),
        );
        const seen = Item?.email as string | undefined;
        const previous = seen === undefined ? null : normalizeEmail(seen);
        const values = { ...update.ExpressionAttributeValues, ...(seen === undefined ? {} : { ':seenEmail': seen }) };
        const items = [
          {
            tag: `member:${memberId}`,
            item: {
              Update: {
                ...update,
                ExpressionAttributeValues: values,
                ConditionExpression: seen === undefined ? 'attribute_not_exists(email)' : 'email = :seenEmail',
              },
            },
          },
          ...(previous !== null && previous !== next ? [emailLookupDelete(ctx, previous, memberId)] : []),
          ...(next !== null && previous !== next ? [emailLookupPut(ctx, next, memberId)] : []),
        ];
        await transact(ddb, items);
      });
      const { Item } = await ddb.send(
        new GetCommand({ TableName: tableName, Key: keys.member(programId, memberId), ConsistentRead: true }),
      );
      return { member: toMember(Item!), created: Item!.enrolRequestId === requestId };
    },

    async findReferralCode(programId, code) {
      const { Item } = await ddb.send(
        new GetCommand({ TableName: tableName, Key: keys.referralCode(programId, code) }),
      );
      return (Item?.memberId as string | undefined) ?? null;
    },

    async assignReferralCode(programId, memberId, code, now) {
      const codeItem = referralCodePut({ tableName, programId, now }, memberId, code);
      try {
        await ddb.send(
          new TransactWriteCommand({
            TransactItems: [
              codeItem.item,
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
        // The code is taken, or the member already has one (or does not exist): not assigned.
        const conflict = toWriteConflict(err, ['refcode', 'member']);
        if (conflict instanceof WriteConflict && !conflict.busy) return false;
        throw conflict;
      }
    },
  };
}

/** The profile's UpdateItem: sent fields set, nulls removed, enrolment fields only if absent. */
function profileUpdate(
  tableName: string,
  programId: string,
  memberId: string,
  changes: ProfileChanges,
  requestId: string,
  now: string,
) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {
    ':member': 'member',
    ':pid': programId,
    ':mid': memberId,
    ':now': now,
    ':rid': requestId,
    ':api': 'api',
    ':zero': 0,
  };
  const sets = [
    'entity = :member',
    'programId = :pid',
    'memberId = :mid',
    'updatedAt = :now',
    'enrolledAt = if_not_exists(enrolledAt, :now)',
    'enrolRequestId = if_not_exists(enrolRequestId, :rid)',
    // The stream announces Member Enrolled from the new item (adapters/dynamodb/stream.ts).
    'enrolledVia = if_not_exists(enrolledVia, :api)',
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
  return {
    TableName: tableName,
    Key: keys.member(programId, memberId),
    UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
    ExpressionAttributeValues: values,
  };
}
