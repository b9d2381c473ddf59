// The table's stream, read back into domain facts: which committed changes announce events, and
// what they announce (core/ledger/use-cases/announced-events.ts turns the facts into events). Only
// this adapter knows items, so the stream's filter (which records invoke the consumer at all) is
// declared here too, and infra and the local poller both read it.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DomainEvent } from '../../core/kernel/events';
import type { Announcement } from '../../core/ledger/ports';
import type { CommittedChange } from '../../core/ledger/use-cases/announced-events';
import { ANNOUNCES, unpack } from './entities/packed';
import { toRedemption } from './entities/rewards';
import { toTransaction } from './entities/transaction';
import type { Item } from './query';

/** A DynamoDB stream record as Lambda hands it over and GetRecords returns it (Binary values in base64). */
export interface StreamRecord {
  eventID?: string;
  eventName?: 'INSERT' | 'MODIFY' | 'REMOVE' | string;
  dynamodb?: {
    Keys?: Record<string, unknown>;
    NewImage?: Record<string, unknown>;
    OldImage?: Record<string, unknown>;
    SequenceNumber?: string;
    ApproximateCreationDateTime?: number;
  };
}

const CLOSED = ['completed', 'failed', 'cancelled'];

/**
 * The records that announce something, as Lambda event filter patterns (EventBridge pattern syntax
 * on the record): a new item marked `announces` (a transaction, a return's guard), a member's
 * first item, a job's outbox entry or notice guard, a redemption written in a closed status.
 * Everything else (most of the stream: lots, guards, schedules, updates) never invokes the consumer.
 */
export const STREAM_FILTERS: readonly Record<string, unknown>[] = [
  { eventName: ['INSERT'], dynamodb: { NewImage: { [ANNOUNCES]: { BOOL: [true] } } } },
  {
    eventName: ['INSERT'],
    dynamodb: { NewImage: { entity: { S: ['member'] }, enrolledVia: { S: ['api', 'purchase'] } } },
  },
  { eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['outbox', 'notice'] } } } },
  { eventName: ['MODIFY'], dynamodb: { NewImage: { entity: { S: ['redemption'] }, status: { S: CLOSED } } } },
];

/** Lambda and GetRecords give Binary values as base64 text; the SDK's unmarshall wants bytes. */
function toAttributeValue(raw: unknown): AttributeValue {
  const v = raw as Record<string, unknown>;
  // DynamoDB Local's stream gives an empty map as `{}` rather than `{"M":{}}`.
  if (Object.keys(v).length === 0) return { M: {} };
  if (typeof v.B === 'string') return { B: Buffer.from(v.B, 'base64') };
  if (Array.isArray(v.BS)) return { BS: v.BS.map((b) => (typeof b === 'string' ? Buffer.from(b, 'base64') : b)) };
  if (Array.isArray(v.L)) return { L: v.L.map(toAttributeValue) };
  if (v.M && typeof v.M === 'object') return { M: imageValues(v.M as Record<string, unknown>) };
  return v as unknown as AttributeValue;
}

function imageValues(image: Record<string, unknown>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([k, v]) => [k, toAttributeValue(v)]));
}

export function streamImage(image: Record<string, unknown> | undefined): Item | undefined {
  return image ? (unmarshall(imageValues(image)) as Item) : undefined;
}

/** What one committed change announces; nothing for a change that announces nothing. */
export function changesOf(record: StreamRecord): CommittedChange[] {
  const created = record.eventName === 'INSERT';
  const item = streamImage(record.dynamodb?.NewImage);
  if (!item || (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY')) return [];
  const before = streamImage(record.dynamodb?.OldImage);
  const key = `${item.pk}|${item.sk}`;
  const programId = String(item.programId);

  if (created && item[ANNOUNCES] === true) {
    const full = unpack(item);
    const announce = full[ANNOUNCES] as Announcement | undefined;
    if (!announce || typeof announce !== 'object') return [];
    return [
      item.entity === 'tx'
        ? { kind: 'announced', programId, key, announce, transaction: toTransaction(full) }
        : { kind: 'announced', programId, key, announce },
    ];
  }
  switch (item.entity) {
    case 'member': {
      const via = item.enrolledVia;
      if (!created || (via !== 'api' && via !== 'purchase')) return [];
      return [
        {
          kind: 'member-enrolled',
          programId,
          key,
          memberId: String(item.memberId),
          via,
          at: String(item.enrolledAt),
          // The API's upsert marks the item with its request id; an enrolling purchase with its time.
          ...(via === 'api' && item.enrolRequestId ? { correlationId: String(item.enrolRequestId) } : {}),
        },
      ];
    }
    case 'outbox':
    case 'notice':
      return created ? [{ kind: 'events-recorded', events: (item.events ?? []) as DomainEvent[] }] : [];
    case 'redemption':
      if (!CLOSED.includes(String(item.status)) || before?.status === item.status) return [];
      return [{ kind: 'redemption-closed', key, redemption: toRedemption(item) }];
    default:
      return [];
  }
}
