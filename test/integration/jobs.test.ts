import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import { dueKeys, keys } from '../../adapters/dynamodb/keys';
import { dynamoStores } from '../../adapters/dynamodb/stores';
import { memoryPublisher } from '../../adapters/memory/publisher';
import { CostMeter } from '../../bench/support';
import { runJob } from '../../core/jobs/use-cases/run-job';
import { type JobsFixture, jobsFixture } from '../support/jobs';

// Job mechanics against DynamoDB Local: reruns, crashes half-way, the outbox, time budgets, and
// requests that grow with the work due, not with the table.

let f: JobsFixture;
afterEach(() => f?.drop());

async function withDueMembers(count: number, programId = 'shop') {
  f = await jobsFixture();
  await f.program(programId, { expiry: { kind: 'after-earning', months: 1 } });
  for (let i = 0; i < count; i++) await f.earn(programId, `m${i}`, 10 + i, '2026-05-01T08:00:00.000Z');
}
const ASOF = '2026-06-01T08:00:00.000Z';
const expiredTotal = async (count: number) => {
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const a = await f.audit('shop', `m${i}`);
    expect(a.violations).toEqual([]);
    sum -= a.txs.filter((t) => t.type === 'expire').reduce((s, t) => s + t.points, 0);
  }
  return sum;
};

describe('idempotent and resumable', () => {
  it('a second run as of the same time changes nothing and reads only the last day', async () => {
    await withDueMembers(5);
    const first = await f.run('expire', ASOF);
    const meter = new CostMeter();
    meter.attach(f.ddb);

    const second = await f.run('expire', ASOF);

    expect(first.totals).toMatchObject({ changed: 5, points: 10 + 11 + 12 + 13 + 14 });
    // 8 shards of one day, of the EXPIRE index only: no program of this table uses the inactivity policy.
    expect(second.totals).toMatchObject({ changed: 0, points: 0, entries: 0, partitions: 8 });
    expect(f.published('Points Expired')).toHaveLength(5);
    expect(meter.requests.get('Query')).toBe(8);
  });

  it('after a crash half-way, the next run expires the rest, each member exactly once', async () => {
    await withDueMembers(8);
    let writes = 0;
    const crashing = {
      ...f.deps.ledger,
      commit: async (...args: Parameters<typeof f.deps.ledger.commit>) => {
        if (++writes > 3) throw new Error('Lambda was stopped half-way');
        return f.deps.ledger.commit(...args);
      },
    };

    const crashed = await f.run('expire', ASOF, { deps: { ledger: crashing } });
    expect(crashed.totals.changed).toBe(3);
    expect(crashed.totals.errors).toBe(5);
    expect(crashed.checkpoint.from).toBe('2026-06-01'); // not past the failed day

    const resumed = await f.run('expire', ASOF);
    const again = await f.run('expire', ASOF);

    expect(resumed.totals.changed).toBe(5);
    expect(again.totals.changed).toBe(0);
    expect(await expiredTotal(8)).toBe([...Array(8).keys()].reduce((s, i) => s + 10 + i, 0));
    expect(f.published('Points Expired')).toHaveLength(8);
  });

  it(
    'a run publishes nothing itself: its events, committed in outbox entries, reach the stream once, with the ids ' +
      'they were written with; the outbox job finds nothing to do',
    async () => {
      await withDueMembers(3);
      const down = {
        publish: async () => {
          throw new Error('EventBridge unavailable');
        },
      };

      const run = await f.run('expire', ASOF, { deps: { events: down } });
      const outbox = await f.run('outbox', '2026-06-01T09:00:00.000Z');
      await f.events.drain();

      expect(run.totals).toMatchObject({ changed: 3, events: 3, errors: 0 });
      expect(outbox.totals.changed).toBe(0);
      const sent = f.published('Points Expired');
      expect(sent).toHaveLength(3);
      expect(new Set(sent.map((e) => e.detail.metadata.eventId)).size).toBe(3);
      expect(sent.every((e) => e.detail.metadata.correlationId === run.runId)).toBe(true);
    },
  );

  it('an outbox entry an older writer left in the index: the outbox job publishes it once, with its ids', async () => {
    f = await jobsFixture();
    await f.program('shop', { expiry: { kind: 'after-earning', months: 1 } });
    const event = {
      detailType: 'Points Expired',
      detail: {
        metadata: { eventId: '01LEGACY00000000000000000', version: 1, programId: 'shop', occurredAt: ASOF },
        data: {
          memberId: 'old',
          transactionId: 't',
          points: 5,
          reason: 'expiry-date',
          lots: [],
          balances: { available: 0, pending: 0, lifetimeEarned: 5 },
        },
      },
    };
    const createdAt = '2026-06-01T07:58:00.000Z';
    await f.ddb.send(
      new BatchWriteCommand({
        RequestItems: {
          [f.tableName]: [
            {
              PutRequest: {
                Item: {
                  ...keys.outbox('shop', 'old', 'legacy-1'),
                  ...dueKeys('OUTBOX', createdAt, 'shop', 'old', 'legacy-1'),
                  entity: 'outbox',
                  job: 'expire',
                  programId: 'shop',
                  memberId: 'old',
                  createdAt,
                  events: [event],
                },
              },
            },
          ],
        },
      }),
    );

    const young = await f.run('outbox', ASOF);
    const first = await f.run('outbox', '2026-06-01T09:00:00.000Z');
    const again = await f.run('outbox', '2026-06-01T10:00:00.000Z');

    expect(young.totals.changed).toBe(0); // within the grace period
    expect(first.totals).toMatchObject({ changed: 1, events: 1 });
    expect(again.totals.changed).toBe(0);
    expect(f.outbox.events.map((e) => e.detail.metadata.eventId)).toEqual(['01LEGACY00000000000000000']);
  });

  it('a worker out of time hands over a cursor; the next invocation goes on where it stopped', async () => {
    await withDueMembers(6);
    let calls = 0;
    const budget = { remainingMs: () => (calls++ % 2 === 0 ? 1_000 : 0), reserveMs: 500 }; // one page per invocation

    f.clock.set(ASOF);
    const summary = await runJob(
      { job: 'expire', asOf: ASOF, since: '2026-06-01', settings: { pageSize: 1, maxBatches: 1 } },
      f.deps,
      { budget },
    );

    expect(summary.totals).toMatchObject({ changed: 6, errors: 0 });
    expect(calls).toBeGreaterThan(12);
  });
});

