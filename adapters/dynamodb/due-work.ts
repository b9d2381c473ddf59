import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Lot, Member, ProgramSettings } from '../../core/ledger/domain/types';
import type { MemberState } from '../../core/ledger/domain/member-state';
import { schedulesAfterWrite } from '../../core/jobs/domain/job-plans';
import type { DomainEvent } from '../eventbridge/publisher';
import { ulid } from '../../core/kernel/ids';
import { dueKeys, jobKeys, keys, type ItemKey } from './keys';
import { toLot, toMember } from './ledger-repository';
import { queryAll as queryAllItems, type QueryInput } from './query';
import type { ExtraItem } from './ledger-writer';

/** The GSI the jobs read (infra/constructs/ledger-table.ts names it). */
export const DUE_INDEX = 'byDueDate';

export type ScheduleKind = 'REVIEW' | 'INACTIVITY';

/** One entry of the due index: what is due, when, and whose. `item` is the whole item (the index projects ALL). */
export interface DueEntry {
  at: string;
  programId: string;
  memberId: string;
  id: string;
  item: Record<string, any>;
}

export interface DuePage {
  entries: DueEntry[];
  /** LastEvaluatedKey: pass it back to read the next page of the same partition. */
  next?: Record<string, any>;
}

/** Events recorded with their effect (outbox) or with their send-once guard (notice), until published. */
export interface OutboxRecord {
  key: ItemKey;
  kind: 'outbox' | 'notice';
  events: DomainEvent[];
  item: Record<string, any>;
}

export interface Checkpoint {
  job: string;
  /** Consuming jobs: the first day of the due index that may still hold work. */
  from?: string;
  /** Notices: the asOf the windows of the next run start after. */
  lastAsOf?: string;
  lastRun?: Record<string, unknown>;
  /** The index kinds some program has enabled (recorded by the admin API); absent: read every kind of the job. */
  kinds?: string[];
}

const DAY_S = 86_400;
const epochSeconds = (instant: string) => Math.floor(Date.parse(instant) / 1000);

/** Upper bound of every sort key at an instant: ids never contain '~' (shared/ids.ts), so `<at>#~` follows `<at>#<owner>`. */
const through = (instant: string) => `${instant}#~`;

export function toDueEntry(item: Record<string, any>): DueEntry {
  const [at = '', programId = '', memberId = '', ...rest] = String(item.gsi1sk).split('#');
  return { at, programId, memberId, id: rest.join('#'), item };
}

/** Lots and members are read as the ledger repository reads them. */
export const lotFromItem = toLot;
const memberFromItem = toMember;

function scheduleItem(programId: string, memberId: string, kind: ScheduleKind, dueAt: string) {
  return { ...jobKeys.schedule(programId, memberId, kind), entity: 'schedule', kind, programId, memberId, dueAt, ...dueKeys(kind, dueAt, programId, memberId, kind.toLowerCase()) };
}

/**
 * The hook for ledger writes (earn, events, referral credits): the schedule items a write implies,
 * to add to its `extra` so they commit with it. A move to a higher tier schedules its review; under
 * the inactivity policy every earning moves the member's deadline. Unconditional puts: they cannot
 * fail the write, and the jobs re-check the member before acting on a schedule.
 */
export function scheduleWrites(
  tableName: string,
  program: Pick<ProgramSettings, 'programId' | 'tierSet' | 'expiryPolicy' | 'timeZone'>,
  members: readonly { memberId: string; before: MemberState; after: MemberState }[],
  now: string,
): ExtraItem[] {
  return members.flatMap(({ memberId, before, after }) => {
    const due = schedulesAfterWrite(program, before, after, now);
    return (['review', 'inactivity'] as const).flatMap((k) => {
      const at = due[k];
      if (!at) return [];
      const kind: ScheduleKind = k === 'review' ? 'REVIEW' : 'INACTIVITY';
      return [{ tag: `schedule:${k}:${memberId}`, item: { Put: { TableName: tableName, Item: scheduleItem(program.programId, memberId, kind, at) } } }];
    });
  });
}

