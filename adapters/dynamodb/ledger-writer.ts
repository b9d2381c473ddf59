import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Lot, Transaction } from '../../core/ledger/domain/types';
import type { Activation, MemberState } from '../../core/ledger/domain/member-state';
import { failedConditions } from './errors';
import { dueKeys, keys } from './keys';

/**
 * The one mechanism every ledger operation writes through (earn, events, returns, redemptions,
 * activation, expiry): one TransactWriteItems holding the idempotency guard, the member's new
 * ledger state under an optimistic lock, the lots, the transactions and any extra items.
 */
export interface MemberWrite {
  memberId: string;
  before: MemberState;
  after: MemberState;
  /** Auto-enrolment by this write (the member did not exist). */
  enrol?: { via: string; now: string };
  /** Extra attributes to SET on the member (e.g. referral fields). */
  set?: Record<string, unknown>;
}

export interface LotUpdate {
  memberId: string;
  lot: Lot;
  /** Points taken from the lot; the write fails if the lot no longer holds them. */
  take: number;
  /** Points moved out of the pending-activation index (lot became available). */
  activated?: boolean;
}

export interface ExtraItem {
  tag: string;
  item: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];
}

export interface LedgerWrite {
  programId: string;
  members: MemberWrite[];
  lotPuts?: { memberId: string; lot: Lot }[];
  lotUpdates?: LotUpdate[];
  transactions?: Transaction[];
  /** Guards and other items, each tagged so a failed condition can be told apart. */
  extra?: ExtraItem[];
}

/** A condition in the transaction failed: `tags` says which ("member:<id>", "lot:<id>", or an extra item's tag). */
export class WriteConflict extends Error {
  constructor(readonly tags: string[]) {
    super(`Ledger write conflict on ${tags.join(', ')}`);
  }
  has(prefix: string): boolean {
    return this.tags.some((t) => t === prefix || t.startsWith(`${prefix}:`));
  }
}

const LEDGER_FIELDS = ['available', 'pending', 'lifetimeEarned', 'debt', 'pendingLots', 'tier', 'tierAchievedAt', 'purchaseCount', 'referralRewarded', 'referralRewards', 'lastActivityAt'] as const;

function memberUpdate(programId: string, tableName: string, w: MemberWrite) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':next': w.before.version + 1 };
  const sets: string[] = ['version = :next'];
  const removes: string[] = [];
  let n = 0;
  const set = (attr: string, value: unknown) => {
    const i = n++;
    names[`#a${i}`] = attr;
    if (value === undefined || value === null) {
      removes.push(`#a${i}`);
    } else {
      values[`:v${i}`] = value;
      sets.push(`#a${i} = :v${i}`);
    }
  };
  for (const field of LEDGER_FIELDS) set(field, w.after[field]);
  for (const [k, v] of Object.entries(w.after.counters)) if (w.before.counters[k] !== v) set(k, v);
  for (const k of Object.keys(w.before.counters)) if (!(k in w.after.counters)) set(k, null);
  for (const [k, v] of Object.entries(w.set ?? {})) set(k, v);
  if (w.enrol) {
    set('entity', 'member');
    set('programId', programId);
    set('memberId', w.memberId);
    set('enrolledAt', w.enrol.now);
    set('updatedAt', w.enrol.now);
    set('enrolledVia', w.enrol.via);
    set('attributes', {});
  }
  let condition: string;
  if (!w.before.exists) condition = 'attribute_not_exists(pk)';
  else if (w.before.version === 0) condition = 'attribute_exists(pk) AND attribute_not_exists(version)';
  else {
    condition = 'version = :prev';
    values[':prev'] = w.before.version;
  }
  return {
    Update: {
      TableName: tableName,
      Key: keys.member(programId, w.memberId),
      UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
      ExpressionAttributeValues: values,
    },
  };
}