describe('enabled by the admin API', () => {
  it('expire, review and notify read nothing until some program sets an expiry policy or a tier set', async () => {
    f = await jobsFixture();
    await f.program('plain');
    const meter = new CostMeter();
    meter.attach(f.ddb);

    const runs = [
      await f.due.getCheckpoint('expire'),
      ...(await Promise.all(
        (['expire', 'review', 'notify'] as const).map((job) => runJob({ job, asOf: ASOF }, f.deps)),
      )),
    ];

    expect(runs[0]).toBeNull();
    for (const run of runs.slice(1) as Awaited<ReturnType<typeof runJob>>[])
      expect(run).toMatchObject({
        batches: 0,
        totals: { partitions: 0 },
        idle: expect.stringMatching(/no program uses this job/),
      });
    expect(meter.requests.get('Query')).toBeUndefined();
  });

  it('setting a policy starts the checkpoints today and records the index kinds to read', async () => {
    f = await jobsFixture('2026-03-10T12:00:00.000Z');
    await f.program('idle', { expiry: { kind: 'inactivity', months: 6 } });
    expect(await f.due.getCheckpoint('expire')).toMatchObject({ from: '2026-03-10', kinds: ['INACTIVITY'] });
    await f.program('dated', {
      expiry: { kind: 'after-earning', months: 6 },
      tiers: {
        metric: 'points',
        window: { kind: 'rolling', months: 12 },
        tiers: [
          { id: 'a', name: 'A', threshold: 0 },
          { id: 'b', name: 'B', threshold: 10 },
        ],
      },
    });
    expect(await f.due.getCheckpoint('expire')).toMatchObject({ from: '2026-03-10', kinds: ['EXPIRE', 'INACTIVITY'] });
    expect(await f.due.getCheckpoint('notify')).toMatchObject({
      lastAsOf: '2026-03-10T12:00:00.000Z',
      kinds: ['EXPIRE', 'INACTIVITY', 'REVIEW'],
    });
    expect(await f.due.getCheckpoint('review')).toMatchObject({ from: '2026-03-10', kinds: ['REVIEW'] });
  });
});

