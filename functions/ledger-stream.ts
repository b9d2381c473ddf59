import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { changesOf, type StreamRecord } from '../adapters/dynamodb/stream';
import { eventBridgeClient } from '../adapters/eventbridge/client';
import { eventBridgePublisher } from '../adapters/eventbridge/publisher';
import { runtimeConfig } from '../adapters/runtime/config';
import { emfMetrics, logger, publishMetrics } from '../adapters/runtime/observability';
import type { DomainEvent, EventPublisher } from '../core/kernel/events';
import { announcedEvents } from '../core/ledger/use-cases/announced-events';

let publisher: EventPublisher | undefined;
const bus = () => (publisher ??= eventBridgePublisher(eventBridgeClient(), runtimeConfig().eventBusName));

/** PutEvents takes 10 entries: records are published in groups that fill one call. */
const PUT_EVENTS_MAX = 10;

/**
 * The table's stream (filtered to the records that announce something) to the bus: each committed
 * change becomes the events it announces, with ids derived from the change, so a retried batch
 * publishes the same ids. Records go out in stream order; the first group that fails is reported
 * with every record after it (Lambda retries from there, bisecting, then hands the batch to the
 * on-failure queue), so nothing committed is skipped.
 */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(publishMetrics())
  .handler(async (event) => {
    const records = event.Records as StreamRecord[];
    let group: { sequence: string; events: DomainEvent[] }[] = [];
    let published = 0;
    const flush = async () => {
      const events = group.flatMap((g) => g.events);
      if (events.length) await bus().publish(events);
      published += events.length;
      group = [];
    };
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      const sequence = record.dynamodb?.SequenceNumber ?? '';
      try {
        const events = changesOf(record).flatMap(announcedEvents);
        if (group.reduce((n, g) => n + g.events.length, 0) + events.length > PUT_EVENTS_MAX) await flush();
        group.push({ sequence, events });
      } catch (err) {
        // A record that cannot be read (or a group that would not publish): from here on, all again.
        const first = group[0]?.sequence ?? sequence;
        logger.error('stream record not published', { sequence: first, error: (err as Error).message });
        emfMetrics.count('StreamRecordsFailed');
        emfMetrics.count('EventsPublished', published);
        return { batchItemFailures: [{ itemIdentifier: first }] };
      }
    }
    try {
      await flush();
    } catch (err) {
      const first = group[0]!.sequence;
      logger.error('stream record not published', { sequence: first, error: (err as Error).message });
      emfMetrics.count('StreamRecordsFailed');
      emfMetrics.count('EventsPublished', published);
      return { batchItemFailures: [{ itemIdentifier: first }] };
    }
    emfMetrics.count('EventsPublished', published);
    logger.info('stream batch published', { records: records.length, events: published });
    return { batchItemFailures: [] };
  });
