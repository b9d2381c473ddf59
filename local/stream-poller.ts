// The event source mappings of the template on DynamoDB Local's stream, as Lambda runs them: read
// each shard in order (DescribeStream, GetShardIterator, GetRecords), keep the records the
// mapping's filters match, invoke the handler with batches of at most BatchSize records, retry a
// failed batch from its first failed record (ReportBatchItemFailures), halve it on an error
// (BisectBatchOnFunctionError), and after MaximumRetryAttempts write it to the dead letters (the
// on-failure destination). Where each shard was read to is saved in a checkpoint file next to the
// data, so a stack stopped between a commit and its publication publishes it when it starts again,
// once. Locally a mapping without a checkpoint reads its shards from their start (TRIM_HORIZON):
// nothing written before the poller ran is missed. The batching window is the poll interval.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type ReadRecord, streamReader } from '../adapters/dynamodb/stream-reader';
import { matchesPattern } from './event-pattern';
import { invokeLambda, type LoadHandler } from './http-gateway';
import type { StreamMappingModel } from './template';

export interface StreamPollerOptions {
  mappings: StreamMappingModel[];
  dynamodbEndpoint: string;
  region: string;
  tableName: string;
  loadHandler: LoadHandler;
  /** Where each shard was read to; undefined: in memory (a restart reads the stream again). */
  checkpointFile?: string;
  deadLetterFile: string;
  pollIntervalMs?: number;
  retryDelayMs?: number;
  log?: (line: string) => void;
  logError?: (message: string, error: unknown) => void;
}

export interface LocalStreamPoller {
  /** Resolves once every record committed so far has been handed to its function (retries included). */
  whenIdle(): Promise<void>;
  /** Stops polling; a poll in flight finishes first. */
  stop(): Promise<void>;
}

interface Checkpoint {
  streamArn: string | null;
  /** Per mapping, per shard: the last sequence number handed over (or filtered out). */
  read: Record<string, Record<string, string>>;
  /** Shards read to their end (closed by DynamoDB). */
  done: Record<string, Record<string, true>>;
}