describe('activation', () => {
  it('persists pending points that matured, moves their lots to the expiry index and says so', async () => {
    f = await jobsFixture();
    await f.program('shop', { pendingDays: 14, expiry: { kind: 'after-earning', months: 12 } });
    await f.earn('shop', 'p1', 30, '2026-03-01T12:00:00.000Z');

    const early = await f.run('activate', '2026-03-15T11:59:59.999Z');
    const run = await f.run('activate', '2026-03-15T12:00:00.000Z');

    expect(early.totals.changed).toBe(0);
    expect(run.totals).toMatchObject({ changed: 1, points: 30 });
    const { profile, lots, violations } = await f.audit('shop', 'p1');
    expect(violations).toEqual([]);
    expect(profile).toMatchObject({ available: 30, pending: 0, pendingLots: [] });
    expect(lots[0]).toMatchObject({ gsi1pk: expect.stringMatching(/^DUE#EXPIRE#2027-03-01#/) });
    expect(f.published('Points Activated').map((e) => e.detail.data)).toEqual([
      expect.objectContaining({ memberId: 'p1', points: 30 }),
    ]);
  });
});

describe('cost grows with the work due, not with the table', () => {
  async function fillWithMembers(count: number) {
    // Members with lots far from due, written directly: only their presence in the table matters.
    const items = Array.from({ length: count }, (_, i) => i).flatMap((i) => {
      const memberId = `filler-${i}`;
      const lot = {
        lotId: `L${i}`,
        amount: 5,
        remaining: 5,
        earnedAt: '2026-05-01T00:00:00.000Z',
        availableAt: '2026-05-01T00:00:00.000Z',
        expiresAt: '2027-05-01T00:00:00.000Z',
        source: 'purchase',
        reason: 'filler',
      };
      return [
        {
          ...keys.member('shop', memberId),
          entity: 'member',
          programId: 'shop',
          memberId,
          available: 5,
          pending: 0,
          lifetimeEarned: 5,
          version: 1,
        },
        {
          ...keys.lot('shop', memberId, lot.expiresAt, lot.lotId),
          entity: 'lot',
          programId: 'shop',
          memberId,
          ...lot,
          ...dueKeys('EXPIRE', lot.expiresAt, 'shop', memberId, lot.lotId),
        },
      ];
    });
    for (let i = 0; i < items.length; i += 25) {
      await f.ddb.send(
        new BatchWriteCommand({
          RequestItems: { [f.tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
    }
  }

  it('the expire job sends the same DynamoDB requests for 10 due members among 20 or 400 others', async () => {
    const measure = async (others: number) => {
      await withDueMembers(10);
      await fillWithMembers(others);
      await f.run('expire', '2026-05-31T00:00:00.000Z'); // checkpoint the day before, as the hourly runs would
      // The job alone, on its own metered client.
      const client = createDocumentClient({ endpoint: f.endpoint, region: 'us-east-1' });
      const meter = new CostMeter();
      meter.attach(client);
      f.clock.set(ASOF);
      const deps = {
        ...dynamoStores(client, f.tableName, { cache: false }),
        events: memoryPublisher(),
        clock: f.clock,
      };
      const run = await runJob({ job: 'expire', asOf: ASOF }, deps);
      expect(run.totals.changed).toBe(10);
      const requests = Object.fromEntries(meter.requests);
      await f.drop();
      return requests;
    };

    const small = await measure(20);
    const large = await measure(400);

    expect(large).toEqual(small);
    // Checkpoint read and save; 2 days x 8 shards of the EXPIRE index and one Query per due member for its due lots;
    // one BatchGet (member) and one transaction each. Nothing is marked published: the stream publishes.
    expect(small).toEqual({
      GetItem: 1,
      UpdateItem: 1,
      Query: 2 * 8 + 10,
      BatchGetItem: 10,
      TransactWriteItems: 10,
    });
  });
});
