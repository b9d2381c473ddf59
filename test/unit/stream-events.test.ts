// The stream consumer's mapping, record by record: the items a write puts in the table (built by
// the same entity writers the DynamoDB adapter uses) read back from stream records into the events
// they announce. The memory stores announce from the same writes, so each test compares the two:
// what the stream publishes is what the use case announced, with the same detail-types and data.
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { noticeItem, outboxItem } from '../../adapters/dynamodb/entities/job';
import { newRedemptionItems } from '../../adapters/dynamodb/entities/rewards';
import { changesOf, STREAM_FILTERS, type StreamRecord } from '../../adapters/dynamodb/stream';
import { ledgerWriteItems } from '../../adapters/dynamodb/unit-of-work';
import { PUBLISHED_EVENTS } from '../../adapters/eventbridge/catalog';
import { earnForPurchase } from '../../core/earning/use-cases/earn-for-purchase';
import { recordEngagement } from '../../core/earning/use-cases/record-engagement';
import { recordReturn } from '../../core/earning/use-cases/record-return';
import { PointsExpiring } from '../../core/expiry/events';
import type { DomainEvent } from '../../core/kernel/events';
import { domainEvent } from '../../core/kernel/events';
import type { LedgerWrite } from '../../core/ledger/ports';
import { adjustPoints } from '../../core/ledger/use-cases/adjustments';
import { announcedEvents } from '../../core/ledger/use-cases/announced-events';
import type { Redemption } from '../../core/rewards/domain/rewards';
import { TierChanged } from '../../core/tiers/events';
import { matchesPattern } from '../../local/event-pattern';
import { memoryFixture, purchase } from './use-cases/fixture';

type Item = Record<string, unknown>;

/** A stream record as Lambda hands it over: DynamoDB JSON, Binary values in base64. */
function record(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', item: Item, old?: Item): StreamRecord {
  const image = (i: Item) =>
    JSON.parse(
      JSON.stringify(marshall(i, { removeUndefinedValues: true, convertClassInstanceToMap: true }), (_k, v) =>
        v instanceof Uint8Array || (v && v.type === 'Buffer') ? Buffer.from(v.data ?? v).toString('base64') : v,
      ),
    );
  return {
    eventID: 'e1',
    eventName,
    dynamodb: {
      Keys: { pk: { S: item.pk }, sk: { S: item.sk } },
      ...(eventName !== 'REMOVE' ? { NewImage: image(item) } : {}),
      ...(old ? { OldImage: image(old) } : {}),
      SequenceNumber: '1',
    },
  };
}

const published = (r: StreamRecord) =>
  STREAM_FILTERS.some((f) => matchesPattern(f, r)) ? changesOf(r).flatMap(announcedEvents) : [];
const shape = (events: DomainEvent[]) => events.map((e) => ({ type: e.detailType, data: e.detail.data }));

/** The items a write puts (new items only: updates carry no image of their own here). */
function putItems(w: LedgerWrite, now: string): Item[] {
  return ledgerWriteItems('t', w, now).flatMap((t) => (t.item.Put ? [t.item.Put.Item as Item] : []));
}

async function captured<T>(f: ReturnType<typeof memoryFixture>, act: () => Promise<T>) {
  const writes: LedgerWrite[] = [];
  const hook = async (w: LedgerWrite) => void writes.push(w);
  f.stores.beforeCommit(hook);
  f.events.clear();
  await act();
  return { write: writes[0]!, announced: f.events.events };
}