export async function startStreamPoller(opts: StreamPollerOptions): Promise<LocalStreamPoller> {
  const log = opts.log ?? ((line) => console.log(line));
  const logError = opts.logError ?? ((message, error) => console.error(message, error));
  const pollMs = opts.pollIntervalMs ?? 200;
  const retryDelayMs = opts.retryDelayMs ?? 50;
  const reader = streamReader({ endpoint: opts.dynamodbEndpoint, region: opts.region, tableName: opts.tableName });

  let checkpoint: Checkpoint = { streamArn: null, read: {}, done: {} };
  if (opts.checkpointFile && existsSync(opts.checkpointFile)) {
    checkpoint = { ...checkpoint, ...JSON.parse(readFileSync(opts.checkpointFile, 'utf8')) };
  }
  const save = () => {
    if (!opts.checkpointFile) return;
    mkdirSync(dirname(opts.checkpointFile), { recursive: true });
    const tmp = `${opts.checkpointFile}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(checkpoint, null, 2)}\n`);
    renameSync(tmp, opts.checkpointFile);
  };

  const streamArn = async (): Promise<string | null> => {
    const arn = await reader.latestStreamArn();
    // Another table under the same name (the data directory was wiped): its stream starts afresh.
    if (arn && arn !== checkpoint.streamArn) checkpoint = { streamArn: arn, read: {}, done: {} };
    return arn;
  };

  const deadLetter = (mapping: StreamMappingModel, records: ReadRecord[], error: unknown) => {
    mkdirSync(dirname(opts.deadLetterFile), { recursive: true });
    const first = records[0]!.dynamodb.SequenceNumber;
    const last = records.at(-1)!.dynamodb.SequenceNumber;
    appendFileSync(
      opts.deadLetterFile,
      `${JSON.stringify({
        failedAt: new Date().toISOString(),
        eventBusName: null,
        rule: mapping.logicalId,
        target: mapping.function.entry,
        stage: 'stream',
        destination: mapping.onFailure,
        attempts: mapping.retryAttempts + 1,
        error: { name: (error as Error)?.name ?? 'Error', message: (error as Error)?.message ?? String(error) },
        event: { Records: records },
      })}\n`,
    );
    log(
      `DEAD LETTER stream ${mapping.logicalId} -> ${mapping.function.entry}: records ${first}..${last} -> ` +
        opts.deadLetterFile,
    );
  };

  /** Hands `batch` to the function until it takes all of it, or gives the rest up to the dead letters. */
  const deliver = async (mapping: StreamMappingModel, batch: ReadRecord[], attempt = 0): Promise<void> => {
    let remaining = batch;
    while (remaining.length) {
      let failedFrom = -1;
      let error: unknown = null;
      try {
        const res = (await invokeLambda(mapping.function, opts.loadHandler, { Records: remaining }, opts)) as
          | { batchItemFailures?: { itemIdentifier: string }[] }
          | undefined;
        const failures = mapping.reportBatchItemFailures ? (res?.batchItemFailures ?? []) : [];
        if (failures.length) {
          const ids = new Set(failures.map((f) => f.itemIdentifier));
          failedFrom = remaining.findIndex((r) => ids.has(r.dynamodb.SequenceNumber));
          // An identifier that names no record of the batch: Lambda retries the whole batch.
          if (failedFrom < 0) failedFrom = 0;
          error = new Error(`batch item failure at ${remaining[failedFrom]!.dynamodb.SequenceNumber}`);
        }
      } catch (err) {
        failedFrom = 0;
        error = err;
      }
      if (failedFrom < 0) return;
      remaining = remaining.slice(failedFrom);
      attempt++;
      if (mapping.retryAttempts >= 0 && attempt > mapping.retryAttempts) return deadLetter(mapping, remaining, error);
      log(
        `stream ${mapping.function.entry} failed (attempt ${attempt}): ${(error as Error)?.message ?? error}; retrying`,
      );
      await new Promise((r) => setTimeout(r, retryDelayMs * attempt));
      if (mapping.bisectOnError && remaining.length > 1) {
        const half = Math.ceil(remaining.length / 2);
        await deliver(mapping, remaining.slice(0, half), attempt);
        await deliver(mapping, remaining.slice(half), attempt);
        return;
      }
    }
  };

  /** One pass over every shard of every mapping; the number of records read. */
  const pollOnce = async (): Promise<number> => {
    const arn = await streamArn();
    if (!arn) return 0;
    let read = 0;
    for (const mapping of opts.mappings) {
      checkpoint.read[mapping.logicalId] ??= {};
      checkpoint.done[mapping.logicalId] ??= {};
      const at = checkpoint.read[mapping.logicalId]!;
      const done = checkpoint.done[mapping.logicalId]!;
      for (const { shardId } of await reader.shards(arn)) {
        if (done[shardId]) continue;
        for await (const page of reader.read(arn, shardId, at[shardId])) {
          if (page.closed) done[shardId] = true;
          const { records } = page;
          if (!records.length) break;
          read += records.length;
          const matching = mapping.filters.length
            ? records.filter((r) => mapping.filters.some((f) => matchesPattern(f, r)))
            : records;
          for (let i = 0; i < matching.length; i += mapping.batchSize) {
            const batch = matching.slice(i, i + mapping.batchSize);
            await deliver(mapping, batch);
            at[shardId] = batch.at(-1)!.dynamodb.SequenceNumber;
            save();
          }
          at[shardId] = records.at(-1)!.dynamodb.SequenceNumber;
          save();
        }
        if (done[shardId]) save();
      }
    }
    return read;
  };

  // One poll at a time: the loop and whenIdle() share this chain.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn, fn);
    chain = next.catch(() => {});
    return next;
  };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const loop = () => {
    if (stopped) return;
    void serial(pollOnce)
      .catch((err) => {
        if (!stopped) logError('reading the table stream', err);
      })
      .finally(() => {
        if (!stopped) {
          timer = setTimeout(loop, pollMs);
          timer.unref();
        }
      });
  };
  if (opts.mappings.length) loop();

  return {
    async whenIdle() {
      while (!stopped && (await serial(pollOnce)) > 0) {}
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await chain;
    },
  };
}
