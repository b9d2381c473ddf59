// The stream consumer against a mocked EventBridge: what it publishes for a batch of stream records,
// in order, in PutEvents of at most 10, and what it reports when publishing fails.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext } from '../support/events';

process.env.EVENT_BUS_NAME = 'mock-bus';
delete process.env.TABLE_NAME; // the consumer never touches the table

const eb = mockClient(EventBridgeClient);
const { handler } = await import('../../functions/ledger-stream');

beforeEach(() => {
  eb.reset();
  eb.on(PutEventsCommand).callsFake((input) => ({
    FailedEntryCount: 0,
    Entries: input.Entries.map((_: unknown, i: number) => ({ EventId: String(i) })),
  }));
});

/** A member's first item: announces Member Enrolled. */
const enrolment = (memberId: string, seq: number) => ({
  eventID: `e${seq}`,
  eventName: 'INSERT',
  eventSource: 'aws:dynamodb',
  dynamodb: {
    Keys: marshall({ pk: `PROGRAM#p#MEMBER#${memberId}`, sk: 'PROFILE' }),
    NewImage: marshall({
      pk: `PROGRAM#p#MEMBER#${memberId}`,
      sk: 'PROFILE',
      entity: 'member',
      programId: 'p',
      memberId,
      enrolledVia: 'api',
      enrolledAt: '2026-11-23T12:00:00.000Z',
      enrolRequestId: `req-${memberId}`,
      attributes: {},
    }),
    SequenceNumber: String(seq).padStart(21, '0'),
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  },
});
const batch = (records: unknown[]) => ({ Records: records }) as unknown as DynamoDBStreamEvent;
const entries = () => eb.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries!);

describe('ledger-stream', () => {
  it('publishes what each record announces to the bus, in stream order, source loyalty.ledger', async () => {
    const out = await handler(batch([enrolment('ann', 1), enrolment('bob', 2)]), lambdaContext);

    expect(out).toEqual({ batchItemFailures: [] });
    expect(entries().map((e) => [e.EventBusName, e.Source, e.DetailType, JSON.parse(e.Detail!).data])).toEqual([
      ['mock-bus', 'loyalty.ledger', 'Member Enrolled', { memberId: 'ann', via: 'api' }],
      ['mock-bus', 'loyalty.ledger', 'Member Enrolled', { memberId: 'bob', via: 'api' }],
    ]);
    expect(JSON.parse(entries()[0]!.Detail!).metadata).toMatchObject({ programId: 'p', correlationId: 'req-ann' });
  });

  it('publishes the same event ids when the same batch comes again (a retry)', async () => {
    await handler(batch([enrolment('ann', 1)]), lambdaContext);
    await handler(batch([enrolment('ann', 1)]), lambdaContext);

    const ids = entries().map((e) => JSON.parse(e.Detail!).metadata.eventId);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
  });

  it('fills each PutEvents with up to 10 events', async () => {
    const records = Array.from({ length: 23 }, (_, i) => enrolment(`m${i}`, i + 1));

    await handler(batch(records), lambdaContext);

    expect(eb.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries!.length)).toEqual([10, 10, 3]);
  });

  it('reports the first record of a group that would not publish, so Lambda retries from there', async () => {
    eb.on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 0, Entries: Array.from({ length: 10 }, () => ({ EventId: 'x' })) })
      .rejects(new Error('bus down'));
    const records = Array.from({ length: 15 }, (_, i) => enrolment(`m${i}`, i + 1));

    const out = await handler(batch(records), lambdaContext);

    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: records[10]!.dynamodb.SequenceNumber }] });
  });

  it('reports a record it cannot read, and everything after it is retried with it', async () => {
    // An attribute value of no DynamoDB type: the record cannot be read back into an item.
    const bogus = { entity: { S: 'member' }, enrolledVia: { S: 'api' }, attributes: { BOGUS: 1 } };
    const broken = { ...enrolment('bad', 2), dynamodb: { ...enrolment('bad', 2).dynamodb, NewImage: bogus } };

    const out = await handler(batch([enrolment('ann', 1), broken, enrolment('cid', 3)]), lambdaContext);

    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: enrolment('ann', 1).dynamodb.SequenceNumber }] });
  });

  it('publishes nothing for records that announce nothing', async () => {
    const lot = {
      ...enrolment('ann', 1),
      dynamodb: {
        ...enrolment('ann', 1).dynamodb,
        NewImage: marshall({ pk: 'PROGRAM#p#MEMBER#ann', sk: 'LOT#x', entity: 'lot', programId: 'p' }),
      },
    };
    expect(await handler(batch([lot]), lambdaContext)).toEqual({ batchItemFailures: [] });
    expect(eb.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});