describe('what the stream publishes for a committed change', () => {
  it('an earn: Points Earned from its transaction, Tier Changed on an upgrade, Points Activated', async () => {
    const f = memoryFixture();
    await f.program('shop', { pendingDays: 14 });
    await f.stores.programs.updateProgram(
      'shop',
      {
        tierSet: {
          metric: 'points',
          window: { kind: 'calendar', period: 'year' },
          review: { graceUntilEndOfNextPeriod: true, dropMode: 'one-tier' },
          tiers: [
            { id: 'base', name: 'Base', threshold: 0, multiplier: 1, attributes: {} },
            { id: 'gold', name: 'Gold', threshold: 100, multiplier: 1, attributes: {} },
          ],
        },
      },
      f.clock.now().toISOString(),
    );
    await earnForPurchase('shop', purchase({ orderId: 'o1', amount: 50_00 }), f.deps, 'req-1');
    f.clock.advance(15 * 86_400_000);

    const { write, announced } = await captured(f, () =>
      earnForPurchase(
        'shop',
        purchase({ orderId: 'o2', amount: 60_00, occurredAt: f.clock.now().toISOString() }),
        f.deps,
        'req-2',
      ),
    );

    const events = putItems(write, f.clock.now().toISOString()).flatMap((i) => published(record('INSERT', i)));
    expect(shape(events)).toEqual(shape(announced));
    expect(events.map((e) => e.detailType)).toEqual(['Points Earned', 'Tier Changed', 'Points Activated']);
    expect(events[0]!.detail.data).toMatchObject({ orderId: 'o2', points: 60, status: 'pending' });
    expect(events[1]!.detail.data).toEqual({
      memberId: 'alice',
      from: 'base',
      to: 'gold',
      direction: 'up',
      reason: 'qualified',
    });
    expect(events[2]!.detail.data).toMatchObject({ memberId: 'alice', points: 50 });
    expect(events.every((e) => e.detail.metadata.correlationId === 'req-2')).toBe(true);
  });

  it('an engagement event: Points Earned with its eventId', async () => {
    const f = memoryFixture();
    await f.program('app', {}, [{ ruleId: 'review', kind: 'event', name: 'Review', eventType: 'review', points: 25 }]);
    await earnForPurchase('app', purchase({ orderId: 'o1' }), f.deps);

    const { write, announced } = await captured(f, () =>
      recordEngagement(
        'app',
        { eventId: 'ev-1', memberId: 'alice', type: 'review', occurredAt: f.clock.now().toISOString() },
        f.deps,
      ),
    );

    const events = putItems(write, f.clock.now().toISOString()).flatMap((i) => published(record('INSERT', i)));
    expect(shape(events)).toEqual(shape(announced));
    expect(events.map((e) => [e.detailType, (e.detail.data as { eventId?: string }).eventId])).toEqual([
      ['Points Earned', 'ev-1'],
    ]);
  });

  it("an operator's adjustment: Points Adjusted from its transaction, with who and why", async () => {
    const f = memoryFixture();
    await f.program('app');
    await earnForPurchase('app', purchase({ orderId: 'o1' }), f.deps);

    const { write, announced } = await captured(f, () =>
      adjustPoints(
        'app',
        'alice',
        { points: -5, reason: 'Duplicate credit' },
        { idempotencyKey: 'k1', actor: { keyId: 'KEY1', role: 'support' } },
        f.deps,
      ),
    );

    const events = putItems(write, f.clock.now().toISOString()).flatMap((i) => published(record('INSERT', i)));
    expect(shape(events)).toEqual(shape(announced));
    expect(events.map((e) => e.detailType)).toEqual(['Points Adjusted']);
    expect(events[0]!.detail.data).toMatchObject({
      points: -5,
      reason: 'Duplicate credit',
      by: { keyId: 'KEY1', role: 'support' },
    });
  });

  it('a return: Points Reversed from its guard', async () => {
    const f = memoryFixture();
    await f.program('shop');
    await earnForPurchase('shop', purchase({ orderId: 'o1', amount: 80_00 }), f.deps);

    const { write, announced } = await captured(f, () =>
      recordReturn(
        'shop',
        'o1',
        { returnId: 'r1', amount: 30_00, occurredAt: f.clock.now().toISOString() } as never,
        f.deps,
      ),
    );

    const events = putItems(write, f.clock.now().toISOString()).flatMap((i) => published(record('INSERT', i)));
    expect(shape(events)).toEqual(shape(announced));
    expect(events.map((e) => e.detailType)).toEqual(['Points Reversed']);
    expect(events[0]!.detail.data).toMatchObject({ orderId: 'o1', returnId: 'r1', points: 30, fromOrder: 30 });
  });

  it("a member's first item: Member Enrolled with how they joined; a backfilled member, nothing", () => {
    const member = (via: string) => ({
      pk: 'PROGRAM#p#MEMBER#m',
      sk: 'PROFILE',
      entity: 'member',
      programId: 'p',
      memberId: 'm',
      enrolledAt: '2026-11-23T12:00:00.000Z',
      enrolledVia: via,
      enrolRequestId: 'req-9',
      attributes: {},
    });
    expect(shape(published(record('INSERT', member('api'))))).toEqual([
      { type: 'Member Enrolled', data: { memberId: 'm', via: 'api' } },
    ]);
    expect(published(record('INSERT', member('api')))[0]!.detail.metadata.correlationId).toBe('req-9');
    expect(shape(published(record('INSERT', member('purchase'))))).toEqual([
      { type: 'Member Enrolled', data: { memberId: 'm', via: 'purchase' } },
    ]);
    expect(published(record('INSERT', member('backfill')))).toEqual([]);
    // A later write to the member is no enrolment.
    expect(published(record('MODIFY', member('api'), member('api')))).toEqual([]);
  });

  describe('a redemption closing', () => {
    const base = {
      programId: 'p',
      memberId: 'm',
      redemptionId: 'r1',
      rewardId: 'coffee',
      rewardName: 'Coffee',
      rewardType: 'coupon',
      quantity: 1,
      points: 100,
      status: 'pending',
      createdAt: '2026-11-23T12:00:00.000Z',
      updatedAt: '2026-11-23T12:00:00.000Z',
      correlationId: 'req-r',
      reservation: { transactionId: 'tx-r', points: 100, lots: [], at: '2026-11-23T12:00:00.000Z' },
    } as unknown as Redemption;
    const item = (r: Partial<Redemption>) =>
      newRedemptionItems('t', { ...base, ...r } as Redemption, base.createdAt).find(
        (t) => t.item.Put?.Item?.entity === 'redemption',
      )!.item.Put!.Item as Item;
    const pending = item({});

    it('completed: Reward Redeemed (the code never travels)', () => {
      const done = item({ status: 'completed', code: 'SECRET-CODE', completedAt: '2026-11-23T12:00:01.000Z' });
      const events = published(record('MODIFY', done, pending));
      expect(shape(events)).toEqual([
        {
          type: 'Reward Redeemed',
          data: {
            memberId: 'm',
            redemptionId: 'r1',
            rewardId: 'coffee',
            rewardType: 'coupon',
            quantity: 1,
            points: 100,
            transactionId: 'tx-r',
            codeIssued: true,
          },
        },
      ]);
      expect(JSON.stringify(events)).not.toContain('SECRET-CODE');
      expect(events[0]!.detail.metadata).toMatchObject({
        correlationId: 'req-r',
        occurredAt: '2026-11-23T12:00:01.000Z',
      });
      // Written again in the same status (a later update): announced once, not twice.
      expect(published(record('MODIFY', done, done))).toEqual([]);
    });

    it('failed: Redemption Failed with its reason and what went back', () => {
      const failed = item({
        status: 'failed',
        failedAt: '2026-11-23T12:00:02.000Z',
        failure: { reason: 'out-of-stock', message: 'no stock left' },
        release: { transactionId: 'tx-f', points: 100, at: '2026-11-23T12:00:02.000Z' },
        stockReleased: 1,
      } as Partial<Redemption>);
      expect(shape(published(record('MODIFY', failed, pending)))).toEqual([
        {
          type: 'Redemption Failed',
          data: {
            memberId: 'm',
            redemptionId: 'r1',
            rewardId: 'coffee',
            reason: 'out-of-stock',
            message: 'no stock left',
            pointsReturned: 100,
            stockReturned: 1,
          },
        },
      ]);
    });

    it('cancelled: Redemption Cancelled with the refund transaction', () => {
      const completed = item({ status: 'completed' });
      const cancelled = item({
        status: 'cancelled',
        cancelledAt: '2026-11-23T13:00:00.000Z',
        release: { transactionId: 'tx-c', points: 100, at: '2026-11-23T13:00:00.000Z' },
      } as Partial<Redemption>);
      expect(shape(published(record('MODIFY', cancelled, completed)))).toEqual([
        {
          type: 'Redemption Cancelled',
          data: {
            memberId: 'm',
            redemptionId: 'r1',
            rewardId: 'coffee',
            pointsReturned: 100,
            stockReturned: 0,
            transactionId: 'tx-c',
          },
        },
      ]);
    });

    it('still open (reserved, awaiting its partner): nothing', () => {
      expect(
        published(record('MODIFY', item({ status: 'awaiting-fulfilment' } as Partial<Redemption>), pending)),
      ).toEqual([]);
    });
  });

  it("a job's outbox entry and a notice's guard: the events stored in them, ids and all", () => {
    const at = '2026-11-23T12:00:00.000Z';
    const tier = domainEvent(
      TierChanged,
      { memberId: 'm', from: 'gold', to: 'base', direction: 'down', reason: 'review' },
      { programId: 'p', occurredAt: at },
    );
    const notice = domainEvent(
      PointsExpiring,
      { memberId: 'm', noticeId: 'n1', expiresAt: at, daysBefore: 7, points: 10, reason: 'expiry-date' },
      { programId: 'p', occurredAt: at },
    );
    const outbox = outboxItem({
      kind: 'outbox',
      programId: 'p',
      memberId: 'm',
      id: 'x1',
      job: 'review',
      events: [tier],
      createdAt: at,
    });
    const guard = noticeItem({
      kind: 'notice',
      programId: 'p',
      memberId: 'm',
      id: 'expiry#x#7d',
      job: 'notify',
      events: [notice],
      createdAt: at,
      keepUntil: at,
    });
    expect(published(record('INSERT', outbox))).toEqual([tier]);
    expect(published(record('INSERT', guard))).toEqual([notice]);
    // Neither enters the due index any more: the stream publishes them.
    expect(outbox.gsi1pk).toBeUndefined();
    expect(guard.gsi1pk).toBeUndefined();
    // The outbox job's marking (and TTL's removal) announce nothing again.
    expect(published(record('MODIFY', { ...guard, publishedAt: at }, guard))).toEqual([]);
    expect(published(record('REMOVE', outbox, outbox))).toEqual([]);
  });

  it('every other change invokes nothing: lots, guards, plain transactions, schedules', async () => {
    const f = memoryFixture();
    await f.program('shop');
    const { write } = await captured(f, () => earnForPurchase('shop', purchase({ orderId: 'o1' }), f.deps));
    const quiet = putItems(write, f.clock.now().toISOString()).filter((i) => i.entity !== 'tx');
    expect(quiet.map((i) => i.entity).sort()).toEqual(['lot', 'order', 'referralCode']);
    for (const i of quiet) expect(STREAM_FILTERS.some((p) => matchesPattern(p, record('INSERT', i)))).toBe(false);
    const plainTx = { pk: 'PROGRAM#p#MEMBER#m', sk: 'TX#1', entity: 'tx', programId: 'p', type: 'redeem' };
    expect(STREAM_FILTERS.some((p) => matchesPattern(p, record('INSERT', plainTx)))).toBe(false);
  });

  it('derives every event id from the change: the same record read twice gives the same ids', async () => {
    const f = memoryFixture();
    await f.program('shop', { pendingDays: 14 });
    await earnForPurchase('shop', purchase({ orderId: 'o1' }), f.deps);
    f.clock.advance(15 * 86_400_000);
    const { write } = await captured(f, () =>
      earnForPurchase('shop', purchase({ orderId: 'o2', occurredAt: f.clock.now().toISOString() }), f.deps),
    );
    const [tx] = putItems(write, f.clock.now().toISOString()).filter((i) => i.entity === 'tx');

    const first = published(record('INSERT', tx!));
    const again = published(record('INSERT', tx!));

    expect(first.length).toBe(2);
    expect(again.map((e) => e.detail.metadata.eventId)).toEqual(first.map((e) => e.detail.metadata.eventId));
    expect(new Set(first.map((e) => e.detail.metadata.eventId)).size).toBe(first.length);
    for (const e of first) expect(e.detail.metadata.eventId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('publishes only events of the catalog, valid against their schemas', () => {
    const types = new Set(PUBLISHED_EVENTS.map((d) => d.detailType));
    for (const t of ['Points Earned', 'Points Reversed', 'Points Activated', 'Tier Changed', 'Member Enrolled'])
      expect(types.has(t), t).toBe(true);
    for (const t of ['Reward Redeemed', 'Redemption Failed', 'Redemption Cancelled'])
      expect(types.has(t), t).toBe(true);
  });
});
