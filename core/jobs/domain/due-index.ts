// How due work is found: an index partitioned by kind, UTC day and shard, sorted by the due
// instant. The kinds, the shard count and the hashing are part of how jobs plan their runs; the
// DynamoDB adapter builds the keys from them.
import { type Instant, toInstant, toMs } from '../../kernel/calendar';

/**
 * ACTIVATE / EXPIRE: lots; REVIEW / INACTIVITY: a member's schedule; OUTBOX: events not yet published;
 * REDEMPTION: open redemptions, at the deadline the sweeper closes them by.
 */
export type DueKind = 'ACTIVATE' | 'EXPIRE' | 'REVIEW' | 'NOTIFY' | 'INACTIVITY' | 'OUTBOX' | 'REDEMPTION';

/** Every day of the index is split this many ways, so no partition is hot; a job reads every shard of a day. */
export const DUE_SHARDS = 8;

/** Stable shard 0..shards-1 for an id (FNV-1a 32-bit over UTF-8), to spread a due-date index. */
export function dueShard(id: string, shards: number): number {
  if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`shards must be a positive integer, got ${shards}`);
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(id)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/** The UTC day "YYYY-MM-DD" an instant falls on: the partition a daily job reads. */
export function dueDay(instant: Instant): string {
  return toInstant(toMs(instant)).slice(0, 10);
}
