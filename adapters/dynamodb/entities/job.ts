// Items of the scheduled jobs: members' schedules (next tier review, inactivity deadline), events
// recorded with their effect (outbox), send-once notice guards, and checkpoints. Schedules are in
// the due index; outbox entries and notices are published by the table's stream when they are
// written (adapters/dynamodb/stream.ts), so they no longer enter it (older ones still in the
// index are the outbox job's).
import type {
  DueEntry,
  OutboxRecord,
  OutboxRecorded,
  ScheduleKind,
  ScheduleMoved,
  ScheduleSet,
} from '../../../core/jobs/ports';
import { dueKeys, keys, parseDueSortKey } from '../keys';
import type { Item } from '../query';
import { toLot } from './lot';
import { DAY_S, epochSeconds, type Tagged, type TxItem, type WriteContext } from './types';

/** Outbox entries are kept a month: the stream publishes them within seconds, a replay needs them no longer. */
const OUTBOX_TTL_DAYS = 30;

export function scheduleItem(programId: string, memberId: string, kind: ScheduleKind, dueAt: string): Item {
  return {
    ...keys.schedule(programId, memberId, kind),
    entity: 'schedule',
    kind,
    programId,
    memberId,
    dueAt,
    ...dueKeys(kind, dueAt, programId, memberId, kind.toLowerCase()),
  };
}

export function schedulePut(ctx: WriteContext, r: ScheduleSet): Tagged {
  return {
    tag: `schedule:${r.schedule.toLowerCase()}:${r.memberId}`,
    item: { Put: { TableName: ctx.tableName, Item: scheduleItem(ctx.programId, r.memberId, r.schedule, r.dueAt) } },
  };
}

/** Moves or removes a schedule only if it is still where the job found it (conflict: `schedule:<kind>`). */
export function scheduleMove(tableName: string, programId: string, r: Omit<ScheduleMoved, 'kind'>): TxItem {
  const Key = keys.schedule(programId, r.memberId, r.schedule);
  const condition = { ConditionExpression: 'dueAt = :seen', ExpressionAttributeValues: { ':seen': r.seen } };
  if (r.next === null) return { Delete: { TableName: tableName, Key, ...condition } };
  const k = dueKeys(r.schedule, r.next, programId, r.memberId, r.schedule.toLowerCase());
  return {
    Update: {
      TableName: tableName,
      Key,
      UpdateExpression: 'SET dueAt = :next, gsi1pk = :gpk, gsi1sk = :gsk',
      ...condition,
      ExpressionAttributeValues: { ':seen': r.seen, ':next': r.next, ':gpk': k.gsi1pk, ':gsk': k.gsi1sk },
    },
  };
}

export function scheduleMoveTagged(ctx: WriteContext, r: ScheduleMoved): Tagged {
  return { tag: `schedule:${r.schedule.toLowerCase()}`, item: scheduleMove(ctx.tableName, ctx.programId, r) };
}

export function outboxItem(r: OutboxRecord): Item {
  return {
    ...keys.outbox(r.programId, r.memberId, r.id),
    entity: 'outbox',
    job: r.job,
    programId: r.programId,
    memberId: r.memberId,
    createdAt: r.createdAt,
    events: r.events,
    ttl: epochSeconds(r.createdAt) + OUTBOX_TTL_DAYS * DAY_S,
  };
}

export function outboxPut(ctx: WriteContext, r: OutboxRecorded): Tagged {
  return {
    tag: 'outbox',
    item: {
      Put: { TableName: ctx.tableName, Item: outboxItem(r.record), ConditionExpression: 'attribute_not_exists(pk)' },
    },
  };
}

/** A notice's guard, holding its event (published by the stream when the guard is written) until it cannot be due. */
export function noticeItem(r: OutboxRecord, published?: string): Item {
  const item: Item = {
    ...keys.notice(r.programId, r.memberId, r.id),
    entity: 'notice',
    noticeId: r.id,
    job: r.job,
    programId: r.programId,
    memberId: r.memberId,
    createdAt: r.createdAt,
    events: r.events,
    keepUntil: r.keepUntil,
    ttl: epochSeconds(r.keepUntil ?? r.createdAt) + OUTBOX_TTL_DAYS * DAY_S,
  };
  return published ? { ...item, publishedAt: published } : item;
}

export function toOutboxRecord(item: Item): OutboxRecord {
  const notice = item.entity === 'notice';
  return {
    kind: notice ? 'notice' : 'outbox',
    programId: item.programId,
    memberId: item.memberId,
    id: notice ? item.noticeId : String(item.sk).slice('DUE#OUTBOX#'.length),
    job: item.job ?? 'notify',
    events: item.events ?? [],
    createdAt: item.createdAt,
    ...(item.keepUntil ? { keepUntil: item.keepUntil } : {}),
  };
}

/** An entry of the due index and what it points at (the index projects whole items). */
export function toDueEntry(item: Item): DueEntry {
  const { at, programId, memberId, id } = parseDueSortKey(String(item.gsi1sk));
  const base = { at, programId, memberId, id };
  if (item.entity === 'lot') return { ...base, subject: { type: 'lot', lot: toLot(item) } };
  if (item.entity === 'redemption') return { ...base, subject: { type: 'redemption', status: String(item.status) } };
  if (item.entity === 'schedule')
    return { ...base, subject: { type: 'schedule', schedule: item.kind, dueAt: String(item.dueAt ?? at) } };
  return { ...base, subject: { type: 'outbox', record: toOutboxRecord(item) } };
}
