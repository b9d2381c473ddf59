import { describe, expect, it } from 'vitest';
import { backfill } from '../../../core/earning/use-cases/backfill';
import { enrolOrUpdateMember } from '../../../core/ledger/use-cases/members';
import { memoryFixture } from './fixture';

const RULES = [
  { ruleId: 'base', kind: 'base', name: 'Base', pointsPerUnit: { USD: '1' } },
  {
    ruleId: 'review',
    kind: 'event',
    name: 'Review',
    eventType: 'review.posted',
    points: 25,
    limits: [{ period: 'day', max: 1 }],
  },
  {
    ruleId: 'birthday',
    kind: 'event',
    name: 'Birthday',
    eventType: 'birthday',
    points: 200,
    limits: [{ period: 'year', max: 1 }],
  },
];

async function program() {
  const f = memoryFixture();
  await f.program('p', {}, RULES);
  await enrolOrUpdateMember('p', 'eve', { email: 'eve@example.com' }, 'r1', f.deps);
  return f;
}

const purchase = (orderId: string, occurredAt: string, amount: number) => ({
  record: 'purchase',
  orderId,
  memberId: 'eve',
  occurredAt,
  currency: 'USD',
  amount,
});
const event = (eventId: string, type: string, occurredAt: string) => ({
  record: 'event',
  eventId,
  memberId: 'eve',
  type,
  occurredAt,
});

describe('backfill', () => {
  it('records history the live path refuses, marks it as a backfill and publishes nothing', async () => {
    const f = await program();
    const published = f.events.events.length;

    const report = await backfill('p', [purchase('h1', '2024-03-01T10:00:00Z', 40_00)], f.deps);

    expect(report).toMatchObject({ records: 1, credited: 1, rejected: 0, points: 40 });
    expect((await f.transactions('p', 'eve')).map((t) => t.reason)).toEqual(['Purchase h1 (backfill)']);
    expect(f.events.events).toHaveLength(published);
  });

  it('applies the records oldest first, so a return follows its purchase whatever the file order', async () => {
    const f = await program();

    const report = await backfill(
      'p',
      [
        { record: 'return', orderId: 'h1', returnId: 'r1', occurredAt: '2024-03-05T10:00:00Z', amount: 10_00 },
        purchase('h1', '2024-03-01T10:00:00Z', 40_00),
      ],
      f.deps,
    );

    expect(report.lines.map((l) => [l.line, l.status, l.points])).toEqual([
      [1, 'credited', -10],
      [2, 'credited', 40],
    ]);
    expect((await f.balance('p', 'eve')).available).toBe(30);
  });

  it("each period's limits hold across the import, even when other records come between", async () => {
    const f = await program();
    const lines = [
      event('b1', 'birthday', '2023-05-01T10:00:00Z'),
      event('b2', 'birthday', '2023-09-01T10:00:00Z'),
      event('v1', 'review.posted', '2024-02-01T09:00:00Z'),
      purchase('h1', '2024-02-01T10:00:00Z', 5_00),
      event('v2', 'review.posted', '2024-02-01T11:00:00Z'), // the same day: its limit was reached
      event('b3', 'birthday', '2024-05-01T10:00:00Z'),
      event('b4', 'birthday', '2024-12-31T10:00:00Z'),
    ];

    const report = await backfill('p', lines, f.deps);

    expect(report.lines.map((l) => [l.id, l.points])).toEqual([
      ['b1', 200],
      ['b2', 0],
      ['v1', 25],
      ['h1', 5],
      ['v2', 0],
      ['b3', 200],
      ['b4', 0],
    ]);
  });

  it('a second run replays every record and writes nothing', async () => {
    const f = await program();
    const lines = [purchase('h1', '2024-03-01T10:00:00Z', 40_00), event('b1', 'birthday', '2024-05-01T10:00:00Z')];
    await backfill('p', lines, f.deps);
    const before = f.stores.snapshot();

    const again = await backfill('p', lines, f.deps);

    expect(again).toMatchObject({ credited: 0, replayed: 2, rejected: 0, points: 0 });
    expect(f.stores.snapshot()).toEqual(before);
  });

  it('a bad line is reported with its fields and the others are still recorded', async () => {
    const f = await program();

    const report = await backfill(
      'p',
      [
        { record: 'purchase', orderId: 'x' },
        purchase('h1', '2024-03-01T10:00:00Z', 40_00),
        purchase('future', '2999-01-01T00:00:00Z', 1_00),
      ],
      f.deps,
    );

    expect(report).toMatchObject({ records: 3, credited: 1, rejected: 2 });
    expect(report.lines[0]).toMatchObject({
      status: 'rejected',
      errors: expect.arrayContaining([expect.objectContaining({ field: 'memberId' })]),
    });
    expect(report.lines[2]).toMatchObject({ status: 'rejected', problem: 'validation-failed' });
  });
});
