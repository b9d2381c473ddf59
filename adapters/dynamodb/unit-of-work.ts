// The one mechanism every ledger operation writes through (earn, events, returns, redemptions,
// activation, expiry, reviews): one TransactWriteItems holding the members' new states under
// their optimistic versions, the lots, the transactions and every record that must commit with
// them. A failed condition becomes a WriteConflict naming what failed; nothing is written.
import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditRecorded } from '../../core/audit/ports';
import type { EarningRecord } from '../../core/earning/ports';
import type { JobRecord } from '../../core/jobs/ports';
import type { AdjustmentRecorded, LedgerWrite, WriteRecord } from '../../core/ledger/ports';
import { mergeLotUpdates } from '../../core/ledger/writes';
import type { MemberErased } from '../../core/members/ports';
import type { RewardRecord } from '../../core/rewards/ports';
import { outboxPut, scheduleMoveTagged, schedulePut } from './entities/job';
import { lotPut, lotTake } from './entities/lot';
import { memberUpdate, referralCodePut } from './entities/member';
import { adjustmentGuardPut, auditPut, erasureItems } from './entities/operator';
import { eventGuardPut, orderPut, orderReturnedUpdate, returnGuardPut } from './entities/order';
import { creationItems, releaseItems, reservationItems } from './entities/rewards';
import { transactionPut } from './entities/transaction';
import type { Tagged, WriteContext } from './entities/types';
import { toWriteConflict } from './errors';

/** Every record a ledger write may carry, each owned by its context. */
export type LedgerRecord = EarningRecord | JobRecord | RewardRecord | AdjustmentRecorded | AuditRecorded | MemberErased;

const RECORD_ITEMS: {
  [K in LedgerRecord['kind']]: (ctx: WriteContext, r: Extract<LedgerRecord, { kind: K }>) => Tagged[];
} = {
  'order-recorded': (ctx, r) => [orderPut(ctx, r)],
  'order-returned': (ctx, r) => [orderReturnedUpdate(ctx, r)],
  'return-recorded': (ctx, r) => [returnGuardPut(ctx, r)],
  'event-recorded': (ctx, r) => [eventGuardPut(ctx, r)],
  'schedule-set': (ctx, r) => [schedulePut(ctx, r)],
  'schedule-moved': (ctx, r) => [scheduleMoveTagged(ctx, r)],
  'outbox-recorded': (ctx, r) => [outboxPut(ctx, r)],
  'redemption-created': (ctx, r) => creationItems(ctx, r),
  'redemption-reserved': (ctx, r) => reservationItems(ctx, r),
  'redemption-released': (ctx, r) => releaseItems(ctx, r),
  'adjustment-recorded': (ctx, r) => [adjustmentGuardPut(ctx, r)],
  'audit-recorded': (ctx, r) => [auditPut(ctx, r)],
  'member-erased': (ctx, r) => erasureItems(ctx, r),
};

export function isLedgerRecord(r: WriteRecord): r is LedgerRecord {
  return Object.hasOwn(RECORD_ITEMS, r.kind);
}

/** The transaction items of a ledger write, each tagged with the conflict name its condition reports. */
export function ledgerWriteItems(tableName: string, w: LedgerWrite, now: string): Tagged[] {
  const ctx: WriteContext = { tableName, programId: w.programId, now };
  const tagged: Tagged[] = [];
  for (const r of w.records ?? []) {
    if (!isLedgerRecord(r)) throw new Error(`No writer for a "${r.kind}" record`);
    tagged.push(...(RECORD_ITEMS[r.kind] as (ctx: WriteContext, r: LedgerRecord) => Tagged[])(ctx, r));
  }
  for (const m of w.members) {
    tagged.push(memberUpdate(ctx, m));
    if (m.referralCode) tagged.push(referralCodePut(ctx, m.memberId, m.referralCode));
  }
  for (const { memberId, lot } of w.lotPuts ?? []) tagged.push(lotPut(ctx, memberId, lot));
  for (const u of mergeLotUpdates(w.lotUpdates ?? [])) tagged.push(lotTake(ctx, u));
  for (const tx of w.transactions ?? []) tagged.push(transactionPut(ctx, tx));
  return tagged;
}

/** Writes tagged items in one transaction; a failed condition throws a WriteConflict with their tags. */
export async function transact(ddb: DynamoDBDocumentClient, tagged: readonly Tagged[]): Promise<void> {
  try {
    await ddb.send(
      new TransactWriteCommand({ TransactItems: tagged.map((t) => t.item), ReturnConsumedCapacity: 'TOTAL' }),
    );
  } catch (err) {
    throw toWriteConflict(
      err,
      tagged.map((t) => t.tag),
    );
  }
}

export function ledgerCommitter(ddb: DynamoDBDocumentClient, tableName: string) {
  return (w: LedgerWrite, now: string) => transact(ddb, ledgerWriteItems(tableName, w, now));
}
