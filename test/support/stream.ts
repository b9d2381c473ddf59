// What the stream consumer would publish for a test table: its stream read from the start, the
// records the mapping's filters let through, each mapped to its events as functions/ledger-stream.ts
// maps them. `drain()` reads what was committed since the last call; `events` holds everything read.
import { changesOf, STREAM_FILTERS } from '../../adapters/dynamodb/stream';
import { streamReader } from '../../adapters/dynamodb/stream-reader';
import type { DomainEvent } from '../../core/kernel/events';
import { announcedEvents } from '../../core/ledger/use-cases/announced-events';
import { matchesPattern } from '../../local/event-pattern';

export interface TableEvents {
  /** Every event read so far, in commit order. */
  events: DomainEvent[];
  /** Reads the stream to its end; the events read this time. */
  drain(): Promise<DomainEvent[]>;
}

export function tableEvents(table: { endpoint: string; tableName: string }): TableEvents {
  const reader = streamReader({
    endpoint: table.endpoint,
    region: 'us-east-1',
    tableName: table.tableName,
    credentials: () => ({ accessKeyId: 'local', secretAccessKey: 'local' }),
  });
  const after = new Map<string, string>();
  const events: DomainEvent[] = [];
  return {
    events,
    async drain() {
      const arn = await reader.latestStreamArn();
      const read: DomainEvent[] = [];
      if (!arn) return read;
      for (const { shardId } of await reader.shards(arn)) {
        for await (const { records } of reader.read(arn, shardId, after.get(shardId))) {
          if (!records.length) break;
          for (const r of records) {
            if (STREAM_FILTERS.some((f) => matchesPattern(f, r))) read.push(...changesOf(r).flatMap(announcedEvents));
          }
          after.set(shardId, records.at(-1)!.dynamodb.SequenceNumber);
        }
      }
      events.push(...read);
      return read;
    },
  };
}