/** Pending lots wait in the activation index; available lots with an expiry wait in the expiry index. */
export function lotIndexKeys(programId: string, memberId: string, lot: Lot, now: string): Record<string, string> {
  if (lot.availableAt > now) return dueKeys('ACTIVATE', lot.availableAt, programId, memberId, lot.lotId);
  // Points given back to a lot already past its expiry (a cancelled redemption) are due now, in
  // today's partition, so a run that already finished the lot's own day still finds them.
  if (lot.expiresAt && lot.remaining > 0) return dueKeys('EXPIRE', lot.expiresAt > now ? lot.expiresAt : now, programId, memberId, lot.lotId);
  return {};
}

/** A transaction may touch an item once: updates of the same lot (an activation and a debit) are merged. */
function mergeLotUpdates(updates: LotUpdate[]): LotUpdate[] {
  const byLot = new Map<string, LotUpdate>();
  for (const u of updates) {
    const prev = byLot.get(u.lot.lotId);
    if (!prev) byLot.set(u.lot.lotId, u);
    else byLot.set(u.lot.lotId, { ...(prev.activated ? u : prev), take: prev.take + u.take, activated: false });
  }
  return [...byLot.values()];
}

/** Lot updates for pending lots that became available: debt repaid from them, and their index moved from activation to expiry. */
export function activationUpdates(memberId: string, activations: Activation[]): LotUpdate[] {
  return activations.map(({ lot, repaid }) => ({
    memberId,
    lot: { lotId: lot.lotId, amount: lot.points, remaining: lot.points, earnedAt: lot.availableAt, availableAt: lot.availableAt, expiresAt: lot.expiresAt, source: 'purchase', reason: '' },
    take: repaid,
    activated: true,
  }));
}

export function ledgerWriter(ddb: DynamoDBDocumentClient, tableName: string) {
  return async function write(w: LedgerWrite, now: string): Promise<void> {
    const { programId } = w;
    const tagged: { tag: string; item: ExtraItem['item'] }[] = [];
    for (const e of w.extra ?? []) tagged.push(e);
    for (const m of w.members) tagged.push({ tag: `member:${m.memberId}`, item: memberUpdate(programId, tableName, m) });
    for (const { memberId, lot } of w.lotPuts ?? []) {
      tagged.push({
        tag: `lot:${lot.lotId}`,
        item: {
          Put: {
            TableName: tableName,
            Item: { ...keys.lot(programId, memberId, lot.expiresAt, lot.lotId), entity: 'lot', programId, memberId, ...lot, ...lotIndexKeys(programId, memberId, lot, now) },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      });
    }
    for (const u of mergeLotUpdates(w.lotUpdates ?? [])) {
      const remaining = u.lot.remaining - u.take;
      const index = lotIndexKeys(programId, u.memberId, { ...u.lot, remaining }, now);
      const setIndex = index.gsi1pk ? ', gsi1pk = :gpk, gsi1sk = :gsk' : '';
      tagged.push({
        tag: `lot:${u.lot.lotId}`,
        item: {
          Update: {
            TableName: tableName,
            Key: keys.lot(programId, u.memberId, u.lot.expiresAt, u.lot.lotId),
            UpdateExpression: `SET remaining = remaining - :take${setIndex}${index.gsi1pk ? '' : ' REMOVE gsi1pk, gsi1sk'}`,
            ConditionExpression: 'remaining >= :take',
            ExpressionAttributeValues: { ':take': u.take, ...(index.gsi1pk ? { ':gpk': index.gsi1pk, ':gsk': index.gsi1sk } : {}) },
          },
        },
      });
    }
    for (const tx of w.transactions ?? []) {
      tagged.push({
        tag: `tx:${tx.transactionId}`,
        item: { Put: { TableName: tableName, Item: { ...keys.transaction(programId, tx.memberId, tx.transactionId), entity: 'tx', programId, ...tx } } },
      });
    }
    try {
      await ddb.send(new TransactWriteCommand({ TransactItems: tagged.map((t) => t.item), ReturnConsumedCapacity: 'TOTAL' }));
    } catch (err) {
      const failed = failedConditions(err);
      if (failed) throw new WriteConflict(failed.map((i) => tagged[i]!.tag));
      throw err;
    }
  };
}

export type LedgerWriterFn = ReturnType<typeof ledgerWriter>;