export function dueWorkRepository(ddb: DynamoDBDocumentClient, tableName: string) {
  const queryAll = (input: QueryInput) => queryAllItems(ddb, tableName, input);


  function scheduleMove(programId: string, memberId: string, kind: ScheduleKind, seen: string, next: string | null): ExtraItem['item'] {
    const Key = jobKeys.schedule(programId, memberId, kind);
    const condition = { ConditionExpression: 'dueAt = :seen', ExpressionAttributeValues: { ':seen': seen } };
    if (next === null) return { Delete: { TableName: tableName, Key, ...condition } };
    const k = dueKeys(kind, next, programId, memberId, kind.toLowerCase());
    return {
      Update: {
        TableName: tableName,
        Key,
        UpdateExpression: 'SET dueAt = :next, gsi1pk = :gpk, gsi1sk = :gsk',
        ...condition,
        ExpressionAttributeValues: { ':seen': seen, ':next': next, ':gpk': k.gsi1pk, ':gsk': k.gsi1sk },
      },
    };
  }

  return {
    tableName,

    /** One page of one partition of the due index, entries due in (after, upTo], oldest first. */
    async page(partition: string, bounds: { after?: string; upTo: string }, cursor?: Record<string, any>, limit = 100): Promise<DuePage> {
      const out = await ddb.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: DUE_INDEX,
          KeyConditionExpression: bounds.after ? 'gsi1pk = :p AND gsi1sk BETWEEN :lo AND :hi' : 'gsi1pk = :p AND gsi1sk <= :hi',
          ExpressionAttributeValues: { ':p': partition, ':hi': through(bounds.upTo), ...(bounds.after ? { ':lo': through(bounds.after) } : {}) },
          ExclusiveStartKey: cursor,
          Limit: limit,
        }),
      );
      return { entries: (out.Items ?? []).map(toDueEntry), ...(out.LastEvaluatedKey ? { next: out.LastEvaluatedKey } : {}) };
    },

    /** The member's lots with points left that expire at or before `asOf` (sort keys hold the expiry), read consistently. */
    async dueLots(programId: string, memberId: string, asOf: string): Promise<Lot[]> {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        FilterExpression: 'remaining > :zero',
        ExpressionAttributeValues: { ':pk': keys.memberPk(programId, memberId), ':from': keys.lotPrefix, ':to': `${keys.lotPrefix}${through(asOf)}`, ':zero': 0 },
        ConsistentRead: true,
      });
      return items.map(lotFromItem);
    },

    /** Profile and lots with points left in ONE Query (LOT#... sorts just before PROFILE); null member when absent. */
    async memberWithLots(programId: string, memberId: string, opts: { consistent?: boolean } = {}): Promise<{ member: Member | null; lots: Lot[] }> {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        FilterExpression: 'attribute_not_exists(remaining) OR remaining > :zero',
        ExpressionAttributeValues: { ':pk': keys.memberPk(programId, memberId), ':from': jobKeys.memberViewRange.from, ':to': jobKeys.memberViewRange.to, ':zero': 0 },
        ConsistentRead: opts.consistent ?? false,
      });
      const profile = items.find((i) => i.sk === 'PROFILE');
      return { member: profile ? memberFromItem(profile) : null, lots: items.filter((i) => i.entity === 'lot').map(lotFromItem) };
    },

    /** One item, read consistently (repairs of stale index entries). */
    async getItem(key: ItemKey): Promise<Record<string, any> | null> {
      const { Item } = await ddb.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      return Item ?? null;
    },

    scheduleKey: (programId: string, memberId: string, kind: ScheduleKind): ItemKey => jobKeys.schedule(programId, memberId, kind),

    async putSchedule(programId: string, memberId: string, kind: ScheduleKind, dueAt: string): Promise<void> {
      await ddb.send(new PutCommand({ TableName: tableName, Item: scheduleItem(programId, memberId, kind, dueAt) }));
    },

    async getSchedule(programId: string, memberId: string, kind: ScheduleKind): Promise<{ dueAt: string } | null> {
      const { Item } = await ddb.send(new GetCommand({ TableName: tableName, Key: jobKeys.schedule(programId, memberId, kind), ConsistentRead: true }));
      return Item ? { dueAt: Item.dueAt } : null;
    },

    /** A schedule move for a ledger write: only if the schedule is still where the job found it. */
    scheduleMoveWrite(programId: string, memberId: string, kind: ScheduleKind, seen: string, next: string | null): ExtraItem {
      return { tag: `schedule:${kind.toLowerCase()}`, item: scheduleMove(programId, memberId, kind, seen, next) };
    },

    /** Moves (or, with null, removes) a schedule if it is still due at `seen`; false when someone moved it first. */
    async moveSchedule(programId: string, memberId: string, kind: ScheduleKind, seen: string, next: string | null): Promise<boolean> {
      const op = scheduleMove(programId, memberId, kind, seen, next);
      try {
        if ('Delete' in op && op.Delete) await ddb.send(new DeleteCommand(op.Delete as ConstructorParameters<typeof DeleteCommand>[0]));
        else if ('Update' in op && op.Update) await ddb.send(new UpdateCommand(op.Update as ConstructorParameters<typeof UpdateCommand>[0]));
        return true;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return false;
        throw err;
      }
    },

    /** An outbox item holding `events`, for the transaction that records what they announce. */
    outboxWrite(programId: string, memberId: string, job: string, events: DomainEvent[], now: string): { extra: ExtraItem; record: OutboxRecord } {
      const id = ulid(Date.parse(now));
      const item = {
        ...jobKeys.outbox(programId, memberId, id),
        entity: 'outbox',
        job,
        programId,
        memberId,
        createdAt: now,
        events,
        ttl: epochSeconds(now) + 30 * DAY_S,
        ...dueKeys('OUTBOX', now, programId, memberId, id),
      };
      return {
        extra: { tag: 'outbox', item: { Put: { TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } } },
        record: { key: { pk: item.pk, sk: item.sk }, kind: 'outbox', events, item },
      };
    },

    /**
     * Claims a notice: its guard is written once (conditionally), holding the event until it is
     * published. null when the notice was already claimed: it is sent, or the outbox job will send it.
     */
    async claimNotice(programId: string, memberId: string, noticeId: string, events: DomainEvent[], keepUntil: string, now: string): Promise<OutboxRecord | null> {
      const item = {
        ...jobKeys.notice(programId, memberId, noticeId),
        entity: 'notice',
        noticeId,
        programId,
        memberId,
        createdAt: now,
        events,
        // Once keepUntil has passed the notice can no longer be due, so its guard may go.
        ttl: epochSeconds(keepUntil) + 30 * DAY_S,
        ...dueKeys('OUTBOX', now, programId, memberId, noticeId),
      };
      try {
        await ddb.send(new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
        return { key: { pk: item.pk, sk: item.sk }, kind: 'notice', events, item };
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return null;
        throw err;
      }
    },

    /** After publishing: outbox items are deleted, notice guards stay (without index keys) until their TTL. */
    async markPublished(records: readonly OutboxRecord[], now: string): Promise<void> {
      const requests = records.map((r) => {
        if (r.kind === 'outbox') return { DeleteRequest: { Key: r.key } };
        const { gsi1pk: _p, gsi1sk: _s, ...rest } = r.item;
        return { PutRequest: { Item: { ...rest, publishedAt: now } } };
      });
      for (let i = 0; i < requests.length; i += 25) {
        let pending: typeof requests = requests.slice(i, i + 25);
        for (let attempt = 0; pending.length; attempt++) {
          if (attempt > 6) throw new Error('BatchWriteItem kept returning unprocessed items');
          if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
          const out = await ddb.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
          pending = (out.UnprocessedItems?.[tableName] as typeof requests | undefined) ?? [];
        }
      }
    },

    outboxRecordOf(item: Record<string, any>): OutboxRecord {
      return { key: { pk: item.pk, sk: item.sk }, kind: item.entity === 'notice' ? 'notice' : 'outbox', events: item.events ?? [], item };
    },

    async getCheckpoint(job: string): Promise<Checkpoint | null> {
      const { Item } = await ddb.send(new GetCommand({ TableName: tableName, Key: jobKeys.checkpoint(job), ConsistentRead: true }));
      if (!Item) return null;
      return { job, from: Item.from, lastAsOf: Item.lastAsOf, lastRun: Item.lastRun, ...(Item.kinds ? { kinds: [...(Item.kinds as Set<string>)].sort() } : {}) };
    },

    /**
     * Records that a program uses a feature: the index kinds the job must read from now on (a
     * string set that only grows), and, if the job has no checkpoint yet, where it starts: nothing
     * can be due before the day a policy that creates due entries was first set.
     */
    async initCheckpoint(job: string, start: { from: string } | { lastAsOf: string }, kinds: readonly string[]): Promise<void> {
      const [field, value] = Object.entries(start)[0]!;
      await ddb.send(
        new UpdateCommand({
          TableName: tableName,
          Key: jobKeys.checkpoint(job),
          UpdateExpression: 'SET entity = :e, job = :j, #f = if_not_exists(#f, :v) ADD kinds :k',
          ExpressionAttributeNames: { '#f': field },
          ExpressionAttributeValues: { ':e': 'checkpoint', ':j': job, ':v': value, ':k': new Set(kinds) },
        }),
      );
    },

    /**
     * Saves where the job resumes, unless another run moved it since this one was planned (that
     * run's view wins: it read the index later). Returns whether this run's checkpoint was kept.
     */
    async saveCheckpoint(job: string, value: { from?: string; lastAsOf?: string; lastRun: Record<string, unknown> }, planned: { from?: string; lastAsOf?: string }): Promise<boolean> {
      const field = value.from !== undefined ? 'from' : 'lastAsOf';
      const seen = field === 'from' ? planned.from : planned.lastAsOf;
      try {
        await ddb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: jobKeys.checkpoint(job),
            UpdateExpression: 'SET entity = :e, job = :j, #f = :v, lastRun = :run',
            ConditionExpression: seen === undefined ? 'attribute_not_exists(#f)' : '#f = :seen',
            ExpressionAttributeNames: { '#f': field },
            ExpressionAttributeValues: { ':e': 'checkpoint', ':j': job, ':v': value[field], ':run': value.lastRun, ...(seen === undefined ? {} : { ':seen': seen }) },
          }),
        );
        return true;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return false;
        throw err;
      }
    },
  };
}

export type DueWorkRepository = ReturnType<typeof dueWorkRepository>;
