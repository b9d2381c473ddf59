// Reading a table's stream through the DynamoDB Streams API (DescribeStream, GetShardIterator,
// GetRecords) on the SDK-free JSON client: what Lambda's event source mapping does on AWS, done by
// the local poller (local/stream-poller.ts) and the tests on DynamoDB Local.
import { type AwsJsonOptions, awsJsonClient } from '../aws/aws-json';
import type { StreamRecord } from './stream';

export type ReadRecord = StreamRecord & { dynamodb: { SequenceNumber: string } };

export interface Shard {
  shardId: string;
  startingSequenceNumber: string;
}

export function streamReader(opts: {
  endpoint?: string;
  region: string;
  tableName: string;
  credentials?: AwsJsonOptions['credentials'];
}) {
  const client = (targetPrefix: string) =>
    awsJsonClient({
      service: 'dynamodb',
      targetPrefix,
      region: opts.region,
      endpoint: opts.endpoint,
      credentials: opts.credentials,
    });
  const ddb = client('DynamoDB_20120810');
  const streams = client('DynamoDBStreams_20120810');
  return {
    /** The table's current stream; null when it has none. */
    async latestStreamArn(): Promise<string | null> {
      const { Table } = await ddb.call<{ Table?: { LatestStreamArn?: string } }>('DescribeTable', {
        TableName: opts.tableName,
      });
      return Table?.LatestStreamArn ?? null;
    },

    /** Every shard, parents before children (a shard's sequence numbers start after its parent's). */
    async shards(streamArn: string): Promise<Shard[]> {
      const shards: Shard[] = [];
      let start: string | undefined;
      do {
        const { StreamDescription: d } = await streams.call<any>('DescribeStream', {
          StreamArn: streamArn,
          ...(start ? { ExclusiveStartShardId: start } : {}),
        });
        for (const s of d?.Shards ?? []) {
          shards.push({
            shardId: s.ShardId,
            startingSequenceNumber: s.SequenceNumberRange?.StartingSequenceNumber ?? '0',
          });
        }
        start = d?.LastEvaluatedShardId;
      } while (start);
      return shards.sort((a, b) => (BigInt(a.startingSequenceNumber) < BigInt(b.startingSequenceNumber) ? -1 : 1));
    },

    /**
     * The shard's records after `after` (from its start without), page by page; `closed` once a
     * page says the shard has ended. Stops at the first empty page (caught up).
     */
    async *read(streamArn: string, shardId: string, after?: string) {
      let { ShardIterator: iterator } = await streams.call<{ ShardIterator?: string }>('GetShardIterator', {
        StreamArn: streamArn,
        ShardId: shardId,
        ...(after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      });
      while (iterator) {
        const page = await streams.call<{ Records?: ReadRecord[]; NextShardIterator?: string }>('GetRecords', {
          ShardIterator: iterator,
          Limit: 1000,
        });
        const records = (page.Records ?? []).map((r) => ({ ...r, eventSourceARN: streamArn }));
        yield { records, closed: !page.NextShardIterator };
        if (!records.length) return;
        iterator = page.NextShardIterator;
      }
    },
  };
}
